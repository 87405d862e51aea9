"""Use cases of sanctions (see `domain.sanctions`): imposing, lifting, reading, and the end of those with an end
date. Each change runs in one unit of work under the NGO's row lock: the sanction, the NGO's status change (with
its history entry and `registry.organization.status_changed`), the permits a revocation revokes and the other
sanctions it supersedes, their events and the audit entries commit together.

TPOA imposes and lifts; whoever reads the NGO in the register reads its sanctions (`domain.access`: another NGO's
are answered 404).
"""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from mitra_registry.domain.access import may_read, require_keeper
from mitra_registry.domain.organizations import Organization
from mitra_registry.domain.sanctions import (
    EXPIRY_REASON,
    SUPERSEDED_REASON,
    ImposeSanction,
    LiftSanction,
    Sanction,
    SanctionQuery,
    check_lift,
    decide_imposition,
    status_after_freeze,
)
from mitra_registry.sql import SANCTIONS
from mitra_registry.usecases.organizations import (
    lock_organization_record,
    move_status,
    no_organization,
    require_organization,
)
from mitra_shared.clock import jakarta_date
from mitra_shared.context import Context
from mitra_shared.contracts.registry import PermitRevoked, SanctionImposed, SanctionLifted
from mitra_shared.errors import NotFound
from mitra_shared.uow import Transaction, UnitOfWork

_STATUS_REASON = {
    "freeze": "frozen by a sanction: {reason}",
    "revocation": "revoked by a sanction: {reason}",
}


async def impose(uow: UnitOfWork, ctx: Context, organization_id: uuid.UUID, command: ImposeSanction) -> Sanction:
    """Impose a sanction: a freeze suspends the NGO, a revocation revokes it and every valid permit it holds."""
    require_keeper(ctx.principal, "imposes sanctions")
    async with uow.change(ctx) as tx:
        current = await lock_organization_record(tx.conn, organization_id)
        today = jakarta_date(tx.now)
        frozen = bool(await tx.conn.fetchval(*SANCTIONS.has_active_freeze(organization_id=organization_id)))
        decision = decide_imposition(command, current.status, frozen=frozen, today=today)
        row = await tx.conn.fetchrow(
            *SANCTIONS.insert_sanction(
                id=uuid.uuid4(),
                organization_id=organization_id,
                kind=command.kind,
                category=command.category,
                reason=command.reason,
                starts_on=today,
                ends_on=command.ends_on,
                previous_status=current.status if command.kind == "freeze" else None,
                imposed_by=tx.actor,
                now=tx.now,
            )
        )
        assert row is not None
        sanction = Sanction.model_validate(dict(row))
        organization = current
        if decision.new_status is not None:
            reason = _STATUS_REASON[command.kind].format(reason=command.reason)
            organization = await move_status(tx, current, decision.new_status, reason)
        tx.publish(
            SanctionImposed(
                sanction_id=sanction.id,
                organization_id=organization_id,
                organization_name=organization.legal_name,
                sanction_kind=sanction.kind,
                category=sanction.category,
                reason=sanction.reason,
                starts_on=sanction.starts_on,
                ends_on=sanction.ends_on,
                organization_status=organization.status,
                imposed_by=sanction.imposed_by,
                imposed_at=sanction.imposed_at,
            ),
            subject=str(organization_id),
        )
        tx.audit("sanction.imposed", "sanction", sanction.id, before=None, after=_values(sanction))
        if decision.revokes_permits:
            await _supersede(tx, organization_id, sanction)
            await _revoke_permits(tx, organization, sanction)
    return sanction


async def lift(uow: UnitOfWork, ctx: Context, sanction_id: uuid.UUID, command: LiftSanction) -> Sanction:
    """Lift a warning or freeze; a lifted freeze returns the NGO to its status before it."""
    require_keeper(ctx.principal, "lifts sanctions")
    async with uow.change(ctx) as tx:
        found = await tx.conn.fetchrow(*SANCTIONS.get_sanction(sanction_id=sanction_id))
        if found is None:
            raise _no_sanction(sanction_id)
        lifted = await _end(tx, found["organization_id"], sanction_id, reason=command.reason, expired=False)
    assert lifted is not None, "refused rather than skipped when not quiet"
    return lifted


async def expire_ended(uow: UnitOfWork, ctx: Context, *, batch_size: int) -> int:
    """End one batch of warnings and freezes whose last day is before the context's day; return how many."""
    ended = 0
    async with uow.read() as conn:
        claimed = await conn.fetch(*SANCTIONS.claim_ended_sanctions(today=jakarta_date(ctx.now), batch_size=batch_size))
    # Candidates only: each ends in its own unit of work under the NGO's lock, skipped when no longer active.
    for row in claimed:
        async with uow.change(ctx) as tx:
            if await _end(tx, row["organization_id"], row["id"], reason=EXPIRY_REASON, expired=True, quiet=True):
                ended += 1
    return ended


async def get(uow: UnitOfWork, ctx: Context, sanction_id: uuid.UUID) -> Sanction:
    async with uow.read() as conn:
        row = await conn.fetchrow(*SANCTIONS.get_sanction(sanction_id=sanction_id))
    if row is None or not may_read(ctx.principal, row["organization_id"]):
        raise _no_sanction(sanction_id)
    return Sanction.model_validate(dict(row))


async def list_of_organization(
    uow: UnitOfWork, ctx: Context, organization_id: uuid.UUID, query: SanctionQuery
) -> tuple[list[Sanction], int]:
    """An NGO's sanctions, newest first, and how many match in all."""
    if not may_read(ctx.principal, organization_id):
        raise no_organization(organization_id)
    async with uow.read() as conn:
        await require_organization(conn, organization_id)
        rows = await conn.fetch(
            *SANCTIONS.list_sanctions(
                organization_id=organization_id,
                status=query.status,
                kind=query.kind,
                limit=query.limit,
                offset=query.offset,
            )
        )
    total = rows[0]["total"] if rows else 0
    return [Sanction.model_validate(dict(row)) for row in rows], total


async def _end(
    tx: Transaction,
    organization_id: uuid.UUID,
    sanction_id: uuid.UUID,
    *,
    reason: str,
    expired: bool,
    quiet: bool = False,
) -> Sanction | None:
    """End an active warning or freeze under the NGO's lock (lock order: the NGO, then the sanction). `quiet`: a
    sanction no longer active is skipped (None) instead of refused."""
    current = await lock_organization_record(tx.conn, organization_id)
    locked = await tx.conn.fetchrow(*SANCTIONS.lock_sanction(sanction_id=sanction_id))
    assert locked is not None, "a sanction is never deleted"
    before = Sanction.model_validate(dict(locked))
    if quiet and before.status != "active":
        return None
    check_lift(before)
    row = await tx.conn.fetchrow(
        *SANCTIONS.end_sanction(
            sanction_id=sanction_id,
            status="expired" if expired else "lifted",
            lifted_by=tx.actor,
            reason=reason,
            now=tx.now,
        )
    )
    assert row is not None, "the row is locked and was active"
    sanction = Sanction.model_validate(dict(row))
    organization: Organization = current
    back_to = status_after_freeze(sanction.kind, current.status, locked["previous_status"])
    if back_to is not None:
        why = "freeze expired" if expired else f"freeze lifted: {reason}"
        organization = await move_status(tx, current, back_to, why)
    tx.publish(
        SanctionLifted(
            sanction_id=sanction.id,
            organization_id=organization_id,
            organization_name=organization.legal_name,
            sanction_kind=sanction.kind,
            category=sanction.category,
            reason=reason,
            expired=expired,
            organization_status=organization.status,
            lifted_by=tx.actor,
            lifted_at=tx.now,
        ),
        subject=str(organization_id),
    )
    tx.audit(
        "sanction.expired" if expired else "sanction.lifted",
        "sanction",
        sanction.id,
        before=_values(before),
        after=_values(sanction),
    )
    return sanction


async def _supersede(tx: Transaction, organization_id: uuid.UUID, revocation: Sanction) -> None:
    """End the revoked NGO's other active sanctions (warnings, a freeze) as lifted by the revocation, quietly: an
    audit entry each, no `registry.sanction.lifted` (the revocation says it all), so that nothing on a revoked NGO
    is left to expire."""
    rows = await tx.conn.fetch(
        *SANCTIONS.supersede_sanctions(
            organization_id=organization_id, lifted_by=tx.actor, reason=SUPERSEDED_REASON, now=tx.now
        )
    )
    for row in rows:
        ended = Sanction.model_validate(dict(row))
        tx.audit(
            "sanction.superseded",
            "sanction",
            ended.id,
            before=_values(
                ended.model_copy(update={"status": "active", "lifted_by": None, "lifted_at": None, "lift_reason": None})
            ),
            after={**_values(ended), "superseded_by": str(revocation.id)},
        )


async def _revoke_permits(tx: Transaction, organization: Organization, sanction: Sanction) -> None:
    """Revoke every valid permit of a revoked NGO, each with `registry.permit.revoked` and an audit entry."""
    permits: list[asyncpg.Record] = await tx.conn.fetch(*SANCTIONS.lock_valid_permits(organization_id=organization.id))
    for permit in permits:
        revoked = await tx.conn.fetchval(
            *SANCTIONS.revoke_permit(
                permit_id=permit["id"],
                revoked_on=sanction.starts_on,
                reason=sanction.reason,
                sanction_id=sanction.id,
                now=tx.now,
            )
        )
        if revoked is None:
            continue
        tx.publish(
            PermitRevoked(
                permit_id=permit["id"],
                organization_id=organization.id,
                organization_name=organization.legal_name,
                permit_type=permit["permit_type"],
                number=permit["number"],
                revoked_on=sanction.starts_on,
                reason=sanction.reason,
                sanction_id=sanction.id,
                revoked_at=tx.now,
            ),
            subject=str(permit["id"]),
        )
        tx.audit(
            "permit.revoked",
            "permit",
            permit["id"],
            before={"status": "valid"},
            after={"status": "revoked", "revoked_on": sanction.starts_on.isoformat(), "sanction_id": str(sanction.id)},
        )


def _values(sanction: Sanction) -> dict[str, Any]:
    return sanction.model_dump(mode="json")


def _no_sanction(sanction_id: uuid.UUID) -> NotFound:
    return NotFound("path.sanction_id", f"no sanction {sanction_id}")
