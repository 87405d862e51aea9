"""One benchmark run, start to finish: baselines, the system, load, drain, scale, memory, the table."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import subprocess
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aio_pika

from bench import baselines as base
from bench import scale
from bench.analysis import Arrivals, PhaseFigures, all_seen, phase_figures
from bench.http_client import HttpClient
from bench.load import PENDING_SCENARIOS, SCENARIOS, Driver, Mix, PhaseResult
from bench.observers import InboxCounter, SmtpSink, Subscriber, TablePoller
from bench.profiling import Profiler, py_spy
from bench.queries import QUERIES
from bench.report import Baselines, build_rows
from bench.stats import NotAvailable, Row, format_table
from bench.system import ADMIN_DSN, AMQP_URL, CONSUMERS, CpuMeter, System, free_port, unique
from mitra_devtools.launcher import drop_databases
from mitra_shared import db
from mitra_shared.auth import issue_token
from mitra_shared.contracts.registry import OrganizationRegistered
from mitra_shared.settings import DEVELOPMENT_JWT_SECRET

REPO = Path(__file__).resolve().parents[1]
# Rough needs of the parts of a run, to keep the whole within its time budget.
HTTP_TIMEOUT_SECONDS = 30.0
SHORTEST_DRAIN_SECONDS = 15.0
SCALE_SECONDS = 45.0
STOP_SECONDS = 30.0


@dataclass(frozen=True)
class Config:
    rate: float = 500.0
    open_loop_seconds: float = 30.0
    clients: int = 32
    closed_loop_seconds: float = 30.0
    warm_up_seconds: float = 5.0
    baseline_events: int = 10_000
    baseline_rate_seconds: float = 10.0
    scale_organizations: int = 10_000
    list_requests: int = 200
    drain_seconds: float = 120.0
    # The whole run stays within this: a drain is cut short (its missing effects are counted) to keep to it.
    time_budget_seconds: float = 540.0
    # The deadline engine's tick: MSPs, their obligations, and how many of those fall due today.
    deadline_msps: int = 100_000
    deadline_obligations: int = 1_000_000
    deadline_due: int = 1_000
    # Reporting's rebuild: events in the log it replays.
    rebuild_events: int = 100_000
    # Open loop: commands still unanswered beyond this many are not sent (and counted), as users would give up.
    max_in_flight: int = 256
    relay_batch_size: int = 200
    results_dir: Path = REPO / "bench" / "results"
    # Extra MITRA_* settings for the services (e.g. (("MITRA_RELAY_BATCH_SIZE", "500"),)), to measure a change.
    service_env: tuple[tuple[str, str], ...] = ()
    # Sample every service with py-spy during the saturation phase (needs py-spy installed).
    profile: bool = False
    # Measure the baselines, the deadline tick and the rebuild while the services start: quicker, but they then
    # compete with the services' start-up for the cores, so their figures are off. Only for the smoke test.
    baselines_while_starting: bool = False


# The role each service is driven as: TPOA registers NGOs and reads; admin keeps notifications' recipients.
SERVICE_ROLES = {"registry": "tpoa", "agreements": "tpoa", "notifications": "admin", "reporting": "tpoa"}


def _token(role: str) -> str:
    return issue_token(
        secret=os.environ.get("MITRA_JWT_SECRET") or DEVELOPMENT_JWT_SECRET,
        subject="mitra-bench",
        issuer=os.environ.get("MITRA_JWT_ISSUER", "mitra-local"),
        audience=os.environ.get("MITRA_JWT_AUDIENCE", "mitra"),
        roles=[role],
        lifetime_seconds=3 * 3600,
    )


def _say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def _load_average() -> list[float]:
    return list(os.getloadavg())


def _git_commit() -> str | None:
    try:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


async def measure_baselines(config: Config, namespace: str) -> Baselines:
    dsn = db.with_database(ADMIN_DSN, unique("bench_baseline"))
    amqp = await aio_pika.connect_robust(AMQP_URL, client_properties={"connection_name": "mitra-bench-baseline"})
    broker = base.BrokerBaseline(amqp, f"{namespace}-baseline")
    try:
        await base.prepare_database(dsn)
        await broker.declare()
        pool = await db.create_pool(dsn, min_size=2, max_size=10)
        try:
            at_rate_count = int(config.rate * config.baseline_rate_seconds)
            _say(f"baseline: {config.baseline_events} asyncpg transactions (row + outbox row), saturated")
            saturated = await base.transactions_at_saturation(
                pool, base.registration_events(config.baseline_events), concurrency=10
            )
            _say(f"baseline: asyncpg transactions at {config.rate:g}/s for {config.baseline_rate_seconds:g}s")
            at_rate = await base.transactions_at_rate(
                pool, base.registration_events(at_rate_count), per_second=config.rate
            )
            _say("baseline: outbox relay alone over the filled outbox")
            relay = await base.relay_only(pool, dsn, amqp, broker.exchange, batch_size=config.relay_batch_size)
            await broker.purge()
        finally:
            await pool.close()
        _say(f"baseline: aio-pika publish + consume, {config.baseline_events} messages, saturated")
        broker_saturated = await broker.at_saturation(base.registration_events(config.baseline_events))
        _say(f"baseline: aio-pika publish + consume at {config.rate:g}/s")
        broker_at_rate = await broker.at_rate(base.registration_events(at_rate_count), per_second=config.rate)
    finally:
        await broker.delete()
        await amqp.close()
        await drop_databases(ADMIN_DSN, [dsn])
    return Baselines(saturated, at_rate, relay, broker_saturated, broker_at_rate)


async def measure_reporting_rebuild(config: Config) -> dict[str, Any] | NotAvailable:
    _say(f"scale: reporting's rebuild from a log of {config.rebuild_events} events (bulk insert first)")
    return await scale.reporting_rebuild(ADMIN_DSN, config.rebuild_events)


async def measure_deadline_tick(config: Config) -> dict[str, Any] | NotAvailable:
    _say(
        f"scale: deadline tick over {config.deadline_msps} MSPs, {config.deadline_obligations} obligations, "
        f"{config.deadline_due} due (bulk insert first)"
    )
    return await scale.deadline_tick(ADMIN_DSN, config.deadline_msps, config.deadline_obligations, config.deadline_due)


class Observers:
    def __init__(self, system: System, sink: SmtpSink) -> None:
        self.sink = sink
        self.subscriber = Subscriber(
            AMQP_URL, system.namespace, sorted({scenario.event_routing_key for scenario in SCENARIOS})
        )
        self.reporting = TablePoller(system.database_url("reporting"), QUERIES.reporting_events_after)
        self.inboxes = InboxCounter(
            {name: system.database_url(name) for name in CONSUMERS}, OrganizationRegistered.kind.type
        )

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
    """The running system with its observers; each load phase is followed by a drain until every effect is seen."""

    def __init__(self, config: Config, system: System, driver: Driver, observers: Observers, ends_by: float) -> None:
        self._config = config
        self._system = system
        self._driver = driver
        self._observers = observers
        self._cpu = CpuMeter(system)
        self._mix = Mix(SCENARIOS)
        self._ends_by = ends_by
        self.registered = 0

    async def phase(
        self,
        name: str,
        *,
        rate: float | None = None,
        clients: int = 0,
        seconds: float,
        then_needs: float = 0.0,
        profiler: Profiler | None = None,
    ) -> MeasuredPhase:
        """Run one load phase, then drain; `then_needs`: seconds the rest of the run needs after this phase."""
        if profiler is not None:
            profiler.start(self._system.pids(), seconds)
        before = self._cpu.snapshot()
        if rate is not None:
            _say(f"{name}: {rate:g} commands/s offered for {seconds:g}s")
            result = await self._driver.open_loop(
                self._mix, rate=rate, seconds=seconds, max_in_flight=self._config.max_in_flight, name=name
            )
        else:
            _say(f"{name}: {clients} clients for {seconds:g}s")
            result = await self._driver.closed_loop(self._mix, clients=clients, seconds=seconds, name=name)
        self.registered += len(result.ok)
        _say(f"{name}: {len(result.ok)} commands answered, {len(result.failed)} failed; waiting for every effect")
        consumed_at = await self._drain(result, then_needs)
        after = self._cpu.snapshot()
        figures = phase_figures(result, self._observers.arrivals(), notifications_consumed_at=consumed_at)
        used = CpuMeter.used(before, after)
        per_command = {key: seconds * 1000 / max(1, len(result.ok)) for key, seconds in used.items()}
        return MeasuredPhase(figures, per_command, CpuMeter.machine_shares(before, after))

    async def _drain(self, phase: PhaseResult, then_needs: float) -> float | None:
        """Wait until every effect of the phase was seen, or the drain time is up; return when notifications had
        consumed every registration so far (None: not within the drain time)."""
        deadline = min(time.monotonic() + self._config.drain_seconds, self._ends_by - then_needs)
        inboxes = self._observers.inboxes
        while time.monotonic() < deadline:
            consumed = all(inboxes.latest(name) >= self.registered for name in CONSUMERS)
            if consumed and all_seen(phase.ok, self._observers.arrivals()):
                break
            await asyncio.sleep(0.1)
        else:
            _say(f"{phase.name}: not every effect arrived within the drain time; the table counts what is missing")
        return inboxes.reached_at("notifications", self.registered)


async def run(config: Config) -> dict[str, Any]:
    started_at = datetime.now(UTC)
    stamp = started_at.strftime("%Y%m%dT%H%M%SZ")
    ends_by = time.monotonic() + config.time_budget_seconds
    namespace = unique("bench").replace("_", "-")
    load_before = _load_average()
    _say(f"mitra bench {stamp}: namespace {namespace}, load average {load_before}")

    if not config.baselines_while_starting:
        baselines = await measure_baselines(config, namespace)
        tick = await measure_deadline_tick(config)
        rebuild = await measure_reporting_rebuild(config)
    sink = SmtpSink("127.0.0.1", free_port())
    await sink.start()
    system = System(namespace=namespace, smtp_port=sink.port, log_dir=config.results_dir / f"{stamp}-logs")
    exit_codes: dict[str, int | None] = {}
    try:
        _say("starting the four services (python -m mitra_<service> serve), as make run does")
        await system.start(dict(config.service_env))
        if config.baselines_while_starting:
            baselines = await measure_baselines(config, namespace)
            tick = await measure_deadline_tick(config)
            rebuild = await measure_reporting_rebuild(config)
        await system.wait_ready()
        clients = {
            name: HttpClient(
                system.url(name),
                headers={"Authorization": f"Bearer {_token(SERVICE_ROLES[name])}"},
                timeout=HTTP_TIMEOUT_SECONDS,
            )
            for name in system.services
        }
        driver = Driver(clients, {scenario.name: scenario for scenario in SCENARIOS})
        recipient = await clients["notifications"].post(
            "/recipients",
            {"name": "Sekretariat TPOA (bench)", "role": "tpoa", "email": "tpoa@bench.example", "language": "id"},
        )
        if recipient.status != 201:
            raise RuntimeError(f"could not add the TPOA recipient: {recipient.status} {recipient.body!r}")
        observers = Observers(system, sink)
        await observers.start()
        bench = Bench(config, system, driver, observers, ends_by)
        # What each later part needs at least: its load, the open loop's unanswered tail, a short drain, the stop.
        open_loop_needs = config.open_loop_seconds + HTTP_TIMEOUT_SECONDS + SHORTEST_DRAIN_SECONDS
        stop_needs = STOP_SECONDS
        try:
            await bench.phase(
                "warm-up",
                clients=4,
                seconds=config.warm_up_seconds,
                then_needs=SCALE_SECONDS + config.closed_loop_seconds + 2 * open_loop_needs + stop_needs,
            )
            idle_rss = system.current_rss_mb()

            _say(f"scale: {config.scale_organizations} NGOs into registry's table, then list latency")
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
                f"saturation, {config.clients} clients",
                clients=config.clients,
                seconds=config.closed_loop_seconds,
                then_needs=2 * open_loop_needs + stop_needs,
                profiler=profiler,
            )
            profile = profiler.wait() if profiler is not None else {}
            at_target = await bench.phase(
                f"open loop {config.rate:g}/s",
                rate=config.rate,
                seconds=config.open_loop_seconds,
                then_needs=open_loop_needs + stop_needs,
            )
            # The latency the system gives when it is not overloaded: half of what it sustained at saturation.
            comfortable_rate = max(1.0, round(saturation.figures.http_per_second / 2))
            comfortable = await bench.phase(
                f"open loop {comfortable_rate:g}/s (half of saturation)",
                rate=comfortable_rate,
                seconds=config.open_loop_seconds,
                then_needs=stop_needs,
            )
            summary = (await clients["reporting"].get("/summary")).json()
            peak_rss = system.peak_rss_mb()
        finally:
            await observers.stop()
            for client in clients.values():
                await client.close()
    finally:
        _say("stopping the services")
        exit_codes = system.stop()
        await sink.stop()
        _say("dropping the run's databases and broker namespace")
        await system.clean_up()
        _say("done")

    rows = build_rows(
        rate=config.rate,
        clients=config.clients,
        baselines=baselines,
        at_target=at_target.figures,
        comfortable=comfortable.figures,
        saturation=saturation.figures,
        cpu_ms_per_command=saturation.cpu_ms_per_command,
        machine_shares=saturation.machine_shares,
        at_target_shares=at_target.machine_shares,
        comfortable_shares=comfortable.machine_shares,
        lists=lists,
        search=scale.search_not_available(openapi),
        pending_scenarios=PENDING_SCENARIOS,
        rebuild=rebuild if isinstance(rebuild, NotAvailable) else float(rebuild["events_per_second"]),
        rebuild_events=config.rebuild_events,
        deadline_tick=tick,
        deadline_sizes=(config.deadline_msps, config.deadline_obligations, config.deadline_due),
        idle_rss_mb=idle_rss,
        peak_rss_mb=peak_rss,
    )
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
        "phases": [phase.as_dict() for phase in (saturation, at_target, comfortable)],
        "lists": [entry.as_dict() for entry in lists],
        "deadline_tick": tick if isinstance(tick, dict) else str(tick),
        "reporting_rebuild": rebuild if isinstance(rebuild, dict) else str(rebuild),
        "reporting_summary_total": summary["organizations"]["total"],
        "registered_over_http": bench.registered,
        "observed": {
            "subscriber_deliveries": observers.subscriber.deliveries,
            "mails": sink.mails,
            "reporting_polls": observers.reporting.polls,
        },
        "rss_mb": {"after_warm_up": idle_rss, "peak": peak_rss},
        "service_exit_codes": exit_codes,
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
