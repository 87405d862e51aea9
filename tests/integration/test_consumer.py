"""The consuming side against the real PostgreSQL and RabbitMQ: inbox, retries through the retry queues,
dead-lettering with the reason.

The tests consume the consumer's queue themselves and hand each message to `EventConsumer.handle`, which is
exactly what the FastStream subscriber does in a running service.
"""

from __future__ import annotations

import asyncio
import collections
import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import aio_pika
import asyncpg
import pytest
from aio_pika.abc import (
    AbstractChannel,
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractQueue,
    AbstractRobustConnection,
    ConsumerTag,
    DeliveryMode,
)
from support.broker import collect, delete_namespace, drain
from support.clock import FakeClock
from support.polling import eventually

from mitra_shared import events as ev
from mitra_shared import inbox
from mitra_shared.errors import RuleBroken
from mitra_shared.events import EventData, EventKind
from mitra_shared.inbox import EventConsumer
from mitra_shared.topology import ConsumerTopology, Names, declare_consumer
from mitra_shared.uow import Transaction

pytestmark = pytest.mark.integration

CONSUMER = "tester"
DELAYS_MS = [200, 400]
ROUTING_KEY = "test.thing.happened"


class ThingHappened(EventData):
    """The test contract. Its fields tell the handler how to misbehave."""

    kind = EventKind("test", "thing", "happened", 1)

    name: str
    fail_times: int = 0  # raise an ordinary error on this many calls before succeeding
    outage_times: int = 0  # raise an infrastructure error on this many calls before succeeding
    refuse: bool = False  # a rule refuses it (after the effect was written)
    follow_up: bool = False  # the handler publishes an event of its own


class ThingHappenedV2(EventData):
    """A newer major version that the test consumer has no handler for (same routing key, new type)."""

    kind = EventKind("test", "thing", "happened", 2)

    name: str


class ThingReader(EventData):
    """The consumer's own slim model of the contract."""

    kind = ThingHappened.kind

    name: str
    fail_times: int = 0
    outage_times: int = 0
    refuse: bool = False
    follow_up: bool = False


class ThingNoticed(EventData):
    """What the test consumer publishes when it has applied a ThingHappened that asked for a follow-up."""

    kind = EventKind("tester", "thing", "noticed", 1)

    name: str


@dataclass
class Delivery:
    message_id: str | None
    retries: Any
    redelivered: bool
    came_through: list[str]
    received_at: float


@dataclass
class Harness:
    pool: asyncpg.Pool
    amqp: AbstractRobustConnection
    topology: ConsumerTopology
    consumer: EventConsumer
    channel: AbstractChannel
    events: AbstractExchange
    calls: collections.Counter[uuid.UUID] = field(default_factory=collections.Counter)
    deliveries: list[Delivery] = field(default_factory=list)
    handled: collections.Counter[str | None] = field(default_factory=collections.Counter)
    transactions: list[Transaction] = field(default_factory=list)
    consume_channel: AbstractChannel | None = None
    consumer_tag: ConsumerTag | None = None

    # --- driving the consumer -----------------------------------------------------------------------------

    async def start(self) -> None:
        """Consume the consumer's queue, one message at a time, handing each to `EventConsumer.handle`."""
        self.consume_channel = await self.amqp.channel()
        await self.consume_channel.set_qos(prefetch_count=1)
        queue = await self.consume_channel.get_queue(self.topology.queue, ensure=False)
        self.consumer_tag = await queue.consume(self._on_message)

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        headers = message.headers or {}
        deaths = headers.get("x-death") or []
        self.deliveries.append(
            Delivery(
                message_id=message.message_id,
                retries=headers.get(inbox.RETRY_HEADER),
                redelivered=bool(message.redelivered),
                came_through=[str(death["queue"]) for death in deaths if isinstance(death, dict)],  # type: ignore[index]
                received_at=time.monotonic(),
            )
        )
        await self.consumer.handle(message)
        self.handled[message.message_id] += 1

    async def stop(self) -> None:
        if self.consume_channel is not None and not self.consume_channel.is_closed:
            await self.consume_channel.close()

    # --- producing ----------------------------------------------------------------------------------------

    async def publish_event(self, event: ev.CloudEvent[Any]) -> None:
        """Publish like a producer's relay does: structured CloudEvents body, attributes in headers."""
        await self.publish(
            ev.encode(event), message_id=str(event.id), event_type=event.type, headers=ev.amqp_headers(event)
        )

    async def publish(
        self,
        body: bytes,
        *,
        message_id: str | None = None,
        event_type: str | None = None,
        headers: dict[str, Any] | None = None,
    ) -> str:
        message_id = message_id or str(uuid.uuid4())
        message = aio_pika.Message(
            body=body,
            content_type=ev.CONTENT_TYPE,
            delivery_mode=DeliveryMode.PERSISTENT,
            message_id=message_id,
            type=event_type,
            headers=headers or {},
        )
        await self.events.publish(message, routing_key=ROUTING_KEY, mandatory=True)
        return message_id

    # --- observing ----------------------------------------------------------------------------------------

    async def dead_letter_queue(self) -> AbstractQueue:
        return await self.channel.get_queue(self.topology.dead_letter_queue, ensure=False)

    async def applied(self, event_id: uuid.UUID) -> bool:
        async with self.pool.acquire() as conn:
            return bool(await conn.fetchval("SELECT count(*) FROM inbox WHERE event_id = $1", event_id))

    async def effects(self, event_id: uuid.UUID) -> int:
        async with self.pool.acquire() as conn:
            return int(await conn.fetchval("SELECT count(*) FROM things WHERE event_id = $1", event_id))

    async def inbox_rows(self, event_id: uuid.UUID) -> int:
        async with self.pool.acquire() as conn:
            return int(await conn.fetchval("SELECT count(*) FROM inbox WHERE event_id = $1", event_id))

    async def wait_handled(self, message_id: str, times: int) -> None:
        async def done() -> bool:
            return self.handled[message_id] >= times

        await eventually(done, description=f"message {message_id} handled {times} time(s)")
        assert self.handled[message_id] == times

    async def ready_messages(self, queue_name: str) -> int:
        queue = await self.channel.declare_queue(queue_name, passive=True)
        assert queue.declaration_result.message_count is not None
        return queue.declaration_result.message_count

    def deliveries_of(self, message_id: str) -> list[Delivery]:
        return [delivery for delivery in self.deliveries if delivery.message_id == message_id]


@pytest.fixture
async def harness(
    pool: asyncpg.Pool, amqp: AbstractRobustConnection, namespace: str, clock: FakeClock
) -> AsyncIterator[Harness]:
    async with pool.acquire() as conn:
        # No unique constraint on event_id: a second effect of one event would show as a second row.
        await conn.execute(
            "CREATE TABLE things (seq bigserial PRIMARY KEY, event_id uuid NOT NULL, name text NOT NULL)"
        )
    topology = ConsumerTopology(
        names=Names(namespace), consumer=CONSUMER, routing_keys=[ROUTING_KEY], retry_delays_ms=DELAYS_MS
    )
    channel = await amqp.channel(publisher_confirms=True, on_return_raises=True)
    await declare_consumer(channel, topology)
    events = await channel.get_exchange(topology.names.events_exchange, ensure=False)
    calls: collections.Counter[uuid.UUID] = collections.Counter()
    transactions: list[Transaction] = []

    async def apply(tx: Transaction, event: ev.CloudEvent[dict[str, Any]], data: ThingReader) -> None:
        calls[event.id] += 1
        transactions.append(tx)
        # The effect is written before the failure, so a failure that left it behind would be seen.
        await tx.conn.execute("INSERT INTO things (event_id, name) VALUES ($1, $2)", event.id, data.name)
        if data.follow_up:
            tx.publish(ThingNoticed(name=data.name), subject=event.subject)
        if data.refuse:
            raise RuleBroken("data.name", f"{data.name!r} is not a thing this consumer accepts")
        if calls[event.id] <= data.outage_times:
            raise ConnectionRefusedError(f"pretend outage on call {calls[event.id]}")
        if calls[event.id] <= data.outage_times + data.fail_times:
            raise RuntimeError(f"refusing {data.name!r} on call {calls[event.id]}")

    consumer = EventConsumer(
        pool=pool,
        amqp=amqp,
        topology=topology,
        handlers={ThingHappened.kind.type: inbox.handler(ThingReader, apply)},
        clock=clock,
    )
    test = Harness(pool=pool, amqp=amqp, topology=topology, consumer=consumer, channel=channel, events=events)
    test.calls = calls
    test.transactions = transactions
    try:
        yield test
    finally:
        await test.stop()
        await consumer.close()
        await channel.close()
        await delete_namespace(namespace, consumers=[CONSUMER], delays_ms=DELAYS_MS)


def thing(name: str, *, correlation_id: str | None = None, **behaviour: Any) -> ev.CloudEvent[EventData]:
    return ev.new_event(ThingHappened(name=name, **behaviour), subject=name, correlation_id=correlation_id)


async def test_an_event_is_applied_once_with_its_inbox_row_in_the_same_transaction(harness: Harness) -> None:
    await harness.start()
    event = thing("plain")
    await harness.publish_event(event)

    await eventually(lambda: harness.applied(event.id), description="event applied")
    await harness.wait_handled(str(event.id), 1)
    assert harness.calls[event.id] == 1
    assert await harness.effects(event.id) == 1
    async with harness.pool.acquire() as conn:
        inbox_row = await conn.fetchrow("SELECT xmin::text AS xid, event_type FROM inbox WHERE event_id = $1", event.id)
        effect_xid = await conn.fetchval("SELECT xmin::text FROM things WHERE event_id = $1", event.id)
    assert inbox_row is not None
    assert inbox_row["event_type"] == "id.go.mitra.test.thing.happened.v1"
    assert inbox_row["xid"] == effect_xid, "the inbox row and the effect were committed by different transactions"
    assert await drain(await harness.dead_letter_queue()) == []


async def test_the_same_event_delivered_twice_has_one_effect(harness: Harness) -> None:
    await harness.start()
    event = thing("twice")
    await harness.publish_event(event)
    await harness.publish_event(event)

    await harness.wait_handled(str(event.id), 2)
    assert [delivery.message_id for delivery in harness.deliveries] == [str(event.id)] * 2
    assert harness.calls[event.id] == 1
    assert await harness.effects(event.id) == 1
    assert await harness.inbox_rows(event.id) == 1
    assert await drain(await harness.dead_letter_queue()) == []


def _with_data(data: dict[str, Any]) -> bytes:
    raw = json.loads(ev.encode(thing("reshaped")))
    raw["data"] = data
    return json.dumps(raw).encode()


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        pytest.param(b"\x00 definitely not json", "malformed: body is not JSON", id="not-json"),
        pytest.param(b'{"hello": "world"}', "malformed: specversion must be '1.0'", id="json-not-an-envelope"),
        pytest.param(b'["a", "list"]', "malformed: body is not a JSON object", id="json-not-an-object"),
        pytest.param(
            _with_data({"fail_times": 1}),
            "malformed: invalid data for id.go.mitra.test.thing.happened.v1: name: Field required",
            id="data-does-not-fit",
        ),
        pytest.param(
            ev.encode(ev.new_event(ThingHappenedV2(name="future"), subject="future")),
            f"malformed: {CONSUMER} has no handler for id.go.mitra.test.thing.happened.v2",
            id="unknown-type",
        ),
    ],
)
async def test_a_malformed_message_is_dead_lettered_at_once_with_the_reason(
    harness: Harness, body: bytes, reason: str
) -> None:
    await harness.start()
    bad_id = await harness.publish(body, headers={"x-test-marker": "kept"})
    good = thing("after the bad one")
    await harness.publish_event(good)

    [dead] = await collect(await harness.dead_letter_queue(), 1)
    assert dead.message_id == bad_id
    assert dead.body == body
    assert str(dead.headers[inbox.REASON_HEADER]).startswith(reason), dead.headers[inbox.REASON_HEADER]
    assert dead.headers[inbox.RETRY_HEADER] == 0
    assert dead.headers[inbox.CONSUMER_HEADER] == CONSUMER
    assert dead.headers[inbox.ORIGINAL_ROUTING_KEY_HEADER] == ROUTING_KEY
    assert dead.headers["x-test-marker"] == "kept"
    assert dead.delivery_mode == DeliveryMode.PERSISTENT

    # The consumer went on to the next message: applied, and the bad one never reached a handler.
    await eventually(lambda: harness.applied(good.id), description="the good event applied")
    assert sum(harness.calls.values()) == 1
    assert len(harness.deliveries_of(bad_id)) == 1


async def test_an_always_failing_event_is_retried_through_each_retry_queue_then_dead_lettered(
    harness: Harness,
) -> None:
    await harness.start()
    bad = thing("always fails", fail_times=99)
    bad_id = str(bad.id)
    await harness.publish_event(bad)

    async def first_failure() -> bool:
        return harness.handled[bad_id] >= 1

    await eventually(first_failure, description="first failure handled")
    good = thing("published after the failing one")
    await harness.publish_event(good)

    [dead] = await collect(await harness.dead_letter_queue(), 1)
    await harness.wait_handled(bad_id, 1 + len(DELAYS_MS))
    assert dead.message_id == bad_id
    assert dead.headers[inbox.RETRY_HEADER] == len(DELAYS_MS)
    assert dead.headers[inbox.REASON_HEADER] == (
        f"failed after {len(DELAYS_MS)} retries: RuntimeError: refusing 'always fails' on call {1 + len(DELAYS_MS)}"
    )
    assert dead.headers[inbox.ORIGINAL_ROUTING_KEY_HEADER] == ROUTING_KEY
    assert dead.headers["cloudEvents_id"] == bad_id
    assert ev.decode(dead.body).id == bad.id

    # One first try and one call per retry delay, each delivery having waited out its retry queue.
    assert harness.calls[bad.id] == 1 + len(DELAYS_MS)
    tries = harness.deliveries_of(bad_id)
    assert [delivery.retries for delivery in tries] == [None, 1, 2]
    retry_queues = [harness.topology.retry_queue(attempt) for attempt in range(1, len(DELAYS_MS) + 1)]
    assert [delivery.came_through for delivery in tries] == [[], [retry_queues[0]], [retry_queues[1]]]
    for earlier, later, delay_ms in zip(tries[:-1], tries[1:], DELAYS_MS, strict=True):
        assert later.received_at - earlier.received_at >= delay_ms / 1000 * 0.95

    # Nothing half-written: each failed attempt's inbox row and effect were rolled back.
    assert await harness.inbox_rows(bad.id) == 0
    assert await harness.effects(bad.id) == 0
    # The good event did not wait for the failing one.
    assert await harness.applied(good.id)
    good_delivery = harness.deliveries_of(str(good.id))[0]
    assert good_delivery.received_at < tries[-1].received_at
    # Nothing of it is left anywhere.
    for queue in (harness.topology.queue, *retry_queues):
        assert await harness.ready_messages(queue) == 0, queue


async def test_an_event_that_fails_twice_then_succeeds_is_applied_once(harness: Harness) -> None:
    await harness.start()
    event = thing("flaky", fail_times=2)
    await harness.publish_event(event)

    await eventually(lambda: harness.applied(event.id), description="the flaky event applied")
    await harness.wait_handled(str(event.id), 3)
    assert harness.calls[event.id] == 3
    assert [delivery.retries for delivery in harness.deliveries_of(str(event.id))] == [None, 1, 2]
    assert await harness.effects(event.id) == 1
    assert await harness.inbox_rows(event.id) == 1
    assert await drain(await harness.dead_letter_queue()) == []


async def test_an_infrastructure_outage_does_not_use_up_the_retries(harness: Harness) -> None:
    await harness.start()
    # More outages than there are retries: dead-lettering after len(DELAYS_MS) of them would be wrong.
    event = thing("outage", outage_times=len(DELAYS_MS) + 1)
    await harness.publish_event(event)

    await eventually(lambda: harness.applied(event.id), description="the event applied once the outage is over")
    await harness.wait_handled(str(event.id), len(DELAYS_MS) + 2)
    tries = harness.deliveries_of(str(event.id))
    assert [delivery.retries for delivery in tries] == [None] + [0] * (len(DELAYS_MS) + 1)
    first_retry_queue = harness.topology.retry_queue(1)
    assert all(delivery.came_through == [first_retry_queue] for delivery in tries[1:])
    assert await harness.effects(event.id) == 1
    assert await drain(await harness.dead_letter_queue()) == []


async def test_a_message_left_undecided_by_a_dead_consumer_is_redelivered(harness: Harness) -> None:
    event = thing("orphaned")
    await harness.publish_event(event)

    # A consumer takes the message and dies without acknowledging it: its channel goes away.
    doomed = await harness.amqp.channel()
    queue = await doomed.get_queue(harness.topology.queue, ensure=False)
    taken = await eventually(lambda: queue.get(no_ack=False, fail=False), description="message taken")
    assert taken.message_id == str(event.id)
    await doomed.close()

    await harness.start()
    await eventually(lambda: harness.applied(event.id), description="the redelivered event applied")
    await harness.wait_handled(str(event.id), 1)
    [delivery] = harness.deliveries_of(str(event.id))
    assert delivery.redelivered
    assert harness.calls[event.id] == 1
    assert await harness.effects(event.id) == 1


async def test_concurrent_deliveries_of_one_event_have_one_effect(harness: Harness) -> None:
    # Two replicas holding copies of the same event at once: the inbox's primary key makes one wait for the other.
    event = thing("raced")
    await harness.publish_event(event)
    await harness.publish_event(event)
    queue = await harness.channel.get_queue(harness.topology.queue, ensure=False)
    copies = [await eventually(lambda: queue.get(no_ack=False, fail=False), description="a copy") for _ in range(2)]

    await asyncio.gather(*(harness.consumer.handle(copy) for copy in copies))
    assert harness.calls[event.id] == 1
    assert await harness.effects(event.id) == 1
    assert await harness.inbox_rows(event.id) == 1
    assert await harness.ready_messages(harness.topology.queue) == 0


async def test_an_event_a_rule_refuses_is_dead_lettered_at_once_with_the_refusal_and_nothing_written(
    harness: Harness,
) -> None:
    await harness.start()
    refused = thing("unwanted", refuse=True, follow_up=True)
    await harness.publish_event(refused)
    good = thing("published after the refused one")
    await harness.publish_event(good)

    [dead] = await collect(await harness.dead_letter_queue(), 1)
    assert dead.message_id == str(refused.id)
    assert dead.headers[inbox.REASON_HEADER] == "refused: data.name: 'unwanted' is not a thing this consumer accepts"
    assert dead.headers[inbox.RETRY_HEADER] == 0
    assert dead.headers[inbox.CONSUMER_HEADER] == CONSUMER
    assert dead.headers[inbox.ORIGINAL_ROUTING_KEY_HEADER] == ROUTING_KEY
    assert ev.decode(dead.body).id == refused.id

    # Not retried: one call, one delivery, and nothing waiting in a retry queue.
    await eventually(lambda: harness.applied(good.id), description="the next event applied")
    assert harness.calls[refused.id] == 1
    assert len(harness.deliveries_of(str(refused.id))) == 1
    for queue in (harness.topology.queue, *(harness.topology.retry_queue(n) for n in range(1, len(DELAYS_MS) + 1))):
        assert await harness.ready_messages(queue) == 0, queue
    # Nothing written: neither the effect, nor the inbox row, nor the event it published before refusing.
    assert await harness.effects(refused.id) == 0
    assert await harness.inbox_rows(refused.id) == 0
    assert await harness.pool.fetchval("SELECT count(*) FROM outbox") == 0


@pytest.mark.parametrize("correlation_id", ["corr-from-the-request", None], ids=["correlated", "uncorrelated"])
async def test_a_handler_publishes_through_its_transaction_in_the_context_of_the_event(
    harness: Harness, clock: FakeClock, correlation_id: str | None
) -> None:
    now = clock.set(clock() + timedelta(days=3))
    await harness.start()
    event = thing("noticed", follow_up=True, correlation_id=correlation_id)
    await harness.publish_event(event)

    await eventually(lambda: harness.applied(event.id), description="event applied")
    [tx] = harness.transactions
    assert isinstance(tx, Transaction)
    assert tx.context.causation_id == event.id
    assert tx.context.request_id == (correlation_id or str(event.id))
    assert tx.now == now
    assert tx.actor == f"system:{CONSUMER}.consumer"

    # The follow-up is in the outbox, committed with the effect and the inbox row, stamped with the context.
    rows = await harness.pool.fetch("SELECT xmin::text AS xid, event_type, body FROM outbox")
    [row] = rows
    assert row["event_type"] == ThingNoticed.kind.type
    published = ev.decode(row["body"])
    assert published.data == {"name": "noticed"}
    assert published.subject == event.subject
    assert published.time == now
    assert published.correlationid == (correlation_id or str(event.id))
    inbox_xid = await harness.pool.fetchval("SELECT xmin::text FROM inbox WHERE event_id = $1", event.id)
    assert row["xid"] == inbox_xid, "the follow-up event and the inbox row were committed by different transactions"
