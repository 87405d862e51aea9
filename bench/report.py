"""The table: every figure beside its baseline from the same run, as a ratio; here the targets of issue 16 (each with
its measure, baseline, ratio, target and met/missed), which open it, and what the detail shares
(bench/report_detail.py). Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bench.analysis import PhaseFigures
from bench.baselines import Throughput
from bench.console_load import ConsoleFigures
from bench.stats import LatencySummary, NotAvailable, Row

# The targets of issue 16, on the 2-core machine with everything on it.
END_TO_END_SHARE_OF_BARE = 0.5
CPU_TIMES_BARE = 2.0
HTTP_P99_MS = 50.0
SUBSCRIBER_P99_MS = 100.0
REPORTING_P99_MS = 250.0
MAIL_P99_MS = 1000.0
MAILS_SHARE_OF_COMMANDS = 0.95
REBUILD_EVENTS_PER_SECOND = 20_000.0
DEADLINE_TICK_MS = 100.0
CONSOLE_P99_MS = 200.0
RSS_MB = 200.0
LIST_P99_MS = 100.0  # issue 7
REGISTRATION = "POST /organizations"
# Where the two cores went during a phase: other work on the machine and the hypervisor make results noisy.
MACHINE_SHARES = {"idle": "idle", "steal": "stolen by the hypervisor", "outside": "used outside this run"}
STAGE_NAMES = {"subscriber": "outside subscriber", "reporting": "reporting projection", "mail": "mail at SMTP"}


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


@dataclass(frozen=True)
class Measured:
    """One load phase's figures with the CPU it cost per command (by process) and where the cores went."""

    figures: PhaseFigures
    cpu_ms_per_command: Mapping[str, float]
    machine_shares: Mapping[str, float]

    @property
    def cpu_total(self) -> float:
        return sum(self.cpu_ms_per_command.values())


@dataclass(frozen=True)
class Runs:
    """What a run measured: the bare pipeline's phases and Mitra's."""

    bare_saturation: Measured
    bare_comfortable: Measured
    saturation: Measured
    comfortable: Measured
    mix: Measured
    overload: Measured | None
    clients: int
    rate: float


def latency_rows(
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


def p99_of(summary: LatencySummary | None) -> float | None:
    return summary.p99 if summary else None


def _below(value: float | None, limit: float) -> bool:
    return value is not None and value < limit


def target_rows(
    runs: Runs,
    *,
    rebuild: NotAvailable | float,
    run_rebuild: NotAvailable | dict[str, Any],
    deadline_tick: NotAvailable | dict[str, Any],
    deadline_sizes: tuple[int, int, int],
    console: ConsoleFigures | NotAvailable,
    peak_rss_mb: Mapping[str, float | None],
) -> list[Row]:
    """Issue 16's table, in its order."""
    section = "targets (issue 16)"
    sat, bare = runs.saturation, runs.bare_saturation
    completed, bare_completed = sat.figures.completed_per_second, bare.figures.completed_per_second
    rows = [
        Row(
            section,
            "end to end at saturation (registrations consumed by notifications and reporting)",
            completed if completed is not None else NotAvailable("not every event arrived within the drain time"),
            "events/s",
            bare_completed,
            "bare pipeline",
            f">= {END_TO_END_SHARE_OF_BARE:.0%} of bare",
            completed is not None
            and bare_completed is not None
            and completed >= END_TO_END_SHARE_OF_BARE * bare_completed,
        ),
        Row(
            section,
            "CPU per registration, all processes",
            sat.cpu_total,
            "ms",
            bare.cpu_total,
            "bare pipeline",
            f"<= {CPU_TIMES_BARE:g}x bare",
            sat.cpu_total <= CPU_TIMES_BARE * bare.cpu_total,
        ),
    ]
    half, bare_half = runs.comfortable.figures, runs.bare_comfortable.figures
    for what, value, baseline, limit in (
        ("HTTP", half.http_latency.get(REGISTRATION), bare_half.http_latency.get(REGISTRATION), HTTP_P99_MS),
        (
            "response→subscriber",
            half.stage_latency["subscriber"],
            bare_half.stage_latency["subscriber"],
            SUBSCRIBER_P99_MS,
        ),
        ("response→reporting", half.stage_latency["reporting"], bare_half.stage_latency["reporting"], REPORTING_P99_MS),
        ("response→mail", half.stage_latency["mail"], bare_half.stage_latency["mail"], MAIL_P99_MS),
    ):
        rows.append(
            Row(
                section,
                f"at half of saturation ({half.offered_per_second or 0:g}/s): {what} p99",
                p99_of(value),
                "ms",
                p99_of(baseline),
                "bare pipeline",
                f"< {limit:g} ms",
                _below(p99_of(value), limit),
            )
        )
    mails = sat.figures.stage_per_second["mail"]
    rows.append(
        Row(
            section,
            "mails per second at saturation",
            mails,
            "mails/s",
            sat.figures.http_per_second,
            "commands/s",
            f">= {MAILS_SHARE_OF_COMMANDS:.0%} of commands/s",
            mails >= MAILS_SHARE_OF_COMMANDS * sat.figures.http_per_second,
        )
    )
    rows.append(
        Row(
            section,
            "reporting rebuild",
            rebuild,
            "events/s",
            target=f">= {REBUILD_EVENTS_PER_SECOND:,.0f}/s",
            met=None if isinstance(rebuild, NotAvailable) else rebuild >= REBUILD_EVENTS_PER_SECOND,
        )
    )
    # The same target for the run's own log: the mix's event types in their proportions, not registrations only.
    run_rate = run_rebuild if isinstance(run_rebuild, NotAvailable) else float(run_rebuild["events_per_second"])
    rows.append(
        Row(
            section,
            "reporting rebuild, this run's own log (every event type of the mix)",
            run_rate,
            "events/s",
            target=f">= {REBUILD_EVENTS_PER_SECOND:,.0f}/s",
            met=None if isinstance(run_rate, NotAvailable) else run_rate >= REBUILD_EVENTS_PER_SECOND,
        )
    )
    tick = deadline_tick if isinstance(deadline_tick, NotAvailable) else float(deadline_tick["milliseconds"])
    rows.append(
        Row(
            section,
            f"deadline tick, {deadline_sizes[2]:,} due among {deadline_sizes[1]:,} obligations (running engine)",
            tick,
            "ms",
            target=f"< {DEADLINE_TICK_MS:g} ms",
            met=None if isinstance(tick, NotAvailable) else tick < DEADLINE_TICK_MS,
        )
    )
    if isinstance(console, NotAvailable):
        rows.append(Row(section, "console main pages, 20 users, p99", console, "ms", target=f"< {CONSOLE_P99_MS:g} ms"))
    else:
        p99 = p99_of(console.latency)
        rows.append(
            Row(
                section,
                f"console main pages, {console.users} users (a page every {console.think_seconds:g} s each), p99 "
                f"({console.pages_per_second:.0f} pages/s)",
                p99,
                "ms",
                target=f"< {CONSOLE_P99_MS:g} ms",
                met=_below(p99, CONSOLE_P99_MS) and console.failed == 0,
            )
        )
    known = {name: value for name, value in peak_rss_mb.items() if value is not None}
    heaviest = max(known, key=lambda name: known[name]) if known else "-"
    rows.append(
        Row(
            section,
            f"peak RSS of every process, console included (largest: {heaviest})",
            known.get(heaviest),
            "MB",
            target=f"< {RSS_MB:g} MB",
            met=bool(known) and len(known) == len(peak_rss_mb) and max(known.values()) < RSS_MB,
        )
    )
    return rows
