"""What notifications does with agreements' events: whom each concerns, and the message it gets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from mitra_notifications.domain import agreement_texts as texts
from mitra_notifications.domain.routing import EventFacts, with_provinces
from mitra_notifications.domain.texts import Language, Message
from mitra_notifications.usecases.routing import Notice, SignedMsp, channels_for, msp_regions, notify, remember_msp
from mitra_shared.contracts import agreements as contracts
from mitra_shared.events import ConsumedData, ReceivedEvent
from mitra_shared.inbox import Handler, handler
from mitra_shared.uow import Transaction

Apply = Callable[[Transaction, ReceivedEvent, Any], Any]


class Organization(ConsumedData):
    organization_id: UUID
    name: str


class Ministry(ConsumedData):
    partner_id: UUID | None = None
    name: str
    code: str | None = None


class Location(ConsumedData):
    code: str
    name: str | None = None
    province_code: str | None = None


class MspNotice(ConsumedData):
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
    closed_obligation_ids: list[UUID] = []
    imported: bool = False

    @property
    def regions_of_work(self) -> list[str]:
        return self.region_codes or [location.code for location in self.work_locations]


class Visitor(ConsumedData):
    name: str
    nationality: str | None = None
    role: str | None = None


class VisitNotice(ConsumedData):
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


class ObligationNotice(ConsumedData):
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


def event_facts(organization: Organization, ministry: Ministry | None, regions: tuple[str, ...] = ()) -> EventFacts:
    """What routing needs of an event about an NGO, its Mitra Utama and the regions it concerns (none: no region)."""
    return EventFacts(
        organization_id=organization.organization_id,
        region_codes=regions,
        ministry_partner_id=ministry.partner_id if ministry else None,
        ministry_code=ministry.code if ministry else None,
    )


async def _msp_facts(tx: Transaction, data: MspNotice) -> EventFacts:
    # An MSP event that names no region is about an MSP notifications remembers from its signing.
    regions = data.regions_of_work or await msp_regions(tx, data.msp_id)
    return event_facts(data.organization, data.ministry, with_provinces(regions, data.province_codes))


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
        closed_obligations=len(data.closed_obligation_ids),
    )


def _msp_handler(routing_key: str, render: Callable[[texts.MspFacts, Language], Message], *, signed: bool) -> Apply:
    async def apply(tx: Transaction, event: ReceivedEvent, data: MspNotice) -> None:
        if signed:
            ministry = data.ministry
            await remember_msp(
                tx,
                SignedMsp(
                    msp_id=data.msp_id,
                    number=data.number or str(data.msp_id),
                    organization_id=data.organization.organization_id,
                    organization_name=data.organization.name,
                    ministry_partner_id=ministry.partner_id if ministry else None,
                    ministry_code=ministry.code if ministry else None,
                    ministry_name=ministry.name if ministry else None,
                    region_codes=data.regions_of_work,
                ),
            )
        facts, routing = _msp_text(data), await _msp_facts(tx, data)
        # An MSP signed (or over) before Mitra and imported is remembered above, but announced by webhook only.
        channels = channels_for(data.imported)
        await notify(tx, Notice(event, routing_key, lambda language: render(facts, language), routing, channels))

    return apply


def _visit_handler(routing_key: str, change: str) -> Apply:
    async def apply(tx: Transaction, event: ReceivedEvent, data: VisitNotice) -> None:
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
        routing = event_facts(data.organization, data.ministry, with_provinces(data.region_codes, data.province_codes))
        await notify(tx, Notice(event, routing_key, lambda language: texts.visit(facts, change, language), routing))

    return apply


def _obligation_handler(routing_key: str, overdue: bool) -> Apply:
    async def apply(tx: Transaction, event: ReceivedEvent, data: ObligationNotice) -> None:
        if data.region_code:
            regions = with_provinces([data.region_code], [data.province_code] if data.province_code else [])
        else:
            regions = with_provinces(await msp_regions(tx, data.msp_id))
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
        await notify(
            tx, Notice(event, routing_key, lambda language: texts.obligation(facts, overdue, language), routing)
        )

    return apply


def _handlers() -> dict[Any, Handler[Any]]:
    found: dict[Any, Handler[Any]] = {}
    for contract, render in (
        (contracts.MspSigned, texts.msp_signed),
        (contracts.MspExtended, texts.msp_extended),
        (contracts.MspTerminated, texts.msp_terminated),
        (contracts.MspExpiring, texts.msp_expiring),
    ):
        apply = _msp_handler(contract.kind.routing_key, render, signed=contract is contracts.MspSigned)
        found[contract.kind] = handler(MspNotice, apply)
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
