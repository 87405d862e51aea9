"""PostgreSQL helpers: the service's own database, numbered migrations, and named SQL queries from `.sql` files.

Migrations are plain SQL files `NNN_description.sql` in a directory per component (the shared plumbing tables
and each service's own). They run in order, each in its own transaction, under an advisory lock so that several
replicas starting together apply each file once. An applied file that was edited afterwards stops start-up:
history is never rewritten, a fix is a new migration.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

# Any constant works as long as every Mitra service uses the same one on a database; this is "mitra" in ASCII.
MIGRATION_LOCK_KEY = 0x6D69747261
# What a database restart, a dropped session or a database not taking connections yet raises: a request meeting one
# is answered 503 (http), work meeting one is tried again. InternalClientError: a pooled connection whose session
# the server ended mid-way ("cannot switch to state ...; another operation is in progress"), seen under
# `pg_terminate_backend` in `make chaos`.
DATABASE_LOST: tuple[type[Exception], ...] = (
    ConnectionError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.OperatorInterventionError,
    asyncpg.InternalClientError,
)
_MIGRATION_NAME = re.compile(r"^(\d{3,})_[a-z0-9_]+\.sql$")
_QUERY_NAME = re.compile(r"^--\s*name:\s*(\w+)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Migration:
    component: str
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


@dataclass(frozen=True)
class MigrationSource:
    """A component's migrations: a package and the directory inside it that holds the `.sql` files."""

    component: str
    package: str
    directory: str = "sql/migrations"

    def load(self) -> list[Migration]:
        folder = resources.files(self.package).joinpath(self.directory)
        migrations = []
        for entry in folder.iterdir():
            match = _MIGRATION_NAME.match(entry.name)
            if match:
                migrations.append(Migration(self.component, int(match[1]), entry.name, entry.read_text("utf-8")))
            elif entry.name.endswith(".sql"):
                raise ValueError(f"{self.package}/{self.directory}/{entry.name}: not named NNN_description.sql")
        migrations.sort(key=lambda m: m.version)
        versions = [m.version for m in migrations]
        if len(set(versions)) != len(versions):
            raise ValueError(f"{self.component}: two migrations share a number: {versions}")
        return migrations


SHARED_MIGRATIONS = MigrationSource("mitra_shared", "mitra_shared", "sql/migrations")


async def apply_migrations(conn: asyncpg.Connection, sources: Sequence[MigrationSource]) -> list[str]:
    """Apply what is missing, in order; return the names applied. Safe to run from several processes at once."""
    applied_now: list[str] = []
    await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
    try:
        await conn.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                component text NOT NULL,
                version integer NOT NULL,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (component, version)
            )
            """
        )
        for source in sources:
            rows = await conn.fetch(
                "SELECT version, name, checksum FROM schema_migrations WHERE component = $1", source.component
            )
            done = {row["version"]: row for row in rows}
            for migration in source.load():
                previous = done.get(migration.version)
                if previous is not None:
                    if previous["checksum"] != migration.checksum:
                        raise RuntimeError(
                            f"migration {source.component}/{migration.name} was changed after it was applied"
                        )
                    continue
                async with conn.transaction():
                    await conn.execute(migration.sql)
                    await conn.execute(
                        "INSERT INTO schema_migrations (component, version, name, checksum) VALUES ($1, $2, $3, $4)",
                        source.component,
                        migration.version,
                        migration.name,
                        migration.checksum,
                    )
                applied_now.append(f"{source.component}/{migration.name}")
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
    return applied_now


def database_name(dsn: str) -> str:
    return urlsplit(dsn).path.lstrip("/")


def with_database(dsn: str, name: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path=f"/{name}"))


async def ensure_database(dsn: str) -> bool:
    """Create the DSN's database if it does not exist yet (through the `postgres` maintenance database)."""
    name = database_name(dsn)
    if not name:
        raise ValueError("the database URL names no database")
    try:
        conn = await asyncpg.connect(dsn)
    except asyncpg.InvalidCatalogNameError:
        pass
    else:
        await conn.close()
        return False
    admin = await asyncpg.connect(with_database(dsn, "postgres"))
    try:
        quoted = '"' + name.replace('"', '""') + '"'
        await admin.execute(f"CREATE DATABASE {quoted}")
    except asyncpg.DuplicateDatabaseError:
        return False
    finally:
        await admin.close()
    return True


async def _init_connection(conn: asyncpg.Connection) -> None:
    for type_name in ("json", "jsonb"):
        await conn.set_type_codec(type_name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def _keep_session(conn: asyncpg.Connection) -> None:
    """What a connection given back to the pool needs beyond asyncpg's own clean-up (which rolls back a transaction
    left open and forgets listener callbacks): nothing. asyncpg's default sends `pg_advisory_unlock_all(); CLOSE
    ALL; UNLISTEN *; RESET ALL` on every release, one more round trip per command and per consumed event, to undo
    session state the services do not make on pooled connections: their advisory locks are transaction-scoped (but
    the documents sweeper's, which it releases itself), cursors live inside transactions, nothing is `SET` for the
    session, and LISTEN has connections of its own (`worker.PollingWorker`)."""


async def create_pool(dsn: str, *, min_size: int = 2, max_size: int = 10) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        dsn, min_size=min_size, max_size=max_size, init=_init_connection, reset=_keep_session
    )
    assert pool is not None
    return pool


async def connect(dsn: str) -> asyncpg.Connection:
    conn = await asyncpg.connect(dsn)
    await _init_connection(conn)
    return conn


_PARAMETER = re.compile(r"(?P<skip>'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*)|(?<![:\w]):(?P<name>[A-Za-z_]\w*)")
_POSITIONAL = re.compile(r"(?<![\w$])\$\d+")


class Query(str):
    """One SQL statement whose `:name` parameters became asyncpg's `$n`; call it with the parameters by name.

    `await conn.fetchrow(*QUERIES.get_thing(thing_id=some_id))`: the call returns the statement and the arguments
    in the order of their numbers, and refuses a missing or an unexpected name, so no argument lands in the
    wrong place. A name used twice in the statement is one parameter.
    """

    parameters: tuple[str, ...]
    origin: str

    def __new__(cls, text: str, origin: str = "<sql>") -> Query:
        names: list[str] = []

        def number(match: re.Match[str]) -> str:
            if match["skip"] is not None:
                return match["skip"]
            name = match["name"]
            if name not in names:
                names.append(name)
            return f"${names.index(name) + 1}"

        converted = _PARAMETER.sub(number, text)
        if names and _POSITIONAL.search(_PARAMETER.sub(lambda m: (m["skip"] and "''") or "", text)):
            raise ValueError(f"{origin}: mixes named (:name) and positional ($n) parameters")
        query = super().__new__(cls, converted)
        query.parameters = tuple(names)
        query.origin = origin
        return query

    def __call__(self, **values: Any) -> tuple[Any, ...]:
        missing = [name for name in self.parameters if name not in values]
        unexpected = sorted(set(values) - set(self.parameters))
        if missing or unexpected:
            raise TypeError(f"{self.origin}: missing parameters {missing}, unexpected {unexpected}")
        return (str(self), *(values[name] for name in self.parameters))


class Queries:
    """Named SQL statements from a `.sql` file: blocks that start with `-- name: some_name`, then a comment that
    says what the query is for, then the statement with `:named` parameters."""

    def __init__(self, text: str, origin: str = "<sql>") -> None:
        self._statements: dict[str, Query] = {}
        parts = _QUERY_NAME.split(text)
        for name, body in zip(parts[1::2], parts[2::2], strict=True):
            statement = body.strip().rstrip(";").strip()
            if name in self._statements:
                raise ValueError(f"{origin}: query {name!r} is defined twice")
            if not statement:
                raise ValueError(f"{origin}: query {name!r} is empty")
            self._statements[name] = Query(statement, origin=f"{origin}:{name}")

    @classmethod
    def from_package(cls, package: str, filename: str) -> Queries:
        file: Traversable = resources.files(package).joinpath(filename)
        return cls(file.read_text("utf-8"), origin=f"{package}/{filename}")

    def __getattr__(self, name: str) -> Any:
        """A statement with parameters is a `Query` to call with them; one without is the plain SQL text (asyncpg
        takes nothing but an exact `str`)."""
        try:
            query = self._statements[name]
        except KeyError:
            raise AttributeError(f"no query named {name!r}") from None
        return query if query.parameters else str(query)

    def __contains__(self, name: object) -> bool:
        return name in self._statements

    def names(self) -> list[str]:
        return list(self._statements)

    def positional(self) -> list[str]:
        """The queries still written with `$n` parameters (none should be: a test says so)."""
        return [name for name, query in self._statements.items() if not query.parameters and _POSITIONAL.search(query)]


Record = dict[str, Any]
