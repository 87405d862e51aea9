"""Stories from draft to published: each change names the version it was based on; publishing announces the story.

Each change records its audit entry (`story.drafted`, `story.revised`, `story.published`) with the story's values
before and after. Who may read, write and publish which story is `domain/access.py`'s: a draft outside the caller's
reach is answered as not found; a story the caller may read but not change is refused (403).

A story as the API shows it (`StoryView`) lists its photos (`story_photos`), oldest first.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any
from uuid import UUID

import asyncpg
from pydantic import Field

from mitra_reporting.domain import access, stories
from mitra_reporting.domain.stories import Story, StoryDraft
from mitra_reporting.sql import STORIES
from mitra_shared.context import Context
from mitra_shared.contracts.documents import document_ref
from mitra_shared.documents import DocumentView, documents_of, documents_of_many
from mitra_shared.errors import NotFound
from mitra_shared.uow import UnitOfWork

STORY_PHOTOS = "story"
"""The `owner_type` of a story's photos in the documents table."""


class StoryView(Story):
    """A story as the API shows it: its content, where it stands, and its photos."""

    photos: list[DocumentView] = Field(
        default_factory=list,
        description="The story's photos (JPEG or PNG), oldest first: each downloaded from `GET /documents/{id}`, "
        "its thumbnail (at most 320 px) from `GET /documents/{id}/thumbnail`.",
    )


def _view(row: asyncpg.Record, photos: list[DocumentView]) -> StoryView:
    return StoryView.model_validate({**dict(row), "photos": photos})


async def draft_story(uow: UnitOfWork, ctx: Context, draft: StoryDraft) -> StoryView:
    async with uow.change(ctx) as tx:
        access.check_may_write_story(ctx.principal, await story_facts(tx.conn, draft.model_dump()))
        row = await tx.conn.fetchrow(*STORIES.insert_story(id=uuid.uuid4(), **draft.model_dump(), created_by=tx.actor))
        story = Story.model_validate(dict(row))
        tx.audit("story.drafted", "story", story.id, before=None, after=_values(story))
    return _view(row, [])


async def get_story(uow: UnitOfWork, ctx: Context, story_id: UUID) -> StoryView:
    async with uow.read() as conn:
        row = await conn.fetchrow(*STORIES.get_story(id=story_id))
        if row is None or not access.may_read_story(ctx.principal, row["status"], await story_facts(conn, row)):
            raise NotFound("path.story_id", f"no story {story_id}")
        photos = await documents_of(conn, STORY_PHOTOS, story_id)
    return _view(row, photos)


async def list_stories(
    uow: UnitOfWork,
    ctx: Context,
    *,
    status: str | None,
    organization_id: UUID | None,
    region_code: str | None,
    limit: int,
    offset: int,
) -> tuple[list[StoryView], int]:
    """A page of stories (the newest first), each with its photos: the published ones, and the drafts within the
    caller's reach; and how many there are in all."""
    reach = access.reach_of(ctx.principal)
    async with uow.read() as conn:
        rows = await conn.fetch(
            *STORIES.list_stories(
                status=status,
                organization_id=organization_id,
                region_code=region_code,
                everything=reach.everything,
                **reach.named(),
                limit=limit,
                offset=offset,
            )
        )
        photos = await documents_of_many(conn, STORY_PHOTOS, [row["id"] for row in rows])
    items = [
        StoryView.model_validate({**{k: v for k, v in row.items() if k != "total"}, "photos": photos[row["id"]]})
        for row in rows
    ]
    return items, rows[0]["total"] if rows else 0


async def revise_story(
    uow: UnitOfWork, ctx: Context, story_id: UUID, draft: StoryDraft, expected_version: int
) -> StoryView:
    """A draft's new content: the story as it is and as it will be must both be within the writer's reach."""
    async with uow.change(ctx) as tx:
        current, facts = await _locked(tx.conn, ctx, story_id)
        access.check_may_write_story(ctx.principal, facts)
        access.check_may_write_story(ctx.principal, await story_facts(tx.conn, draft.model_dump()))
        stories.check_version(current["version"], expected_version)
        stories.check_revisable(current["status"])
        row = await tx.conn.fetchrow(*STORIES.update_story(id=story_id, **draft.model_dump()))
        story = Story.model_validate(dict(row))
        tx.audit(
            "story.revised",
            "story",
            story_id,
            before=_values(Story.model_validate(dict(current))),
            after=_values(story),
        )
        photos = await documents_of(tx.conn, STORY_PHOTOS, story_id)
    return _view(row, photos)


async def publish_story(uow: UnitOfWork, ctx: Context, story_id: UUID, expected_version: int) -> StoryView:
    """Publish a draft (not by the one who drafted it); `reporting.story.published` announces it."""
    async with uow.change(ctx) as tx:
        current, facts = await _locked(tx.conn, ctx, story_id)
        access.check_may_publish_story(ctx.principal, facts, current["created_by"])
        stories.check_version(current["version"], expected_version)
        stories.check_publishable(current["status"])
        row = await tx.conn.fetchrow(*STORIES.publish_story(id=story_id, published_at=tx.now))
        story = Story.model_validate(dict(row))
        photos = await documents_of(tx.conn, STORY_PHOTOS, story_id)
        tx.publish(
            stories.publication(story, published_by=tx.actor, photos=[document_ref(photo) for photo in photos]),
            subject=str(story.id),
        )
        tx.audit(
            "story.published",
            "story",
            story_id,
            before=_values(Story.model_validate(dict(current))),
            after=_values(story),
        )
    return _view(row, photos)


def _values(story: Story) -> dict[str, Any]:
    """A story's values as the audit trail keeps them (a story holds no secret)."""
    return story.model_dump(mode="json")


async def story_facts(conn: asyncpg.Connection, story: Mapping[str, Any]) -> access.StoryFacts:
    """What a story's reach depends on: the NGO and region it names and the parties of the MSP it names."""
    parties = None
    if story["msp_id"] is not None:
        parties = await conn.fetchrow(*STORIES.msp_parties(msp_id=story["msp_id"]))
    return access.StoryFacts(
        organization_id=story["organization_id"],
        region_code=story["region_code"],
        msp_ministry=parties["ministry_code"] if parties else None,
        msp_organization=parties["organization_id"] if parties else None,
    )


async def _locked(conn: asyncpg.Connection, ctx: Context, story_id: UUID) -> tuple[asyncpg.Record, access.StoryFacts]:
    """The story, locked until the change commits, and its facts; not found if the caller may not read it."""
    row = await conn.fetchrow(*STORIES.get_story_for_update(id=story_id))
    if row is None:
        raise NotFound("path.story_id", f"no story {story_id}")
    facts = await story_facts(conn, row)
    if not access.may_read_story(ctx.principal, row["status"], facts):
        raise NotFound("path.story_id", f"no story {story_id}")
    return row, facts
