"""Obligations and their submissions: the obligations signing or extending an MSP creates, the NGO's submissions
of work plans, reports and Action Plans, and the decisions on them. Reminders and overdue notices are the deadline
engine's.

An obligation or submission the caller may not read is answered as unknown (404); the NGO alone submits; the
Mitra Utama decides reports and the Action Plan, the office of exactly its region a work plan (RKT), and not
whoever submitted; the ministry or a region's office may comment (`domain/access.py`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Literal
from uuid import UUID

import asyncpg
from pydantic import BaseModel, ConfigDict, Field

from mitra_agreements.domain import access
from mitra_agreements.domain import obligations as rules
from mitra_agreements.domain.deadlines import first_check_of
from mitra_agreements.domain.obligations import PlannedObligation
from mitra_agreements.sql import OBLIGATIONS
from mitra_agreements.usecases.access import parties
from mitra_agreements.usecases.commands import DecideSubmission, SubmitObligation
from mitra_agreements.usecases.event_facts import obligation_facts
from mitra_agreements.usecases.views import Obligation, Submission, SubmissionDetail, values, view
from mitra_shared.access import has_role, ministry_of, region_of
from mitra_shared.clock import jakarta_date
from mitra_shared.context import Context
from mitra_shared.contracts import agreements as contracts
from mitra_shared.contracts.agreements import FundingSource
from mitra_shared.documents import DocumentView, documents_of, documents_of_many
from mitra_shared.errors import NotFound
from mitra_shared.uow import Transaction, UnitOfWork


async def create_obligations(
    conn: asyncpg.Connection,
    msp_id: UUID,
    planned: Sequence[PlannedObligation],
    reminder_days: Sequence[int],
    now: datetime,
) -> list[asyncpg.Record]:
    """Create the planned obligations of an MSP (inside the change that signs or extends it); return those that
    did not exist yet."""
    created = []
    for obligation in planned:
        row = await conn.fetchrow(
            *OBLIGATIONS.insert_obligation(
                id=uuid.uuid4(),
                msp_id=msp_id,
                kind=obligation.kind,
                period=obligation.period,
                region_code=obligation.region_code,
                province_code=obligation.province_code,
                due_on=obligation.due_on,
                next_check_on=first_check_of(obligation, reminder_days, jakarta_date(now)),
                now=now,
            )
        )
        if row is not None:
            created.append(row)
    return created


def _readable(ctx: Context, obligation: asyncpg.Record | None) -> bool:
    return obligation is not None and access.may_read_obligation(
        ctx.principal, parties(obligation), obligation["region_code"]
    )


async def _locked_obligation(conn: asyncpg.Connection, ctx: Context, obligation_id: UUID) -> asyncpg.Record:
    row = await conn.fetchrow(*OBLIGATIONS.get_obligation_for_update(obligation_id=obligation_id))
    if row is None or not _readable(ctx, row):
        raise NotFound("path.obligation_id", f"no obligation {obligation_id}")
    return row


async def _locked_submission(
    conn: asyncpg.Connection, ctx: Context, submission_id: UUID
) -> tuple[asyncpg.Record, asyncpg.Record]:
    """A submission and its obligation, locked for a decision; unknown (404) to a caller who may not read them."""
    submission = await conn.fetchrow(*OBLIGATIONS.get_submission_for_update(submission_id=submission_id))
    if submission is not None:
        obligation = await conn.fetchrow(
            *OBLIGATIONS.get_obligation_for_update(obligation_id=submission["obligation_id"])
        )
        if obligation is not None and _readable(ctx, obligation):
            return submission, obligation
    raise NotFound("path.submission_id", f"no submission {submission_id}")


def audit_obligations_created(tx: Transaction, created: Sequence[asyncpg.Record]) -> None:
    """An entry for each obligation signing or extending an MSP created."""
    for row in created:
        tx.audit("obligation.created", "obligation", row["id"], before=None, after=values(Obligation, row))


def audit_obligations_closed(tx: Transaction, closed: Sequence[asyncpg.Record]) -> None:
    """An entry for each obligation an MSP's extension or end closed (the rows of `close_open_obligations` or
    `close_extension_decision`, which carry their status and next check before)."""
    for row in closed:
        earlier = dict(row) | {"status": row["previous_status"], "next_check_on": row["previous_next_check_on"]}
        tx.audit(
            "obligation.closed",
            "obligation",
            row["id"],
            before=values(Obligation, earlier),
            after=values(Obligation, row),
        )


def _audit_obligation(tx: Transaction, action: str, before: asyncpg.Record, after: asyncpg.Record | None) -> None:
    """The obligation's own entry for the status a submission or a decision moved it to."""
    tx.audit(action, "obligation", before["id"], before=values(Obligation, before), after=values(Obligation, after))


async def submit_obligation(
    uow: UnitOfWork, ctx: Context, obligation_id: UUID, command: SubmitObligation
) -> Submission:
    async with uow.change(ctx) as tx:
        obligation = await _locked_obligation(tx.conn, ctx, obligation_id)
        access.check_ngo_acts_for(ctx.principal, obligation["organization_id"])
        event_type = rules.check_submission(
            kind=obligation["kind"], status=obligation["status"], msp_status=obligation["msp_status"]
        )
        latest = await tx.conn.fetchrow(*OBLIGATIONS.latest_submission(obligation_id=obligation_id))
        attempt = 1 if latest is None else latest["attempt"] + 1
        late = jakarta_date(tx.now) > obligation["due_on"]
        row = await tx.conn.fetchrow(
            *OBLIGATIONS.insert_submission(
                id=uuid.uuid4(),
                obligation_id=obligation_id,
                attempt=attempt,
                summary=command.summary,
                document_ref=command.document_ref,
                funding=[item.model_dump() for item in command.funding],
                late=late,
                submitted_by=tx.actor,
                now=tx.now,
            )
        )
        changed = await tx.conn.fetchrow(
            *OBLIGATIONS.set_obligation_status(
                obligation_id=obligation_id, status="submitted", next_check_on=None, now=tx.now
            )
        )
        event = event_type.model_validate(
            {
                **obligation_facts(obligation),
                "submission_id": row["id"],
                "attempt": attempt,
                "summary": command.summary,
                "document_ref": command.document_ref,
                "funding": command.funding,
                "late": late,
                "submitted_by": tx.actor,
                "submitted_at": tx.now,
            }
        )
        tx.publish(event, subject=str(obligation_id))
        tx.audit("submission.submitted", "submission", row["id"], before=None, after=values(Submission, row))
        _audit_obligation(tx, "obligation.submitted", obligation, changed)
    return view(Submission, row)


async def decide_submission(
    uow: UnitOfWork, ctx: Context, submission_id: UUID, command: DecideSubmission, *, accept: bool
) -> Submission:
    async with uow.change(ctx) as tx:
        submission, obligation = await _locked_submission(tx.conn, ctx, submission_id)
        access.check_decide_submission(
            ctx.principal,
            parties(obligation),
            kind=obligation["kind"],
            region_code=obligation["region_code"],
            submitted_by=submission["submitted_by"],
        )
        decision = rules.decide(
            kind=obligation["kind"],
            submission_status=submission["status"],
            accept=accept,
            today=jakarta_date(tx.now),
            obligation_status=obligation["status"],
        )
        row = await tx.conn.fetchrow(
            *OBLIGATIONS.decide_submission(
                submission_id=submission_id,
                decision=decision.status,
                comments=command.comments,
                decided_by=tx.actor,
                now=tx.now,
            )
        )
        changed = await tx.conn.fetchrow(
            *OBLIGATIONS.set_obligation_status(
                obligation_id=obligation["id"],
                status=decision.status,
                next_check_on=decision.next_check_on,
                now=tx.now,
            )
        )
        event = decision.event_type.model_validate(
            {
                **obligation_facts(obligation),
                "submission_id": submission_id,
                "attempt": submission["attempt"],
                "comments": command.comments,
                "decided_by": tx.actor,
                "decided_at": tx.now,
            }
        )
        tx.publish(event, subject=str(obligation["id"]))
        before, after = values(Submission, submission), values(Submission, row)
        tx.audit(f"submission.{decision.status}", "submission", submission_id, before=before, after=after)
        _audit_obligation(tx, f"obligation.{decision.status}", obligation, changed)
    return view(Submission, row)


async def submissions_of(uow: UnitOfWork, ctx: Context, obligation_id: UUID) -> list[SubmissionDetail]:
    """Every submission of an obligation, first to last, each with its documents."""
    async with uow.read() as conn:
        if not _readable(ctx, await conn.fetchrow(*OBLIGATIONS.get_obligation(obligation_id=obligation_id))):
            raise NotFound("path.obligation_id", f"no obligation {obligation_id}")
        rows = await conn.fetch(*OBLIGATIONS.submissions_of(obligation_id=obligation_id))
        attached = await documents_of_many(conn, "submission", [row["id"] for row in rows])
    return [SubmissionDetail(**view(Submission, row).model_dump(), documents=attached[row["id"]]) for row in rows]


class CommentSubmission(BaseModel):
    """Command: an office comments on a submission (the ministry on a region's work plan it does not decide)."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"comment": "Please align the budget with the regional plan (RPJMD)"}]},
    )

    comment: str = Field(min_length=3, max_length=5000)


class SubmissionComment(BaseModel):
    comment: str
    office_kind: Literal["ministry", "region"]
    office_code: str
    commented_by: str
    commented_at: datetime


class SubmissionWithComments(BaseModel):
    """One submission as `GET /submissions/{id}` shows it: `comments` are the offices' comments on it;
    `decision_comments` the reviewer's text with the acceptance or return."""

    id: UUID
    obligation_id: UUID
    attempt: int
    summary: str
    document_ref: str | None
    funding: list[FundingSource]
    status: Literal["submitted", "accepted", "returned"]
    late: bool
    submitted_by: str
    submitted_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_comments: str | None = Field(description="The reviewer's comments with the decision.")
    comments: list[SubmissionComment] = Field(description="The offices' comments on it, first to last.")
    documents: list[DocumentView]


async def comment_submission(
    uow: UnitOfWork, ctx: Context, submission_id: UUID, command: CommentSubmission
) -> SubmissionComment:
    """The Mitra Utama, or a region's office that reads the submission, comments; the NGO (and the work plan's
    region) are told (`agreements.submission.commented`)."""
    async with uow.change(ctx) as tx:
        submission, obligation = await _locked_submission(tx.conn, ctx, submission_id)
        access.check_comment(ctx.principal, parties(obligation))
        ministry = ministry_of(ctx.principal) if has_role(ctx.principal, "ministry") else None
        office_kind, office_code = ("ministry", ministry) if ministry else ("region", region_of(ctx.principal))
        assert office_code is not None
        row = await tx.conn.fetchrow(
            *OBLIGATIONS.insert_comment(
                id=uuid.uuid4(),
                submission_id=submission_id,
                comment=command.comment,
                office_kind=office_kind,
                office_code=office_code,
                commented_by=tx.actor,
                now=tx.now,
            )
        )
        assert row is not None
        tx.publish(
            contracts.SubmissionCommented(
                **obligation_facts(obligation),
                submission_id=submission_id,
                attempt=submission["attempt"],
                comment=command.comment,
                office_kind=office_kind,
                office_code=office_code,
                commented_by=tx.actor,
                commented_at=tx.now,
            ),
            subject=str(obligation["id"]),
        )
        comment = view(SubmissionComment, row)
        tx.audit(
            "submission.commented", "submission", submission_id, before=None, after=comment.model_dump(mode="json")
        )
    return comment


async def get_submission(uow: UnitOfWork, ctx: Context, submission_id: UUID) -> SubmissionWithComments:
    """One submission with the offices' comments and its documents (the report, RKT or Action Plan file and its
    annexes); unknown (404) to a caller who may not read its obligation."""
    async with uow.read() as conn:
        row = await conn.fetchrow(*OBLIGATIONS.get_submission(submission_id=submission_id))
        obligation = (
            None
            if row is None
            else await conn.fetchrow(*OBLIGATIONS.get_obligation(obligation_id=row["obligation_id"]))
        )
        if row is None or not _readable(ctx, obligation):
            raise NotFound("path.submission_id", f"no submission {submission_id}")
        comments = await conn.fetch(*OBLIGATIONS.comments_of(submission_id=submission_id))
        attached = await documents_of(conn, "submission", submission_id)
    return SubmissionWithComments(
        **view(Submission, row).model_dump(exclude={"comments"}),
        decision_comments=row["comments"],
        comments=[view(SubmissionComment, comment) for comment in comments],
        documents=attached,
    )
