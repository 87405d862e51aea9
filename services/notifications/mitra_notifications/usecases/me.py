"""A person's own notifications (`/me`): the inbox and the preferences of the recipient linked to their account
(`domain/access.py`, "Me"). 404 while the account has no recipient yet.

Marking read and changing preferences are the person's changes of state: each goes into the audit trail; reading
again, or a change that changes nothing, records nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from mitra_notifications.domain import access, recipients
from mitra_notifications.domain.inbox_links import link_of
from mitra_notifications.sql import INBOX, RECIPIENTS
from mitra_notifications.usecases import inbox
from mitra_shared.context import Context
from mitra_shared.db import Record
from mitra_shared.errors import NotFound
from mitra_shared.uow import UnitOfWork


@dataclass(frozen=True)
class MyInbox:
    items: list[Record]
    total: int
    unread: int


@dataclass(frozen=True)
class Preferences:
    language: str
    email_enabled: bool
    digest: bool


async def _mine(conn: asyncpg.Connection, ctx: Context) -> Record:
    row = await conn.fetchrow(*RECIPIENTS.account_recipient(subject=ctx.principal.subject))
    return dict(access.require_own_recipient(ctx.principal, None if row is None else dict(row)))


def _item(row: asyncpg.Record | Record) -> Record:
    """An inbox entry as `/me` shows it: without the stored event, with its link."""
    item: dict[str, Any] = inbox.without(row, "payload", "total")
    item["link"] = link_of(row["event_type"], row["payload"])
    return item


async def my_inbox(uow: UnitOfWork, ctx: Context, *, unread: bool | None, limit: int, offset: int) -> MyInbox:
    async with uow.read() as conn:
        recipient = await _mine(conn, ctx)
        rows = await conn.fetch(*INBOX.inbox(recipient_id=recipient["id"], unread=unread, limit=limit, offset=offset))
        unread_count = await conn.fetchval(*INBOX.inbox_unread_count(recipient_id=recipient["id"]))
    return MyInbox(items=[_item(row) for row in rows], total=rows[0]["total"] if rows else 0, unread=unread_count)


async def unread_count(uow: UnitOfWork, ctx: Context) -> int:
    async with uow.read() as conn:
        recipient = await _mine(conn, ctx)
        return int(await conn.fetchval(*INBOX.inbox_unread_count(recipient_id=recipient["id"])))


async def mark_read(uow: UnitOfWork, ctx: Context, notification_id: UUID) -> Record:
    """Mark one of the caller's inbox entries read (reading it again keeps the first time) and return it."""
    async with uow.change(ctx) as tx:
        recipient_id = (await _mine(tx.conn, ctx))["id"]
        item = await inbox.read_item(tx, recipient_id, notification_id)
        if item is None:
            raise NotFound("path.notification_id", f"no notification {notification_id} in your inbox")
    return _item(item)


async def mark_all_read(uow: UnitOfWork, ctx: Context) -> int:
    """Mark every unread entry of the caller's inbox read; return how many were."""
    async with uow.change(ctx) as tx:
        recipient_id = (await _mine(tx.conn, ctx))["id"]
        marked = await tx.conn.fetch(*INBOX.mark_all_read(recipient_id=recipient_id, now=tx.now))
        if marked:
            tx.audit(
                "inbox.read_all",
                "recipient",
                recipient_id,
                before={"unread": len(marked)},
                after={"unread": 0, "marked": sorted(str(row["id"]) for row in marked)},
            )
    return len(marked)


def _preferences(row: Record) -> Preferences:
    return Preferences(language=row["language"], email_enabled=row["email_enabled"], digest=row["digest"])


async def my_preferences(uow: UnitOfWork, ctx: Context) -> tuple[Record, Preferences]:
    """The caller's recipient (for its address) and its preferences."""
    async with uow.read() as conn:
        recipient = await _mine(conn, ctx)
    return recipient, _preferences(recipient)


async def set_preferences(uow: UnitOfWork, ctx: Context, wanted: Preferences) -> tuple[Record, Preferences]:
    async with uow.change(ctx) as tx:
        recipient_id = (await _mine(tx.conn, ctx))["id"]
        before = await tx.conn.fetchrow(*RECIPIENTS.lock_recipient(recipient_id=recipient_id))
        row = await tx.conn.fetchrow(
            *RECIPIENTS.set_preferences(
                recipient_id=recipient_id,
                language=wanted.language,
                email_enabled=wanted.email_enabled,
                digest=wanted.digest,
            )
        )
        values_before, values_after = recipients.audit_values(before), recipients.audit_values(row)
        if values_before != values_after:
            tx.audit(
                "recipient.preferences_changed", "recipient", recipient_id, before=values_before, after=values_after
            )
    return dict(row), _preferences(dict(row))
