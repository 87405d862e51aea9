"""What agreements knows of registry's facts, as the rules see them: NGOs with their status, principle permits
with their validity, government partners (ministries, and regions with their province)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID


@dataclass(frozen=True)
class KnownOrganization:
    organization_id: UUID
    legal_name: str
    status: str


@dataclass(frozen=True)
class KnownPermit:
    permit_id: UUID
    organization_id: UUID
    number: str
    issued_on: date
    valid_until: date
    expired: bool

    def valid_on(self, day: date) -> bool:
        return not self.expired and self.issued_on <= day <= self.valid_until


@dataclass(frozen=True)
class KnownPartner:
    partner_id: UUID
    partner_kind: str
    name: str
    code: str
    parent_code: str | None
    active: bool
