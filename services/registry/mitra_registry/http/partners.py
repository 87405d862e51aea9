"""HTTP API of government partners. Thin: parse, call a use case, shape the answer."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query, Response
from pydantic import BaseModel

from mitra_registry.domain.access import EVERY_ROLE, KEEPER
from mitra_registry.domain.partners import Partner, PartnerKind, PartnerPatch, PartnerSort, RegisterPartner
from mitra_registry.usecases import partners
from mitra_shared.http import Problem, RequestContext, Work, etag, if_match_version, require_principal
from mitra_shared.paging import MAX_OFFSET
from mitra_shared.policy import allow

router = APIRouter(dependencies=[Depends(require_principal)], tags=["partners"])
_problems: dict[int | str, dict[str, object]] = {
    404: {"model": Problem, "description": "No such partner"},
    409: {"model": Problem, "description": "A partner of that kind with that code exists"},
    422: {"model": Problem, "description": "Invalid request; `errors` names each field"},
}

_READ_NOTE = "every role: the government's directory of offices (an NGO names its Mitra Utama and regions by code)"


class PartnerPage(BaseModel):
    items: list[Partner]
    total: int
    limit: int
    offset: int


@router.post(
    "/partners",
    status_code=201,
    response_model=Partner,
    summary="Add a government partner",
    description="Adds a ministry or agency (K/L), TPOA, a province or a regency/city with its contacts, and "
    "publishes `registry.partner.registered`. A regency's `parent_code` must be a registered province and its code "
    "must start with it. Codes are unique per kind.",
    responses={409: _problems[409], 422: _problems[422]},
    dependencies=[allow(KEEPER, note="TPOA keeps the partners")],
)
async def register_partner(command: RegisterPartner, uow: Work, ctx: RequestContext, response: Response) -> Partner:
    partner = await partners.register_partner(uow, ctx, command)
    response.headers["Location"] = f"/partners/{partner.id}"
    response.headers["ETag"] = etag(partner.version)
    return partner


@router.get(
    "/partners",
    response_model=PartnerPage,
    summary="List and search government partners",
    description="Filters combine; `q` finds names containing it, ignoring case and accents. `total` counts every "
    "match, `limit`/`offset` page through them.",
    responses={422: _problems[422]},
    dependencies=[allow(*EVERY_ROLE, note=_READ_NOTE)],
)
async def list_partners(
    uow: Work,
    kind: PartnerKind | None = None,
    parent_code: Annotated[
        str | None, Query(pattern=r"^\d{2}$", description="The regencies and cities of this province.")
    ] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=100, description="Part of the name.")] = None,
    active: Annotated[bool | None, Query(description="Only active (or only deactivated) partners.")] = None,
    sort: Annotated[PartnerSort, Query(description="Field to sort by; a leading `-` sorts descending.")] = "name",
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> PartnerPage:
    items, total = await partners.list_partners(
        uow, kind=kind, parent_code=parent_code, q=q, active=active, sort=sort, limit=limit, offset=offset
    )
    return PartnerPage(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/partners/{partner_id}",
    response_model=Partner,
    summary="Read a government partner",
    description="The `ETag` header carries the version to send back in `If-Match` when changing it.",
    responses={404: _problems[404], 422: _problems[422]},
    dependencies=[allow(*EVERY_ROLE, note=_READ_NOTE)],
)
async def get_partner(partner_id: UUID, uow: Work, response: Response) -> Partner:
    partner = await partners.get_partner(uow, partner_id)
    response.headers["ETag"] = etag(partner.version)
    return partner


@router.patch(
    "/partners/{partner_id}",
    response_model=Partner,
    summary="Change a partner's name or contacts, or deactivate it",
    description="Send `If-Match` with the ETag last read: without it the answer is 428, and if the partner changed "
    "since, 412 (read it again). Fields left out keep their value; `contacts` replaces the whole list; "
    "`active: false` deactivates. A change publishes `registry.partner.updated` with the whole new state; a "
    "request that changes nothing publishes nothing. Kind, code and parent cannot change.",
    responses={
        **_problems,
        412: {"model": Problem, "description": "The partner changed since the ETag in If-Match"},
        428: {"model": Problem, "description": "If-Match is missing"},
    },
    dependencies=[allow(KEEPER, note="TPOA keeps the partners and their contacts")],
)
async def update_partner(
    partner_id: UUID,
    patch: PartnerPatch,
    uow: Work,
    ctx: RequestContext,
    response: Response,
    if_match: Annotated[str | None, Header(description='The ETag last read, e.g. `"3"`.')] = None,
) -> Partner:
    version = if_match_version(if_match, what="this partner")
    partner = await partners.update_partner(uow, ctx, partner_id, patch, expected_version=version)
    response.headers["ETag"] = etag(partner.version)
    return partner
