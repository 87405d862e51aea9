"""The one place agreements is wired: settings, database, broker, routers, consumers, the deadline engine, app."""

from mitra_agreements import http
from mitra_agreements.consumers import registry_facts, staff_facts
from mitra_agreements.settings import AgreementsSettings
from mitra_agreements.workers.deadlines import DeadlineEngine
from mitra_shared.clock import Clock, system_clock
from mitra_shared.contracts import agreements as contracts
from mitra_shared.db import MigrationSource
from mitra_shared.service import Resources, ServiceSpec


def build_spec(settings: AgreementsSettings | None = None, clock: Clock = system_clock) -> ServiceSpec:
    settings = settings or AgreementsSettings()

    def deadline_engine(resources: Resources) -> DeadlineEngine:
        return DeadlineEngine(
            uow=resources.uow,
            clock=resources.clock,
            listen_dsn=settings.database_url.get_secret_value(),
            tick_seconds=settings.deadline_tick_seconds,
            reminder_days=settings.reminder_days,
            expiry_warning_days=settings.expiry_warning_days,
            batch_size=settings.deadline_batch_size,
            lanes=settings.deadline_lanes,
        )

    return ServiceSpec(
        name="agreements",
        title="Agreements",
        description="MSPs (Memorandum Saling Pengertian) from draft to end, and the obligations they create: "
        "work plans, reports, visits, recommendations. Learns of NGOs, permits and partners from registry's events.",
        version="0.2.0",
        settings=settings,
        migrations=MigrationSource("agreements", "mitra_agreements", "sql/migrations"),
        routers=http.ROUTERS,
        consumes={**registry_facts.HANDLERS, **staff_facts.HANDLERS},
        publishes=contracts.EVENTS,
        workers=[deadline_engine],
        openapi_tags=[
            {"name": "organizations", "description": "Agreements' copy of the register"},
            {"name": "msps", "description": "MSPs from draft to end"},
            {"name": "obligations", "description": "Work plans, reports and Action Plans: submissions and decisions"},
            {"name": "visits", "description": "Announcements of foreign guests' visits"},
            {"name": "recommendations", "description": "Visa/stay-permit and tax-exemption recommendations"},
            {"name": "monitoring", "description": "Monitoring visits per MSP and the mitigation actions that follow"},
            {
                "name": "imports",
                "description": "MSPs signed before Mitra, from XLSX or CSV files, with their obligations' history",
            },
            {
                "name": "documents",
                "description": "The files behind submissions, MSPs and recommendations: attach, list, download, "
                "publish",
            },
        ],
        clock=clock,
        documents=True,
    )
