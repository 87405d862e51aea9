"""The queue of TPOA's open member reviews (`GET /reviews`): what a member ministry still has to answer, and for
TPOA and the auditor the reviews still waiting for some member. Sorted by `answer_by`, paged."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from mitra_agreements.domain import reviews as rules
from mitra_agreements.domain.queues import ReviewQuery
from mitra_agreements.sql import REVIEWS
from mitra_agreements.usecases.event_facts import organization_party
from mitra_shared.access import has_role, ministry_of
from mitra_shared.clock import jakarta_date
from mitra_shared.context import Context
from mitra_shared.contracts.agreements import OrganizationParty
from mitra_shared.uow import UnitOfWork


class ReviewItem(BaseModel):
    review_id: UUID
    msp_id: UUID
    subject: Literal["msp", "extension"]
    title: str
    organization: OrganizationParty
    ministry_code: str = Field(description="The MSP's Mitra Utama.")
    proposed_ends_on: date | None = Field(description="The end date an extension under review would give the MSP.")
    members: list[str]
    answer_by: date = Field(description="After this day TPOA may decide without the missing answers.")
    awaiting: list[str]
    objected: list[str]
    decidable: bool = Field(description="TPOA may approve now: no objection, and every answer in or time is up.")
    requested_at: datetime


async def list_reviews(uow: UnitOfWork, ctx: Context, query: ReviewQuery) -> tuple[list[ReviewItem], int]:
    """A page of the open reviews the caller follows, and how many there are: a ministry only those that asked it
    (by default those awaiting its own answer), TPOA, the auditor and integrations all (by default those awaiting
    some member)."""
    member_code = ministry_of(ctx.principal) if has_role(ctx.principal, "ministry") else None
    if has_role(ctx.principal, "ministry") and not member_code:
        return [], 0
    today = jakarta_date(ctx.now)
    async with uow.read() as conn:
        rows = await conn.fetch(
            *REVIEWS.list_open_reviews(
                member_code=member_code, awaiting=query.awaiting, limit=query.limit, offset=query.offset
            )
        )
    items = [
        ReviewItem(
            review_id=row["review_id"],
            msp_id=row["msp_id"],
            subject=row["subject"],
            title=row["title"],
            organization=organization_party(row),
            ministry_code=row["ministry_code"],
            proposed_ends_on=row["proposed_ends_on"] if row["subject"] == "extension" else None,
            members=list(row["members"]),
            answer_by=row["answer_by"],
            awaiting=list(row["awaiting"]),
            objected=list(row["objected"]),
            decidable=rules.is_decidable(
                awaiting=row["awaiting"], objected=row["objected"], answer_by=row["answer_by"], today=today
            ),
            requested_at=row["requested_at"],
        )
        for row in rows
    ]
    return items, (rows[0]["total"] if rows else 0)
