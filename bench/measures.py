"""The parts of a run measured apart from Mitra's load phases: the bare parts, the deadline tick, the rebuild, the
bare pipeline (same work), the console's users; and the run's configuration."""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aio_pika

from bench import baselines as base
from bench import console_load, mix, scale
from bench.bare_system import BareSystem
from bench.console_load import ConsoleFigures
from bench.http_client import HttpClient
from bench.load import REGISTER_NGO, Driver, Mix
from bench.observers import SmtpSink
from bench.phases import Bench, Observers
from bench.report import Baselines
from bench.stats import NotAvailable
from bench.system import ADMIN_DSN, AMQP_URL, CpuMeter, System, unique
from mitra_devtools.launcher import drop_databases
from mitra_shared import db
from mitra_shared.auth import issue_token
from mitra_shared.settings import DEVELOPMENT_JWT_SECRET

REPO = Path(__file__).resolve().parents[1]
# Rough needs of the parts of a run, to keep the whole within its time budget.
HTTP_TIMEOUT_SECONDS = 30.0
SHORTEST_DRAIN_SECONDS = 15.0
SCALE_SECONDS = 45.0
STOP_SECONDS = 30.0
CONSOLE_LOGIN_SECONDS = 15.0


@dataclass(frozen=True)
class Config:
    rate: float = 500.0  # the baselines' offered rate, and the overload phase's when asked for
    open_loop_seconds: float = 20.0
    clients: int = 32
    # Saturation as long as the bare pipeline's: the same backlog to drain for the same comparison (at 30 s, once
    # registry answered 420/s, the drain of Mitra's backlog no longer fitted the run and its end-to-end rate was lost).
    closed_loop_seconds: float = 15.0
    # The bare pipeline's saturation and half-saturation phases.
    bare_seconds: float = 15.0
    # Run the open loop at `rate` too (overload: the queues only grow; off by default, it only costs drain time).
    overload: bool = False
    # MSPs prepared for the command mix: as many approved (each signed once) and signed (their reports submitted).
    mix_msps: int = 400
    mix_seconds: float = 20.0
    console_users: int = 20
    console_seconds: float = 15.0
    warm_up_seconds: float = 5.0
    baseline_events: int = 10_000
    baseline_rate_seconds: float = 10.0
    scale_organizations: int = 10_000
    list_requests: int = 200
    drain_seconds: float = 120.0
    # The whole run stays within this: a drain is cut short (its missing effects are counted) to keep to it.
    time_budget_seconds: float = 480.0
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


def service_token(role: str) -> str:
    return issue_token(
        secret=os.environ.get("MITRA_JWT_SECRET") or DEVELOPMENT_JWT_SECRET,
        subject="mitra-bench",
        issuer=os.environ.get("MITRA_JWT_ISSUER", "mitra-local"),
        audience=os.environ.get("MITRA_JWT_AUDIENCE", "mitra"),
        roles=[role],
        lifetime_seconds=3 * 3600,
    )


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


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
            say(f"baseline: {config.baseline_events} asyncpg transactions (row + outbox row), saturated")
            saturated = await base.transactions_at_saturation(
                pool, base.registration_events(config.baseline_events), concurrency=10
            )
            say(f"baseline: asyncpg transactions at {config.rate:g}/s for {config.baseline_rate_seconds:g}s")
            at_rate = await base.transactions_at_rate(
                pool, base.registration_events(at_rate_count), per_second=config.rate
            )
            say("baseline: outbox relay alone over the filled outbox")
            relay = await base.relay_only(pool, dsn, amqp, broker.exchange, batch_size=config.relay_batch_size)
            await broker.purge()
        finally:
            await pool.close()
        say(f"baseline: aio-pika publish + consume, {config.baseline_events} messages, saturated")
        broker_saturated = await broker.at_saturation(base.registration_events(config.baseline_events))
        say(f"baseline: aio-pika publish + consume at {config.rate:g}/s")
        broker_at_rate = await broker.at_rate(base.registration_events(at_rate_count), per_second=config.rate)
    finally:
        await broker.delete()
        await amqp.close()
        await drop_databases(ADMIN_DSN, [dsn])
    return Baselines(saturated, at_rate, relay, broker_saturated, broker_at_rate)


async def measure_reporting_rebuild(config: Config) -> dict[str, Any] | NotAvailable:
    say(f"scale: reporting's rebuild from a log of {config.rebuild_events} events (bulk insert first)")
    return await scale.reporting_rebuild(ADMIN_DSN, config.rebuild_events)


async def measure_deadline_tick(config: Config) -> dict[str, Any] | NotAvailable:
    say(
        f"scale: deadline tick over {config.deadline_msps} MSPs, {config.deadline_obligations} obligations, "
        f"{config.deadline_due} due a day: the engine's first tick, then three days' (bulk insert first)"
    )
    return await scale.deadline_tick(ADMIN_DSN, config.deadline_msps, config.deadline_obligations, config.deadline_due)


async def measure_bare(config: Config, sink: SmtpSink, namespace: str, log_dir: Path, ends_by: float) -> dict[str, Any]:
    """The bare pipeline (same work) at saturation and at half of it, measured as Mitra is; then stopped."""
    bare = BareSystem(namespace=f"{namespace}-bare", smtp_port=sink.port, log_dir=log_dir)
    client: HttpClient | None = None
    observers: Observers | None = None
    exit_codes: dict[str, int | None] = {}
    try:
        say("bare pipeline (same work): starting its four processes (python -m bench.bare <role>)")
        await bare.start()
        await bare.wait_ready()
        client = HttpClient(bare.url("registry"), timeout=HTTP_TIMEOUT_SECONDS)
        registrations = Mix([REGISTER_NGO])
        observers = Observers(bare, sink, [REGISTER_NGO.event_routing_key], [REGISTER_NGO.event_type])
        await observers.start()
        bench = Bench(
            CpuMeter(bare),  # type: ignore[arg-type]
            Driver({"registry": client}),
            observers,
            ends_by=ends_by,
            drain_seconds=config.drain_seconds,
            max_in_flight=config.max_in_flight,
            pids=bare.pids(),
        )
        await bench.phase("bare warm-up", registrations, clients=4, seconds=config.warm_up_seconds / 2, say=say)
        saturation = await bench.phase(
            f"bare pipeline, saturation, {config.clients} clients",
            registrations,
            clients=config.clients,
            seconds=config.bare_seconds,
            say=say,
        )
        half = max(1.0, round(saturation.figures.sustained_per_second / 2))
        comfortable = await bench.phase(
            f"bare pipeline, open loop {half:g}/s", registrations, rate=half, seconds=config.bare_seconds, say=say
        )
        return {
            "saturation": saturation,
            "comfortable": comfortable,
            "peak_rss": bare.peak_rss_mb(),
            "exit_codes": exit_codes,  # filled in when they have stopped, below
        }
    finally:
        if observers is not None:
            await observers.stop()
        if client is not None:
            await client.close()
        # In a thread: the SMTP server the processes say goodbye to runs on this event loop.
        exit_codes.update(await asyncio.to_thread(bare.stop))
        await bare.clean_up()
        say(f"bare pipeline stopped: {exit_codes}")


async def measure_console(config: Config, system: System, world: mix.World) -> ConsoleFigures | NotAvailable:
    """20 people logged in at the console, each fetching its role's main pages (bench/console_load.py)."""
    say(f"console: {config.console_users} users logged in through the login form, for {config.console_seconds:g}s")
    admin = HttpClient(
        system.url("console"),
        headers={"Authorization": f"Bearer {service_token('admin')}"},
        timeout=HTTP_TIMEOUT_SECONDS,
    )
    try:
        people = console_load.personas(world.organization_id, world.ministry_code, world.signed[0])
        return await console_load.measure(
            system.url("console"), admin, people, users=config.console_users, seconds=config.console_seconds
        )
    except RuntimeError as error:
        return NotAvailable(str(error)[:200])
    finally:
        await admin.close()
