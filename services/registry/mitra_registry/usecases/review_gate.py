"""The review of an application as the NGO's own use cases meet it: opened at registration, asked before TPOA
registers the applicant (see `domain.reviews`). The review's own use cases (read, answer) are in `reviews`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

import asyncpg

from mitra_registry.domain.organizations import Organization
from mitra_registry.domain.reviews import ApplicationReview, ReviewAnswer, answer_by, check_decidable, review_state
from mitra_registry.sql import REVIEWS
from mitra_shared.clock import jakarta_date
from mitra_shared.contracts.registry import ApplicationReviewRequested
from mitra_shared.uow import Transaction


@dataclass(frozen=True)
class ReviewPolicy:
    """TPOA's members asked to review each application (`MITRA_TPOA_MEMBERS`) and the days they have."""

    members: tuple[str, ...] = ()
    days: int = 14


NO_REVIEW = ReviewPolicy()
"""No members: TPOA decides alone."""


@dataclass(frozen=True)
class ReviewRequest:
    """The members' review a new applicant is asked for, opened with its row (`sql/organizations.sql`,
    `register_organization`)."""

    members: tuple[str, ...]
    answer_by: date


def review_request(policy: ReviewPolicy, status: str, now: datetime) -> ReviewRequest | None:
    """The review a new NGO of `status` registered at `now` is asked for: None without members, or when it does not
    enter as an applicant."""
    if not policy.members or status != "applicant":
        return None
    return ReviewRequest(members=policy.members, answer_by=answer_by(jakarta_date(now), policy.days))


def announce_review(tx: Transaction, organization: Organization, request: ReviewRequest) -> None:
    """The event and the audit entry of the review opened with the NGO's registration."""
    members = list(request.members)
    tx.publish(
        ApplicationReviewRequested(
            organization_id=organization.id,
            organization_name=organization.legal_name,
            country_of_origin=organization.country_of_origin,
            members=members,
            answer_by=request.answer_by,
            requested_by=tx.actor,
            requested_at=tx.now,
        ),
        subject=str(organization.id),
    )
    tx.audit(
        "application.review_requested",
        "organization",
        organization.id,
        before=None,
        after={"members": members, "answer_by": request.answer_by.isoformat()},
    )


async def load_review(conn: asyncpg.Connection, organization_id: uuid.UUID, today: date) -> ApplicationReview | None:
    """Where the NGO's application review stands on `today`, or None when it has none."""
    row = await conn.fetchrow(*REVIEWS.get_review(organization_id=organization_id))
    if row is None:
        return None
    answers = [
        ReviewAnswer.model_validate(dict(answer))
        for answer in await conn.fetch(*REVIEWS.review_answers(organization_id=organization_id))
    ]
    return review_state(row["members"], row["answer_by"], answers, today)


async def require_decidable(conn: asyncpg.Connection, organization_id: uuid.UUID, today: date) -> None:
    """Refuse (409 naming `review`) registering an applicant its review does not allow yet; no review: allowed."""
    review = await load_review(conn, organization_id, today)
    if review is not None:
        check_decidable(review)
