"""The table's detail below the targets: the bare parts, each phase of the bare pipeline and of Mitra (beside the
bare pipeline's same figure), the command mix per command, the scale measures, the console per page, memory. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bench.analysis import PhaseFigures
from bench.console_load import ConsoleFigures
from bench.report import (
    CONSOLE_P99_MS,
    LIST_P99_MS,
    MACHINE_SHARES,
    RSS_MB,
    STAGE_NAMES,
    Baselines,
    Measured,
    Runs,
    latency_rows,
    p99_of,
    target_rows,
)
from bench.scale import ListLatency
from bench.stats import NotAvailable, Row


def baseline_rows(b: Baselines, rate: float) -> list[Row]:
    section = "baseline: bare parts"
    return [
        Row(section, "asyncpg row+outbox transactions, saturated", b.transactions_saturated.per_second, "tx/s"),
        Row(section, "outbox relay alone", b.relay.per_second, "events/s"),
        Row(section, "aio-pika publish (confirms) + consume, saturated", b.broker_saturated.per_second, "msg/s"),
        Row(section, "raw outbox pipeline (slowest of the three)", b.pipeline_per_second, "events/s"),
        *latency_rows(section, f"asyncpg transaction at {rate:g}/s", b.transactions_at_rate.latency, None, ""),
        *latency_rows(section, f"aio-pika publish→consume at {rate:g}/s", b.broker_at_rate.latency, None, ""),
    ]


def phase_rows(
    section: str, measured: Measured, *, baseline: Measured | None, baseline_name: str, cpu: bool = True
) -> list[Row]:
    """A phase's throughput, latencies (beside the same figure of `baseline`), losses, CPU and machine shares."""
    f, base = measured.figures, baseline.figures if baseline else None
    rows = [
        Row(
            section,
            "commands answered",
            f.http_per_second,
            "cmd/s",
            base.http_per_second if base else f.offered_per_second,
            baseline_name if base else "offered",
        ),
        Row(
            section,
            "end to end: command → consumed by notifications and reporting",
            f.completed_per_second
            if f.completed_per_second is not None
            else NotAvailable("not every event arrived within the drain time"),
            "events/s",
            base.completed_per_second if base else None,
            baseline_name,
        ),
        *(
            Row(
                section,
                f"{STAGE_NAMES[stage]}: commands seen",
                f.stage_per_second[stage],
                "per s",
                base.stage_per_second[stage] if base else None,
                baseline_name,
            )
            for stage in STAGE_NAMES
        ),
    ]
    for endpoint, latency in f.http_latency.items():
        rows += latency_rows(
            section, f"HTTP {endpoint}", latency, base.http_latency.get(endpoint) if base else None, baseline_name
        )
    for stage, label in STAGE_NAMES.items():
        rows += latency_rows(
            section,
            f"response→{label}",
            f.stage_latency[stage],
            base.stage_latency[stage] if base else None,
            baseline_name,
        )
    rows.append(_missing_row(section, f))
    if cpu:
        rows.append(
            Row(
                section,
                "CPU per command: all listed",
                measured.cpu_total,
                "ms",
                baseline.cpu_total if baseline else None,
                baseline_name,
            )
        )
        rows += [
            Row(section, f"CPU per command: {name}", value, "ms", measured.cpu_total, "all listed")
            for name, value in measured.cpu_ms_per_command.items()
        ]
    rows += [
        Row(section, f"machine CPU {label}", measured.machine_shares.get(kind, 0.0) * 100, "%")
        for kind, label in MACHINE_SHARES.items()
    ]
    return rows


def mix_rows(section: str, figures: PhaseFigures) -> list[Row]:
    """Each command of the mix: its share, and from its response to the last of its effects (end to end)."""
    rows = []
    total = sum(d["count"] for d in figures.by_scenario.values()) or 1
    for name, d in figures.by_scenario.items():
        rows.append(Row(section, f"{name}: share of commands answered", d["count"] / total, "share"))
        rows += latency_rows(section, f"{name}: response→every effect (end to end)", d["end_to_end"], None, "")
        for stage, label in STAGE_NAMES.items():
            rows.append(Row(section, f"{name}: response→{label} p99", p99_of(d[stage]), "ms"))
        rows.append(Row(section, f"{name}: effects not all seen", float(d["missing"]), "commands"))
    return rows


def build_rows(
    *,
    runs: Runs,
    baselines: Baselines,
    lists: Sequence[ListLatency],
    search: NotAvailable | None,
    rebuild: NotAvailable | float,
    rebuild_events: int,
    run_rebuild: NotAvailable | dict[str, Any],
    deadline_tick: NotAvailable | dict[str, Any],
    deadline_sizes: tuple[int, int, int],
    console: ConsoleFigures | NotAvailable,
    idle_rss_mb: Mapping[str, float | None],
    peak_rss_mb: Mapping[str, float | None],
    bare_peak_rss_mb: Mapping[str, float | None],
) -> list[Row]:
    rows = target_rows(
        runs,
        rebuild=rebuild,
        run_rebuild=run_rebuild,
        deadline_tick=deadline_tick,
        deadline_sizes=deadline_sizes,
        console=console,
        peak_rss_mb=peak_rss_mb,
    )
    rows.append(
        Row(
            "targets (issue 16)",
            "(second reference) end to end at saturation vs the raw outbox pipeline",
            runs.saturation.figures.completed_per_second,
            "events/s",
            baselines.pipeline_per_second,
            "raw pipeline",
        )
    )
    # The same measure for the bare pipeline: what the machine allows the same work, beside what Mitra does.
    bare_figures = runs.bare_saturation.figures
    rows.append(
        Row(
            "targets (issue 16)",
            "(limit) the bare pipeline's mails per second at saturation, against its commands/s",
            bare_figures.stage_per_second["mail"],
            "mails/s",
            bare_figures.http_per_second,
            "commands/s",
        )
    )
    rows += baseline_rows(baselines, runs.rate)
    bare = "bare pipeline"
    rows += phase_rows(
        f"bare pipeline, saturation, {runs.clients} clients", runs.bare_saturation, baseline=None, baseline_name=""
    )
    rows += phase_rows(
        f"bare pipeline, open loop {runs.bare_comfortable.figures.offered_per_second or 0:g}/s (half of saturation)",
        runs.bare_comfortable,
        baseline=None,
        baseline_name="",
    )
    rows += phase_rows(
        f"saturation, {runs.clients} clients, registrations",
        runs.saturation,
        baseline=runs.bare_saturation,
        baseline_name=bare,
    )
    rows += phase_rows(
        f"open loop {runs.comfortable.figures.offered_per_second or 0:g}/s (half of saturation), registrations",
        runs.comfortable,
        baseline=runs.bare_comfortable,
        baseline_name=bare,
    )
    mix_section = f"command mix, open loop {runs.mix.figures.offered_per_second or 0:g}/s"
    rows += phase_rows(mix_section, runs.mix, baseline=None, baseline_name="")
    rows += mix_rows(mix_section, runs.mix.figures)
    if runs.overload is not None:
        rows += phase_rows(
            f"open loop {runs.rate:g}/s (overload), registrations", runs.overload, baseline=None, baseline_name=""
        )
    rows += scale_rows(lists, search, rebuild, rebuild_events, deadline_tick, deadline_sizes)
    rows += run_rebuild_rows(run_rebuild)
    if not isinstance(console, NotAvailable):
        rows += console_rows(console)
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
    rows += [Row(section, f"bare {name} peak RSS", peak, "MB") for name, peak in bare_peak_rss_mb.items()]
    return rows


def scale_rows(
    lists: Sequence[ListLatency],
    search: NotAvailable | None,
    rebuild: NotAvailable | float,
    rebuild_events: int,
    deadline_tick: NotAvailable | dict[str, Any],
    deadline_sizes: tuple[int, int, int],
) -> list[Row]:
    section = "scale"
    rows = [
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
        for entry in lists
    ]
    if search is not None:
        rows.append(Row(section, "registry search by name, HTTP p99", search, "ms", target=f"< {LIST_P99_MS:g} ms"))
    rows.append(Row(section, f"reporting rebuild from {rebuild_events:,} events", rebuild, "events/s"))
    msps, obligations, due = deadline_sizes
    tick_name = f"deadline tick, {msps:,} MSPs, {obligations:,} obligations, {due:,} due a day"
    if isinstance(deadline_tick, NotAvailable):
        rows.append(Row(section, tick_name, deadline_tick, "ms"))
        return rows
    daily = ", ".join(f"{milliseconds:.0f}" for milliseconds in deadline_tick["daily_milliseconds"])
    rows += [
        Row(section, f"{tick_name}: a running engine's day, median of {daily} ms", deadline_tick["milliseconds"], "ms"),
        Row(section, "deadline tick: notices sent", float(deadline_tick["notices"]), "notices", float(due), "due"),
        Row(
            section,
            f"deadline tick of the day before, the process's first ({due:,} due: statements prepared, classes built)",
            float(deadline_tick["first_tick_milliseconds"]),
            "ms",
        ),
        Row(
            section,
            f"deadline tick: due query plan uses an index ({', '.join(deadline_tick['plan_scans'])})",
            1.0 if deadline_tick["uses_index"] else 0.0,
            "yes=1",
            target="index",
            met=bool(deadline_tick["uses_index"]),
        ),
    ]
    return rows


def _missing_row(section: str, phase: PhaseFigures) -> Row:
    missing = ", ".join(f"{stage} {count}" for stage, count in phase.stage_missing.items())
    failed = phase.failed + phase.not_sent
    return Row(section, f"commands failed/not sent; effects not seen: {missing}", float(failed), "commands")


def run_rebuild_rows(run_rebuild: NotAvailable | dict[str, Any]) -> list[Row]:
    """The rebuild of the run's own log: its events by type, beside the rate."""
    section = "scale"
    if isinstance(run_rebuild, NotAvailable):
        return [Row(section, "reporting rebuild of this run's own log", run_rebuild, "events/s")]
    rows = [
        Row(
            section,
            f"reporting rebuild of this run's own log ({run_rebuild['events']:,} events)",
            float(run_rebuild["events_per_second"]),
            "events/s",
        )
    ]
    rows += [
        Row(section, f"this run's log: {event_type}", float(count), "events")
        for event_type, count in run_rebuild["types"].items()
    ]
    return rows


def console_rows(console: ConsoleFigures) -> list[Row]:
    """The paced users per page against the target; the same users without pause: the capacity, and its latency."""
    rows: list[Row] = []
    for figures, target in ((console, CONSOLE_P99_MS), (console.without_pause, None)):
        if figures is None:
            continue
        pace = f"a page every {figures.think_seconds:g} s each" if figures.think_seconds else "without pause"
        section = f"console, {figures.users} users, {pace}"
        rows.append(Row(section, "pages served", figures.pages_per_second, "pages/s"))
        rows.append(Row(section, "pages failed", float(figures.failed), "pages"))
        for page, latency in figures.by_page.items():
            rows += latency_rows(section, page, latency, None, "", target)[:2]
    return rows
