"""From what was measured to the figures of the table: latencies per stage, sustained rates, targets. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.load import Command, PhaseResult
from bench.stats import LatencySummary, rate, summarize_seconds


@dataclass(frozen=True)
class Arrivals:
    """When each observer first saw each command's effect (time.monotonic())."""

    subscriber: Mapping[str, float]  # by aggregate id (the event's subject)
    mail: Mapping[str, float]  # by the command's token, which the NGO name and so the mail's subject carry
    reporting: Mapping[str, float]  # by aggregate id

    def of(self, stage: str, command: Command) -> float | None:
        if stage == "mail":
            return self.mail.get(command.token)
        if command.key is None:
            return None
        return self.subscriber.get(command.key) if stage == "subscriber" else self.reporting.get(command.key)


STAGES = ("subscriber", "mail", "reporting")


@dataclass(frozen=True)
class PhaseFigures:
    name: str
    seconds: float
    sent: int
    succeeded: int
    failed: int
    not_sent: int
    offered_per_second: float | None
    http_per_second: float
    http_latency: dict[str, LatencySummary | None]  # per endpoint
    stage_latency: dict[str, LatencySummary | None]  # from the HTTP response to each observer
    stage_missing: dict[str, int]  # commands whose effect the observer never saw (within the drain time)
    stage_per_second: dict[str, float]  # effects seen per second, from the phase start to the last one
    completed_per_second: float | None  # commands through to reporting and notifications, per second
    errors: list[str]
    # Per scenario of the mix: commands answered, and from the HTTP response to each observer and to the last of
    # them ("end to end"), with the commands whose effects were not all seen.
    by_scenario: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def sustained_per_second(self) -> float:
        """What the whole pipeline kept pace with: commands through to every effect per second; when not every
        effect arrived, the slowest stage's rate. Answering HTTP faster than the consumers apply is not sustaining."""
        if self.completed_per_second is not None:
            return min(self.http_per_second, self.completed_per_second)
        return min([self.http_per_second, *self.stage_per_second.values()])

    def as_dict(self) -> dict[str, Any]:
        def summary(value: LatencySummary | None) -> dict[str, Any] | None:
            return value.as_dict() if value else None

        return {
            "name": self.name,
            "seconds": self.seconds,
            "sent": self.sent,
            "succeeded": self.succeeded,
            "failed": self.failed,
            "not_sent": self.not_sent,
            "offered_per_second": self.offered_per_second,
            "http_per_second": self.http_per_second,
            "http_latency_ms": {endpoint: summary(value) for endpoint, value in self.http_latency.items()},
            "stage_latency_ms": {stage: summary(value) for stage, value in self.stage_latency.items()},
            "stage_missing": self.stage_missing,
            "stage_per_second": self.stage_per_second,
            "completed_per_second": self.completed_per_second,
            "sustained_per_second": self.sustained_per_second,
            "errors": self.errors,
            "by_scenario": {
                name: {key: summary(value) if isinstance(value, LatencySummary) else value for key, value in d.items()}
                for name, d in self.by_scenario.items()
            },
        }


def phase_figures(phase: PhaseResult, arrivals: Arrivals, *, notifications_consumed_at: float | None) -> PhaseFigures:
    """`notifications_consumed_at`: when notifications' inbox held every event of this phase (None: never)."""
    ok = phase.ok
    by_endpoint: dict[str, list[float]] = {}
    for command in phase.commands:
        if command.latency is not None and command.ok:
            by_endpoint.setdefault(command.endpoint, []).append(command.latency)
    stage_latency: dict[str, LatencySummary | None] = {}
    stage_missing: dict[str, int] = {}
    stage_per_second: dict[str, float] = {}
    for stage in STAGES:
        seen = [(command, arrivals.of(stage, command)) for command in ok]
        delays = [
            moment - command.responded_at for command, moment in seen if moment is not None and command.responded_at
        ]
        stage_latency[stage] = summarize_seconds(delays)
        stage_missing[stage] = sum(1 for _, moment in seen if moment is None)
        moments = [moment for _, moment in seen if moment is not None]
        stage_per_second[stage] = rate(len(moments), max(moments) - phase.started_at) if moments else 0.0
    reporting_done = [arrivals.of("reporting", command) for command in ok]
    completed_per_second = None
    if ok and notifications_consumed_at is not None and all(moment is not None for moment in reporting_done):
        last = max([notifications_consumed_at, *(moment for moment in reporting_done if moment is not None)])
        completed_per_second = rate(len(ok), last - phase.started_at)
    errors = sorted({(command.error or f"status {command.status}")[:200] for command in phase.failed})[:5]
    by_scenario = {name: scenario_figures(commands, arrivals) for name, commands in _by_scenario(ok).items()}
    return PhaseFigures(
        name=phase.name,
        seconds=phase.ended_at - phase.started_at,
        sent=len(phase.commands),
        succeeded=len(ok),
        failed=len(phase.failed),
        not_sent=phase.not_sent,
        offered_per_second=phase.offered_per_second,
        http_per_second=rate(len(ok), phase.ended_at - phase.started_at),
        http_latency={endpoint: summarize_seconds(values) for endpoint, values in by_endpoint.items()},
        stage_latency=stage_latency,
        stage_missing=stage_missing,
        stage_per_second=stage_per_second,
        completed_per_second=completed_per_second,
        errors=errors,
        by_scenario=by_scenario,
    )


def _by_scenario(commands: Sequence[Command]) -> dict[str, list[Command]]:
    grouped: dict[str, list[Command]] = {}
    for command in commands:
        grouped.setdefault(command.scenario, []).append(command)
    return grouped


def scenario_figures(commands: Sequence[Command], arrivals: Arrivals) -> dict[str, Any]:
    """One scenario's commands: how many, the latency from the response to each observer and to the last of them."""
    figures: dict[str, Any] = {"count": len(commands)}
    last: list[float] = []
    missing = 0
    for stage in STAGES:
        delays = []
        for command in commands:
            moment = arrivals.of(stage, command)
            if moment is not None and command.responded_at is not None:
                delays.append(moment - command.responded_at)
        figures[stage] = summarize_seconds(delays)
    for command in commands:
        moments = [arrivals.of(stage, command) for stage in STAGES]
        if command.responded_at is None or any(moment is None for moment in moments):
            missing += 1
            continue
        last.append(max(moment for moment in moments if moment is not None) - command.responded_at)
    figures["end_to_end"] = summarize_seconds(last)
    figures["missing"] = missing
    return figures


def all_seen(commands: Sequence[Command], arrivals: Arrivals) -> bool:
    return all(arrivals.of(stage, command) is not None for command in commands for stage in STAGES)
