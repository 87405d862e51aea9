"""Submissions of work plans, reports and Action Plans, and the decisions on them."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Query
from pydantic import BaseModel

from mitra_agreements.domain.queues import ObligationQuery, SubmissionQuery
from mitra_agreements.http.dependencies import NGO_FOR_ITSELF, READ
from mitra_agreements.http.dependencies import router as make_router
from mitra_agreements.usecases import obligations, queues
from mitra_agreements.usecases.commands import DecideSubmission, SubmitObligation
from mitra_agreements.usecases.obligations import CommentSubmission, SubmissionComment, SubmissionWithComments
from mitra_agreements.usecases.views import ObligationItem, Submission, SubmissionDetail, SubmissionItem
from mitra_shared.http import RequestContext, Work
from mitra_shared.policy import allow

router = make_router("obligations")
DECIDERS = allow(
    "ministry",
    "region",
    note="a work plan (RKT) of a region: the office of exactly that region; reports and the Action Plan: the MSP's "
    "Mitra Utama ministry; not whoever submitted it (four eyes)",
)
COMMENTERS = allow("ministry", "region", note="the MSP's Mitra Utama ministry, or a region's office that reads it")


class ObligationPage(BaseModel):
    items: list[ObligationItem]
    total: int
    limit: int
    offset: int


class SubmissionPage(BaseModel):
    items: list[SubmissionItem]
    total: int
    limit: int
    offset: int


@router.get(
    "/obligations",
    response_model=ObligationPage,
    summary="The queue of obligations across MSPs, soonest due first",
    description="Filters combine; `status` and `kind` may be repeated. Each item carries its MSP (title, number), "
    "NGO, Mitra Utama and latest submission. Only what the caller's scope covers: an NGO's own, a ministry's MSPs', "
    "for a region's office the obligations of MSPs working in its area, MSP-wide or of a region touching it. "
    "`region_code` keeps the same as a region's office reads (a province includes its regencies). An unknown "
    "parameter is refused with 422 naming it.",
    dependencies=[READ],
)
async def list_obligations(
    query: Annotated[ObligationQuery, Query()], uow: Work, ctx: RequestContext
) -> ObligationPage:
    items, total = await queues.list_obligations(uow, ctx, query)
    return ObligationPage(items=items, total=total, limit=query.limit, offset=query.offset)


@router.get(
    "/submissions",
    response_model=SubmissionPage,
    summary="The queue of submissions, by default those awaiting review, longest waiting first",
    description="Work plans, reports and Action Plans submitted, with their obligation, MSP, NGO and Mitra Utama; "
    "`comments` holds the reviewer's comments once decided (why it was returned). `status` (default `submitted`) "
    "and `kind` may be repeated. Scoped as `GET /obligations`: who reads an obligation reads its submissions. "
    "`decidable=true` keeps what the caller itself accepts or returns (a ministry: its MSPs' reports, Action Plans "
    "and work plans without a region; a region's office: the work plans of exactly its region), `decidable=false` "
    "what it reads but does not decide (and may comment on).",
    dependencies=[READ],
)
async def list_all_submissions(
    query: Annotated[SubmissionQuery, Query()], uow: Work, ctx: RequestContext
) -> SubmissionPage:
    items, total = await queues.list_submissions(uow, ctx, query)
    return SubmissionPage(items=items, total=total, limit=query.limit, offset=query.offset)


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
    response_model=list[SubmissionDetail],
    summary="Every submission of an obligation, first to last, each with its documents",
    dependencies=[READ],
)
async def list_submissions(obligation_id: UUID, uow: Work, ctx: RequestContext) -> list[SubmissionDetail]:
    return await obligations.submissions_of(uow, ctx, obligation_id)


@router.get(
    "/submissions/{submission_id}",
    response_model=SubmissionWithComments,
    summary="One submission, with the offices' comments and its documents",
    dependencies=[READ],
    description="Scoped as `GET /obligations`: who reads an obligation reads its submissions. `comments` lists "
    "the offices' comments (`POST /submissions/{id}/comments`); the reviewer's text with the decision is "
    "`decision_comments` here. `document_ref` is a reference to another system, kept as given; the files "
    "themselves are the submission's `documents` (`POST /submissions/{id}/documents`).",
)
async def get_submission(submission_id: UUID, uow: Work, ctx: RequestContext) -> SubmissionWithComments:
    return await obligations.get_submission(uow, ctx, submission_id)


@router.post(
    "/submissions/{submission_id}/comments",
    status_code=201,
    response_model=SubmissionComment,
    summary="Comment on a submission",
    dependencies=[COMMENTERS],
    description="The MSP's Mitra Utama (on a region's work plan it does not decide), or a region's office that "
    "reads the submission; publishes `agreements.submission.commented` (told to the NGO and the work plan's "
    "region). Listed in `GET /submissions/{id}`.",
)
async def comment_submission(
    submission_id: UUID, command: CommentSubmission, uow: Work, ctx: RequestContext
) -> SubmissionComment:
    return await obligations.comment_submission(uow, ctx, submission_id, command)


@router.post(
    "/submissions/{submission_id}/accept",
    response_model=Submission,
    summary="Accept a submitted work plan, report or Action Plan",
    dependencies=[DECIDERS],
    description="A work plan (RKT) of a region by the office of exactly that region (the ministry gets 403 and may "
    "comment); a report or the Action Plan by the Mitra Utama. Publishes `agreements.work_plan.accepted`, "
    "`agreements.report.accepted` or `agreements.action_plan.accepted`.",
)
async def accept_submission(
    submission_id: UUID, command: DecideSubmission, uow: Work, ctx: RequestContext
) -> Submission:
    return await obligations.decide_submission(uow, ctx, submission_id, command, accept=True)


@router.post(
    "/submissions/{submission_id}/return",
    response_model=Submission,
    summary="Return a submitted work plan, report or Action Plan with comments",
    dependencies=[DECIDERS],
    description="Decided by the same offices as an acceptance; the obligation is open again for a new submission. "
    "Publishes `agreements.work_plan.returned`, `agreements.report.returned` or `agreements.action_plan.returned`.",
)
async def return_submission(
    submission_id: UUID, command: DecideSubmission, uow: Work, ctx: RequestContext
) -> Submission:
    return await obligations.decide_submission(uow, ctx, submission_id, command, accept=False)
