"""A recipient's subscriptions over HTTP: events it wants beside the routing rules, for some NGOs or regions."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from mitra_notifications.domain.routing import Channel
from mitra_notifications.usecases import subscriptions
from mitra_shared.http import RequestContext, Work, problems
from mitra_shared.policy import allow

router = APIRouter(
    dependencies=[
        allow(
            "admin",
            "tpoa",
            "ministry",
            "region",
            "ngo",
            note="its owner (see the inbox), or admin; an owner subscribes only to its own scope",
        )
    ]
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
    responses=problems(404, 422),
)
async def subscribe(recipient_id: UUID, body: NewSubscription, uow: Work, ctx: RequestContext) -> Subscription:
    command = subscriptions.NewSubscription(**body.model_dump())
    return Subscription.model_validate(await subscriptions.subscribe(uow, ctx, recipient_id, command))


@router.get(
    "/recipients/{recipient_id}/subscriptions",
    response_model=list[Subscription],
    tags=["recipients"],
    responses=problems(404, 422),
)
async def list_subscriptions(recipient_id: UUID, uow: Work, ctx: RequestContext) -> list[Subscription]:
    found = await subscriptions.list_subscriptions(uow, ctx, recipient_id)
    return [Subscription.model_validate(row) for row in found]


@router.delete(
    "/recipients/{recipient_id}/subscriptions/{subscription_id}",
    status_code=204,
    tags=["recipients"],
    summary="End a subscription",
    responses=problems(404, 422),
)
async def unsubscribe(recipient_id: UUID, subscription_id: UUID, uow: Work, ctx: RequestContext) -> Response:
    await subscriptions.unsubscribe(uow, ctx, recipient_id, subscription_id)
    return Response(status_code=204)
