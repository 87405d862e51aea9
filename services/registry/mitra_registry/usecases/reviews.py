"""Use cases of the TPOA members' review of an application (see `domain.reviews`): reading where it stands, the
queue of open reviews (a member ministry's: those that asked it), and a member ministry's answer, with
`registry.application.review_answered`. Opening the review and the gate on registering the applicant are the NGO's
own use cases' (`review_gate`)."""

from __future__ import annotations

import uuid

from mitra_registry.domain.reviews import (
    AnswerReview,
    ApplicationReview,
    ReviewAnswer,
    ReviewQueueItem,
    ReviewQueueQuery,
    check_answer,
    is_decidable,
    review_state,
)
from mitra_registry.sql import REVIEWS
from mitra_registry.usecases.organizations import lock_organization_record, require_organization
from mitra_registry.usecases.review_gate import load_review
from mitra_shared.access import has_role, ministry_of, require
from mitra_shared.clock import jakarta_date
from mitra_shared.context import Context
from mitra_shared.contracts.registry import ApplicationReviewAnswered
from mitra_shared.errors import NotFound
from mitra_shared.uow import UnitOfWork


async def get_review(uow: UnitOfWork, ctx: Context, organization_id: uuid.UUID) -> ApplicationReview:
    """Where the NGO's application review stands today (404 when it has none)."""
    async with uow.read() as conn:
        await require_organization(conn, organization_id)
        review = await load_review(conn, organization_id, jakarta_date(ctx.now))
    if review is None:
        raise _no_review(organization_id)
    return review


async def list_open_reviews(
    uow: UnitOfWork, ctx: Context, query: ReviewQueueQuery
) -> tuple[list[ReviewQueueItem], int]:
    """One page of the open application reviews, soonest `answer_by` first, and how many in all. A ministry sees
    those that asked it, by default those still awaiting its answer; TPOA, auditor and integration see all."""
    member_code: str | None = None
    awaiting = query.awaiting
    if has_role(ctx.principal, "ministry"):
        member_code = ministry_of(ctx.principal)
        require(member_code is not None, "a ministry account without a ministry code answers no review")
        awaiting = True if awaiting is None else awaiting
    today = jakarta_date(ctx.now)
    async with uow.read() as conn:
        rows = await conn.fetch(
            *REVIEWS.list_open_reviews(
                member_code=member_code, awaiting=awaiting, limit=query.limit, offset=query.offset
            )
        )
    total: int = rows[0]["total"]
    items = [
        ReviewQueueItem.model_validate(
            {**dict(row), "decidable": is_decidable(row["awaiting"], row["objected"], row["answer_by"], today)}
        )
        for row in rows
        if row["organization_id"] is not None
    ]
    return items, total


async def answer_review(
    uow: UnitOfWork, ctx: Context, organization_id: uuid.UUID, command: AnswerReview
) -> ApplicationReview:
    """A member ministry clears or objects to an application, once; a ministry not asked is refused (403)."""
    async with uow.change(ctx) as tx:
        organization = await lock_organization_record(tx.conn, organization_id)
        today = jakarta_date(tx.now)
        review = await load_review(tx.conn, organization_id, today)
        if review is None:
            raise _no_review(organization_id)
        code = ministry_of(ctx.principal)
        require(
            has_role(ctx.principal, "ministry") and code in review.members,
            "only the TPOA member ministries asked answer this review",
        )
        member = check_answer(review, code, organization.status)
        row = await tx.conn.fetchrow(
            *REVIEWS.insert_answer(
                organization_id=organization_id,
                member_code=member,
                verdict=command.verdict,
                note=command.note,
                answered_by=tx.actor,
                now=tx.now,
            )
        )
        assert row is not None, "the NGO's lock serialises answers"
        answer = ReviewAnswer.model_validate(dict(row))
        after = review_state(review.members, review.answer_by, [*review.answers, answer], today)
        tx.publish(
            ApplicationReviewAnswered(
                organization_id=organization_id,
                organization_name=organization.legal_name,
                member_code=member,
                verdict=answer.verdict,
                note=answer.note,
                awaiting=after.awaiting,
                objected=after.objected,
                answered_by=answer.answered_by,
                answered_at=answer.answered_at,
            ),
            subject=str(organization_id),
        )
        tx.audit(
            "application.review_answered",
            "organization",
            organization_id,
            before=None,
            after=answer.model_dump(mode="json"),
        )
    return after


def _no_review(organization_id: uuid.UUID) -> NotFound:
    return NotFound("path.organization_id", f"no application review of organization {organization_id}")
