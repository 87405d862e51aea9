"""What notifications does with agreements' events: whom each concerns, and the message it gets."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import asyncpg
from pydantic import BaseModel, ConfigDict

from mitra_notifications import agreement_messages as texts
from mitra_notifications.routing import QUERIES, EventFacts, notify
from mitra_shared.contracts import agreements as contracts
from mitra_shared.events import ReceivedEvent
from mitra_shared.inbox import Handler, handler


class _Slim(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Organization(_Slim):
    organization_id: UUID
    name: str


class Ministry(_Slim):
    partner_id: UUID | None = None
    name: str
    code: str | None = None


class Location(_Slim):
    code: str
    name: str | None = None
    province_code: str | None = None


class MspNotice(_Slim):
    """Notifications' slim copy of agreements' MSP events."""

    msp_id: UUID
    number: str | None = None
    organization: Organization
    ministry: Ministry | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    work_locations: list[Location] = []
    region_codes: list[str] = []
    province_codes: list[str] = []
    reason: str | None = None
    days_before: int | None = None


class Visitor(_Slim):
    name: str
    nationality: str | None = None
    role: str | None = None


class VisitNotice(_Slim):
    """Notifications' slim copy of agreements' visit events."""

    visit_id: UUID
    msp_id: UUID
    organization: Organization
    ministry: Ministry | None = None
    visitors: list[Visitor] = []
    purpose: str = ""
    arrives_on: date
    departs_on: date | None = None
    region_codes: list[str]
    province_codes: list[str] = []
    late: bool = False
    reason: str | None = None


class ObligationNotice(_Slim):
    """Notifications' slim copy of agreements' due and overdue events."""

    obligation_id: UUID
    obligation_kind: str
    msp_id: UUID
    organization_id: UUID
    organization_name: str
    ministry_code: str | None = None
    period: str = ""
    region_code: str | None = None
    province_code: str | None = None
    due_on: date
    days_left: int | None = None
    days_overdue: int | None = None
    due_on_holiday: str | None = None
    due_on_weekend: bool = False


def _with_provinces(codes: list[str], provinces: list[str]) -> tuple[str, ...]:
    # A regency's province hears of it too: its code is the regency's first two digits.
    return tuple(dict.fromkeys([*codes, *provinces, *(code[:2] for code in codes if len(code) > 2)]))


async def _msp_facts(conn: asyncpg.Connection, data: MspNotice) -> EventFacts:
    regions = data.region_codes or [location.code for location in data.work_locations]
    if not regions:
        regions = list(await conn.fetchval(QUERIES.msp_regions, data.msp_id) or [])
    return EventFacts(
        organization_id=data.organization.organization_id,
        region_codes=_with_provinces(regions, data.province_codes),
        ministry_partner_id=data.ministry.partner_id if data.ministry else None,
        ministry_code=data.ministry.code if data.ministry else None,
    )


def _msp_text(data: MspNotice) -> texts.MspFacts:
    names = tuple(location.name or location.code for location in data.work_locations) or tuple(data.region_codes)
    return texts.MspFacts(
        number=data.number or str(data.msp_id),
        organization_name=data.organization.name,
        ministry_name=data.ministry.name if data.ministry else "-",
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        region_names=names,
        reason=data.reason,
        days_before=data.days_before,
    )


async def msp_signed(conn: asyncpg.Connection, event: ReceivedEvent, data: MspNotice) -> None:
    await conn.execute(
        QUERIES.remember_msp,
        data.msp_id,
        data.number or str(data.msp_id),
        data.organization.organization_id,
        data.organization.name,
        data.ministry.partner_id if data.ministry else None,
        data.ministry.code if data.ministry else None,
        data.ministry.name if data.ministry else None,
        data.region_codes or [location.code for location in data.work_locations],
    )
    facts = _msp_text(data)
    await notify(
        conn,
        event,
        contracts.MspSigned.kind.routing_key,
        lambda language: texts.msp_signed(facts, language),
        await _msp_facts(conn, data),
    )


def _msp_handler(routing_key: str, render: Any) -> Any:
    async def apply(conn: asyncpg.Connection, event: ReceivedEvent, data: MspNotice) -> None:
        facts = _msp_text(data)
        await notify(conn, event, routing_key, lambda language: render(facts, language), await _msp_facts(conn, data))

    return apply


def _visit_handler(routing_key: str, change: str) -> Any:
    async def apply(conn: asyncpg.Connection, event: ReceivedEvent, data: VisitNotice) -> None:
        facts = texts.VisitFacts(
            organization_name=data.organization.name,
            visitors=tuple(f"{v.name} ({v.nationality})" if v.nationality else v.name for v in data.visitors),
            purpose=data.purpose,
            arrives_on=data.arrives_on,
            departs_on=data.departs_on or data.arrives_on,
            region_codes=tuple(data.region_codes),
            late=data.late,
            reason=data.reason,
        )
        routing = EventFacts(
            organization_id=data.organization.organization_id,
            region_codes=_with_provinces(data.region_codes, data.province_codes),
            ministry_partner_id=data.ministry.partner_id if data.ministry else None,
            ministry_code=data.ministry.code if data.ministry else None,
        )
        await notify(conn, event, routing_key, lambda language: texts.visit(facts, change, language), routing)

    return apply


def _obligation_handler(routing_key: str, overdue: bool) -> Any:
    async def apply(conn: asyncpg.Connection, event: ReceivedEvent, data: ObligationNotice) -> None:
        if data.region_code:
            regions = _with_provinces([data.region_code], [data.province_code] if data.province_code else [])
        else:
            regions = _with_provinces(list(await conn.fetchval(QUERIES.msp_regions, data.msp_id) or []), [])
        facts = texts.ObligationFacts(
            kind=data.obligation_kind,
            organization_name=data.organization_name,
            period=data.period,
            due_on=data.due_on,
            region_code=data.region_code,
            days_left=data.days_left,
            days_overdue=data.days_overdue,
            holiday=data.due_on_holiday,
            weekend=data.due_on_weekend,
        )
        routing = EventFacts(
            organization_id=data.organization_id, region_codes=regions, ministry_code=data.ministry_code
        )
        await notify(conn, event, routing_key, lambda language: texts.obligation(facts, overdue, language), routing)

    return apply


def _handlers() -> dict[Any, Handler[Any]]:
    found: dict[Any, Handler[Any]] = {contracts.MspSigned.kind: handler(MspNotice, msp_signed)}
    for contract, render in (
        (contracts.MspExtended, texts.msp_extended),
        (contracts.MspTerminated, texts.msp_terminated),
        (contracts.MspExpiring, texts.msp_expiring),
    ):
        found[contract.kind] = handler(MspNotice, _msp_handler(contract.kind.routing_key, render))
    for visit_contract, change in (
        (contracts.VisitAnnounced, "announced"),
        (contracts.VisitUpdated, "updated"),
        (contracts.VisitCancelled, "cancelled"),
    ):
        found[visit_contract.kind] = handler(VisitNotice, _visit_handler(visit_contract.kind.routing_key, change))
    for obligation_contract, overdue in (
        (contracts.ActionPlanDue, False),
        (contracts.ActionPlanOverdue, True),
        (contracts.WorkPlanDue, False),
        (contracts.WorkPlanOverdue, True),
        (contracts.ReportDue, False),
        (contracts.ReportOverdue, True),
    ):
        found[obligation_contract.kind] = handler(
            ObligationNotice, _obligation_handler(obligation_contract.kind.routing_key, overdue)
        )
    return found


HANDLERS = _handlers()
