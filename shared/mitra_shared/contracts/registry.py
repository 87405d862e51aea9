"""Events published by the registry service (foreign NGOs, permits, staff, government partners)."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from mitra_shared.events import EventData, EventKind

OrganizationStatus = Literal["applicant", "registered", "active", "suspended", "revoked", "closed"]


class OrganizationRegistered(EventData):
    """A foreign NGO (Ormas Asing) was entered in the register."""

    kind = EventKind("registry", "organization", "registered", 1)

    organization_id: UUID = Field(description="Registry id of the NGO.")
    legal_name: str = Field(description="Legal name as in its founding documents.", examples=["Plan International"])
    acronym: str | None = Field(None, description="Short name, if any.", examples=["PLAN"])
    country_of_origin: str = Field(
        description="ISO 3166-1 alpha-2 code of the country of origin.", examples=["GB"], min_length=2, max_length=2
    )
    focus_areas: list[str] = Field(
        default_factory=list, description="Focus-area codes.", examples=[["child_welfare", "disaster"]]
    )
    status: OrganizationStatus = Field(description="Status in the register after this change.")
    registered_at: datetime = Field(description="When the NGO was entered in the register.")


EVENTS: tuple[type[EventData], ...] = (OrganizationRegistered,)
