"""A story's photos: attached by whoever may revise the story (a draft within the writer's reach), stored with a
thumbnail, listed in the story's view, and downloaded (with the thumbnail) by whoever reads the story.

Attaching runs in two steps around the upload: `check_may_attach` before the request's body is read (a caller who
may not attach is refused without the server reading the file), then `attach_photo` with the file received: a file
that is not a JPEG or PNG picture is refused (415); the photo and its thumbnail are stored first (under
`reporting/documents/{id}` and `reporting/thumbnails/{id}`), then its row, `reporting.story_photo.attached` and
the audit entry commit in one unit of work. Attaching puts the story one version up (the new ETag is answered):
the photos are part of what is published, so publishing or revising with the version read before the photo was
attached is refused (412), and a publisher never announces a photo it has not seen.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg

from mitra_reporting.domain import access, stories
from mitra_reporting.sql import STORIES
from mitra_reporting.usecases import SERVICE
from mitra_reporting.usecases.stories import STORY_PHOTOS, story_facts
from mitra_shared.context import Context
from mitra_shared.contracts.documents import document_ref
from mitra_shared.contracts.reporting import StoryPhotoAttached
from mitra_shared.documents import (
    DocumentStore,
    DocumentView,
    ReceivedFile,
    document_view,
    insert_document,
    store_received,
)
from mitra_shared.errors import NotFound
from mitra_shared.uow import UnitOfWork


@dataclass(frozen=True)
class AttachedPhoto:
    """A photo recorded as a story's, and the story's version it made."""

    photo: DocumentView
    story_version: int


async def check_may_attach(uow: UnitOfWork, ctx: Context, story_id: uuid.UUID) -> None:
    """Refuse, before the body is read, a caller who may not attach a photo to this story: not found if the caller
    may not read it, 403 if it may read but not revise it, 409 once it is published."""
    async with uow.read() as conn:
        row = await conn.fetchrow(*STORIES.get_story(id=story_id))
        await _check_may_attach(conn, ctx, story_id, row)


async def attach_photo(
    uow: UnitOfWork, ctx: Context, store: DocumentStore, story_id: uuid.UUID, received: ReceivedFile
) -> AttachedPhoto:
    """Store the photo and its thumbnail, then record it as the story's, put the story one version up, publish
    `reporting.story_photo.attached` and audit it, in one unit of work."""
    stories.check_photo(received.content_type, received.fields.get("purpose"))
    stored = await store_received(store, SERVICE, received, thumbnail=True)
    async with uow.change(ctx) as tx:
        row = await tx.conn.fetchrow(*STORIES.get_story_for_update(id=story_id))
        await _check_may_attach(tx.conn, ctx, story_id, row)
        document_row = await insert_document(
            tx.conn,
            stored,
            owner_type=STORY_PHOTOS,
            owner_id=story_id,
            purpose=stories.PHOTO_PURPOSE,
            uploaded_by=tx.actor,
            uploaded_at=tx.now,
        )
        photo = document_view(document_row)
        version = await tx.conn.fetchval(*STORIES.bump_story_version(id=story_id))
        tx.publish(
            StoryPhotoAttached(
                document=document_ref(stored),
                story_id=story_id,
                organization_id=row["organization_id"],
                msp_id=row["msp_id"],
                region_code=row["region_code"],
                attached_by=tx.actor,
                attached_at=tx.now,
            ),
            subject=str(story_id),
        )
        tx.audit(
            "story.photo_attached",
            "story",
            story_id,
            before={"version": row["version"]},
            after={"photo": photo.model_dump(mode="json"), "version": version},
        )
    return AttachedPhoto(photo, version)


async def _check_may_attach(
    conn: asyncpg.Connection, ctx: Context, story_id: uuid.UUID, row: asyncpg.Record | None
) -> None:
    if row is None:
        raise NotFound("path.story_id", f"no story {story_id}")
    facts = await story_facts(conn, row)
    if not access.may_read_story(ctx.principal, row["status"], facts):
        raise NotFound("path.story_id", f"no story {story_id}")
    access.check_may_write_story(ctx.principal, facts)
    stories.check_revisable(row["status"])
