"""What notifications does with monitoring and mitigation (issue 14), a comment on a submission and a published story
(the default rules of migration 013): a monitoring visit recorded → the NGO and its Mitra Utama; a mitigation action
opened, moved, due or overdue → its owner (the NGO, the Mitra Utama, or the office of its region) and the Mitra Utama;
a submission commented → the NGO (a work plan also its region); a story published → its region (else the regions of
its MSP) and the Mitra Utama of its MSP."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from mitra_notifications.consumers.agreement_events import Ministry, Organization, event_facts
from mitra_notifications.domain import monitoring_texts as texts
from mitra_notifications.domain.routing import ActionOwner, EventFacts, with_provinces
from mitra_notifications.usecases.routing import Notice, known_msp, notify
from mitra_shared.clock import jakarta_date
from mitra_shared.contracts import agreements as contracts
from mitra_shared.contracts import reporting
from mitra_shared.events import ConsumedData, ReceivedEvent
from mitra_shared.inbox import Handler, handler
from mitra_shared.uow import Transaction


class _OfMsp(ConsumedData):
    """The parties every monitoring or mitigation event names: the MSP, its NGO and its Mitra Utama."""

    msp_id: UUID
    organization: Organization
    ministry: Ministry | None = None

    @property
    def ministry_name(self) -> str:
        return self.ministry.name if self.ministry else "-"


class MonitoringVisit(_OfMsp):
    """Notifications' slim copy of `agreements.monitoring_visit.recorded`."""

    monitoring_visit_id: UUID
    office_kind: str
    office_code: str
    region_code: str | None = None
    visited_on: date
    aspects: list[str] = []
    rating: str
    findings: str = ""


class MitigationAction(_OfMsp):
    """Notifications' slim copy of agreements' mitigation action events (opened, status changed, due, overdue)."""

    action_id: UUID
    description: str
    owner: ActionOwner
    owner_region_code: str | None = None
    due_on: date
    previous_status: str | None = None
    status: str | None = None
    note: str | None = None
    days_left: int | None = None  # absent from a due reminder sent before the field was added
    days_overdue: int | None = None


class SubmissionComment(ConsumedData):
    """Notifications' slim copy of `agreements.submission.commented`."""

    msp_id: UUID
    organization_id: UUID
    organization_name: str
    obligation_kind: str
    ministry_code: str | None = None
    period: str = ""
    region_code: str | None = None
    province_code: str | None = None
    comment: str
    office_kind: str
    office_code: str


class Story(ConsumedData):
    """Notifications' slim copy of `reporting.story.published`."""

    story_id: UUID
    title: str
    summary: str = ""
    organization_id: UUID | None = None
    msp_id: UUID | None = None
    region_code: str | None = None
    story_date: date


async def monitoring_visit_recorded(tx: Transaction, event: ReceivedEvent, data: MonitoringVisit) -> None:
    facts = texts.MonitoringFacts(
        organization_name=data.organization.name,
        ministry_name=data.ministry_name,
        office_kind=data.office_kind,
        office_code=data.office_code,
        visited_on=data.visited_on,
        aspects=tuple(data.aspects),
        rating=data.rating,
        findings=data.findings,
        region_code=data.region_code,
    )
    routing = event_facts(data.organization, data.ministry)
    key = contracts.MonitoringVisitRecorded.kind.routing_key
    await notify(tx, Notice(event, key, lambda language: texts.monitoring_visit_recorded(facts, language), routing))


def _mitigation(routing_key: str, stage: texts.ActionStage) -> Handler[Any]:
    async def apply(tx: Transaction, event: ReceivedEvent, data: MitigationAction) -> None:
        left = texts.days_left(data.due_on, data.days_left, jakarta_date(event.time)) if stage == "due" else None
        facts = texts.ActionFacts(
            organization_name=data.organization.name,
            ministry_name=data.ministry_name,
            description=data.description,
            owner=data.owner,
            due_on=data.due_on,
            owner_region_code=data.owner_region_code,
            previous_status=data.previous_status,
            status=data.status,
            note=data.note,
            days_left=left,
            days_overdue=data.days_overdue,
        )
        base = event_facts(data.organization, data.ministry)
        routing = EventFacts(
            organization_id=base.organization_id,
            ministry_partner_id=base.ministry_partner_id,
            ministry_code=base.ministry_code,
            owner=data.owner,
            owner_region_code=data.owner_region_code,
        )
        await notify(
            tx, Notice(event, routing_key, lambda language: texts.mitigation_action(facts, stage, language), routing)
        )

    return handler(MitigationAction, apply)


async def submission_commented(tx: Transaction, event: ReceivedEvent, data: SubmissionComment) -> None:
    regions: tuple[str, ...] = ()
    if data.region_code:  # a work plan: the region it is agreed with (and its province) hear of the comment too
        regions = with_provinces([data.region_code], [data.province_code] if data.province_code else [])
    facts = texts.CommentFacts(
        kind=data.obligation_kind,
        organization_name=data.organization_name,
        period=data.period,
        office_kind=data.office_kind,
        office_code=data.office_code,
        comment=data.comment,
        region_code=data.region_code,
    )
    routing = EventFacts(organization_id=data.organization_id, region_codes=regions, ministry_code=data.ministry_code)
    key = contracts.SubmissionCommented.kind.routing_key
    await notify(tx, Notice(event, key, lambda language: texts.submission_commented(facts, language), routing))


async def story_published(tx: Transaction, event: ReceivedEvent, data: Story) -> None:
    msp = await known_msp(tx, data.msp_id)
    if data.region_code:
        regions = with_provinces([data.region_code])
    else:
        regions = with_provinces(msp.region_codes if msp else [])
    routing = EventFacts(
        organization_id=data.organization_id,
        region_codes=regions,
        ministry_partner_id=msp.ministry_partner_id if msp else None,
        ministry_code=msp.ministry_code if msp else None,
    )
    facts = texts.StoryFacts(
        title=data.title, summary=data.summary, story_date=data.story_date, region_code=data.region_code
    )
    key = reporting.StoryPublished.kind.routing_key
    await notify(tx, Notice(event, key, lambda language: texts.story_published(facts, language), routing))


def _handlers() -> dict[Any, Handler[Any]]:
    found: dict[Any, Handler[Any]] = {
        contracts.MonitoringVisitRecorded.kind: handler(MonitoringVisit, monitoring_visit_recorded),
        contracts.SubmissionCommented.kind: handler(SubmissionComment, submission_commented),
        reporting.StoryPublished.kind: handler(Story, story_published),
    }
    stages: tuple[tuple[Any, texts.ActionStage], ...] = (
        (contracts.MitigationActionOpened, "opened"),
        (contracts.MitigationActionStatusChanged, "status_changed"),
        (contracts.MitigationActionDue, "due"),
        (contracts.MitigationActionOverdue, "overdue"),
    )
    for contract, stage in stages:
        found[contract.kind] = _mitigation(contract.kind.routing_key, stage)
    return found


HANDLERS = _handlers()
