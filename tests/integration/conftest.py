"""Fixtures of the integration tests beyond the common ones (tests/conftest.py): a migrated registry database per
module, with the registry's real app over ASGI."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import asyncpg
import httpx
import pytest
from support.app import api_client
from support.database import create_migrated_database, drop_database
from support.tokens import as_role

from mitra_shared import db
from mitra_shared.documents import DOCUMENTS_MIGRATIONS

REGISTRY_MIGRATIONS = db.MigrationSource("registry", "mitra_registry")
REGISTRY_TABLES = (
    "TRUNCATE outbox, documents, permit_reminders, permit_extensions, permits, partners, organizations CASCADE"
)


@pytest.fixture(scope="module")
def registry_database() -> Iterator[str]:
    """One migrated registry database per module (a new one per test costs a second or more); tests empty it."""
    dsn = asyncio.run(create_migrated_database([DOCUMENTS_MIGRATIONS, REGISTRY_MIGRATIONS]))
    yield dsn
    asyncio.run(drop_database(dsn))


@pytest.fixture
async def registry_pool(registry_database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await db.create_pool(registry_database, min_size=1, max_size=4)
    try:
        await pool.execute(REGISTRY_TABLES)
        yield pool
    finally:
        await pool.close()


@pytest.fixture
def registry_caller() -> dict[str, str]:
    """Who `registry_client` acts as: TPOA, who keeps the register (override it to act as another role)."""
    return as_role("tpoa")


@pytest.fixture
async def registry_client(
    registry_pool: asyncpg.Pool, registry_caller: dict[str, str]
) -> AsyncIterator[httpx.AsyncClient]:
    """The registry's real app (routers, auth, problem details) on the test's database; no broker needed. Its
    requests carry `registry_caller`'s token (TPOA's unless overridden)."""
    # Imported here: the other services' integration tests do not depend on the registry's package importing.
    from mitra_registry.bootstrap import build_spec
    from mitra_registry.settings import RegistrySettings

    spec = build_spec(RegistrySettings(environment="test", tpoa_members=[]))  # no member review unless a test asks
    async with api_client(spec, registry_pool, headers=registry_caller) as client:
        yield client
