"""Events of the files behind agreements' records: a document attached to a submission, an MSP or a
recommendation (uploaded, or generated like a recommendation's letter), and a document marked public or private
again for the open-data export (IATI document links: A09 for an MSP's documents, B01 for an annual report's).

They name the document (`DocumentRef`: id, filename, type, size, SHA-256), never carry its content; whoever may read
the owning record downloads it from agreements at `GET /documents/{id}`, anyone a public one at
`GET /public/documents/{id}` (`public_url`).
"""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from mitra_shared.contracts.agreements.parties import ObligationKind
from mitra_shared.contracts.documents import DocumentRef
from mitra_shared.events import EventData, EventKind

DocumentOwnerType = Literal["submission", "msp", "recommendation"]


class DocumentAttached(EventData):
    """A document was attached to a submission (its report, RKT or Action Plan file or an annex), to an MSP (the
    signed MSP, an amendment, an annex) or to a recommendation (a supporting document, or its letter: generated
    when the ministry decides, or a signed scan the ministry uploads)."""

    kind = EventKind("agreements", "document", "attached", 1)

    document: DocumentRef = Field(description="The file: id, name, type, size and SHA-256; never its content.")
    owner_type: DocumentOwnerType = Field(description="What the document belongs to.", examples=["submission"])
    owner_id: UUID = Field(description="The submission's, MSP's or recommendation's id.")
    purpose: str = Field(
        description="What the document is for its owner: a submission's `main` file or an `annex`; an MSP's "
        "`signed_msp`, `amendment` or `annex`; a recommendation's `supporting` document or its `letter`.",
        examples=["main"],
    )
    generated: bool = Field(description="Made by agreements (a recommendation's letter), not uploaded.")
    msp_id: UUID = Field(description="The MSP the owner belongs to (the owner itself for an MSP's document).")
    organization_id: UUID = Field(description="The NGO party to the MSP (registry's id).")
    ministry_code: str = Field(description="The MSP's Mitra Utama.", examples=["KEMENSOS"])
    obligation_kind: ObligationKind | None = Field(
        None, description="For a submission's document: the kind of obligation it was submitted for."
    )
    region_codes: list[str] = Field(
        default_factory=list, description="The MSP's work locations (region codes).", examples=[["3374", "33"]]
    )
    attached_by: str = Field(description="Who attached it (the subject); for a generated letter, who decided.")
    attached_at: datetime


class DocumentPublished(EventData):
    """A document was marked public by the MSP's Mitra Utama ministry or TPOA: anyone may download it from
    `public_url`, and the open-data export links it (an MSP's document as IATI A09, an annual report's as B01)."""

    kind = EventKind("agreements", "document", "published", 1)

    document: DocumentRef = Field(description="The file: id, name, type, size and SHA-256; never its content.")
    owner_type: Literal["submission", "msp"] = Field(description="What the document belongs to.", examples=["msp"])
    owner_id: UUID = Field(description="The MSP's or the submission's id.")
    msp_id: UUID = Field(description="The MSP the owner belongs to (the owner itself for an MSP's document).")
    organization_id: UUID = Field(description="The NGO party to the MSP (registry's id).")
    obligation_kind: ObligationKind | None = Field(
        None, description="For a submission's document, the obligation's kind (`annual_report`); null for an MSP's."
    )
    year: int | None = Field(
        None, description="The reporting year of an annual report, when its period is a calendar year.", examples=[2027]
    )
    public_url: str = Field(
        description="Where anyone downloads it, without a token.",
        examples=["https://agreements.mitra.go.id/public/documents/5b0f8a52-3c1d-4e2f-9a8b-7c6d5e4f3a21"],
    )
    published_by: str = Field(description="Who made it public (the subject).", examples=["kemensos-officer-1"])
    published_at: datetime


class DocumentUnpublished(EventData):
    """A public document was made private again: it is no longer served publicly and the export drops its link."""

    kind = EventKind("agreements", "document", "unpublished", 1)

    document_id: UUID = Field(description="The document made private again (as `document.id` when published).")
    msp_id: UUID = Field(description="The MSP its owner belongs to.")
    unpublished_by: str = Field(description="Who made it private (the subject).", examples=["kemensos-officer-1"])
    unpublished_at: datetime
