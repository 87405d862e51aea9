"""The unit of work: one transaction per change, with its events in the outbox and its context stamped on both.

Every use case that changes state runs as

    async with uow.change(context) as tx:
        current = await tx.conn.fetchrow(*QUERIES.lock_thing(thing_id=thing_id))   # read what it needs
        decision = domain.decide(current, command, now=tx.now)                    # ask the domain once
        await tx.conn.execute(*QUERIES.update_thing(...))                         # write once
        tx.publish(ThingChanged(...), subject=str(thing_id))                      # the facts it publishes

and either everything commits (the rows, the events in the outbox, later the audit entry) or nothing does. The
events carry the context's `now` as their `time` and its request id as their correlation id. The consumer runs
each event's handler in a `Transaction` of its own over the connection that also records the event id.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import asyncpg

from mitra_shared import outbox
from mitra_shared.context import Context
from mitra_shared.events import CloudEvent, EventData, new_event


class Transaction:
    """A change in progress: the connection inside its transaction, the change's context, the events it publishes."""

    def __init__(self, conn: asyncpg.Connection, context: Context) -> None:
        self.conn = conn
        self.context = context
        self._events: list[CloudEvent[Any]] = []

    @property
    def now(self) -> datetime:
        return self.context.now

    @property
    def actor(self) -> str:
        return self.context.actor

    def publish(self, data: EventData, *, subject: str) -> CloudEvent[Any]:
        """Publish this fact if and when the change commits."""
        event = new_event(data, subject=subject, correlation_id=self.context.request_id, time=self.context.now)
        self._events.append(event)
        return event

    @property
    def events(self) -> tuple[CloudEvent[Any], ...]:
        return tuple(self._events)

    async def write_events(self) -> None:
        """Put the published events into the outbox; called once, just before the commit."""
        await outbox.record_many(self.conn, self._events)
        self._events.clear()


class UnitOfWork:
    """Opens the transactions of one service's database."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    @asynccontextmanager
    async def change(self, context: Context) -> AsyncIterator[Transaction]:
        async with self.pool.acquire() as conn, conn.transaction():
            tx = Transaction(conn, context)
            yield tx
            await tx.write_events()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[asyncpg.Connection]:
        """A connection for reads that change nothing (no transaction, so no extra round trips)."""
        async with self.pool.acquire() as conn:
            yield conn
