"""An outside client may declare `<ns>.events` first, as a plain durable topic exchange (as any AMQP client may):
Mitra's services still declare their topology, and an event no queue takes still lands in `<ns>.unrouted`."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from aio_pika import Message
from aio_pika.abc import AbstractChannel, AbstractRobustConnection, ExchangeType
from support.broker import collect, delete_namespace, message_ids
from support.polling import eventually

from mitra_shared import events as ev
from mitra_shared import outbox
from mitra_shared.events import EventData, EventKind
from mitra_shared.outbox import OutboxRelay
from mitra_shared.topology import ConsumerTopology, Names, declare_backbone, declare_consumer


class ParcelSent(EventData):
    kind = EventKind("test", "parcel", "sent", 1)
    parcel_id: uuid.UUID


@pytest.fixture
async def plain_exchange(namespace: str, amqp: AbstractRobustConnection) -> AsyncIterator[AbstractChannel]:
    """`<ns>.events` declared by an outside client before Mitra: durable topic, no arguments; the channel is the
    outside client's."""
    channel = await amqp.channel()
    await channel.declare_exchange(Names(namespace).events_exchange, ExchangeType.TOPIC, durable=True)
    try:
        yield channel
    finally:
        await channel.close()
        await delete_namespace(namespace, consumers=["mailroom"])


async def test_the_backbone_and_a_consumer_are_declared_over_a_plain_events_exchange(
    namespace: str, amqp: AbstractRobustConnection, plain_exchange: AbstractChannel
) -> None:
    names = Names(namespace)
    channel = await amqp.channel()
    try:
        await declare_backbone(channel, names)
        await declare_consumer(channel, ConsumerTopology(names, "mailroom", ["test.parcel.sent"], [1000]))
        # The channel is still usable and the consumer's queue is bound to the outside client's exchange.
        queue = await channel.get_queue(names.consumer_queue("mailroom"), ensure=True)
        exchange = await plain_exchange.get_exchange(names.events_exchange, ensure=True)
        body = ev.encode(ev.new_event(ParcelSent(parcel_id=uuid.uuid4()), subject="x"))
        await exchange.publish(Message(body=body), routing_key="test.parcel.sent")
        assert len(await collect(queue, 1)) == 1
    finally:
        await channel.close()


async def test_the_refused_declaration_leaves_the_callers_channel_open_and_never_reopened(
    namespace: str, amqp: AbstractRobustConnection, plain_exchange: AbstractChannel
) -> None:
    """The refusal closes a probe channel of its own: a robust channel closed by the server would be restored by
    aio-pika in the background, racing the declarations after it (a service once failed to start on that race)."""
    names = Names(namespace)
    channel = await amqp.channel()
    reopened: list[object] = []
    channel.reopen_callbacks.add(lambda *args: reopened.append(args))  # type: ignore[attr-defined]
    try:
        for _ in range(3):
            await declare_backbone(channel, names)
        await declare_consumer(channel, ConsumerTopology(names, "mailroom", ["test.parcel.sent"], [1000]))
        assert (channel.is_closed, reopened) == (False, [])
    finally:
        await channel.close()


async def test_an_event_no_queue_takes_lands_in_the_unrouted_queue_and_is_marked_published(
    namespace: str, database: str, pool: asyncpg.Pool, amqp: AbstractRobustConnection, plain_exchange: AbstractChannel
) -> None:
    names = Names(namespace)
    channel = await amqp.channel()
    await declare_backbone(channel, names)
    relay = OutboxRelay(
        pool=pool,
        listen_dsn=database,
        amqp=amqp,
        exchange_name=names.events_exchange,
        unrouted_exchange_name=names.unrouted_exchange,
        poll_interval=0.2,
    )
    event = ev.new_event(ParcelSent(parcel_id=uuid.uuid4()), subject="nobody listens")
    await relay.start()
    try:
        async with pool.acquire() as conn, conn.transaction():
            await outbox.record(conn, event)
        unrouted = await channel.get_queue(names.unrouted_queue, ensure=True)
        messages = await collect(unrouted, 1)
        assert message_ids(messages) == [event.id]
        assert messages[0].routing_key == "test.parcel.sent"

        async def published() -> bool:
            async with pool.acquire() as conn:
                return bool(await conn.fetchval("SELECT published_at IS NOT NULL FROM outbox WHERE id = $1", event.id))

        await eventually(published, description="the event marked published")
    finally:
        await relay.stop()
        await channel.close()
