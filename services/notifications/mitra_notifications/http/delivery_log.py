"""The delivery log over HTTP: every notification with each attempt to deliver it, and resending one."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from mitra_notifications.usecases import deliveries
from mitra_shared.http import RequestContext, Work, problems
from mitra_shared.paging import MAX_OFFSET
from mitra_shared.policy import allow

router = APIRouter()


class DeliveryAttempt(BaseModel):
    attempted_at: datetime
    succeeded: bool
    error: str | None


class Notification(BaseModel):
    id: UUID
    event_id: UUID
    event_type: str
    recipient_id: UUID
    channel: str
    address: str
    language: str
    subject: str
    status: Literal["pending", "held", "delivered", "failed", "skipped"] = Field(
        description="`held`: waits for the daily digest; `skipped`: an e-mail not sent, the mail being disabled "
        "(`MITRA_MAIL_DISABLED`)."
    )
    attempts: int
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    delivery_log: list[DeliveryAttempt]


class NotificationPage(BaseModel):
    items: list[Notification]
    total: int
    limit: int
    offset: int


@router.get(
    "/notifications",
    response_model=NotificationPage,
    tags=["delivery log"],
    summary="The delivery log: notifications with each attempt, by event, recipient or status",
    dependencies=[allow("admin", "tpoa", "auditor", note="the whole log; the owners of recipients read their inboxes")],
)
async def list_notifications(
    uow: Work,
    notification_id: UUID | None = None,
    event_id: UUID | None = None,
    recipient_id: UUID | None = None,
    status: Literal["pending", "held", "delivered", "failed", "skipped"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> NotificationPage:
    found = await deliveries.list_notifications(
        uow,
        notification_id=notification_id,
        event_id=event_id,
        recipient_id=recipient_id,
        status=status,
        limit=limit,
        offset=offset,
    )
    return NotificationPage(
        items=[Notification.model_validate(item) for item in found.items], total=found.total, limit=limit, offset=offset
    )


@router.post(
    "/notifications/{notification_id}/resend",
    response_model=Notification,
    tags=["delivery log"],
    summary="Deliver a notification again, now, with a fresh retry period",
    responses=problems(404, 422),
    dependencies=[allow("admin")],
)
async def resend(notification_id: UUID, uow: Work, ctx: RequestContext) -> Notification:
    return Notification.model_validate(await deliveries.resend(uow, ctx, notification_id))
