"""The polling worker's cadence: a wake-up that arrives during a pass starts the next pass at once, without asking
when the next item falls due (a round trip the outbox relay paid after every pass at a moderate rate)."""

from __future__ import annotations

import asyncio

from mitra_shared.worker import PollingWorker


class ScriptedWorker(PollingWorker):
    """Handles one item per pass; the first pass is woken by a commit made while it runs."""

    name = "scripted worker"

    def __init__(self, passes_before_stop: int) -> None:
        super().__init__(listen_dsn="unused", wake_channel="unused", batch_size=10, poll_interval=30.0)
        self.passes = 0
        self.due_asked = 0
        self._passes_before_stop = passes_before_stop

    async def _ensure_listener(self) -> None:
        return None

    async def run_once(self) -> int:
        self.passes += 1
        if self.passes == 1:
            self._on_notify()
        if self.passes >= self._passes_before_stop:
            self._stopping.set()
        return 1

    async def seconds_until_due(self) -> float | None:
        self.due_asked += 1
        return None


async def test_a_wake_up_during_a_pass_runs_the_next_pass_without_asking_when_work_is_due() -> None:
    worker = ScriptedWorker(passes_before_stop=2)
    await worker.start()
    for _ in range(50):
        if not worker.running:
            break
        await asyncio.sleep(0.01)
    await worker.stop()
    # Asked once, after the last pass, which nothing woke.
    assert (worker.passes, worker.due_asked) == (2, 1)


async def test_without_a_wake_up_the_worker_asks_when_work_is_due_and_sleeps_until_woken() -> None:
    worker = ScriptedWorker(passes_before_stop=3)
    await worker.start()
    for _ in range(50):
        if worker.passes == 2 and worker.due_asked == 1:
            break
        await asyncio.sleep(0.01)
    assert (worker.passes, worker.due_asked) == (2, 1)
    worker._on_notify()
    for _ in range(50):
        if not worker.running:
            break
        await asyncio.sleep(0.01)
    await worker.stop()
    assert worker.passes == 3
