"""Good practices and success stories (Praktik Baik dan Kisah Sukses): drafted, revised, then published for
dissemination, once. Pure: no I/O.

A change names the version it was based on (the ETag the client read); a published story is not changed again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from mitra_shared.contracts.documents import DocumentRef
from mitra_shared.contracts.reporting import StoryPublished
from mitra_shared.errors import Conflict, RuleBroken, StaleVersion, UnsupportedContent


class StoryDraft(BaseModel):
    # A story's content, as its author writes it (no docstring: it would become the schema's description).
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "title": "Desa tangguh bencana di Kota Semarang",
                    "body": "Bersama pemerintah kota, ...",
                    "organization_id": "7d7f3c4e-1f7a-4a7e-9a55-3b8f0f4b6a10",
                    "region_code": "3374",
                    "story_date": "2026-08-17",
                    "media": ["https://dokumen.example.go.id/kisah/semarang-1.jpg"],
                }
            ]
        },
    )

    title: str = Field(min_length=3, max_length=300)
    body: str = Field(min_length=1, max_length=100_000, description="The story; paragraphs separated by blank lines.")
    organization_id: UUID | None = None
    msp_id: UUID | None = None
    region_code: str | None = Field(None, pattern=r"^\d{2}(\d{2})?$", description="Province or regency code.")
    story_date: date
    media: list[str] = Field(default_factory=list, max_length=50, description="Image or document references.")


class Story(StoryDraft):
    model_config = ConfigDict(extra="ignore")

    id: UUID
    status: Literal["draft", "published"]
    version: int
    created_by: str
    created_at: datetime
    published_at: datetime | None


def check_version(version: int, expected_version: int) -> None:
    """A change based on a version other than the current one would overwrite what its author has not seen."""
    if version != expected_version:
        raise StaleVersion("header.if-match", f"the story is at version {version}, not {expected_version}")


def check_revisable(status: str) -> None:
    if status == "published":
        raise Conflict("path.story_id", "a published story is not changed; write a new one")


PHOTO_TYPES = ("image/jpeg", "image/png")
"""What a story's photo may be, judged from its bytes."""
PHOTO_PURPOSE = "photo"


def check_photo(content_type: str, purpose: str | None) -> None:
    """A story's photo is a JPEG or PNG picture (another kind of file: 415), attached as a `photo`."""
    if content_type not in PHOTO_TYPES:
        raise UnsupportedContent("file", "a photo is JPEG or PNG")
    if purpose not in (None, "", PHOTO_PURPOSE):
        raise RuleBroken("body.purpose", f"a story's file is a photo: purpose must be `photo`, not {purpose!r}")


def check_publishable(status: str) -> None:
    if status == "published":
        raise Conflict("path.story_id", "the story is published already")


def summary(body: str) -> str:
    """The first paragraph, at most 1000 characters: what the announcement of a published story carries."""
    return body.strip().split("\n\n", 1)[0][:1000]


def publication(story: Story, *, published_by: str, photos: Sequence[DocumentRef] = ()) -> StoryPublished:
    """The fact that a story was published, as reporting announces it (naming its photos, never carrying them)."""
    assert story.published_at is not None, "a published story has its publication time"
    return StoryPublished(
        story_id=story.id,
        title=story.title,
        summary=summary(story.body),
        organization_id=story.organization_id,
        msp_id=story.msp_id,
        region_code=story.region_code,
        story_date=story.story_date,
        media=story.media,
        photos=list(photos),
        published_by=published_by,
        published_at=story.published_at,
    )
