"""Helpers for tests: isolated databases and broker namespaces, tokens, polling with a deadline."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import aio_pika
import asyncpg
import uvicorn

from mitra_shared.auth import issue_token
from mitra_shared.db import with_database
from mitra_shared.settings import DEVELOPMENT_JWT_SECRET
from mitra_shared.topology import Names

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("MITRA_SHARED_DATA", REPO.parent / "shared" / "data"))
ADMIN_DSN = os.environ.get("MITRA_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_URL = os.environ.get("MITRA_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
JWT_ISSUER = "mitra-local"
JWT_AUDIENCE = "mitra"

T = TypeVar("T")


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def token(subject: str = "tester", roles: list[str] | None = None, **overrides: object) -> str:
    params: dict[str, object] = {
        "secret": DEVELOPMENT_JWT_SECRET,
        "subject": subject,
        "issuer": JWT_ISSUER,
        "audience": JWT_AUDIENCE,
        "roles": roles or [],
    }
    params.update(overrides)
    return issue_token(**params)  # type: ignore[arg-type]


def auth_headers(**kwargs: object) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(**kwargs)}"}  # type: ignore[arg-type]


async def create_database(name: str | None = None) -> str:
    name = name or unique("mitra_test")
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return with_database(ADMIN_DSN, name)


async def drop_database(dsn: str) -> None:
    name = dsn.rsplit("/", 1)[1]
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def delete_namespace(namespace: str, consumers: Iterable[str], delays_ms: Iterable[int] = ()) -> None:
    """Remove what a test declared under its own namespace (deleting a missing queue is not an error)."""
    names = Names(namespace)
    connection = await aio_pika.connect(AMQP_URL)
    try:
        channel = await connection.channel()
        for consumer in consumers:
            for delay in delays_ms:
                await channel.queue_delete(names.retry_queue(consumer, delay))
            await channel.queue_delete(names.dead_letter_queue(consumer))
            await channel.queue_delete(names.consumer_queue(consumer))
        await channel.queue_delete(names.unrouted_queue)
        for exchange in (names.events_exchange, names.unrouted_exchange, names.dead_letter_exchange):
            await channel.exchange_delete(exchange)
    finally:
        await connection.close()


async def eventually(
    probe: Callable[[], Awaitable[T]],
    *,
    timeout: float = 15.0,
    interval: float = 0.05,
    description: str = "condition",
) -> T:
    """Poll `probe` until it returns something truthy or the deadline passes; return that value."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    last_error: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            last = await probe()
            last_error = None
            if last:
                return last
        except (AssertionError, OSError, ConnectionError) as error:
            last_error = error
        await asyncio.sleep(interval)
    raise AssertionError(f"{description} not reached within {timeout}s (last value {last!r}, error {last_error!r})")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.asynccontextmanager
async def serving(app: Any, port: int) -> AsyncIterator[None]:
    """An ASGI app (a webhook receiver, say) served on 127.0.0.1:port in the test's own event loop."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())

    async def started() -> bool:
        return server.started

    await eventually(started, description=f"test server listening on {port}")
    try:
        yield
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task
