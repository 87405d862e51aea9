"""Each service logs in to PostgreSQL as a role of its own that owns its database and nothing else (issue 11).

A service started as the launcher starts it (support.services, like every e2e test) runs as a uuid-named role that
is no superuser, owns its database and the tables its migrations made, cannot connect to another service's database,
create a database or a role; role and database are gone after the run. `make run` (mitra_devtools.run) and compose
(deploy/postgres/roles.sh) make their `mitra_<service>` roles the same way; both are tried here under names of the
test's own.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import asyncpg
import pytest
from support.database import ADMIN_DSN, create_database, drop_database
from support.paths import REPO
from support.services import RunningSystem, running_services

from mitra_devtools import launcher, run
from mitra_shared import db

pytestmark = pytest.mark.integration

ROLES_SCRIPT = REPO / "deploy" / "postgres" / "roles.sh"
ROLES_SQL = REPO / "deploy" / "postgres" / "roles.sql"
REPORTING_MIGRATIONS = db.MigrationSource("reporting", "mitra_reporting")  # trigger functions among them
ALL_SERVICES = ("console", "registry", "agreements", "notifications", "reporting")


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    # Registry's migrations create extensions (trusted ones, which a database's owner may create).
    with running_services(["registry", "agreements"], log_dir=tmp_path_factory.mktemp("logs")) as running:
        yield running


@pytest.fixture
async def admin() -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        yield conn
    finally:
        await conn.close()


def database_url(system: RunningSystem, name: str) -> str:
    url = system.services[name].database_url
    assert url is not None
    return url


async def role_attributes(admin: asyncpg.Connection, role: str) -> asyncpg.Record | None:
    return await admin.fetchrow(
        "SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, rolcanlogin FROM pg_roles"
        " WHERE rolname = $1",
        role,
    )


async def assert_owns_only_its_database(admin: asyncpg.Connection, role: str, database: str) -> None:
    attributes = await role_attributes(admin, role)
    assert attributes is not None, f"no role {role}"
    assert dict(attributes) == {
        "rolsuper": False,
        "rolcreatedb": False,
        "rolcreaterole": False,
        "rolreplication": False,
        "rolbypassrls": False,
        "rolcanlogin": True,
    }
    owner, public_connects = await admin.fetchrow(
        "SELECT pg_get_userbyid(datdba), has_database_privilege('public', oid, 'CONNECT') FROM pg_database"
        " WHERE datname = $1",
        database,
    )
    assert owner == role
    assert not public_connects, "CONNECT is revoked from PUBLIC"


async def test_a_service_runs_as_its_own_role_that_is_no_superuser(
    system: RunningSystem, admin: asyncpg.Connection
) -> None:
    for name in ("registry", "agreements"):
        url = database_url(system, name)
        role, database = launcher.role_name(url), db.database_name(url)
        assert role == database, "a run's role is named as its database"
        assert role is not None
        await assert_owns_only_its_database(admin, role, database)
        # The service itself is connected as that role (its pool, its relay's LISTEN), nobody else.
        users = await admin.fetch("SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = $1", database)
        assert {user["usename"] for user in users} == {role}
        # Its migrations ran as the role: it owns every table, the shared outbox and inbox among them.
        conn = await asyncpg.connect(url)
        try:
            tables = await conn.fetch("SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'public'")
            assert {"outbox", "inbox", "schema_migrations"} <= {table["tablename"] for table in tables}
            assert {table["tableowner"] for table in tables} == {role}
        finally:
            await conn.close()


async def test_a_service_role_cannot_reach_another_database_or_create_one_or_a_role(system: RunningSystem) -> None:
    registry, agreements = database_url(system, "registry"), database_url(system, "agreements")
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await asyncpg.connect(db.with_database(registry, db.database_name(agreements)))
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await asyncpg.connect(db.with_database(agreements, db.database_name(registry)))
    conn = await asyncpg.connect(registry)
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute(f'CREATE DATABASE "{launcher.unique("e2e_forbidden")}"')
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute(f'CREATE ROLE "{launcher.unique("e2e_forbidden")}" LOGIN SUPERUSER')
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute(f'CREATE ROLE "{launcher.unique("e2e_forbidden")}"')
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute(f'ALTER ROLE "{launcher.role_name(registry)}" CREATEDB')
    finally:
        await conn.close()


def test_the_run_drops_its_roles_and_databases(tmp_path: Path) -> None:
    with running_services(["registry"], log_dir=tmp_path) as running:
        url = database_url(running, "registry")

    async def left_over() -> tuple[int, int]:
        conn = await asyncpg.connect(ADMIN_DSN)
        try:
            roles = await conn.fetchval("SELECT count(*) FROM pg_roles WHERE rolname = $1", launcher.role_name(url))
            databases = await conn.fetchval(
                "SELECT count(*) FROM pg_database WHERE datname = $1", db.database_name(url)
            )
            return roles, databases
        finally:
            await conn.close()

    assert asyncio.run(left_over()) == (0, 0)


async def test_provisioning_takes_over_what_the_administrator_left_and_refuses_a_superuser(
    admin: asyncpg.Connection,
) -> None:
    # A database from before the roles: made and migrated by the administrator.
    legacy = await create_database()
    name = db.database_name(legacy)
    url = launcher.with_role(legacy, name, secrets.token_urlsafe(24))
    try:
        await db_migrate_as_administrator(legacy)
        await launcher.create_databases(ADMIN_DSN, [url])
        await launcher.create_databases(ADMIN_DSN, [url])  # again: nothing changes, nothing fails
        await assert_owns_only_its_database(admin, name, name)
        conn = await asyncpg.connect(url)
        try:
            await conn.execute("SELECT * FROM outbox LIMIT 1")
            assert await db.apply_migrations(conn, [db.SHARED_MIGRATIONS, REPORTING_MIGRATIONS]) == []
            owners = await conn.fetch(
                "SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relnamespace = 'public'::regnamespace"
                " UNION SELECT pg_get_userbyid(proowner) FROM pg_proc WHERE pronamespace = 'public'::regnamespace"
            )
            assert {row["owner"] for row in owners} == {name}, "tables, sequences, indexes, trigger functions"
            await conn.execute("CREATE TABLE created_by_the_role (id serial PRIMARY KEY)")
        finally:
            await conn.close()
    finally:
        await launcher.drop_databases(ADMIN_DSN, [url])
    assert await role_attributes(admin, name) is None

    superuser = await admin.fetchval("SELECT current_user")
    with pytest.raises(ValueError, match="superuser"):
        await db.provision_database(ADMIN_DSN, launcher.with_role(legacy, superuser, "x"))


async def db_migrate_as_administrator(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await db.apply_migrations(conn, [db.SHARED_MIGRATIONS, REPORTING_MIGRATIONS])
    finally:
        await conn.close()


async def test_make_run_prepares_a_role_of_its_own_for_every_service(admin: asyncpg.Connection) -> None:
    prefix = launcher.unique("run")
    given = "postgresql://someone:secret@db.example:5432/elsewhere"
    environment = {"MITRA_ADMIN_DATABASE_URL": ADMIN_DSN, "MITRA_REPORTING_DATABASE_URL": given}
    urls = await run.prepare_databases(environment, prefix=prefix)
    try:
        assert urls["reporting"] == given, "a database URL given for a service is used as it is"
        for name in ALL_SERVICES[:-1]:
            assert launcher.role_name(urls[name]) == db.database_name(urls[name]) == f"{prefix}_{name}"
            await assert_owns_only_its_database(admin, f"{prefix}_{name}", f"{prefix}_{name}")
            conn = await asyncpg.connect(urls[name])
            await conn.close()
        env = run._service_environment(environment, run.SERVICES[0], urls["registry"])
        assert "MITRA_ADMIN_DATABASE_URL" not in env, "no service sees the administrator's URL"
        assert env["MITRA_DATABASE_URL"] == urls["registry"]
    finally:
        await launcher.drop_databases(ADMIN_DSN, [urls[name] for name in ALL_SERVICES[:-1]])


async def test_compose_roles_script_makes_a_role_per_service(admin: asyncpg.Connection) -> None:
    # roles.sql runs the same take-over as the launcher.
    assert db.TAKE_OVER_PUBLIC_SCHEMA.strip() in ROLES_SQL.read_text(encoding="utf-8")
    prefix = launcher.unique("compose")
    administrator = urlsplit(ADMIN_DSN)
    passwords = {name: secrets.token_urlsafe(24) for name in ALL_SERVICES}
    environment = {
        **{key: value for key, value in os.environ.items() if not key.startswith(("PG", "MITRA_", "POSTGRES_"))},
        "PGHOST": administrator.hostname or "127.0.0.1",
        "PGPORT": str(administrator.port or 5432),
        "PGUSER": str(await admin.fetchval("SELECT current_user")),
        **({"PGPASSWORD": unquote(administrator.password)} if administrator.password else {}),
        "MITRA_ROLE_PREFIX": prefix,
        **{f"POSTGRES_{name.upper()}_PASSWORD": password for name, password in passwords.items()},
    }
    urls = [launcher.with_role(db.with_database(ADMIN_DSN, f"{prefix}_{name}"), f"{prefix}_{name}", "x")
            for name in ALL_SERVICES]  # fmt: skip
    try:
        for _ in range(2):  # on every `up`
            done = await asyncio.to_thread(
                subprocess.run, ["bash", str(ROLES_SCRIPT)], env=environment, capture_output=True, text=True,
                timeout=120, check=False,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr
            assert passwords["registry"] not in done.stdout + done.stderr
        for name in ALL_SERVICES:
            await assert_owns_only_its_database(admin, f"{prefix}_{name}", f"{prefix}_{name}")
        missing = {**environment, "POSTGRES_AGREEMENTS_PASSWORD": ""}
        refused = await asyncio.to_thread(
            subprocess.run, ["bash", str(ROLES_SCRIPT)], env=missing, capture_output=True, text=True, check=False
        )
        assert refused.returncode != 0
        assert "POSTGRES_AGREEMENTS_PASSWORD is empty" in refused.stderr
    finally:
        await launcher.drop_databases(ADMIN_DSN, urls)


async def test_dropping_a_test_database_keeps_its_role_alone(admin: asyncpg.Connection) -> None:
    """support.database's databases belong to the administrator: dropping one drops no role."""
    dsn = await create_database()
    await drop_database(dsn)
    assert await admin.fetchval("SELECT count(*) FROM pg_database WHERE datname = $1", db.database_name(dsn)) == 0
    assert await role_attributes(admin, str(await admin.fetchval("SELECT current_user"))) is not None
