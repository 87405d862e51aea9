"""Fixtures shared by the integration tests: a migrated pool and a broker connection for the backbone; a migrated
registry database per module with the registry's real app over ASGI."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from types import SimpleNamespace

import aio_pika
import asyncpg
import httpx
import pytest
from aio_pika.abc import AbstractRobustConnection
from support import AMQP_URL, auth_headers, create_database, drop_database

from mitra_registry.bootstrap import build_spec
from mitra_registry.settings import RegistrySettings
from mitra_shared import db
from mitra_shared.service import create_app
from mitra_shared.uow import UnitOfWork

REGISTRY_TABLES = "TRUNCATE outbox, permit_reminders, permit_extensions, permits, partners, organizations CASCADE"


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on the test's own database, with the shared migrations (outbox, inbox) applied."""
    conn = await asyncpg.connect(database)
    try:
        await db.apply_migrations(conn, [db.SHARED_MIGRATIONS])
    finally:
        await conn.close()
    pool = await db.create_pool(database, min_size=1, max_size=8)
    try:
        yield pool
    finally:
        await pool.close()


@pytest.fixture
async def amqp() -> AsyncIterator[AbstractRobustConnection]:
    """A broker connection of the test's own (the code under test opens its channels on it)."""
    connection = await aio_pika.connect_robust(AMQP_URL, client_properties={"connection_name": "mitra-tests"})
    try:
        yield connection
    finally:
        await connection.close()


@pytest.fixture(scope="module")
def registry_database() -> Iterator[str]:
    """One migrated registry database per module (a new one per test costs a second or more); tests empty it."""

    async def create() -> str:
        dsn = await create_database()
        conn = await asyncpg.connect(dsn)
        try:
            await db.apply_migrations(conn, [db.SHARED_MIGRATIONS, db.MigrationSource("registry", "mitra_registry")])
        finally:
            await conn.close()
        return dsn

    dsn = asyncio.run(create())
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
async def registry_client(registry_pool: asyncpg.Pool) -> AsyncIterator[httpx.AsyncClient]:
    """The registry's real app (routers, auth, problem details) on the test's database; no broker needed."""
    app = create_app(build_spec(RegistrySettings(environment="test")))
    app.state.resources = SimpleNamespace(pool=registry_pool)
    app.state.uow = UnitOfWork(registry_pool)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry", headers=auth_headers()) as client:
        yield client
