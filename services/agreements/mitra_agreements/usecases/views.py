"""What agreements' use cases give back: its records as the API shows them, each read from its row."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Literal, TypeVar
from uuid import UUID

from pydantic import BaseModel, Field

from mitra_agreements.domain.msps import MspStatus
from mitra_agreements.domain.obligations import ObligationKind, ObligationRules, ObligationStatus
from mitra_shared.contracts.agreements import FundingSource, Signatory, Visitor, WorkLocation
from mitra_shared.documents import DocumentView

View = TypeVar("View", bound=BaseModel)


def view(model: type[View], row: Mapping[str, Any]) -> View:
    """The view of a record from its row (which may have more columns than the view shows)."""
    return model.model_validate({key: row[key] for key in model.model_fields})


def values(model: type[BaseModel], row: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A record's values as the audit trail keeps them before and after a change: its fields as the API shows them,
    in JSON (None: it did not exist yet). No record of agreements holds a secret or a passport number."""
    return None if row is None else view(model, row).model_dump(mode="json")


class PendingExtension(BaseModel):
    proposed_ends_on: date
    reason: str
    requested_by: str
    requested_at: datetime


class Msp(BaseModel):
    id: UUID
    organization_id: UUID
    organization_name: str
    ministry_partner_id: UUID
    ministry_name: str
    ministry_code: str
    number: str | None
    title: str
    focus_areas: list[str]
    forms_of_cooperation: list[str]
    work_locations: list[WorkLocation]
    starts_on: date
    ends_on: date
    status: MspStatus
    obligation_rules: ObligationRules
    signatories: list[Signatory]
    signed_document_ref: str | None = Field(
        description="A reference to the signed MSP in another system (kept as given); the file itself belongs in "
        "the MSP's documents (`POST /msps/{id}/documents`)."
    )
    signed_on: date | None
    principle_permit_id: UUID | None
    decision_note: str | None
    terminated_on: date | None
    termination_reason: str | None
    pending_extension: PendingExtension | None = Field(
        None, description="An extension the Mitra Utama asked for, waiting for TPOA (the dates are unchanged)."
    )
    imported: bool = Field(
        False, description="Recorded by a bulk import of an MSP signed before Mitra (not signed through Mitra)."
    )
    version: int
    created_at: datetime
    updated_at: datetime


class Obligation(BaseModel):
    id: UUID
    msp_id: UUID
    kind: ObligationKind
    period: str
    region_code: str | None
    province_code: str | None
    due_on: date
    status: ObligationStatus
    next_check_on: date | None = Field(
        description="A look the deadline engine owes it apart from its due date's calendar (set when it is created "
        "inside its reminder window or the day before it opens, or returned for revision); otherwise empty, as its "
        "reminders follow from `due_on` (the configured days before it) and it becomes overdue the day after. "
        "Obligations recorded before agreements' migration 009 keep the day of their next look until it comes."
    )
    received_outside_on: date | None = Field(
        None,
        description="Status `received_outside`: the date it was received on paper, before its MSP was recorded in "
        "Mitra (by an import); no reminder or overdue notice follows.",
    )


class Submission(BaseModel):
    id: UUID
    obligation_id: UUID
    attempt: int
    summary: str
    document_ref: str | None = Field(
        description="A reference to the file in another system (kept as given); the file itself belongs in the "
        "submission's documents (`POST /submissions/{id}/documents`)."
    )
    funding: list[FundingSource]
    status: Literal["submitted", "accepted", "returned"]
    late: bool
    submitted_by: str
    submitted_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    comments: str | None


class Visit(BaseModel):
    id: UUID
    msp_id: UUID
    visitors: list[Visitor]
    purpose: str
    arrives_on: date
    departs_on: date
    region_codes: list[str]
    province_codes: list[str]
    programme: str | None
    announced_on: date
    late: bool
    status: Literal["announced", "cancelled"]
    cancel_reason: str | None
    version: int


class Recommendation(BaseModel):
    id: UUID
    kind: Literal["visa", "tax_exemption"]
    msp_id: UUID
    expert_name: str | None
    expert_nationality: str | None
    staff_assignment_id: UUID | None = Field(
        None, description="For a visa recommendation: the expert's assignment in registry's foreign-staff register."
    )
    purpose: str
    status: Literal["requested", "issued"]
    granted: bool | None
    reference_number: str | None
    note: str | None
    requested_by: str
    requested_at: datetime
    issued_by: str | None
    issued_at: datetime | None


# --- one record as its own view shows it: with its documents (the files behind it, oldest first) ---------------

_DOCUMENTS = "The files attached to it (or generated for it), oldest first; each downloadable at `GET /documents/{id}`."


class MspDetail(Msp):
    documents: list[DocumentView] = Field(description=_DOCUMENTS)


class SubmissionDetail(Submission):
    documents: list[DocumentView] = Field(description=_DOCUMENTS)


class RecommendationDetail(Recommendation):
    documents: list[DocumentView] = Field(description=_DOCUMENTS)


# A foreign NGO as agreements knows it, learned from registry's events (no docstring: it would be the schema's
# description in the OpenAPI document).
class KnownOrganization(BaseModel):
    organization_id: UUID
    legal_name: str
    acronym: str | None
    country_of_origin: str | None
    status: str
    as_of: datetime


# --- the queues: each item carries what a queue's row shows, without another call ----------------------------------


class _MspParties(BaseModel):
    msp_id: UUID
    msp_title: str
    organization_id: UUID = Field(description="The NGO party to the MSP (registry's id).")
    organization_name: str = Field(description="The NGO's legal name as the MSP was drafted with.")
    ministry_code: str = Field(description="The MSP's Mitra Utama.")


class ObligationItem(Obligation, _MspParties):
    msp_number: str | None
    ministry_name: str
    latest_submission_id: UUID | None = Field(description="The obligation's last submission; null: none yet.")
    latest_submission_status: Literal["submitted", "accepted", "returned"] | None
    latest_submitted_at: datetime | None


class SubmissionItem(Submission, _MspParties):
    kind: ObligationKind = Field(description="The obligation's kind.")
    period: str
    region_code: str | None = Field(description="The region of a work plan (RKT); null for an MSP-wide obligation.")
    due_on: date


class VisitItem(Visit, _MspParties):
    pass


class RecommendationItem(Recommendation, _MspParties):
    pass
