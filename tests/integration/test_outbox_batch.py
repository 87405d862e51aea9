"""The outbox write of a change: all its events in one statement, in the order published, waking the relay once."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
import pytest

from mitra_shared import events as ev
from mitra_shared import outbox
from mitra_shared.events import EventData, EventKind

pytestmark = pytest.mark.integration


class PartFitted(EventData):
    kind = EventKind("test", "part", "fitted", 2)

    part_id: uuid.UUID
    label: str


class PartRemoved(EventData):
    kind = EventKind("test", "part", "removed", 1)

    part_id: uuid.UUID


def events_of_one_change(count: int) -> list[ev.CloudEvent[Any]]:
    made: list[ev.CloudEvent[Any]] = []
    for index in range(count):
        part_id = uuid.uuid4()
        data: EventData = PartRemoved(part_id=part_id)
        if index % 2:
            data = PartFitted(part_id=part_id, label=f"part {index}")
        made.append(ev.new_event(data, subject=str(part_id), correlation_id=f"req-{index}" if index else None))
    return made


async def test_the_events_of_a_change_are_one_statement_in_the_order_published(pool: asyncpg.Pool) -> None:
    events = events_of_one_change(5)
    statements: list[str] = []
    async with pool.acquire() as conn:
        # The first use on a connection also looks up the array types (asyncpg's introspection, once per connection).
        rolled_back = conn.transaction()
        await rolled_back.start()
        await outbox.record_many(conn, events_of_one_change(2))
        await rolled_back.rollback()
        async with conn.transaction():
            with conn.query_logger(lambda record: statements.append(record.query)):
                await outbox.record_many(conn, events)
        await asyncio.sleep(0)  # asyncpg hands the logged queries over on the next turn of the loop
        assert len(statements) == 1, statements
        rows = await conn.fetch("SELECT * FROM outbox ORDER BY seq")
    assert [row["id"] for row in rows] == [event.id for event in events]
    for row, event in zip(rows, events, strict=True):
        assert row["event_type"] == event.type
        assert row["routing_key"] == event.type.removeprefix("id.go.mitra.").rsplit(".v", 1)[0]
        assert row["headers"] == ev.amqp_headers(event)
        assert bytes(row["body"]) == ev.encode(event)
        assert row["published_at"] is None
        assert row["attempts"] == 0


async def test_a_committed_change_wakes_the_relay_once_and_a_rolled_back_one_not_at_all(pool: asyncpg.Pool) -> None:
    woken: list[tuple[str, str]] = []
    arrived = asyncio.Event()

    def on_notify(*args: Any) -> None:
        woken.append((args[2], args[3]))
        if args[3] == "marker":
            arrived.set()

    listener = await pool.acquire()
    try:
        await listener.add_listener(outbox.WAKE_CHANNEL, on_notify)
        async with pool.acquire() as conn:
            transaction = conn.transaction()
            await transaction.start()
            await outbox.record_many(conn, events_of_one_change(3))
            await transaction.rollback()
            async with conn.transaction():
                await outbox.record_many(conn, events_of_one_change(3))
            # Notifications arrive in commit order: once this marker has, any other wake-up would have too.
            await conn.execute("SELECT pg_notify($1, 'marker')", outbox.WAKE_CHANNEL)
        await asyncio.wait_for(arrived.wait(), timeout=5)
        assert [channel for channel, _ in woken] == [outbox.WAKE_CHANNEL, outbox.WAKE_CHANNEL]
        assert woken[-1][1] == "marker"
        assert await listener.fetchval("SELECT count(*) FROM outbox") == 3
    finally:
        await listener.remove_listener(outbox.WAKE_CHANNEL, on_notify)
        await pool.release(listener)


async def test_an_event_id_recorded_twice_fails_the_whole_write(pool: asyncpg.Pool) -> None:
    first, second = events_of_one_change(2)
    again = second.model_copy(update={"id": first.id})
    async with pool.acquire() as conn:
        with pytest.raises(asyncpg.UniqueViolationError):
            async with conn.transaction():
                await outbox.record_many(conn, [first, again])
        assert await conn.fetchval("SELECT count(*) FROM outbox") == 0


async def test_nothing_to_record_runs_no_statement(pool: asyncpg.Pool) -> None:
    statements: list[str] = []
    async with pool.acquire() as conn:
        async with conn.transaction():
            with conn.query_logger(lambda record: statements.append(record.query)):
                await outbox.record_many(conn, [])
        await asyncio.sleep(0)
    assert statements == []
