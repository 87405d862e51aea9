"""Which of reporting's documents a caller may download: a story's photo (and its thumbnail) whoever reads the
story; a kept annual summary whoever would count the same figures (`domain.access`). Anything else, or a document
outside the caller's reach, is answered as not found."""

from __future__ import annotations

import uuid

import asyncpg

from mitra_reporting.domain import access
from mitra_reporting.domain.access import Reach
from mitra_reporting.sql import DOCUMENTS, STORIES
from mitra_reporting.usecases.annual_summary import ANNUAL_SUMMARY_DOCUMENTS
from mitra_reporting.usecases.stories import STORY_PHOTOS, story_facts
from mitra_shared.context import Context
from mitra_shared.documents import document_row
from mitra_shared.errors import NotFound
from mitra_shared.uow import UnitOfWork


async def readable_document(
    uow: UnitOfWork, ctx: Context, document_id: uuid.UUID, *, thumbnail: bool = False
) -> asyncpg.Record:
    """The documents row, if the caller may read what it belongs to (and, asked for its thumbnail, it has one)."""
    async with uow.read() as conn:
        row = await document_row(conn, document_id)
        if row is None or not await _may_read_owner(conn, ctx, row):
            raise NotFound("path.document_id", f"no document {document_id}")
    if thumbnail and row["thumbnail_key"] is None:
        raise NotFound("path.document_id", f"document {document_id} has no thumbnail (only photos have one)")
    return row


async def _may_read_owner(conn: asyncpg.Connection, ctx: Context, row: asyncpg.Record) -> bool:
    if row["owner_type"] == STORY_PHOTOS:
        story = await conn.fetchrow(*STORIES.get_story(id=row["owner_id"]))
        return story is not None and access.may_read_story(
            ctx.principal, story["status"], await story_facts(conn, story)
        )
    if row["owner_type"] == ANNUAL_SUMMARY_DOCUMENTS:
        summary = await conn.fetchrow(*DOCUMENTS.get_annual_summary(id=row["owner_id"]))
        return summary is not None and access.may_read_annual_summary(
            ctx.principal,
            summary["ministry_code"],
            Reach(
                ministry=summary["scope_ministry"],
                region=summary["scope_region"],
                organization=summary["scope_organization"],
            ),
        )
    return False
