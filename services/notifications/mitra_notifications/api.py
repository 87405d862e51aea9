"""Notifications' HTTP API: recipients and the delivery log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from mitra_notifications.routing import QUERIES
from mitra_shared.http import DatabasePool, NotFound, Problem, require_principal

router = APIRouter(dependencies=[Depends(require_principal)])
_problems: dict[int | str, dict[str, object]] = {404: {"model": Problem}, 422: {"model": Problem}}

Role = Literal["tpoa", "ministry", "province", "regency", "ngo"]


class NewRecipient(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {"name": "Sekretariat TPOA, Kemlu", "role": "tpoa", "email": "tpoa@example.go.id", "language": "id"}
            ]
        },
    )

    name: str = Field(min_length=2, max_length=200, description="The office, as people know it.")
    role: Role = Field(description="What the office is to the cooperation; routing rules pick recipients by it.")
    email: EmailStr = Field(description="Where e-mail notifications go.")
    language: Literal["id", "en"] = Field("id", description="Language of its messages: Bahasa Indonesia or English.")


class Recipient(BaseModel):
    id: UUID
    name: str
    role: Role
    email: str | None
    language: Literal["id", "en"]
    active: bool
    created_at: datetime


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
    status: Literal["pending", "delivered", "failed"]
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


@router.post("/recipients", status_code=201, response_model=Recipient, tags=["recipients"], responses=_problems)
async def add_recipient(body: NewRecipient, pool: DatabasePool, response: Response) -> Recipient:
    row = await pool.fetchrow(QUERIES.insert_recipient, uuid.uuid4(), body.name, body.role, body.email, body.language)
    response.headers["Location"] = f"/recipients/{row['id']}"
    return Recipient.model_validate(dict(row))


@router.get("/recipients", response_model=list[Recipient], tags=["recipients"])
async def list_recipients(pool: DatabasePool, role: Role | None = None) -> list[Recipient]:
    return [Recipient.model_validate(dict(row)) for row in await pool.fetch(QUERIES.list_recipients, role)]


@router.get("/recipients/{recipient_id}", response_model=Recipient, tags=["recipients"], responses=_problems)
async def get_recipient(recipient_id: UUID, pool: DatabasePool) -> Recipient:
    row = await pool.fetchrow(QUERIES.get_recipient, recipient_id)
    if row is None:
        raise NotFound(f"no recipient {recipient_id}")
    return Recipient.model_validate(dict(row))


@router.delete(
    "/recipients/{recipient_id}",
    response_model=Recipient,
    tags=["recipients"],
    summary="Stop notifying a recipient (its delivery log is kept)",
    responses=_problems,
)
async def deactivate_recipient(recipient_id: UUID, pool: DatabasePool) -> Recipient:
    row = await pool.fetchrow(QUERIES.deactivate_recipient, recipient_id)
    if row is None:
        raise NotFound(f"no recipient {recipient_id}")
    return Recipient.model_validate(dict(row))


@router.get("/notifications", response_model=NotificationPage, tags=["delivery log"])
async def list_notifications(
    pool: DatabasePool,
    event_id: UUID | None = None,
    recipient_id: UUID | None = None,
    status: Literal["pending", "delivered", "failed"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> NotificationPage:
    async with pool.acquire() as conn:
        rows = await conn.fetch(QUERIES.list_notifications, event_id, recipient_id, status, limit, offset)
        attempts = await conn.fetch(QUERIES.list_attempts, [row["id"] for row in rows])
    log_by_notification: dict[UUID, list[DeliveryAttempt]] = {}
    for attempt in attempts:
        log_by_notification.setdefault(attempt["notification_id"], []).append(
            DeliveryAttempt(
                attempted_at=attempt["attempted_at"], succeeded=attempt["succeeded"], error=attempt["error"]
            )
        )
    items = [
        Notification(
            **{k: v for k, v in row.items() if k != "total"}, delivery_log=log_by_notification.get(row["id"], [])
        )
        for row in rows
    ]
    return NotificationPage(items=items, total=rows[0]["total"] if rows else 0, limit=limit, offset=offset)
