"""Agreements' HTTP API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from mitra_agreements.registry_facts import QUERIES
from mitra_shared.http import DatabasePool, NotFound, Problem, require_principal

router = APIRouter(dependencies=[Depends(require_principal)], tags=["organizations"])


class KnownOrganization(BaseModel):
    organization_id: UUID
    legal_name: str
    acronym: str | None
    country_of_origin: str
    status: str
    as_of: datetime


class KnownOrganizationPage(BaseModel):
    items: list[KnownOrganization]
    total: int
    limit: int
    offset: int


@router.get(
    "/organizations",
    response_model=KnownOrganizationPage,
    summary="Foreign NGOs as agreements knows them",
    description="Agreements' own copy, learned from registry's events; it answers while registry is down.",
)
async def list_known_organizations(
    pool: DatabasePool,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> KnownOrganizationPage:
    rows = await pool.fetch(QUERIES.list_known_organizations, limit, offset)
    total = rows[0]["total"] if rows else 0
    items = [KnownOrganization.model_validate({k: v for k, v in r.items() if k != "total"}) for r in rows]
    return KnownOrganizationPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/organizations/{organization_id}", response_model=KnownOrganization, responses={404: {"model": Problem}})
async def get_known_organization(organization_id: UUID, pool: DatabasePool) -> KnownOrganization:
    row = await pool.fetchrow(QUERIES.get_known_organization, organization_id)
    if row is None:
        raise NotFound(f"agreements has not learned of organization {organization_id}")
    return KnownOrganization.model_validate(dict(row))
