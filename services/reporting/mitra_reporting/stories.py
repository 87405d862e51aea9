"""Good practices and success stories (Praktik Baik dan Kisah Sukses): drafted, then published for dissemination."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Literal
from uuid import UUID

import asyncpg
from pydantic import BaseModel, ConfigDict, Field

from mitra_reporting.projections import QUERIES
from mitra_shared import outbox
from mitra_shared.contracts.reporting import StoryPublished
from mitra_shared.events import new_event
from mitra_shared.http import ConflictError, NotFound, PreconditionFailed


class StoryDraft(BaseModel):
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


async def draft(pool: asyncpg.Pool, body: StoryDraft, author: str) -> Story:
    row = await pool.fetchrow(
        QUERIES.insert_story,
        uuid.uuid4(),
        body.title,
        body.body,
        body.organization_id,
        body.msp_id,
        body.region_code,
        body.story_date,
        body.media,
        author,
    )
    return Story.model_validate(dict(row))


async def get(pool: asyncpg.Pool, story_id: UUID) -> Story:
    row = await pool.fetchrow(QUERIES.get_story, story_id)
    if row is None:
        raise NotFound(f"no story {story_id}")
    return Story.model_validate(dict(row))


async def revise(pool: asyncpg.Pool, story_id: UUID, body: StoryDraft, expected_version: int) -> Story:
    async with pool.acquire() as conn, conn.transaction():
        current = await _locked(conn, story_id, expected_version)
        if current["status"] == "published":
            raise ConflictError("a published story is not changed; write a new one", field="path.story_id")
        row = await conn.fetchrow(
            QUERIES.update_story,
            story_id,
            body.title,
            body.body,
            body.organization_id,
            body.msp_id,
            body.region_code,
            body.story_date,
            body.media,
        )
    return Story.model_validate(dict(row))


async def publish(pool: asyncpg.Pool, story_id: UUID, expected_version: int, publisher: str) -> Story:
    async with pool.acquire() as conn, conn.transaction():
        current = await _locked(conn, story_id, expected_version)
        if current["status"] == "published":
            raise ConflictError("the story is published already", field="path.story_id")
        row = await conn.fetchrow(QUERIES.publish_story, story_id, datetime.now(UTC))
        story = Story.model_validate(dict(row))
        event = StoryPublished(
            story_id=story.id,
            title=story.title,
            summary=story.body.strip().split("\n\n", 1)[0][:1000],
            organization_id=story.organization_id,
            msp_id=story.msp_id,
            region_code=story.region_code,
            story_date=story.story_date,
            media=story.media,
            published_by=publisher,
            published_at=row["published_at"],
        )
        await outbox.record(conn, new_event(event, subject=str(story.id)))
    return story


async def _locked(conn: asyncpg.Connection, story_id: UUID, expected_version: int) -> asyncpg.Record:
    row = await conn.fetchrow(QUERIES.get_story_for_update, story_id)
    if row is None:
        raise NotFound(f"no story {story_id}")
    if row["version"] != expected_version:
        raise PreconditionFailed(f"the story is at version {row['version']}, not {expected_version}")
    return row
