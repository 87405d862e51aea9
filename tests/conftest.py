"""Fixtures every test may use: a database, a broker namespace and connection, a migrated pool, a clock.

The helpers behind them are the `support` package (tests/support/), one module per kind.
"""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aio_pika
import asyncpg
import pytest
from aio_pika.abc import AbstractRobustConnection

sys.path.insert(0, str(Path(__file__).parent))
# Settings made inside the test process are a test's; a service without MITRA_ENVIRONMENT would run as production.
os.environ.setdefault("MITRA_ENVIRONMENT", "test")

from support.broker import AMQP_URL, new_namespace
from support.clock import FakeClock
from support.database import create_database, drop_database, migrated_pool


@pytest.fixture
async def database() -> AsyncIterator[str]:
    """DSN of a new, empty, uuid-named database, dropped afterwards."""
    dsn = await create_database()
    try:
        yield dsn
    finally:
        await drop_database(dsn)


@pytest.fixture
def namespace() -> str:
    """A broker namespace of the test's own, so its exchanges and queues touch nobody else's."""
    return new_namespace("test")


@pytest.fixture
async def amqp() -> AsyncIterator[AbstractRobustConnection]:
    """A broker connection of the test's own (the code under test opens its channels on it)."""
    connection = await aio_pika.connect_robust(AMQP_URL, client_properties={"connection_name": "mitra-tests"})
    try:
        yield connection
    finally:
        await connection.close()


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on the test's own database, with the shared migrations (outbox, inbox) applied. A service's tests
    override it with `migrated_pool(database, [MigrationSource(...)])` to get the service's tables too."""
    async with migrated_pool(database) as ready:
        yield ready


@pytest.fixture
def clock() -> FakeClock:
    """A clock that stands still until the test moves it (`support.clock.FakeClock`)."""
    return FakeClock()
