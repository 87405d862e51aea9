"""Agreements' copy of the register, as the API shows it."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Query
from pydantic import BaseModel

from mitra_agreements.http.dependencies import READ
from mitra_agreements.http.dependencies import router as make_router
from mitra_agreements.usecases import registry_facts
from mitra_agreements.usecases.views import KnownOrganization
from mitra_shared.http import RequestContext, Work
from mitra_shared.paging import MAX_OFFSET

router = make_router("organizations")


class KnownOrganizationPage(BaseModel):
    items: list[KnownOrganization]
    total: int
    limit: int
    offset: int


@router.get(
    "/organizations",
    response_model=KnownOrganizationPage,
    summary="Foreign NGOs as agreements knows them",
    description="Agreements' own copy, learned from registry's events; it answers while registry is down. Only the "
    "NGOs the caller's scope covers: an NGO itself; for a ministry or a region, the NGOs party to its MSPs.",
    dependencies=[READ],
)
async def list_known_organizations(
    uow: Work,
    ctx: RequestContext,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> KnownOrganizationPage:
    items, total = await registry_facts.list_known_organizations(uow, ctx, limit=limit, offset=offset)
    return KnownOrganizationPage(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/organizations/{organization_id}",
    response_model=KnownOrganization,
    summary="One foreign NGO as agreements knows it",
    dependencies=[READ],
)
async def get_known_organization(organization_id: UUID, uow: Work, ctx: RequestContext) -> KnownOrganization:
    return await registry_facts.get_known_organization(uow, ctx, organization_id)
