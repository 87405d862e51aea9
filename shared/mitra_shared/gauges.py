"""The gauges a service reads rather than counts: its outbox backlog (how many events, how old the oldest), its
dead letters and the unrouted events, refreshed every `MITRA_METRICS_REFRESH_SECONDS` by a loop the service runtime
starts (`mitra_shared.service`). One query on the outbox's partial index and two passive queue declarations a pass.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Self

import aio_pika
import asyncpg
import structlog
from aio_pika.abc import AbstractChannel

from mitra_shared import metrics, topology
from mitra_shared.outbox import QUERIES as OUTBOX_QUERIES

if TYPE_CHECKING:
    from mitra_shared.service import Resources, ServiceRuntime

log = structlog.get_logger(__name__)


class GaugeRefresher:
    """A background loop (a service `Worker`): a pass now, then one every interval; a failed pass is logged and leaves
    the gauges at their last values."""

    @classmethod
    def of(cls, resources: Resources, runtime: ServiceRuntime) -> Self:
        """The refresher of a started service (its dead letters too if it consumes events)."""
        queues, consumes = runtime.consumer_topology, bool(runtime.spec.consumes)
        return cls(
            pool=resources.pool,
            amqp=resources.amqp,
            unrouted_queue=queues.names.unrouted_queue,
            consumer=queues.consumer if consumes else None,
            dead_letter_queue=queues.dead_letter_queue if consumes else None,
            interval=resources.settings.metrics_refresh_seconds,
        )

    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        amqp: aio_pika.abc.AbstractRobustConnection,
        unrouted_queue: str,
        consumer: str | None,
        dead_letter_queue: str | None,
        interval: float,
    ) -> None:
        self._pool = pool
        self._amqp = amqp
        self._unrouted_queue = unrouted_queue
        self._consumer = consumer
        self._dead_letter_queue = dead_letter_queue
        self._interval = interval
        self._channel: AbstractChannel | None = None
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def refresh(self) -> None:
        """Read the outbox and the queues once and set the gauges."""
        async with self._pool.acquire(timeout=5) as conn:
            backlog = await conn.fetchrow(OUTBOX_QUERIES.outbox_backlog, timeout=5)
        assert backlog is not None
        metrics.OUTBOX_PENDING.set(backlog["pending"])
        metrics.OUTBOX_OLDEST_PENDING.set(backlog["oldest_seconds"])
        if self._channel is None or self._channel.is_closed:
            self._channel = await self._amqp.channel()
        metrics.UNROUTED_EVENTS.set(await topology.queue_depth(self._channel, self._unrouted_queue))
        if self._consumer is not None and self._dead_letter_queue is not None:
            depth = await topology.queue_depth(self._channel, self._dead_letter_queue)
            metrics.DEAD_LETTERS.labels(self._consumer).set(depth)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="metrics gauges")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            await self._task
        if self._channel is not None and not self._channel.is_closed:
            with contextlib.suppress(Exception):
                await self._channel.close()

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.refresh()
            except Exception as error:  # a database or broker away: the gauges keep their last values until back
                log.warning("metrics gauges not refreshed", error=f"{type(error).__name__}: {error}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self._interval)
