"""Reporting's audit append in one statement onto the entry it appended last (`ChainTip`): the same chain, bit for
bit, as reading the log's head under the lock each time; and the long way whenever the remembered tip is not the
log's (a rolled-back append, another appender, another database) or a value would not hash as stored (a float)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from support.database import create_database, drop_database, migrated_pool

from mitra_reporting.consumers import audit_entries
from mitra_reporting.consumers.audit_entries import HANDLERS, TIP
from mitra_reporting.domain import audit
from mitra_reporting.usecases.audit import verify_chain
from mitra_shared import db
from mitra_shared.context import Context
from mitra_shared.contracts.audit import AuditActor, audit_kind_of
from mitra_shared.documents import DOCUMENTS_MIGRATIONS
from mitra_shared.events import ReceivedEvent, decode, encode, new_event
from mitra_shared.uow import UnitOfWork

pytestmark = pytest.mark.integration
START = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)
SOURCES = [DOCUMENTS_MIGRATIONS, db.MigrationSource("reporting", "mitra_reporting")]


class RolledBack(Exception):
    pass


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(database, SOURCES) as ready:
        yield ready


@pytest.fixture
async def other_pool() -> AsyncIterator[asyncpg.Pool]:
    dsn = await create_database()
    try:
        async with migrated_pool(dsn, SOURCES) as ready:
            yield ready
    finally:
        await drop_database(dsn)


def entries(count: int, *, after: dict[str, Any] | None = None) -> list[ReceivedEvent]:
    """Registry's entries as they arrive on the wire."""
    made = []
    for number in range(count):
        data = audit_kind_of("registry")(
            entry_id=uuid.uuid4(),
            at=START + timedelta(minutes=number),
            actor=AuditActor(subject="ngo-staff-1", name="Staff", role="ngo", scope={"organization_id": "x"}),
            action="organization.updated",
            object_type="organization",
            object_id=str(uuid.uuid4()),
            before={"status": "registered", "tags": ["a", "é"], "version": number},
            after=after or {"status": "active", "version": number + 1, "nested": {"ok": True, "none": None}},
            request_id=f"req-{number}",
            service="registry",
        )
        made.append(decode(encode(new_event(data, subject=data.object_id, time=data.at))))
    return made


async def deliver(pool: asyncpg.Pool, event: ReceivedEvent, *, roll_back: bool = False) -> None:
    handler = next(h for kind, h in HANDLERS.items() if kind.type == event.type)
    try:
        async with UnitOfWork(pool, service="reporting").change(Context.for_system("reporting.consumer", START)) as tx:
            await handler.apply(tx, event, handler.model.model_validate(event.data))
            if roll_back:
                raise RolledBack
    except RolledBack:
        pass


def forget_tip() -> None:
    TIP.seq, TIP.hash = None, ""


async def chain_of(pool: asyncpg.Pool) -> list[tuple[Any, ...]]:
    rows = await pool.fetch("SELECT seq, event_id, previous_hash, hash, before, after FROM audit_log ORDER BY seq")
    return [tuple(row) for row in rows]


async def test_the_tip_gives_the_chain_reading_the_head_gives(pool: asyncpg.Pool, other_pool: asyncpg.Pool) -> None:
    history = entries(5)
    forget_tip()
    for event in history:
        await deliver(pool, event)
    for event in history:
        forget_tip()  # every append the long way
        await deliver(other_pool, event)

    assert await chain_of(pool) == await chain_of(other_pool)
    assert [row[0] for row in await chain_of(pool)] == [1, 2, 3, 4, 5]
    assert str(await verify_chain(UnitOfWork(pool))) == "5 entries, chain intact"


async def test_the_append_takes_one_statement_once_the_tip_is_known(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    history = entries(3)
    forget_tip()
    await deliver(pool, history[0])
    long_way: list[str] = []
    read_head = audit_entries.AUDIT_LOG.chain_head

    def counted(**values: Any) -> tuple[Any, ...]:
        long_way.append(str(values["event_id"]))
        return read_head(**values)  # type: ignore[no-any-return]

    monkeypatch.setattr(audit_entries.AUDIT_LOG, "chain_head", counted, raising=False)
    await deliver(pool, history[1])
    await deliver(pool, history[2])
    assert long_way == []
    await deliver(pool, history[1])  # a redelivery: refused by the one statement, then found known the long way
    assert long_way == [str(history[1].id)]
    assert [row[0] for row in await chain_of(pool)] == [1, 2, 3]


async def test_a_rolled_back_append_leaves_no_gap(pool: asyncpg.Pool) -> None:
    first, lost, third = entries(3)
    await deliver(pool, first)
    await deliver(pool, lost, roll_back=True)  # the tip now names an entry the log never kept
    await deliver(pool, third)
    rows = await chain_of(pool)
    assert [(row[0], row[1]) for row in rows] == [(1, first.id), (2, third.id)]
    assert str(await verify_chain(UnitOfWork(pool))) == "2 entries, chain intact"


async def test_another_appender_or_database_moves_the_log_on(pool: asyncpg.Pool, other_pool: asyncpg.Pool) -> None:
    history = entries(6)
    for number, event in enumerate(history):
        await deliver(pool if number % 2 == 0 else other_pool, event)
    await deliver(pool, history[0])  # known: adds nothing
    for each in (pool, other_pool):
        assert [row[0] for row in await chain_of(each)] == [1, 2, 3]
        assert str(await verify_chain(UnitOfWork(each))) == "3 entries, chain intact"


async def test_floats_are_hashed_as_the_log_gives_them_back(pool: asyncpg.Pool) -> None:
    history = entries(2, after={"amount": 1.5e20, "rate": 0.1})
    for event in history:
        await deliver(pool, event)
    rows = await chain_of(pool)
    assert rows[1][5] == {"amount": 150000000000000000000, "rate": 0.1}
    assert str(await verify_chain(UnitOfWork(pool))) == "2 entries, chain intact"


def test_only_floats_may_come_back_from_jsonb_changed() -> None:
    assert audit.unchanged_by_jsonb({"a": ["x", 1, True, None, {"b": 10**30}]})
    assert audit.unchanged_by_jsonb(None)
    assert not audit.unchanged_by_jsonb({"a": [{"b": 1.0}]})
