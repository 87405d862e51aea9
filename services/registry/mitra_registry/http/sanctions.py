"""HTTP API of sanctions on NGOs. Thin: parse, call a use case, shape the answer."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel

from mitra_registry.domain.access import KEEPER, READS_WHOLE_REGISTER
from mitra_registry.domain.sanctions import ImposeSanction, LiftSanction, Sanction, SanctionQuery
from mitra_registry.usecases import sanctions
from mitra_shared.http import RequestContext, Work, problems, require_principal
from mitra_shared.policy import allow

router = APIRouter(dependencies=[Depends(require_principal)], tags=["sanctions"])

_KINDS = (
    "A `warning` is recorded and told. A `freeze` suspends the NGO (status `suspended`: no new MSP, extension or visit "
    "while it lasts) until it is lifted or its `ends_on` passes, when the NGO returns to its status before the freeze. "
    "A `revocation` revokes the NGO (`revoked`, final) and every valid permit it holds (`registry.permit.revoked` "
    'each), and ends its active warnings and freeze (`lifted`, "superseded by the revocation", no event); it has '
    "no end date and is never lifted. Days count in Asia/Jakarta; `ends_on` is the last day in effect."
)


class SanctionPage(BaseModel):
    items: list[Sanction]
    total: int
    limit: int
    offset: int


@router.post(
    "/organizations/{organization_id}/sanctions",
    status_code=201,
    response_model=Sanction,
    summary="Impose a sanction on an NGO",
    description=_KINDS + "\n\nPublishes `registry.sanction.imposed`, and `registry.organization.status_changed` when "
    "the NGO's status moves. Refused with 409 when the NGO is revoked or closed, a freeze on an NGO already frozen "
    "(suspended), or a freeze or revocation on an applicant (warn it, or close its application); 422 for an "
    "`ends_on` before today or on a revocation.",
    responses=problems(404, 409, 422),
    dependencies=[allow(KEEPER, note="TPOA imposes sanctions")],
)
async def impose_sanction(
    organization_id: UUID, command: ImposeSanction, uow: Work, ctx: RequestContext, response: Response
) -> Sanction:
    sanction = await sanctions.impose(uow, ctx, organization_id, command)
    response.headers["Location"] = f"/sanctions/{sanction.id}"
    return sanction


@router.get(
    "/organizations/{organization_id}/sanctions",
    response_model=SanctionPage,
    summary="An NGO's sanctions",
    description="Newest first, optionally filtered by `status` and `kind`. An NGO reads its own only.",
    responses=problems(404, 422),
    dependencies=[allow(*READS_WHOLE_REGISTER, "ngo", note="an NGO: its own only (another NGO is answered 404)")],
)
async def list_sanctions(
    organization_id: UUID, query: Annotated[SanctionQuery, Query()], uow: Work, ctx: RequestContext
) -> SanctionPage:
    items, total = await sanctions.list_of_organization(uow, ctx, organization_id, query)
    return SanctionPage(items=items, total=total, limit=query.limit, offset=query.offset)


@router.get(
    "/sanctions/{sanction_id}",
    response_model=Sanction,
    summary="One sanction",
    description="An NGO reads its own sanctions only: another NGO's is answered 404.",
    responses=problems(404, 422),
    dependencies=[allow(*READS_WHOLE_REGISTER, "ngo", note="an NGO: its own only (another NGO's is answered 404)")],
)
async def get_sanction(sanction_id: UUID, uow: Work, ctx: RequestContext) -> Sanction:
    return await sanctions.get(uow, ctx, sanction_id)


@router.post(
    "/sanctions/{sanction_id}/lift",
    response_model=Sanction,
    summary="Lift a warning or freeze",
    description="The sanction becomes `lifted`; a lifted freeze returns the NGO (if still suspended) to its status "
    "before the freeze, with `registry.organization.status_changed`. Publishes `registry.sanction.lifted`. A "
    "revocation cannot be lifted, nor a sanction already lifted or expired (409).",
    responses=problems(404, 409, 422),
    dependencies=[allow(KEEPER, note="TPOA lifts sanctions")],
)
async def lift_sanction(sanction_id: UUID, command: LiftSanction, uow: Work, ctx: RequestContext) -> Sanction:
    return await sanctions.lift(uow, ctx, sanction_id, command)
