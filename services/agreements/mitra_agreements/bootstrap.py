"""The one place agreements is wired: settings, database, broker, routers, HTTP app."""

from mitra_agreements import api, registry_facts
from mitra_agreements.settings import AgreementsSettings
from mitra_shared.db import MigrationSource
from mitra_shared.service import ServiceSpec


def build_spec(settings: AgreementsSettings | None = None) -> ServiceSpec:
    return ServiceSpec(
        name="agreements",
        title="Agreements",
        description="MSPs (Memorandum Saling Pengertian) from draft to end, and the obligations they create: "
        "work plans, reports, visits, recommendations.",
        version="0.1.0",
        settings=settings or AgreementsSettings(),
        migrations=MigrationSource("agreements", "mitra_agreements"),
        routers=[api.router],
        consumes=registry_facts.HANDLERS,
        openapi_tags=[{"name": "organizations", "description": "Agreements' copy of the register"}],
    )
