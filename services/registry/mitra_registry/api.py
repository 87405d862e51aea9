"""HTTP API of the register. Thin: parse, call a use case, shape the answer."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel

from mitra_registry import services
from mitra_registry.domain import Organization, OrganizationStatus, RegisterOrganization
from mitra_shared.http import DatabasePool as Pool
from mitra_shared.http import Problem, correlation_id, require_principal

router = APIRouter(dependencies=[Depends(require_principal)], tags=["organizations"])
_problems: dict[int | str, dict[str, object]] = {
    404: {"model": Problem},
    409: {"model": Problem},
    422: {"model": Problem},
}


class OrganizationPage(BaseModel):
    items: list[Organization]
    total: int
    limit: int
    offset: int


@router.post(
    "/organizations",
    status_code=201,
    response_model=Organization,
    summary="Register a foreign NGO",
    description="Enters the NGO in the register with status `applicant` and publishes "
    "`registry.organization.registered`.",
    responses=_problems,
)
async def register_organization(
    command: RegisterOrganization, pool: Pool, request: Request, response: Response
) -> Organization:
    organization = await services.register_organization(pool, command, correlation_id=correlation_id(request))
    response.headers["Location"] = f"/organizations/{organization.id}"
    response.headers["ETag"] = f'"{organization.version}"'
    return organization


@router.get("/organizations/{organization_id}", response_model=Organization, responses=_problems)
async def get_organization(organization_id: UUID, pool: Pool, response: Response) -> Organization:
    organization = await services.get_organization(pool, organization_id)
    response.headers["ETag"] = f'"{organization.version}"'
    return organization


@router.get("/organizations", response_model=OrganizationPage, responses=_problems)
async def list_organizations(
    pool: Pool,
    status: OrganizationStatus | None = None,
    country: Annotated[str | None, Query(pattern="^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2")] = None,
    focus_area: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> OrganizationPage:
    items, total = await services.list_organizations(
        pool,
        status=status,
        country=country.upper() if country else None,
        focus_area=focus_area,
        limit=limit,
        offset=offset,
    )
    return OrganizationPage(items=items, total=total, limit=limit, offset=offset)
