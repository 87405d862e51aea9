"""Notifications' HTTP API: recipients and the delivery log."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from mitra_notifications import url_policy
from mitra_notifications.routing import QUERIES
from mitra_notifications.settings import NotificationsSettings
from mitra_notifications.webhooks import new_secret
from mitra_shared.http import DatabasePool, DomainError, NotFound, Problem, require_principal

router = APIRouter(dependencies=[Depends(require_principal)])
_problems: dict[int | str, dict[str, object]] = {404: {"model": Problem}, 422: {"model": Problem}}

Role = Literal["tpoa", "ministry", "province", "regency", "ngo"]
Audience = Literal[
    "tpoa", "mitra_utama", "regions_of_work", "regions_visited", "ngo", "ministries", "provinces", "regencies"
]
Channel = Literal["email", "webhook", "inbox"]
_ROUTING_KEY = re.compile(r"^[a-z_]+\.[a-z_]+\.[a-z_]+$")


class NewRecipient(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {"name": "Sekretariat TPOA, Kemlu", "role": "tpoa", "email": "tpoa@example.go.id", "language": "id"},
                {
                    "name": "Kesbangpol Kota Semarang",
                    "role": "regency",
                    "region_code": "3374",
                    "parent_region_code": "33",
                    "webhook_url": "https://singo.semarangkota.example.go.id/hooks/mitra",
                    "language": "id",
                },
            ]
        },
    )

    name: str = Field(min_length=2, max_length=200, description="The office, as people know it.")
    role: Role = Field(description="What the office is to the cooperation; routing rules pick recipients by it.")
    email: EmailStr | None = Field(None, description="Where e-mail notifications go.")
    webhook_url: str | None = Field(None, max_length=2000, description="Where signed webhooks go (http or https).")
    region_code: str | None = Field(None, pattern=r"^\d{2}(\d{2})?$", description="For a regional government.")
    parent_region_code: str | None = Field(None, pattern=r"^\d{2}$", description="For a regency: its province.")
    organization_id: UUID | None = Field(None, description="For an NGO's own contact (role `ngo`): the NGO.")
    language: Literal["id", "en"] = Field("id", description="Language of its messages: Bahasa Indonesia or English.")


class Recipient(BaseModel):
    id: UUID
    name: str
    role: Role
    email: str | None
    webhook_url: str | None
    webhook_disabled_at: datetime | None = Field(description="Set when the endpoint answered 410 Gone.")
    region_code: str | None
    parent_region_code: str | None
    partner_code: str | None = Field(description="Registry's code of the partner the contact belongs to.")
    organization_id: UUID | None
    language: Literal["id", "en"]
    source: Literal["api", "registry"] = Field(description="`registry`: learned from a partner's contacts.")
    digest: bool = Field(description="Gets a daily digest instead of one e-mail per event.")
    active: bool
    created_at: datetime


class RecipientChange(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"digest": True}]})

    digest: bool = Field(description="One e-mail a day with the day's notifications instead of one per event.")


class WebhookSecret(BaseModel):
    webhook_url: str | None
    secret: str = Field(description="The `whsec_` secret to verify `webhook-signature` with (Standard Webhooks).")
    disabled_at: datetime | None


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
    status: Literal["pending", "held", "delivered", "failed"] = Field(description="`held`: waits for the daily digest.")
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


@router.post(
    "/recipients",
    status_code=201,
    response_model=Recipient,
    tags=["recipients"],
    summary="Add an office to notify (e-mail, webhook, or both)",
    responses=_problems,
)
async def add_recipient(body: NewRecipient, pool: DatabasePool, request: Request, response: Response) -> Recipient:
    if not body.email and not body.webhook_url:
        raise DomainError("give an e-mail address, a webhook URL, or both", field="body.email")
    if body.webhook_url:
        settings: NotificationsSettings = request.app.state.resources.settings
        try:
            url_policy.check(body.webhook_url, allow_internal=settings.webhook_allow_internal_addresses)
        except url_policy.UrlRefused as error:
            raise DomainError(str(error), field="body.webhook_url") from error
    row = await pool.fetchrow(
        QUERIES.insert_recipient,
        uuid.uuid4(),
        body.name,
        body.role,
        body.email,
        body.language,
        body.webhook_url,
        new_secret(),
        body.region_code,
        body.parent_region_code,
        body.organization_id,
    )
    response.headers["Location"] = f"/recipients/{row['id']}"
    return Recipient.model_validate(dict(row))


@router.patch(
    "/recipients/{recipient_id}",
    response_model=Recipient,
    tags=["recipients"],
    summary="Switch a recipient to (or off) the daily digest",
    responses=_problems,
)
async def change_recipient(recipient_id: UUID, body: RecipientChange, pool: DatabasePool) -> Recipient:
    row = await pool.fetchrow(QUERIES.set_digest, recipient_id, body.digest)
    if row is None:
        raise NotFound(f"no recipient {recipient_id}")
    return Recipient.model_validate(dict(row))


@router.get(
    "/recipients/{recipient_id}/webhook-secret",
    response_model=WebhookSecret,
    tags=["recipients"],
    summary="The secret a recipient's webhook receiver verifies signatures with",
    responses=_problems,
)
async def webhook_secret(recipient_id: UUID, pool: DatabasePool) -> WebhookSecret:
    row = await pool.fetchrow(QUERIES.get_webhook_secret, recipient_id)
    if row is None:
        raise NotFound(f"no recipient {recipient_id}")
    return WebhookSecret(
        webhook_url=row["webhook_url"], secret=row["webhook_secret"], disabled_at=row["webhook_disabled_at"]
    )


@router.get("/recipients", response_model=list[Recipient], tags=["recipients"], summary="Recipients, by role")
async def list_recipients(pool: DatabasePool, role: Role | None = None) -> list[Recipient]:
    return [Recipient.model_validate(dict(row)) for row in await pool.fetch(QUERIES.list_recipients, role)]


@router.get(
    "/recipients/{recipient_id}",
    response_model=Recipient,
    tags=["recipients"],
    summary="One recipient",
    responses=_problems,
)
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


@router.get(
    "/notifications",
    response_model=NotificationPage,
    tags=["delivery log"],
    summary="The delivery log: notifications with each attempt, by event, recipient or status",
)
async def list_notifications(
    pool: DatabasePool,
    notification_id: UUID | None = None,
    event_id: UUID | None = None,
    recipient_id: UUID | None = None,
    status: Literal["pending", "held", "delivered", "failed"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> NotificationPage:
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            QUERIES.list_notifications, notification_id, event_id, recipient_id, status, limit, offset
        )
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


@router.post(
    "/notifications/{notification_id}/resend",
    response_model=Notification,
    tags=["delivery log"],
    summary="Deliver a notification again, now, with a fresh retry period",
    responses=_problems,
)
async def resend(notification_id: UUID, pool: DatabasePool) -> Notification:
    async with pool.acquire() as conn, conn.transaction():
        if await conn.fetchval(QUERIES.resend, notification_id) is None:
            raise NotFound(f"no e-mail or webhook notification {notification_id}")
        await conn.execute(QUERIES.wake_delivery)
    page = await list_notifications(pool, notification_id=notification_id)
    return page.items[0]


class RoutingRule(BaseModel):
    id: UUID
    routing_key: str
    audience: Audience
    channels: list[Channel]
    active: bool
    created_at: datetime
    updated_at: datetime


class RoutingRuleChange(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "routing_key": "registry.organization.registered",
                    "audience": "ministries",
                    "channels": ["inbox"],
                    "active": True,
                }
            ]
        },
    )

    routing_key: str = Field(
        pattern=r"^[a-z_]+\.[a-z_]+\.[a-z_]+$", description="`<service>.<aggregate>.<event>` of the event."
    )
    audience: Audience
    channels: list[Channel] = Field(min_length=1)
    active: bool = True


@router.get("/routing-rules", response_model=list[RoutingRule], tags=["routing rules"], summary="Every routing rule")
async def list_rules(pool: DatabasePool) -> list[RoutingRule]:
    return [RoutingRule.model_validate(dict(row)) for row in await pool.fetch(QUERIES.list_rules)]


@router.put(
    "/routing-rules",
    response_model=RoutingRule,
    tags=["routing rules"],
    summary="Add or change the rule for an event and an audience",
    responses=_problems,
)
async def put_rule(body: RoutingRuleChange, pool: DatabasePool) -> RoutingRule:
    row = await pool.fetchrow(
        QUERIES.upsert_rule, uuid.uuid4(), body.routing_key, body.audience, sorted(set(body.channels)), body.active
    )
    return RoutingRule.model_validate(dict(row))


@router.delete(
    "/routing-rules/{rule_id}",
    status_code=204,
    tags=["routing rules"],
    summary="Remove a routing rule",
    responses=_problems,
)
async def delete_rule(rule_id: UUID, pool: DatabasePool) -> Response:
    if await pool.fetchval(QUERIES.delete_rule, rule_id) is None:
        raise NotFound(f"no routing rule {rule_id}")
    return Response(status_code=204)


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
    responses=_problems,
)
async def inbox(
    recipient_id: UUID,
    pool: DatabasePool,
    unread: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> InboxPage:
    async with pool.acquire() as conn:
        if await conn.fetchrow(QUERIES.get_recipient, recipient_id) is None:
            raise NotFound(f"no recipient {recipient_id}")
        rows = await conn.fetch(QUERIES.inbox, recipient_id, unread, limit, offset)
        unread_count = await conn.fetchval(QUERIES.inbox_unread_count, recipient_id)
    return InboxPage(
        items=[InboxItem.model_validate({k: v for k, v in row.items() if k != "total"}) for row in rows],
        total=rows[0]["total"] if rows else 0,
        unread=unread_count,
        limit=limit,
        offset=offset,
    )


@router.post(
    "/recipients/{recipient_id}/inbox/{notification_id}/read",
    response_model=InboxItem,
    tags=["inbox"],
    summary="Mark an inbox notification read",
    responses=_problems,
)
async def mark_read(recipient_id: UUID, notification_id: UUID, pool: DatabasePool) -> InboxItem:
    async with pool.acquire() as conn:
        if await conn.fetchval(QUERIES.mark_read, notification_id, recipient_id) is None:
            raise NotFound(f"no inbox notification {notification_id} for recipient {recipient_id}")
        rows = await conn.fetch(QUERIES.inbox, recipient_id, None, 500, 0)
    return next(
        InboxItem.model_validate({k: v for k, v in r.items() if k != "total"})
        for r in rows
        if r["id"] == notification_id
    )


class NewSubscription(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "routing_keys": ["registry.organization.registered", "registry.permit.expiring"],
                    "organization_ids": None,
                    "region_codes": ["33", "3374"],
                    "channels": ["email", "inbox"],
                }
            ]
        },
    )

    routing_keys: list[str] = Field(min_length=1, description="Events wanted, by routing key.")
    organization_ids: list[UUID] | None = Field(None, description="Only events about these NGOs (none: all).")
    region_codes: list[str] | None = Field(None, description="Only events concerning these regions (none: all).")
    channels: list[Channel] = Field(min_length=1)


class Subscription(BaseModel):
    id: UUID
    recipient_id: UUID
    routing_keys: list[str]
    organization_ids: list[UUID] | None
    region_codes: list[str] | None
    channels: list[Channel]
    created_at: datetime


@router.post(
    "/recipients/{recipient_id}/subscriptions",
    status_code=201,
    response_model=Subscription,
    tags=["recipients"],
    summary="Subscribe a recipient to events, optionally only for some NGOs or regions",
    responses=_problems,
)
async def subscribe(recipient_id: UUID, body: NewSubscription, pool: DatabasePool) -> Subscription:
    for index, key in enumerate(body.routing_keys):
        if not _ROUTING_KEY.match(key):
            raise DomainError("a routing key is <service>.<aggregate>.<event>", field=f"body.routing_keys.{index}")
    async with pool.acquire() as conn:
        if await conn.fetchrow(QUERIES.get_recipient, recipient_id) is None:
            raise NotFound(f"no recipient {recipient_id}")
        row = await conn.fetchrow(
            QUERIES.insert_subscription,
            uuid.uuid4(),
            recipient_id,
            body.routing_keys,
            body.organization_ids,
            body.region_codes,
            sorted(set(body.channels)),
        )
    return Subscription.model_validate(dict(row))


@router.get("/recipients/{recipient_id}/subscriptions", response_model=list[Subscription], tags=["recipients"])
async def list_subscriptions(recipient_id: UUID, pool: DatabasePool) -> list[Subscription]:
    return [Subscription.model_validate(dict(r)) for r in await pool.fetch(QUERIES.list_subscriptions, recipient_id)]


@router.delete(
    "/recipients/{recipient_id}/subscriptions/{subscription_id}",
    status_code=204,
    tags=["recipients"],
    summary="End a subscription",
    responses=_problems,
)
async def unsubscribe(recipient_id: UUID, subscription_id: UUID, pool: DatabasePool) -> Response:
    if await pool.fetchval(QUERIES.delete_subscription, subscription_id, recipient_id) is None:
        raise NotFound(f"no subscription {subscription_id} of recipient {recipient_id}")
    return Response(status_code=204)
