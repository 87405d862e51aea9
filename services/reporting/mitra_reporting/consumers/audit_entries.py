"""The audit trail's sink: every service's `audit.<service>.recorded` entries, appended to the hash-chained log.

Not a projection: entries go to `audit_log` only (not to the event log), and a rebuild never touches them. Reporting
consumes one message at a time, in queue order, and an advisory lock keeps appenders in line anyway, so each entry
chains onto the one before it. The inbox already makes an event id count once; the log's unique event id makes sure.
An append is usually one statement, onto the entry this process appended last (`ChainTip`); the log's unique `seq`
and the check of that entry's hash keep a stale tip from forking or breaking the chain (see `append_entry_onto_tip`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from mitra_reporting.domain import audit
from mitra_reporting.sql import AUDIT_LOG
from mitra_shared.contracts.audit import audit_kind_of
from mitra_shared.events import ConsumedData, EventKind, ReceivedEvent
from mitra_shared.inbox import Handler, handler
from mitra_shared.uow import Transaction

# Any constant of this database's advisory locks; "audt" in ASCII.
AUDIT_LOCK = 0x61756474


class Actor(ConsumedData):
    subject: str
    name: str | None = None
    role: str
    scope: dict[str, str] = {}


class AuditEntry(ConsumedData):
    """Reporting's model of an entry: every field, since the log keeps them all."""

    entry_id: UUID
    at: datetime
    actor: Actor
    action: str
    object_type: str
    object_id: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    request_id: str
    service: str


@dataclass
class ChainTip:
    """The entry this process appended last (its seq and hash): the next one usually chains onto it, so the append
    needs no read of the log's head. Only a hint: the append checks it against the log (`append_entry_onto_tip`)."""

    seq: int | None = None
    hash: str = ""


TIP = ChainTip()


async def append(tx: Transaction, event: ReceivedEvent, entry: AuditEntry, *, routing_service: str) -> None:
    """Chain the entry onto the log (once per event id): in one statement onto the remembered tip when the values
    hash as stored, else after reading the head under the lock."""
    audit.check_entry_service(routing_service, entry.service)
    row = _row(tx, event, entry)
    if TIP.seq is not None and audit.unchanged_by_jsonb(entry.before) and audit.unchanged_by_jsonb(entry.after):
        row["seq"] = TIP.seq + 1
        row["previous_hash"] = TIP.hash
        row["hash"] = audit.chain_hash(TIP.hash, row)
        if await tx.conn.fetchval(*AUDIT_LOG.append_entry_onto_tip(lock=AUDIT_LOCK, **row)) is not None:
            _remember(row)
            return
    await tx.conn.execute(*AUDIT_LOG.audit_lock(lock=AUDIT_LOCK))
    head = await tx.conn.fetchrow(
        *AUDIT_LOG.chain_head(event_id=event.id, actor_scope=entry.actor.scope, before=entry.before, after=entry.after)
    )
    if head["known"]:
        return
    row.update(
        seq=head["seq"] + 1 if head["seq"] is not None else 1,
        actor_scope=head["actor_scope"],
        before=head["before"],
        after=head["after"],
        previous_hash=head["hash"] if head["seq"] is not None else audit.GENESIS_HASH,
    )
    row["hash"] = audit.chain_hash(row["previous_hash"], row)
    await tx.conn.execute(*AUDIT_LOG.append_entry(**row))
    _remember(row)


def _row(tx: Transaction, event: ReceivedEvent, entry: AuditEntry) -> dict[str, Any]:
    """The entry as a row of the log, but for its place in the chain (seq and hashes)."""
    return {
        "event_id": event.id,
        "entry_id": entry.entry_id,
        "at": entry.at,
        "actor_subject": entry.actor.subject,
        "actor_name": entry.actor.name,
        "actor_role": entry.actor.role,
        "actor_scope": entry.actor.scope,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "before": entry.before,
        "after": entry.after,
        "request_id": entry.request_id,
        "service": entry.service,
        "recorded_at": tx.now,
    }


def _remember(row: dict[str, Any]) -> None:
    TIP.seq = row["seq"]
    TIP.hash = row["hash"]


def _sink(service: str) -> Handler[Any]:
    async def apply(tx: Transaction, event: ReceivedEvent, entry: AuditEntry) -> None:
        await append(tx, event, entry, routing_service=service)

    return handler(AuditEntry, apply)


HANDLERS: dict[EventKind, Handler[Any]] = {
    audit_kind_of(service).kind: _sink(service) for service in audit.AUDITED_SERVICES
}
