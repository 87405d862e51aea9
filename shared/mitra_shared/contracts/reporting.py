"""Events published by the reporting service."""

from datetime import date, datetime
from uuid import UUID

from pydantic import Field

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
    published_by: str
    published_at: datetime


EVENTS: tuple[type[EventData], ...] = (StoryPublished,)
