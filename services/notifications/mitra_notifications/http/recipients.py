"""Recipients over HTTP: the offices to notify, their digest choice and their webhook secret."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from mitra_notifications.domain.recipients import Role
from mitra_notifications.settings import NotificationsSettings
from mitra_notifications.usecases import recipients
from mitra_shared.http import RequestContext, Work, problems
from mitra_shared.policy import allow

router = APIRouter()
READ_NOTE = "admin, tpoa, auditor, integration: every recipient; ngo, ministry, region: those they own"
OWNER_NOTE = (
    "its owner (TPOA's recipients for tpoa, a ministry's by its code, a region's by its region code, an NGO's by its "
    "organization_id, or the one account it is linked to), or admin"
)


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
    ministry_code: str | None = Field(
        None,
        max_length=50,
        pattern=r"^[A-Za-z0-9.]+$",
        description="For a ministry's desk (role `ministry`): the ministry's code, as its Mitra Utama events and its "
        "accounts' `ministry_code` name it.",
    )
    account_subject: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="The one account (its token's `sub`) whose recipient this is; none: every account of its scope.",
    )
    language: Literal["id", "en"] = Field("id", description="Language of its messages: Bahasa Indonesia or English.")


class Recipient(BaseModel):
    id: UUID
    name: str
    role: Role | Literal["account"] = Field(
        description="What it is to the cooperation; `account`: a person's account (auditor, admin) that no routing "
        "audience stands for."
    )
    email: str | None
    webhook_url: str | None
    webhook_disabled_at: datetime | None = Field(description="Set when the endpoint answered 410 Gone.")
    region_code: str | None
    parent_region_code: str | None
    partner_code: str | None = Field(
        description="Registry's code of the partner the contact belongs to (a ministry desk's `ministry_code`)."
    )
    organization_id: UUID | None
    account_subject: str | None = Field(None, description="The one account it belongs to, if linked to one.")
    language: Literal["id", "en"]
    source: Literal["api", "registry", "console"] = Field(
        description="`registry`: learned from registry (a partner's contacts, or an NGO's own contact address); "
        "`console`: a person's account."
    )
    email_enabled: bool = Field(True, description="`false`: its owner switched e-mail off (the inbox stays).")
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


@router.post(
    "/recipients",
    status_code=201,
    response_model=Recipient,
    tags=["recipients"],
    summary="Add an office to notify (e-mail, webhook, or both)",
    responses=problems(404, 422),
    dependencies=[allow("admin")],
)
async def add_recipient(
    body: NewRecipient, uow: Work, ctx: RequestContext, request: Request, response: Response
) -> Recipient:
    settings: NotificationsSettings = request.app.state.resources.settings
    row = await recipients.add_recipient(
        uow,
        ctx,
        recipients.NewRecipient(**body.model_dump()),
        allow_internal_webhooks=settings.webhook_allow_internal_addresses,
    )
    response.headers["Location"] = f"/recipients/{row['id']}"
    return Recipient.model_validate(row)


@router.patch(
    "/recipients/{recipient_id}",
    response_model=Recipient,
    tags=["recipients"],
    summary="Switch a recipient to (or off) the daily digest",
    responses=problems(404, 422),
    dependencies=[allow("admin", "tpoa", "ministry", "region", "ngo", note=OWNER_NOTE)],
)
async def change_recipient(recipient_id: UUID, body: RecipientChange, uow: Work, ctx: RequestContext) -> Recipient:
    return Recipient.model_validate(await recipients.set_digest(uow, ctx, recipient_id, body.digest))


@router.get(
    "/recipients/{recipient_id}/webhook-secret",
    response_model=WebhookSecret,
    tags=["recipients"],
    summary="The secret a recipient's webhook receiver verifies signatures with",
    responses=problems(404, 422),
    dependencies=[allow("admin", note="only administrators; no other answer carries a secret")],
)
async def webhook_secret(recipient_id: UUID, uow: Work) -> WebhookSecret:
    row = await recipients.get_webhook_secret(uow, recipient_id)
    return WebhookSecret(
        webhook_url=row["webhook_url"], secret=row["webhook_secret"], disabled_at=row["webhook_disabled_at"]
    )


@router.get(
    "/recipients",
    response_model=list[Recipient],
    tags=["recipients"],
    summary="Recipients, by role (a scoped account's own)",
    dependencies=[allow("admin", "tpoa", "auditor", "integration", "ngo", "ministry", "region", note=READ_NOTE)],
)
async def list_recipients(uow: Work, ctx: RequestContext, role: Role | None = None) -> list[Recipient]:
    return [Recipient.model_validate(row) for row in await recipients.list_recipients(uow, ctx, role)]


@router.get(
    "/recipients/{recipient_id}",
    response_model=Recipient,
    tags=["recipients"],
    summary="One recipient",
    responses=problems(404, 422),
    dependencies=[allow("admin", "tpoa", "auditor", "integration", "ngo", "ministry", "region", note=READ_NOTE)],
)
async def get_recipient(recipient_id: UUID, uow: Work, ctx: RequestContext) -> Recipient:
    return Recipient.model_validate(await recipients.get_recipient(uow, ctx, recipient_id))


@router.delete(
    "/recipients/{recipient_id}",
    response_model=Recipient,
    tags=["recipients"],
    summary="Stop notifying a recipient (its delivery log is kept)",
    responses=problems(404, 422),
    dependencies=[allow("admin")],
)
async def deactivate_recipient(recipient_id: UUID, uow: Work, ctx: RequestContext) -> Recipient:
    return Recipient.model_validate(await recipients.deactivate_recipient(uow, ctx, recipient_id))
