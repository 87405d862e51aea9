"""HTTP API of permits. Thin: parse, call a use case, shape the answer."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel

from mitra_registry.domain.access import KEEPER, READS_WHOLE_REGISTER
from mitra_registry.domain.permits import ExtendPermit, GrantPermit, Permit, PermitExtension, PermitStatus, PermitType
from mitra_registry.usecases import permits
from mitra_registry.usecases.permits import PermitView
from mitra_shared.http import Problem, RequestContext, Work, etag, require_principal
from mitra_shared.paging import MAX_OFFSET
from mitra_shared.policy import allow

router = APIRouter(dependencies=[Depends(require_principal)], tags=["permits"])
_problems: dict[int | str, dict[str, object]] = {
    404: {"model": Problem, "description": "No such NGO or permit"},
    409: {
        "model": Problem,
        "description": "The current state forbids it: the NGO is suspended, revoked or closed; the number is taken; "
        "the permit (or its principle permit) is no longer valid",
    },
    422: {"model": Problem, "description": "The request breaks a rule; `errors` names the field"},
}


class PermitPage(BaseModel):
    items: list[PermitView]
    total: int
    limit: int
    offset: int


@router.post(
    "/organizations/{organization_id}/permits",
    status_code=201,
    response_model=Permit,
    summary="Record a permit granted to an NGO",
    description="A principle permit (izin prinsip) is valid at most 3 years: `valid_until` (the last valid day) is "
    "at the latest the third anniversary of `issued_on`. An operating permit (izin operasional) names the NGO's "
    "valid principle permit and optionally its MSP, and is never valid past the principle permit. An NGO that is "
    "suspended, revoked or closed gets no permit (409). Publishes `registry.permit.granted`.",
    responses=_problems,
    dependencies=[allow(KEEPER, note="TPOA records permits")],
)
async def grant_permit(
    organization_id: UUID, command: GrantPermit, uow: Work, ctx: RequestContext, response: Response
) -> Permit:
    permit = await permits.grant_permit(uow, ctx, organization_id, command)
    response.headers["Location"] = f"/permits/{permit.id}"
    response.headers["ETag"] = etag(permit.version)
    return permit


@router.get(
    "/permits/{permit_id}",
    response_model=PermitView,
    summary="Read a permit",
    description="An NGO reads its own permits only: another NGO's is answered 404. `documents` lists the files "
    "attached to it (its scan), each downloaded from `GET /documents/{document_id}`.",
    responses={404: _problems[404], 422: _problems[422]},
    dependencies=[allow(*READS_WHOLE_REGISTER, "ngo", note="an NGO: its own permits (another's: 404)")],
)
async def get_permit(permit_id: UUID, uow: Work, ctx: RequestContext, response: Response) -> PermitView:
    permit = await permits.get_permit(uow, ctx, permit_id)
    response.headers["ETag"] = etag(permit.version)
    return permit


@router.get(
    "/permits",
    response_model=PermitPage,
    summary="List permits",
    description="Filters combine; sorted by `valid_until`, soonest first. An NGO's list holds only its own permits.",
    responses={422: _problems[422]},
    dependencies=[allow(*READS_WHOLE_REGISTER, "ngo", note="an NGO: the list holds only its own permits")],
)
async def list_permits(
    uow: Work,
    ctx: RequestContext,
    organization_id: UUID | None = None,
    permit_type: PermitType | None = None,
    status: PermitStatus | None = None,
    expiring_before: Annotated[
        date | None, Query(description="Only valid permits whose last valid day is before this date.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> PermitPage:
    items, total = await permits.list_permits(
        uow,
        ctx,
        organization_id=organization_id,
        permit_type=permit_type,
        status=status,
        expiring_before=expiring_before,
        limit=limit,
        offset=offset,
    )
    return PermitPage(items=items, total=total, limit=limit, offset=offset)


@router.post(
    "/permits/{permit_id}/extensions",
    status_code=201,
    response_model=PermitExtension,
    summary="Extend a permit",
    description="The new `valid_until` starts a new term the day after the current one ends, of at most 3 years; "
    "an operating permit's stays within its principle permit. A principle permit's extension is due at least 3 "
    "months before its `valid_until`: a later request is accepted with `requested_late: true`. Only a valid permit "
    "of an NGO that is not suspended, revoked or closed is extended. Publishes `registry.permit.extended`.",
    responses=_problems,
    dependencies=[allow(KEEPER, note="TPOA extends permits")],
)
async def extend_permit(permit_id: UUID, command: ExtendPermit, uow: Work, ctx: RequestContext) -> PermitExtension:
    return await permits.extend_permit(uow, ctx, permit_id, command)
