"""HTTP API of the TPOA member ministries' review of an NGO's application. Thin: parse, call a use case."""

from __future__ import annotations

from typing import Annotated, cast
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response

from mitra_registry.domain.access import REVIEW_READERS
from mitra_registry.domain.reviews import AnswerReview, ApplicationReview, ReviewQueuePage, ReviewQueueQuery
from mitra_registry.settings import RegistrySettings
from mitra_registry.usecases import reviews
from mitra_registry.usecases.review_gate import ReviewPolicy
from mitra_shared.http import RequestContext, Work, problems, require_principal
from mitra_shared.policy import allow

router = APIRouter(dependencies=[Depends(require_principal)], tags=["application review"])

_RULES = (
    "When an NGO enters the register as an `applicant`, each of TPOA's member ministries (`MITRA_TPOA_MEMBERS`) is "
    "asked to clear or object by `answer_by` (`MITRA_TPOA_REVIEW_DAYS` later). TPOA registers the applicant only "
    "when the review is `decidable`: no objection, and every member answered or `answer_by` has passed (409 naming "
    "`review` otherwise). With no members configured no review opens and TPOA decides alone."
)


async def review_policy(request: Request) -> ReviewPolicy:
    """The members and days of the settings the service was built with."""
    settings = cast(RegistrySettings, request.app.state.runtime.spec.settings)
    return ReviewPolicy(members=tuple(settings.tpoa_members), days=settings.tpoa_review_days)


Review = Annotated[ReviewPolicy, Depends(review_policy)]


@router.get(
    "/reviews",
    response_model=ReviewQueuePage,
    summary="The open application reviews: a member ministry's queue",
    description=_RULES + " Lists the reviews of NGOs still `applicant`, soonest `answer_by` first, paged. A ministry "
    "sees the reviews that asked it, by default only those awaiting its answer (`awaiting=false`: those it "
    "answered); TPOA, auditor and integration see every open review (`awaiting=true|false`: some member still "
    "awaited, or none).",
    responses=problems(422),
    dependencies=[allow(*REVIEW_READERS, note="a ministry: the reviews that asked it")],
)
async def list_reviews(query: Annotated[ReviewQueueQuery, Query()], uow: Work, ctx: RequestContext) -> ReviewQueuePage:
    items, total = await reviews.list_open_reviews(uow, ctx, query)
    return ReviewQueuePage(items=items, total=total, limit=query.limit, offset=query.offset)


@router.get(
    "/organizations/{organization_id}/review",
    response_model=ApplicationReview,
    summary="Where the member ministries' review of an application stands",
    description=_RULES + " 404 when the NGO has no review.",
    responses=problems(404, 422),
    dependencies=[allow(*REVIEW_READERS, note="the government's deliberation: not the NGO, not the regions")],
)
async def get_review(organization_id: UUID, uow: Work, ctx: RequestContext) -> ApplicationReview:
    return await reviews.get_review(uow, ctx, organization_id)


@router.post(
    "/organizations/{organization_id}/review/answers",
    status_code=201,
    response_model=ApplicationReview,
    summary="A member ministry clears or objects to an application",
    description=_RULES + " Only a ministry whose `ministry_code` is one of the members asked answers (403 "
    "otherwise), once (409), while the NGO is an applicant (409). Publishes "
    "`registry.application.review_answered`; answers with the review as it now stands.",
    responses=problems(404, 409, 422),
    dependencies=[allow("ministry", note="only the TPOA member ministries asked")],
)
async def answer_review(
    organization_id: UUID, command: AnswerReview, uow: Work, ctx: RequestContext, response: Response
) -> ApplicationReview:
    review = await reviews.answer_review(uow, ctx, organization_id, command)
    response.headers["Location"] = f"/organizations/{organization_id}/review"
    return review
