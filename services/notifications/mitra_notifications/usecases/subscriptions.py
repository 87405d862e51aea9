"""A recipient's own subscriptions to events, beside the routing rules."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from mitra_notifications.domain import recipients
from mitra_notifications.sql import RECIPIENTS, SUBSCRIPTIONS
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
        if await tx.conn.fetchrow(*RECIPIENTS.get_recipient(recipient_id=recipient_id)) is None:
            raise NotFound("path.recipient_id", f"no recipient {recipient_id}")
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
    return dict(row)


async def list_subscriptions(uow: UnitOfWork, recipient_id: UUID) -> list[Record]:
    async with uow.read() as conn:
        return [dict(row) for row in await conn.fetch(*SUBSCRIPTIONS.list_subscriptions(recipient_id=recipient_id))]


async def unsubscribe(uow: UnitOfWork, ctx: Context, recipient_id: UUID, subscription_id: UUID) -> None:
    async with uow.change(ctx) as tx:
        deleted = await tx.conn.fetchval(
            *SUBSCRIPTIONS.delete_subscription(subscription_id=subscription_id, recipient_id=recipient_id)
        )
    if deleted is None:
        raise NotFound("path.subscription_id", f"no subscription {subscription_id} of recipient {recipient_id}")
