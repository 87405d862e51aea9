"""The transactional outbox: record events with the change that caused them; a relay publishes them afterwards.

`record` runs inside the caller's transaction, so an event exists exactly when its change committed. The relay
claims pending rows with `FOR UPDATE SKIP LOCKED` (several replicas share the work), publishes them persistent,
mandatory and with publisher confirms, and marks them published in the same transaction as the claim. If the
process dies after publishing and before that commit, the rows are published again by whoever claims them next:
delivery is at least once, and consumers deduplicate on the event id.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Mapping, Sequence
from typing import Any

import aio_pika
import asyncpg
import structlog
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractRobustConnection, DeliveryMode

from mitra_shared import events as ev
from mitra_shared import metrics
from mitra_shared.db import Queries
from mitra_shared.topology import broker_user
from mitra_shared.worker import PollingWorker

log = structlog.get_logger(__name__)
QUERIES = Queries.from_package("mitra_shared", "sql/queries.sql")
NO_ROUTE = 312  # AMQP reply code of a mandatory message returned because no queue took it
WAKE_CHANNEL = "mitra_outbox"
MAX_BACKOFF_SECONDS = 300.0
_DATA_KEY = ',"data":'


async def record(conn: asyncpg.Connection, event: ev.CloudEvent[Any]) -> None:
    """Add an event to the outbox within the caller's open transaction."""
    await record_many(conn, [event])


async def record_many(conn: asyncpg.Connection, events: Sequence[ev.CloudEvent[Any]]) -> None:
    """Add events to the outbox within the caller's open transaction, and wake the relay when it commits."""
    if not events:
        return
    if not conn.is_in_transaction():
        raise RuntimeError("the outbox is written inside the transaction of the change its events describe")
    encoded = [_encode(event) for event in events]
    await conn.execute(
        *QUERIES.outbox_insert(
            ids=[event.id for event in events],
            event_types=[event.type for event in events],
            routing_keys=[_routing_key(event.type) for event in events],
            headers=[headers for headers, _ in encoded],
            bodies=[body for _, body in encoded],
            channel=WAKE_CHANNEL,
        )
    )


def _encode(event: ev.CloudEvent[Any]) -> tuple[str, bytes]:
    """The event's headers as JSON text (`ev.amqp_headers`) and its body (`ev.encode`), from one serialization in
    pydantic's core: less than half the cost of a dict of headers, a str() per value and json.dumps besides (the
    deadline engine records 1,000 events a tick). In the compact dump every attribute but `data` is a string and
    `data` comes last; a string's quotes are escaped in JSON, so `{"` and `,"` occur outside `data` only where a
    key starts: the attributes end where `,"data":` first occurs, and each key takes the header prefix."""
    body = event.model_dump_json(exclude_none=True)
    data_starts = body.find(_DATA_KEY)
    if data_starts < 0:
        return json.dumps(ev.amqp_headers(event)), body.encode()
    attributes = body[:data_starts] + "}"
    headers = attributes.replace('{"', '{"' + ev.HEADER_PREFIX, 1).replace(',"', ',"' + ev.HEADER_PREFIX)
    return headers, body.encode()


def _routing_key(event_type: str) -> str:
    return event_type.removeprefix(f"{ev.TYPE_PREFIX}.").rsplit(".v", 1)[0]


def backoff_seconds(attempts: int, *, base: float = 0.5, cap: float = MAX_BACKOFF_SECONDS) -> float:
    """Exponential backoff with full jitter, so replicas retrying the same failure do not move in step."""
    return random.uniform(0, min(cap, base * 2 ** min(attempts, 20)))


class OutboxRelay(PollingWorker):
    """Publishes the outbox of one database to the events exchange until stopped."""

    name = "outbox relay"

    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        listen_dsn: str,
        amqp: AbstractRobustConnection,
        exchange_name: str,
        unrouted_exchange_name: str | None = None,
        batch_size: int = 200,
        poll_interval: float = 1.0,
        retention_days: int = 7,
        confirm_timeout: float = 10.0,
    ) -> None:
        super().__init__(
            listen_dsn=listen_dsn, wake_channel=WAKE_CHANNEL, batch_size=batch_size, poll_interval=poll_interval
        )
        self._pool = pool
        self._amqp = amqp
        self._exchange_name = exchange_name
        self._unrouted_exchange_name = unrouted_exchange_name
        self._retention_days = retention_days
        self._confirm_timeout = confirm_timeout
        # RabbitMQ checks the `user_id` property against the connection's user, so consumers can trust who published.
        self._user_id = broker_user(amqp)
        self._channel: AbstractChannel | None = None
        self._exchange: AbstractExchange | None = None
        self._unrouted: AbstractExchange | None = None
        self._housekeeping_due = 0.0

    async def start(self) -> None:
        await self._ensure_channel()
        await super().start()

    async def stop(self) -> None:
        await super().stop()
        if self._channel is not None and not self._channel.is_closed:
            await self._channel.close()

    async def run_once(self) -> int:
        published = await self.publish_pending()
        now = asyncio.get_running_loop().time()
        if now >= self._housekeeping_due:
            async with self._pool.acquire() as conn:
                await conn.execute(*QUERIES.outbox_delete_published(retention_days=self._retention_days, limit=10_000))
            self._housekeeping_due = now + 3600
        return published

    async def seconds_until_due(self) -> float | None:
        async with self._pool.acquire() as conn:
            due = await conn.fetchval(QUERIES.outbox_seconds_until_due)
        return None if due is None else float(due)

    async def _ensure_channel(self) -> None:
        # The broker closes a channel on some errors (a deleted exchange, say); open a new one rather than fail on.
        if self._channel is None or self._channel.is_closed:
            self._channel = await self._amqp.channel(publisher_confirms=True, on_return_raises=True)
            self._exchange = await self._channel.get_exchange(self._exchange_name, ensure=True)
            if self._unrouted_exchange_name is not None:
                self._unrouted = await self._channel.get_exchange(self._unrouted_exchange_name, ensure=True)

    async def publish_pending(self) -> int:
        """Publish one batch of due events; return how many were published."""
        await self._ensure_channel()
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(*QUERIES.outbox_claim(batch_size=self._batch_size))
            if not rows:
                return 0
            results = await asyncio.gather(*(self._publish(row) for row in rows), return_exceptions=True)
            published = []
            for row, result in zip(rows, results, strict=True):
                if isinstance(result, BaseException):
                    error = f"{type(result).__name__}: {result}"
                    delay = backoff_seconds(row["attempts"])
                    await conn.execute(*QUERIES.outbox_mark_failed(seq=row["seq"], error=error, delay_seconds=delay))
                    log.warning(
                        "event not published; will retry",
                        event_id=str(row["id"]),
                        event_type=row["event_type"],
                        attempts=row["attempts"] + 1,
                        retry_in_seconds=round(delay, 2),
                        error=error,
                    )
                    metrics.EVENTS_PUBLISHED.labels(event_type=row["event_type"], outcome="failed").inc()
                else:
                    published.append(row["seq"])
                    metrics.EVENTS_PUBLISHED.labels(event_type=row["event_type"], outcome="published").inc()
            if published:
                await conn.execute(*QUERIES.outbox_mark_published(seqs=published))
        return len(published)

    async def _publish(self, row: asyncpg.Record) -> None:
        assert self._exchange is not None
        message = message_of(row, user_id=self._user_id)
        # mandatory + on_return_raises: an event no queue (nor the alternate exchange) took is an error, not a loss.
        try:
            await self._exchange.publish(
                message, routing_key=row["routing_key"], mandatory=True, timeout=self._confirm_timeout
            )
        except aio_pika.exceptions.DeliveryError as returned:
            if self._unrouted is None or not _no_route(returned):
                raise
            # The events exchange was declared by another client without the alternate exchange
            # (topology.declare_events_exchange): keep the event where the alternate exchange would have put it.
            await self._unrouted.publish(
                message, routing_key=row["routing_key"], mandatory=True, timeout=self._confirm_timeout
            )


def _no_route(returned: aio_pika.exceptions.DeliveryError) -> bool:
    """Whether the broker returned a mandatory message because no queue was bound for its routing key (312)."""
    return getattr(returned.frame, "reply_code", None) == NO_ROUTE


def message_of(
    row: Mapping[str, Any], *, user_id: str, extra_headers: Mapping[str, str] | None = None
) -> aio_pika.Message:
    """An outbox row as the message the relay publishes: persistent, the CloudEvents AMQP binding in its
    properties and headers, and the publishing service's broker user (which RabbitMQ checks)."""
    headers = {**row["headers"], **(extra_headers or {})}
    return aio_pika.Message(
        body=row["body"],
        content_type=ev.CONTENT_TYPE,
        delivery_mode=DeliveryMode.PERSISTENT,
        message_id=str(row["id"]),
        type=row["event_type"],
        app_id=headers.get(f"{ev.HEADER_PREFIX}source"),
        correlation_id=headers.get(f"{ev.HEADER_PREFIX}{ev.CORRELATION_EXTENSION}"),
        user_id=user_id,
        headers=headers,
    )
