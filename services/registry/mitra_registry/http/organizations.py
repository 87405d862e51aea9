"""HTTP API of the register's NGOs and its focus-area vocabulary. Thin: parse, call a use case, shape the answer."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel

from mitra_registry.domain.organizations import (
    LIFECYCLE_DESCRIPTION,
    ChangeStatus,
    FocusArea,
    Organization,
    OrganizationQuery,
    RegisterOrganization,
    StatusChange,
    UpdateOrganization,
)
from mitra_registry.usecases import organizations
from mitra_shared.http import ExpectedVersion, RequestContext, Work, etag, problems, require_principal

router = APIRouter(dependencies=[Depends(require_principal)], tags=["organizations"])


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
    description="Enters the NGO in the register with status `applicant`, records who did so as the first entry of "
    "its status history, and publishes `registry.organization.registered`. The ETag is the record version.",
    responses=problems(409, 422),
)
async def register_organization(
    command: RegisterOrganization, uow: Work, ctx: RequestContext, response: Response
) -> Organization:
    organization = await organizations.register_organization(uow, ctx, command)
    response.headers["Location"] = f"/organizations/{organization.id}"
    response.headers["ETag"] = etag(organization.version)
    return organization


@router.get(
    "/organizations/{organization_id}",
    response_model=Organization,
    summary="One foreign NGO",
    description="The ETag header carries the record version to send back in `If-Match` when changing it.",
    responses=problems(404, 422),
)
async def get_organization(organization_id: UUID, uow: Work, response: Response) -> Organization:
    organization = await organizations.get_organization(uow, organization_id)
    response.headers["ETag"] = etag(organization.version)
    return organization


@router.get(
    "/organizations",
    response_model=OrganizationPage,
    summary="List, filter, search and sort foreign NGOs",
    description="Every filter is optional and they combine. `q` finds a part of the legal name or acronym without "
    "regard to case or accents (`eglise` finds `Église`). `expiring_before` keeps NGOs with a valid permit whose "
    "last day is before that date. `total` counts every match, whatever the page. An unknown or invalid parameter "
    "is refused with 422 naming it.",
    responses=problems(422),
)
async def list_organizations(query: Annotated[OrganizationQuery, Query()], uow: Work) -> OrganizationPage:
    items, total = await organizations.list_organizations(uow, query)
    return OrganizationPage(items=items, total=total, limit=query.limit, offset=query.offset)


@router.patch(
    "/organizations/{organization_id}",
    response_model=Organization,
    summary="Change some of an NGO's particulars",
    description="Only the fields in the body change; `null` clears an optional field. Requires `If-Match` with the "
    "ETag you read (428 without it, 412 if the record changed since). Publishes `registry.organization.updated` "
    "with `changed_fields`; a body that changes nothing returns the record as it is and publishes nothing. The "
    "status changes through `POST /organizations/{id}/status`.",
    responses=problems(404, 409, 412, 422, 428),
)
async def update_organization(
    organization_id: UUID,
    command: UpdateOrganization,
    version: ExpectedVersion,
    uow: Work,
    ctx: RequestContext,
    response: Response,
) -> Organization:
    organization = await organizations.update_organization(uow, ctx, organization_id, command, expected_version=version)
    response.headers["ETag"] = etag(organization.version)
    return organization


@router.post(
    "/organizations/{organization_id}/status",
    response_model=Organization,
    summary="Move an NGO in its lifecycle",
    description="Records who (the token's subject), when and why in the status history and publishes "
    "`registry.organization.status_changed`. Requires `If-Match` (428 without it, 412 if the record changed "
    "since).\n\n" + LIFECYCLE_DESCRIPTION,
    responses=problems(404, 409, 412, 422, 428),
)
async def change_status(
    organization_id: UUID,
    command: ChangeStatus,
    version: ExpectedVersion,
    uow: Work,
    ctx: RequestContext,
    response: Response,
) -> Organization:
    organization = await organizations.change_status(uow, ctx, organization_id, command, expected_version=version)
    response.headers["ETag"] = etag(organization.version)
    return organization


@router.get(
    "/organizations/{organization_id}/status-history",
    response_model=list[StatusChange],
    summary="Who moved an NGO in its lifecycle, when and why",
    description="Oldest first; the first entry is the registration.",
    responses=problems(404, 422),
)
async def status_history(organization_id: UUID, uow: Work) -> list[StatusChange]:
    return await organizations.status_history(uow, organization_id)


@router.get(
    "/focus-areas",
    response_model=list[FocusArea],
    summary="The focus-area vocabulary",
    description="The codes organisations name in `focus_areas`, with their Indonesian and English names.",
    tags=["focus areas"],
)
async def list_focus_areas(uow: Work) -> list[FocusArea]:
    return await organizations.list_focus_areas(uow)


@router.post(
    "/focus-areas",
    status_code=201,
    response_model=FocusArea,
    summary="Add a focus area to the vocabulary",
    description="For administrators. A code is never renamed or removed, since organisations refer to it.",
    tags=["focus areas"],
    responses=problems(409, 422),
)
async def add_focus_area(focus_area: FocusArea, uow: Work, ctx: RequestContext, response: Response) -> FocusArea:
    added = await organizations.add_focus_area(uow, ctx, focus_area)
    response.headers["Location"] = "/focus-areas"
    return added
