"""Each recipient's in-app inbox: read it, mark what was read. Only its owner may (`domain/access.py`): another
scoped account gets 404 for a recipient it may not see, 403 for one it may see but does not own.

Marking an item read is its owner's change of state, so the first reading goes into the audit trail (who read
which notification, when); reading it again changes nothing and records nothing."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg

from mitra_notifications.domain import access
from mitra_notifications.sql import INBOX, RECIPIENTS
from mitra_shared.context import Context
from mitra_shared.db import Record
from mitra_shared.errors import NotFound
from mitra_shared.uow import Transaction, UnitOfWork


@dataclass(frozen=True)
class InboxPage:
    items: list[Record]
    total: int
    unread: int


async def get_inbox(
    uow: UnitOfWork, ctx: Context, recipient_id: UUID, *, unread: bool | None, limit: int, offset: int
) -> InboxPage:
    async with uow.read() as conn:
        recipient = await conn.fetchrow(*RECIPIENTS.get_recipient(recipient_id=recipient_id))
        access.require_owner(ctx.principal, _facts(recipient), recipient_id, "reading an inbox")
        rows = await conn.fetch(*INBOX.inbox(recipient_id=recipient_id, unread=unread, limit=limit, offset=offset))
        unread_count = await conn.fetchval(*INBOX.inbox_unread_count(recipient_id=recipient_id))
    return InboxPage(
        items=[without(row, "payload", "total") for row in rows],
        total=rows[0]["total"] if rows else 0,
        unread=unread_count,
    )


async def read_item(tx: Transaction, recipient_id: UUID, notification_id: UUID) -> Record | None:
    """Mark one of the recipient's inbox notifications read in the change `tx` (reading it again keeps the first
    time, and is not audited again); the notification with the event it is about, or None if it has no such one."""
    found = await tx.conn.fetchrow(*INBOX.lock_inbox_item(notification_id=notification_id, recipient_id=recipient_id))
    if found is None:
        return None
    row = await tx.conn.fetchrow(
        *INBOX.mark_read(notification_id=notification_id, recipient_id=recipient_id, now=tx.now)
    )
    if found["read_at"] is None:
        tx.audit("inbox_item.read", "inbox_item", notification_id, before=dict(found), after=without(row, "payload"))
    return dict(row)


async def mark_read(uow: UnitOfWork, ctx: Context, recipient_id: UUID, notification_id: UUID) -> Record:
    """Mark one inbox notification read (reading it again keeps the first time) and return it."""
    async with uow.change(ctx) as tx:
        recipient = await tx.conn.fetchrow(*RECIPIENTS.get_recipient(recipient_id=recipient_id))
        access.require_owner(ctx.principal, _facts(recipient), recipient_id, "marking an inbox read")
        row = await read_item(tx, recipient_id, notification_id)
    if row is None:
        raise NotFound("path.notification_id", f"no inbox notification {notification_id} for recipient {recipient_id}")
    return without(row, "payload")


def without(row: asyncpg.Record | Record, *names: str) -> Record:
    return {key: value for key, value in dict(row).items() if key not in names}


def _facts(row: asyncpg.Record | None) -> Record | None:
    return None if row is None else dict(row)
