"""A person's own notifications over HTTP (`/me`): the inbox of the recipient linked to their account, its unread
count, marking read, and their preferences. The console calls these with the person's token."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from mitra_notifications.usecases import me
from mitra_shared.http import RequestContext, Work, problems
from mitra_shared.paging import MAX_OFFSET
from mitra_shared.policy import allow

ME_NOTE = (
    "any person's account: the recipient linked to the token's `sub` (made from the console's account events); "
    "404 while there is none"
)
router = APIRouter(
    prefix="/me",
    tags=["me"],
    dependencies=[allow("tpoa", "ministry", "region", "ngo", "auditor", "admin", note=ME_NOTE)],
)


class InboxLink(BaseModel):
    """What the entry is about, for the console to link to."""

    routing_key: str = Field(description="The event's routing key.", examples=["agreements.report.returned"])
    object_type: str = Field(
        description="`msp`, `obligation`, `visit`, `recommendation`, `organization`, `permit`, `partner`, or the "
        "event's aggregate.",
        examples=["obligation"],
    )
    object_id: str | None = Field(description="Its id (the event's subject when the data names none).")
    msp_id: UUID | None = Field(None, description="The MSP the event concerns, if any.")
    organization_id: UUID | None = Field(None, description="The NGO the event concerns, if any.")


class MyInboxItem(BaseModel):
    id: UUID
    created_at: datetime
    read_at: datetime | None
    subject: str = Field(description="The title, in the recipient's language.")
    body_text: str = Field(description="The message as plain text, in the recipient's language.")
    event_id: UUID
    event_type: str
    link: InboxLink


class MyInboxPage(BaseModel):
    items: list[MyInboxItem]
    total: int = Field(description="Entries matching the filter.")
    unread: int = Field(description="Unread entries in all.")
    limit: int
    offset: int


class UnreadCount(BaseModel):
    unread: int


class AllRead(BaseModel):
    marked: int = Field(description="How many entries this marked read.")
    unread: int = Field(0, description="Unread entries left (none).")


class MyPreferences(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"language": "en", "email_enabled": True, "digest": False}]}
    )

    language: Literal["id", "en"] = Field(description="Language of the messages: Bahasa Indonesia or English.")
    email_enabled: bool = Field(description="`false`: no e-mail at all; the inbox keeps everything.")
    digest: bool = Field(description="One e-mail a day with the day's notifications instead of one per event.")


class MyPreferencesOut(MyPreferences):
    model_config = ConfigDict(extra="ignore")

    email: str | None = Field(description="Where e-mail goes: the account's address (changed in the console).")


@router.get(
    "/inbox",
    response_model=MyInboxPage,
    summary="My inbox, newest first, with the unread count",
    responses=problems(404, 422),
)
async def my_inbox(
    uow: Work,
    ctx: RequestContext,
    unread: Annotated[bool | None, Query(description="`true`: only unread entries; `false`: only read ones.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> MyInboxPage:
    page = await me.my_inbox(uow, ctx, unread=unread, limit=limit, offset=offset)
    return MyInboxPage(
        items=[MyInboxItem.model_validate(item, from_attributes=True) for item in page.items],
        total=page.total,
        unread=page.unread,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/inbox/unread-count",
    response_model=UnreadCount,
    summary="How many entries of my inbox are unread",
    responses=problems(404),
)
async def unread_count(uow: Work, ctx: RequestContext) -> UnreadCount:
    return UnreadCount(unread=await me.unread_count(uow, ctx))


@router.post(
    "/inbox/read-all", response_model=AllRead, summary="Mark every entry of my inbox read", responses=problems(404)
)
async def read_all(uow: Work, ctx: RequestContext) -> AllRead:
    return AllRead(marked=await me.mark_all_read(uow, ctx))


@router.post(
    "/inbox/{notification_id}/read",
    response_model=MyInboxItem,
    summary="Mark an entry of my inbox read",
    responses=problems(404, 422),
)
async def mark_read(notification_id: UUID, uow: Work, ctx: RequestContext) -> MyInboxItem:
    return MyInboxItem.model_validate(await me.mark_read(uow, ctx, notification_id), from_attributes=True)


@router.get(
    "/preferences", response_model=MyPreferencesOut, summary="My notification preferences", responses=problems(404)
)
async def my_preferences(uow: Work, ctx: RequestContext) -> MyPreferencesOut:
    recipient, preferences = await me.my_preferences(uow, ctx)
    return _out(recipient, preferences)


@router.put(
    "/preferences",
    response_model=MyPreferencesOut,
    summary="Change my notification preferences",
    responses=problems(404, 422),
)
async def set_preferences(body: MyPreferences, uow: Work, ctx: RequestContext) -> MyPreferencesOut:
    recipient, preferences = await me.set_preferences(uow, ctx, me.Preferences(**body.model_dump()))
    return _out(recipient, preferences)


def _out(recipient: dict[str, object], preferences: me.Preferences) -> MyPreferencesOut:
    return MyPreferencesOut(
        email=str(recipient["email"]) if recipient.get("email") else None,
        language=preferences.language,
        email_enabled=preferences.email_enabled,
        digest=preferences.digest,
    )
