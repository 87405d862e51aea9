"""The review of an application as the NGO's own use cases meet it: opened at registration, asked before TPOA
registers the applicant (see `domain.reviews`). The review's own use cases (read, answer) are in `reviews`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

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


async def open_review(tx: Transaction, organization: Organization, policy: ReviewPolicy) -> None:
    """Ask the members to review a new applicant (nothing when there are none), with its event."""
    if not policy.members or organization.status != "applicant":
        return
    due = answer_by(jakarta_date(tx.now), policy.days)
    await tx.conn.execute(
        *REVIEWS.insert_review(
            organization_id=organization.id,
            members=list(policy.members),
            answer_by=due,
            requested_by=tx.actor,
            now=tx.now,
        )
    )
    tx.publish(
        ApplicationReviewRequested(
            organization_id=organization.id,
            organization_name=organization.legal_name,
            country_of_origin=organization.country_of_origin,
            members=list(policy.members),
            answer_by=due,
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
        after={"members": list(policy.members), "answer_by": due.isoformat()},
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
