"""One benchmark run, start to finish: baselines (the bare parts, the deadline tick, the rebuild), the bare pipeline
(same work), then Mitra: the command mix prepared, load, drain, scale, the console, memory, the table."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import subprocess
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import mix, scale
from bench.console_load import ConsoleFigures
from bench.http_client import HttpClient
from bench.load import REGISTER_NGO, Driver, Mix
from bench.measures import (
    CONSOLE_LOGIN_SECONDS,
    HTTP_TIMEOUT_SECONDS,
    REPO,
    SCALE_SECONDS,
    SERVICE_ROLES,
    SHORTEST_DRAIN_SECONDS,
    STOP_SECONDS,
    Config,
    measure_bare,
    measure_baselines,
    measure_console,
    measure_deadline_tick,
    measure_reporting_rebuild,
    say,
    service_token,
)
from bench.observers import SmtpSink
from bench.phases import Bench, MeasuredPhase, Observers
from bench.profiling import Profiler, py_spy
from bench.report import Measured, Runs
from bench.report_detail import build_rows
from bench.stats import NotAvailable, Row, format_table
from bench.system import CpuMeter, System, free_port, unique


def _load_average() -> list[float]:
    return list(os.getloadavg())


def _git_commit() -> str | None:
    try:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def _measured(phase: MeasuredPhase) -> Measured:
    return Measured(phase.figures, phase.cpu_ms_per_command, phase.machine_shares)


__all__ = ["Config", "print_profile", "print_table", "run", "write_result"]


async def run(config: Config) -> dict[str, Any]:
    started_at = datetime.now(UTC)
    stamp = started_at.strftime("%Y%m%dT%H%M%SZ")
    ends_by = time.monotonic() + config.time_budget_seconds
    namespace = unique("bench").replace("_", "-")
    load_before = _load_average()
    log_dir = config.results_dir / f"{stamp}-logs"
    say(f"mitra bench {stamp}: namespace {namespace}, load average {load_before}")

    if not config.baselines_while_starting:
        baselines = await measure_baselines(config, namespace)
        tick = await measure_deadline_tick(config)
        rebuild = await measure_reporting_rebuild(config)
    sink = SmtpSink("127.0.0.1", free_port())
    await sink.start()
    system = System(namespace=namespace, smtp_port=sink.port, log_dir=log_dir)
    exit_codes: dict[str, int | None] = {}
    try:
        if not config.baselines_while_starting:
            bare = await measure_bare(config, sink, namespace, log_dir, ends_by)
        say("starting the console and the four services (python -m mitra_<service> serve), as make run does")
        await system.start(dict(config.service_env))
        if config.baselines_while_starting:
            baselines = await measure_baselines(config, namespace)
            tick = await measure_deadline_tick(config)
            rebuild = await measure_reporting_rebuild(config)
        await system.wait_ready()
        if config.baselines_while_starting:
            bare = await measure_bare(config, sink, namespace, log_dir, ends_by)
        clients = {
            name: HttpClient(
                system.url(name),
                headers={"Authorization": f"Bearer {service_token(SERVICE_ROLES[name])}"},
                timeout=HTTP_TIMEOUT_SECONDS,
            )
            for name in SERVICE_ROLES
        }
        recipient = await clients["notifications"].post(
            "/recipients",
            {"name": "Sekretariat TPOA (bench)", "role": "tpoa", "email": "tpoa@bench.example", "language": "id"},
        )
        if recipient.status != 201:
            raise RuntimeError(f"could not add the TPOA recipient: {recipient.status} {recipient.body!r}")
        say("command mix: preparing what its commands need (regions, a ministry, an NGO with its permit, MSPs)")
        world = await mix.prepare(
            system.url("registry"),
            system.url("agreements"),
            system.database_url("agreements"),
            approved=config.mix_msps,
            signed=config.mix_msps,
        )
        clients.update(mix.clients(system.url("agreements"), world))
        scenarios = mix.scenarios(world)
        full_mix, registrations = Mix(scenarios), Mix([REGISTER_NGO])
        driver = Driver(clients)
        observers = Observers(
            system, sink, [s.event_routing_key for s in scenarios], sorted({s.event_type for s in scenarios})
        )
        await observers.start()
        bench = Bench(
            CpuMeter(system),
            driver,
            observers,
            ends_by=ends_by,
            drain_seconds=config.drain_seconds,
            max_in_flight=config.max_in_flight,
            pids=system.pids(),
        )
        # What each later part needs at least: its load, the open loop's unanswered tail, a short drain, the stop.
        open_loop_needs = config.open_loop_seconds + HTTP_TIMEOUT_SECONDS + SHORTEST_DRAIN_SECONDS
        stop_needs = STOP_SECONDS + 2 * config.console_seconds + CONSOLE_LOGIN_SECONDS  # paced, then without pause
        mix_needs = config.mix_seconds + HTTP_TIMEOUT_SECONDS + SHORTEST_DRAIN_SECONDS
        overload_needs = open_loop_needs if config.overload else 0.0
        try:
            await bench.phase(
                "warm-up (the mix)",
                full_mix,
                clients=4,
                seconds=config.warm_up_seconds,
                then_needs=SCALE_SECONDS
                + config.closed_loop_seconds
                + 2 * open_loop_needs
                + overload_needs
                + stop_needs,
                say=say,
            )
            idle_rss = system.current_rss_mb()

            say(f"scale: {config.scale_organizations} NGOs into registry's table, then list latency")
            await scale.fill_register(system.database_url("registry"), config.scale_organizations)
            openapi = (await clients["registry"].get("/openapi.json")).json()
            lists = await scale.list_latencies(
                driver, system.database_url("registry"), openapi, count=config.list_requests
            )

            profiler = None
            if config.profile:
                executable = py_spy()
                if executable is None:
                    raise RuntimeError("--profile needs py-spy: pip install py-spy")
                profiler = Profiler(executable, system.log_dir)
            saturation = await bench.phase(
                f"saturation, {config.clients} clients, registrations",
                registrations,
                clients=config.clients,
                seconds=config.closed_loop_seconds,
                then_needs=open_loop_needs + mix_needs + overload_needs + stop_needs,
                profiler=profiler,
                say=say,
            )
            profile = profiler.wait() if profiler is not None else {}
            # The latency the system gives when it is not overloaded: half of what it sustained at saturation.
            comfortable_rate = max(1.0, round(saturation.figures.sustained_per_second / 2))
            comfortable = await bench.phase(
                f"open loop {comfortable_rate:g}/s (half of saturation), registrations",
                registrations,
                rate=comfortable_rate,
                seconds=config.open_loop_seconds,
                then_needs=mix_needs + overload_needs + stop_needs,
                say=say,
            )
            mixed = await bench.phase(
                f"command mix, open loop {comfortable_rate:g}/s",
                full_mix,
                rate=comfortable_rate,
                seconds=config.mix_seconds,
                then_needs=overload_needs + stop_needs,
                say=say,
            )
            overload = None
            if config.overload:
                overload = await bench.phase(
                    f"open loop {config.rate:g}/s (overload), registrations",
                    registrations,
                    rate=config.rate,
                    seconds=config.open_loop_seconds,
                    then_needs=stop_needs,
                    say=say,
                )
            console = await measure_console(config, system, world)
            summary = (await clients["reporting"].get("/summary")).json()
            say("scale: reporting's rebuild of this run's own log (the events of every command above)")
            run_rebuild = await scale.rebuild_run_log(system.database_url("reporting"))
            peak_rss = system.peak_rss_mb()
        finally:
            await observers.stop()
            for client in clients.values():
                await client.close()
    finally:
        say("stopping the services")
        exit_codes = await asyncio.to_thread(system.stop)  # the SMTP server is on this loop
        await sink.stop()
        say("dropping the run's databases and broker namespace")
        await system.clean_up()
        say("done")

    runs = Runs(
        bare_saturation=_measured(bare["saturation"]),
        bare_comfortable=_measured(bare["comfortable"]),
        saturation=_measured(saturation),
        comfortable=_measured(comfortable),
        mix=_measured(mixed),
        overload=_measured(overload) if overload is not None else None,
        clients=config.clients,
        rate=config.rate,
    )
    rows = build_rows(
        runs=runs,
        baselines=baselines,
        lists=lists,
        search=scale.search_not_available(openapi),
        rebuild=rebuild if isinstance(rebuild, NotAvailable) else float(rebuild["events_per_second"]),
        rebuild_events=config.rebuild_events,
        run_rebuild=run_rebuild,
        deadline_tick=tick,
        deadline_sizes=(config.deadline_msps, config.deadline_obligations, config.deadline_due),
        console=console,
        idle_rss_mb=idle_rss,
        peak_rss_mb=peak_rss,
        bare_peak_rss_mb=bare["peak_rss"],
    )
    phases = [saturation, comfortable, mixed, *([overload] if overload is not None else [])]
    result = {
        "started_at": started_at.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_average_before": load_before,
            "load_average_after": _load_average(),
        },
        "git_commit": _git_commit(),
        "config": {key: str(value) if isinstance(value, Path) else value for key, value in asdict(config).items()},
        "baselines": {
            "transactions_saturated": baselines.transactions_saturated.as_dict(),
            "transactions_at_rate": baselines.transactions_at_rate.as_dict(),
            "relay": baselines.relay.as_dict(),
            "broker_saturated": baselines.broker_saturated.as_dict(),
            "broker_at_rate": baselines.broker_at_rate.as_dict(),
            "pipeline_per_second": baselines.pipeline_per_second,
        },
        "bare_phases": [bare["saturation"].as_dict(), bare["comfortable"].as_dict()],
        "phases": [phase.as_dict() for phase in phases],
        "lists": [entry.as_dict() for entry in lists],
        "deadline_tick": tick if isinstance(tick, dict) else str(tick),
        "reporting_rebuild": rebuild if isinstance(rebuild, dict) else str(rebuild),
        "reporting_rebuild_of_the_run": run_rebuild if isinstance(run_rebuild, dict) else str(run_rebuild),
        "console": console.as_dict() if isinstance(console, ConsoleFigures) else str(console),
        "reporting_summary_total": summary["organizations"]["total"],
        "registered_over_http": sum(
            d["count"] for phase in [*phases] for name, d in phase.figures.by_scenario.items() if name == "register NGO"
        ),
        "answered_over_http": bench.answered,
        "observed": {
            "subscriber_deliveries": observers.subscriber.deliveries,
            "mails": sink.mails,
            "reporting_polls": observers.reporting.polls,
        },
        "rss_mb": {"after_warm_up": idle_rss, "peak": peak_rss, "bare_peak": bare["peak_rss"]},
        "service_exit_codes": exit_codes,
        "bare_exit_codes": bare["exit_codes"],
        "profile_during_saturation": {
            name: [{"frame": frame, "share": share} for frame, share in frames] for name, frames in profile.items()
        },
        "rows": [row.as_dict() for row in rows],
    }
    return {"result": result, "rows": rows, "stamp": stamp}


def write_result(result: dict[str, Any], directory: Path, stamp: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{stamp}.json"
    path.write_text(json.dumps(result, indent=2, default=str) + "\n")
    return path


def print_table(rows: list[Row], result: dict[str, Any]) -> None:
    machine = result["machine"]
    print()
    print(
        f"Mitra bench, {result['started_at']}, commit {str(result['git_commit'])[:12]}, {machine['cpus']} CPUs, "
        f"load average before {machine['load_average_before']}, after {machine['load_average_after']}"
    )
    print()
    print(format_table(rows))
    print()


def print_profile(profile: dict[str, list[dict[str, Any]]]) -> None:
    for name, frames in profile.items():
        print(f"py-spy, {name}, share of CPU samples during saturation (inclusive):")
        for frame in frames:
            print(f"  {frame['share']:6.1%}  {frame['frame']}")
        print()
