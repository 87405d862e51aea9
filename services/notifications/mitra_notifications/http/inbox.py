"""Each recipient's in-app inbox over HTTP."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel

from mitra_notifications.usecases import inbox as usecases
from mitra_shared.http import RequestContext, Work, problems
from mitra_shared.paging import MAX_OFFSET
from mitra_shared.policy import allow

OWNER_NOTE = (
    "its owner only: TPOA's recipients for tpoa, a ministry's by its code, a region's by its region code, an NGO's "
    "by its organization_id, or the one account it is linked to"
)
router = APIRouter(dependencies=[allow("tpoa", "ministry", "region", "ngo", note=OWNER_NOTE)])


class InboxItem(BaseModel):
    id: UUID
    event_id: UUID
    event_type: str
    subject: str
    body_text: str
    created_at: datetime
    read_at: datetime | None


class InboxPage(BaseModel):
    items: list[InboxItem]
    total: int
    unread: int
    limit: int
    offset: int


@router.get(
    "/recipients/{recipient_id}/inbox",
    response_model=InboxPage,
    tags=["inbox"],
    summary="A recipient's in-app inbox, newest first, with the unread count",
    responses=problems(404, 422),
)
async def inbox(
    recipient_id: UUID,
    uow: Work,
    ctx: RequestContext,
    unread: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> InboxPage:
    page = await usecases.get_inbox(uow, ctx, recipient_id, unread=unread, limit=limit, offset=offset)
    return InboxPage(
        items=[InboxItem.model_validate(item) for item in page.items],
        total=page.total,
        unread=page.unread,
        limit=limit,
        offset=offset,
    )


@router.post(
    "/recipients/{recipient_id}/inbox/{notification_id}/read",
    response_model=InboxItem,
    tags=["inbox"],
    summary="Mark an inbox notification read",
    responses=problems(404, 422),
)
async def mark_read(recipient_id: UUID, notification_id: UUID, uow: Work, ctx: RequestContext) -> InboxItem:
    return InboxItem.model_validate(await usecases.mark_read(uow, ctx, recipient_id, notification_id))
