"""What notifications does with the steps of the work loop (issue 14): whom each concerns, and its message.

The default rules (migrations 011 and 013): a submission submitted → its Mitra Utama (a work plan also its region);
accepted or returned (an Action Plan too) → the NGO; an MSP submitted → TPOA, approved or rejected → the NGO and its
Mitra Utama; a recommendation requested → the Mitra Utama, issued → the NGO."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from mitra_notifications.consumers.agreement_events import Ministry, Organization, event_facts
from mitra_notifications.domain import step_texts as texts
from mitra_notifications.domain.routing import EventFacts, with_provinces
from mitra_notifications.usecases.routing import Notice, notify
from mitra_shared.contracts import agreements as contracts
from mitra_shared.events import ConsumedData, ReceivedEvent
from mitra_shared.inbox import Handler, handler
from mitra_shared.uow import Transaction

Apply = Callable[[Transaction, ReceivedEvent, Any], Any]


class SubmissionNotice(ConsumedData):
    """Notifications' slim copy of agreements' submitted, accepted and returned events."""

    obligation_id: UUID
    obligation_kind: str
    msp_id: UUID
    organization_id: UUID
    organization_name: str
    ministry_code: str | None = None
    period: str = ""
    region_code: str | None = None
    province_code: str | None = None
    attempt: int = 1
    summary: str | None = None
    late: bool = False
    comments: str | None = None


class MspStepNotice(ConsumedData):
    """Notifications' slim copy of agreements' MSP submitted, approved and rejected events."""

    msp_id: UUID
    organization: Organization
    ministry: Ministry | None = None
    title: str | None = None
    note: str | None = None
    reason: str | None = None


class RecommendationNotice(ConsumedData):
    """Notifications' slim copy of agreements' recommendation events."""

    recommendation_id: UUID
    recommendation_kind: str
    msp_id: UUID
    organization: Organization
    ministry: Ministry | None = None
    expert_name: str | None = None
    purpose: str = ""
    granted: bool | None = None
    reference_number: str | None = None
    note: str | None = None


def _submission_handler(routing_key: str, step: texts.SubmissionStep) -> Apply:
    async def apply(tx: Transaction, event: ReceivedEvent, data: SubmissionNotice) -> None:
        regions: tuple[str, ...] = ()
        if data.region_code:  # a work plan: its region (and that region's province) review it too
            regions = with_provinces([data.region_code], [data.province_code] if data.province_code else [])
        facts = texts.SubmissionFacts(
            kind=data.obligation_kind,
            organization_name=data.organization_name,
            period=data.period,
            attempt=data.attempt,
            region_code=data.region_code,
            summary=data.summary,
            late=data.late,
            comments=data.comments,
        )
        routing = EventFacts(
            organization_id=data.organization_id, region_codes=regions, ministry_code=data.ministry_code
        )
        await notify(tx, Notice(event, routing_key, lambda language: texts.submission(facts, step, language), routing))

    return apply


def _msp_handler(routing_key: str, step: texts.MspStep) -> Apply:
    async def apply(tx: Transaction, event: ReceivedEvent, data: MspStepNotice) -> None:
        facts = texts.MspStepFacts(
            title=data.title,
            organization_name=data.organization.name,
            ministry_name=data.ministry.name if data.ministry else "-",
            note=data.reason or data.note,
        )
        routing = event_facts(data.organization, data.ministry)
        await notify(tx, Notice(event, routing_key, lambda language: texts.msp_step(facts, step, language), routing))

    return apply


def _recommendation_handler(routing_key: str, decided: bool) -> Apply:
    async def apply(tx: Transaction, event: ReceivedEvent, data: RecommendationNotice) -> None:
        facts = texts.RecommendationFacts(
            kind=data.recommendation_kind,
            organization_name=data.organization.name,
            ministry_name=data.ministry.name if data.ministry else "-",
            purpose=data.purpose,
            expert_name=data.expert_name,
            granted=data.granted,
            reference_number=data.reference_number,
            note=data.note,
        )
        routing = event_facts(data.organization, data.ministry)
        await notify(
            tx, Notice(event, routing_key, lambda language: texts.recommendation(facts, decided, language), routing)
        )

    return apply


def _handlers() -> dict[Any, Handler[Any]]:
    found: dict[Any, Handler[Any]] = {}
    submissions: tuple[tuple[Any, texts.SubmissionStep], ...] = (
        (contracts.ActionPlanSubmitted, "submitted"),
        (contracts.ActionPlanAccepted, "accepted"),
        (contracts.ActionPlanReturned, "returned"),
        (contracts.WorkPlanSubmitted, "submitted"),
        (contracts.WorkPlanAccepted, "accepted"),
        (contracts.WorkPlanReturned, "returned"),
        (contracts.ReportSubmitted, "submitted"),
        (contracts.ReportAccepted, "accepted"),
        (contracts.ReportReturned, "returned"),
    )
    for contract, step in submissions:
        found[contract.kind] = handler(SubmissionNotice, _submission_handler(contract.kind.routing_key, step))
    msp_steps: tuple[tuple[Any, texts.MspStep], ...] = (
        (contracts.MspSubmitted, "submitted"),
        (contracts.MspApproved, "approved"),
        (contracts.MspRejected, "rejected"),
    )
    for contract, msp_step in msp_steps:
        found[contract.kind] = handler(MspStepNotice, _msp_handler(contract.kind.routing_key, msp_step))
    for contract, decided in ((contracts.RecommendationRequested, False), (contracts.RecommendationIssued, True)):
        found[contract.kind] = handler(
            RecommendationNotice, _recommendation_handler(contract.kind.routing_key, decided)
        )
    return found


HANDLERS = _handlers()
