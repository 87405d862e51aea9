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

import json
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import asyncpg
from pydantic import BaseModel

from mitra_shared import outbox
from mitra_shared.access import role_of
from mitra_shared.context import Context
from mitra_shared.contracts.audit import AuditActor, audit_kind_of
from mitra_shared.events import CloudEvent, EventData, new_event


class UnauditedChange(RuntimeError):
    """A use case changed something on a person's behalf without an audit entry: a bug, so nothing commits."""


def _jsonable(values: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return json.loads(json.dumps(dict(values), default=_json_default))


def _json_default(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot record a {type(value).__name__} in the audit trail")


class Transaction:
    """A change in progress: the connection inside its transaction, the change's context, the events it publishes."""

    def __init__(self, conn: asyncpg.Connection, context: Context, service: str = "unnamed") -> None:
        self.conn = conn
        self.context = context
        self.service = service
        self._events: list[CloudEvent[Any]] = []
        self._audited = 0

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

    def audit(
        self,
        action: str,
        object_type: str,
        object_id: object,
        *,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any] | None,
    ) -> None:
        """Record this change in the audit trail (who, when, which request, what, the values before and after); it
        is written with the change, or not at all. Values are stored as JSON (dates and ids as text)."""
        principal = self.context.principal
        entry = audit_kind_of(self.service)(
            entry_id=uuid.uuid4(),
            at=self.context.now,
            actor=AuditActor(
                subject=principal.subject,
                name=principal.name,
                role=role_of(principal) if not principal.is_system else "system",
                scope=dict(principal.scope),
            ),
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            before=_jsonable(before),
            after=_jsonable(after),
            request_id=self.context.request_id,
            service=self.service,
        )
        self.publish(entry, subject=str(object_id))
        self._audited += 1

    @property
    def audited(self) -> int:
        return self._audited

    @property
    def events(self) -> tuple[CloudEvent[Any], ...]:
        return tuple(self._events)

    async def write_events(self) -> None:
        """Put the published events into the outbox; called once, just before the commit."""
        await outbox.record_many(self.conn, self._events)
        self._events.clear()


class UnitOfWork:
    """Opens the transactions of one service's database."""

    def __init__(self, pool: asyncpg.Pool, service: str = "unnamed") -> None:
        self.pool = pool
        self.service = service

    @asynccontextmanager
    async def change(self, context: Context) -> AsyncIterator[Transaction]:
        async with self.pool.acquire() as conn, conn.transaction():
            tx = Transaction(conn, context, self.service)
            yield tx
            if tx.events and not tx.audited and not context.principal.is_system:
                # A person's change that says what happened must also say it in the audit trail.
                raise UnauditedChange(f"a change by {context.actor} published events but recorded no audit entry")
            await tx.write_events()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[asyncpg.Connection]:
        """A connection for reads that change nothing (no transaction, so no extra round trips)."""
        async with self.pool.acquire() as conn:
            yield conn
