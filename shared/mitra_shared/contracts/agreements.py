"""Events published by the agreements service (MSPs, obligations, submissions, visits, recommendations).

Each carries what a subscriber (a ministry, a regional government, another government system) needs without
calling agreements back: the parties by id and name, the dates, the region codes with their provinces.
Dates are calendar dates in Asia/Jakarta.
"""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from mitra_shared.events import EventData, EventKind

RegionKind = Literal["province", "regency"]
ObligationKind = Literal["action_plan", "work_plan", "semester_report", "annual_report", "extension_decision"]
RecommendationKind = Literal["visa", "tax_exemption"]


class OrganizationParty(BaseModel):
    """The foreign NGO that is party to the MSP."""

    organization_id: UUID
    name: str = Field(examples=["Plan International"])


class MinistryParty(BaseModel):
    """The Mitra Utama: the ministry that signs the MSP."""

    partner_id: UUID
    name: str = Field(examples=["Kementerian Sosial"])
    code: str = Field(examples=["KEMENSOS"])


class WorkLocation(BaseModel):
    """A region where the NGO works under the MSP."""

    code: str = Field(description="Kemendagri/BPS region code.", examples=["3374"])
    kind: RegionKind
    name: str = Field(examples=["Kota Semarang"])
    province_code: str = Field(description="The province's code (itself, for a province).", examples=["33"])


class Signatory(BaseModel):
    name: str
    title: str = Field(examples=["Director General of Social Rehabilitation"])
    party: Literal["organization", "ministry"]


class ObligationSummary(BaseModel):
    obligation_id: UUID
    kind: ObligationKind
    period: str = Field(description="The year (`2027`) or semester (`2027-S1`) covered, if any.", examples=["2027"])
    region_code: str | None = Field(None, description="For a work plan: the region it is agreed with.")
    due_on: date


class MspDrafted(EventData):
    """An MSP (Memorandum Saling Pengertian) was drafted between a foreign NGO and its Mitra Utama ministry."""

    kind = EventKind("agreements", "msp", "drafted", 1)

    msp_id: UUID
    organization: OrganizationParty
    ministry: MinistryParty
    title: str
    focus_areas: list[str]
    forms_of_cooperation: list[str]
    work_locations: list[WorkLocation]
    starts_on: date
    ends_on: date
    drafted_by: str = Field(description="Subject of the official who drafted it.")
    drafted_at: datetime


class MspSubmitted(EventData):
    """A draft MSP was submitted to TPOA for review."""

    kind = EventKind("agreements", "msp", "submitted", 1)

    msp_id: UUID
    organization: OrganizationParty
    ministry: MinistryParty
    title: str
    submitted_by: str
    submitted_at: datetime


class MspApproved(EventData):
    """TPOA approved an MSP: it may now be signed."""

    kind = EventKind("agreements", "msp", "approved", 1)

    msp_id: UUID
    organization: OrganizationParty
    ministry: MinistryParty
    note: str | None = None
    approved_by: str
    approved_at: datetime


class MspRejected(EventData):
    """TPOA rejected an MSP, with the reason."""

    kind = EventKind("agreements", "msp", "rejected", 1)

    msp_id: UUID
    organization: OrganizationParty
    ministry: MinistryParty
    reason: str
    rejected_by: str
    rejected_at: datetime


class MspSigned(EventData):
    """An MSP was signed: the parties, dates, scope and work locations, and the obligations it created."""

    kind = EventKind("agreements", "msp", "signed", 1)

    msp_id: UUID
    number: str = Field(description="The MSP's official number.")
    title: str
    organization: OrganizationParty
    ministry: MinistryParty
    starts_on: date
    ends_on: date
    signed_on: date
    focus_areas: list[str]
    forms_of_cooperation: list[str]
    work_locations: list[WorkLocation]
    region_codes: list[str] = Field(description="Codes of the work locations, in the order of `work_locations`.")
    province_codes: list[str] = Field(description="The distinct provinces of the work locations.")
    signatories: list[Signatory]
    signed_document_ref: str | None = Field(None, description="Where the signed document is kept.")
    principle_permit_id: UUID
    principle_permit_valid_until: date
    obligations: list[ObligationSummary]
    signed_by: str
    signed_at: datetime


class MspExtended(EventData):
    """A signed MSP's end date was moved later (after TPOA coordinated the extension)."""

    kind = EventKind("agreements", "msp", "extended", 1)

    msp_id: UUID
    organization: OrganizationParty
    ministry: MinistryParty
    previous_ends_on: date
    ends_on: date
    reason: str
    new_obligations: list[ObligationSummary] = Field(description="Obligations the extra period creates.")
    extended_by: str
    extended_at: datetime


class MspTerminated(EventData):
    """An MSP was ended early, with the reason."""

    kind = EventKind("agreements", "msp", "terminated", 1)

    msp_id: UUID
    organization: OrganizationParty
    ministry: MinistryParty
    terminated_on: date
    reason: str
    terminated_by: str
    terminated_at: datetime


class MspExpiring(EventData):
    """An MSP approaches its end date and needs a decision (extend or let end): sent once per lead time."""

    kind = EventKind("agreements", "msp", "expiring", 1)

    msp_id: UUID
    number: str
    organization: OrganizationParty
    ministry: MinistryParty
    ends_on: date
    days_before: int = Field(description="The warning's lead time in days (180, 90, 30 by default).", ge=1)


class MspEnded(EventData):
    """An MSP reached its end date."""

    kind = EventKind("agreements", "msp", "ended", 1)

    msp_id: UUID
    number: str
    organization: OrganizationParty
    ministry: MinistryParty
    ended_on: date


class _ObligationFacts(EventData):
    obligation_id: UUID
    obligation_kind: ObligationKind
    msp_id: UUID
    organization_id: UUID
    organization_name: str
    ministry_code: str
    period: str = Field(description="The year (`2027`) or semester (`2027-S1`) covered.", examples=["2027-S1"])
    region_code: str | None = Field(None, description="For a work plan: the region it is agreed with.")
    province_code: str | None = Field(None, description="For a work plan: that region's province.")
    due_on: date


class _DueDateFacts(_ObligationFacts):
    due_on_weekend: bool = Field(description="The due date is a Saturday or Sunday (Asia/Jakarta).")
    due_on_holiday: str | None = Field(
        None, description="The Indonesian public holiday on the due date, if any.", examples=["Hari Raya Idul Fitri"]
    )
    due_on_working_day: bool = Field(description="Neither a weekend nor a public holiday.")


class _Due(_DueDateFacts):
    days_before: int = Field(description="The reminder's lead time in days (30, 7, 1 by default).", ge=1)
    days_left: int = Field(description="Days from the reminder's date to the due date.", ge=0)


class _Overdue(_DueDateFacts):
    days_overdue: int = Field(ge=1)


class ActionPlanDue(_Due):
    """An MSP's Action Plan falls due soon: one reminder per lead time."""

    kind = EventKind("agreements", "action_plan", "due", 1)


class ActionPlanOverdue(_Overdue):
    """An MSP's Action Plan was not submitted by its due date."""

    kind = EventKind("agreements", "action_plan", "overdue", 1)


class WorkPlanDue(_Due):
    """A yearly work plan (RKT) for one region falls due soon: one reminder per lead time."""

    kind = EventKind("agreements", "work_plan", "due", 1)


class WorkPlanOverdue(_Overdue):
    """A work plan (RKT) was not accepted or submitted by its due date."""

    kind = EventKind("agreements", "work_plan", "overdue", 1)


class ReportDue(_Due):
    """A semester or annual report falls due soon: one reminder per lead time."""

    kind = EventKind("agreements", "report", "due", 1)


class ReportOverdue(_Overdue):
    """A semester or annual report was not submitted by its due date."""

    kind = EventKind("agreements", "report", "overdue", 1)


class FundingSource(BaseModel):
    source: str = Field(examples=["Plan International UK"])
    amount: float = Field(ge=0, examples=[250000000])
    currency: str = Field("IDR", min_length=3, max_length=3)
    use: str = Field(examples=["Child protection training in Semarang"])


class _Submitted(_ObligationFacts):
    submission_id: UUID
    attempt: int = Field(description="1 for the first submission, 2 after the first return, ...", ge=1)
    summary: str
    document_ref: str | None = None
    funding: list[FundingSource] = Field(default_factory=list)
    late: bool = Field(description="Submitted after the due date.")
    submitted_by: str
    submitted_at: datetime


class _Decided(_ObligationFacts):
    submission_id: UUID
    attempt: int = Field(ge=1)
    comments: str | None = None
    decided_by: str
    decided_at: datetime


class ActionPlanSubmitted(_Submitted):
    """The NGO submitted its Action Plan."""

    kind = EventKind("agreements", "action_plan", "submitted", 1)


class WorkPlanSubmitted(_Submitted):
    """The NGO submitted a work plan (RKT) for a year and region."""

    kind = EventKind("agreements", "work_plan", "submitted", 1)


class WorkPlanAccepted(_Decided):
    """The ministry, or the regional government concerned, accepted a work plan."""

    kind = EventKind("agreements", "work_plan", "accepted", 1)


class WorkPlanReturned(_Decided):
    """A work plan was returned with comments; the NGO may submit it again."""

    kind = EventKind("agreements", "work_plan", "returned", 1)


class ReportSubmitted(_Submitted):
    """The NGO submitted a semester or annual report, with funding sources, amounts and uses."""

    kind = EventKind("agreements", "report", "submitted", 1)


class ReportAccepted(_Decided):
    """The ministry accepted a report."""

    kind = EventKind("agreements", "report", "accepted", 1)


class ReportReturned(_Decided):
    """A report was returned with comments; the NGO may submit it again."""

    kind = EventKind("agreements", "report", "returned", 1)


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


EVENTS: tuple[type[EventData], ...] = (
    MspDrafted,
    MspSubmitted,
    MspApproved,
    MspRejected,
    MspSigned,
    MspExtended,
    MspTerminated,
    MspExpiring,
    MspEnded,
    WorkPlanDue,
    WorkPlanSubmitted,
    WorkPlanAccepted,
    WorkPlanReturned,
    WorkPlanOverdue,
    ActionPlanDue,
    ActionPlanSubmitted,
    ActionPlanOverdue,
    ReportDue,
    ReportSubmitted,
    ReportAccepted,
    ReportReturned,
    ReportOverdue,
    VisitAnnounced,
    VisitUpdated,
    VisitCancelled,
    RecommendationRequested,
    RecommendationIssued,
)
