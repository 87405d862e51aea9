"""What an inbox entry links to: the event it is about, by routing key, and the object the console shows for it (an
MSP, an obligation, a visit, a recommendation, an NGO, a permit, a sanction, a monitoring visit, a mitigation action,
a story). Pure: no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from mitra_shared.events import TYPE_PREFIX

OBJECTS: dict[str, tuple[str, str]] = {
    "msp": ("msp", "msp_id"),
    "action_plan": ("obligation", "obligation_id"),
    "work_plan": ("obligation", "obligation_id"),
    "report": ("obligation", "obligation_id"),
    "visit": ("visit", "visit_id"),
    "recommendation": ("recommendation", "recommendation_id"),
    "organization": ("organization", "organization_id"),
    "permit": ("permit", "permit_id"),
    "partner": ("partner", "partner_id"),
    "sanction": ("sanction", "sanction_id"),
    "application": ("organization", "organization_id"),
    "submission": ("obligation", "obligation_id"),
    "monitoring_visit": ("monitoring_visit", "monitoring_visit_id"),
    "mitigation_action": ("mitigation_action", "action_id"),
    "story": ("story", "story_id"),
}
"""Per aggregate of a routing key: the object type the link names, and the field of the event's data with its id."""


@dataclass(frozen=True)
class InboxLink:
    routing_key: str
    object_type: str
    object_id: str | None
    msp_id: UUID | None = None
    organization_id: UUID | None = None


def routing_key_of(event_type: str) -> str:
    """`id.go.mitra.agreements.report.returned.v1` → `agreements.report.returned`."""
    return event_type.removeprefix(f"{TYPE_PREFIX}.").rsplit(".v", 1)[0]


def link_of(event_type: str, payload: Mapping[str, Any] | None) -> InboxLink:
    """The link of an inbox entry, from its event's type and the event as it was stored with it."""
    routing_key = routing_key_of(event_type)
    parts = routing_key.split(".")
    aggregate = parts[1] if len(parts) == 3 else routing_key
    event = payload or {}
    data = event.get("data") or {}
    object_type, id_field = OBJECTS.get(aggregate, (aggregate, ""))
    object_id = data.get(id_field) if id_field else None
    if object_id is None:
        object_id = event.get("subject")
    organization = data.get("organization")
    organization_id = data.get("organization_id") or (organization or {}).get("organization_id")
    return InboxLink(
        routing_key=routing_key,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        msp_id=_uuid(data.get("msp_id")),
        organization_id=_uuid(organization_id),
    )


def _uuid(value: object) -> UUID | None:
    try:
        return UUID(str(value)) if value else None
    except ValueError:
        return None
