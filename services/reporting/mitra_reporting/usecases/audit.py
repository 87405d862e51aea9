"""The audit trail read back: a page of entries for TPOA and auditors, and the chain verified end to end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from mitra_reporting.domain import audit
from mitra_reporting.sql import AUDIT_LOG
from mitra_shared.context import Context
from mitra_shared.uow import UnitOfWork


@dataclass(frozen=True)
class AuditQuery:
    object_id: str | None = None
    actor: str | None = None
    at_from: datetime | None = None
    at_to: datetime | None = None
    oldest_first: bool = False
    limit: int = 50
    offset: int = 0


def entry_of(row: asyncpg.Record | dict[str, Any]) -> dict[str, Any]:
    """A stored entry as the API answers it."""
    return {
        "seq": row["seq"],
        "at": row["at"],
        "actor": {
            "subject": row["actor_subject"],
            "name": row["actor_name"],
            "role": row["actor_role"],
            "scope": row["actor_scope"],
        },
        "action": row["action"],
        "object_type": row["object_type"],
        "object_id": row["object_id"],
        "before": row["before"],
        "after": row["after"],
        "request_id": row["request_id"],
        "service": row["service"],
    }


async def list_entries(uow: UnitOfWork, ctx: Context, query: AuditQuery) -> tuple[list[dict[str, Any]], int]:
    """A page of the trail (the policy lets only TPOA and auditors here: they read all of it); and how many match."""
    async with uow.read() as conn:
        rows = await conn.fetch(
            *AUDIT_LOG.list_entries(
                object_id=query.object_id,
                actor=query.actor,
                at_from=query.at_from,
                at_to=query.at_to,
                oldest_first=query.oldest_first,
                limit=query.limit,
                offset=query.offset,
            )
        )
    return [entry_of(row) for row in rows], rows[0]["total"] if rows else 0


async def verify_chain(uow: UnitOfWork, *, batch: int = 2000) -> audit.Verdict:
    """Recompute every entry's hash in order; the first that does not match, if any."""
    verifier = audit.ChainVerifier()
    async with uow.read() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        async for row in conn.cursor(AUDIT_LOG.chain, prefetch=batch):
            if not verifier.check(row):
                break
    return verifier.verdict()


async def privileges_beyond_appending(uow: UnitOfWork) -> list[str]:
    """What the runtime role may do to the audit log beyond adding and reading (owning it counts as all)."""
    async with uow.read() as conn:
        return [row["privilege"] for row in await conn.fetch(AUDIT_LOG.privileges_beyond_appending)]
