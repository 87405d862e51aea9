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
from mitra_shared import db, provisioning

pytestmark = pytest.mark.integration

ROLES_SCRIPT = REPO / "deploy" / "postgres" / "roles.sh"
ROLES_SQL = REPO / "deploy" / "postgres" / "roles.sql"
RUNTIME_SQL = REPO / "deploy" / "postgres" / "runtime.sql"
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
        await db_migrate(legacy)
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
        await provisioning.provision_database(ADMIN_DSN, launcher.with_role(legacy, superuser, "x"))


async def db_migrate(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await db.apply_migrations(conn, [db.SHARED_MIGRATIONS, REPORTING_MIGRATIONS])
    finally:
        await conn.close()


async def test_make_run_prepares_a_role_of_its_own_for_every_service(admin: asyncpg.Connection) -> None:
    prefix = launcher.unique("run")
    given = "postgresql://someone:secret@db.example:5432/elsewhere"
    environment = {"MITRA_ADMIN_DATABASE_URL": ADMIN_DSN, "MITRA_NOTIFICATIONS_DATABASE_URL": given}
    databases = await run.prepare_databases(environment, prefix=prefix)
    made = [name for name in ALL_SERVICES if name != "notifications"]
    try:
        assert databases["notifications"] == {"MITRA_DATABASE_URL": given}, "a URL given for a service is used as is"
        for name in made:
            owner_url = databases[name].get("MITRA_MIGRATION_DATABASE_URL", databases[name]["MITRA_DATABASE_URL"])
            assert launcher.role_name(owner_url) == db.database_name(owner_url) == f"{prefix}_{name}"
            await assert_owns_only_its_database(admin, f"{prefix}_{name}", f"{prefix}_{name}")
            conn = await asyncpg.connect(databases[name]["MITRA_DATABASE_URL"])
            await conn.close()
        # Reporting runs as its runtime role; its owner role only migrates.
        runtime = launcher.role_name(databases["reporting"]["MITRA_DATABASE_URL"])
        assert runtime == f"{prefix}_reporting_app"
        assert set(databases["registry"]) == {"MITRA_DATABASE_URL"}
        env = run._service_environment(environment, run.SERVICES[0], databases["registry"])
        assert "MITRA_ADMIN_DATABASE_URL" not in env, "no service sees the administrator's URL"
        assert env["MITRA_DATABASE_URL"] == databases["registry"]["MITRA_DATABASE_URL"]
    finally:
        await launcher.drop_databases(
            ADMIN_DSN, [databases[name].get("MITRA_MIGRATION_DATABASE_URL", "") or databases[name]["MITRA_DATABASE_URL"]
                        for name in made]
        )  # fmt: skip
    assert await role_attributes(admin, f"{prefix}_reporting_app") is None, "the runtime role goes with its database"


def test_reporting_runs_as_a_role_that_cannot_change_the_audit_log(tmp_path: Path) -> None:
    with running_services(["reporting"], log_dir=tmp_path) as running:
        url = database_url(running, "reporting")
        asyncio.run(assert_audit_log_is_append_only_for(url))


async def assert_audit_log_is_append_only_for(url: str) -> None:
    database = db.database_name(url)
    assert launcher.role_name(url) == launcher.runtime_role(database), "reporting runs as its runtime role"
    admin = await asyncpg.connect(ADMIN_DSN)
    try:
        await assert_owns_only_its_database(admin, database, database)
        runtime = await role_attributes(admin, launcher.runtime_role(database))
        assert runtime is not None
        assert not runtime["rolsuper"]
        users = await admin.fetch("SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = $1", database)
        assert {user["usename"] for user in users} == {launcher.runtime_role(database)}
    finally:
        await admin.close()
    await assert_runtime_role_cannot_change_the_audit_log(url)


async def assert_runtime_role_cannot_change_the_audit_log(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        privileges = await conn.fetchrow(
            "SELECT has_table_privilege('audit_log', 'INSERT') AS adds, has_table_privilege('audit_log', 'SELECT')"
            " AS reads, has_table_privilege('outbox', 'DELETE') AS clears_its_outbox"
        )
        assert dict(privileges) == {"adds": True, "reads": True, "clears_its_outbox": True}
        # Refused by the grants themselves, before the append-only trigger would be asked.
        for statement in (
            "UPDATE audit_log SET hash = hash",
            "DELETE FROM audit_log",
            "TRUNCATE audit_log",
            "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
            "DROP TABLE audit_log",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute(statement)
    finally:
        await conn.close()


async def test_compose_roles_script_makes_a_role_per_service(admin: asyncpg.Connection) -> None:
    # roles.sql and runtime.sql run the same blocks as the launcher.
    assert provisioning.TAKE_OVER_PUBLIC_SCHEMA.strip() in ROLES_SQL.read_text(encoding="utf-8")
    assert provisioning.GRANT_RUNTIME_ROLE.strip() in RUNTIME_SQL.read_text(encoding="utf-8")
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
        "POSTGRES_REPORTING_APP_PASSWORD": secrets.token_urlsafe(24),
    }
    urls = [launcher.with_role(db.with_database(ADMIN_DSN, f"{prefix}_{name}"), f"{prefix}_{name}", "x")
            for name in ALL_SERVICES]  # fmt: skip
    try:
        for up in range(2):  # on every `up`
            done = await asyncio.to_thread(
                subprocess.run, ["bash", str(ROLES_SCRIPT)], env=environment, capture_output=True, text=True,
                timeout=120, check=False,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr
            assert passwords["registry"] not in done.stdout + done.stderr
            if up == 0:  # reporting migrates as its owner between two `up`s
                await db_migrate(launcher.with_role(urls[-1], f"{prefix}_reporting", passwords["reporting"]))
        for name in ALL_SERVICES:
            await assert_owns_only_its_database(admin, f"{prefix}_{name}", f"{prefix}_{name}")
        runtime_url = launcher.with_role(
            urls[-1], f"{prefix}_reporting_app", environment["POSTGRES_REPORTING_APP_PASSWORD"]
        )
        await assert_runtime_role_cannot_change_the_audit_log(runtime_url)
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
