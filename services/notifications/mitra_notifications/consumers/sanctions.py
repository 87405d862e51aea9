"""What notifications does with registry's events of issue 14: a sanction imposed or lifted and a permit revoked
reach the NGO, the Mitra Utama of its MSPs, the regions of work of its MSPs (with their provinces) and TPOA; an NGO's
application sent to the TPOA member ministries reaches the members it names, and each answer reaches TPOA (the
default rules of migration 013)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from mitra_notifications.domain import review_texts, sanction_texts
from mitra_notifications.domain.routing import EventFacts, with_provinces
from mitra_notifications.domain.texts import Language, Message
from mitra_notifications.usecases.routing import Notice, notify, organization_regions
from mitra_shared.contracts import registry as contracts
from mitra_shared.events import ConsumedData, ReceivedEvent
from mitra_shared.inbox import Handler, handler
from mitra_shared.uow import Transaction


class SanctionNotice(ConsumedData):
    """Notifications' slim copy of `registry.sanction.imposed` and `.lifted`."""

    organization_id: UUID
    organization_name: str
    sanction_kind: str
    category: str
    reason: str
    organization_status: str
    starts_on: date | None = None
    ends_on: date | None = None
    expired: bool = False


class RevokedPermit(ConsumedData):
    """Notifications' slim copy of `registry.permit.revoked`."""

    organization_id: UUID
    organization_name: str
    permit_type: str
    number: str
    revoked_on: date
    reason: str


class ApplicationReviewRequested(ConsumedData):
    """Notifications' slim copy of `registry.application.review_requested`."""

    organization_id: UUID
    organization_name: str
    country_of_origin: str | None = None
    members: list[str]
    answer_by: date


class ApplicationReviewAnswered(ConsumedData):
    """Notifications' slim copy of `registry.application.review_answered`."""

    organization_id: UUID
    organization_name: str
    member_code: str
    verdict: str
    note: str | None = None
    awaiting: list[str] = []
    objected: list[str] = []


async def _about_the_ngo(tx: Transaction, organization_id: UUID) -> EventFacts:
    """An event about an NGO as a whole: the NGO, the Mitra Utama of its MSPs (found by the NGO), their regions."""
    regions = with_provinces(await organization_regions(tx, organization_id))
    return EventFacts(organization_id=organization_id, region_codes=regions)


def _sanction(routing_key: str, lifted: bool) -> Handler[Any]:
    async def apply(tx: Transaction, event: ReceivedEvent, data: SanctionNotice) -> None:
        facts = sanction_texts.SanctionFacts(**data.model_dump(exclude={"organization_id"}))
        render = sanction_texts.sanction_lifted if lifted else sanction_texts.sanction_imposed
        routing = await _about_the_ngo(tx, data.organization_id)
        await notify(tx, Notice(event, routing_key, lambda language: render(facts, language), routing))

    return handler(SanctionNotice, apply)


async def permit_revoked(tx: Transaction, event: ReceivedEvent, data: RevokedPermit) -> None:
    facts = sanction_texts.RevokedPermitFacts(**data.model_dump(exclude={"organization_id"}))
    routing = await _about_the_ngo(tx, data.organization_id)
    key = contracts.PermitRevoked.kind.routing_key
    await notify(tx, Notice(event, key, lambda language: sanction_texts.permit_revoked(facts, language), routing))


def _application(data: ApplicationReviewRequested | ApplicationReviewAnswered) -> review_texts.Reviewed:
    return review_texts.Reviewed(
        "application", data.organization_name, country_of_origin=getattr(data, "country_of_origin", None)
    )


async def application_review_requested(tx: Transaction, event: ReceivedEvent, data: ApplicationReviewRequested) -> None:
    what, members = _application(data), tuple(data.members)
    routing = EventFacts(organization_id=data.organization_id, member_codes=members)
    key = contracts.ApplicationReviewRequested.kind.routing_key

    def render(language: Language) -> Message:
        return review_texts.review_requested(what, members, data.answer_by, language)

    await notify(tx, Notice(event, key, render, routing))


async def application_review_answered(tx: Transaction, event: ReceivedEvent, data: ApplicationReviewAnswered) -> None:
    what = _application(data)
    answer = review_texts.Answer(data.member_code, data.verdict, data.note, tuple(data.awaiting), tuple(data.objected))
    routing = EventFacts(organization_id=data.organization_id)
    key = contracts.ApplicationReviewAnswered.kind.routing_key
    await notify(tx, Notice(event, key, lambda language: review_texts.review_answered(what, answer, language), routing))


HANDLERS: dict[Any, Handler[Any]] = {
    contracts.SanctionImposed.kind: _sanction(contracts.SanctionImposed.kind.routing_key, lifted=False),
    contracts.SanctionLifted.kind: _sanction(contracts.SanctionLifted.kind.routing_key, lifted=True),
    contracts.PermitRevoked.kind: handler(RevokedPermit, permit_revoked),
    contracts.ApplicationReviewRequested.kind: handler(ApplicationReviewRequested, application_review_requested),
    contracts.ApplicationReviewAnswered.kind: handler(ApplicationReviewAnswered, application_review_answered),
}
