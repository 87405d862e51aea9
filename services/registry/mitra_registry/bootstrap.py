"""The one place the registry is wired: settings, database, broker, routers, HTTP app."""

from mitra_registry import api
from mitra_registry.settings import RegistrySettings
from mitra_shared.contracts import registry as contracts
from mitra_shared.db import MigrationSource
from mitra_shared.service import ServiceSpec


def build_spec(settings: RegistrySettings | None = None) -> ServiceSpec:
    return ServiceSpec(
        name="registry",
        title="Registry",
        description="The register of foreign NGOs (Ormas Asing), their permits and foreign staff, and the "
        "government partners (ministries, TPOA, regional governments).",
        version="0.1.0",
        settings=settings or RegistrySettings(),
        migrations=MigrationSource("registry", "mitra_registry"),
        routers=[api.router],
        publishes=contracts.EVENTS,
        openapi_tags=[{"name": "organizations", "description": "Foreign NGOs in the register"}],
    )
