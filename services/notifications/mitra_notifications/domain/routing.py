"""Which events notify whom, on which channels. Pure: the rules are read and the recipients looked up by the
routing use case; what they mean is decided here.

Routing rules (data, editable over the API) name, per routing key, the audiences to tell and the channels to use.
An audience stands for active recipients (a role as such, or drawn from the event's facts: the NGO, its Mitra
Utama, the regions it concerns, the TPOA member ministries a review names, a mitigation action's owner). A
recipient gets each channel of its rules and subscriptions that it has: e-mail needs an address, a webhook a URL
that has not answered 410; the in-app inbox every recipient has.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args
from uuid import UUID

from mitra_notifications.domain.texts import Language

Audience = Literal[
    "tpoa",
    "mitra_utama",
    "regions_of_work",
    "regions_visited",
    "ngo",
    "ministries",
    "provinces",
    "regencies",
    "review_members",
    "action_owner",
]
Channel = Literal["email", "webhook", "inbox"]

# Audiences that are a recipient role as such; the others (mitra_utama, regions_of_work, ...) are drawn from the
# event's facts.
ROLE_AUDIENCES = {"tpoa": "tpoa", "ministries": "ministry", "provinces": "province", "regencies": "regency"}


ActionOwner = Literal["ngo", "ministry", "region"]


@dataclass(frozen=True)
class EventFacts:
    """What routing needs to know of an event: the NGO, its Mitra Utama, the regions (with their provinces); for a
    TPOA team review the member ministries asked; for a mitigation action who owns it (and, a region, which)."""

    organization_id: UUID | None = None
    region_codes: tuple[str, ...] = ()
    ministry_partner_id: UUID | None = None
    ministry_code: str | None = None
    member_codes: tuple[str, ...] = ()
    owner: ActionOwner | None = None
    owner_region_code: str | None = None


def with_provinces(codes: Iterable[str], provinces: Iterable[str] = ()) -> tuple[str, ...]:
    """The regions an event concerns: a regency's province hears of it too (its code is the first two digits)."""
    codes = list(codes)
    return tuple(dict.fromkeys([*codes, *provinces, *(code[:2] for code in codes if len(code) > 2)]))


@dataclass(frozen=True)
class ByRole:
    role: str


@dataclass(frozen=True)
class OfMinistry:
    partner_id: UUID | None
    code: str | None


@dataclass(frozen=True)
class OfOrganizationMinistries:
    """The Mitra Utama of an NGO's signed MSPs, for events that name the NGO but no ministry."""

    organization_id: UUID


@dataclass(frozen=True)
class OfMinistryCodes:
    """Ministries named by code: the TPOA member ministries a review asks."""

    codes: tuple[str, ...]


@dataclass(frozen=True)
class OfRegions:
    region_codes: tuple[str, ...]


@dataclass(frozen=True)
class OfOrganization:
    """The NGO's own contacts."""

    organization_id: UUID


Lookup = ByRole | OfMinistry | OfOrganizationMinistries | OfMinistryCodes | OfRegions | OfOrganization


def audience_lookup(audience: str, facts: EventFacts) -> Lookup | None:
    """Which recipients an audience of a routing rule stands for, for this event (None: nobody)."""
    role = ROLE_AUDIENCES.get(audience)
    if role is not None:
        return ByRole(role)
    if audience == "mitra_utama" and (facts.ministry_partner_id or facts.ministry_code):
        return OfMinistry(facts.ministry_partner_id, facts.ministry_code)
    if audience == "mitra_utama" and facts.organization_id:
        return OfOrganizationMinistries(facts.organization_id)
    if audience in ("regions_of_work", "regions_visited") and facts.region_codes:
        return OfRegions(facts.region_codes)
    if audience == "ngo" and facts.organization_id:
        return OfOrganization(facts.organization_id)
    if audience == "review_members" and facts.member_codes:
        return OfMinistryCodes(facts.member_codes)
    if audience == "action_owner":
        return _owner_lookup(facts)
    return None


def audience_lookups(facts: EventFacts) -> dict[str, Lookup]:
    """What every audience stands for, for this event (the audiences that stand for nobody left out): routing looks
    up the recipients of whichever its rules name, in the same query as the rules."""
    lookups = {audience: audience_lookup(audience, facts) for audience in get_args(Audience)}
    return {audience: lookup for audience, lookup in lookups.items() if lookup is not None}


def _owner_lookup(facts: EventFacts) -> Lookup | None:
    """The owner of a mitigation action: the NGO, the Mitra Utama, or the office of exactly its region."""
    if facts.owner == "ngo" and facts.organization_id:
        return OfOrganization(facts.organization_id)
    if facts.owner == "ministry" and (facts.ministry_partner_id or facts.ministry_code):
        return OfMinistry(facts.ministry_partner_id, facts.ministry_code)
    if facts.owner == "region" and facts.owner_region_code:
        return OfRegions((facts.owner_region_code,))
    return None


@dataclass(frozen=True)
class Candidate:
    """A recipient a rule or a subscription picked, with what routing needs of it."""

    id: UUID
    language: Language
    email: str | None
    webhook_url: str | None
    webhook_disabled_at: datetime | None
    digest: bool

    @property
    def webhook(self) -> str | None:
        """The webhook to call, unless the endpoint answered 410 Gone."""
        if self.webhook_disabled_at is not None:
            return None
        return str(self.webhook_url) if self.webhook_url else None


@dataclass(frozen=True)
class Planned:
    """One notification to create: a recipient on one channel."""

    recipient: Candidate
    channel: Channel
    address: str
    status: Literal["pending", "held", "delivered"]


def plan(picked: Iterable[tuple[Candidate, Iterable[str]]]) -> list[Planned]:
    """The notifications an event calls for: each recipient once, on every channel it was picked for and has.

    An inbox entry is delivered when it is stored; a recipient on a daily digest gets its e-mails together, once a
    day, so they are held.
    """
    chosen: dict[UUID, tuple[Candidate, set[str]]] = {}
    for candidate, channels in picked:
        chosen.setdefault(candidate.id, (candidate, set()))[1].update(channels)
    planned: list[Planned] = []
    for recipient, channels in chosen.values():
        if "inbox" in channels:
            planned.append(Planned(recipient, "inbox", "inbox", "delivered"))
        if "email" in channels and recipient.email:
            planned.append(Planned(recipient, "email", recipient.email, "held" if recipient.digest else "pending"))
        webhook = recipient.webhook
        if "webhook" in channels and webhook:
            planned.append(Planned(recipient, "webhook", webhook, "pending"))
    return planned
