"""Agreements' HTTP API. Thin: parse, call a use case, shape the answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, cast
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel

from mitra_agreements import services
from mitra_agreements.domain import MspStatus
from mitra_agreements.messages import (
    AnnounceVisit,
    CancelVisit,
    Decide,
    DecideSubmission,
    DraftMsp,
    ExtendMsp,
    IssueRecommendation,
    Msp,
    MspPage,
    Obligation,
    Recommendation,
    Reject,
    RequestRecommendation,
    SignMsp,
    Submission,
    SubmitObligation,
    TerminateMsp,
    UpdateVisit,
    Visit,
)
from mitra_agreements.registry_facts import QUERIES
from mitra_agreements.settings import AgreementsSettings
from mitra_shared.auth import Principal
from mitra_shared.clock import Clock, system_clock
from mitra_shared.http import DatabasePool, NotFound, Problem, correlation_id, require_principal

_problems: dict[int | str, dict[str, object]] = {
    404: {"model": Problem, "description": "No such resource"},
    409: {"model": Problem, "description": "The command conflicts with the current state; the field says which"},
    422: {"model": Problem, "description": "Invalid request; each invalid field and why"},
}
organizations = APIRouter(dependencies=[Depends(require_principal)], tags=["organizations"], responses=_problems)
msps = APIRouter(dependencies=[Depends(require_principal)], tags=["msps"], responses=_problems)
obligations = APIRouter(dependencies=[Depends(require_principal)], tags=["obligations"], responses=_problems)
visits = APIRouter(dependencies=[Depends(require_principal)], tags=["visits"], responses=_problems)
recommendations = APIRouter(dependencies=[Depends(require_principal)], tags=["recommendations"], responses=_problems)
ROUTERS = (organizations, msps, obligations, visits, recommendations)


def current_clock() -> Clock:
    """The production clock; tests override this dependency with a controllable one."""
    return system_clock


def context(
    request: Request,
    principal: Annotated[Principal, Depends(require_principal)],
    clock: Annotated[Clock, Depends(current_clock)],
) -> services.Context:
    return services.Context(subject=principal.subject, clock=clock, correlation_id=correlation_id(request))


def policy(request: Request) -> services.Policy:
    settings = cast(AgreementsSettings, request.app.state.resources.settings)
    return services.Policy(reminder_days=settings.reminder_days, visit_notice_days=settings.visit_notice_days)


Ctx = Annotated[services.Context, Depends(context)]
Pol = Annotated[services.Policy, Depends(policy)]


# --- agreements' copy of the register ---------------------------------------------------------------------------


class KnownOrganization(BaseModel):
    organization_id: UUID
    legal_name: str
    acronym: str | None
    country_of_origin: str | None
    status: str
    as_of: datetime


class KnownOrganizationPage(BaseModel):
    items: list[KnownOrganization]
    total: int
    limit: int
    offset: int


@organizations.get(
    "/organizations",
    response_model=KnownOrganizationPage,
    summary="Foreign NGOs as agreements knows them",
    description="Agreements' own copy, learned from registry's events; it answers while registry is down.",
)
async def list_known_organizations(
    pool: DatabasePool,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> KnownOrganizationPage:
    rows = await pool.fetch(QUERIES.list_known_organizations, limit, offset)
    total = rows[0]["total"] if rows else 0
    items = [KnownOrganization.model_validate({k: v for k, v in r.items() if k != "total"}) for r in rows]
    return KnownOrganizationPage(items=items, total=total, limit=limit, offset=offset)


@organizations.get(
    "/organizations/{organization_id}",
    response_model=KnownOrganization,
    summary="One foreign NGO as agreements knows it",
)
async def get_known_organization(organization_id: UUID, pool: DatabasePool) -> KnownOrganization:
    row = await pool.fetchrow(QUERIES.get_known_organization, organization_id)
    if row is None:
        raise NotFound(f"agreements has not learned of organization {organization_id}", field="path.organization_id")
    return KnownOrganization.model_validate(dict(row))


# --- MSPs -------------------------------------------------------------------------------------------------------


@msps.post(
    "/msps",
    status_code=201,
    response_model=Msp,
    summary="Draft an MSP",
    description="Drafts an MSP between a foreign NGO and its Mitra Utama ministry and publishes "
    "`agreements.msp.drafted`. Refused (409) for an NGO that is suspended, revoked or closed, or when the end date "
    "passes the NGO's principle permit; 422 for an NGO, ministry or region agreements does not know.",
)
async def draft_msp(command: DraftMsp, pool: DatabasePool, ctx: Ctx, response: Response) -> Msp:
    msp = await services.draft_msp(pool, command, ctx)
    response.headers["Location"] = f"/msps/{msp.id}"
    return msp


@msps.get("/msps", response_model=MspPage, summary="MSPs, newest first, optionally of one NGO or in one status")
async def list_msps(
    pool: DatabasePool,
    organization_id: UUID | None = None,
    status: MspStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> MspPage:
    items, total = await services.list_msps(
        pool, organization_id=organization_id, status=status, limit=limit, offset=offset
    )
    return MspPage(items=items, total=total, limit=limit, offset=offset)


@msps.get("/msps/{msp_id}", response_model=Msp, summary="One MSP")
async def get_msp(msp_id: UUID, pool: DatabasePool) -> Msp:
    return await services.get_msp(pool, msp_id)


@msps.post(
    "/msps/{msp_id}/submit",
    response_model=Msp,
    summary="Submit a draft MSP to TPOA for review",
    description="draft → submitted; publishes `agreements.msp.submitted`.",
)
async def submit_msp(msp_id: UUID, pool: DatabasePool, ctx: Ctx) -> Msp:
    return await services.submit_msp(pool, msp_id, ctx)


@msps.post(
    "/msps/{msp_id}/approve",
    response_model=Msp,
    summary="TPOA approves an MSP",
    description="submitted → approved; publishes `agreements.msp.approved`.",
)
async def approve_msp(msp_id: UUID, command: Decide, pool: DatabasePool, ctx: Ctx) -> Msp:
    return await services.approve_msp(pool, msp_id, command, ctx)


@msps.post(
    "/msps/{msp_id}/reject",
    response_model=Msp,
    summary="TPOA rejects an MSP",
    description="submitted → rejected, with the reason; publishes `agreements.msp.rejected`.",
)
async def reject_msp(msp_id: UUID, command: Reject, pool: DatabasePool, ctx: Ctx) -> Msp:
    return await services.reject_msp(pool, msp_id, command, ctx)


@msps.post(
    "/msps/{msp_id}/sign",
    response_model=Msp,
    summary="Record the signing of an approved MSP",
    description="approved → signed (active from its start date). Needs a principle permit of the NGO valid on the "
    "signing date that lasts at least to the MSP's end, and an NGO neither suspended nor revoked (409 otherwise). "
    "Creates the obligations of the MSP's rules and publishes `agreements.msp.signed`.",
)
async def sign_msp(msp_id: UUID, command: SignMsp, pool: DatabasePool, ctx: Ctx, policy: Pol) -> Msp:
    return await services.sign_msp(pool, msp_id, command, ctx, policy)


@msps.post(
    "/msps/{msp_id}/extend",
    response_model=Msp,
    summary="Extend a signed MSP",
    description="Moves the end date later (not past the principle permit), adds the obligations of the extra "
    "period and publishes `agreements.msp.extended`.",
)
async def extend_msp(msp_id: UUID, command: ExtendMsp, pool: DatabasePool, ctx: Ctx, policy: Pol) -> Msp:
    return await services.extend_msp(pool, msp_id, command, ctx, policy)


@msps.post(
    "/msps/{msp_id}/terminate",
    response_model=Msp,
    summary="End an MSP early, with the reason",
    description="Closes its open obligations and publishes `agreements.msp.terminated`.",
)
async def terminate_msp(msp_id: UUID, command: TerminateMsp, pool: DatabasePool, ctx: Ctx) -> Msp:
    return await services.terminate_msp(pool, msp_id, command, ctx)


@msps.get(
    "/msps/{msp_id}/obligations",
    response_model=list[Obligation],
    summary="The obligations an MSP created, by due date",
)
async def list_obligations(msp_id: UUID, pool: DatabasePool) -> list[Obligation]:
    return await services.obligations_of(pool, msp_id)


# --- submissions ------------------------------------------------------------------------------------------------


@obligations.post(
    "/obligations/{obligation_id}/submissions",
    status_code=201,
    response_model=Submission,
    summary="Submit a work plan, report or Action Plan",
    description="The NGO submits (or, after a return, submits again) what the obligation asks for; publishes "
    "`agreements.work_plan.submitted`, `agreements.report.submitted` or `agreements.action_plan.submitted`.",
)
async def submit_obligation(obligation_id: UUID, command: SubmitObligation, pool: DatabasePool, ctx: Ctx) -> Submission:
    return await services.submit_obligation(pool, obligation_id, command, ctx)


@obligations.get(
    "/obligations/{obligation_id}/submissions",
    response_model=list[Submission],
    summary="Every submission of an obligation, first to last",
)
async def list_submissions(obligation_id: UUID, pool: DatabasePool) -> list[Submission]:
    return await services.submissions_of(pool, obligation_id)


@obligations.post(
    "/submissions/{submission_id}/accept",
    response_model=Submission,
    summary="Accept a submitted work plan or report",
    description="By the ministry, or for a work plan the regional government concerned; publishes "
    "`agreements.work_plan.accepted` or `agreements.report.accepted`.",
)
async def accept_submission(submission_id: UUID, command: DecideSubmission, pool: DatabasePool, ctx: Ctx) -> Submission:
    return await services.decide_submission(pool, submission_id, command, ctx, accept=True)


@obligations.post(
    "/submissions/{submission_id}/return",
    response_model=Submission,
    summary="Return a submitted work plan or report with comments",
    description="The obligation is open again for a new submission; publishes `agreements.work_plan.returned` or "
    "`agreements.report.returned`.",
)
async def return_submission(submission_id: UUID, command: DecideSubmission, pool: DatabasePool, ctx: Ctx) -> Submission:
    return await services.decide_submission(pool, submission_id, command, ctx, accept=False)


# --- foreign visits ---------------------------------------------------------------------------------------------


@visits.post(
    "/visits",
    status_code=201,
    response_model=Visit,
    summary="Announce a visit of foreign guests",
    description="Announces the visit to the regions it goes to (`agreements.visit.announced`). An announcement "
    "fewer than `MITRA_VISIT_NOTICE_DAYS` (14) days before arrival is accepted and flagged `late`.",
)
async def announce_visit(
    command: AnnounceVisit, pool: DatabasePool, ctx: Ctx, policy: Pol, response: Response
) -> Visit:
    visit = await services.announce_visit(pool, command, ctx, policy)
    response.headers["Location"] = f"/visits/{visit.id}"
    return visit


@visits.get("/visits/{visit_id}", response_model=Visit, summary="One announced visit")
async def get_visit(visit_id: UUID, pool: DatabasePool) -> Visit:
    return await services.get_visit(pool, visit_id)


@visits.patch(
    "/visits/{visit_id}",
    response_model=Visit,
    summary="Change an announced visit",
    description="Only the fields given change; publishes `agreements.visit.updated` with the whole new state.",
)
async def update_visit(visit_id: UUID, command: UpdateVisit, pool: DatabasePool, ctx: Ctx, policy: Pol) -> Visit:
    return await services.update_visit(pool, visit_id, command, ctx, policy)


@visits.post(
    "/visits/{visit_id}/cancel",
    response_model=Visit,
    summary="Cancel an announced visit",
    description="Publishes `agreements.visit.cancelled`.",
)
async def cancel_visit(visit_id: UUID, command: CancelVisit, pool: DatabasePool, ctx: Ctx) -> Visit:
    return await services.cancel_visit(pool, visit_id, command, ctx)


# --- recommendations --------------------------------------------------------------------------------------------


@recommendations.post(
    "/recommendations",
    status_code=201,
    response_model=Recommendation,
    summary="Request a visa/stay-permit or tax-exemption recommendation",
    description="Publishes `agreements.recommendation.requested`; the MSP must be in force.",
)
async def request_recommendation(
    command: RequestRecommendation, pool: DatabasePool, ctx: Ctx, response: Response
) -> Recommendation:
    recommendation = await services.request_recommendation(pool, command, ctx)
    response.headers["Location"] = f"/recommendations/{recommendation.id}"
    return recommendation


@recommendations.get("/recommendations/{recommendation_id}", response_model=Recommendation, summary="One request")
async def get_recommendation(recommendation_id: UUID, pool: DatabasePool) -> Recommendation:
    return await services.get_recommendation(pool, recommendation_id)


@recommendations.post(
    "/recommendations/{recommendation_id}/issue",
    response_model=Recommendation,
    summary="The ministry decides a recommendation request",
    description="Grants or refuses it under a reference number; publishes `agreements.recommendation.issued`.",
)
async def issue_recommendation(
    recommendation_id: UUID, command: IssueRecommendation, pool: DatabasePool, ctx: Ctx
) -> Recommendation:
    return await services.issue_recommendation(pool, recommendation_id, command, ctx)
