"""The transactional outbox: record events with the change that caused them; a relay publishes them afterwards.

`record` runs inside the caller's transaction, so an event exists exactly when its change committed. The relay
claims pending rows with `FOR UPDATE SKIP LOCKED` (several replicas share the work), publishes them persistent,
mandatory and with publisher confirms, and marks them published in the same transaction as the claim. If the
process dies after publishing and before that commit, the rows are published again by whoever claims them next:
delivery is at least once, and consumers deduplicate on the event id.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable
from typing import Any

import aio_pika
import asyncpg
import structlog
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractRobustConnection, DeliveryMode

from mitra_shared import events as ev
from mitra_shared import metrics
from mitra_shared.db import Queries

log = structlog.get_logger(__name__)
QUERIES = Queries.from_package("mitra_shared", "sql/queries.sql")
WAKE_CHANNEL = "mitra_outbox"
MAX_BACKOFF_SECONDS = 300.0


async def record(conn: asyncpg.Connection, event: ev.CloudEvent[Any]) -> None:
    """Add an event to the outbox within the caller's open transaction."""
    if not conn.is_in_transaction():
        raise RuntimeError("outbox.record must run inside the transaction of the change it describes")
    routing_key = event.type.removeprefix(f"{ev.TYPE_PREFIX}.").rsplit(".v", 1)[0]
    await conn.execute(
        QUERIES.outbox_insert, event.id, event.type, routing_key, ev.amqp_headers(event), ev.encode(event)
    )
    await conn.execute(QUERIES.outbox_wake, WAKE_CHANNEL)


def backoff_seconds(attempts: int, *, base: float = 0.5, cap: float = MAX_BACKOFF_SECONDS) -> float:
    """Exponential backoff with full jitter, so replicas retrying the same failure do not move in step."""
    return random.uniform(0, min(cap, base * 2 ** min(attempts, 20)))


class OutboxRelay:
    """Publishes the outbox of one database to the events exchange until stopped."""

    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        listen_dsn: str,
        amqp: AbstractRobustConnection,
        exchange_name: str,
        batch_size: int = 200,
        poll_interval: float = 1.0,
        retention_days: int = 7,
        confirm_timeout: float = 10.0,
        on_published: Callable[[int], None] | None = None,
    ) -> None:
        self._pool = pool
        self._listen_dsn = listen_dsn
        self._amqp = amqp
        self._exchange_name = exchange_name
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._retention_days = retention_days
        self._confirm_timeout = confirm_timeout
        self._on_published = on_published
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._listener: asyncpg.Connection | None = None
        self._channel: AbstractChannel | None = None
        self._exchange: AbstractExchange | None = None
        self.last_error: str | None = None

    async def start(self) -> None:
        self._channel = await self._amqp.channel(publisher_confirms=True, on_return_raises=True)
        self._exchange = await self._channel.get_exchange(self._exchange_name, ensure=True)
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        """Finish the batch in hand, then stop."""
        self._stopping.set()
        self._wake.set()
        if self._task is not None:
            await self._task
        if self._channel is not None and not self._channel.is_closed:
            await self._channel.close()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _run(self) -> None:
        housekeeping_due = 0.0
        loop = asyncio.get_running_loop()
        while not self._stopping.is_set():
            # Forget earlier wake-ups before looking for work, not when going to sleep: a NOTIFY that arrives
            # while this pass runs may be for a row committed too late for its queries, and must end the sleep.
            self._wake.clear()
            try:
                await self._ensure_listener()
                published = await self.publish_pending()
                if loop.time() >= housekeeping_due:
                    await self._delete_old()
                    housekeeping_due = loop.time() + 3600
                self.last_error = None
                if published >= self._batch_size:
                    continue
                await self._sleep(await self._next_wait())
            except asyncio.CancelledError:
                raise
            except Exception as error:  # a broken database or broker must not end the relay: log and retry
                self.last_error = f"{type(error).__name__}: {error}"
                log.error("outbox relay failed; retrying", error=self.last_error)
                await self._drop_listener()
                await self._sleep(min(5.0, self._poll_interval * 2))

    async def _next_wait(self) -> float:
        async with self._pool.acquire() as conn:
            due = await conn.fetchval(QUERIES.outbox_seconds_until_due)
        if due is None:
            return self._poll_interval
        return max(0.0, min(self._poll_interval, float(due)))

    async def _sleep(self, seconds: float) -> None:
        if seconds <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)

    async def publish_pending(self) -> int:
        """Publish one batch of due events; return how many were published."""
        assert self._exchange is not None, "start() the relay first"
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(QUERIES.outbox_claim, self._batch_size)
            if not rows:
                return 0
            results = await asyncio.gather(*(self._publish(row) for row in rows), return_exceptions=True)
            published = []
            for row, result in zip(rows, results, strict=True):
                if isinstance(result, BaseException):
                    error = f"{type(result).__name__}: {result}"
                    delay = backoff_seconds(row["attempts"])
                    await conn.execute(QUERIES.outbox_mark_failed, row["seq"], error, delay)
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
                await conn.execute(QUERIES.outbox_mark_published, published)
        if self._on_published is not None:
            self._on_published(len(published))
        return len(published)

    async def _publish(self, row: asyncpg.Record) -> None:
        assert self._exchange is not None
        headers = dict(row["headers"])
        message = aio_pika.Message(
            body=row["body"],
            content_type=ev.CONTENT_TYPE,
            delivery_mode=DeliveryMode.PERSISTENT,
            message_id=str(row["id"]),
            type=row["event_type"],
            app_id=headers.get(f"{ev.HEADER_PREFIX}source"),
            correlation_id=headers.get(f"{ev.HEADER_PREFIX}{ev.CORRELATION_EXTENSION}"),
            headers=headers,
        )
        # mandatory + on_return_raises: an event no queue (nor the alternate exchange) took is an error, not a loss.
        await self._exchange.publish(
            message, routing_key=row["routing_key"], mandatory=True, timeout=self._confirm_timeout
        )

    async def _delete_old(self) -> None:
        async with self._pool.acquire() as conn:
            await conn.execute(QUERIES.outbox_delete_published, self._retention_days, 10_000)

    async def _ensure_listener(self) -> None:
        if self._listener is not None and not self._listener.is_closed():
            return
        self._listener = await asyncpg.connect(self._listen_dsn)
        await self._listener.add_listener(WAKE_CHANNEL, self._on_notify)

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def _drop_listener(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.close()
            self._listener = None

    async def aclose(self) -> None:
        await self.stop()
        await self._drop_listener()
