"""MSPs from draft to end: draft, submit (which opens TPOA's member review), approve (once the review allows) or
reject, sign (which creates the obligations), terminate; and the MSPs as the API reads them. Extensions go through
TPOA (`usecases/reviews.py`). Activation, expiry warnings and the end are the deadline engine's.

Each checks the caller's scope first (`domain/access.py`): an MSP the caller may not read is answered as unknown
(404), one it may read but not act on that way with 403."""

from __future__ import annotations

import uuid
from uuid import UUID

import asyncpg

from mitra_agreements.domain import access
from mitra_agreements.domain import msps as rules
from mitra_agreements.domain.msps import Action
from mitra_agreements.domain.obligations import ObligationRules, plan_obligations
from mitra_agreements.domain.policy import Policy
from mitra_agreements.sql import MSPS, OBLIGATIONS
from mitra_agreements.usecases import registry_facts, reviews
from mitra_agreements.usecases.access import parties, scope_parameters
from mitra_agreements.usecases.commands import Decide, DraftMsp, Reject, SignMsp, TerminateMsp
from mitra_agreements.usecases.event_facts import (
    ministry_party,
    obligation_summary,
    organization_party,
    regions,
    work_locations,
)
from mitra_agreements.usecases.obligations import (
    audit_obligations_closed,
    audit_obligations_created,
    create_obligations,
)
from mitra_agreements.usecases.views import Msp, MspDetail, Obligation, values, view
from mitra_shared.clock import jakarta_date
from mitra_shared.context import Context
from mitra_shared.contracts import agreements as contracts
from mitra_shared.documents import documents_of
from mitra_shared.errors import Conflict, NotFound, RuleBroken
from mitra_shared.events import EventData
from mitra_shared.uow import UnitOfWork


async def locked_msp(conn: asyncpg.Connection, ctx: Context, msp_id: UUID) -> asyncpg.Record:
    """The MSP a change is about, locked until the change commits; unknown (404) to a caller who may not read it."""
    row = await conn.fetchrow(*MSPS.get_msp_for_update(msp_id=msp_id))
    if row is None or not access.may_read_msp(ctx.principal, parties(row)):
        raise NotFound("path.msp_id", f"no MSP {msp_id}")
    return row


async def msp_in_force(
    conn: asyncpg.Connection, ctx: Context, msp_id: UUID, *, field: str, not_frozen: bool = False
) -> asyncpg.Record:
    """The MSP that a visit or a recommendation names (in its body, hence not a 404), which must be the calling
    NGO's own (403) and in force; `not_frozen`: and its NGO not frozen by a sanction (409 naming
    `msp.organization_id`)."""
    row = await conn.fetchrow(*MSPS.get_msp(msp_id=msp_id))
    if row is None:
        raise RuleBroken(field, f"no MSP {msp_id}")
    access.check_ngo_acts_for(ctx.principal, row["organization_id"], field=field)
    rules.check_in_force(row["status"], field=field)
    if not_frozen:
        await registry_facts.check_not_frozen(
            conn, row["organization_id"], row["organization_name"], field="msp.organization_id"
        )
    return row


# --- changes ----------------------------------------------------------------------------------------------------


async def draft_msp(uow: UnitOfWork, ctx: Context, command: DraftMsp) -> Msp:
    access.check_ngo_acts_for(ctx.principal, command.organization_id, field="body.organization_id")
    async with uow.change(ctx) as tx:
        conn = tx.conn
        organization = await registry_facts.organization(conn, command.organization_id)
        if organization is not None:
            await registry_facts.check_not_frozen(
                conn, organization.organization_id, organization.legal_name, field="body.organization_id"
            )
        parties = rules.check_draft(
            organization_id=command.organization_id,
            organization=organization,
            ministry_partner_id=command.ministry_partner_id,
            ministry=await registry_facts.known_partner(conn, command.ministry_partner_id),
            work_location_codes=command.work_location_codes,
            known_regions=await registry_facts.regions(conn, command.work_location_codes),
            starts_on=command.starts_on,
            ends_on=command.ends_on,
            permits=await registry_facts.principle_permits(conn, command.organization_id),
            today=jakarta_date(tx.now),
        )
        row = await conn.fetchrow(
            *MSPS.insert_msp(
                id=uuid.uuid4(),
                organization_id=parties.organization.organization_id,
                organization_name=parties.organization.legal_name,
                ministry_partner_id=parties.ministry.partner_id,
                ministry_name=parties.ministry.name,
                ministry_code=parties.ministry.code,
                title=command.title,
                focus_areas=command.focus_areas,
                forms_of_cooperation=command.forms_of_cooperation,
                work_locations=[location.model_dump() for location in parties.work_locations],
                starts_on=command.starts_on,
                ends_on=command.ends_on,
                obligation_rules=command.obligation_rules.model_dump(),
                drafted_by=tx.actor,
                now=tx.now,
            )
        )
        assert row is not None
        tx.publish(
            contracts.MspDrafted(
                msp_id=row["id"],
                organization=organization_party(row),
                ministry=ministry_party(row),
                title=row["title"],
                focus_areas=row["focus_areas"],
                forms_of_cooperation=row["forms_of_cooperation"],
                work_locations=parties.work_locations,
                starts_on=row["starts_on"],
                ends_on=row["ends_on"],
                drafted_by=tx.actor,
                drafted_at=tx.now,
            ),
            subject=str(row["id"]),
        )
        tx.audit("msp.drafted", "msp", row["id"], before=None, after=values(Msp, row))
    return view(Msp, row)


async def submit_msp(uow: UnitOfWork, ctx: Context, msp_id: UUID, *, policy: Policy) -> Msp:
    """draft → submitted; TPOA's members are asked to review it (`policy.tpoa_members`)."""
    async with uow.change(ctx) as tx:
        current = await locked_msp(tx.conn, ctx, msp_id)
        access.check_ngo_acts_for(ctx.principal, current["organization_id"])
        status = rules.transition(current["status"], "submit")
        await registry_facts.check_not_frozen(
            tx.conn, current["organization_id"], current["organization_name"], field="msp.organization_id"
        )
        organization = await registry_facts.organization(tx.conn, current["organization_id"])
        rules.check_can_get_msp(organization, current["organization_id"], field="msp.organization_id")
        row = await tx.conn.fetchrow(
            *MSPS.set_msp_status(msp_id=msp_id, status=status, note=None, actor=tx.actor, now=tx.now)
        )
        tx.publish(
            contracts.MspSubmitted(
                msp_id=msp_id,
                organization=organization_party(row),
                ministry=ministry_party(row),
                title=row["title"],
                submitted_by=tx.actor,
                submitted_at=tx.now,
            ),
            subject=str(msp_id),
        )
        await reviews.open_review(tx, row, "msp", policy)
        tx.audit("msp.submitted", "msp", msp_id, before=values(Msp, current), after=values(Msp, row))
    return view(Msp, row)


async def _decide(
    uow: UnitOfWork,
    ctx: Context,
    msp_id: UUID,
    action: Action,
    event_type: type[EventData],
    *,
    field: str,
    text: str | None,
) -> Msp:
    """TPOA's decision on a submitted MSP (not by whoever drafted or submitted it): the new status, the decision's
    text (kept as the MSP's decision note, and in the event as its `field`), and the event that says so, by whom
    (`<status>_by`) and when (`_at`). An approval waits for the members' review (409 on `review`); a rejection
    does not. Either closes the review."""
    async with uow.change(ctx) as tx:
        current = await locked_msp(tx.conn, ctx, msp_id)
        access.check_review(ctx.principal, drafted_by=current["drafted_by"], submitted_by=current["submitted_by"])
        status = rules.transition(current["status"], action)
        if action == "approve":
            await reviews.check_decidable(tx.conn, msp_id, jakarta_date(tx.now))
        await reviews.close_review(tx.conn, msp_id, tx.now)
        row = await tx.conn.fetchrow(
            *MSPS.set_msp_status(msp_id=msp_id, status=status, note=text, actor=tx.actor, now=tx.now)
        )
        event = event_type.model_validate(
            {
                "msp_id": msp_id,
                "organization": organization_party(row),
                "ministry": ministry_party(row),
                field: text,
                f"{status}_by": tx.actor,
                f"{status}_at": tx.now,
            }
        )
        tx.publish(event, subject=str(msp_id))
        tx.audit(f"msp.{status}", "msp", msp_id, before=values(Msp, current), after=values(Msp, row))
    return view(Msp, row)


async def approve_msp(uow: UnitOfWork, ctx: Context, msp_id: UUID, command: Decide) -> Msp:
    return await _decide(uow, ctx, msp_id, "approve", contracts.MspApproved, field="note", text=command.note)


async def reject_msp(uow: UnitOfWork, ctx: Context, msp_id: UUID, command: Reject) -> Msp:
    return await _decide(uow, ctx, msp_id, "reject", contracts.MspRejected, field="reason", text=command.reason)


async def sign_msp(uow: UnitOfWork, ctx: Context, msp_id: UUID, command: SignMsp, *, policy: Policy) -> Msp:
    today = jakarta_date(ctx.now)
    signed_on = command.signed_on or today
    async with uow.change(ctx) as tx:
        conn = tx.conn
        current = await locked_msp(conn, ctx, msp_id)
        access.check_signing(
            ctx.principal, parties(current), drafted_by=current["drafted_by"], submitted_by=current["submitted_by"]
        )
        permit = rules.check_signing(
            status=current["status"],
            organization=await registry_facts.organization(conn, current["organization_id"]),
            organization_id=current["organization_id"],
            permits=await registry_facts.principle_permits(conn, current["organization_id"]),
            signed_on=signed_on,
            ends_on=current["ends_on"],
            today=today,
        )
        if await conn.fetchval(*MSPS.msp_number_taken(number=command.number, msp_id=msp_id)):
            raise Conflict("body.number", f"another MSP has the number {command.number}")
        planned = plan_obligations(
            starts_on=current["starts_on"],
            ends_on=current["ends_on"],
            signed_on=signed_on,
            regions=regions(current),
            rules=ObligationRules.model_validate(current["obligation_rules"]),
        )
        # In force from its start date; the engine looks at it on its next tick (activation, an expiry warning
        # already due).
        row = await conn.fetchrow(
            *MSPS.sign_msp(
                msp_id=msp_id,
                status=rules.signed_status(current["starts_on"], today),
                number=command.number,
                signed_on=signed_on,
                signatories=[signatory.model_dump() for signatory in command.signatories],
                signed_document_ref=command.signed_document_ref,
                principle_permit_id=permit.permit_id,
                next_check_on=today,
                now=tx.now,
            )
        )
        obligations = await create_obligations(conn, msp_id, planned, policy.reminder_days, tx.now)
        locations = work_locations(row)
        tx.publish(
            contracts.MspSigned(
                msp_id=msp_id,
                number=command.number,
                title=row["title"],
                organization=organization_party(row),
                ministry=ministry_party(row),
                starts_on=row["starts_on"],
                ends_on=row["ends_on"],
                signed_on=signed_on,
                focus_areas=row["focus_areas"],
                forms_of_cooperation=row["forms_of_cooperation"],
                work_locations=locations,
                region_codes=[location.code for location in locations],
                province_codes=list(dict.fromkeys(location.province_code for location in locations)),
                signatories=command.signatories,
                signed_document_ref=command.signed_document_ref,
                principle_permit_id=permit.permit_id,
                principle_permit_valid_until=permit.valid_until,
                obligations=[obligation_summary(o) for o in obligations],
                signed_by=tx.actor,
                signed_at=tx.now,
            ),
            subject=str(msp_id),
        )
        tx.audit("msp.signed", "msp", msp_id, before=values(Msp, current), after=values(Msp, row))
        audit_obligations_created(tx, obligations)
    return view(Msp, row)


async def terminate_msp(uow: UnitOfWork, ctx: Context, msp_id: UUID, command: TerminateMsp) -> Msp:
    terminated_on = command.terminated_on or jakarta_date(ctx.now)
    async with uow.change(ctx) as tx:
        current = await locked_msp(tx.conn, ctx, msp_id)
        access.check_ministry_acts(ctx.principal, parties(current))
        rules.transition(current["status"], "terminate")
        row = await tx.conn.fetchrow(
            *MSPS.terminate_msp(msp_id=msp_id, terminated_on=terminated_on, reason=command.reason, now=tx.now)
        )
        closed = await tx.conn.fetch(*OBLIGATIONS.close_open_obligations(msp_id=msp_id, now=tx.now))
        await reviews.close_review(tx.conn, msp_id, tx.now)
        tx.publish(
            contracts.MspTerminated(
                msp_id=msp_id,
                organization=organization_party(row),
                ministry=ministry_party(row),
                terminated_on=terminated_on,
                reason=command.reason,
                closed_obligation_ids=[obligation["id"] for obligation in closed],
                terminated_by=tx.actor,
                terminated_at=tx.now,
            ),
            subject=str(msp_id),
        )
        tx.audit("msp.terminated", "msp", msp_id, before=values(Msp, current), after=values(Msp, row))
        audit_obligations_closed(tx, closed)
    return view(Msp, row)


# --- queries ----------------------------------------------------------------------------------------------------


async def _readable_msp(conn: asyncpg.Connection, ctx: Context, msp_id: UUID) -> asyncpg.Record:
    """An MSP the caller reads (a TPOA member ministry also the MSPs its review asked it about), or 404."""
    row = await conn.fetchrow(*MSPS.get_msp(msp_id=msp_id))
    if row is None or not (
        access.may_read_msp(ctx.principal, parties(row)) or await reviews.may_read_as_member(conn, ctx, msp_id)
    ):
        raise NotFound("path.msp_id", f"no MSP {msp_id}")
    return row


async def get_msp(uow: UnitOfWork, ctx: Context, msp_id: UUID) -> MspDetail:
    """One MSP with its documents (the signed MSP, amendments, annexes)."""
    async with uow.read() as conn:
        row = await _readable_msp(conn, ctx, msp_id)
        attached = await documents_of(conn, "msp", msp_id)
    return MspDetail(**view(Msp, row).model_dump(), documents=attached)


async def list_msps(
    uow: UnitOfWork, ctx: Context, *, organization_id: UUID | None, status: str | None, limit: int, offset: int
) -> tuple[list[Msp], int]:
    """A page of the MSPs the caller's scope covers, newest first, and how many there are."""
    scope = scope_parameters(ctx)
    async with uow.read() as conn:
        rows = await conn.fetch(
            *MSPS.list_msps(organization_id=organization_id, status=status, limit=limit, offset=offset, **scope)
        )
    return [view(Msp, row) for row in rows], (rows[0]["total"] if rows else 0)


async def obligations_of(uow: UnitOfWork, ctx: Context, msp_id: UUID) -> list[Obligation]:
    """An MSP's obligations by due date (a region's officer: the MSP-wide ones and those of its area)."""
    scope = scope_parameters(ctx)
    async with uow.read() as conn:
        await _readable_msp(conn, ctx, msp_id)
        rows = await conn.fetch(
            *OBLIGATIONS.obligations_of_msp(msp_id=msp_id, scope_region_code=scope["scope_region_code"])
        )
    return [view(Obligation, row) for row in rows]
