"""A service's consumer as it runs: FastStream's subscriber hands each message to `EventConsumer.handle` on the
event loop (no thread per message), which applies it once per event id and acknowledges it after the commit."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aio_pika
import anyio.to_thread
import asyncpg
import pytest
from support.broker import AMQP_URL, DEFAULT_RETRY_DELAYS_MS, delete_namespace
from support.polling import eventually

from mitra_shared import events as ev
from mitra_shared.db import MigrationSource
from mitra_shared.events import EventData, EventKind, ReceivedEvent
from mitra_shared.inbox import handler
from mitra_shared.service import ServiceRuntime, ServiceSpec
from mitra_shared.settings import ServiceSettings
from mitra_shared.uow import Transaction

pytestmark = pytest.mark.integration

ROUTING_KEY = "test.gadget.made"


class GadgetMade(EventData):
    kind = EventKind("test", "gadget", "made", 1)

    gadget_id: uuid.UUID
    name: str


async def remember(tx: Transaction, event: ReceivedEvent, data: GadgetMade) -> None:
    await tx.conn.execute("INSERT INTO gadgets (id, name) VALUES ($1, $2)", data.gadget_id, data.name)


@pytest.fixture
async def runtime(
    database: str, namespace: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[ServiceRuntime]:
    package = f"gadget_service_{uuid.uuid4().hex[:10]}"
    folder = tmp_path / package / "sql" / "migrations"
    folder.mkdir(parents=True)
    (tmp_path / package / "__init__.py").write_text("")
    (folder / "001_gadgets.sql").write_text("CREATE TABLE gadgets (id uuid PRIMARY KEY, name text NOT NULL);")
    monkeypatch.syspath_prepend(str(tmp_path))
    spec = ServiceSpec(
        name="gadgets",
        title="Gadgets",
        description="A consuming service of the test's own.",
        version="0.0.1",
        settings=ServiceSettings(environment="test", database_url=database, amqp_namespace=namespace),
        migrations=MigrationSource("gadgets", package),
        consumes={GadgetMade.kind: handler(GadgetMade, remember)},
    )
    running = ServiceRuntime(spec)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()
        await delete_namespace(namespace, ["gadgets"], DEFAULT_RETRY_DELAYS_MS)


async def publish(namespace: str, events: list[ev.CloudEvent[Any]]) -> None:
    connection = await aio_pika.connect(AMQP_URL)
    try:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(f"{namespace}.events", ensure=False)
        for event in events:
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


async def test_the_subscriber_applies_each_event_once_without_a_thread_per_message(
    runtime: ServiceRuntime, namespace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    hops: list[Any] = []
    real_run_sync = anyio.to_thread.run_sync

    async def counted_run_sync(func: Any, *args: Any, **kwargs: Any) -> Any:
        hops.append(func)
        return await real_run_sync(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted_run_sync)
    made = [GadgetMade(gadget_id=uuid.uuid4(), name=f"gadget {index}") for index in range(20)]
    events = [ev.new_event(data, subject=str(data.gadget_id)) for data in made]
    await publish(namespace, [*events, events[3], events[7]])  # two redeliveries of events already sent
    assert runtime.resources is not None
    pool: asyncpg.Pool = runtime.resources.pool

    async def all_applied() -> bool:
        return bool(await pool.fetchval("SELECT count(*) FROM inbox") == len(events))

    await eventually(all_applied, description="every event applied")
    rows = await pool.fetch("SELECT id, name FROM gadgets")
    assert {(row["id"], row["name"]) for row in rows} == {(data.gadget_id, data.name) for data in made}
    # Acknowledged after their commits: the queue is empty, nothing was retried or dead-lettered.
    connection = await aio_pika.connect(AMQP_URL)
    try:
        channel = await connection.channel()
        names = runtime.consumer_topology
        for queue_name in (names.queue, names.dead_letter_queue):
            queue = await channel.declare_queue(queue_name, passive=True)
            assert queue.declaration_result.message_count == 0, queue_name
    finally:
        await connection.close()
    assert hops == []
