"""A connection given back to the pool: rolled back if a transaction was left open, and no reset round trip else."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

pytestmark = pytest.mark.integration


async def test_a_transaction_left_open_is_rolled_back_when_the_connection_goes_back(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await conn.execute("CREATE TABLE IF NOT EXISTS kept (n integer)")
        pid = await conn.fetchval("SELECT pg_backend_pid()")
        transaction = conn.transaction()
        await transaction.start()
        await conn.execute("INSERT INTO kept VALUES (1)")
    async with pool.acquire() as again:
        # Whichever connection this is, none holds a transaction and the row was never committed.
        assert not again.is_in_transaction()
        assert await again.fetchval("SELECT count(*) FROM kept") == 0
        state = await again.fetchval("SELECT state FROM pg_stat_activity WHERE pid = $1", pid)
        assert state != "idle in transaction"


async def test_giving_a_connection_back_sends_no_statement(pool: asyncpg.Pool) -> None:
    sent: list[str] = []

    def log(record: asyncpg.connection.LoggedQuery) -> None:
        sent.append(record.query)

    async with pool.acquire() as conn:
        # The connection itself, not the pool's proxy of it: the proxy refuses every use once it has been released.
        raw = conn._con
        raw.add_query_logger(log)
        await conn.fetchval("SELECT 1")
    await asyncio.sleep(0.05)  # asyncpg hands logged queries over on a later turn of the loop
    raw.remove_query_logger(log)
    assert sent == ["SELECT 1"]
