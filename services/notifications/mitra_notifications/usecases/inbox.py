"""Each recipient's in-app inbox: read it, mark what was read."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from mitra_notifications.sql import INBOX, RECIPIENTS
from mitra_shared.context import Context
from mitra_shared.db import Record
from mitra_shared.errors import NotFound
from mitra_shared.uow import UnitOfWork


@dataclass(frozen=True)
class InboxPage:
    items: list[Record]
    total: int
    unread: int


async def get_inbox(uow: UnitOfWork, recipient_id: UUID, *, unread: bool | None, limit: int, offset: int) -> InboxPage:
    async with uow.read() as conn:
        if await conn.fetchrow(*RECIPIENTS.get_recipient(recipient_id=recipient_id)) is None:
            raise NotFound("path.recipient_id", f"no recipient {recipient_id}")
        rows = await conn.fetch(*INBOX.inbox(recipient_id=recipient_id, unread=unread, limit=limit, offset=offset))
        unread_count = await conn.fetchval(*INBOX.inbox_unread_count(recipient_id=recipient_id))
    return InboxPage(
        items=[{k: v for k, v in row.items() if k != "total"} for row in rows],
        total=rows[0]["total"] if rows else 0,
        unread=unread_count,
    )


async def mark_read(uow: UnitOfWork, ctx: Context, recipient_id: UUID, notification_id: UUID) -> Record:
    """Mark one inbox notification read (reading it again keeps the first time) and return it."""
    async with uow.change(ctx) as tx:
        row = await tx.conn.fetchrow(
            *INBOX.mark_read(notification_id=notification_id, recipient_id=recipient_id, now=tx.now)
        )
    if row is None:
        raise NotFound("path.notification_id", f"no inbox notification {notification_id} for recipient {recipient_id}")
    return dict(row)
