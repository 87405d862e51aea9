"""Which events notify whom, on which channels: consumed events become notifications in the same transaction.

Routing rules (a table, editable over the API) name, per routing key, the audiences to tell and the channels to
use. An audience resolves to active recipients; a recipient gets each channel of the rule that it has (e-mail
needs an address, a webhook a URL that has not answered 410; the in-app inbox every recipient has). The unique
key (event, recipient, channel) makes a redelivered event notify nobody twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg
import structlog
from pydantic import BaseModel, ConfigDict

from mitra_notifications import messages, url_policy
from mitra_notifications.webhooks import new_secret
from mitra_shared.contracts import registry as registry_contracts
from mitra_shared.db import Queries
from mitra_shared.events import ReceivedEvent
from mitra_shared.inbox import Handler, handler

QUERIES = Queries.from_package("mitra_notifications", "queries.sql")
log = structlog.get_logger(__name__)

# Audiences that are a recipient role as such; the others (mitra_utama, regions_of_work, ...) are drawn from the
# event's facts.
ROLE_AUDIENCES = {"tpoa": "tpoa", "ministries": "ministry", "provinces": "province", "regencies": "regency"}
Render = Callable[[messages.Language], messages.Message]


@dataclass(frozen=True)
class EventFacts:
    """What routing needs to know of an event: the NGO, its Mitra Utama, the regions (with their provinces)."""

    organization_id: UUID | None = None
    region_codes: tuple[str, ...] = ()
    ministry_partner_id: UUID | None = None
    ministry_code: str | None = None


async def audience(conn: asyncpg.Connection, name: str, facts: EventFacts) -> list[asyncpg.Record]:
    """The active recipients an audience of a routing rule stands for, for this event."""
    role = ROLE_AUDIENCES.get(name)
    if role is not None:
        return list(await conn.fetch(QUERIES.recipients_by_role, role))
    if name == "mitra_utama" and (facts.ministry_partner_id or facts.ministry_code):
        return list(await conn.fetch(QUERIES.recipients_of_ministry, facts.ministry_partner_id, facts.ministry_code))
    if name == "mitra_utama" and facts.organization_id:
        return list(await conn.fetch(QUERIES.recipients_of_organization_ministries, facts.organization_id))
    if name in ("regions_of_work", "regions_visited") and facts.region_codes:
        return list(await conn.fetch(QUERIES.recipients_of_regions, list(facts.region_codes)))
    if name == "ngo" and facts.organization_id:
        return list(await conn.fetch(QUERIES.recipients_of_organization, facts.organization_id))
    return []


async def notify(
    conn: asyncpg.Connection, event: ReceivedEvent, routing_key: str, render: Render, facts: EventFacts = EventFacts()
) -> int:
    """Create the notifications an event calls for (routing rules and subscriptions); return how many were new."""
    chosen: dict[UUID, tuple[asyncpg.Record, set[str]]] = {}
    for rule in await conn.fetch(QUERIES.active_rules_for, routing_key):
        for recipient in await audience(conn, rule["audience"], facts):
            chosen.setdefault(recipient["id"], (recipient, set()))[1].update(rule["channels"])
    subscribed = await conn.fetch(
        QUERIES.matching_subscriptions, routing_key, facts.organization_id, list(facts.region_codes)
    )
    for subscription in subscribed:
        chosen.setdefault(subscription["id"], (subscription, set()))[1].update(subscription["channels"])

    created = 0
    payload = event.model_dump(mode="json", exclude_none=True)
    for recipient, channels in chosen.values():
        message = render(recipient["language"])
        common = (event.id, event.type, recipient["id"])
        if "inbox" in channels:
            inserted = await conn.execute(
                QUERIES.insert_inbox_notification,
                uuid.uuid4(),
                *common,
                recipient["language"],
                message.subject,
                message.text,
                message.html,
                payload,
            )
            created += inserted.endswith(" 1")
        for channel, address in (("email", recipient["email"]), ("webhook", _webhook(recipient))):
            if channel in channels and address:
                # A recipient on a daily digest gets its e-mails together, once a day (see digest.py).
                status = "held" if channel == "email" and recipient["digest"] else "pending"
                row = await conn.fetchrow(
                    QUERIES.insert_outgoing_notification,
                    uuid.uuid4(),
                    *common,
                    channel,
                    address,
                    recipient["language"],
                    message.subject,
                    message.text,
                    message.html,
                    payload,
                    status,
                )
                created += row is not None
    if created:
        await conn.execute(QUERIES.wake_delivery)
    return created


def _webhook(recipient: asyncpg.Record) -> str | None:
    if recipient["webhook_disabled_at"] is not None:
        return None
    return str(recipient["webhook_url"]) if recipient["webhook_url"] else None


class OrganizationRegistered(BaseModel):
    """Notifications' slim copy of `registry.organization.registered`."""

    model_config = ConfigDict(extra="ignore")

    organization_id: UUID
    legal_name: str
    acronym: str | None = None
    country_of_origin: str
    focus_areas: list[str] = []
    registered_at: datetime


async def organization_registered(conn: asyncpg.Connection, event: ReceivedEvent, data: OrganizationRegistered) -> None:
    facts = messages.OrganizationRegisteredFacts(
        legal_name=data.legal_name,
        acronym=data.acronym,
        country_of_origin=data.country_of_origin,
        focus_areas=data.focus_areas,
        registered_at=data.registered_at,
    )
    await notify(
        conn,
        event,
        registry_contracts.OrganizationRegistered.kind.routing_key,
        lambda language: messages.organization_registered(facts, language),
        EventFacts(organization_id=data.organization_id),
    )


class PermitNotice(BaseModel):
    """Notifications' slim copy of `registry.permit.expiring` and `.expired`."""

    model_config = ConfigDict(extra="ignore")

    organization_id: UUID
    organization_name: str
    permit_type: str
    number: str
    valid_until: date
    days_before: int | None = None


async def permit_expiring(conn: asyncpg.Connection, event: ReceivedEvent, data: PermitNotice) -> None:
    await _permit_notice(
        conn, event, data, registry_contracts.PermitExpiring.kind.routing_key, messages.permit_expiring
    )


async def permit_expired(conn: asyncpg.Connection, event: ReceivedEvent, data: PermitNotice) -> None:
    await _permit_notice(conn, event, data, registry_contracts.PermitExpired.kind.routing_key, messages.permit_expired)


async def _permit_notice(
    conn: asyncpg.Connection,
    event: ReceivedEvent,
    data: PermitNotice,
    routing_key: str,
    render: Callable[[messages.PermitFacts, messages.Language], messages.Message],
) -> None:
    facts = messages.PermitFacts(
        organization_name=data.organization_name,
        permit_type=data.permit_type,
        number=data.number,
        valid_until=data.valid_until,
        days_before=data.days_before,
    )
    await notify(
        conn,
        event,
        routing_key,
        lambda language: render(facts, language),
        EventFacts(organization_id=data.organization_id),
    )


class StatusChange(BaseModel):
    """Notifications' slim copy of `registry.organization.status_changed`."""

    model_config = ConfigDict(extra="ignore")

    organization_id: UUID
    legal_name: str
    previous_status: str
    status: str
    reason: str
    changed_at: datetime


async def organization_status_changed(conn: asyncpg.Connection, event: ReceivedEvent, data: StatusChange) -> None:
    facts = messages.StatusChangeFacts(
        organization_name=data.legal_name,
        previous_status=data.previous_status,
        status=data.status,
        reason=data.reason,
        changed_at=data.changed_at,
    )
    await notify(
        conn,
        event,
        registry_contracts.OrganizationStatusChanged.kind.routing_key,
        lambda language: messages.organization_status_changed(facts, language),
        EventFacts(organization_id=data.organization_id),
    )


class PartnerContact(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str
    email: str | None = None
    webhook_url: str | None = None
    language: messages.Language = "id"


class PartnerState(BaseModel):
    """Notifications' slim copy of `registry.partner.registered` and `.updated`: who to address, and where."""

    model_config = ConfigDict(extra="ignore")

    partner_id: UUID
    partner_kind: str
    code: str
    parent_code: str | None = None
    contacts: list[PartnerContact] = []
    active: bool = True
    version: int = 1


async def partner_changed(conn: asyncpg.Connection, event: ReceivedEvent, data: PartnerState) -> None:
    """Keep one recipient per contact of a ministry, TPOA or regional government, as registry last said."""
    known = await conn.fetchval(QUERIES.partner_version, data.partner_id)
    if known is not None and known > data.version:
        # Events of one partner can arrive out of order (relay replicas, retries): an older state is ignored.
        log.info("older partner state ignored", partner_id=str(data.partner_id), version=data.version, known=known)
        return
    is_region = data.partner_kind in ("province", "regency")
    for contact in data.contacts:
        await conn.execute(
            QUERIES.upsert_partner_contact,
            uuid.uuid4(),
            contact.name,
            data.partner_kind,
            contact.email,
            contact.language,
            data.partner_id,
            data.version,
            data.code if is_region else None,
            data.parent_code if is_region else None,
            _acceptable_webhook(contact.webhook_url, data.partner_id),
            new_secret(),
            data.active,
            data.code,
        )
    await conn.execute(
        QUERIES.deactivate_partner_contacts_except,
        data.partner_id,
        [contact.name for contact in data.contacts] if data.active else [],
        data.version,
    )


def _acceptable_webhook(url: str | None, partner_id: UUID) -> str | None:
    if not url:
        return None
    try:
        return url_policy.check_syntax(url)
    except url_policy.UrlRefused as error:
        log.warning("partner webhook URL ignored", partner_id=str(partner_id), reason=str(error))
        return None


def _handlers() -> dict[Any, Handler[Any]]:
    partner_events: Sequence[Any] = (registry_contracts.PartnerRegistered, registry_contracts.PartnerUpdated)
    return {
        registry_contracts.OrganizationRegistered.kind: handler(OrganizationRegistered, organization_registered),
        registry_contracts.OrganizationStatusChanged.kind: handler(StatusChange, organization_status_changed),
        registry_contracts.PermitExpiring.kind: handler(PermitNotice, permit_expiring),
        registry_contracts.PermitExpired.kind: handler(PermitNotice, permit_expired),
        **{contract.kind: handler(PartnerState, partner_changed) for contract in partner_events},
    }


HANDLERS = _handlers()
