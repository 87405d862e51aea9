"""The deadline engine builds a batch's events while its statements run (workers/deadlines.py `_settle`): when
either side fails, nothing of the batch commits, nothing is left running on the connection, and the next tick
sends every notice once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import asyncpg
import pytest
from support.agreements_world import AGREEMENTS
from support.clock import FakeClock
from support.database import migrated_pool
from test_agreements import published, seed, signed_msp

from mitra_agreements.workers import deadlines
from mitra_agreements.workers.deadlines import DeadlineEngine
from mitra_shared.documents import DOCUMENTS_MIGRATIONS
from mitra_shared.uow import UnitOfWork

pytestmark = pytest.mark.integration

SIGNED_ON, DUE_DAY = date(2027, 1, 5), date(2027, 7, 6)  # the day after the Action Plans fall due


class Broken(RuntimeError):
    pass


class ChecksFail(DeadlineEngine):
    """An engine whose database refuses the batch's next checks, after the notices were recorded."""

    async def _record_and_check(
        self, tx: Any, notices: Any, today: date, checks: Any, recorded: Any, *record: Any
    ) -> None:
        await super()._record_and_check(tx, notices, today, ("SELECT 1/0",), recorded, *record)


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(database, [DOCUMENTS_MIGRATIONS, AGREEMENTS]) as ready:
        clock = FakeClock(SIGNED_ON)
        uow = UnitOfWork(ready, "agreements")
        world = await seed(ready)
        for _ in range(3):
            await signed_msp(uow, world, clock)
        yield ready


def engine(kind: type[DeadlineEngine], pool: asyncpg.Pool) -> DeadlineEngine:
    clock = FakeClock(DUE_DAY)
    return kind(uow=UnitOfWork(pool, "agreements"), clock=clock, listen_dsn="unused", tick_seconds=3600)


async def state(pool: asyncpg.Pool) -> tuple[Any, ...]:
    deadline_events = [e for e in await published(pool) if e["routing_key"].endswith((".due", ".overdue"))]
    return (
        deadline_events,
        await pool.fetchval("SELECT count(*) FROM deadline_notices"),
        [tuple(row) for row in await pool.fetch("SELECT id, status, next_check_on FROM obligations ORDER BY id")],
    )


async def sent_by_a_healthy_engine(pool: asyncpg.Pool) -> int:
    sent = await engine(DeadlineEngine, pool).tick()
    assert sent > 0
    assert await engine(DeadlineEngine, pool).tick() == 0
    events = [e for e in await published(pool) if e["routing_key"].endswith((".due", ".overdue"))]
    assert len(events) == sent == len({(e["subject"], e["routing_key"]) for e in events})
    return sent


async def test_a_failed_write_of_the_checks_leaves_the_batch_undone(pool: asyncpg.Pool) -> None:
    before = await state(pool)
    with pytest.raises(asyncpg.DivisionByZeroError):
        await engine(ChecksFail, pool).tick()
    assert await state(pool) == before
    await sent_by_a_healthy_engine(pool)


async def test_an_event_that_cannot_be_built_leaves_the_batch_undone(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any) -> Any:
        raise Broken("no event")

    before = await state(pool)
    with monkeypatch.context() as patched:
        patched.setattr(deadlines, "_obligation_event", broken)
        with pytest.raises(Broken):
            await engine(DeadlineEngine, pool).tick()
    assert await state(pool) == before
    # The pool's connection was given back clean: the statements the failed batch had started were stopped.
    assert await pool.fetchval("SELECT 1") == 1
    await sent_by_a_healthy_engine(pool)


class OneLaneFails(DeadlineEngine):
    """An engine whose second batch's checks the database refuses, while its first batch, in the other lane, goes
    through."""

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self.batches = 0

    async def _record_and_check(
        self, tx: Any, notices: Any, today: date, checks: Any, recorded: Any, *record: Any
    ) -> None:
        self.batches += 1
        if self.batches == 2:
            checks = ("SELECT 1/0",)
        await super()._record_and_check(tx, notices, today, checks, recorded, *record)


async def test_a_lane_that_fails_undoes_its_own_batch_only(pool: asyncpg.Pool) -> None:
    events_before, notices_before, _ = await state(pool)
    failing = OneLaneFails(
        uow=UnitOfWork(pool, "agreements"),
        clock=FakeClock(DUE_DAY),
        listen_dsn="unused",
        tick_seconds=3600,
        batch_size=1,
        lanes=2,
    )
    with pytest.raises(asyncpg.DivisionByZeroError):
        await failing.tick()
    assert failing.batches == 2
    events_after, notices_after, _ = await state(pool)
    # The other lane's batch committed whole (its notice recorded and its event in the outbox), the failed one not at
    # all; and the error came once both had ended: every connection is back in the pool.
    assert (len(events_after) - len(events_before), notices_after - notices_before) == (1, 1)
    assert pool.get_idle_size() == pool.get_size()
    # The rest then goes out, and no notice twice.
    sent = await engine(DeadlineEngine, pool).tick()
    events = [e for e in await published(pool) if e["routing_key"].endswith((".due", ".overdue"))]
    assert sent > 0
    assert len(events) == len(events_before) + 1 + sent == len({(e["subject"], e["routing_key"]) for e in events})
