"""Stories from draft to published: each change names the version it was based on; publishing announces the story."""

from __future__ import annotations

import uuid
from uuid import UUID

import asyncpg

from mitra_reporting.domain import stories
from mitra_reporting.domain.stories import Story, StoryDraft
from mitra_reporting.sql import STORIES
from mitra_shared.context import Context
from mitra_shared.errors import NotFound
from mitra_shared.uow import UnitOfWork


async def draft_story(uow: UnitOfWork, ctx: Context, draft: StoryDraft) -> Story:
    async with uow.change(ctx) as tx:
        row = await tx.conn.fetchrow(*STORIES.insert_story(id=uuid.uuid4(), **draft.model_dump(), created_by=tx.actor))
    return Story.model_validate(dict(row))


async def get_story(uow: UnitOfWork, story_id: UUID) -> Story:
    async with uow.read() as conn:
        row = await conn.fetchrow(*STORIES.get_story(id=story_id))
    if row is None:
        raise NotFound("path.story_id", f"no story {story_id}")
    return Story.model_validate(dict(row))


async def list_stories(
    uow: UnitOfWork,
    *,
    status: str | None,
    organization_id: UUID | None,
    region_code: str | None,
    limit: int,
    offset: int,
) -> tuple[list[Story], int]:
    """A page of stories (the newest first), and how many there are in all."""
    async with uow.read() as conn:
        rows = await conn.fetch(
            *STORIES.list_stories(
                status=status, organization_id=organization_id, region_code=region_code, limit=limit, offset=offset
            )
        )
    items = [Story.model_validate({k: v for k, v in row.items() if k != "total"}) for row in rows]
    return items, rows[0]["total"] if rows else 0


async def revise_story(
    uow: UnitOfWork, ctx: Context, story_id: UUID, draft: StoryDraft, expected_version: int
) -> Story:
    async with uow.change(ctx) as tx:
        current = await _locked(tx.conn, story_id)
        stories.check_version(current["version"], expected_version)
        stories.check_revisable(current["status"])
        row = await tx.conn.fetchrow(*STORIES.update_story(id=story_id, **draft.model_dump()))
    return Story.model_validate(dict(row))


async def publish_story(uow: UnitOfWork, ctx: Context, story_id: UUID, expected_version: int) -> Story:
    """Publish a draft; `reporting.story.published` announces it."""
    async with uow.change(ctx) as tx:
        current = await _locked(tx.conn, story_id)
        stories.check_version(current["version"], expected_version)
        stories.check_publishable(current["status"])
        row = await tx.conn.fetchrow(*STORIES.publish_story(id=story_id, published_at=tx.now))
        story = Story.model_validate(dict(row))
        tx.publish(stories.publication(story, published_by=tx.actor), subject=str(story.id))
    return story


async def _locked(conn: asyncpg.Connection, story_id: UUID) -> asyncpg.Record:
    row = await conn.fetchrow(*STORIES.get_story_for_update(id=story_id))
    if row is None:
        raise NotFound("path.story_id", f"no story {story_id}")
    return row
