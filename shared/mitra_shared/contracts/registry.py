"""Events published by the registry service (foreign NGOs, permits, foreign staff, government partners).

Each carries what a subscriber needs without calling registry back (names, codes, dates, a partner's contacts),
and never personal documents: a foreign expert's passport number stays in registry.
"""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from mitra_shared.contracts.documents import DocumentRef
from mitra_shared.events import EventData, EventKind

OrganizationStatus = Literal["applicant", "registered", "active", "suspended", "revoked", "closed"]
SanctionKind = Literal["warning", "freeze", "revocation"]
SanctionCategory = Literal[
    "political_activity", "proselytising", "commercial_activity", "fundraising", "reporting_failure", "other"
]
ReviewVerdict = Literal["cleared", "objected"]
PermitType = Literal["principle", "operating"]
PartnerKind = Literal["ministry", "tpoa", "province", "regency"]
Language = Literal["id", "en"]


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
    contact_email: str | None = Field(
        None,
        description="The NGO's own contact address: notifications makes it one of the NGO's recipients.",
        examples=["indonesia@plan-international.org"],
    )
    contact_language: Language = Field("en", description="The language the NGO's contact is written to (`id` or `en`).")
    registered_at: datetime = Field(description="When the NGO was entered in the register.")
    imported: bool = Field(
        False,
        description="Recorded by a bulk import of records that predate Mitra; consumers that announce the fact may "
        "stay silent.",
    )


class OrganizationUpdated(EventData):
    """An NGO's particulars changed (not its status: that is `registry.organization.status_changed`)."""

    kind = EventKind("registry", "organization", "updated", 1)

    organization_id: UUID
    legal_name: str
    acronym: str | None = None
    country_of_origin: str = Field(min_length=2, max_length=2)
    focus_areas: list[str] = Field(default_factory=list)
    website: str | None = None
    status: OrganizationStatus
    contact_email: str | None = Field(
        None,
        description="The NGO's own contact address: notifications makes it one of the NGO's recipients.",
        examples=["indonesia@plan-international.org"],
    )
    contact_language: Language = Field("en", description="The language the NGO's contact is written to (`id` or `en`).")
    changed_fields: list[str] = Field(description="Names of the fields this change touched.")
    version: int = Field(description="The NGO's record version after the change; higher is newer.", ge=1)
    updated_at: datetime
    imported: bool = Field(
        False,
        description="Recorded by a bulk import of records that predate Mitra; consumers that announce the fact may "
        "stay silent.",
    )


class OrganizationStatusChanged(EventData):
    """An NGO moved in its lifecycle: applicant → registered → active → suspended (frozen) → revoked, or closed."""

    kind = EventKind("registry", "organization", "status_changed", 1)

    organization_id: UUID
    legal_name: str
    previous_status: OrganizationStatus
    status: OrganizationStatus
    reason: str = Field(description="Why, as recorded by the official who made the change.")
    changed_by: str = Field(description="Subject (user id) of the official who made the change.")
    version: int = Field(ge=1)
    changed_at: datetime


class PermitGranted(EventData):
    """A principle permit (izin prinsip) or an operating permit (izin operasional) was granted to an NGO."""

    kind = EventKind("registry", "permit", "granted", 1)

    permit_id: UUID
    organization_id: UUID
    organization_name: str
    permit_type: PermitType = Field(description="`principle` (izin prinsip) or `operating` (izin operasional).")
    number: str = Field(description="The permit's official number.")
    issued_on: date
    valid_until: date = Field(description="Last day of validity (inclusive).")
    principle_permit_id: UUID | None = Field(None, description="For an operating permit: the principle permit.")
    msp_id: UUID | None = Field(None, description="For an operating permit: the MSP it rests on.")
    granted_at: datetime
    imported: bool = Field(
        False,
        description="Recorded by a bulk import of records that predate Mitra; consumers that announce the fact may "
        "stay silent.",
    )


class PermitExtended(EventData):
    """A permit's validity was extended."""

    kind = EventKind("registry", "permit", "extended", 1)

    permit_id: UUID
    organization_id: UUID
    organization_name: str
    permit_type: PermitType
    number: str
    previous_valid_until: date
    valid_until: date
    requested_on: date = Field(description="When the extension was requested.")
    requested_late: bool = Field(
        description="For a principle permit: requested less than 3 months before expiry (accepted, flagged)."
    )
    extended_at: datetime


class PermitExpiring(EventData):
    """A permit is about to expire: a reminder sent once per permit and lead time (90 and 30 days by default)."""

    kind = EventKind("registry", "permit", "expiring", 1)

    permit_id: UUID
    organization_id: UUID
    organization_name: str
    permit_type: PermitType
    number: str
    valid_until: date
    days_before: int = Field(description="The reminder's lead time in days.", ge=1)


class PermitExpired(EventData):
    """A permit's validity ended without an extension."""

    kind = EventKind("registry", "permit", "expired", 1)

    permit_id: UUID
    organization_id: UUID
    organization_name: str
    permit_type: PermitType
    number: str
    valid_until: date
    imported: bool = Field(
        False,
        description="Published by a bulk import for a permit that had already expired when it was recorded; "
        "consumers that announce the fact may stay silent.",
    )


class PermitDocumentAttached(EventData):
    """A file was attached to a permit: the scan of the permit letter, as TPOA or the NGO holds it. Names the
    document (id, filename, type, size, SHA-256), never carries its content: whoever may read the permit downloads
    it from the registry's `GET /documents/{document_id}`."""

    kind = EventKind("registry", "document", "attached", 1)

    document: DocumentRef = Field(description="The stored file.")
    owner_type: Literal["permit"] = Field("permit", description="What the document belongs to.")
    owner_id: UUID = Field(description="The permit's id.", examples=["0b9c6f1e-4d7a-4c53-9a1f-2f1f6f1d8a11"])
    organization_id: UUID = Field(description="The NGO holding the permit.")
    purpose: Literal["scan"] = Field("scan", description="What the file is: `scan`, the scanned permit letter.")
    attached_by: str = Field(description="Subject (user id) of who attached it.", examples=["tpoa-officer-1"])
    attached_at: datetime = Field(description="When it was attached (UTC).")


class ForeignStaffAssigned(EventData):
    """A foreign expert (tenaga ahli asing) was assigned to an NGO. No passport or other document numbers."""

    kind = EventKind("registry", "foreign_staff", "assigned", 1)

    assignment_id: UUID
    organization_id: UUID
    organization_name: str
    full_name: str
    nationality: str = Field(description="ISO 3166-1 alpha-2.", min_length=2, max_length=2)
    role: str
    starts_on: date
    ends_on: date
    active_assignments: int = Field(description="The NGO's active foreign-staff assignments after this one (≤ 3).")
    imported: bool = Field(
        False,
        description="Recorded by a bulk import of records that predate Mitra; consumers that announce the fact may "
        "stay silent.",
    )


class ForeignStaffEnded(EventData):
    """A foreign expert's assignment ended."""

    kind = EventKind("registry", "foreign_staff", "ended", 1)

    assignment_id: UUID
    organization_id: UUID
    organization_name: str
    ended_on: date
    reason: str | None = None
    active_assignments: int


class PartnerContact(BaseModel):
    """Where a government partner wants to hear from Mitra."""

    name: str = Field(description="Office or person, e.g. `Kesbangpol Provinsi Jawa Tengah`.")
    email: str | None = None
    webhook_url: str | None = None
    language: Language = "id"


class PartnerRegistered(EventData):
    """A government partner was added: a ministry or agency (K/L), TPOA, or a regional government."""

    kind = EventKind("registry", "partner", "registered", 1)

    partner_id: UUID
    partner_kind: PartnerKind = Field(description="`ministry`, `tpoa`, `province` or `regency` (regency or city).")
    name: str = Field(examples=["Kementerian Sosial"])
    code: str = Field(
        description="Kemendagri/BPS code for a region (`33`, `3374`); the short name for a ministry (`KEMENSOS`).",
        examples=["3374"],
    )
    parent_code: str | None = Field(None, description="For a regency or city: its province's code.", examples=["33"])
    contacts: list[PartnerContact] = Field(default_factory=list)
    version: int = Field(1, ge=1)
    registered_at: datetime
    imported: bool = Field(
        False,
        description="Recorded by a bulk import of records that predate Mitra; consumers that announce the fact may "
        "stay silent.",
    )


class PartnerUpdated(EventData):
    """A government partner's name, hierarchy or contacts changed. Carries the whole new state."""

    kind = EventKind("registry", "partner", "updated", 1)

    partner_id: UUID
    partner_kind: PartnerKind
    name: str
    code: str
    parent_code: str | None = None
    contacts: list[PartnerContact] = Field(default_factory=list)
    active: bool = True
    version: int = Field(ge=1)
    updated_at: datetime
    imported: bool = Field(
        False,
        description="Recorded by a bulk import of records that predate Mitra; consumers that announce the fact may "
        "stay silent.",
    )


class SanctionImposed(EventData):
    """A sanction was imposed on an NGO. A `warning` is recorded and told; a `freeze` suspends the NGO (no new MSP,
    extension or visit while it lasts; its obligations keep running); a `revocation` revokes its permits (each also
    told as `registry.permit.revoked`) and ends its MSPs."""

    kind = EventKind("registry", "sanction", "imposed", 1)

    sanction_id: UUID
    organization_id: UUID
    organization_name: str
    sanction_kind: SanctionKind = Field(description="`warning`, `freeze` or `revocation`.")
    category: SanctionCategory = Field(description="What the NGO did.")
    reason: str = Field(description="Why, as the official recorded it.")
    starts_on: date = Field(description="The day it took effect (Asia/Jakarta).")
    ends_on: date | None = Field(None, description="For a warning or freeze: the day it ends by itself, if set.")
    organization_status: OrganizationStatus = Field(description="The NGO's status in the register after it.")
    imposed_by: str = Field(description="Subject (user id) of the official who imposed it.")
    imposed_at: datetime


class SanctionLifted(EventData):
    """A warning or freeze ended: lifted by an official, or its end date came (`expired`). A revocation is final."""

    kind = EventKind("registry", "sanction", "lifted", 1)

    sanction_id: UUID
    organization_id: UUID
    organization_name: str
    sanction_kind: SanctionKind
    category: SanctionCategory
    reason: str = Field(description="Why it was lifted (for an expiry: the end date came).")
    expired: bool = Field(description="True when it ended by its end date rather than by an official.")
    organization_status: OrganizationStatus = Field(description="The NGO's status in the register after it.")
    lifted_by: str = Field(description="Subject of the official, or `system:registry` for an expiry.")
    lifted_at: datetime


class PermitRevoked(EventData):
    """A permit was revoked before its end, by a revocation sanction."""

    kind = EventKind("registry", "permit", "revoked", 1)

    permit_id: UUID
    organization_id: UUID
    organization_name: str
    permit_type: PermitType
    number: str
    revoked_on: date
    reason: str
    sanction_id: UUID | None = Field(None, description="The revocation that revoked it.")
    revoked_at: datetime


class ApplicationReviewRequested(EventData):
    """An NGO's application (to enter the register) went to the TPOA member ministries: each clears or objects."""

    kind = EventKind("registry", "application", "review_requested", 1)

    organization_id: UUID
    organization_name: str
    country_of_origin: str = Field(min_length=2, max_length=2)
    members: list[str] = Field(description="Codes of the TPOA member ministries asked.", examples=[["KEMLU"]])
    answer_by: date = Field(description="After this day the secretariat may decide without the missing answers.")
    requested_by: str
    requested_at: datetime


class ApplicationReviewAnswered(EventData):
    """A TPOA member ministry cleared or objected to an NGO's application. One objection blocks it."""

    kind = EventKind("registry", "application", "review_answered", 1)

    organization_id: UUID
    organization_name: str
    member_code: str = Field(description="The member ministry that answered.", examples=["KEMENDAGRI"])
    verdict: ReviewVerdict
    note: str | None = None
    awaiting: list[str] = Field(description="Members that have not answered yet.")
    objected: list[str] = Field(description="Members that objected so far.")
    answered_by: str
    answered_at: datetime


EVENTS: tuple[type[EventData], ...] = (
    OrganizationRegistered,
    OrganizationUpdated,
    OrganizationStatusChanged,
    PermitGranted,
    PermitExtended,
    PermitExpiring,
    PermitExpired,
    PermitDocumentAttached,
    ForeignStaffAssigned,
    ForeignStaffEnded,
    PartnerRegistered,
    PartnerUpdated,
    SanctionImposed,
    SanctionLifted,
    PermitRevoked,
    ApplicationReviewRequested,
    ApplicationReviewAnswered,
)
