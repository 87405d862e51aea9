"""Visa/stay-permit and tax-exemption recommendations."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Query, Response
from pydantic import BaseModel

from mitra_agreements.domain.queues import RecommendationQuery
from mitra_agreements.http.dependencies import NGO_FOR_ITSELF, Letterheads
from mitra_agreements.http.dependencies import router as make_router
from mitra_agreements.usecases import queues, recommendations
from mitra_agreements.usecases.commands import IssueRecommendation, RequestRecommendation
from mitra_agreements.usecases.views import Recommendation, RecommendationDetail, RecommendationItem
from mitra_shared.documents import Store
from mitra_shared.http import RequestContext, Work
from mitra_shared.policy import allow

router = make_router("recommendations")
READ_RECOMMENDATION = allow(
    "tpoa",
    "ministry",
    "ngo",
    "auditor",
    "integration",
    note="tpoa, auditor, integration: all; ngo: its own; ministry: those of its MSPs (not regions: they name foreign "
    "experts)",
)


class RecommendationPage(BaseModel):
    items: list[RecommendationItem]
    total: int
    limit: int
    offset: int


@router.post(
    "/recommendations",
    status_code=201,
    response_model=Recommendation,
    summary="Request a visa/stay-permit or tax-exemption recommendation",
    dependencies=[NGO_FOR_ITSELF],
    description="Publishes `agreements.recommendation.requested`; the MSP must be in force. A visa recommendation "
    "names `staff_assignment_id`, an assignment of the MSP's NGO in registry's foreign-staff register (under way or "
    "starting later, as agreements learned it from `registry.foreign_staff.*`), else 422 naming that field; the "
    "expert's name and nationality are the assignment's.",
)
async def request_recommendation(
    command: RequestRecommendation, uow: Work, ctx: RequestContext, response: Response
) -> Recommendation:
    recommendation = await recommendations.request_recommendation(uow, ctx, command)
    response.headers["Location"] = f"/recommendations/{recommendation.id}"
    return recommendation


@router.get(
    "/recommendations",
    response_model=RecommendationPage,
    summary="The queue of recommendation requests, longest waiting first",
    description="Filters combine; `status` (`requested`: awaiting the ministry's decision) and `kind` may be "
    "repeated. Each item carries its MSP's title, NGO and Mitra Utama. Only what the caller's scope covers: an "
    "NGO's own, a ministry's MSPs'. An unknown parameter is refused with 422 naming it.",
    dependencies=[READ_RECOMMENDATION],
)
async def list_recommendations(
    query: Annotated[RecommendationQuery, Query()], uow: Work, ctx: RequestContext
) -> RecommendationPage:
    items, total = await queues.list_recommendations(uow, ctx, query)
    return RecommendationPage(items=items, total=total, limit=query.limit, offset=query.offset)


@router.get(
    "/recommendations/{recommendation_id}",
    response_model=RecommendationDetail,
    summary="One request, with its documents (its letter once decided)",
    dependencies=[READ_RECOMMENDATION],
)
async def get_recommendation(recommendation_id: UUID, uow: Work, ctx: RequestContext) -> RecommendationDetail:
    return await recommendations.get_recommendation(uow, ctx, recommendation_id)


@router.post(
    "/recommendations/{recommendation_id}/issue",
    response_model=RecommendationDetail,
    summary="The ministry decides a recommendation request",
    dependencies=[allow("ministry", note="the MSP's Mitra Utama ministry; not whoever requested it (four eyes)")],
    description="Grants or refuses it under a reference number, and makes its letter (PDF, in Bahasa Indonesia, on "
    "the ministry's letterhead from `MITRA_LETTERHEADS`): a document of the recommendation (purpose `letter`) that "
    "the NGO and the ministry download. Publishes `agreements.document.attached` and "
    "`agreements.recommendation.issued` (naming the letter).",
)
async def issue_recommendation(
    recommendation_id: UUID,
    command: IssueRecommendation,
    uow: Work,
    ctx: RequestContext,
    store: Store,
    letterheads: Letterheads,
) -> RecommendationDetail:
    return await recommendations.issue_recommendation(
        uow, ctx, recommendation_id, command, store=store, letterheads=letterheads
    )
