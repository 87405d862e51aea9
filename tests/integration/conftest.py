"""Fixtures shared by the integration tests of the event backbone: a migrated pool and a broker connection."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aio_pika
import asyncpg
import pytest
from aio_pika.abc import AbstractRobustConnection
from support import AMQP_URL

from mitra_shared import db


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
