"""The one place the registry is wired: settings, database, broker, routers, workers, HTTP app."""

from mitra_registry.http import (
    imports,
    organizations,
    partners,
    permit_documents,
    permits,
    regions,
    reviews,
    sanctions,
    staff,
)
from mitra_registry.settings import RegistrySettings
from mitra_registry.workers.permit_expiry import PermitExpiryScheduler
from mitra_registry.workers.sanction_expiry import SanctionExpiryWorker
from mitra_shared.contracts import registry as contracts
from mitra_shared.db import MigrationSource
from mitra_shared.service import Resources, ServiceSpec


def build_spec(settings: RegistrySettings | None = None) -> ServiceSpec:
    settings = settings or RegistrySettings()

    def permit_expiry_scheduler(resources: Resources) -> PermitExpiryScheduler:
        return PermitExpiryScheduler(
            uow=resources.uow,
            clock=resources.clock,
            listen_dsn=settings.database_url.get_secret_value(),
            lead_days=settings.permit_reminder_days,
            tick_seconds=settings.permit_expiry_tick_seconds,
            batch_size=settings.permit_expiry_batch_size,
        )

    def sanction_expiry_worker(resources: Resources) -> SanctionExpiryWorker:
        return SanctionExpiryWorker(
            uow=resources.uow,
            clock=resources.clock,
            listen_dsn=settings.database_url.get_secret_value(),
            tick_seconds=settings.sanction_expiry_tick_seconds,
            batch_size=settings.permit_expiry_batch_size,
        )

    return ServiceSpec(
        name="registry",
        title="Registry",
        description="The register of foreign NGOs (Ormas Asing), their permits and foreign staff, and the "
        "government partners (ministries, TPOA, regional governments).",
        version="0.1.0",
        settings=settings,
        migrations=MigrationSource("registry", "mitra_registry", "sql/migrations"),
        # The regions import comes before the partners router, whose /partners/{partner_id} would shadow it.
        routers=[
            organizations.router,
            sanctions.router,
            reviews.router,
            staff.router,
            regions.router,
            partners.router,
            permits.router,
            permit_documents.router,
            imports.router,
        ],
        publishes=contracts.EVENTS,
        workers=[permit_expiry_scheduler, sanction_expiry_worker],
        # Permit scans: the documents table, the store, resumable uploads (/uploads) and the sweeper.
        documents=True,
        openapi_tags=[
            {"name": "organizations", "description": "Foreign NGOs in the register"},
            {"name": "sanctions", "description": "Warnings, freezes and revocations TPOA imposes on NGOs"},
            {"name": "application review", "description": "TPOA's member ministries clear or object to applications"},
            {"name": "permits", "description": "Principle and operating permits, their extensions and expiry"},
            {"name": "partners", "description": "Ministries (K/L), TPOA and regional governments, with contacts"},
            {"name": "imports", "description": "Bulk imports of records that predate Mitra, from CSV or XLSX files"},
        ],
    )
