"""The table: every figure beside its baseline from the same run, as a ratio, with the issue's targets. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bench.analysis import PhaseFigures
from bench.baselines import Throughput
from bench.scale import ListLatency
from bench.stats import LatencySummary, NotAvailable, Row

# The targets of issue 7, on the 2-core machine with everything on it.
COMPLETED_SHARE_OF_PIPELINE = 0.5
SUBSCRIBER_P99_MS = 25.0
REPORTING_P99_MS = 50.0
HTTP_P99_MS = 50.0
LIST_P99_MS = 100.0
REBUILD_EVENTS_PER_SECOND = 5000.0
DEADLINE_TICK_MS = 100.0
RSS_MB = 200.0
# Where the two cores went during a phase: other work on the machine and the hypervisor make results noisy.
MACHINE_SHARES = {"idle": "idle", "steal": "stolen by the hypervisor", "outside": "used outside this run"}


@dataclass(frozen=True)
class Baselines:
    transactions_saturated: Throughput
    transactions_at_rate: Throughput
    relay: Throughput
    broker_saturated: Throughput
    broker_at_rate: Throughput

    @property
    def pipeline_per_second(self) -> float:
        """The raw outbox pipeline goes as fast as its slowest part: transaction, relay, broker."""
        return min(self.transactions_saturated.per_second, self.relay.per_second, self.broker_saturated.per_second)


def _latency_rows(
    section: str,
    what: str,
    value: LatencySummary | None,
    baseline: LatencySummary | None,
    baseline_name: str,
    p99_target: float | None = None,
) -> list[Row]:
    rows = []
    for label in ("p50", "p99", "max"):
        measured = getattr(value, label) if value else None
        target, met = "", None
        if label == "p99" and p99_target is not None:
            target = f"< {p99_target:g} ms"
            met = measured is not None and measured < p99_target
        rows.append(
            Row(
                section,
                f"{what} {label}",
                measured,
                "ms",
                getattr(baseline, label) if baseline else None,
                f"{baseline_name} {label}",
                target,
                met,
            )
        )
    return rows


def build_rows(
    *,
    rate: float,
    clients: int,
    baselines: Baselines,
    at_target: PhaseFigures,
    comfortable: PhaseFigures,
    saturation: PhaseFigures,
    cpu_ms_per_command: Mapping[str, float],
    machine_shares: Mapping[str, float],
    at_target_shares: Mapping[str, float],
    comfortable_shares: Mapping[str, float],
    lists: Sequence[ListLatency],
    search: NotAvailable | None,
    pending_scenarios: Mapping[str, str],
    rebuild: NotAvailable | float,
    rebuild_events: int,
    deadline_tick: NotAvailable | dict[str, Any],
    deadline_sizes: tuple[int, int, int],
    idle_rss_mb: Mapping[str, float | None],
    peak_rss_mb: Mapping[str, float | None],
) -> list[Row]:
    b = baselines
    tx_rate = b.transactions_at_rate.latency
    broker_rate = b.broker_at_rate.latency
    section = "baseline"
    rows = [
        Row(section, "asyncpg row+outbox transactions, saturated", b.transactions_saturated.per_second, "tx/s"),
        Row(section, "outbox relay alone", b.relay.per_second, "events/s"),
        Row(section, "aio-pika publish (confirms) + consume, saturated", b.broker_saturated.per_second, "msg/s"),
        Row(section, "raw outbox pipeline (slowest of the three)", b.pipeline_per_second, "events/s"),
        *_latency_rows(section, f"asyncpg transaction at {rate:g}/s", tx_rate, None, ""),
        *_latency_rows(section, f"aio-pika publish→consume at {rate:g}/s", broker_rate, None, ""),
    ]

    section = f"saturation, {clients} clients"
    completed = saturation.completed_per_second
    pipeline = b.pipeline_per_second
    rows += [
        Row(
            section,
            "commands answered",
            saturation.http_per_second,
            "cmd/s",
            b.transactions_saturated.per_second,
            "asyncpg tx/s",
        ),
        *(
            row
            for endpoint, latency in saturation.http_latency.items()
            for row in _latency_rows(
                section, f"HTTP {endpoint}", latency, b.transactions_saturated.latency, "asyncpg tx"
            )
        ),
        Row(
            section,
            "end to end: command → consumed by notifications and reporting",
            completed if completed is not None else NotAvailable("not every event arrived within the drain time"),
            "events/s",
            pipeline,
            "raw pipeline",
            f">= {COMPLETED_SHARE_OF_PIPELINE:.0%} of baseline",
            completed is not None and completed >= COMPLETED_SHARE_OF_PIPELINE * pipeline,
        ),
        Row(
            section,
            "events at outside subscriber",
            saturation.stage_per_second["subscriber"],
            "events/s",
            b.relay.per_second,
            "relay alone",
        ),
        Row(
            section,
            "events in reporting projection",
            saturation.stage_per_second["reporting"],
            "events/s",
            b.broker_saturated.per_second,
            "aio-pika",
        ),
        Row(
            section,
            "mails at SMTP",
            saturation.stage_per_second["mail"],
            "mails/s",
            b.broker_saturated.per_second,
            "aio-pika",
        ),
        _missing_row(section, saturation),
    ]
    total_cpu = sum(cpu_ms_per_command.values())
    rows += [
        Row(section, f"CPU per command: {name}", value, "ms", total_cpu, "all listed")
        for name, value in cpu_ms_per_command.items()
    ]
    rows += [
        Row(section, f"machine CPU {label}", machine_shares.get(kind, 0.0) * 100, "%")
        for kind, label in MACHINE_SHARES.items()
    ]

    for phase, shares, targets in ((at_target, at_target_shares, True), (comfortable, comfortable_shares, False)):
        section = phase.name
        rows.append(
            Row(section, "commands answered", phase.http_per_second, "cmd/s", phase.offered_per_second, "offered")
        )
        for endpoint, latency in phase.http_latency.items():
            rows += _latency_rows(
                section, f"HTTP {endpoint}", latency, tx_rate, "asyncpg tx", HTTP_P99_MS if targets else None
            )
        rows += _latency_rows(
            section,
            "response→outside subscriber",
            phase.stage_latency["subscriber"],
            broker_rate,
            "aio-pika",
            SUBSCRIBER_P99_MS if targets else None,
        )
        rows += _latency_rows(
            section,
            "response→reporting projection",
            phase.stage_latency["reporting"],
            broker_rate,
            "aio-pika",
            REPORTING_P99_MS if targets else None,
        )
        rows += _latency_rows(section, "response→mail at SMTP", phase.stage_latency["mail"], broker_rate, "aio-pika")
        rows.append(_missing_row(section, phase))
        rows += [
            Row(section, f"machine CPU {label}", shares.get(kind, 0.0) * 100, "%")
            for kind, label in MACHINE_SHARES.items()
        ]

    section = "command mix"
    rows.append(Row(section, "register NGO (POST /organizations)", 1.0, "share"))
    rows += [Row(section, name, NotAvailable(reason), "share") for name, reason in pending_scenarios.items()]

    section = "scale"
    for entry in lists:
        rows.append(
            Row(
                section,
                f"registry {entry.name}, HTTP p99",
                entry.http.p99 if entry.http else None,
                "ms",
                entry.database.p99 if entry.database else None,
                "bare SQL p99",
                f"< {LIST_P99_MS:g} ms",
                entry.http is not None and entry.http.p99 < LIST_P99_MS,
            )
        )
    if search is not None:
        rows.append(Row(section, "registry search by name, HTTP p99", search, "ms", target=f"< {LIST_P99_MS:g} ms"))
    rows.append(
        Row(
            section,
            f"reporting rebuild from {rebuild_events:,} events",
            rebuild,
            "events/s",
            target=f">= {REBUILD_EVENTS_PER_SECOND:,.0f}/s",
            met=None if isinstance(rebuild, NotAvailable) else rebuild >= REBUILD_EVENTS_PER_SECOND,
        )
    )
    msps, obligations, due = deadline_sizes
    tick_name = f"deadline tick, {msps:,} MSPs, {obligations:,} obligations, {due:,} due"
    if isinstance(deadline_tick, NotAvailable):
        rows.append(Row(section, tick_name, deadline_tick, "ms", target=f"< {DEADLINE_TICK_MS:g} ms"))
    else:
        milliseconds = float(deadline_tick["milliseconds"])
        rows += [
            Row(
                section,
                tick_name,
                milliseconds,
                "ms",
                target=f"< {DEADLINE_TICK_MS:g} ms",
                met=milliseconds < DEADLINE_TICK_MS,
            ),
            Row(section, "deadline tick: notices sent", float(deadline_tick["notices"]), "notices", float(due), "due"),
            Row(
                section,
                f"deadline tick: due query plan uses an index ({', '.join(deadline_tick['plan_scans'])})",
                1.0 if deadline_tick["uses_index"] else 0.0,
                "yes=1",
                target="index",
                met=bool(deadline_tick["uses_index"]),
            ),
        ]

    section = "memory"
    for name, peak in peak_rss_mb.items():
        rows.append(
            Row(
                section,
                f"{name} peak RSS",
                peak,
                "MB",
                idle_rss_mb.get(name),
                "after warm-up",
                f"< {RSS_MB:g} MB",
                None if peak is None else peak < RSS_MB,
            )
        )
    return rows


def _missing_row(section: str, phase: PhaseFigures) -> Row:
    missing = ", ".join(f"{stage} {count}" for stage, count in phase.stage_missing.items())
    failed = phase.failed + phase.not_sent
    return Row(section, f"commands failed/not sent; effects not seen: {missing}", float(failed), "commands")
