"""Routing rules: which audiences hear of which events, on which channels. Data, edited over the API."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from uuid import UUID

from mitra_notifications.sql import ROUTING_RULES
from mitra_shared.context import Context
from mitra_shared.db import Record
from mitra_shared.errors import NotFound
from mitra_shared.uow import UnitOfWork


async def list_rules(uow: UnitOfWork) -> list[Record]:
    async with uow.read() as conn:
        return [dict(row) for row in await conn.fetch(ROUTING_RULES.list_rules)]


async def put_rule(
    uow: UnitOfWork, ctx: Context, *, routing_key: str, audience: str, channels: Sequence[str], active: bool
) -> Record:
    """Add the rule for an event and an audience, or change the one there is."""
    async with uow.change(ctx) as tx:
        found = await tx.conn.fetchrow(*ROUTING_RULES.lock_rule(routing_key=routing_key, audience=audience))
        row = await tx.conn.fetchrow(
            *ROUTING_RULES.upsert_rule(
                id=uuid.uuid4(),
                routing_key=routing_key,
                audience=audience,
                channels=sorted(set(channels)),
                active=active,
                now=tx.now,
            )
        )
        before = None if found is None else dict(found)
        action = "routing_rule.created" if before is None else "routing_rule.updated"
        tx.audit(action, "routing_rule", row["id"], before=before, after=dict(row))
    return dict(row)


async def delete_rule(uow: UnitOfWork, ctx: Context, rule_id: UUID) -> None:
    async with uow.change(ctx) as tx:
        deleted = await tx.conn.fetchrow(*ROUTING_RULES.delete_rule(rule_id=rule_id))
        if deleted is not None:
            tx.audit("routing_rule.deleted", "routing_rule", rule_id, before=dict(deleted), after=None)
    if deleted is None:
        raise NotFound("path.rule_id", f"no routing rule {rule_id}")
