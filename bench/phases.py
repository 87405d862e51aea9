"""Load phases against a running pipeline (Mitra's or the bare one), watched by the same observers and measured the
same way: each phase is followed by a drain until every effect of its commands was seen."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bench.analysis import Arrivals, PhaseFigures, all_seen, phase_figures
from bench.load import Driver, Mix, PhaseResult
from bench.observers import InboxCounter, SmtpSink, Subscriber, TablePoller
from bench.profiling import Profiler
from bench.queries import QUERIES
from bench.system import AMQP_URL, CpuMeter

# The consumers whose inboxes say a command went all the way ("end to end"): the mail and the projection.
END_TO_END = ("notifications", "reporting")


class Pipeline(Protocol):
    namespace: str

    def database_url(self, name: str) -> str: ...

    def pids(self) -> dict[str, int]: ...


class Observers:
    def __init__(self, pipeline: Pipeline, sink: SmtpSink, routing_keys: Sequence[str], event_types: Sequence[str]):
        self.sink = sink
        self.subscriber = Subscriber(AMQP_URL, pipeline.namespace, sorted(set(routing_keys)))
        self.reporting = TablePoller(pipeline.database_url("reporting"), QUERIES.reporting_events_after)
        self.inboxes = InboxCounter({name: pipeline.database_url(name) for name in END_TO_END}, event_types)

    async def start(self) -> None:
        await self.subscriber.start()
        await self.reporting.start()
        await self.inboxes.start()

    async def stop(self) -> None:
        await self.inboxes.stop()
        await self.reporting.stop()
        await self.subscriber.stop()

    def arrivals(self) -> Arrivals:
        return Arrivals(self.subscriber.arrivals, self.sink.arrivals, self.reporting.arrivals)


@dataclass(frozen=True)
class MeasuredPhase:
    figures: PhaseFigures
    cpu_ms_per_command: dict[str, float]
    machine_shares: dict[str, float]

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.figures.as_dict(),
            "cpu_ms_per_command": self.cpu_ms_per_command,
            "machine_cpu_shares": self.machine_shares,
        }


class Bench:
    """A running pipeline with its observers; each load phase is followed by a drain until every effect is seen."""

    def __init__(
        self,
        cpu: CpuMeter,
        driver: Driver,
        observers: Observers,
        *,
        ends_by: float,
        drain_seconds: float,
        max_in_flight: int,
        pids: Mapping[str, int],
    ) -> None:
        self._cpu = cpu
        self._driver = driver
        self._observers = observers
        self._ends_by = ends_by
        self._drain_seconds = drain_seconds
        self._max_in_flight = max_in_flight
        self._pids = dict(pids)
        self.answered = 0

    async def phase(
        self,
        name: str,
        mix: Mix,
        *,
        rate: float | None = None,
        clients: int = 0,
        seconds: float,
        then_needs: float = 0.0,
        profiler: Profiler | None = None,
        say: Any = print,
    ) -> MeasuredPhase:
        """Run one load phase, then drain; `then_needs`: seconds the rest of the run needs after this phase."""
        if profiler is not None:
            profiler.start(self._pids, seconds)
        inboxes = self._observers.inboxes
        consumed_before = {name: inboxes.latest(name) for name in END_TO_END}
        before = self._cpu.snapshot()
        if rate is not None:
            say(f"{name}: {rate:g} commands/s offered for {seconds:g}s")
            result = await self._driver.open_loop(
                mix, rate=rate, seconds=seconds, max_in_flight=self._max_in_flight, name=name
            )
        else:
            say(f"{name}: {clients} clients for {seconds:g}s")
            result = await self._driver.closed_loop(mix, clients=clients, seconds=seconds, name=name)
        self.answered += len(result.ok)
        say(f"{name}: {len(result.ok)} commands answered, {len(result.failed)} failed; waiting for every effect")
        targets = {name: count + len(result.ok) for name, count in consumed_before.items()}
        consumed_at = await self._drain(result, targets, then_needs, say)
        after = self._cpu.snapshot()
        figures = phase_figures(result, self._observers.arrivals(), notifications_consumed_at=consumed_at)
        used = CpuMeter.used(before, after)
        per_command = {key: seconds * 1000 / max(1, len(result.ok)) for key, seconds in used.items()}
        return MeasuredPhase(figures, per_command, CpuMeter.machine_shares(before, after))

    async def _drain(self, phase: PhaseResult, targets: dict[str, int], then_needs: float, say: Any) -> float | None:
        """Wait until every effect of the phase was seen, or the drain time is up; return when notifications had
        consumed every command of the phase (None: not within the drain time)."""
        deadline = min(time.monotonic() + self._drain_seconds, self._ends_by - then_needs)
        inboxes = self._observers.inboxes
        while time.monotonic() < deadline:
            consumed = all(inboxes.latest(name) >= target for name, target in targets.items())
            if consumed and all_seen(phase.ok, self._observers.arrivals()):
                break
            await asyncio.sleep(0.1)
        else:
            say(f"{phase.name}: not every effect arrived within the drain time; the table counts what is missing")
        return inboxes.reached_at("notifications", targets["notifications"])
