"""The registry's HTTP API in the test process, on its own migrated database, with a clock the test sets.

No broker: the events a request records are read from the outbox, where they are committed with the change.
(The relay that publishes them is covered by the backbone tests and the end-to-end test.)
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from support import ADMIN_DSN, JWT_AUDIENCE, JWT_ISSUER, auth_headers, create_database, drop_database, unique

from mitra_registry import api
from mitra_registry.organizations_http import current_clock
from mitra_shared import db
from mitra_shared.auth import TokenVerifier
from mitra_shared.http import install_problem_handlers
from mitra_shared.settings import DEVELOPMENT_JWT_SECRET

REGISTRY_MIGRATIONS = db.MigrationSource("registry", "mitra_registry")


class SetClock:
    """A clock that stands still until the test moves it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Registry:
    client: httpx.AsyncClient
    pool: asyncpg.Pool
    clock: SetClock

    async def post(self, path: str, body: Any, *, subject: str = "tester", **headers: str) -> httpx.Response:
        return await self.client.post(path, json=body, headers={**auth_headers(subject=subject), **headers})

    async def patch(self, path: str, body: Any, **headers: str) -> httpx.Response:
        return await self.client.patch(path, json=body, headers={**auth_headers(), **headers})

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.client.get(path, params=params, headers=auth_headers())

    async def events(self, routing_key: str | None = None) -> list[dict[str, Any]]:
        """The CloudEvents recorded in the outbox, oldest first."""
        rows = await self.pool.fetch("SELECT routing_key, body FROM outbox ORDER BY seq")
        return [json.loads(row["body"]) for row in rows if routing_key in (None, row["routing_key"])]

    async def count(self, table: str) -> int:
        assert table in {"organizations", "organization_status_changes", "foreign_staff_assignments", "outbox"}
        return int(await self.pool.fetchval(f"SELECT count(*) FROM {table}"))  # noqa: S608 - a fixed table name

    async def written(self) -> dict[str, int]:
        """How many rows each table the API writes holds: compare before and after a refused request."""
        tables = ("organizations", "organization_status_changes", "foreign_staff_assignments", "outbox")
        return {table: await self.count(table) for table in tables}

    async def register(self, **fields: Any) -> dict[str, Any]:
        body = {"legal_name": f"NGO {len(await self.events())}", "country_of_origin": "GB", **fields}
        response = await self.post("/organizations", body)
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    async def move(self, organization: dict[str, Any], *statuses: str) -> dict[str, Any]:
        """Walk an organization through the given statuses; return it as it is afterwards."""
        for status in statuses:
            response = await self.post(
                f"/organizations/{organization['id']}/status",
                {"status": status, "reason": f"to {status} for the test"},
                **{"If-Match": f'"{organization["version"]}"'},
            )
            assert response.status_code == 200, response.text
            organization = response.json()
        return organization


@pytest.fixture(scope="session")
def migrated_registry_template() -> Iterator[str]:
    """A database with the registry's migrations, that each test's own database is copied from (faster than
    migrating each)."""

    async def create() -> str:
        dsn = await create_database(unique("mitra_test_registry_template"))
        conn = await asyncpg.connect(dsn)
        try:
            await db.apply_migrations(conn, [db.SHARED_MIGRATIONS, REGISTRY_MIGRATIONS])
        finally:
            await conn.close()
        return dsn

    template = asyncio.run(create())
    try:
        yield db.database_name(template)
    finally:
        asyncio.run(drop_database(template))


@pytest.fixture
async def registry_database(migrated_registry_template: str) -> AsyncIterator[str]:
    name = unique("mitra_test_registry")
    admin = await asyncpg.connect(ADMIN_DSN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{migrated_registry_template}"')
    finally:
        await admin.close()
    dsn = db.with_database(ADMIN_DSN, name)
    try:
        yield dsn
    finally:
        await drop_database(dsn)


@pytest.fixture(name="registry")
async def registry_fixture(registry_database: str) -> AsyncIterator[Registry]:
    pool = await db.create_pool(registry_database, min_size=1, max_size=8)
    # 10:00 in Jakarta (UTC+7) on a Monday.
    clock = SetClock(datetime(2026, 3, 2, 3, 0, tzinfo=UTC))
    app = FastAPI()
    install_problem_handlers(app)
    app.state.verifier = TokenVerifier(
        key=DEVELOPMENT_JWT_SECRET, algorithms=["HS256"], issuer=JWT_ISSUER, audience=JWT_AUDIENCE
    )
    app.state.resources = SimpleNamespace(pool=pool)
    app.include_router(api.router)
    app.dependency_overrides[current_clock] = lambda: clock
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://registry.test") as client:
            yield Registry(client=client, pool=pool, clock=clock)
    finally:
        await pool.close()
