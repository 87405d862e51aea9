"""Projections of agreements' events: MSPs and their regions, obligations and submissions, visits."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg
from pydantic import BaseModel, ConfigDict

from mitra_shared.contracts import agreements as contracts
from mitra_shared.db import Queries
from mitra_shared.events import EventKind, ReceivedEvent

QUERIES = Queries.from_package("mitra_reporting", "queries.sql")


class _Slim(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Organization(_Slim):
    organization_id: UUID
    name: str


class Ministry(_Slim):
    partner_id: UUID | None = None
    name: str
    code: str


class Location(_Slim):
    code: str
    kind: str
    name: str
    province_code: str


class ObligationSummary(_Slim):
    obligation_id: UUID
    kind: str
    period: str = ""
    region_code: str | None = None
    due_on: date


class MspDrafted(_Slim):
    msp_id: UUID
    organization: Organization
    ministry: Ministry
    title: str
    focus_areas: list[str] = []
    forms_of_cooperation: list[str] = []
    work_locations: list[Location] = []
    starts_on: date
    ends_on: date


class MspStep(_Slim):
    msp_id: UUID


class MspSigned(MspDrafted):
    number: str
    signed_on: date
    signed_document_ref: str | None = None
    obligations: list[ObligationSummary] = []


class MspExtended(_Slim):
    msp_id: UUID
    organization: Organization
    ministry: Ministry
    ends_on: date
    new_obligations: list[ObligationSummary] = []


class MspTerminated(_Slim):
    msp_id: UUID
    terminated_on: date
    reason: str


class MspEnded(_Slim):
    msp_id: UUID
    ended_on: date


class ObligationStep(_Slim):
    obligation_id: UUID


class Submitted(ObligationStep):
    submitted_at: datetime


class Decided(ObligationStep):
    decided_at: datetime


class Visit(_Slim):
    visit_id: UUID
    msp_id: UUID
    organization: Organization
    ministry: Ministry | None = None
    arrives_on: date
    departs_on: date
    region_codes: list[str]
    province_codes: list[str] = []
    late: bool = False


class VisitCancelled(_Slim):
    visit_id: UUID


async def _regions(conn: asyncpg.Connection, msp_id: UUID, locations: list[Location]) -> None:
    await conn.execute(QUERIES.clear_msp_regions, msp_id)
    await conn.execute(
        QUERIES.project_msp_regions,
        msp_id,
        [location.code for location in locations],
        [location.kind for location in locations],
        [location.name for location in locations],
        [location.province_code for location in locations],
    )


async def _obligations(
    conn: asyncpg.Connection, msp_id: UUID, organization_id: UUID, ministry: str, items: list[ObligationSummary]
) -> None:
    for item in items:
        await conn.execute(
            QUERIES.project_obligation,
            item.obligation_id,
            msp_id,
            organization_id,
            ministry,
            item.kind,
            item.period,
            item.region_code,
            item.due_on,
        )


async def msp_drafted(conn: asyncpg.Connection, event: ReceivedEvent, d: MspDrafted) -> None:
    await conn.execute(
        QUERIES.project_msp_drafted,
        d.msp_id,
        d.title,
        d.organization.organization_id,
        d.organization.name,
        d.ministry.partner_id,
        d.ministry.code,
        d.ministry.name,
        d.starts_on,
        d.ends_on,
        d.focus_areas,
        d.forms_of_cooperation,
        event.time,
    )
    await _regions(conn, d.msp_id, d.work_locations)


def _status(status: str) -> Any:
    async def apply(conn: asyncpg.Connection, event: ReceivedEvent, d: MspStep) -> None:
        await conn.execute(QUERIES.project_msp_status, d.msp_id, status, event.time)

    return apply


async def msp_signed(conn: asyncpg.Connection, event: ReceivedEvent, d: MspSigned) -> None:
    await conn.execute(
        QUERIES.project_msp_signed,
        d.msp_id,
        d.number,
        d.title,
        d.organization.organization_id,
        d.organization.name,
        d.ministry.partner_id,
        d.ministry.code,
        d.ministry.name,
        d.starts_on,
        d.ends_on,
        d.signed_on,
        d.focus_areas,
        d.forms_of_cooperation,
        d.signed_document_ref,
        event.time,
    )
    await _regions(conn, d.msp_id, d.work_locations)
    await _obligations(conn, d.msp_id, d.organization.organization_id, d.ministry.code, d.obligations)


async def msp_extended(conn: asyncpg.Connection, event: ReceivedEvent, d: MspExtended) -> None:
    await conn.execute(QUERIES.project_msp_extended, d.msp_id, d.ends_on, event.time)
    await _obligations(conn, d.msp_id, d.organization.organization_id, d.ministry.code, d.new_obligations)


async def msp_terminated(conn: asyncpg.Connection, event: ReceivedEvent, d: MspTerminated) -> None:
    await conn.execute(QUERIES.project_msp_closed, d.msp_id, "terminated", d.terminated_on, d.reason, event.time)


async def msp_ended(conn: asyncpg.Connection, event: ReceivedEvent, d: MspEnded) -> None:
    await conn.execute(QUERIES.project_msp_closed, d.msp_id, "ended", d.ended_on, None, event.time)


async def submitted(conn: asyncpg.Connection, event: ReceivedEvent, d: Submitted) -> None:
    await conn.execute(QUERIES.project_submission, d.obligation_id, d.submitted_at)


def _decision(status: str) -> Any:
    async def apply(conn: asyncpg.Connection, event: ReceivedEvent, d: Decided) -> None:
        await conn.execute(QUERIES.project_decision, d.obligation_id, status, d.decided_at)

    return apply


async def overdue(conn: asyncpg.Connection, event: ReceivedEvent, d: ObligationStep) -> None:
    await conn.execute(QUERIES.project_overdue, d.obligation_id)


async def visit(conn: asyncpg.Connection, event: ReceivedEvent, d: Visit) -> None:
    provinces = list(dict.fromkeys([*d.province_codes, *(code[:2] for code in d.region_codes)]))
    await conn.execute(
        QUERIES.project_visit,
        d.visit_id,
        d.msp_id,
        d.organization.organization_id,
        d.ministry.code if d.ministry else None,
        d.arrives_on,
        d.departs_on,
        d.region_codes,
        provinces,
        d.late,
    )


async def visit_cancelled(conn: asyncpg.Connection, event: ReceivedEvent, d: VisitCancelled) -> None:
    await conn.execute(QUERIES.project_visit_cancelled, d.visit_id)


def projectors() -> dict[EventKind, tuple[type[BaseModel], Any]]:
    found: dict[EventKind, tuple[type[BaseModel], Any]] = {
        contracts.MspDrafted.kind: (MspDrafted, msp_drafted),
        contracts.MspSubmitted.kind: (MspStep, _status("submitted")),
        contracts.MspApproved.kind: (MspStep, _status("approved")),
        contracts.MspRejected.kind: (MspStep, _status("rejected")),
        contracts.MspSigned.kind: (MspSigned, msp_signed),
        contracts.MspExtended.kind: (MspExtended, msp_extended),
        contracts.MspTerminated.kind: (MspTerminated, msp_terminated),
        contracts.MspEnded.kind: (MspEnded, msp_ended),
        contracts.VisitAnnounced.kind: (Visit, visit),
        contracts.VisitUpdated.kind: (Visit, visit),
        contracts.VisitCancelled.kind: (VisitCancelled, visit_cancelled),
    }
    for submission in (contracts.ActionPlanSubmitted, contracts.WorkPlanSubmitted, contracts.ReportSubmitted):
        found[submission.kind] = (Submitted, submitted)
    for accepted in (contracts.WorkPlanAccepted, contracts.ReportAccepted):
        found[accepted.kind] = (Decided, _decision("accepted"))
    for returned in (contracts.WorkPlanReturned, contracts.ReportReturned):
        found[returned.kind] = (Decided, _decision("returned"))
    for late in (contracts.ActionPlanOverdue, contracts.WorkPlanOverdue, contracts.ReportOverdue):
        found[late.kind] = (ObligationStep, overdue)
    return found
