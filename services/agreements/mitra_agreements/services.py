"""Agreements' use cases: each runs in one transaction with the events it publishes (through the outbox).

They read registry's facts from agreements' own copies, never from registry, so they work while registry is down.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from mitra_agreements import domain, registry_facts
from mitra_agreements.domain import ObligationRules, PlannedObligation, Refused, Region
from mitra_agreements.messages import (
    AnnounceVisit,
    CancelVisit,
    Decide,
    DecideSubmission,
    DraftMsp,
    ExtendMsp,
    IssueRecommendation,
    Msp,
    Obligation,
    Recommendation,
    Reject,
    RequestRecommendation,
    SignMsp,
    Submission,
    SubmitObligation,
    TerminateMsp,
    UpdateVisit,
    Visit,
)
from mitra_shared import outbox
from mitra_shared.clock import Clock, jakarta_date
from mitra_shared.contracts import agreements as contracts
from mitra_shared.db import Queries
from mitra_shared.events import EventData, new_event
from mitra_shared.http import ConflictError, DomainError, NotFound

QUERIES = Queries.from_package("mitra_agreements", "queries.sql")


@dataclass(frozen=True)
class Context:
    """Who asks, when (the injected clock), and the request's correlation id for the events."""

    subject: str
    clock: Clock
    correlation_id: str | None = None


@dataclass(frozen=True)
class Policy:
    """Service-wide settings the use cases apply."""

    reminder_days: Sequence[int] = domain.DEFAULT_REMINDER_DAYS
    visit_notice_days: int = 14


@contextmanager
def _rules() -> Iterator[None]:
    try:
        yield
    except Refused as refused:
        error = ConflictError if refused.conflict else DomainError
        raise error(refused.detail, field=refused.field) from None


async def _record(conn: asyncpg.Connection, data: EventData, subject: UUID, ctx: Context, now: datetime) -> None:
    await outbox.record(conn, new_event(data, subject=str(subject), correlation_id=ctx.correlation_id, time=now))


def organization_party(row: asyncpg.Record) -> contracts.OrganizationParty:
    return contracts.OrganizationParty(organization_id=row["organization_id"], name=row["organization_name"])


def ministry_party(row: asyncpg.Record) -> contracts.MinistryParty:
    return contracts.MinistryParty(
        partner_id=row["ministry_partner_id"], name=row["ministry_name"], code=row["ministry_code"]
    )


def _work_locations(row: asyncpg.Record) -> list[contracts.WorkLocation]:
    return [contracts.WorkLocation.model_validate(item) for item in row["work_locations"]]


def _msp(row: asyncpg.Record) -> Msp:
    return Msp.model_validate({key: row[key] for key in Msp.model_fields})


def _obligation(row: asyncpg.Record) -> Obligation:
    return Obligation.model_validate({key: row[key] for key in Obligation.model_fields})


def _summary(row: asyncpg.Record) -> contracts.ObligationSummary:
    return contracts.ObligationSummary(
        obligation_id=row["id"],
        kind=row["kind"],
        period=row["period"],
        region_code=row["region_code"],
        due_on=row["due_on"],
    )


async def _msp_for_update(conn: asyncpg.Connection, msp_id: UUID) -> asyncpg.Record:
    row = await conn.fetchrow(QUERIES.get_msp_for_update, msp_id)
    if row is None:
        raise NotFound(f"no MSP {msp_id}", field="path.msp_id")
    return row


# --- MSPs ------------------------------------------------------------------------------------------------------


async def draft_msp(pool: asyncpg.Pool, command: DraftMsp, ctx: Context) -> Msp:
    now = ctx.clock()
    today = jakarta_date(now)
    async with pool.acquire() as conn, conn.transaction():
        with _rules():
            organization = await registry_facts.organization(conn, command.organization_id)
            domain.check_can_get_msp(organization, command.organization_id, field="body.organization_id")
            assert organization is not None
            ministry = domain.check_ministry(
                await registry_facts.known_partner(conn, command.ministry_partner_id), command.ministry_partner_id
            )
            known_regions = await registry_facts.regions(conn, command.work_location_codes)
            regions = domain.check_work_locations(
                command.work_location_codes, known_regions, field="body.work_location_codes"
            )
            domain.check_dates(command.starts_on, command.ends_on)
            permit = domain.valid_principle_permit(
                await registry_facts.principle_permits(conn, command.organization_id), today
            )
            if permit is not None:
                domain.check_within_permit(permit, command.ends_on, field="body.ends_on")
        locations = [
            contracts.WorkLocation(
                code=region.code,
                kind=known_regions[region.code].partner_kind,
                name=known_regions[region.code].name,
                province_code=region.province_code,
            )
            for region in regions
        ]
        row = await conn.fetchrow(
            QUERIES.insert_msp,
            uuid.uuid4(),
            organization.organization_id,
            organization.legal_name,
            ministry.partner_id,
            ministry.name,
            ministry.code,
            command.title,
            command.focus_areas,
            command.forms_of_cooperation,
            [location.model_dump() for location in locations],
            command.starts_on,
            command.ends_on,
            command.obligation_rules.model_dump(),
            now,
        )
        assert row is not None
        event = contracts.MspDrafted(
            msp_id=row["id"],
            organization=organization_party(row),
            ministry=ministry_party(row),
            title=row["title"],
            focus_areas=row["focus_areas"],
            forms_of_cooperation=row["forms_of_cooperation"],
            work_locations=locations,
            starts_on=row["starts_on"],
            ends_on=row["ends_on"],
            drafted_by=ctx.subject,
            drafted_at=now,
        )
        await _record(conn, event, row["id"], ctx, now)
    return _msp(row)


async def get_msp(pool: asyncpg.Pool, msp_id: UUID) -> Msp:
    row = await pool.fetchrow(QUERIES.get_msp, msp_id)
    if row is None:
        raise NotFound(f"no MSP {msp_id}", field="path.msp_id")
    return _msp(row)


async def list_msps(
    pool: asyncpg.Pool, *, organization_id: UUID | None, status: str | None, limit: int, offset: int
) -> tuple[list[Msp], int]:
    rows = await pool.fetch(QUERIES.list_msps, organization_id, status, limit, offset)
    return [_msp(row) for row in rows], (rows[0]["total"] if rows else 0)


async def submit_msp(pool: asyncpg.Pool, msp_id: UUID, ctx: Context) -> Msp:
    now = ctx.clock()
    async with pool.acquire() as conn, conn.transaction():
        row = await _msp_for_update(conn, msp_id)
        with _rules():
            status = domain.transition(row["status"], "submit")
            organization = await registry_facts.organization(conn, row["organization_id"])
            domain.check_can_get_msp(organization, row["organization_id"], field="msp.organization_id")
        row = await conn.fetchrow(QUERIES.set_msp_status, msp_id, status, None, now)
        event = contracts.MspSubmitted(
            msp_id=msp_id,
            organization=organization_party(row),
            ministry=ministry_party(row),
            title=row["title"],
            submitted_by=ctx.subject,
            submitted_at=now,
        )
        await _record(conn, event, msp_id, ctx, now)
    return _msp(row)


async def approve_msp(pool: asyncpg.Pool, msp_id: UUID, command: Decide, ctx: Context) -> Msp:
    now = ctx.clock()
    async with pool.acquire() as conn, conn.transaction():
        row = await _msp_for_update(conn, msp_id)
        with _rules():
            status = domain.transition(row["status"], "approve")
        row = await conn.fetchrow(QUERIES.set_msp_status, msp_id, status, command.note, now)
        event = contracts.MspApproved(
            msp_id=msp_id,
            organization=organization_party(row),
            ministry=ministry_party(row),
            note=command.note,
            approved_by=ctx.subject,
            approved_at=now,
        )
        await _record(conn, event, msp_id, ctx, now)
    return _msp(row)


async def reject_msp(pool: asyncpg.Pool, msp_id: UUID, command: Reject, ctx: Context) -> Msp:
    now = ctx.clock()
    async with pool.acquire() as conn, conn.transaction():
        row = await _msp_for_update(conn, msp_id)
        with _rules():
            status = domain.transition(row["status"], "reject")
        row = await conn.fetchrow(QUERIES.set_msp_status, msp_id, status, command.reason, now)
        event = contracts.MspRejected(
            msp_id=msp_id,
            organization=organization_party(row),
            ministry=ministry_party(row),
            reason=command.reason,
            rejected_by=ctx.subject,
            rejected_at=now,
        )
        await _record(conn, event, msp_id, ctx, now)
    return _msp(row)


def _regions(row: asyncpg.Record) -> list[Region]:
    return [Region(location.code, location.province_code) for location in _work_locations(row)]


async def _insert_obligations(
    conn: asyncpg.Connection,
    msp_id: UUID,
    planned: Sequence[PlannedObligation],
    policy: Policy,
    now: datetime,
) -> list[asyncpg.Record]:
    created = []
    for obligation in planned:
        # An extension decision is reminded of by the MSP's expiry warnings, not by reminders of its own.
        next_check = (
            None
            if obligation.kind == "extension_decision"
            else domain.first_check(obligation.due_on, policy.reminder_days)
        )
        row = await conn.fetchrow(
            QUERIES.insert_obligation,
            uuid.uuid4(),
            msp_id,
            obligation.kind,
            obligation.period,
            obligation.region_code,
            obligation.province_code,
            obligation.due_on,
            next_check,
            now,
        )
        if row is not None:
            created.append(row)
    return created


async def sign_msp(pool: asyncpg.Pool, msp_id: UUID, command: SignMsp, ctx: Context, policy: Policy) -> Msp:
    now = ctx.clock()
    today = jakarta_date(now)
    signed_on = command.signed_on or today
    async with pool.acquire() as conn, conn.transaction():
        row = await _msp_for_update(conn, msp_id)
        with _rules():
            if signed_on > today:
                raise Refused(f"{signed_on} is in the future", field="body.signed_on", conflict=False)
            permit = domain.check_signing(
                status=row["status"],
                organization=await registry_facts.organization(conn, row["organization_id"]),
                organization_id=row["organization_id"],
                permits=await registry_facts.principle_permits(conn, row["organization_id"]),
                signed_on=signed_on,
                ends_on=row["ends_on"],
            )
        if await conn.fetchval(QUERIES.msp_number_taken, command.number, msp_id):
            raise ConflictError(f"another MSP has the number {command.number}", field="body.number")
        rules = ObligationRules.model_validate(row["obligation_rules"])
        planned = domain.plan_obligations(
            starts_on=row["starts_on"], ends_on=row["ends_on"], signed_on=signed_on, regions=_regions(row), rules=rules
        )
        # In force from its start date; the engine looks at it on its next tick (activation, an expiry warning
        # already due).
        row = await conn.fetchrow(
            QUERIES.sign_msp,
            msp_id,
            "active" if row["starts_on"] <= today else "signed",
            command.number,
            signed_on,
            [signatory.model_dump() for signatory in command.signatories],
            command.signed_document_ref,
            permit.permit_id,
            today,
            now,
        )
        obligations = await _insert_obligations(conn, msp_id, planned, policy, now)
        locations = _work_locations(row)
        event = contracts.MspSigned(
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
            obligations=[_summary(o) for o in obligations],
            signed_by=ctx.subject,
            signed_at=now,
        )
        await _record(conn, event, msp_id, ctx, now)
    return _msp(row)


async def extend_msp(pool: asyncpg.Pool, msp_id: UUID, command: ExtendMsp, ctx: Context, policy: Policy) -> Msp:
    now = ctx.clock()
    today = jakarta_date(now)
    async with pool.acquire() as conn, conn.transaction():
        row = await _msp_for_update(conn, msp_id)
        with _rules():
            domain.transition(row["status"], "extend")
            if command.ends_on <= row["ends_on"]:
                raise Refused(
                    f"the new end date must be after the current one ({row['ends_on']})",
                    field="body.ends_on",
                    conflict=False,
                )
            organization = await registry_facts.organization(conn, row["organization_id"])
            domain.check_can_get_msp(organization, row["organization_id"], field="msp.organization_id")
            permit = domain.valid_principle_permit(
                await registry_facts.principle_permits(conn, row["organization_id"]), today
            )
            if permit is None:
                raise Refused(
                    f"{row['organization_name']} has no principle permit valid today: an MSP cannot be extended "
                    "without one",
                    field="msp.organization_id",
                    conflict=True,
                )
            domain.check_within_permit(permit, command.ends_on, field="body.ends_on")
        rules = ObligationRules.model_validate(row["obligation_rules"])
        planned = domain.plan_obligations(
            starts_on=row["starts_on"],
            ends_on=command.ends_on,
            signed_on=row["signed_on"],
            regions=_regions(row),
            rules=rules,
            from_day=today,
        )
        # The decision to extend is made: the old end date's decision is closed, the new end date gets its own.
        await conn.execute(QUERIES.close_extension_decision, msp_id, now)
        created = await _insert_obligations(conn, msp_id, planned, policy, now)
        previous_ends_on = row["ends_on"]
        row = await conn.fetchrow(QUERIES.extend_msp, msp_id, command.ends_on, command.reason, today, now)
        event = contracts.MspExtended(
            msp_id=msp_id,
            organization=organization_party(row),
            ministry=ministry_party(row),
            previous_ends_on=previous_ends_on,
            ends_on=command.ends_on,
            reason=command.reason,
            new_obligations=[_summary(o) for o in created],
            extended_by=ctx.subject,
            extended_at=now,
        )
        await _record(conn, event, msp_id, ctx, now)
    return _msp(row)


async def terminate_msp(pool: asyncpg.Pool, msp_id: UUID, command: TerminateMsp, ctx: Context) -> Msp:
    now = ctx.clock()
    terminated_on = command.terminated_on or jakarta_date(now)
    async with pool.acquire() as conn, conn.transaction():
        row = await _msp_for_update(conn, msp_id)
        with _rules():
            domain.transition(row["status"], "terminate")
        row = await conn.fetchrow(QUERIES.terminate_msp, msp_id, terminated_on, command.reason, now)
        await conn.execute(QUERIES.close_open_obligations, msp_id, now)
        event = contracts.MspTerminated(
            msp_id=msp_id,
            organization=organization_party(row),
            ministry=ministry_party(row),
            terminated_on=terminated_on,
            reason=command.reason,
            terminated_by=ctx.subject,
            terminated_at=now,
        )
        await _record(conn, event, msp_id, ctx, now)
    return _msp(row)


async def obligations_of(pool: asyncpg.Pool, msp_id: UUID) -> list[Obligation]:
    async with pool.acquire() as conn:
        if await conn.fetchrow(QUERIES.get_msp, msp_id) is None:
            raise NotFound(f"no MSP {msp_id}", field="path.msp_id")
        return [_obligation(row) for row in await conn.fetch(QUERIES.obligations_of_msp, msp_id)]


# --- submissions ------------------------------------------------------------------------------------------------

_SUBMITTED: dict[str, type[EventData]] = {
    "action_plan": contracts.ActionPlanSubmitted,
    "work_plan": contracts.WorkPlanSubmitted,
    "semester_report": contracts.ReportSubmitted,
    "annual_report": contracts.ReportSubmitted,
}
_ACCEPTED: dict[str, type[EventData]] = {
    "work_plan": contracts.WorkPlanAccepted,
    "semester_report": contracts.ReportAccepted,
    "annual_report": contracts.ReportAccepted,
}
_RETURNED: dict[str, type[EventData]] = {
    "work_plan": contracts.WorkPlanReturned,
    "semester_report": contracts.ReportReturned,
    "annual_report": contracts.ReportReturned,
}


def obligation_facts(row: asyncpg.Record) -> dict[str, Any]:
    """The fields every event about an obligation carries (the row joined with its MSP)."""
    return {
        "obligation_id": row["id"],
        "obligation_kind": row["kind"],
        "msp_id": row["msp_id"],
        "organization_id": row["organization_id"],
        "organization_name": row["organization_name"],
        "ministry_code": row["ministry_code"],
        "period": row["period"],
        "region_code": row["region_code"],
        "province_code": row["province_code"],
        "due_on": row["due_on"],
    }


def _submission(row: asyncpg.Record) -> Submission:
    return Submission.model_validate({key: row[key] for key in Submission.model_fields})


async def _obligation_for_update(conn: asyncpg.Connection, obligation_id: UUID) -> asyncpg.Record:
    row = await conn.fetchrow(QUERIES.get_obligation_for_update, obligation_id)
    if row is None:
        raise NotFound(f"no obligation {obligation_id}", field="path.obligation_id")
    return row


async def submit_obligation(
    pool: asyncpg.Pool, obligation_id: UUID, command: SubmitObligation, ctx: Context
) -> Submission:
    now = ctx.clock()
    today = jakarta_date(now)
    async with pool.acquire() as conn, conn.transaction():
        obligation = await _obligation_for_update(conn, obligation_id)
        event_type = _SUBMITTED.get(obligation["kind"])
        if event_type is None:
            raise ConflictError(
                "an extension decision is made by extending the MSP or letting it end", field="obligation.kind"
            )
        if obligation["msp_status"] not in domain.IN_FORCE:
            raise ConflictError(f"the MSP is {obligation['msp_status']}", field="msp.status")
        if obligation["status"] in ("submitted", "accepted", "closed"):
            raise ConflictError(
                f"the {obligation['kind']} is already {obligation['status']}", field="obligation.status"
            )
        latest = await conn.fetchrow(QUERIES.latest_submission, obligation_id)
        attempt = 1 if latest is None else latest["attempt"] + 1
        late = today > obligation["due_on"]
        row = await conn.fetchrow(
            QUERIES.insert_submission,
            uuid.uuid4(),
            obligation_id,
            attempt,
            command.summary,
            command.document_ref,
            [item.model_dump() for item in command.funding],
            late,
            ctx.subject,
            now,
        )
        await conn.execute(QUERIES.set_obligation_status, obligation_id, "submitted", None, now)
        event = event_type.model_validate(
            {
                **obligation_facts(obligation),
                "submission_id": row["id"],
                "attempt": attempt,
                "summary": command.summary,
                "document_ref": command.document_ref,
                "funding": command.funding,
                "late": late,
                "submitted_by": ctx.subject,
                "submitted_at": now,
            }
        )
        await _record(conn, event, obligation_id, ctx, now)
    return _submission(row)


async def decide_submission(
    pool: asyncpg.Pool, submission_id: UUID, command: DecideSubmission, ctx: Context, *, accept: bool
) -> Submission:
    now = ctx.clock()
    async with pool.acquire() as conn, conn.transaction():
        submission = await conn.fetchrow(QUERIES.get_submission_for_update, submission_id)
        if submission is None:
            raise NotFound(f"no submission {submission_id}", field="path.submission_id")
        obligation = await _obligation_for_update(conn, submission["obligation_id"])
        event_type = (_ACCEPTED if accept else _RETURNED).get(obligation["kind"])
        if event_type is None:
            raise ConflictError("an Action Plan is filed, not accepted or returned", field="obligation.kind")
        if submission["status"] != "submitted":
            raise ConflictError(f"the submission was already {submission['status']}", field="submission.status")
        decision = "accepted" if accept else "returned"
        row = await conn.fetchrow(
            QUERIES.decide_submission, submission_id, decision, command.comments, ctx.subject, now
        )
        # A returned one is open again: the engine looks at it on its next tick (overdue if the date has passed).
        next_check = None if accept else jakarta_date(now)
        await conn.execute(QUERIES.set_obligation_status, obligation["id"], decision, next_check, now)
        event = event_type.model_validate(
            {
                **obligation_facts(obligation),
                "submission_id": submission_id,
                "attempt": submission["attempt"],
                "comments": command.comments,
                "decided_by": ctx.subject,
                "decided_at": now,
            }
        )
        await _record(conn, event, obligation["id"], ctx, now)
    return _submission(row)


async def submissions_of(pool: asyncpg.Pool, obligation_id: UUID) -> list[Submission]:
    async with pool.acquire() as conn:
        if await conn.fetchrow(QUERIES.get_obligation, obligation_id) is None:
            raise NotFound(f"no obligation {obligation_id}", field="path.obligation_id")
        return [_submission(row) for row in await conn.fetch(QUERIES.submissions_of, obligation_id)]


# --- foreign visits ---------------------------------------------------------------------------------------------


def _visit(row: asyncpg.Record) -> Visit:
    return Visit.model_validate({key: row[key] for key in Visit.model_fields})


async def _msp_in_force(conn: asyncpg.Connection, msp_id: UUID, *, field: str) -> asyncpg.Record:
    row = await conn.fetchrow(QUERIES.get_msp, msp_id)
    if row is None:
        raise DomainError(f"no MSP {msp_id}", field=field)
    if row["status"] not in domain.IN_FORCE:
        raise ConflictError(f"the MSP is {row['status']}, not in force", field=field)
    return row


def _visit_facts(visit: asyncpg.Record, msp: asyncpg.Record) -> dict[str, Any]:
    return {
        "visit_id": visit["id"],
        "msp_id": msp["id"],
        "organization": organization_party(msp),
        "ministry": ministry_party(msp),
        "visitors": visit["visitors"],
        "purpose": visit["purpose"],
        "arrives_on": visit["arrives_on"],
        "departs_on": visit["departs_on"],
        "region_codes": visit["region_codes"],
        "province_codes": visit["province_codes"],
        "programme": visit["programme"],
        "announced_on": visit["announced_on"],
        "days_notice": (visit["arrives_on"] - visit["announced_on"]).days,
        "late": visit["late"],
    }


async def _visited_regions(conn: asyncpg.Connection, codes: list[str], field: str) -> list[Region]:
    with _rules():
        return domain.check_work_locations(codes, await registry_facts.regions(conn, codes), field=field)


async def announce_visit(pool: asyncpg.Pool, command: AnnounceVisit, ctx: Context, policy: Policy) -> Visit:
    now = ctx.clock()
    today = jakarta_date(now)
    async with pool.acquire() as conn, conn.transaction():
        msp = await _msp_in_force(conn, command.msp_id, field="body.msp_id")
        with _rules():
            domain.check_visit_dates(command.arrives_on, command.departs_on)
            if command.arrives_on < today:
                raise Refused(f"arrival {command.arrives_on} is in the past", field="body.arrives_on", conflict=False)
        regions = await _visited_regions(conn, command.region_codes, "body.region_codes")
        notice = domain.visit_notice(
            announced_on=today, arrives_on=command.arrives_on, required_days=policy.visit_notice_days
        )
        row = await conn.fetchrow(
            QUERIES.insert_visit,
            uuid.uuid4(),
            command.msp_id,
            [visitor.model_dump() for visitor in command.visitors],
            command.purpose,
            command.arrives_on,
            command.departs_on,
            [region.code for region in regions],
            domain.provinces_of(regions),
            command.programme,
            today,
            notice.late,
            now,
        )
        event = contracts.VisitAnnounced.model_validate(
            {**_visit_facts(row, msp), "announced_by": ctx.subject, "announced_at": now}
        )
        await _record(conn, event, row["id"], ctx, now)
    return _visit(row)


async def get_visit(pool: asyncpg.Pool, visit_id: UUID) -> Visit:
    row = await pool.fetchrow(QUERIES.get_visit, visit_id)
    if row is None:
        raise NotFound(f"no visit {visit_id}", field="path.visit_id")
    return _visit(row)


async def _visit_for_update(conn: asyncpg.Connection, visit_id: UUID) -> asyncpg.Record:
    row = await conn.fetchrow(QUERIES.get_visit_for_update, visit_id)
    if row is None:
        raise NotFound(f"no visit {visit_id}", field="path.visit_id")
    if row["status"] != "announced":
        raise ConflictError(f"the visit is {row['status']}", field="visit.status")
    return row


async def update_visit(pool: asyncpg.Pool, visit_id: UUID, command: UpdateVisit, ctx: Context, policy: Policy) -> Visit:
    now = ctx.clock()
    async with pool.acquire() as conn, conn.transaction():
        current = await _visit_for_update(conn, visit_id)
        msp = await _msp_in_force(conn, current["msp_id"], field="msp.status")
        given = command.model_dump(exclude_unset=True)
        merged: dict[str, Any] = {
            "visitors": current["visitors"],
            "purpose": current["purpose"],
            "arrives_on": current["arrives_on"],
            "departs_on": current["departs_on"],
            "region_codes": current["region_codes"],
            "programme": current["programme"],
        }
        merged.update(given)
        with _rules():
            domain.check_visit_dates(merged["arrives_on"], merged["departs_on"])
        regions = await _visited_regions(conn, merged["region_codes"], "body.region_codes")
        notice = domain.visit_notice(
            announced_on=current["announced_on"],
            arrives_on=merged["arrives_on"],
            required_days=policy.visit_notice_days,
        )
        changed = [name for name, value in given.items() if value != current[name]]
        row = await conn.fetchrow(
            QUERIES.update_visit,
            visit_id,
            merged["visitors"],
            merged["purpose"],
            merged["arrives_on"],
            merged["departs_on"],
            [region.code for region in regions],
            domain.provinces_of(regions),
            merged["programme"],
            notice.late,
            now,
        )
        event = contracts.VisitUpdated.model_validate(
            {
                **_visit_facts(row, msp),
                "changed_fields": changed,
                "previous_region_codes": current["region_codes"],
                "updated_by": ctx.subject,
                "updated_at": now,
            }
        )
        await _record(conn, event, visit_id, ctx, now)
    return _visit(row)


async def cancel_visit(pool: asyncpg.Pool, visit_id: UUID, command: CancelVisit, ctx: Context) -> Visit:
    now = ctx.clock()
    async with pool.acquire() as conn, conn.transaction():
        current = await _visit_for_update(conn, visit_id)
        msp = await conn.fetchrow(QUERIES.get_msp, current["msp_id"])
        row = await conn.fetchrow(QUERIES.cancel_visit, visit_id, command.reason, now)
        event = contracts.VisitCancelled(
            visit_id=visit_id,
            msp_id=current["msp_id"],
            organization=organization_party(msp),
            region_codes=row["region_codes"],
            arrives_on=row["arrives_on"],
            reason=command.reason,
            cancelled_by=ctx.subject,
            cancelled_at=now,
        )
        await _record(conn, event, visit_id, ctx, now)
    return _visit(row)


# --- recommendations --------------------------------------------------------------------------------------------


def _recommendation(row: asyncpg.Record) -> Recommendation:
    return Recommendation.model_validate({key: row[key] for key in Recommendation.model_fields})


async def request_recommendation(pool: asyncpg.Pool, command: RequestRecommendation, ctx: Context) -> Recommendation:
    now = ctx.clock()
    if command.kind == "visa":
        for name in ("expert_name", "expert_nationality"):
            if not getattr(command, name):
                raise DomainError(f"a visa recommendation names the expert's {name}", field=f"body.{name}")
    async with pool.acquire() as conn, conn.transaction():
        msp = await _msp_in_force(conn, command.msp_id, field="body.msp_id")
        row = await conn.fetchrow(
            QUERIES.insert_recommendation,
            uuid.uuid4(),
            command.kind,
            command.msp_id,
            command.expert_name,
            command.expert_nationality,
            command.purpose,
            ctx.subject,
            now,
        )
        event = contracts.RecommendationRequested(
            recommendation_id=row["id"],
            recommendation_kind=command.kind,
            msp_id=command.msp_id,
            organization=organization_party(msp),
            ministry=ministry_party(msp),
            expert_name=command.expert_name,
            expert_nationality=command.expert_nationality,
            purpose=command.purpose,
            requested_by=ctx.subject,
            requested_at=now,
        )
        await _record(conn, event, row["id"], ctx, now)
    return _recommendation(row)


async def issue_recommendation(
    pool: asyncpg.Pool, recommendation_id: UUID, command: IssueRecommendation, ctx: Context
) -> Recommendation:
    now = ctx.clock()
    async with pool.acquire() as conn, conn.transaction():
        current = await conn.fetchrow(QUERIES.get_recommendation_for_update, recommendation_id)
        if current is None:
            raise NotFound(f"no recommendation {recommendation_id}", field="path.recommendation_id")
        if current["status"] != "requested":
            raise ConflictError(f"already issued as {current['reference_number']}", field="path.recommendation_id")
        if await conn.fetchval(QUERIES.reference_number_taken, command.reference_number):
            raise ConflictError(
                f"the reference number {command.reference_number} is already used", field="body.reference_number"
            )
        msp = await conn.fetchrow(QUERIES.get_msp, current["msp_id"])
        row = await conn.fetchrow(
            QUERIES.issue_recommendation,
            recommendation_id,
            command.granted,
            command.reference_number,
            command.note,
            ctx.subject,
            now,
        )
        event = contracts.RecommendationIssued(
            recommendation_id=recommendation_id,
            recommendation_kind=row["kind"],
            msp_id=row["msp_id"],
            organization=organization_party(msp),
            ministry=ministry_party(msp),
            granted=command.granted,
            reference_number=command.reference_number,
            note=command.note,
            issued_by=ctx.subject,
            issued_at=now,
        )
        await _record(conn, event, recommendation_id, ctx, now)
    return _recommendation(row)


async def get_recommendation(pool: asyncpg.Pool, recommendation_id: UUID) -> Recommendation:
    row = await pool.fetchrow(QUERIES.get_recommendation, recommendation_id)
    if row is None:
        raise NotFound(f"no recommendation {recommendation_id}", field="path.recommendation_id")
    return _recommendation(row)
