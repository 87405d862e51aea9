"""The transactional outbox and its relay against the real PostgreSQL and RabbitMQ."""

from __future__ import annotations

import asyncio
import collections
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aio_pika.abc import AbstractChannel, AbstractQueue, AbstractRobustConnection, DeliveryMode, ExchangeType
from support.broker import AMQP_URL, collect, delete_namespace, drain, message_ids
from support.polling import eventually

from mitra_shared import events as ev
from mitra_shared import outbox
from mitra_shared.events import EventData, EventKind
from mitra_shared.outbox import OutboxRelay
from mitra_shared.topology import Names, declare_backbone

pytestmark = pytest.mark.integration

RELAY_SCRIPT = Path(__file__).with_name("relay_process.py")
# High enough that anything arriving within a test's deadline was woken by NOTIFY, not found by polling.
NEVER_POLL = 30.0


class ThingHappened(EventData):
    kind = EventKind("test", "thing", "happened", 1)

    thing_id: uuid.UUID
    name: str


@dataclass
class Broker:
    names: Names
    channel: AbstractChannel


MakeRelay = Callable[..., Awaitable[OutboxRelay]]


@pytest.fixture
async def state(pool: asyncpg.Pool) -> asyncpg.Pool:
    """The pool, with a table standing for a service's own state."""
    async with pool.acquire() as conn:
        await conn.execute("CREATE TABLE things (id uuid PRIMARY KEY, name text NOT NULL)")
    return pool


@pytest.fixture
async def broker(namespace: str, amqp: AbstractRobustConnection) -> AsyncIterator[Broker]:
    names = Names(namespace)
    channel = await amqp.channel()
    await declare_backbone(channel, names)
    try:
        yield Broker(names, channel)
    finally:
        await channel.close()
        await delete_namespace(namespace, consumers=[])


@pytest.fixture
async def tap(broker: Broker) -> AsyncIterator[AbstractQueue]:
    """A queue of the test's own that receives every event on `<ns>.events`."""
    queue = await broker.channel.declare_queue(f"{broker.names.namespace}.tap", durable=True)
    await queue.bind(broker.names.events_exchange, routing_key="#")
    try:
        yield queue
    finally:
        await queue.delete(if_unused=False, if_empty=False)


@pytest.fixture
async def make_relay(
    database: str, state: asyncpg.Pool, amqp: AbstractRobustConnection, broker: Broker
) -> AsyncIterator[MakeRelay]:
    """Start relays over the test database (stopped at the end); by default publishing to `<ns>.events`."""
    relays: list[OutboxRelay] = []

    async def make(*, relay_class: type[OutboxRelay] = OutboxRelay, **options: Any) -> OutboxRelay:
        options.setdefault("exchange_name", broker.names.events_exchange)
        options.setdefault("poll_interval", NEVER_POLL)
        relay = relay_class(pool=state, listen_dsn=database, amqp=amqp, **options)
        await relay.start()
        relays.append(relay)
        return relay

    try:
        yield make
    finally:
        for relay in relays:
            await relay.stop()


async def change(
    pool: asyncpg.Pool, name: str, *, commit: bool = True, correlation_id: str | None = None
) -> ev.CloudEvent[Any]:
    """Write a thing and its event in one transaction, and commit it or roll it back."""
    thing_id = uuid.uuid4()
    data = ThingHappened(thing_id=thing_id, name=name)
    event = ev.new_event(data, subject=str(thing_id), correlation_id=correlation_id)
    async with pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        await conn.execute("INSERT INTO things (id, name) VALUES ($1, $2)", thing_id, name)
        await outbox.record(conn, event)
        if commit:
            await transaction.commit()
        else:
            await transaction.rollback()
    return event


async def outbox_row(pool: asyncpg.Pool, event_id: uuid.UUID) -> asyncpg.Record:
    async with pool.acquire() as conn:
        row = await conn.fetchrow("SELECT * FROM outbox WHERE id = $1", event_id)
    assert row is not None
    return row


async def pending(pool: asyncpg.Pool) -> int:
    async with pool.acquire() as conn:
        return int(await conn.fetchval(outbox.QUERIES.outbox_pending_count))


async def all_published(pool: asyncpg.Pool, total: int) -> bool:
    async with pool.acquire() as conn:
        row = await conn.fetchrow("SELECT count(*) AS rows, count(published_at) AS published FROM outbox")
    assert row is not None
    return bool(row["rows"] == total and row["published"] == total)


async def test_record_refuses_to_run_outside_a_transaction(state: asyncpg.Pool) -> None:
    event = ev.new_event(ThingHappened(thing_id=uuid.uuid4(), name="loose"), subject="loose")
    async with state.acquire() as conn:
        with pytest.raises(RuntimeError, match="inside the transaction"):
            await outbox.record(conn, event)
        assert await conn.fetchval("SELECT count(*) FROM outbox") == 0


async def test_one_event_per_committed_change_and_none_for_a_rolled_back_one(
    state: asyncpg.Pool, make_relay: MakeRelay, tap: AbstractQueue
) -> None:
    first = await change(state, "first")
    await change(state, "rolled back", commit=False)
    third = await change(state, "third")
    await make_relay()

    await eventually(lambda: all_published(state, 2), description="both committed events published")
    # Publisher confirms came before the rows were marked published: the tap holds all there will ever be.
    messages = await collect(tap, 2)
    assert sorted(message_ids(messages)) == sorted([first.id, third.id])
    assert await drain(tap) == []
    async with state.acquire() as conn:
        assert sorted(await conn.fetchval("SELECT array_agg(name) FROM things")) == ["first", "third"]


class SleepWatchingRelay(OutboxRelay):
    """A relay that records each wait it starts, so a test can tell when it has nothing left but to sleep."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.sleeps: list[float] = []

    async def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        await super()._sleep(seconds)


async def test_the_relay_wakes_on_notify_long_before_its_poll_interval(
    state: asyncpg.Pool, make_relay: MakeRelay, tap: AbstractQueue
) -> None:
    relay = await make_relay(relay_class=SleepWatchingRelay, poll_interval=NEVER_POLL)
    assert isinstance(relay, SleepWatchingRelay)

    async def asleep_for_the_poll_interval() -> bool:
        return bool(relay.sleeps) and relay.sleeps[-1] == NEVER_POLL

    await eventually(asleep_for_the_poll_interval, description="relay idle, waiting out its poll interval")

    started = asyncio.get_running_loop().time()
    woken = await change(state, "woken")
    assert message_ids(await collect(tap, 1, within=5.0)) == [woken.id]
    assert asyncio.get_running_loop().time() - started < 5.0 < NEVER_POLL


class CommitWhileDeciding(OutboxRelay):
    """A relay that gets a NOTIFY just after it looked for due rows and before it goes to sleep.

    The commit lands in the one window its own queries cannot see: the batch and the look-up of the next due
    row are both done. Only the wake-up can tell the relay about it.
    """

    def __init__(self, *, late_change: Callable[[], Awaitable[object]], **options: Any) -> None:
        super().__init__(**options)
        self._late_change: Callable[[], Awaitable[object]] | None = late_change

    async def seconds_until_due(self) -> float | None:
        wait = await super().seconds_until_due()
        if self._late_change is not None:
            late_change, self._late_change = self._late_change, None
            await late_change()

            async def notified() -> bool:
                return self._wake.is_set()

            await eventually(notified, timeout=5.0, description="NOTIFY received by the relay")
        return wait


async def test_a_notify_that_arrives_while_a_batch_is_in_hand_is_not_lost(
    state: asyncpg.Pool, make_relay: MakeRelay, tap: AbstractQueue
) -> None:
    await change(state, "first")
    late: list[ev.CloudEvent[Any]] = []

    async def late_change() -> None:
        late.append(await change(state, "late"))

    await make_relay(relay_class=CommitWhileDeciding, late_change=late_change, poll_interval=NEVER_POLL)
    messages = await collect(tap, 2, within=5.0)
    assert len(late) == 1
    assert message_ids(messages)[-1] == late[0].id


class CountingRelay(OutboxRelay):
    """A relay that tells how many events each of its batches published."""

    def __init__(self, *, counts: list[int], **options: Any) -> None:
        super().__init__(**options)
        self._counts = counts

    async def publish_pending(self) -> int:
        published = await super().publish_pending()
        self._counts.append(published)
        return published


async def test_two_replicas_publish_every_event_exactly_once(
    state: asyncpg.Pool, make_relay: MakeRelay, tap: AbstractQueue
) -> None:
    total = 300
    published_by: list[list[int]] = [[], []]
    for counts in published_by:
        await make_relay(relay_class=CountingRelay, batch_size=20, counts=counts)

    async def write_some(start: int, count: int) -> list[uuid.UUID]:
        return [(await change(state, f"thing-{number}")).id for number in range(start, start + count)]

    batches = await asyncio.gather(*(write_some(start, 30) for start in range(0, total, 30)))
    expected = [event_id for batch in batches for event_id in batch]

    await eventually(lambda: all_published(state, total), description=f"{total} events published")
    messages = await collect(tap, total)
    duplicates = [event_id for event_id, seen in collections.Counter(message_ids(messages)).items() if seen > 1]
    assert duplicates == []
    assert sorted(message_ids(messages)) == sorted(expected)
    assert await drain(tap) == []
    assert sum(sum(counts) for counts in published_by) == total
    # Both replicas took part (each was woken by the same notifications and skipped the rows the other held).
    assert all(sum(counts) > 0 for counts in published_by), published_by


@dataclass
class RelayProcess:
    process: asyncio.subprocess.Process

    @property
    def pid(self) -> int:
        return self.process.pid

    def state(self) -> str:
        # Field 3 of /proc/<pid>/stat, after the parenthesised command name: R, S, T (stopped), Z...
        stat = Path(f"/proc/{self.pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0]


@pytest.fixture
async def relay_processes(database: str, broker: Broker) -> AsyncIterator[Callable[[], Awaitable[RelayProcess]]]:
    started: list[RelayProcess] = []

    async def start() -> RelayProcess:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(RELAY_SCRIPT),
            database,
            AMQP_URL,
            broker.names.events_exchange,
            str(NEVER_POLL),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        started.append(RelayProcess(process))
        assert process.stdout is not None
        output = []
        async with asyncio.timeout(20):
            while (line := (await process.stdout.readline()).decode()) and line.strip() != "ready":
                output.append(line)
        assert line.strip() == "ready", f"relay process did not start: {''.join(output)}"
        return started[-1]

    try:
        yield start
    finally:
        for relay in started:
            if relay.process.returncode is None:
                relay.process.kill()
                await relay.process.wait()


async def test_an_event_committed_while_the_relay_is_frozen_then_killed_is_published_by_the_next_one(
    state: asyncpg.Pool, tap: AbstractQueue, relay_processes: Callable[[], Awaitable[RelayProcess]]
) -> None:
    frozen = await relay_processes()
    os.kill(frozen.pid, signal.SIGSTOP)

    async def stopped() -> bool:
        return frozen.state() == "T"

    await eventually(stopped, description="relay process stopped")
    event = await change(state, "committed while the relay is frozen")
    os.kill(frozen.pid, signal.SIGKILL)
    assert await asyncio.wait_for(frozen.process.wait(), 10) == -signal.SIGKILL

    assert await drain(tap) == []
    row = await outbox_row(state, event.id)
    assert row["published_at"] is None
    assert row["attempts"] == 0

    await relay_processes()
    assert message_ids(await collect(tap, 1)) == [event.id]
    await eventually(lambda: all_published(state, 1), description="event marked published")
    assert await drain(tap) == []


async def test_a_returned_mandatory_publish_stays_pending_with_the_error(
    state: asyncpg.Pool, make_relay: MakeRelay, broker: Broker
) -> None:
    # A plain topic exchange: no alternate exchange and no queue bound, so the broker returns what it gets.
    plain = f"{broker.names.namespace}.plain"
    await broker.channel.declare_exchange(plain, ExchangeType.TOPIC, durable=True)
    try:
        relay = await make_relay(exchange_name=plain, poll_interval=0.2)
        event = await change(state, "nobody listens")

        async def failed_once() -> asyncpg.Record | None:
            row = await outbox_row(state, event.id)
            return row if row["attempts"] > 0 else None

        row = await eventually(failed_once, description="a failed publish attempt recorded")
        assert row["published_at"] is None
        assert row["last_error"] is not None
        assert "NO_ROUTE" in row["last_error"]
        assert await pending(state) == 1
        assert relay.running
    finally:
        await broker.channel.exchange_delete(plain)


async def test_an_event_no_service_is_bound_to_yet_is_kept_in_the_unrouted_queue(
    state: asyncpg.Pool, make_relay: MakeRelay, broker: Broker
) -> None:
    await make_relay()
    event = await change(state, "nobody bound yet")
    unrouted = await broker.channel.get_queue(broker.names.unrouted_queue, ensure=True)
    messages = await collect(unrouted, 1)
    assert message_ids(messages) == [event.id]
    assert messages[0].routing_key == ThingHappened.kind.routing_key
    await eventually(lambda: all_published(state, 1), description="event marked published")


async def test_messages_carry_the_cloudevents_amqp_binding(
    state: asyncpg.Pool, make_relay: MakeRelay, tap: AbstractQueue, broker: Broker
) -> None:
    await make_relay()
    event = await change(state, "described", correlation_id="request-17")
    [message] = await collect(tap, 1)

    assert message.delivery_mode == DeliveryMode.PERSISTENT
    assert message.content_type == "application/cloudevents+json"
    assert message.message_id == str(event.id)
    assert message.type == "id.go.mitra.test.thing.happened.v1"
    assert message.app_id == "/mitra/test"
    assert message.correlation_id == "request-17"
    assert message.routing_key == "test.thing.happened"
    assert message.exchange == broker.names.events_exchange
    headers = message.headers
    assert headers["cloudEvents_id"] == str(event.id)
    assert headers["cloudEvents_type"] == event.type
    assert headers["cloudEvents_source"] == "/mitra/test"
    assert headers["cloudEvents_specversion"] == "1.0"
    assert headers["cloudEvents_subject"] == event.subject
    assert headers["cloudEvents_time"] == ev.amqp_headers(event)["cloudEvents_time"]
    assert headers["cloudEvents_correlationid"] == "request-17"

    decoded = ev.decode(message.body)
    assert decoded.id == event.id
    assert decoded.time == event.time
    assert ev.read_data(decoded, ThingHappened) == event.data
