"""The one place reporting is wired: settings, database, broker, routers, HTTP app."""

import structlog

from mitra_reporting.consumers import audit_entries
from mitra_reporting.consumers.projections import HANDLERS
from mitra_reporting.http import (
    annual_summary,
    audit,
    documents,
    funding,
    msps,
    obligations,
    organizations,
    public,
    stories,
    visits,
)
from mitra_reporting.settings import ReportingSettings
from mitra_reporting.usecases.audit import privileges_beyond_appending, verify_chain
from mitra_reporting.usecases.rebuild import rebuild
from mitra_shared.clock import system_clock
from mitra_shared.context import Context
from mitra_shared.contracts import reporting as reporting_contracts
from mitra_shared.db import MigrationSource, create_pool
from mitra_shared.service import AdminCommand, Resources, ServiceSpec
from mitra_shared.settings import ServiceSettings
from mitra_shared.uow import UnitOfWork

log = structlog.get_logger(__name__)


async def run_rebuild(settings: ServiceSettings) -> str:
    pool = await create_pool(settings.database_url.get_secret_value(), min_size=1, max_size=1)
    try:
        return str(await rebuild(UnitOfWork(pool), Context.for_system("reporting.rebuild", system_clock())))
    finally:
        await pool.close()


async def run_verify_audit(settings: ServiceSettings) -> str:
    pool = await create_pool(settings.database_url.get_secret_value(), min_size=1, max_size=1)
    try:
        verdict = await verify_chain(UnitOfWork(pool, service="reporting"))
    finally:
        await pool.close()
    if not verdict.intact:
        # The command line prints what a command returns and exits 0; a broken chain must exit non-zero (1).
        raise SystemExit(str(verdict))
    return str(verdict)


async def audit_log_is_append_only(resources: Resources) -> None:
    """The role reporting runs as may add and read audit entries, nothing more; outside local and test runs it
    refuses to start otherwise."""
    beyond = await privileges_beyond_appending(resources.uow)
    if not beyond:
        return
    problem = (
        f"the database role reporting runs as may {', '.join(beyond)} the audit log: run it as a runtime role "
        "(MITRA_DATABASE_URL) and migrate as the owner role (MITRA_MIGRATION_DATABASE_URL); see README, Database roles"
    )
    if resources.settings.environment in ("local", "test"):
        log.warning("audit log not append-only for this role", problem=problem)
        return
    raise RuntimeError(problem)


def build_spec(settings: ReportingSettings | None = None) -> ServiceSpec:
    return ServiceSpec(
        name="reporting",
        title="Reporting",
        description="Consumes every event into its own read model and answers the questions ministries, TPOA "
        "and regional governments ask: summaries, compliance, exports.",
        version="0.1.0",
        settings=settings or ReportingSettings(),
        migrations=MigrationSource("reporting", "mitra_reporting", "sql/migrations"),
        routers=[
            organizations.router,
            stories.router,
            msps.router,
            funding.router,
            visits.router,
            obligations.router,
            annual_summary.router,
            documents.router,
            audit.router,
            public.router,
        ],
        # The projections' events, and every service's audit entries (into the hash-chained audit log).
        consumes={**HANDLERS, **audit_entries.HANDLERS},
        publishes=reporting_contracts.EVENTS,
        # The log's order is the order events were applied in, so a rebuild replays exactly what live consumption did.
        ordered_consumption=True,
        startup_checks=[audit_log_is_append_only],
        # Story photos and kept annual summaries: the documents table, the store, resumable uploads, the sweeper.
        documents=True,
        openapi_tags=[
            {"name": "summary", "description": "Counts across the cooperation"},
            {"name": "dashboards", "description": "MSPs, regions and visits, filterable by ministry, region, period"},
            {"name": "compliance", "description": "Obligations on time, late and overdue; the risk score"},
            {"name": "lists", "description": "Lists, as JSON, CSV or XLSX"},
            {"name": "open data", "description": "IATI 2.03 activity export"},
            {"name": "open register", "description": "The register of foreign NGOs for anyone, without a token"},
            {"name": "stories", "description": "Good practices and success stories (Praktik Baik dan Kisah Sukses)"},
            {"name": "audit", "description": "The audit trail: every change, who made it, the values before and after"},
        ],
        commands={
            "rebuild": AdminCommand(
                help="rebuild every projection from the event log (the API keeps answering meanwhile)",
                run=run_rebuild,
            ),
            "verify-audit": AdminCommand(
                help="recompute the audit log's hash chain: exit 0 if intact, 1 naming the first entry that is not",
                run=run_verify_audit,
            ),
        },
    )
