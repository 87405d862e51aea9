"""The machine's own limit, measured in the same run: the bare parts doing the same work as the system.

- asyncpg: transactions that insert one row plus one outbox row (`mitra_shared.outbox.record`, as every use case
  does), at saturation and at the offered rate;
- the outbox relay (`mitra_shared.outbox.OutboxRelay`) doing nothing else, over the outbox the transactions filled;
- aio-pika: publish with confirms (persistent, mandatory, like the relay) and consume (manual ack, prefetch as the
  services) of the same payloads through a topic exchange into a quorum queue, at saturation and at the offered
  rate.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aio_pika
import asyncpg
from aio_pika.abc import AbstractIncomingMessage, DeliveryMode

from bench.queries import QUERIES
from bench.stats import LatencySummary, rate, summarize_seconds
from mitra_shared import db, outbox
from mitra_shared import events as ev
from mitra_shared.contracts.registry import OrganizationRegistered
from mitra_shared.outbox import QUERIES as OUTBOX_QUERIES
from mitra_shared.topology import Names, declare_backbone

BENCH_MIGRATIONS = db.MigrationSource("bench", "bench", "migrations")


@dataclass(frozen=True)
class Throughput:
    count: int
    seconds: float
    latency: LatencySummary | None

    @property
    def per_second(self) -> float:
        return rate(self.count, self.seconds)

    def as_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "seconds": self.seconds,
            "per_second": self.per_second,
            "latency_ms": self.latency.as_dict() if self.latency else None,
        }


def registration_events(count: int) -> list[ev.CloudEvent[Any]]:
    """The same payloads a registration publishes."""
    now = datetime.now(UTC)
    return [
        ev.new_event(
            OrganizationRegistered(
                organization_id=uuid.uuid4(),
                legal_name=f"Baseline NGO {index:08d}",
                acronym="BN",
                country_of_origin="GB",
                focus_areas=["poverty", "disaster"],
                status="applicant",
                registered_at=now,
            ),
            subject=str(index),
            correlation_id=uuid.uuid4().hex,
        )
        for index in range(count)
    ]


async def prepare_database(dsn: str) -> None:
    await db.ensure_database(dsn)
    conn = await asyncpg.connect(dsn)
    try:
        await db.apply_migrations(conn, [db.SHARED_MIGRATIONS, BENCH_MIGRATIONS])
    finally:
        await conn.close()


async def _transaction(pool: asyncpg.Pool, event: ev.CloudEvent[Any]) -> None:
    data = event.data
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            QUERIES.baseline_insert_row, data.organization_id, data.legal_name, data.country_of_origin, data.focus_areas
        )
        await outbox.record(conn, event)


async def transactions_at_saturation(
    pool: asyncpg.Pool, events: Sequence[ev.CloudEvent[Any]], *, concurrency: int
) -> Throughput:
    pending = iter(events)
    latencies: list[float] = []

    async def worker() -> None:
        for event in pending:
            started = time.monotonic()
            await _transaction(pool, event)
            latencies.append(time.monotonic() - started)

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Throughput(len(events), time.monotonic() - started, summarize_seconds(latencies))


async def transactions_at_rate(
    pool: asyncpg.Pool, events: Sequence[ev.CloudEvent[Any]], *, per_second: float
) -> Throughput:
    """Open loop, latency from each transaction's scheduled start."""
    latencies: list[float] = []
    tasks = []

    async def one(event: ev.CloudEvent[Any], scheduled: float) -> None:
        await _transaction(pool, event)
        latencies.append(time.monotonic() - scheduled)

    started = time.monotonic()
    for index, event in enumerate(events):
        scheduled = started + index / per_second
        if (delay := scheduled - time.monotonic()) > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(event, scheduled)))
    await asyncio.gather(*tasks)
    return Throughput(len(events), time.monotonic() - started, summarize_seconds(latencies))


async def relay_only(
    pool: asyncpg.Pool, dsn: str, amqp: aio_pika.abc.AbstractRobustConnection, exchange: str, *, batch_size: int
) -> Throughput:
    """Publish the whole pending outbox with the relay, one batch after another, nothing else running (its
    polling loop is not started: batches follow each other at once)."""
    relay = outbox.OutboxRelay(pool=pool, listen_dsn=dsn, amqp=amqp, exchange_name=exchange, batch_size=batch_size)
    async with pool.acquire() as conn:
        pending = await conn.fetchval(OUTBOX_QUERIES.outbox_pending_count)
    started = time.monotonic()
    published = 0
    while published < pending:
        done = await relay.publish_pending()
        if done == 0:
            break
        published += done
    seconds = time.monotonic() - started
    await relay.stop()
    return Throughput(published, seconds, None)


class BrokerBaseline:
    """Publish-with-confirms and consume of the same payloads, on a topology of its own."""

    def __init__(self, amqp: aio_pika.abc.AbstractRobustConnection, namespace: str, prefetch: int = 32) -> None:
        self._amqp = amqp
        self._names = Names(namespace)
        self._prefetch = prefetch
        self.queue_name = f"{namespace}.baseline"

    async def declare(self) -> None:
        channel = await self._amqp.channel()
        await declare_backbone(channel, self._names)
        events = await channel.get_exchange(self._names.events_exchange)
        queue = await channel.declare_queue(self.queue_name, durable=True, arguments={"x-queue-type": "quorum"})
        await queue.bind(events, routing_key="#")
        await channel.close()

    @property
    def exchange(self) -> str:
        return self._names.events_exchange

    async def delete(self) -> None:
        channel = await self._amqp.channel()
        await channel.queue_delete(self.queue_name)
        await channel.queue_delete(self._names.unrouted_queue)
        for exchange in (self._names.events_exchange, self._names.unrouted_exchange, self._names.dead_letter_exchange):
            await channel.exchange_delete(exchange)
        await channel.close()

    async def purge(self) -> None:
        channel = await self._amqp.channel()
        queue = await channel.get_queue(self.queue_name)
        await queue.purge()
        await channel.close()

    @staticmethod
    def _message(event: ev.CloudEvent[Any]) -> aio_pika.Message:
        return aio_pika.Message(
            body=ev.encode(event),
            content_type=ev.CONTENT_TYPE,
            delivery_mode=DeliveryMode.PERSISTENT,
            message_id=str(event.id),
            type=event.type,
            headers=ev.amqp_headers(event),  # type: ignore[arg-type]
        )

    async def _consume_until(self, count: int, arrivals: dict[str, float]) -> tuple[asyncio.Event, Any]:
        channel = await self._amqp.channel()
        await channel.set_qos(prefetch_count=self._prefetch)
        queue = await channel.get_queue(self.queue_name)
        done = asyncio.Event()

        async def on_message(message: AbstractIncomingMessage) -> None:
            arrivals.setdefault(message.message_id or "", time.monotonic())
            await message.ack()
            if len(arrivals) >= count:
                done.set()

        await queue.consume(on_message)
        return done, channel

    async def at_saturation(self, events: Sequence[ev.CloudEvent[Any]], *, batch_size: int = 200) -> Throughput:
        """Publish in concurrent batches like the relay does; time until the consumer has acknowledged them all."""
        messages = [self._message(event) for event in events]
        arrivals: dict[str, float] = {}
        done, consumer_channel = await self._consume_until(len(messages), arrivals)
        channel = await self._amqp.channel(publisher_confirms=True, on_return_raises=True)
        exchange = await channel.get_exchange(self.exchange)
        routing_key = OrganizationRegistered.kind.routing_key
        started = time.monotonic()
        for offset in range(0, len(messages), batch_size):
            batch = messages[offset : offset + batch_size]
            await asyncio.gather(*(exchange.publish(m, routing_key=routing_key, mandatory=True) for m in batch))
        await asyncio.wait_for(done.wait(), 120)
        seconds = time.monotonic() - started
        await channel.close()
        await consumer_channel.close()
        return Throughput(len(messages), seconds, None)

    async def at_rate(self, events: Sequence[ev.CloudEvent[Any]], *, per_second: float) -> Throughput:
        """Open loop; latency from each message's scheduled publish to its delivery to the consumer."""
        messages = [self._message(event) for event in events]
        arrivals: dict[str, float] = {}
        scheduled_at: dict[str, float] = {}
        done, consumer_channel = await self._consume_until(len(messages), arrivals)
        channel = await self._amqp.channel(publisher_confirms=True, on_return_raises=True)
        exchange = await channel.get_exchange(self.exchange)
        routing_key = OrganizationRegistered.kind.routing_key
        tasks = []
        started = time.monotonic()
        for index, message in enumerate(messages):
            scheduled = started + index / per_second
            if (delay := scheduled - time.monotonic()) > 0:
                await asyncio.sleep(delay)
            scheduled_at[message.message_id or ""] = scheduled
            tasks.append(asyncio.create_task(exchange.publish(message, routing_key=routing_key, mandatory=True)))
        await asyncio.gather(*tasks)
        await asyncio.wait_for(done.wait(), 60)
        seconds = time.monotonic() - started
        await channel.close()
        await consumer_channel.close()
        latencies = [arrivals[key] - scheduled_at[key] for key in scheduled_at if key in arrivals]
        return Throughput(len(messages), seconds, summarize_seconds(latencies))
