"""Events published by the reporting service."""

from datetime import date, datetime
from uuid import UUID

from pydantic import Field

from mitra_shared.contracts.documents import DocumentRef
from mitra_shared.events import EventData, EventKind


class StoryPublished(EventData):
    """A good practice or success story (Praktik Baik dan Kisah Sukses) was published for dissemination."""

    kind = EventKind("reporting", "story", "published", 1)

    story_id: UUID
    title: str
    summary: str = Field(description="The first paragraph of the story.")
    organization_id: UUID | None = None
    msp_id: UUID | None = None
    region_code: str | None = Field(None, description="Kemendagri/BPS code of the region the story is from.")
    story_date: date
    media: list[str] = Field(default_factory=list, description="References to images or documents.")
    photos: list[DocumentRef] = Field(
        default_factory=list,
        description="The story's photos as reporting keeps them, oldest first; each downloaded from reporting's "
        "`GET /documents/{id}` (its thumbnail from `GET /documents/{id}/thumbnail`).",
    )
    published_by: str
    published_at: datetime


class StoryPhotoAttached(EventData):
    """A photo (JPEG or PNG) was attached to a story. Names the photo, never carries it: whoever may read the story
    downloads it, and its thumbnail, from reporting."""

    kind = EventKind("reporting", "story_photo", "attached", 1)

    document: DocumentRef = Field(description="The stored photo.")
    story_id: UUID = Field(description="The story it belongs to.", examples=["3b0e5f8a-2f8e-4d6c-9a53-6c1f4b2d7e90"])
    organization_id: UUID | None = Field(None, description="The NGO the story names, if any.")
    msp_id: UUID | None = Field(None, description="The MSP the story names, if any.")
    region_code: str | None = Field(None, description="Kemendagri/BPS code of the region the story is from.")
    attached_by: str = Field(description="Subject (user id) of who attached it.", examples=["ngo-staff-7"])
    attached_at: datetime = Field(description="When it was attached (UTC).")


EVENTS: tuple[type[EventData], ...] = (StoryPublished, StoryPhotoAttached)
