"""Routing rules over HTTP: which audiences hear of which events, on which channels."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from mitra_notifications.domain.routing import Audience, Channel
from mitra_notifications.usecases import routing_rules
from mitra_shared.http import RequestContext, Work, problems
from mitra_shared.policy import allow

router = APIRouter()


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


@router.get(
    "/routing-rules",
    response_model=list[RoutingRule],
    tags=["routing rules"],
    summary="Every routing rule",
    dependencies=[allow("admin", "tpoa", "auditor", "integration")],
)
async def list_rules(uow: Work) -> list[RoutingRule]:
    return [RoutingRule.model_validate(row) for row in await routing_rules.list_rules(uow)]


@router.put(
    "/routing-rules",
    response_model=RoutingRule,
    tags=["routing rules"],
    summary="Add or change the rule for an event and an audience",
    responses=problems(404, 422),
    dependencies=[allow("admin")],
)
async def put_rule(body: RoutingRuleChange, uow: Work, ctx: RequestContext) -> RoutingRule:
    row = await routing_rules.put_rule(
        uow, ctx, routing_key=body.routing_key, audience=body.audience, channels=body.channels, active=body.active
    )
    return RoutingRule.model_validate(row)


@router.delete(
    "/routing-rules/{rule_id}",
    status_code=204,
    tags=["routing rules"],
    summary="Remove a routing rule",
    responses=problems(404, 422),
    dependencies=[allow("admin")],
)
async def delete_rule(rule_id: UUID, uow: Work, ctx: RequestContext) -> Response:
    await routing_rules.delete_rule(uow, ctx, rule_id)
    return Response(status_code=204)
