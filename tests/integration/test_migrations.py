"""Migrations on a real PostgreSQL: from zero, idempotent, once under concurrency, and history never rewritten."""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from importlib import resources
from pathlib import Path

import asyncpg
import pytest

from mitra_shared import db
from mitra_shared.db import MigrationSource
from mitra_shared.documents import DOCUMENTS_MIGRATIONS

pytestmark = pytest.mark.integration

SERVICES = ["registry", "agreements", "notifications", "reporting"]

MakePackage = Callable[[dict[str, str]], tuple[MigrationSource, Path]]


@pytest.fixture
async def conn(database: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(database)
    try:
        yield connection
    finally:
        await connection.close()


@pytest.fixture
def make_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MakePackage]:
    """Write a throw-away importable package holding the given migration files; return its source and folder."""
    monkeypatch.syspath_prepend(str(tmp_path))
    made: list[str] = []

    def make(files: dict[str, str]) -> tuple[MigrationSource, Path]:
        package = f"fake_migrations_{uuid.uuid4().hex[:10]}"
        folder = tmp_path / package / "sql" / "migrations"  # where every component keeps them
        folder.mkdir(parents=True)
        (tmp_path / package / "__init__.py").write_text("")
        for name, sql in files.items():
            (folder / name).write_text(sql)
        made.append(package)
        return MigrationSource(package, package), folder

    yield make
    for package in made:
        sys.modules.pop(package, None)


def expected_names(sources: list[MigrationSource]) -> list[str]:
    return [f"{source.component}/{migration.name}" for source in sources for migration in source.load()]


async def recorded(conn: asyncpg.Connection) -> list[tuple[str, int, str, str]]:
    rows = await conn.fetch("SELECT component, version, name, checksum FROM schema_migrations ORDER BY applied_at")
    return [(row["component"], row["version"], row["name"], row["checksum"]) for row in rows]


async def table_exists(conn: asyncpg.Connection, name: str) -> bool:
    return bool(await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", name))


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_keeps_its_migrations_in_its_sql_folder(service: str) -> None:
    folder = resources.files(f"mitra_{service}").joinpath("sql", "migrations")
    assert folder.is_dir(), f"mitra_{service}/sql/migrations/ does not exist"
    assert any(entry.name.endswith(".sql") for entry in folder.iterdir())
    assert not resources.files(f"mitra_{service}").joinpath("migrations").is_dir(), "a second migrations folder"


@pytest.mark.parametrize("service", SERVICES)
async def test_service_migrations_apply_from_zero_then_apply_nothing(service: str, conn: asyncpg.Connection) -> None:
    service_source = MigrationSource(service, f"mitra_{service}")
    sources = [db.SHARED_MIGRATIONS, service_source]
    expected = expected_names(sources)
    assert service_source.load(), f"mitra_{service} ships no migrations"

    assert await db.apply_migrations(conn, sources) == expected
    assert await table_exists(conn, "outbox")
    assert await table_exists(conn, "inbox")
    assert [(c, v, n) for c, v, n, _ in await recorded(conn)] == [
        (source.component, migration.version, migration.name) for source in sources for migration in source.load()
    ]
    assert [checksum for *_, checksum in await recorded(conn)] == [
        migration.checksum for source in sources for migration in source.load()
    ]

    before = await recorded(conn)
    assert await db.apply_migrations(conn, sources) == []
    assert await recorded(conn) == before


def test_the_documents_tables_keep_their_migrations_in_their_sql_folder() -> None:
    folder = resources.files(DOCUMENTS_MIGRATIONS.package).joinpath(DOCUMENTS_MIGRATIONS.directory)
    assert folder.is_dir()
    assert DOCUMENTS_MIGRATIONS.load(), "mitra_shared.documents ships no migrations"


@pytest.mark.parametrize("service", SERVICES)
async def test_documents_migrations_apply_from_zero_with_each_service(service: str, conn: asyncpg.Connection) -> None:
    # In the order of a service with `ServiceSpec(documents=True)`: shared, documents, then the service's own.
    sources = [db.SHARED_MIGRATIONS, DOCUMENTS_MIGRATIONS, MigrationSource(service, f"mitra_{service}")]
    assert await db.apply_migrations(conn, sources) == expected_names(sources)
    assert await table_exists(conn, "documents")
    assert await table_exists(conn, "document_uploads")
    assert await db.apply_migrations(conn, sources) == []


async def test_concurrent_appliers_apply_each_file_once(
    database: str, conn: asyncpg.Connection, make_package: MakePackage
) -> None:
    # A slow migration keeps the first applier busy long enough for the second to arrive while it works.
    slow, _ = make_package({"001_slow.sql": "SELECT pg_sleep(0.3);\nCREATE TABLE slow_thing (id integer);"})
    sources = [db.SHARED_MIGRATIONS, MigrationSource("registry", "mitra_registry"), slow]
    expected = expected_names(sources)
    other = await asyncpg.connect(database)
    try:
        first, second = await asyncio.gather(db.apply_migrations(conn, sources), db.apply_migrations(other, sources))
    finally:
        await other.close()

    # The lock is held for the whole run: one applier did everything, the other found nothing left to do.
    assert sorted([first, second], key=len) == [[], expected]
    names = [f"{component}/{name}" for component, _, name, _ in await recorded(conn)]
    assert sorted(names) == sorted(expected)
    assert await table_exists(conn, "slow_thing")


async def test_an_edited_applied_migration_is_refused(conn: asyncpg.Connection, make_package: MakePackage) -> None:
    source, folder = make_package({"001_things.sql": "CREATE TABLE things (id integer);"})
    assert await db.apply_migrations(conn, [source]) == [f"{source.component}/001_things.sql"]

    (folder / "001_things.sql").write_text("CREATE TABLE things (id bigint);")
    (folder / "002_more.sql").write_text("CREATE TABLE more_things (id integer);")
    with pytest.raises(RuntimeError, match=rf"{source.component}/001_things\.sql was changed after it was applied"):
        await db.apply_migrations(conn, [source])

    assert [(version, name) for _, version, name, _ in await recorded(conn)] == [(1, "001_things.sql")]
    assert not await table_exists(conn, "more_things")
    assert await conn.fetchval("SELECT data_type FROM information_schema.columns WHERE table_name = 'things'") == (
        "integer"
    )


async def test_a_failing_migration_is_rolled_back_and_releases_the_lock(
    database: str, conn: asyncpg.Connection, make_package: MakePackage
) -> None:
    source, folder = make_package(
        {
            "001_first.sql": "CREATE TABLE first_things (id integer);",
            "002_broken.sql": "CREATE TABLE broken_things (id integer);\nSELECT * FROM no_such_table;",
        }
    )
    with pytest.raises(asyncpg.UndefinedTableError):
        await db.apply_migrations(conn, [source])
    assert await table_exists(conn, "first_things")
    assert not await table_exists(conn, "broken_things")
    assert [name for _, _, name, _ in await recorded(conn)] == ["001_first.sql"]

    # Another session gets the lock at once (it would wait forever if the failed run had kept it).
    (folder / "002_broken.sql").write_text("CREATE TABLE broken_things (id integer);")
    other = await asyncpg.connect(database)
    try:
        applied = await asyncio.wait_for(db.apply_migrations(other, [source]), timeout=10)
    finally:
        await other.close()
    assert applied == [f"{source.component}/002_broken.sql"]
    assert await table_exists(conn, "broken_things")


async def test_migrations_run_in_numeric_order(conn: asyncpg.Connection, make_package: MakePackage) -> None:
    # As text, "0100" sorts before "099"; the second file needs the first one's table.
    source, _ = make_package(
        {
            "0100_add_column.sql": "ALTER TABLE ordered ADD COLUMN label text;",
            "099_create.sql": "CREATE TABLE ordered (id integer);",
        }
    )
    assert await db.apply_migrations(conn, [source]) == [
        f"{source.component}/099_create.sql",
        f"{source.component}/0100_add_column.sql",
    ]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        pytest.param({"1_short.sql": "SELECT 1;"}, "not named NNN_description.sql", id="short-number"),
        pytest.param({"001-dash.sql": "SELECT 1;"}, "not named NNN_description.sql", id="dash"),
        pytest.param({"001_Upper.sql": "SELECT 1;"}, "not named NNN_description.sql", id="upper-case"),
        pytest.param({"001_a.sql": "SELECT 1;", "001_b.sql": "SELECT 2;"}, "two migrations share a number", id="dup"),
    ],
)
def test_badly_named_migrations_are_refused(files: dict[str, str], message: str, make_package: MakePackage) -> None:
    source, _ = make_package(files)
    with pytest.raises(ValueError, match=message):
        source.load()
