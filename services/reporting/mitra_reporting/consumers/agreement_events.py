"""Projections of agreements' events: MSPs and their regions, obligations and submissions, visits, and the
documents an office marked public (the IATI export's document links)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from mitra_reporting.domain.iati import document_category
from mitra_reporting.sql import DOCUMENTS, MSPS, OBLIGATIONS, VISITS
from mitra_shared.contracts import agreements as contracts
from mitra_shared.events import ConsumedData, EventKind, ReceivedEvent
from mitra_shared.inbox import Apply, Handler, handler
from mitra_shared.uow import Transaction


class Organization(ConsumedData):
    organization_id: UUID
    name: str


class Ministry(ConsumedData):
    partner_id: UUID | None = None
    name: str
    code: str


class Location(ConsumedData):
    code: str
    kind: str
    name: str
    province_code: str


class ObligationSummary(ConsumedData):
    obligation_id: UUID
    kind: str
    period: str = ""
    region_code: str | None = None
    due_on: date
    received_outside_mitra_on: date | None = None


class MspDrafted(ConsumedData):
    msp_id: UUID
    organization: Organization
    ministry: Ministry
    title: str
    focus_areas: list[str] = []
    forms_of_cooperation: list[str] = []
    work_locations: list[Location] = []
    starts_on: date
    ends_on: date


class MspStep(ConsumedData):
    msp_id: UUID


class MspSigned(MspDrafted):
    number: str
    signed_on: date
    signed_document_ref: str | None = None
    obligations: list[ObligationSummary] = []


class MspExtended(ConsumedData):
    msp_id: UUID
    organization: Organization
    ministry: Ministry
    ends_on: date
    new_obligations: list[ObligationSummary] = []


class MspTerminated(ConsumedData):
    msp_id: UUID
    terminated_on: date
    reason: str
    closed_obligation_ids: list[UUID] = []


class MspEnded(ConsumedData):
    msp_id: UUID
    ended_on: date
    closed_obligation_ids: list[UUID] = []


class ObligationStep(ConsumedData):
    obligation_id: UUID


class Submitted(ObligationStep):
    submitted_at: datetime


class Decided(ObligationStep):
    decided_at: datetime


class Visit(ConsumedData):
    visit_id: UUID
    msp_id: UUID
    organization: Organization
    ministry: Ministry | None = None
    arrives_on: date
    departs_on: date
    region_codes: list[str]
    province_codes: list[str] = []
    late: bool = False


class VisitCancelled(ConsumedData):
    visit_id: UUID


class DocumentNamed(ConsumedData):
    id: UUID
    filename: str
    content_type: str
    size: int
    sha256: str


class DocumentPublished(ConsumedData):
    document: DocumentNamed
    owner_type: str
    owner_id: UUID
    msp_id: UUID
    organization_id: UUID
    obligation_kind: str | None = None
    year: int | None = None
    public_url: str
    published_at: datetime


class DocumentUnpublished(ConsumedData):
    document_id: UUID
    msp_id: UUID
    unpublished_at: datetime


def _msp(event: ReceivedEvent, d: MspDrafted) -> dict[str, Any]:
    """The columns a draft and a signature both write."""
    return {
        "msp_id": d.msp_id,
        "title": d.title,
        "organization_id": d.organization.organization_id,
        "organization_name": d.organization.name,
        "ministry_partner_id": d.ministry.partner_id,
        "ministry_code": d.ministry.code,
        "ministry_name": d.ministry.name,
        "starts_on": d.starts_on,
        "ends_on": d.ends_on,
        "focus_areas": d.focus_areas,
        "forms_of_cooperation": d.forms_of_cooperation,
        "updated_at": event.time,
    }


async def _regions(tx: Transaction, msp_id: UUID, locations: list[Location]) -> None:
    await tx.conn.execute(*MSPS.clear_msp_regions(msp_id=msp_id))
    await tx.conn.execute(
        *MSPS.project_msp_regions(
            msp_id=msp_id,
            codes=[location.code for location in locations],
            kinds=[location.kind for location in locations],
            names=[location.name for location in locations],
            province_codes=[location.province_code for location in locations],
        )
    )


async def _obligations(
    tx: Transaction, msp_id: UUID, organization_id: UUID, ministry: str, items: list[ObligationSummary]
) -> None:
    for item in items:
        await tx.conn.execute(
            *OBLIGATIONS.project_obligation(
                obligation_id=item.obligation_id,
                msp_id=msp_id,
                organization_id=organization_id,
                ministry_code=ministry,
                kind=item.kind,
                period=item.period,
                region_code=item.region_code,
                due_on=item.due_on,
                received_outside_on=item.received_outside_mitra_on,
            )
        )


async def msp_drafted(tx: Transaction, event: ReceivedEvent, d: MspDrafted) -> None:
    await tx.conn.execute(*MSPS.project_msp_drafted(**_msp(event, d)))
    await _regions(tx, d.msp_id, d.work_locations)


def _status(status: str) -> Apply[MspStep]:
    async def apply(tx: Transaction, event: ReceivedEvent, d: MspStep) -> None:
        await tx.conn.execute(*MSPS.project_msp_status(msp_id=d.msp_id, status=status, updated_at=event.time))

    return apply


async def msp_signed(tx: Transaction, event: ReceivedEvent, d: MspSigned) -> None:
    await tx.conn.execute(
        *MSPS.project_msp_signed(
            **_msp(event, d), number=d.number, signed_on=d.signed_on, signed_document_ref=d.signed_document_ref
        )
    )
    await _regions(tx, d.msp_id, d.work_locations)
    await _obligations(tx, d.msp_id, d.organization.organization_id, d.ministry.code, d.obligations)


async def msp_extended(tx: Transaction, event: ReceivedEvent, d: MspExtended) -> None:
    await tx.conn.execute(*MSPS.project_msp_extended(msp_id=d.msp_id, ends_on=d.ends_on, updated_at=event.time))
    await _obligations(tx, d.msp_id, d.organization.organization_id, d.ministry.code, d.new_obligations)


async def msp_terminated(tx: Transaction, event: ReceivedEvent, d: MspTerminated) -> None:
    await tx.conn.execute(
        *MSPS.project_msp_closed(
            msp_id=d.msp_id, status="terminated", closed_on=d.terminated_on, reason=d.reason, updated_at=event.time
        )
    )
    if d.closed_obligation_ids:
        await tx.conn.execute(
            *OBLIGATIONS.project_obligations_closed(obligation_ids=d.closed_obligation_ids, closed_on=d.terminated_on)
        )


async def msp_ended(tx: Transaction, event: ReceivedEvent, d: MspEnded) -> None:
    await tx.conn.execute(
        *MSPS.project_msp_closed(
            msp_id=d.msp_id, status="ended", closed_on=d.ended_on, reason=None, updated_at=event.time
        )
    )
    if d.closed_obligation_ids:
        await tx.conn.execute(
            *OBLIGATIONS.project_obligations_closed(obligation_ids=d.closed_obligation_ids, closed_on=d.ended_on)
        )


async def submitted(tx: Transaction, event: ReceivedEvent, d: Submitted) -> None:
    await tx.conn.execute(*OBLIGATIONS.project_submission(obligation_id=d.obligation_id, submitted_at=d.submitted_at))


def decision(status: str) -> Apply[Decided]:
    """An obligation's submission accepted or returned (a report's also counts its funding: `funding_events`)."""

    async def apply(tx: Transaction, event: ReceivedEvent, d: Decided) -> None:
        await tx.conn.execute(
            *OBLIGATIONS.project_decision(obligation_id=d.obligation_id, status=status, decided_at=d.decided_at)
        )

    return apply


async def overdue(tx: Transaction, event: ReceivedEvent, d: ObligationStep) -> None:
    await tx.conn.execute(*OBLIGATIONS.project_overdue(obligation_id=d.obligation_id))


async def visit(tx: Transaction, event: ReceivedEvent, d: Visit) -> None:
    provinces = list(dict.fromkeys([*d.province_codes, *(code[:2] for code in d.region_codes)]))
    await tx.conn.execute(
        *VISITS.project_visit(
            visit_id=d.visit_id,
            msp_id=d.msp_id,
            organization_id=d.organization.organization_id,
            ministry_code=d.ministry.code if d.ministry else None,
            arrives_on=d.arrives_on,
            departs_on=d.departs_on,
            region_codes=d.region_codes,
            province_codes=provinces,
            late=d.late,
        )
    )


async def visit_cancelled(tx: Transaction, event: ReceivedEvent, d: VisitCancelled) -> None:
    await tx.conn.execute(*VISITS.project_visit_cancelled(visit_id=d.visit_id))


async def document_published(tx: Transaction, event: ReceivedEvent, d: DocumentPublished) -> None:
    """A public document the export links (an MSP's: A09; an annual report's: B01) is kept; any other is not, and
    one that was linked before under other facts is dropped. A change of what an MSP's activity links updates it
    (`last-updated-datetime`) at the event's time. Applied in the order of `published_at`, not of arrival: a
    publication older than what was applied (a later withdrawal, a later publication) changes nothing."""
    category = document_category(d.owner_type, d.obligation_kind, d.public_url)
    if category is None:
        await _withdraw(tx, event, d.document.id, d.msp_id, changed_at=d.published_at)
        return
    changed = await tx.conn.fetchval(
        *DOCUMENTS.project_public_document(
            document_id=d.document.id,
            msp_id=d.msp_id,
            owner_type=d.owner_type,
            owner_id=d.owner_id,
            organization_id=d.organization_id,
            obligation_kind=d.obligation_kind,
            year=d.year,
            category=category,
            filename=d.document.filename,
            content_type=d.document.content_type,
            size=d.document.size,
            sha256=d.document.sha256,
            public_url=d.public_url,
            published_at=d.published_at,
        )
    )
    if changed:
        await tx.conn.execute(*DOCUMENTS.touch_msp(msp_id=d.msp_id, updated_at=event.time))


async def document_unpublished(tx: Transaction, event: ReceivedEvent, d: DocumentUnpublished) -> None:
    """A document made private: kept as a tombstone at `unpublished_at`, so a publication older than it that
    arrives later does not link it again."""
    await _withdraw(tx, event, d.document_id, d.msp_id, changed_at=d.unpublished_at)


async def _withdraw(
    tx: Transaction, event: ReceivedEvent, document_id: UUID, msp_id: UUID, *, changed_at: datetime
) -> None:
    if await tx.conn.fetchval(
        *DOCUMENTS.withdraw_public_document(document_id=document_id, msp_id=msp_id, changed_at=changed_at)
    ):
        await tx.conn.execute(*DOCUMENTS.touch_msp(msp_id=msp_id, updated_at=event.time))


PROJECTORS: dict[EventKind, Handler[Any]] = {
    contracts.MspDrafted.kind: handler(MspDrafted, msp_drafted),
    contracts.MspSubmitted.kind: handler(MspStep, _status("submitted")),
    contracts.MspApproved.kind: handler(MspStep, _status("approved")),
    contracts.MspRejected.kind: handler(MspStep, _status("rejected")),
    contracts.MspSigned.kind: handler(MspSigned, msp_signed),
    contracts.MspExtended.kind: handler(MspExtended, msp_extended),
    contracts.MspTerminated.kind: handler(MspTerminated, msp_terminated),
    contracts.MspEnded.kind: handler(MspEnded, msp_ended),
    contracts.VisitAnnounced.kind: handler(Visit, visit),
    contracts.VisitUpdated.kind: handler(Visit, visit),
    contracts.VisitCancelled.kind: handler(VisitCancelled, visit_cancelled),
    contracts.DocumentPublished.kind: handler(DocumentPublished, document_published),
    contracts.DocumentUnpublished.kind: handler(DocumentUnpublished, document_unpublished),
}
for _submission in (contracts.ActionPlanSubmitted, contracts.WorkPlanSubmitted, contracts.ReportSubmitted):
    PROJECTORS[_submission.kind] = handler(Submitted, submitted)
for _accepted in (contracts.ActionPlanAccepted, contracts.WorkPlanAccepted, contracts.ReportAccepted):
    PROJECTORS[_accepted.kind] = handler(Decided, decision("accepted"))
for _returned in (contracts.ActionPlanReturned, contracts.WorkPlanReturned, contracts.ReportReturned):
    PROJECTORS[_returned.kind] = handler(Decided, decision("returned"))
for _late in (contracts.ActionPlanOverdue, contracts.WorkPlanOverdue, contracts.ReportOverdue):
    PROJECTORS[_late.kind] = handler(ObligationStep, overdue)
