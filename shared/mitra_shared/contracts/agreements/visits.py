"""Events of foreign visits and of visa and tax-exemption recommendations."""

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field

from mitra_shared.contracts.agreements.parties import MinistryParty, OrganizationParty, RecommendationKind
from mitra_shared.contracts.documents import DocumentRef
from mitra_shared.events import EventData, EventKind


class Visitor(BaseModel):
    name: str
    nationality: str = Field(description="ISO 3166-1 alpha-2.", min_length=2, max_length=2, examples=["GB"])
    role: str = Field(examples=["Regional programme adviser"])


class _VisitFacts(EventData):
    visit_id: UUID
    msp_id: UUID
    organization: OrganizationParty
    ministry: MinistryParty
    visitors: list[Visitor]
    purpose: str
    arrives_on: date
    departs_on: date
    region_codes: list[str] = Field(description="Regencies or provinces visited.", examples=[["3374", "33"]])
    province_codes: list[str] = Field(description="The distinct provinces of the regions visited.")
    programme: str | None = None
    announced_on: date
    days_notice: int = Field(description="Days between the announcement and the arrival.")
    late: bool = Field(description="Announced fewer days before arrival than required (accepted, flagged).")


class VisitAnnounced(_VisitFacts):
    """A visit of foreign guests (kunjungan tamu asing) was announced to the regions it goes to."""

    kind = EventKind("agreements", "visit", "announced", 1)

    announced_by: str
    announced_at: datetime


class VisitUpdated(_VisitFacts):
    """An announced visit changed; carries the whole new state and what changed."""

    kind = EventKind("agreements", "visit", "updated", 1)

    changed_fields: list[str]
    previous_region_codes: list[str] = Field(description="The regions before the change (they may be dropped).")
    updated_by: str
    updated_at: datetime


class VisitCancelled(EventData):
    """An announced visit was cancelled."""

    kind = EventKind("agreements", "visit", "cancelled", 1)

    visit_id: UUID
    msp_id: UUID
    organization: OrganizationParty
    region_codes: list[str]
    arrives_on: date
    reason: str
    cancelled_by: str
    cancelled_at: datetime


class RecommendationRequested(EventData):
    """An NGO asked its ministry for a recommendation: a foreign expert's visa/stay permit, or tax exemption."""

    kind = EventKind("agreements", "recommendation", "requested", 1)

    recommendation_id: UUID
    recommendation_kind: RecommendationKind
    msp_id: UUID
    organization: OrganizationParty
    ministry: MinistryParty
    expert_name: str | None = Field(None, description="For a visa recommendation: the foreign expert.")
    expert_nationality: str | None = None
    staff_assignment_id: UUID | None = Field(
        None, description="For a visa recommendation: the expert's assignment in registry's foreign-staff register."
    )
    purpose: str
    requested_by: str
    requested_at: datetime


class RecommendationIssued(EventData):
    """The ministry decided a recommendation request, with its reference number."""

    kind = EventKind("agreements", "recommendation", "issued", 1)

    recommendation_id: UUID
    recommendation_kind: RecommendationKind
    msp_id: UUID
    organization: OrganizationParty
    ministry: MinistryParty
    granted: bool
    reference_number: str
    note: str | None = None
    issued_by: str
    issued_at: datetime
    letter: DocumentRef | None = Field(
        None,
        description="The letter agreements made of the decision (PDF), downloadable by the NGO and the ministry at "
        "`GET /documents/{id}`; null from a producer that made none.",
    )
