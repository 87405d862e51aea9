"""Routing a consumed event: the notifications its routing rules and the recipients' subscriptions call for,
created in the consumer's transaction, so that the event id in the inbox and its notifications commit together.
The unique key (event, recipient, channel) makes a redelivered event notify nobody twice."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import asyncpg

from mitra_notifications.domain import routing
from mitra_notifications.domain.routing import (
    ByRole,
    Candidate,
    EventFacts,
    Lookup,
    OfMinistry,
    OfMinistryCodes,
    OfOrganization,
    OfOrganizationMinistries,
    OfRegions,
)
from mitra_notifications.domain.texts import Language, Message
from mitra_notifications.sql import ROUTING
from mitra_shared.events import ReceivedEvent
from mitra_shared.uow import Transaction

WEBHOOKS_ONLY = frozenset({"webhook"})
"""The channels of a fact recorded by a bulk import (`imported: true`): records that predate Mitra. Nobody is mailed
or told in the inbox about them (a ministry importing 500 NGOs does not want 500 e-mails), but every webhook that
would have had the fact gets it: a system that follows the register wants every record, however it was entered."""


def channels_for(imported: bool) -> frozenset[str] | None:
    """The channels a consumed fact may go by: webhooks only for an imported one, else every channel."""
    return WEBHOOKS_ONLY if imported else None


@dataclass(frozen=True)
class Notice:
    """A consumed event as routing sees it: which event, whom it concerns, its text in a language, and the channels
    it may go by (None: every channel its routing rules and the subscriptions name)."""

    event: ReceivedEvent
    routing_key: str
    render: Callable[[Language], Message]
    facts: EventFacts = field(default_factory=EventFacts)
    channels: frozenset[str] | None = None

    def allowed(self, channels: Sequence[str]) -> list[str]:
        return [channel for channel in channels if self.channels is None or channel in self.channels]


async def notify(tx: Transaction, notice: Notice) -> int:
    """Create the notifications an event calls for; return how many were new."""
    conn = tx.conn
    lookups = routing.audience_lookups(notice.facts)
    rows = await conn.fetch(
        *ROUTING.candidates_for(
            routing_key=notice.routing_key,
            lookups=[_lookup_row(audience, lookup) for audience, lookup in lookups.items()],
            organization_id=notice.facts.organization_id,
            region_codes=list(notice.facts.region_codes),
        )
    )
    picked: list[tuple[Candidate, Sequence[str]]] = []
    for row in rows:
        channels = notice.allowed(row["channels"])
        if channels:
            picked.append((_candidate(row), channels))

    planned = routing.plan(picked)
    if not planned:
        return 0
    event = notice.event
    texts: dict[Language, Message] = {}
    for language in dict.fromkeys(p.recipient.language for p in planned):
        texts[language] = notice.render(language)
    messages = [texts[p.recipient.language] for p in planned]
    created: int = await conn.fetchval(
        *ROUTING.insert_notifications(
            event_id=event.id,
            event_type=event.type,
            payload=event.model_dump(mode="json", exclude_none=True),
            now=tx.now,
            ids=[uuid.uuid4() for _ in planned],
            recipient_ids=[p.recipient.id for p in planned],
            channels=[p.channel for p in planned],
            addresses=[p.address for p in planned],
            languages=[p.recipient.language for p in planned],
            subjects=[m.subject for m in messages],
            bodies_text=[m.text for m in messages],
            bodies_html=[m.html for m in messages],
            statuses=[p.status for p in planned],
        )
    )
    return created


def _lookup_row(audience: str, lookup: Lookup) -> dict[str, Any]:
    """An audience's lookup as `candidates_for` reads it (JSON: ids as text)."""
    match lookup:
        case ByRole(role):
            return {"audience": audience, "kind": "role", "code": role}
        case OfMinistry(partner_id, code):
            partner = None if partner_id is None else str(partner_id)
            return {"audience": audience, "kind": "ministry", "partner_id": partner, "code": code}
        case OfOrganizationMinistries(organization_id):
            return {"audience": audience, "kind": "organization_ministries", "organization_id": str(organization_id)}
        case OfMinistryCodes(codes):
            return {"audience": audience, "kind": "ministry_codes", "codes": list(codes)}
        case OfRegions(region_codes):
            return {"audience": audience, "kind": "regions", "codes": list(region_codes)}
        case OfOrganization(organization_id):
            return {"audience": audience, "kind": "organization", "organization_id": str(organization_id)}


def _candidate(row: asyncpg.Record) -> Candidate:
    return Candidate(
        id=row["id"],
        language=row["language"],
        email=row["email"],
        webhook_url=row["webhook_url"],
        webhook_disabled_at=row["webhook_disabled_at"],
        digest=row["digest"],
    )


@dataclass(frozen=True)
class SignedMsp:
    """What notifications keeps of a signed MSP: later events about it may name neither regions nor ministry."""

    msp_id: UUID
    number: str
    organization_id: UUID
    organization_name: str
    ministry_partner_id: UUID | None
    ministry_code: str | None
    ministry_name: str | None
    region_codes: list[str]


async def remember_msp(tx: Transaction, msp: SignedMsp) -> None:
    await tx.conn.execute(
        *ROUTING.remember_msp(
            msp_id=msp.msp_id,
            number=msp.number,
            organization_id=msp.organization_id,
            organization_name=msp.organization_name,
            ministry_partner_id=msp.ministry_partner_id,
            ministry_code=msp.ministry_code,
            ministry_name=msp.ministry_name,
            region_codes=msp.region_codes,
        )
    )


async def msp_regions(tx: Transaction, msp_id: UUID) -> list[str]:
    """The regions of work of a signed MSP as notifications remembers them (none if it never heard of it)."""
    return list(await tx.conn.fetchval(*ROUTING.msp_regions(msp_id=msp_id)) or [])


@dataclass(frozen=True)
class KnownMsp:
    """A signed MSP's Mitra Utama and regions of work, as notifications remembers them."""

    ministry_partner_id: UUID | None
    ministry_code: str | None
    region_codes: list[str]


async def known_msp(tx: Transaction, msp_id: UUID | None) -> KnownMsp | None:
    """What notifications remembers of an MSP from its signing (None: it never heard of it)."""
    if msp_id is None:
        return None
    row = await tx.conn.fetchrow(*ROUTING.msp_parties(msp_id=msp_id))
    if row is None:
        return None
    return KnownMsp(row["ministry_partner_id"], row["ministry_code"], list(row["region_codes"] or []))


async def organization_regions(tx: Transaction, organization_id: UUID) -> list[str]:
    """The regions of work of all of an NGO's signed MSPs (for events about the NGO that name no region)."""
    return list(await tx.conn.fetchval(*ROUTING.organization_regions(organization_id=organization_id)) or [])
