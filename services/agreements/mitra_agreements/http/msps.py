"""MSPs from draft to end, and the obligations they create."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Query, Response
from pydantic import BaseModel

from mitra_agreements.domain.msps import MspStatus
from mitra_agreements.http.dependencies import MITRA_UTAMA, NGO_FOR_ITSELF, READ, TPOA_REVIEW, CurrentPolicy
from mitra_agreements.http.dependencies import router as make_router
from mitra_agreements.usecases import msps, reviews
from mitra_agreements.usecases.commands import Decide, DraftMsp, ExtendMsp, Reject, SignMsp, TerminateMsp
from mitra_agreements.usecases.views import Msp, MspDetail, Obligation
from mitra_shared.http import RequestContext, Work
from mitra_shared.paging import MAX_OFFSET

router = make_router("msps")


class MspPage(BaseModel):
    items: list[Msp]
    total: int
    limit: int
    offset: int


@router.post(
    "/msps",
    status_code=201,
    response_model=Msp,
    summary="Draft an MSP",
    dependencies=[NGO_FOR_ITSELF],
    description="Drafts an MSP between a foreign NGO and its Mitra Utama ministry and publishes "
    "`agreements.msp.drafted`. Refused (409) for an NGO that is suspended, revoked or closed, or frozen by a "
    "sanction (naming `organization_id`, with the reason), or when the end date passes the NGO's principle permit; "
    "422 for an NGO, ministry or region agreements does not know.",
)
async def draft_msp(command: DraftMsp, uow: Work, ctx: RequestContext, response: Response) -> Msp:
    msp = await msps.draft_msp(uow, ctx, command)
    response.headers["Location"] = f"/msps/{msp.id}"
    return msp


@router.get(
    "/msps",
    response_model=MspPage,
    summary="MSPs, newest first, optionally of one NGO or in one status",
    description="Only the MSPs the caller's scope covers: an NGO's own, a ministry's (Mitra Utama), those with a "
    "work location in a region's area.",
    dependencies=[READ],
)
async def list_msps(
    uow: Work,
    ctx: RequestContext,
    organization_id: UUID | None = None,
    status: MspStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> MspPage:
    items, total = await msps.list_msps(
        uow, ctx, organization_id=organization_id, status=status, limit=limit, offset=offset
    )
    return MspPage(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/msps/{msp_id}",
    response_model=MspDetail,
    summary="One MSP, with its documents",
    dependencies=[READ],
    description="`signed_document_ref` is a reference to another system, kept as given; the files themselves are "
    "the MSP's `documents` (`POST /msps/{id}/documents`).",
)
async def get_msp(msp_id: UUID, uow: Work, ctx: RequestContext) -> MspDetail:
    return await msps.get_msp(uow, ctx, msp_id)


@router.post(
    "/msps/{msp_id}/submit",
    response_model=Msp,
    summary="Submit a draft MSP to TPOA for review",
    dependencies=[NGO_FOR_ITSELF],
    description="draft → submitted; publishes `agreements.msp.submitted`, and opens TPOA's member review "
    "(`GET /msps/{id}/review`; `agreements.msp.review_requested` to the members of `MITRA_TPOA_MEMBERS`, none when "
    "it is empty). 409 naming `organization_id` while the NGO is frozen by a sanction.",
)
async def submit_msp(msp_id: UUID, uow: Work, ctx: RequestContext, policy: CurrentPolicy) -> Msp:
    return await msps.submit_msp(uow, ctx, msp_id, policy=policy)


@router.post(
    "/msps/{msp_id}/approve",
    response_model=Msp,
    summary="TPOA approves an MSP",
    dependencies=[TPOA_REVIEW],
    description="submitted → approved; publishes `agreements.msp.approved`. 409 on `review` while a TPOA member "
    "objects, or members are awaited and today is not past the review's `answer_by`.",
)
async def approve_msp(msp_id: UUID, command: Decide, uow: Work, ctx: RequestContext) -> Msp:
    return await msps.approve_msp(uow, ctx, msp_id, command)


@router.post(
    "/msps/{msp_id}/reject",
    response_model=Msp,
    summary="TPOA rejects an MSP",
    dependencies=[TPOA_REVIEW],
    description="submitted → rejected, with the reason (any time, whatever the review); publishes "
    "`agreements.msp.rejected`.",
)
async def reject_msp(msp_id: UUID, command: Reject, uow: Work, ctx: RequestContext) -> Msp:
    return await msps.reject_msp(uow, ctx, msp_id, command)


@router.post(
    "/msps/{msp_id}/sign",
    response_model=Msp,
    summary="Record the signing of an approved MSP",
    dependencies=[MITRA_UTAMA],
    description="approved → signed (active from its start date). Needs a principle permit of the NGO valid on the "
    "signing date that lasts at least to the MSP's end, and an NGO neither suspended nor revoked (409 otherwise). "
    "Creates the obligations of the MSP's rules and publishes `agreements.msp.signed`.",
)
async def sign_msp(msp_id: UUID, command: SignMsp, uow: Work, ctx: RequestContext, policy: CurrentPolicy) -> Msp:
    return await msps.sign_msp(uow, ctx, msp_id, command, policy=policy)


@router.post(
    "/msps/{msp_id}/extend",
    status_code=202,
    response_model=Msp,
    summary="Ask TPOA to extend a signed MSP",
    dependencies=[MITRA_UTAMA],
    description="The MSP keeps its dates and shows `pending_extension` until TPOA decides "
    "(`POST /msps/{id}/extension/approve` or `/reject`); publishes `agreements.msp.extension_requested` and opens "
    "TPOA's member review of the extension. 409 when an extension already waits, the NGO is frozen by a sanction "
    "(naming `organization_id`), or the new end passes the principle permit.",
)
async def extend_msp(msp_id: UUID, command: ExtendMsp, uow: Work, ctx: RequestContext, policy: CurrentPolicy) -> Msp:
    return await reviews.request_extension(uow, ctx, msp_id, command, policy=policy)


@router.post(
    "/msps/{msp_id}/terminate",
    response_model=Msp,
    summary="End an MSP early, with the reason",
    dependencies=[MITRA_UTAMA],
    description="Closes its open obligations and publishes `agreements.msp.terminated`.",
)
async def terminate_msp(msp_id: UUID, command: TerminateMsp, uow: Work, ctx: RequestContext) -> Msp:
    return await msps.terminate_msp(uow, ctx, msp_id, command)


@router.get(
    "/msps/{msp_id}/obligations",
    response_model=list[Obligation],
    summary="The obligations an MSP created, by due date",
    description="A region's officer sees the MSP-wide ones and the work plans of its area.",
    dependencies=[READ],
)
async def list_obligations(msp_id: UUID, uow: Work, ctx: RequestContext) -> list[Obligation]:
    return await msps.obligations_of(uow, ctx, msp_id)
