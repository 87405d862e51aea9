"""The unit of work against the real PostgreSQL: one transaction per change, whose rows and events (in the outbox,
stamped with the change's context) commit together or not at all."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import asyncpg
import pytest
from support.clock import FakeClock

from mitra_shared import events as ev
from mitra_shared.context import Context, Principal
from mitra_shared.errors import Conflict
from mitra_shared.events import EventData, EventKind
from mitra_shared.uow import Transaction, UnauditedChange, UnitOfWork

pytestmark = pytest.mark.integration


class ThingHappened(EventData):
    kind = EventKind("test", "thing", "happened", 1)

    thing_id: uuid.UUID
    name: str


@pytest.fixture
async def uow(pool: asyncpg.Pool) -> UnitOfWork:
    """A unit of work on a database with the shared tables and one table of the service's own state."""
    await pool.execute("CREATE TABLE things (id uuid PRIMARY KEY, name text NOT NULL, changed_at timestamptz NOT NULL)")
    return UnitOfWork(pool)


def context_at(now: datetime, request_id: str = "req-42") -> Context:
    """A change by the service itself (a worker's), which needs no audit entry: these tests are about the outbox."""
    return Context(principal=Principal.system("test.worker"), now=now, request_id=request_id)


def officer_at(now: datetime, request_id: str = "req-7") -> Context:
    """A change on a person's behalf: it must record its audit entry."""
    principal = Principal(subject="officer-7", roles=("ministry",), name="Dewi", scope={"ministry_code": "KEMENSOS"})
    return Context(principal=principal, now=now, request_id=request_id)


async def add_thing(tx: Transaction, name: str) -> ev.CloudEvent[EventData]:
    thing_id = uuid.uuid4()
    await tx.conn.execute("INSERT INTO things (id, name, changed_at) VALUES ($1, $2, $3)", thing_id, name, tx.now)
    return tx.publish(ThingHappened(thing_id=thing_id, name=name), subject=str(thing_id))


async def change_that_fails(uow: UnitOfWork, context: Context, error: Exception) -> None:
    """A change that writes a row and publishes an event, then raises."""
    async with uow.change(context) as tx:
        await add_thing(tx, "written, then undone")
        raise error


async def test_a_change_commits_its_rows_and_its_events_stamped_with_its_context(
    uow: UnitOfWork, pool: asyncpg.Pool, clock: FakeClock
) -> None:
    # A moment that is not the database's now(), so a row or an event stamped with the wall clock would show.
    now = clock.set(clock() - timedelta(days=400))
    context = context_at(now, "req-42")
    async with uow.change(context) as tx:
        assert (tx.now, tx.actor, tx.context) == (now, "system:test.worker", context)
        first = await add_thing(tx, "first")
        second = await add_thing(tx, "second")
        assert tx.events == (first, second)
        # Nothing is in the outbox before the commit: the events are written with it.
        assert await tx.conn.fetchval("SELECT count(*) FROM outbox") == 0

    rows = await pool.fetch("SELECT name, changed_at FROM things ORDER BY name")
    assert [(row["name"], row["changed_at"]) for row in rows] == [("first", now), ("second", now)]
    outbox = await pool.fetch("SELECT id, event_type, routing_key, headers, body FROM outbox ORDER BY seq")
    assert [row["id"] for row in outbox] == [first.id, second.id]
    for row in outbox:
        assert row["event_type"] == "id.go.mitra.test.thing.happened.v1"
        assert row["routing_key"] == "test.thing.happened"
        published = ev.decode(row["body"])
        assert published.time == now
        assert published.correlationid == "req-42"
        assert row["headers"]["cloudEvents_correlationid"] == "req-42"
        assert datetime.fromisoformat(row["headers"]["cloudEvents_time"]) == now
    assert ev.decode(outbox[0]["body"]).data["name"] == "first"


async def test_a_change_that_raises_leaves_neither_rows_nor_events(uow: UnitOfWork, pool: asyncpg.Pool) -> None:
    context = context_at(datetime.fromisoformat("2030-01-02T09:00:00+07:00"))
    with pytest.raises(Conflict, match="refused after writing"):
        await change_that_fails(uow, context, Conflict("body.name", "refused after writing"))

    assert await pool.fetchval("SELECT count(*) FROM things") == 0
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 0


async def test_each_change_is_its_own_transaction(uow: UnitOfWork, pool: asyncpg.Pool) -> None:
    now = datetime.fromisoformat("2030-01-02T09:00:00+07:00")
    async with uow.change(context_at(now, "req-1")) as tx:
        kept = await add_thing(tx, "kept")
    with pytest.raises(RuntimeError, match="boom"):
        await change_that_fails(uow, context_at(now, "req-2"), RuntimeError("boom"))
    async with uow.change(context_at(now, "req-3")) as tx:
        pass  # a change that publishes nothing writes nothing to the outbox

    assert await pool.fetchval("SELECT array_agg(name) FROM things") == ["kept"]
    assert [row["id"] for row in await pool.fetch("SELECT id FROM outbox")] == [kept.id]


async def test_a_change_sees_its_own_writes_and_others_see_them_only_after_the_commit(
    uow: UnitOfWork, pool: asyncpg.Pool
) -> None:
    async with uow.change(context_at(datetime.fromisoformat("2030-01-02T09:00:00+07:00"))) as tx:
        await add_thing(tx, "pending")
        assert tx.conn.is_in_transaction()
        assert await tx.conn.fetchval("SELECT count(*) FROM things") == 1
        async with uow.read() as other:
            assert await other.fetchval("SELECT count(*) FROM things") == 0
    async with uow.read() as conn:
        assert await conn.fetchval("SELECT name FROM things") == "pending"


async def test_read_gives_a_connection_outside_any_transaction(uow: UnitOfWork) -> None:
    async with uow.read() as conn:
        assert not conn.is_in_transaction()
        assert await conn.fetchval("SELECT 41 + 1") == 42


async def test_a_persons_change_records_its_audit_entry_with_the_change(uow: UnitOfWork, pool: asyncpg.Pool) -> None:
    now = datetime.fromisoformat("2030-01-02T09:00:00+07:00")
    async with uow.change(officer_at(now)) as tx:
        event = await add_thing(tx, "audited")
        tx.audit(
            "thing.added", "thing", event.subject, before=None, after={"name": "audited", "changed_at": now}
        )
    outbox = await pool.fetch("SELECT routing_key, body FROM outbox ORDER BY seq")
    assert [row["routing_key"] for row in outbox] == ["test.thing.happened", "audit.unnamed.recorded"]
    entry = ev.decode(outbox[1]["body"])
    assert entry.source == "/mitra/unnamed"
    assert entry.correlationid == "req-7"
    assert entry.data["actor"] == {
        "subject": "officer-7", "name": "Dewi", "role": "ministry", "scope": {"ministry_code": "KEMENSOS"}
    }
    assert (entry.data["action"], entry.data["object_type"], entry.data["object_id"]) == (
        "thing.added", "thing", event.subject
    )
    assert "before" not in entry.data or entry.data["before"] is None
    assert entry.data["after"] == {"name": "audited", "changed_at": now.isoformat()}
    assert entry.data["request_id"] == "req-7"


async def test_a_persons_change_without_an_audit_entry_commits_nothing(uow: UnitOfWork, pool: asyncpg.Pool) -> None:
    with pytest.raises(UnauditedChange, match="officer-7"):
        async with uow.change(officer_at(datetime.fromisoformat("2030-01-02T09:00:00+07:00"))) as tx:
            await add_thing(tx, "unaudited")
    assert await pool.fetchval("SELECT count(*) FROM things") == 0
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 0
