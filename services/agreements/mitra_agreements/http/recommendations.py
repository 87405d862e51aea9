"""Visa/stay-permit and tax-exemption recommendations."""

from __future__ import annotations

from uuid import UUID

from fastapi import Response

from mitra_agreements.http.dependencies import router as make_router
from mitra_agreements.usecases import recommendations
from mitra_agreements.usecases.commands import IssueRecommendation, RequestRecommendation
from mitra_agreements.usecases.views import Recommendation
from mitra_shared.http import RequestContext, Work

router = make_router("recommendations")


@router.post(
    "/recommendations",
    status_code=201,
    response_model=Recommendation,
    summary="Request a visa/stay-permit or tax-exemption recommendation",
    description="Publishes `agreements.recommendation.requested`; the MSP must be in force.",
)
async def request_recommendation(
    command: RequestRecommendation, uow: Work, ctx: RequestContext, response: Response
) -> Recommendation:
    recommendation = await recommendations.request_recommendation(uow, ctx, command)
    response.headers["Location"] = f"/recommendations/{recommendation.id}"
    return recommendation


@router.get("/recommendations/{recommendation_id}", response_model=Recommendation, summary="One request")
async def get_recommendation(recommendation_id: UUID, uow: Work) -> Recommendation:
    return await recommendations.get_recommendation(uow, recommendation_id)


@router.post(
    "/recommendations/{recommendation_id}/issue",
    response_model=Recommendation,
    summary="The ministry decides a recommendation request",
    description="Grants or refuses it under a reference number; publishes `agreements.recommendation.issued`.",
)
async def issue_recommendation(
    recommendation_id: UUID, command: IssueRecommendation, uow: Work, ctx: RequestContext
) -> Recommendation:
    return await recommendations.issue_recommendation(uow, ctx, recommendation_id, command)
