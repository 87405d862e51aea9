"""A background loop that works when PostgreSQL wakes it (LISTEN/NOTIFY) and at least every poll interval.

The outbox relay and notifications' delivery share it: both claim due rows with `FOR UPDATE SKIP LOCKED`, so any
number of replicas can run it side by side. Each pass that ends well sets `mitra_worker_last_pass_timestamp_seconds`
for the worker's name, so that a stalled scheduler shows (deploy/prometheus/alerts.yml).
"""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg
import structlog

from mitra_shared import metrics

log = structlog.get_logger(__name__)


class PollingWorker:
    name = "worker"

    def __init__(self, *, listen_dsn: str, wake_channel: str, batch_size: int, poll_interval: float) -> None:
        self._listen_dsn = listen_dsn
        self._wake_channel = wake_channel
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._listener: asyncpg.Connection | None = None
        self.last_error: str | None = None

    async def run_once(self) -> int:
        """Do one batch of due work; return how many items it handled."""
        raise NotImplementedError

    async def seconds_until_due(self) -> float | None:
        """When the next known item falls due (None: nothing known, wait for a wake-up or the poll interval)."""
        return None

    async def start(self) -> None:
        metrics.WORKER_POLL_INTERVAL.labels(self.name).set(self._poll_interval)
        # From the start: a worker whose passes all fail ages like one that stalled.
        metrics.WORKER_LAST_PASS.labels(self.name).set_to_current_time()
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        """Finish the batch in hand, then stop."""
        self._stopping.set()
        self._wake.set()
        if self._task is not None:
            await self._task
        await self._drop_listener()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _run(self) -> None:
        while not self._stopping.is_set():
            # Forget earlier wake-ups before looking for work, not when going to sleep: a NOTIFY that arrives
            # while this pass runs may be for a row committed too late for its queries, and must end the sleep.
            self._wake.clear()
            try:
                await self._ensure_listener()
                handled = await self.run_once()
                self.last_error = None
                metrics.WORKER_LAST_PASS.labels(self.name).set_to_current_time()
                # A full batch may have left work behind, and a wake-up during the pass means a row committed after
                # its queries: go again at once, without the round trip asking when the next item falls due.
                if handled >= self._batch_size or self._wake.is_set():
                    continue
                due = await self.seconds_until_due()
                await self._sleep(self._poll_interval if due is None else max(0.0, min(self._poll_interval, due)))
            except asyncio.CancelledError:
                raise
            except Exception as error:  # a broken database or broker must not end the loop: log and go on
                self.last_error = f"{type(error).__name__}: {error}"
                log.error(f"{self.name} failed; retrying", error=self.last_error)
                await self._drop_listener()
                await self._sleep(min(5.0, self._poll_interval * 2))

    async def _sleep(self, seconds: float) -> None:
        if seconds <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)

    async def _ensure_listener(self) -> None:
        if self._listener is not None and not self._listener.is_closed():
            return
        self._listener = await asyncpg.connect(self._listen_dsn)
        await self._listener.add_listener(self._wake_channel, self._on_notify)

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def _drop_listener(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.close()
            self._listener = None
