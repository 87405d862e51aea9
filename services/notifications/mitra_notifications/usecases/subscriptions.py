"""A recipient's own subscriptions to events, beside the routing rules: its owner's, or an administrator's to see and
change (`domain/access.py`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from mitra_notifications.domain import access, recipients
from mitra_notifications.sql import RECIPIENTS, SUBSCRIPTIONS
from mitra_shared.access import ministry_of
from mitra_shared.context import Context
from mitra_shared.db import Record
from mitra_shared.errors import NotFound
from mitra_shared.uow import UnitOfWork


@dataclass(frozen=True)
class NewSubscription:
    routing_keys: Sequence[str]
    organization_ids: Sequence[UUID] | None
    region_codes: Sequence[str] | None
    channels: Sequence[str]


async def subscribe(uow: UnitOfWork, ctx: Context, recipient_id: UUID, command: NewSubscription) -> Record:
    recipients.check_routing_keys(command.routing_keys)
    async with uow.change(ctx) as tx:
        await _require_owner_or_admin(tx.conn, ctx, recipient_id, "subscribing a recipient")
        ministry_code = ministry_of(ctx.principal)
        its_ngos = (
            await tx.conn.fetchval(*SUBSCRIPTIONS.organizations_of_ministry(ministry_code=ministry_code))
            if ministry_code
            else []
        )
        access.require_subscription_in_scope(ctx.principal, command.organization_ids, command.region_codes, its_ngos)
        row = await tx.conn.fetchrow(
            *SUBSCRIPTIONS.insert_subscription(
                id=uuid.uuid4(),
                recipient_id=recipient_id,
                routing_keys=list(command.routing_keys),
                organization_ids=None if command.organization_ids is None else list(command.organization_ids),
                region_codes=None if command.region_codes is None else list(command.region_codes),
                channels=sorted(set(command.channels)),
                now=tx.now,
            )
        )
        tx.audit("subscription.created", "subscription", row["id"], before=None, after=dict(row))
    return dict(row)


async def list_subscriptions(uow: UnitOfWork, ctx: Context, recipient_id: UUID) -> list[Record]:
    async with uow.read() as conn:
        await _require_owner_or_admin(conn, ctx, recipient_id, "reading a recipient's subscriptions")
        return [dict(row) for row in await conn.fetch(*SUBSCRIPTIONS.list_subscriptions(recipient_id=recipient_id))]


async def unsubscribe(uow: UnitOfWork, ctx: Context, recipient_id: UUID, subscription_id: UUID) -> None:
    async with uow.change(ctx) as tx:
        await _require_owner_or_admin(tx.conn, ctx, recipient_id, "ending a recipient's subscription")
        deleted = await tx.conn.fetchrow(
            *SUBSCRIPTIONS.delete_subscription(subscription_id=subscription_id, recipient_id=recipient_id)
        )
        if deleted is not None:
            tx.audit("subscription.deleted", "subscription", subscription_id, before=dict(deleted), after=None)
    if deleted is None:
        raise NotFound("path.subscription_id", f"no subscription {subscription_id} of recipient {recipient_id}")


async def _require_owner_or_admin(conn: asyncpg.Connection, ctx: Context, recipient_id: UUID, what: str) -> None:
    row = await conn.fetchrow(*RECIPIENTS.get_recipient(recipient_id=recipient_id))
    access.require_owner_or_admin(ctx.principal, None if row is None else dict(row), recipient_id, what)
