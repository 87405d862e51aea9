"""Each service's own PostgreSQL roles and database, made by an administrator before the service starts.

A service logs in as a role of its own that owns its database (never a superuser). A service may also run with a
second, runtime role (`MITRA_DATABASE_URL`) while its owner role (`MITRA_MIGRATION_DATABASE_URL`) only migrates:
the runtime role then reads and writes every table but adds to and reads an append-only one (a table whose comment
begins with `append-only`), never changing or removing its rows. Reporting runs so, for its audit log.
deploy/postgres/roles.sql and runtime.sql do the same for compose; a test holds the blocks equal.
"""

from __future__ import annotations

import contextlib
from urllib.parse import unquote, urlsplit

import asyncpg

from mitra_shared.db import database_name, with_database

SERVICE_ROLE_ATTRIBUTES = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
"""What a service's own PostgreSQL role may do: log in, and own its database; nothing on the server besides."""

# Run in a service's database as an administrator, with `mitra.owner` set to the service's role: what an earlier
# start (or a `migrate` run as the administrator) left in the public schema passes to the role, so that it may use
# and migrate all of it. Extension members stay the extension's; a column's sequence follows its table.
# deploy/postgres/roles.sql runs the same block for compose.
TAKE_OVER_PUBLIC_SCHEMA = """
DO $take_over$
DECLARE
    target text := current_setting('mitra.owner');
    item record;
BEGIN
    FOR item IN
        SELECT c.oid::regclass AS name FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
          AND pg_get_userbyid(c.relowner) <> target
          AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                          AND d.deptype IN ('e', 'a', 'i'))
    LOOP
        EXECUTE format('ALTER TABLE %s OWNER TO %I', item.name, target);
    END LOOP;
    FOR item IN
        SELECT p.oid::regprocedure AS name FROM pg_proc p
        WHERE p.pronamespace = 'public'::regnamespace AND pg_get_userbyid(p.proowner) <> target
          AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                          AND d.deptype = 'e')
    LOOP
        EXECUTE format('ALTER ROUTINE %s OWNER TO %I', item.name, target);
    END LOOP;
END
$take_over$
"""


async def _formatted(conn: asyncpg.Connection, template: str, *values: str) -> str:
    """A utility statement (which takes no parameters) with its names and literals quoted by the server."""
    arguments = ", ".join(f"${number}::text" for number in range(1, len(values) + 1))
    return str(await conn.fetchval(f"SELECT format('{template}', {arguments})", *values))


# Run in a service's database as an administrator, with `mitra.owner` the owner role and `mitra.runtime` the runtime
# role: the runtime role may use every table and sequence the owner has or will create, but an append-only table
# only to add and read rows. deploy/postgres/runtime.sql runs the same block for compose.
GRANT_RUNTIME_ROLE = """
DO $grant_runtime$
DECLARE
    owner_role text := current_setting('mitra.owner');
    runtime_role text := current_setting('mitra.runtime');
    item record;
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', runtime_role);
    EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public '
                   'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', owner_role, runtime_role);
    EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public '
                   'GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO %I', owner_role, runtime_role);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', runtime_role);
    EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO %I', runtime_role);
    FOR item IN
        SELECT c.oid::regclass AS name FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
          AND coalesce(obj_description(c.oid, 'pg_class'), '') LIKE 'append-only%'
    LOOP
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %s FROM %I', item.name, runtime_role);
    END LOOP;
END
$grant_runtime$
"""


async def provision_database(admin_dsn: str, dsn: str, runtime_dsn: str | None = None) -> None:
    """As the administrator of `admin_dsn`: the role that `dsn` logs in as (with its password, never a superuser:
    SERVICE_ROLE_ATTRIBUTES) and the database it names, owned by that role, its public schema and everything in it
    too, which no other role (but a superuser) may connect to. Safe to run again: it then sets the password and
    takes over what is not the role's yet. The service then only migrates its own database. With `runtime_dsn`, the
    role that URL logs in as is made too (never a superuser, never the owner), with the runtime grants."""
    role, password, database = _login(dsn)
    runtime = _login(runtime_dsn) if runtime_dsn else None
    if runtime is not None and (runtime[0] == role or runtime[2] != database):
        raise ValueError("the runtime role must be another role, of the same database")
    admin = await asyncpg.connect(admin_dsn)
    try:
        await _ensure_role(admin, role, password)
        if await admin.fetchval("SELECT count(*) FROM pg_database WHERE datname = $1", database) == 0:
            with contextlib.suppress(asyncpg.DuplicateDatabaseError):
                await admin.execute(await _formatted(admin, "CREATE DATABASE %I OWNER %I", database, role))
        await admin.execute(await _formatted(admin, "ALTER DATABASE %I OWNER TO %I", database, role))
        await admin.execute(await _formatted(admin, "REVOKE ALL ON DATABASE %I FROM PUBLIC", database))
        if runtime is not None:
            await _ensure_role(admin, runtime[0], runtime[1])
            await admin.execute(
                await _formatted(admin, "GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I", database, runtime[0])
            )
    finally:
        await admin.close()
    conn = await asyncpg.connect(with_database(admin_dsn, database))
    try:
        await conn.execute(await _formatted(conn, "ALTER SCHEMA public OWNER TO %I", role))
        await conn.execute("SELECT set_config('mitra.owner', $1, false)", role)
        await conn.execute(TAKE_OVER_PUBLIC_SCHEMA)
        if runtime is not None:
            await conn.execute("SELECT set_config('mitra.runtime', $1, false)", runtime[0])
            await conn.execute(GRANT_RUNTIME_ROLE)
    finally:
        await conn.close()


def _login(dsn: str) -> tuple[str, str, str]:
    """The role, password and database a URL names."""
    parts = urlsplit(dsn)
    role, password, database = unquote(parts.username or ""), unquote(parts.password or ""), database_name(dsn)
    if not role or not database:
        raise ValueError("the database URL names no role or no database")
    return role, password, database


async def _ensure_role(admin: asyncpg.Connection, role: str, password: str) -> None:
    if await admin.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = $1", role):
        raise ValueError(f"{role} is a superuser; a service never runs as one")
    if await admin.fetchval("SELECT count(*) FROM pg_roles WHERE rolname = $1", role) == 0:
        with contextlib.suppress(asyncpg.DuplicateObjectError):
            await admin.execute(await _formatted(admin, "CREATE ROLE %I", role))
    secret = "PASSWORD %L" if password else "PASSWORD NULL"
    values = (role, password) if password else (role,)
    await admin.execute(await _formatted(admin, f"ALTER ROLE %I WITH {SERVICE_ROLE_ATTRIBUTES} {secret}", *values))
