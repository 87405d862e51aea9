"""Events of TPOA's review as a team: an MSP, or an extension of one, goes to the TPOA member ministries; each clears
or objects with a note; one objection blocks; the secretariat (TPOA) decides once all have answered or the review
period has passed (`agreements.msp.approved` / `.rejected`, or for an extension `agreements.msp.extended` /
`agreements.msp.extension_rejected`)."""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from mitra_shared.contracts.agreements.parties import MinistryParty, OrganizationParty
from mitra_shared.events import EventData, EventKind

ReviewSubject = Literal["msp", "extension"]
ReviewVerdict = Literal["cleared", "objected"]


class MspReviewRequested(EventData):
    """An MSP (or an extension of one) went to the TPOA member ministries for their review."""

    kind = EventKind("agreements", "msp", "review_requested", 1)

    review_id: UUID
    msp_id: UUID
    subject: ReviewSubject = Field(description="`msp`: the MSP itself; `extension`: a proposed extension of it.")
    organization: OrganizationParty
    ministry: MinistryParty
    title: str
    proposed_ends_on: date | None = Field(None, description="For an extension: the end date asked for.")
    members: list[str] = Field(description="Codes of the TPOA member ministries asked.", examples=[["KEMLU"]])
    answer_by: date = Field(description="After this day TPOA may decide without the missing answers.")
    requested_by: str
    requested_at: datetime


class MspReviewAnswered(EventData):
    """A TPOA member ministry cleared or objected to an MSP (or its extension). One objection blocks it."""

    kind = EventKind("agreements", "msp", "review_answered", 1)

    review_id: UUID
    msp_id: UUID
    subject: ReviewSubject
    organization: OrganizationParty
    ministry: MinistryParty
    title: str
    member_code: str = Field(description="The member ministry that answered.", examples=["KEMENDAGRI"])
    verdict: ReviewVerdict
    note: str | None = None
    awaiting: list[str] = Field(description="Members that have not answered yet.")
    objected: list[str] = Field(description="Members that objected so far.")
    answered_by: str
    answered_at: datetime


class MspExtensionRequested(EventData):
    """The Mitra Utama asked to extend a signed MSP; TPOA's members review it before it takes effect."""

    kind = EventKind("agreements", "msp", "extension_requested", 1)

    msp_id: UUID
    organization: OrganizationParty
    ministry: MinistryParty
    title: str
    ends_on: date = Field(description="The MSP's current end date.")
    proposed_ends_on: date
    reason: str
    requested_by: str
    requested_at: datetime


class MspExtensionRejected(EventData):
    """TPOA refused an MSP's extension: it ends on its current end date."""

    kind = EventKind("agreements", "msp", "extension_rejected", 1)

    msp_id: UUID
    organization: OrganizationParty
    ministry: MinistryParty
    title: str
    proposed_ends_on: date
    note: str | None = None
    rejected_by: str
    rejected_at: datetime
