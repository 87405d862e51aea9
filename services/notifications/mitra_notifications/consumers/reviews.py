"""What notifications does with agreements' events of TPOA's review as a team (issue 14): an MSP or its extension sent
to the TPOA member ministries reaches the members it names; each answer reaches TPOA; an extension asked for reaches
TPOA, and one refused the NGO and its Mitra Utama (the default rules of migration 013)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from mitra_notifications.consumers.agreement_events import Ministry, Organization, event_facts
from mitra_notifications.domain import review_texts as texts
from mitra_notifications.domain.routing import EventFacts
from mitra_notifications.domain.texts import Language, Message
from mitra_notifications.usecases.routing import Notice, notify
from mitra_shared.contracts import agreements as contracts
from mitra_shared.events import ConsumedData, ReceivedEvent
from mitra_shared.inbox import Handler, handler
from mitra_shared.uow import Transaction


class _AboutAnMsp(ConsumedData):
    msp_id: UUID
    organization: Organization
    ministry: Ministry | None = None
    title: str | None = None


class ReviewRequested(_AboutAnMsp):
    """Notifications' slim copy of `agreements.msp.review_requested`."""

    subject: texts.ReviewedKind = "msp"
    proposed_ends_on: date | None = None
    members: list[str]
    answer_by: date


class ReviewAnswered(_AboutAnMsp):
    """Notifications' slim copy of `agreements.msp.review_answered`."""

    subject: texts.ReviewedKind = "msp"
    proposed_ends_on: date | None = None
    member_code: str
    verdict: str
    note: str | None = None
    awaiting: list[str] = []
    objected: list[str] = []


class ExtensionNotice(_AboutAnMsp):
    """Notifications' slim copy of `agreements.msp.extension_requested` and `.extension_rejected`."""

    ends_on: date | None = None
    proposed_ends_on: date
    reason: str | None = None
    note: str | None = None


def _reviewed(data: ReviewRequested | ReviewAnswered) -> texts.Reviewed:
    return texts.Reviewed(
        data.subject,
        data.organization.name,
        title=data.title,
        ministry_name=data.ministry.name if data.ministry else None,
        proposed_ends_on=data.proposed_ends_on,
    )


async def review_requested(tx: Transaction, event: ReceivedEvent, data: ReviewRequested) -> None:
    what, members = _reviewed(data), tuple(data.members)
    base = event_facts(data.organization, data.ministry)
    routing = EventFacts(
        organization_id=base.organization_id,
        ministry_partner_id=base.ministry_partner_id,
        ministry_code=base.ministry_code,
        member_codes=members,
    )

    def render(language: Language) -> Message:
        return texts.review_requested(what, members, data.answer_by, language)

    await notify(tx, Notice(event, contracts.MspReviewRequested.kind.routing_key, render, routing))


async def review_answered(tx: Transaction, event: ReceivedEvent, data: ReviewAnswered) -> None:
    what = _reviewed(data)
    answer = texts.Answer(data.member_code, data.verdict, data.note, tuple(data.awaiting), tuple(data.objected))
    routing = event_facts(data.organization, data.ministry)
    key = contracts.MspReviewAnswered.kind.routing_key
    await notify(tx, Notice(event, key, lambda language: texts.review_answered(what, answer, language), routing))


def _extension(routing_key: str, rejected: bool) -> Handler[Any]:
    async def apply(tx: Transaction, event: ReceivedEvent, data: ExtensionNotice) -> None:
        facts = texts.ExtensionFacts(
            organization_name=data.organization.name,
            ministry_name=data.ministry.name if data.ministry else "-",
            title=data.title or "-",
            proposed_ends_on=data.proposed_ends_on,
            ends_on=data.ends_on,
            reason=data.note if rejected else data.reason,
        )
        render = texts.extension_rejected if rejected else texts.extension_requested
        routing = event_facts(data.organization, data.ministry)
        await notify(tx, Notice(event, routing_key, lambda language: render(facts, language), routing))

    return handler(ExtensionNotice, apply)


HANDLERS: dict[Any, Handler[Any]] = {
    contracts.MspReviewRequested.kind: handler(ReviewRequested, review_requested),
    contracts.MspReviewAnswered.kind: handler(ReviewAnswered, review_answered),
    contracts.MspExtensionRequested.kind: _extension(contracts.MspExtensionRequested.kind.routing_key, rejected=False),
    contracts.MspExtensionRejected.kind: _extension(contracts.MspExtensionRejected.kind.routing_key, rejected=True),
}
