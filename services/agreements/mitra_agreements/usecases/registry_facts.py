"""Agreements' copy of registry's facts: what the other use cases read of it (inside their transaction), and the
known NGOs as the API lists them. The copy is written by `consumers.registry_facts` from registry's events; a
sanction's effects on the NGO's MSPs (a revocation ends them) are applied here, in the event's transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from mitra_agreements.domain import access
from mitra_agreements.domain import msps as msp_rules
from mitra_agreements.domain.registry_facts import KnownOrganization, KnownPartner, KnownPermit
from mitra_agreements.sql import MSPS, OBLIGATIONS, REGISTRY_FACTS, REVIEWS
from mitra_agreements.usecases import views
from mitra_agreements.usecases.access import parties, scope_parameters
from mitra_agreements.usecases.event_facts import ministry_party, organization_party
from mitra_agreements.usecases.obligations import audit_obligations_closed
from mitra_shared.clock import jakarta_date
from mitra_shared.context import Context
from mitra_shared.contracts import agreements as contracts
from mitra_shared.errors import NotFound
from mitra_shared.uow import Transaction, UnitOfWork

# --- for the use cases, inside their transaction ------------------------------------------------------------


async def organization(conn: asyncpg.Connection, organization_id: UUID) -> KnownOrganization | None:
    row = await conn.fetchrow(*REGISTRY_FACTS.get_known_organization(organization_id=organization_id))
    if row is None:
        return None
    return KnownOrganization(row["organization_id"], row["legal_name"], row["status"])


async def principle_permits(conn: asyncpg.Connection, organization_id: UUID) -> list[KnownPermit]:
    rows = await conn.fetch(*REGISTRY_FACTS.principle_permits_of(organization_id=organization_id))
    return [
        KnownPermit(r["permit_id"], r["organization_id"], r["number"], r["issued_on"], r["valid_until"], r["expired"])
        for r in rows
    ]


def _partner(row: Mapping[str, Any]) -> KnownPartner:
    return KnownPartner(
        row["partner_id"], row["partner_kind"], row["name"], row["code"], row["parent_code"], row["active"]
    )


async def known_partner(conn: asyncpg.Connection, partner_id: UUID) -> KnownPartner | None:
    row = await conn.fetchrow(*REGISTRY_FACTS.get_known_partner(partner_id=partner_id))
    return None if row is None else _partner(row)


async def regions(conn: asyncpg.Connection, codes: list[str]) -> dict[str, KnownPartner]:
    return {row["code"]: _partner(row) for row in await conn.fetch(*REGISTRY_FACTS.regions_by_code(codes=codes))}


async def check_not_frozen(
    conn: asyncpg.Connection, organization_id: UUID, organization_name: str, *, field: str
) -> None:
    """409 naming `field` while a freeze of the NGO is active (`domain/msps.check_not_frozen`)."""
    rows = await conn.fetch(*REGISTRY_FACTS.active_freezes_of(organization_id=organization_id))
    msp_rules.check_not_frozen([row["reason"] for row in rows], organization_name, field=field)


# --- sanctions, as registry's events tell them (system:agreements, in the event's transaction) ---------------


async def _learn_status(
    conn: asyncpg.Connection, organization_id: UUID, organization_name: str, status: str, as_of: datetime
) -> None:
    """The NGO's status in the register after a sanction imposed or lifted."""
    await conn.execute(
        *REGISTRY_FACTS.learn_organization_status(
            organization_id=organization_id, legal_name=organization_name, status=status, as_of=as_of
        )
    )


async def sanction_imposed(
    tx: Transaction,
    *,
    sanction_id: UUID,
    organization_id: UUID,
    organization_name: str,
    sanction_kind: str,
    category: str,
    reason: str,
    starts_on: date,
    ends_on: date | None,
    organization_status: str,
    as_of: datetime,
) -> None:
    """Keep the sanction (a freeze blocks new MSPs, submissions, extensions and visits while active) and the NGO's
    status after it; a revocation ends the NGO's MSPs in force and refuses those not yet signed."""
    conn = tx.conn
    await conn.execute(
        *REGISTRY_FACTS.learn_sanction_imposed(
            sanction_id=sanction_id,
            organization_id=organization_id,
            sanction_kind=sanction_kind,
            category=category,
            reason=reason,
            starts_on=starts_on,
            ends_on=ends_on,
        )
    )
    await _learn_status(conn, organization_id, organization_name, organization_status, as_of)
    if sanction_kind != "revocation":
        return
    why = f"the registry revoked {organization_name} ({category}): {reason}"
    for msp in await conn.fetch(*MSPS.live_msps_of_organization(organization_id=organization_id)):
        outcome = msp_rules.revocation_outcome(msp["status"])
        await conn.execute(*REVIEWS.close_review(msp_id=msp["id"], now=tx.now))
        if outcome == "terminate":
            await _terminate(tx, msp, sanction_id=sanction_id, reason=why)
        elif outcome == "reject":
            row = await conn.fetchrow(
                *MSPS.set_msp_status(msp_id=msp["id"], status="rejected", note=why, actor=tx.actor, now=tx.now)
            )
            tx.publish(
                contracts.MspRejected(
                    msp_id=msp["id"],
                    organization=organization_party(row),
                    ministry=ministry_party(row),
                    reason=why,
                    rejected_by=tx.actor,
                    rejected_at=tx.now,
                ),
                subject=str(msp["id"]),
            )
            tx.audit(
                "msp.rejected",
                "msp",
                msp["id"],
                before=views.values(views.Msp, msp),
                after=views.values(views.Msp, row),
            )


async def _terminate(tx: Transaction, msp: asyncpg.Record, *, sanction_id: UUID, reason: str) -> None:
    terminated_on = jakarta_date(tx.now)
    row = await tx.conn.fetchrow(
        *MSPS.terminate_msp(msp_id=msp["id"], terminated_on=terminated_on, reason=reason, now=tx.now)
    )
    closed = await tx.conn.fetch(*OBLIGATIONS.close_obligations_on_revocation(msp_id=msp["id"], now=tx.now))
    tx.publish(
        contracts.MspTerminated(
            msp_id=msp["id"],
            organization=organization_party(row),
            ministry=ministry_party(row),
            terminated_on=terminated_on,
            reason=reason,
            sanction_id=sanction_id,
            closed_obligation_ids=[obligation["id"] for obligation in closed],
            terminated_by=tx.actor,
            terminated_at=tx.now,
        ),
        subject=str(msp["id"]),
    )
    tx.audit(
        "msp.terminated", "msp", msp["id"], before=views.values(views.Msp, msp), after=views.values(views.Msp, row)
    )
    audit_obligations_closed(tx, closed)


async def sanction_lifted(
    tx: Transaction,
    *,
    sanction_id: UUID,
    organization_id: UUID,
    organization_name: str,
    sanction_kind: str,
    category: str,
    reason: str,
    organization_status: str,
    as_of: datetime,
) -> None:
    """A warning or freeze ended: it blocks nothing more; the NGO's status is the register's after it."""
    await tx.conn.execute(
        *REGISTRY_FACTS.learn_sanction_lifted(
            sanction_id=sanction_id,
            organization_id=organization_id,
            sanction_kind=sanction_kind,
            category=category,
            reason=reason,
        )
    )
    await _learn_status(tx.conn, organization_id, organization_name, organization_status, as_of)


# --- for the API ------------------------------------------------------------------------------------------


async def list_known_organizations(
    uow: UnitOfWork, ctx: Context, *, limit: int, offset: int
) -> tuple[list[views.KnownOrganization], int]:
    """A page of the NGOs agreements knows that the caller's scope covers, by name, and how many there are."""
    scope = scope_parameters(ctx)
    async with uow.read() as conn:
        rows = await conn.fetch(*REGISTRY_FACTS.list_known_organizations(limit=limit, offset=offset, **scope))
    return [views.view(views.KnownOrganization, row) for row in rows], (rows[0]["total"] if rows else 0)


async def get_known_organization(uow: UnitOfWork, ctx: Context, organization_id: UUID) -> views.KnownOrganization:
    """One NGO, unknown (404) to a caller whose scope does not cover it (`domain/access.py`)."""
    async with uow.read() as conn:
        row = await conn.fetchrow(*REGISTRY_FACTS.get_known_organization(organization_id=organization_id))
        msps = [parties(msp) for msp in await conn.fetch(*MSPS.msps_of_organization(organization_id=organization_id))]
    if row is None or not access.may_read_organization(ctx.principal, organization_id, msps):
        raise NotFound("path.organization_id", f"agreements has not learned of organization {organization_id}")
    return views.view(views.KnownOrganization, row)
