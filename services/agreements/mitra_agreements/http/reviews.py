"""TPOA's review as a team of an MSP or of its extension, and TPOA's decision on an extension."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Query
from pydantic import BaseModel

from mitra_agreements.domain.queues import ReviewQuery
from mitra_agreements.http.dependencies import CurrentPolicy
from mitra_agreements.http.dependencies import router as make_router
from mitra_agreements.usecases import review_queue, reviews
from mitra_agreements.usecases.commands import Decide
from mitra_agreements.usecases.review_queue import ReviewItem
from mitra_agreements.usecases.reviews import AnswerReview, RejectExtension, ReviewView
from mitra_agreements.usecases.views import Msp
from mitra_shared.http import RequestContext, Work
from mitra_shared.policy import allow

router = make_router("msps")
MEMBER = allow("ministry", note="a TPOA member ministry the review asked (MITRA_TPOA_MEMBERS when it opened)")
TPOA = allow("tpoa", note="TPOA, the secretariat")
REVIEW_READ = allow(
    "tpoa",
    "ministry",
    "auditor",
    "integration",
    note="the government's deliberation: TPOA, the MSP's Mitra Utama, a member ministry the review asked, the "
    "auditor; not the NGO or the regions (they see the MSP's status)",
)

QUEUE_READ = allow(
    "tpoa",
    "ministry",
    "auditor",
    "integration",
    note="TPOA, the auditor, integrations: every open review; a ministry: the reviews that asked it",
)


class ReviewPage(BaseModel):
    items: list[ReviewItem]
    total: int
    limit: int
    offset: int


@router.get(
    "/reviews",
    response_model=ReviewPage,
    summary="The queue of open TPOA member reviews (of MSPs and of extensions), the nearest `answer_by` first",
    dependencies=[QUEUE_READ],
    description="A member ministry sees only the reviews that asked it: by default those still awaiting its answer "
    "(`awaiting=false`: those it answered). TPOA, the auditor and integrations see every open review: by default "
    "those some member has still to answer (`awaiting=false`: every member answered, TPOA's turn). Each item names "
    "the MSP, its NGO and Mitra Utama, the proposed end date of an extension, who is awaited, who objected, and "
    "whether TPOA may approve now (`decidable`).",
)
async def list_reviews(query: Annotated[ReviewQuery, Query()], uow: Work, ctx: RequestContext) -> ReviewPage:
    items, total = await review_queue.list_reviews(uow, ctx, query)
    return ReviewPage(items=items, total=total, limit=query.limit, offset=query.offset)


@router.get(
    "/msps/{msp_id}/review",
    response_model=ReviewView,
    summary="The MSP's latest TPOA member review (of the MSP or of an extension)",
    dependencies=[REVIEW_READ],
    description="Who was asked, by when, their answers, who is awaited and who objected, and whether TPOA may "
    "approve now (`decidable`). 404 when the MSP was never under review (no members configured).",
)
async def get_review(msp_id: UUID, uow: Work, ctx: RequestContext) -> ReviewView:
    return await reviews.get_review(uow, ctx, msp_id)


@router.post(
    "/msps/{msp_id}/review/answers",
    status_code=201,
    response_model=ReviewView,
    summary="A TPOA member ministry clears or objects",
    dependencies=[MEMBER],
    description="Once per member and review; publishes `agreements.msp.review_answered`. One objection blocks "
    "TPOA's approval. 409 when the MSP has no open review or the member already answered; 403 for a ministry the "
    "review did not ask.",
)
async def answer_review(msp_id: UUID, command: AnswerReview, uow: Work, ctx: RequestContext) -> ReviewView:
    return await reviews.answer_review(uow, ctx, msp_id, command)


@router.post(
    "/msps/{msp_id}/extension/approve",
    response_model=Msp,
    summary="TPOA approves the extension the Mitra Utama asked for",
    dependencies=[TPOA],
    description="The MSP ends on the proposed date, gets the extra period's obligations, and "
    "`agreements.msp.extended` is published. 409 when no extension waits, on `review` while a member objects or "
    "members are awaited before `answer_by`, or when the principle permit no longer allows it.",
)
async def approve_extension(
    msp_id: UUID, command: Decide, uow: Work, ctx: RequestContext, policy: CurrentPolicy
) -> Msp:
    return await reviews.approve_extension(uow, ctx, msp_id, command, policy=policy)


@router.post(
    "/msps/{msp_id}/extension/reject",
    response_model=Msp,
    summary="TPOA refuses the extension",
    dependencies=[TPOA],
    description="Any time, with a note; the MSP keeps its end date. Publishes `agreements.msp.extension_rejected`.",
)
async def reject_extension(msp_id: UUID, command: RejectExtension, uow: Work, ctx: RequestContext) -> Msp:
    return await reviews.reject_extension(uow, ctx, msp_id, command)
