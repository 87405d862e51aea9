"""The one place the console is wired: settings, database, routers (the API's and the web pages'), the key rotation
worker, HTTP app."""

from mitra_console.http import accounts, clients, tokens
from mitra_console.http.web import ROUTERS as WEB_ROUTERS
from mitra_console.settings import ConsoleSettings
from mitra_console.usecases.config import ConsoleConfig
from mitra_console.workers.key_rotation import KeyRotationWorker
from mitra_console.workers.templates import TemplateWarmUp
from mitra_shared.contracts import console as console_contracts
from mitra_shared.db import MigrationSource
from mitra_shared.service import Resources, ServiceSpec


def build_spec(settings: ConsoleSettings | None = None) -> ServiceSpec:
    settings = settings or ConsoleSettings()
    config = ConsoleConfig.from_settings(settings)

    def key_rotation(resources: Resources) -> KeyRotationWorker:
        return KeyRotationWorker(
            uow=resources.uow,
            clock=resources.clock,
            config=config,
            listen_dsn=settings.database_url.get_secret_value(),
            tick_seconds=settings.console_key_rotation_tick_seconds,
        )

    return ServiceSpec(
        name="console",
        title="Console",
        description="Mitra's front door: the web console people work in (in Bahasa Indonesia and English), accounts "
        "of people (one role and scope each), login, short-lived access tokens signed with rotated keys (published as "
        "JWKS), and OAuth 2.0 client credentials for integration systems.",
        version="0.1.0",
        settings=settings,
        migrations=MigrationSource("console", "mitra_console", "sql/migrations"),
        publishes=console_contracts.EVENTS,
        routers=[tokens.router, accounts.router, clients.router, *WEB_ROUTERS],
        workers=[key_rotation, lambda resources: TemplateWarmUp()],
        openapi_tags=[
            {"name": "tokens", "description": "Log in; tokens for people and for integration systems"},
            {"name": "keys", "description": "The public keys that verify the tokens, and OpenID discovery"},
            {"name": "accounts", "description": "Accounts of people: one role and its scope each"},
            {"name": "clients", "description": "OAuth 2.0 clients: integration systems"},
        ],
    )
