"""Recipients: who can be notified and where, whether added over the API or learned from registry's partners, and
their subscriptions. Pure: no I/O."""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from uuid import UUID

from mitra_notifications.domain.url_policy import UrlRefused, check_syntax
from mitra_shared.errors import RuleBroken

Role = Literal["tpoa", "ministry", "province", "regency", "ngo"]
"""What an office is to the cooperation; routing rules pick recipients by it."""
ROUTING_KEY = re.compile(r"^[a-z_]+\.[a-z_]+\.[a-z_]+$")
REGION_KINDS = ("province", "regency")
AUDITED_FIELDS = (
    "id", "name", "role", "email", "language", "webhook_url", "webhook_disabled_at", "region_code",
    "parent_region_code", "partner_code", "partner_id", "organization_id", "account_subject", "source", "digest",
    "email_enabled", "active", "created_at",
)  # fmt: skip
"""What the audit trail keeps of a recipient: a list of what may be kept, so the webhook secret (and any secret a
later column holds) never is."""


def audit_values(row: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A recipient as its audit entry records it: without its webhook secret."""
    return None if row is None else {name: row[name] for name in AUDITED_FIELDS if name in row}


def new_secret() -> str:
    """A recipient's webhook signing secret (Standard Webhooks' `whsec_` form)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def require_an_address(email: str | None, webhook_url: str | None) -> None:
    if not email and not webhook_url:
        raise RuleBroken("body.email", "give an e-mail address, a webhook URL, or both")


def check_routing_keys(routing_keys: Sequence[str]) -> None:
    """A subscription names events by routing key: `<service>.<aggregate>.<event>`."""
    for index, key in enumerate(routing_keys):
        if not ROUTING_KEY.match(key):
            raise RuleBroken(f"body.routing_keys.{index}", "a routing key is <service>.<aggregate>.<event>")


@dataclass(frozen=True)
class ContactWebhook:
    """A partner contact's webhook as notifications takes it: the URL, or None and why it was refused."""

    url: str | None
    refused: str | None = None


def contact_webhook(url: str | None) -> ContactWebhook:
    """A contact's webhook URL comes from registry: one that breaks the URL policy is left out, not fatal."""
    if not url:
        return ContactWebhook(None)
    try:
        return ContactWebhook(check_syntax(url))
    except UrlRefused as refused:
        return ContactWebhook(None, refused.reason)


def is_stale(known_version: int | None, version: int) -> bool:
    """Events of one partner can arrive out of order (relay replicas, retries): an older state is ignored."""
    return known_version is not None and known_version > version


def partner_regions(partner_kind: str, code: str, parent_code: str | None) -> tuple[str | None, str | None]:
    """A regional government's contacts carry its region code and its province's; other partners' none."""
    if partner_kind in REGION_KINDS:
        return code, parent_code
    return None, None


@dataclass(frozen=True)
class PartnerContact:
    name: str
    email: str | None
    webhook_url: str | None
    language: str


@dataclass(frozen=True)
class PartnerState:
    """A registry partner (ministry, TPOA, regional government) as its newest event describes it."""

    partner_id: UUID
    partner_kind: str
    code: str
    parent_code: str | None
    contacts: tuple[PartnerContact, ...]
    active: bool
    version: int

    @property
    def kept_contact_names(self) -> list[str]:
        """The contacts that stay notified: all that it names, none once the partner is inactive."""
        return [contact.name for contact in self.contacts] if self.active else []


@dataclass(frozen=True)
class OrganizationContact:
    """An NGO's own contact address as registry's newest record of the NGO says: one of the NGO's recipients (e-mail,
    in the contact's language); a removed one leaves that recipient inactive."""

    organization_id: UUID
    name: str
    email: str | None
    language: str
    version: int
