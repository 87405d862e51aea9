"""What notifications does with registry's events: new NGOs, permits expiring and expired, status changes become
notifications; partners' contacts and an NGO's own contact address become recipients. (Sanctions, revoked permits
and the TPOA team's review of an application: `consumers/sanctions.py`.)"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

from pydantic import Field

from mitra_notifications.domain import registry_texts as texts
from mitra_notifications.domain.recipients import OrganizationContact
from mitra_notifications.domain.recipients import PartnerContact as Contact
from mitra_notifications.domain.recipients import PartnerState as Partner
from mitra_notifications.domain.routing import EventFacts
from mitra_notifications.domain.texts import Language, Message
from mitra_notifications.usecases.recipients import apply_organization_contact, apply_partner_state
from mitra_notifications.usecases.routing import Notice, channels_for, notify
from mitra_shared.contracts import registry as contracts
from mitra_shared.events import ConsumedData, EventData, ReceivedEvent
from mitra_shared.inbox import Handler, handler
from mitra_shared.uow import Transaction


class _AboutAnNgo(ConsumedData):
    """An event about one NGO: it concerns the NGO, and through its MSPs its Mitra Utama."""

    organization_id: UUID
    imported: bool = False  # recorded by a bulk import: webhooks only (`routing.WEBHOOKS_ONLY`)


class OrganizationRegistered(_AboutAnNgo):
    """Notifications' slim copy of `registry.organization.registered` (the contact address, when registry sends it)."""

    legal_name: str
    acronym: str | None = None
    country_of_origin: str
    focus_areas: list[str] = []
    registered_at: datetime
    contact_email: str | None = None
    contact_language: Language = "en"
    version: int = 1


class OrganizationUpdated(_AboutAnNgo):
    """Notifications' slim copy of `registry.organization.updated`: the NGO's contact address and its language."""

    legal_name: str
    contact_email: str | None = None
    contact_language: Language = "en"
    version: int


def _contact(data: OrganizationRegistered | OrganizationUpdated) -> OrganizationContact:
    return OrganizationContact(
        organization_id=data.organization_id,
        name=data.legal_name,
        email=(data.contact_email or "").strip() or None,
        language=data.contact_language,
        version=data.version,
    )


async def organization_updated(tx: Transaction, event: ReceivedEvent, data: OrganizationUpdated) -> None:
    await apply_organization_contact(tx, _contact(data))


class PermitNotice(_AboutAnNgo):
    """Notifications' slim copy of `registry.permit.expiring` and `.expired`."""

    organization_name: str
    permit_type: str
    number: str
    valid_until: date
    days_before: int | None = None


class StatusChange(_AboutAnNgo):
    """Notifications' slim copy of `registry.organization.status_changed`."""

    organization_name: str = Field(validation_alias="legal_name")
    previous_status: str
    status: str
    reason: str
    changed_at: datetime


Facts = TypeVar("Facts")
_NOT_IN_TEXT = {"organization_id", "contact_email", "contact_language", "version", "imported"}


def _notifying(
    model: type[_AboutAnNgo],
    contract: type[EventData],
    facts_type: Callable[..., Facts],
    render: Callable[[Facts, Language], Message],
) -> Handler[Any]:
    """An event about an NGO: notify whom its rules and subscriptions name, in their language. The text's facts are
    the slim copy's own fields but the NGO's id (and what only keeps its contact)."""

    async def apply(tx: Transaction, event: ReceivedEvent, data: _AboutAnNgo) -> None:
        facts = facts_type(**data.model_dump(exclude=_NOT_IN_TEXT))
        routing = EventFacts(organization_id=data.organization_id)
        channels = channels_for(data.imported)
        notice = Notice(event, contract.kind.routing_key, lambda language: render(facts, language), routing, channels)
        await notify(tx, notice)

    return handler(model, apply)


class PartnerContact(ConsumedData):
    name: str
    email: str | None = None
    webhook_url: str | None = None
    language: Language = "id"


class PartnerState(ConsumedData):
    """Notifications' slim copy of `registry.partner.registered` and `.updated`: who to address, and where."""

    partner_id: UUID
    partner_kind: str
    code: str
    parent_code: str | None = None
    contacts: list[PartnerContact] = []
    active: bool = True
    version: int = 1


async def partner_changed(tx: Transaction, event: ReceivedEvent, data: PartnerState) -> None:
    await apply_partner_state(
        tx,
        Partner(
            partner_id=data.partner_id,
            partner_kind=data.partner_kind,
            code=data.code,
            parent_code=data.parent_code,
            contacts=tuple(Contact(c.name, c.email, c.webhook_url, c.language) for c in data.contacts),
            active=data.active,
            version=data.version,
        ),
    )


_notify_registered = _notifying(
    OrganizationRegistered,
    contracts.OrganizationRegistered,
    texts.OrganizationRegisteredFacts,
    texts.organization_registered,
)


async def organization_registered(tx: Transaction, event: ReceivedEvent, data: OrganizationRegistered) -> None:
    """TPOA hears of the new NGO (an imported one: webhooks only); its contact address (if registry sends one)
    becomes one of its recipients."""
    if "contact_email" in data.model_fields_set:
        await apply_organization_contact(tx, _contact(data))
    await _notify_registered.apply(tx, event, data)


HANDLERS: dict[Any, Handler[Any]] = {
    contracts.OrganizationRegistered.kind: handler(OrganizationRegistered, organization_registered),
    contracts.OrganizationUpdated.kind: handler(OrganizationUpdated, organization_updated),
    contracts.OrganizationStatusChanged.kind: _notifying(
        StatusChange, contracts.OrganizationStatusChanged, texts.StatusChangeFacts, texts.organization_status_changed
    ),
    contracts.PermitExpiring.kind: _notifying(
        PermitNotice, contracts.PermitExpiring, texts.PermitFacts, texts.permit_expiring
    ),
    contracts.PermitExpired.kind: _notifying(
        PermitNotice, contracts.PermitExpired, texts.PermitFacts, texts.permit_expired
    ),
    contracts.PartnerRegistered.kind: handler(PartnerState, partner_changed),
    contracts.PartnerUpdated.kind: handler(PartnerState, partner_changed),
}
