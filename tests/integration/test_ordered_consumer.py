"""An ordered consumer as it runs (reporting's kind): many messages in flight, applied one at a time in the order they
were published, those waiting in line in one transaction; an event that fails is retried through the retry queue and
so comes back after the others."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aio_pika
import asyncpg
import pytest
from support.broker import AMQP_URL, delete_namespace
from support.polling import eventually

from mitra_shared import events as ev
from mitra_shared.db import MigrationSource
from mitra_shared.events import EventData, EventKind, ReceivedEvent
from mitra_shared.inbox import handler
from mitra_shared.service import ServiceRuntime, ServiceSpec
from mitra_shared.settings import ServiceSettings
from mitra_shared.uow import Transaction

pytestmark = pytest.mark.integration

ROUTING_KEY = "test.step.taken"
CONSUMER = "steps"
RETRY_DELAYS_MS = [200, 400]
PREFETCH = 16
EVENTS = 300
FLAKY = 37  # the position of the event whose first attempt fails


class StepTaken(EventData):
    kind = EventKind("test", "step", "taken", 1)

    position: int


class Observed:
    """What the handler saw: how many ran at once, and how many messages waited for their turn meanwhile."""

    def __init__(self) -> None:
        self.running = 0
        self.most_running = 0
        self.most_waiting = 0
        self.failed: set[int] = set()
        self.attempts_failed = 0
        self.transactions: set[int] = set()


@pytest.fixture
def observed() -> Observed:
    return Observed()


@pytest.fixture
async def runtime(
    database: str, namespace: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, observed: Observed
) -> AsyncIterator[ServiceRuntime]:
    package = f"steps_service_{uuid.uuid4().hex[:10]}"
    folder = tmp_path / package / "sql" / "migrations"
    folder.mkdir(parents=True)
    (tmp_path / package / "__init__.py").write_text("")
    (folder / "001_steps.sql").write_text("CREATE TABLE steps (seq bigserial PRIMARY KEY, position int NOT NULL);")
    monkeypatch.syspath_prepend(str(tmp_path))
    running: ServiceRuntime | None = None

    async def take(tx: Transaction, event: ReceivedEvent, data: StepTaken) -> None:
        assert running is not None
        assert running.order is not None
        observed.running += 1
        observed.most_running = max(observed.most_running, observed.running)
        observed.most_waiting = max(observed.most_waiting, running.order.waiting)
        try:
            await tx.conn.execute("INSERT INTO steps (position) VALUES ($1)", data.position)
            observed.transactions.add(await tx.conn.fetchval("SELECT txid_current()"))
            if data.position == FLAKY and observed.attempts_failed < 2:
                # Twice: a failure inside a batch only sends the event on to be tried alone.
                observed.failed.add(FLAKY)
                observed.attempts_failed += 1
                raise RuntimeError("the first attempts fail")
        finally:
            observed.running -= 1

    spec = ServiceSpec(
        name=CONSUMER,
        title="Steps",
        description="An ordered consumer of the test's own.",
        version="0.0.1",
        settings=ServiceSettings(
            environment="test",
            database_url=database,
            amqp_namespace=namespace,
            consumer_prefetch=PREFETCH,
            retry_delays_seconds=[delay / 1000 for delay in RETRY_DELAYS_MS],
        ),
        migrations=MigrationSource(CONSUMER, package),
        consumes={StepTaken.kind: handler(StepTaken, take)},
        ordered_consumption=True,
    )
    running = ServiceRuntime(spec)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()
        await delete_namespace(namespace, [CONSUMER], RETRY_DELAYS_MS)


async def publish_in_order(namespace: str, events: list[ev.CloudEvent[Any]]) -> None:
    connection = await aio_pika.connect(AMQP_URL)
    try:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(f"{namespace}.events", ensure=False)
        for event in events:  # one after another, each confirmed: the queue holds them in this order
            message = aio_pika.Message(
                body=ev.encode(event),
                content_type=ev.CONTENT_TYPE,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                message_id=str(event.id),
                type=event.type,
                headers={**ev.amqp_headers(event)},
            )
            await exchange.publish(message, routing_key=ROUTING_KEY, mandatory=True)
    finally:
        await connection.close()


async def test_events_are_applied_one_at_a_time_in_publish_order_with_many_in_flight(
    runtime: ServiceRuntime, namespace: str, observed: Observed
) -> None:
    events = [ev.new_event(StepTaken(position=position), subject=str(position)) for position in range(EVENTS)]
    await publish_in_order(namespace, events)
    assert runtime.resources is not None
    assert runtime.order is not None
    pool: asyncpg.Pool = runtime.resources.pool

    async def all_applied() -> bool:
        return bool(await pool.fetchval("SELECT count(*) FROM inbox") == EVENTS)

    await eventually(all_applied, timeout=60, description="every event applied")
    applied = [row["position"] for row in await pool.fetch("SELECT position FROM steps ORDER BY seq")]
    # The failed attempt rolled back; the retry came back through the retry queue, at its end: after the events
    # queued by then (how many depends on how far publishing had got), the others keeping their order.
    assert observed.failed == {FLAKY}
    assert [position for position in applied if position != FLAKY] == [p for p in range(EVENTS) if p != FLAKY]
    assert applied.count(FLAKY) == 1
    assert applied.index(FLAKY) > FLAKY
    assert observed.most_running == 1
    assert observed.most_waiting > 1, "the broker kept several messages in flight"
    assert len(observed.transactions) < EVENTS, "the messages waiting in line were applied in one transaction"
    assert runtime.order.gaps_skipped == 0


async def test_stopping_finishes_the_messages_in_hand_and_leaves_the_rest_in_the_queue(
    runtime: ServiceRuntime, namespace: str
) -> None:
    events = [ev.new_event(StepTaken(position=position), subject=str(position)) for position in range(EVENTS)]
    await publish_in_order(namespace, [event for event in events if event.data.position != FLAKY])
    assert runtime.resources is not None
    pool: asyncpg.Pool = runtime.resources.pool

    async def some_applied() -> bool:
        return bool(await pool.fetchval("SELECT count(*) FROM inbox") >= PREFETCH)

    await eventually(some_applied, timeout=60, description="some events applied")
    await runtime.broker.stop()  # what SIGTERM does first: no more messages taken, those in hand finished
    applied = [row["position"] for row in await pool.fetch("SELECT position FROM steps ORDER BY seq")]
    connection = await aio_pika.connect(AMQP_URL)
    try:
        channel = await connection.channel()
        queue = await channel.declare_queue(runtime.consumer_topology.queue, passive=True)
        assert queue.declaration_result.message_count == EVENTS - 1 - len(applied)
        left = [ev.decode(message.body).data["position"] for message in await drain_all(queue)]
    finally:
        await connection.close()
    # Nothing lost, nothing applied twice, and what was applied is a prefix of what was published. The messages
    # delivered but not handled once stopping began went back to the queue; the broker decides their order there.
    published = [position for position in range(EVENTS) if position != FLAKY]
    assert applied == published[: len(applied)]
    assert sorted(left) == published[len(applied) :]


async def drain_all(queue: aio_pika.abc.AbstractQueue) -> list[aio_pika.abc.AbstractIncomingMessage]:
    taken = []
    while (message := await queue.get(fail=False, no_ack=True)) is not None:
        taken.append(message)
    return taken
