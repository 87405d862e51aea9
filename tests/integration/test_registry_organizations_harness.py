"""The registry's HTTP API in the test process, on its own migrated database, with a clock the test sets.

No broker: the events a request records are read from the outbox, where they are committed with the change.
(The relay that publishes them is covered by the backbone tests and the end-to-end test.) Requests act as TPOA,
who keeps the register, unless a test names another caller (`as_=as_role("ngo", organization_id=...)`).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from support import ADMIN_DSN, unique
from support.app import asgi_client, prepared_app
from support.clock import FakeClock
from support.database import create_database, drop_database, migrate
from support.tokens import as_role

from mitra_registry.bootstrap import build_spec
from mitra_registry.settings import RegistrySettings
from mitra_shared import db
from mitra_shared.contracts.audit import AuditRecorded
from mitra_shared.uow import UnitOfWork

REGISTRY_MIGRATIONS = db.MigrationSource("registry", "mitra_registry")


@dataclass
class Registry:
    client: httpx.AsyncClient
    pool: asyncpg.Pool
    clock: FakeClock

    async def post(
        self, path: str, body: Any, *, subject: str = "tester", as_: dict[str, str] | None = None, **headers: str
    ) -> httpx.Response:
        caller = as_ if as_ is not None else as_role("tpoa", subject=subject)
        return await self.client.post(path, json=body, headers={**caller, **headers})

    async def patch(self, path: str, body: Any, *, as_: dict[str, str] | None = None, **headers: str) -> httpx.Response:
        caller = as_ if as_ is not None else as_role("tpoa")
        return await self.client.patch(path, json=body, headers={**caller, **headers})

    async def get(self, path: str, *, as_: dict[str, str] | None = None, **params: Any) -> httpx.Response:
        return await self.client.get(path, params=params, headers=as_ if as_ is not None else as_role("tpoa"))

    async def events(self, routing_key: str | None = None) -> list[dict[str, Any]]:
        """The registry's events recorded in the outbox (all of them, or those of one routing key), oldest first;
        the audit entries beside them are `audit()`'s."""
        rows = await self.pool.fetch("SELECT routing_key, body FROM outbox ORDER BY seq")
        return [
            json.loads(row["body"])
            for row in rows
            if routing_key == row["routing_key"] or (routing_key is None and row["routing_key"].startswith("registry."))
        ]

    async def audit(self) -> list[dict[str, Any]]:
        """The audit entries recorded in the outbox (`audit.registry.recorded`), oldest first, read by their contract
        (so an entry without `before` says `before: None`)."""
        return [
            AuditRecorded.model_validate(event["data"]).model_dump(mode="json")
            for event in await self.events("audit.registry.recorded")
        ]

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
        await migrate(dsn, [REGISTRY_MIGRATIONS])
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
async def registry_fixture(registry_database: str, tmp_path: Path) -> AsyncIterator[Registry]:
    """The registry's real app (not started: no broker) on the test's database, its clock the test's; requests
    carry no token unless the test's helpers add one."""
    pool = await db.create_pool(registry_database, min_size=1, max_size=8)
    # 10:00 in Jakarta (UTC+7) on a Monday.
    clock = FakeClock(datetime(2026, 3, 2, 3, 0, tzinfo=UTC))
    spec = build_spec(RegistrySettings(environment="test", documents_dir=tmp_path, tpoa_members=[]))
    app = prepared_app(spec, pool, clock)
    # The unit of work as the started service has it, named for the service: its audit entries are
    # `audit.registry.recorded`, with `service: registry`.
    app.state.uow = app.state.resources.uow = UnitOfWork(pool, service=spec.name)
    try:
        async with asgi_client(app, base_url=f"http://{spec.name}", headers={}) as client:
            yield Registry(client=client, pool=pool, clock=clock)
    finally:
        await pool.close()
