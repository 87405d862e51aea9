"""Measures at scale: the register with many NGOs, reporting's rebuild, the deadline engine's tick.

Each is one function returning its figures, or `NotAvailable` naming the issue that brings what it needs.
"""

from __future__ import annotations

import gc
import json
import statistics
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from bench.load import Driver
from bench.queries import QUERIES
from bench.stats import LatencySummary, NotAvailable, rate, summarize_seconds
from mitra_shared import db
from mitra_shared.clock import jakarta_date

AGREEMENTS_MIGRATIONS = db.MigrationSource("agreements", "mitra_agreements")
REPORTING_MIGRATIONS = db.MigrationSource("reporting", "mitra_reporting")


@dataclass(frozen=True)
class ListLatency:
    """HTTP latency of one kind of list request, and the baseline: the least SQL that answers it, straight on the
    database (bench/queries.sql `baseline_list_organizations`; registry's own query may do more, e.g. search)."""

    name: str
    path: str
    http: LatencySummary | None
    database: LatencySummary | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": self.path,
            "http_ms": self.http.as_dict() if self.http else None,
            "database_ms": self.database.as_dict() if self.database else None,
        }


async def fill_register(registry_dsn: str, count: int) -> None:
    conn = await asyncpg.connect(registry_dsn)
    try:
        await conn.execute(QUERIES.bulk_register_organizations, count)
        await conn.execute(QUERIES.analyze_organizations)
    finally:
        await conn.close()


def search_parameter(openapi: dict[str, Any]) -> str | None:
    """The free-text search parameter of GET /organizations, if registry has one yet."""
    operation = openapi.get("paths", {}).get("/organizations", {}).get("get", {})
    names = {parameter.get("name") for parameter in operation.get("parameters", [])}
    return next((name for name in ("q", "search", "name") if name in names), None)


# (name, query string, the baseline query's parameters: status, country, focus area, limit, offset)
LIST_REQUESTS: list[tuple[str, str, tuple[Any, ...]]] = [
    ("list (first page of 50)", "", (None, None, None, 50, 0)),
    ("list, page 100", "?offset=5000", (None, None, None, 50, 5000)),
    ("filter by country", "?country=DE", (None, "DE", None, 50, 0)),
    ("filter by focus area", "?focus_area=hiv_aids", (None, None, "hiv_aids", 50, 0)),
]


async def list_latencies(
    driver: Driver, registry_dsn: str, openapi: dict[str, Any], *, count: int
) -> list[ListLatency]:
    results = []
    conn = await asyncpg.connect(registry_dsn)
    try:
        statement = await conn.prepare(QUERIES.baseline_list_organizations)
        for name, query, parameters in LIST_REQUESTS:
            http = await driver.sequential_gets("registry", [f"/organizations{query}"], count)
            database = []
            for _ in range(count):
                started = time.monotonic()
                await statement.fetch(*parameters)
                database.append(time.monotonic() - started)
            results.append(
                ListLatency(name, f"/organizations{query}", summarize_seconds(http), summarize_seconds(database))
            )
    finally:
        await conn.close()
    parameter = search_parameter(openapi)
    if parameter is not None:
        http = await driver.sequential_gets(
            "registry", [f"/organizations?{parameter}=ngo%20{i}" for i in range(1, 200, 7)], count
        )
        results.append(ListLatency(f"search by name (?{parameter}=)", "/organizations", summarize_seconds(http), None))
    return results


def search_not_available(openapi: dict[str, Any]) -> NotAvailable | None:
    if search_parameter(openapi) is None:
        return NotAvailable("needs issue 3: registry has no search parameter yet")
    return None


async def reporting_rebuild(admin_dsn: str, events: int) -> dict[str, Any] | NotAvailable:
    """Rebuild reporting's projections from a log of `events` registrations with reporting's own rebuild
    (`mitra_reporting.usecases.rebuild`), on a database of its own: events per second."""
    from mitra_reporting.usecases.rebuild import rebuild
    from mitra_shared.context import Context
    from mitra_shared.contracts.registry import OrganizationRegistered
    from mitra_shared.uow import UnitOfWork

    dsn = db.with_database(admin_dsn, f"bench_rebuild_{uuid.uuid4().hex[:12]}")
    await db.ensure_database(dsn)
    try:
        pool = await db.create_pool(dsn, min_size=1, max_size=1)
        try:
            async with pool.acquire() as conn:
                await db.apply_migrations(conn, [db.SHARED_MIGRATIONS, REPORTING_MIGRATIONS])
                await conn.execute(QUERIES.bulk_log_registrations, events, OrganizationRegistered.kind.type)
            started = time.monotonic()
            report = await rebuild(UnitOfWork(pool), Context.for_system("bench", datetime.now(UTC)))
            seconds = time.monotonic() - started
        finally:
            await pool.close()
    finally:
        await _drop(admin_dsn, dsn)
    return {
        "events": report.events,
        "applied": report.applied,
        "seconds": seconds,
        "events_per_second": rate(report.events, seconds),
    }


async def rebuild_run_log(dsn: str) -> dict[str, Any] | NotAvailable:
    """Rebuild the run's own reporting database from its own log (every event the phases' commands caused, in
    their real proportions and types), with reporting's own rebuild: events per second, and the log's types."""
    from mitra_reporting.usecases.rebuild import rebuild
    from mitra_shared.context import Context
    from mitra_shared.uow import UnitOfWork

    pool = await db.create_pool(dsn, min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            types = {row["event_type"]: row["count"] for row in await conn.fetch(QUERIES.event_log_types)}
        started = time.monotonic()
        report = await rebuild(UnitOfWork(pool), Context.for_system("bench", datetime.now(UTC)))
        seconds = time.monotonic() - started
    finally:
        await pool.close()
    if not report.events:
        return NotAvailable("the run's log is empty")
    return {
        "events": report.events,
        "applied": report.applied,
        "seconds": seconds,
        "events_per_second": rate(report.events, seconds),
        "types": types,
    }


async def _drop(admin_dsn: str, dsn: str) -> None:
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{db.database_name(dsn)}" WITH (FORCE)')
    finally:
        await admin.close()


async def deadline_tick(
    admin_dsn: str, msps: int, obligations: int, due: int, *, days: int = 3
) -> dict[str, Any] | NotAvailable:
    """The daily tick of agreements' running deadline engine over `msps` MSPs and `obligations` obligations of which
    `due` fall due that day, on `days` days one after the other: the median of their milliseconds (each is listed
    too), the notices each sent, and whether the plan of its due-obligations query uses an index. On a database of
    its own, filled by bulk SQL, with agreements' migrations and its own engine class
    (`mitra_agreements.workers.deadlines.DeadlineEngine.tick`, under a clock the benchmark moves a day at a time).

    The engine runs first on the day before, over as many others due then: that is the tick of a process that has
    just started, and pays once what a running engine has already done (each statement prepared and its types
    looked up on each pooled connection, the events' envelope classes built); its milliseconds are reported too."""
    from mitra_agreements.domain.dates import day_kind
    from mitra_agreements.sql import DEADLINES
    from mitra_agreements.workers.deadlines import DeadlineEngine
    from mitra_shared.uow import UnitOfWork

    dsn = db.with_database(admin_dsn, f"bench_deadlines_{uuid.uuid4().hex[:12]}")
    await db.ensure_database(dsn)
    try:
        conn = await db.connect(dsn)
        try:
            await db.apply_migrations(conn, [db.SHARED_MIGRATIONS, AGREEMENTS_MIGRATIONS])
            now = datetime.now(UTC)
            today = jakarta_date(now)
            await conn.execute(QUERIES.bulk_insert_msps, msps, today)
            await conn.execute(QUERIES.bulk_insert_obligations, obligations // msps, today, due, days + 1)
            await conn.execute(QUERIES.reminders_looked_through, today - timedelta(days=2))
            await conn.execute(QUERIES.analyze_deadline_tables)
            await conn.execute(QUERIES.checkpoint)
            query, *arguments = DEADLINES.due_reminders(
                today=today,
                due_kinds=["action_plan", "annual_report", "semester_report", "work_plan"],
                due_dates=[today + timedelta(days=lead) for lead in (1, 7, 30)],
                leads=[1, 7, 30],
                lead_keys=["due:1", "due:7", "due:30"],
                limit=1000,
            )
            plan = await conn.fetchval(f"EXPLAIN (FORMAT JSON) {query}", *arguments)
        finally:
            await conn.close()
        pool = await db.create_pool(dsn, min_size=1, max_size=4)
        try:
            moments = [now + timedelta(days=day) for day in range(-1, days)]
            clock = [moments[0]]  # moved a day at a time below; the engine reads it at each pass
            engine = DeadlineEngine(uow=UnitOfWork(pool), clock=lambda: clock[0], listen_dsn=dsn, tick_seconds=3600)
            for moment in moments:
                # Each year's holiday table is built once per process (about 0.25 s here); a running engine has it.
                day_kind(jakarta_date(moment))
                day_kind(jakarta_date(moment) + timedelta(days=7))
            # As a service does once started (mitra_shared.service): what exists now is frozen, so that a full
            # collection in a tick walks only what the tick made, not the whole benchmark's heap.
            gc.collect()
            gc.freeze()
            ticks = []
            for moment in moments:
                clock[0] = moment
                started = time.monotonic()
                notices = await engine.tick()
                ticks.append({"milliseconds": (time.monotonic() - started) * 1000, "notices": notices})
        finally:
            gc.unfreeze()
            await pool.close()
    finally:
        await _drop(admin_dsn, dsn)
    scans = sorted(_scans(plan[0]["Plan"] if isinstance(plan, list) else json.loads(plan)[0]["Plan"]))
    first, *daily = ticks
    return {
        "milliseconds": statistics.median(tick["milliseconds"] for tick in daily),
        "daily_milliseconds": [tick["milliseconds"] for tick in daily],
        "notices": min(tick["notices"] for tick in daily),
        "first_tick_milliseconds": first["milliseconds"],
        "first_tick_notices": first["notices"],
        "plan_scans": scans,
        # Of the tables that grow with the register (deadline_notices may be small enough to read whole).
        "uses_index": not any(scan.startswith(("Seq Scan on obligations", "Seq Scan on msps")) for scan in scans)
        and any("Index" in scan and "obligations" in scan for scan in scans),
    }


def _scans(node: dict[str, Any]) -> list[str]:
    """Each scan of a query plan (EXPLAIN FORMAT JSON) as "<node type> on <relation>"."""
    found = []
    if "Scan" in node.get("Node Type", ""):
        found.append(f"{node['Node Type']} on {node.get('Relation Name', '?')}")
    for child in node.get("Plans", []):
        found += _scans(child)
    return found
