"""Events of an MSP's lifecycle, from draft to end."""

from datetime import date, datetime
from uuid import UUID

from pydantic import Field

from mitra_shared.contracts.agreements.parties import (
    MinistryParty,
    ObligationSummary,
    OrganizationParty,
    Signatory,
    WorkLocation,
)
from mitra_shared.events import EventData, EventKind


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
    imported: bool = Field(
        False,
        description="Recorded by a bulk import of an MSP signed before Mitra (`signed_by`/`signed_at` are who "
        "imported it and when); consumers that announce the fact may stay silent.",
    )


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
    sanction_id: UUID | None = Field(None, description="The registry revocation that ended it, if one did.")
    closed_obligation_ids: list[UUID] = Field(
        default_factory=list, description="The open obligations it closed (no longer due)."
    )
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
    closed_obligation_ids: list[UUID] = Field(
        default_factory=list,
        description="The obligations its end closed: open ones, no longer due (one already overdue stays overdue).",
    )
    imported: bool = Field(
        False,
        description="Recorded by a bulk import of an MSP over before Mitra (it follows the import's "
        "`agreements.msp.signed`); consumers that announce the fact may stay silent.",
    )
