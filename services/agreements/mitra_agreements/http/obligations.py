"""Submissions of work plans, reports and Action Plans, and the decisions on them."""

from __future__ import annotations

from uuid import UUID

from mitra_agreements.http.dependencies import NGO_FOR_ITSELF, READ
from mitra_agreements.http.dependencies import router as make_router
from mitra_agreements.usecases import obligations
from mitra_agreements.usecases.commands import DecideSubmission, SubmitObligation
from mitra_agreements.usecases.views import Submission
from mitra_shared.http import RequestContext, Work
from mitra_shared.policy import allow

router = make_router("obligations")
DECIDERS = allow(
    "ministry",
    "region",
    note="the MSP's Mitra Utama ministry; a region's office only the work plans (RKT) of its area; not whoever "
    "submitted it (four eyes)",
)


@router.post(
    "/obligations/{obligation_id}/submissions",
    status_code=201,
    response_model=Submission,
    summary="Submit a work plan, report or Action Plan",
    dependencies=[NGO_FOR_ITSELF],
    description="The NGO submits (or, after a return, submits again) what the obligation asks for; publishes "
    "`agreements.work_plan.submitted`, `agreements.report.submitted` or `agreements.action_plan.submitted`.",
)
async def submit_obligation(
    obligation_id: UUID, command: SubmitObligation, uow: Work, ctx: RequestContext
) -> Submission:
    return await obligations.submit_obligation(uow, ctx, obligation_id, command)


@router.get(
    "/obligations/{obligation_id}/submissions",
    response_model=list[Submission],
    summary="Every submission of an obligation, first to last",
    dependencies=[READ],
)
async def list_submissions(obligation_id: UUID, uow: Work, ctx: RequestContext) -> list[Submission]:
    return await obligations.submissions_of(uow, ctx, obligation_id)


@router.post(
    "/submissions/{submission_id}/accept",
    response_model=Submission,
    summary="Accept a submitted work plan or report",
    dependencies=[DECIDERS],
    description="By the ministry, or for a work plan the regional government concerned; publishes "
    "`agreements.work_plan.accepted` or `agreements.report.accepted`.",
)
async def accept_submission(
    submission_id: UUID, command: DecideSubmission, uow: Work, ctx: RequestContext
) -> Submission:
    return await obligations.decide_submission(uow, ctx, submission_id, command, accept=True)


@router.post(
    "/submissions/{submission_id}/return",
    response_model=Submission,
    summary="Return a submitted work plan or report with comments",
    dependencies=[DECIDERS],
    description="The obligation is open again for a new submission; publishes `agreements.work_plan.returned` or "
    "`agreements.report.returned`.",
)
async def return_submission(
    submission_id: UUID, command: DecideSubmission, uow: Work, ctx: RequestContext
) -> Submission:
    return await obligations.decide_submission(uow, ctx, submission_id, command, accept=False)
