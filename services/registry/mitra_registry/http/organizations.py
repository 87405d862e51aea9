"""HTTP API of the register's NGOs and its focus-area vocabulary. Thin: parse, call a use case, shape the answer."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel

from mitra_registry.domain.access import EVERY_ROLE, KEEPER, READS_WHOLE_REGISTER
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
from mitra_registry.http.reviews import Review
from mitra_registry.usecases import organizations
from mitra_shared.http import ExpectedVersion, RequestContext, Work, etag, problems, require_principal
from mitra_shared.policy import allow

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
    "its status history, and publishes `registry.organization.registered`. The ETag is the record version. With "
    "TPOA member ministries configured, their review of the application opens (`registry.application."
    "review_requested`; `GET /organizations/{id}/review`).",
    responses=problems(409, 422),
    dependencies=[allow(KEEPER, note="TPOA keeps the register")],
)
async def register_organization(
    command: RegisterOrganization, uow: Work, ctx: RequestContext, response: Response, review: Review
) -> Organization:
    organization = await organizations.register_organization(uow, ctx, command, review)
    response.headers["Location"] = f"/organizations/{organization.id}"
    response.headers["ETag"] = etag(organization.version)
    return organization


@router.get(
    "/organizations/{organization_id}",
    response_model=Organization,
    summary="One foreign NGO",
    description="The ETag header carries the record version to send back in `If-Match` when changing it. An NGO "
    "reads its own record only: another NGO's is answered 404.",
    responses=problems(404, 422),
    dependencies=[allow(*READS_WHOLE_REGISTER, "ngo", note="an NGO: itself only (another NGO is answered 404)")],
)
async def get_organization(organization_id: UUID, uow: Work, ctx: RequestContext, response: Response) -> Organization:
    organization = await organizations.get_organization(uow, ctx, organization_id)
    response.headers["ETag"] = etag(organization.version)
    return organization


@router.get(
    "/organizations",
    response_model=OrganizationPage,
    summary="List, filter, search and sort foreign NGOs",
    description="Every filter is optional and they combine. `q` finds a part of the legal name or acronym without "
    "regard to case or accents (`eglise` finds `Église`). `expiring_before` keeps NGOs with a valid permit whose "
    "last day is before that date. `total` counts every match, whatever the page. An unknown or invalid parameter "
    "is refused with 422 naming it. An NGO's list holds only itself.",
    responses=problems(422),
    dependencies=[allow(*READS_WHOLE_REGISTER, "ngo", note="an NGO: the list holds only itself")],
)
async def list_organizations(
    query: Annotated[OrganizationQuery, Query()], uow: Work, ctx: RequestContext
) -> OrganizationPage:
    items, total = await organizations.list_organizations(uow, ctx, query)
    return OrganizationPage(items=items, total=total, limit=query.limit, offset=query.offset)


@router.patch(
    "/organizations/{organization_id}",
    response_model=Organization,
    summary="Change some of an NGO's particulars",
    description="Only the fields in the body change; `null` clears an optional field. Requires `If-Match` with the "
    "ETag you read (428 without it, 412 if the record changed since). Publishes `registry.organization.updated` "
    "with `changed_fields`; a body that changes nothing returns the record as it is and publishes nothing. The "
    "status changes through `POST /organizations/{id}/status`. TPOA changes any NGO's particulars, an NGO its "
    "own (another NGO is answered 404).",
    responses=problems(404, 409, 412, 422, 428),
    dependencies=[allow(KEEPER, "ngo", note="an NGO: its own particulars (another NGO is answered 404)")],
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
    "since). TPOA's decision only. An applicant becomes `registered` only once the member ministries' review allows "
    "it (409 naming `review` while one objects, or while answers are awaited until `answer_by`).\n\n"
    + LIFECYCLE_DESCRIPTION,
    responses=problems(404, 409, 412, 422, 428),
    dependencies=[allow(KEEPER, note="TPOA decides an NGO's status; the NGO itself does not")],
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
    description="Oldest first; the first entry is the registration. An NGO reads its own history only.",
    responses=problems(404, 422),
    dependencies=[allow(*READS_WHOLE_REGISTER, "ngo", note="an NGO: its own only (another NGO is answered 404)")],
)
async def status_history(organization_id: UUID, uow: Work, ctx: RequestContext) -> list[StatusChange]:
    return await organizations.status_history(uow, ctx, organization_id)


@router.get(
    "/focus-areas",
    response_model=list[FocusArea],
    summary="The focus-area vocabulary",
    description="The codes organisations name in `focus_areas`, with their Indonesian and English names.",
    tags=["focus areas"],
    dependencies=[allow(*EVERY_ROLE, note="every role: the vocabulary is no one's secret")],
)
async def list_focus_areas(uow: Work) -> list[FocusArea]:
    return await organizations.list_focus_areas(uow)


@router.post(
    "/focus-areas",
    status_code=201,
    response_model=FocusArea,
    summary="Add a focus area to the vocabulary",
    description="For TPOA, who keeps the register. A code is never renamed or removed, since organisations refer "
    "to it.",
    tags=["focus areas"],
    responses=problems(409, 422),
    dependencies=[allow(KEEPER, note="TPOA keeps the vocabulary")],
)
async def add_focus_area(focus_area: FocusArea, uow: Work, ctx: RequestContext, response: Response) -> FocusArea:
    added = await organizations.add_focus_area(uow, ctx, focus_area)
    response.headers["Location"] = "/focus-areas"
    return added
