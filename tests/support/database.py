"""Databases of a test's own: created uuid-named on the local PostgreSQL, migrated, dropped afterwards.

async with migrated_pool(database, [MigrationSource("registry", "mitra_registry")]) as pool:
    ...   # the shared migrations (outbox, inbox) and the registry's, applied in that order
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager

import asyncpg

from mitra_devtools.launcher import drop_databases, unique
from mitra_shared import db

ADMIN_DSN = os.environ.get("MITRA_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


async def create_database(name: str | None = None) -> str:
    """A new, empty database (uuid-named unless named); its DSN."""
    name = name or unique("mitra_test")
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return db.with_database(ADMIN_DSN, name)


async def drop_database(dsn: str) -> None:
    """Drop it (if it exists), whoever is still connected."""
    await drop_databases(ADMIN_DSN, [dsn])


async def migrate(dsn: str, sources: Sequence[db.MigrationSource] = ()) -> list[str]:
    """Apply the shared migrations, then `sources`, as a service does at start; the names applied."""
    conn = await asyncpg.connect(dsn)
    try:
        return await db.apply_migrations(conn, [db.SHARED_MIGRATIONS, *sources])
    finally:
        await conn.close()


async def create_migrated_database(sources: Sequence[db.MigrationSource] = ()) -> str:
    """A new database with the shared migrations and `sources` applied (for a module's worth of tests)."""
    dsn = await create_database()
    await migrate(dsn, sources)
    return dsn


@asynccontextmanager
async def migrated_pool(
    dsn: str, sources: Sequence[db.MigrationSource] = (), *, min_size: int = 1, max_size: int = 8
) -> AsyncIterator[asyncpg.Pool]:
    """A pool (with the services' JSON codecs) on `dsn` after applying `[SHARED_MIGRATIONS, *sources]`."""
    await migrate(dsn, sources)
    pool = await db.create_pool(dsn, min_size=min_size, max_size=max_size)
    try:
        yield pool
    finally:
        await pool.close()


@contextmanager
def module_database(sources: Sequence[db.MigrationSource] = ()) -> Iterator[str]:
    """A migrated database (`create_migrated_database`) for a module-scoped fixture; dropped on leaving."""
    dsn = asyncio.run(create_migrated_database(sources))
    try:
        yield dsn
    finally:
        asyncio.run(drop_database(dsn))


@asynccontextmanager
async def emptied_pool(dsn: str, *statements: str, max_size: int = 4) -> AsyncIterator[asyncpg.Pool]:
    """A pool on a module's database after running `statements` (the TRUNCATEs that give each test empty tables)."""
    pool = await db.create_pool(dsn, min_size=1, max_size=max_size)
    try:
        for statement in statements:
            await pool.execute(statement)
        yield pool
    finally:
        await pool.close()
