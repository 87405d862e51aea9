"""A service restored from a backup catches up: reporting's database is dumped, more events flow, the dump is
restored, and the registry republishes from its outbox into reporting's queue alone (`republish --to`). Reporting
then holds what a reporting that never lost anything holds, and no event is applied twice.

Real PostgreSQL (pg_dump/pg_restore of the server's version) and RabbitMQ; reporting runs in the test's process,
the command lines (`queues`, `republish`) as the operator runs them."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aio_pika
import asyncpg
import httpx
import pytest
from support.app import api_client
from support.broker import AMQP_URL, delete_namespace
from support.database import create_database, create_migrated_database, drop_database
from support.paths import REPO
from support.polling import eventually

from mitra_registry.bootstrap import build_spec as registry_spec
from mitra_registry.settings import RegistrySettings
from mitra_reporting.bootstrap import build_spec as reporting_spec
from mitra_reporting.settings import ReportingSettings
from mitra_reporting.usecases.audit import verify_chain
from mitra_shared import db
from mitra_shared.documents import DOCUMENTS_MIGRATIONS
from mitra_shared.outbox import OutboxRelay
from mitra_shared.service import ServiceRuntime
from mitra_shared.uow import UnitOfWork

pytestmark = pytest.mark.integration
POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
COMMAND_TIMEOUT = 60.0


def postgres_tool(name: str) -> str:
    found = shutil.which(name) or (str(POSTGRES_BIN / name) if (POSTGRES_BIN / name).exists() else None)
    # make infra installs PostgreSQL (with pg_dump and pg_restore): missing, the set-up is broken, not the test.
    assert found is not None, f"{name} is not installed: apt-get install -y postgresql-client"
    return found


async def command(*args: str, env: dict[str, str] | None = None, stdin: bytes | None = None, expect: int = 0) -> str:
    """Run a command to its end (within a deadline) and check its exit status: its standard output, or its standard
    error when it is expected to fail; AssertionError with its errors otherwise."""
    process = await asyncio.create_subprocess_exec(
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **(env or {})},
        cwd=REPO,
    )
    out, err = await asyncio.wait_for(process.communicate(stdin), COMMAND_TIMEOUT)
    assert process.returncode == expect, f"{args[:3]} exited {process.returncode}: {err.decode()[-3000:]}"
    return out.decode() if expect == 0 else err.decode()


def service_env(database_url: str, namespace: str) -> dict[str, str]:
    return {
        "MITRA_ENVIRONMENT": "test",
        "MITRA_DATABASE_URL": database_url,
        "MITRA_AMQP_URL": AMQP_URL,
        "MITRA_AMQP_NAMESPACE": namespace,
    }


class Reporting:
    """Reporting on its own database, started and stopped as a whole service would be."""

    def __init__(self, dsn: str, namespace: str, documents: Path) -> None:
        self.dsn = dsn
        self.settings = ReportingSettings(
            environment="test", database_url=dsn, amqp_url=AMQP_URL, amqp_namespace=namespace, documents_dir=documents
        )
        self.runtime: ServiceRuntime | None = None

    async def start(self) -> None:
        self.runtime = ServiceRuntime(reporting_spec(self.settings))
        await self.runtime.start()

    async def stop(self) -> None:
        if self.runtime is not None:
            await self.runtime.stop()
            self.runtime = None

    async def fetch(self, query: str) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(self.dsn)
        try:
            return list(await conn.fetch(query))
        finally:
            await conn.close()


@pytest.fixture
async def registry_dsn() -> AsyncIterator[str]:
    dsn = await create_migrated_database([DOCUMENTS_MIGRATIONS, db.MigrationSource("registry", "mitra_registry")])
    yield dsn
    await drop_database(dsn)


@pytest.fixture
async def reporting(namespace: str, tmp_path: Path) -> AsyncIterator[Reporting]:
    dsn = await create_database()
    service = Reporting(dsn, namespace, tmp_path / "documents")
    await service.start()
    try:
        yield service
    finally:
        await service.stop()
        await delete_namespace(namespace, ["reporting"])
        await drop_database(dsn)


@pytest.fixture
async def registry(
    registry_dsn: str, namespace: str, reporting: Reporting, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    """The registry's API on its database, and its outbox relay publishing to the test's namespace (whose exchange
    reporting declared)."""
    pool = await db.create_pool(registry_dsn, min_size=1, max_size=4)
    amqp = await aio_pika.connect_robust(AMQP_URL)
    relay = OutboxRelay(
        pool=pool, listen_dsn=registry_dsn, amqp=amqp, exchange_name=f"{namespace}.events", poll_interval=0.2
    )
    await relay.start()
    settings = RegistrySettings(environment="test", tpoa_members=[], documents_dir=tmp_path / "registry-documents")
    try:
        async with api_client(registry_spec(settings), pool) as client:
            yield client
    finally:
        await relay.stop()
        await amqp.close()
        await pool.close()


async def register(registry: httpx.AsyncClient, names: Sequence[str]) -> list[dict[str, Any]]:
    made = []
    for name in names:
        response = await registry.post("/organizations", json={"legal_name": name, "country_of_origin": "nl"})
        assert response.status_code == 201, response.text
        made.append(response.json())
    return made


async def applied(reporting: Reporting, registry_dsn: str) -> bool:
    """Reporting holds every organization the registry has, under its current name, and every audit entry."""
    conn = await asyncpg.connect(registry_dsn)
    try:
        facts = {(row["id"], row["legal_name"]) for row in await conn.fetch("SELECT id, legal_name FROM organizations")}
        audits = await conn.fetchval("SELECT count(*) FROM outbox WHERE routing_key LIKE 'audit.%'")
    finally:
        await conn.close()
    rows = await reporting.fetch("SELECT organization_id, legal_name FROM organizations")
    projected = {(row["organization_id"], row["legal_name"]) for row in rows}
    [audit_log] = await reporting.fetch("SELECT count(*) FROM audit_log")
    return projected == facts and audit_log[0] == audits


async def test_a_restored_reporting_catches_up_from_the_registrys_outbox(
    registry: httpx.AsyncClient, reporting: Reporting, registry_dsn: str, namespace: str, tmp_path: Path
) -> None:
    first = await register(registry, ["Oxfam Novib", "Cordaid", "ICCO"])
    await eventually(lambda: applied(reporting, registry_dsn), timeout=30, description="reporting up to date")

    # The nightly backup; the margin covers what was in flight (queued, waiting to be retried) when it was taken.
    since = datetime.now(UTC) - timedelta(minutes=10)
    dump = tmp_path / "reporting.dump"
    await command(postgres_tool("pg_dump"), "--format=custom", f"--file={dump}", f"--dbname={reporting.dsn}")

    # The day goes on: more registrations, a name changed.
    await register(registry, ["Plan International", "Save the Children"])
    changed = await registry.patch(
        f"/organizations/{first[0]['id']}",
        json={"legal_name": "Oxfam Novib International"},
        headers={"If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    await eventually(lambda: applied(reporting, registry_dsn), timeout=30, description="reporting up to date")
    [[before_loss]] = await reporting.fetch("SELECT count(*) FROM event_log")

    # Reporting's database is lost and restored from the dump, reporting stopped meanwhile.
    await reporting.stop()
    await command(
        postgres_tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--single-transaction",
        f"--dbname={reporting.dsn}",
        str(dump),
    )
    [[restored]] = await reporting.fetch("SELECT count(*) FROM event_log")
    assert restored < before_loss, "the dump holds the state before the later events"
    await reporting.start()
    assert not await applied(reporting, registry_dsn)

    unrouted_before = await message_count(f"{namespace}.unrouted.kept")
    # The operator asks reporting for its queue and the keys it binds, and the registry republishes into it alone.
    reporting_env = service_env(reporting.dsn, namespace)
    queue = (await command(sys.executable, "-m", "mitra_reporting", "queues", env=reporting_env)).strip()
    assert queue == f"{namespace}.reporting"
    keys = await command(sys.executable, "-m", "mitra_reporting", "queues", "--routing-keys", env=reporting_env)
    registry_env = service_env(registry_dsn, namespace)
    republish = [sys.executable, "-m", "mitra_registry", "republish", f"--since={since.isoformat()}", f"--to={queue}"]
    counted = await command(*republish, "--routing-keys-from=-", "--dry-run", env=registry_env, stdin=keys.encode())
    output = await command(*republish, "--routing-keys-from=-", env=registry_env, stdin=keys.encode())
    bound = keys.split()
    conn = await asyncpg.connect(registry_dsn)
    try:
        published = await conn.fetchval("SELECT count(*) FROM outbox WHERE routing_key = ANY($1::text[])", bound)
        audits = await conn.fetchval("SELECT count(*) FROM outbox WHERE routing_key = 'audit.registry.recorded'")
    finally:
        await conn.close()
    assert {"registry.organization.registered", "registry.organization.updated", "audit.registry.recorded"} <= set(
        bound
    )
    assert f"registry: {published} event(s) would be republished to queue {queue}" in counted
    assert f"registry: {published} event(s) republished to queue {queue}" in output

    await eventually(lambda: applied(reporting, registry_dsn), timeout=30, description="reporting caught up")
    # Each event once, in the inbox, the event log and the audit log alike, though most came twice.
    [[inbox, distinct_inbox]] = await reporting.fetch("SELECT count(*), count(DISTINCT event_id) FROM inbox")
    [[log, distinct_log]] = await reporting.fetch("SELECT count(*), count(DISTINCT event_id) FROM event_log")
    [[audit, distinct_audit]] = await reporting.fetch("SELECT count(*), count(DISTINCT event_id) FROM audit_log")
    assert inbox == distinct_inbox == published
    assert log == distinct_log == before_loss == published - audits
    assert audit == distinct_audit == audits
    pool = await db.create_pool(reporting.dsn, min_size=1, max_size=1)
    try:
        assert (await verify_chain(UnitOfWork(pool, service="reporting"))).intact
    finally:
        await pool.close()
    # A queue name mistyped: the broker returns the first event, and the command says so rather than losing it.
    mistyped = [*republish[:-1], f"--to={namespace}.reportin", "--routing-key=registry.organization.registered"]
    assert "no queue took" in await command(*mistyped, env=registry_env, expect=1)
    # Reporting dead-lettered nothing, and nothing went anywhere else: what no service binds is kept in the
    # namespace's unrouted queue when first published, and no more of it came.
    assert await message_count(f"{queue}.dead-letter") == 0
    assert await message_count(f"{namespace}.unrouted.kept") == unrouted_before


async def message_count(queue: str) -> int:
    async with await aio_pika.connect(AMQP_URL) as connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        return int(declared.declaration_result.message_count or 0)
