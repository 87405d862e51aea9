"""The review of an NGO's application by TPOA's member ministries, free of I/O.

When an NGO enters the register as an `applicant`, each member ministry (`MITRA_TPOA_MEMBERS`, as configured then)
is asked to clear or object; they have `MITRA_TPOA_REVIEW_DAYS` days (until `answer_by`, included). TPOA (the
secretariat) moves the applicant to `registered` only when the review is decidable: no member objected, and every
member answered or `answer_by` has passed. With no members configured no review is opened and TPOA decides alone;
an NGO without a review (entered before reviews existed) is decided as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from mitra_shared.errors import Conflict
from mitra_shared.paging import MAX_OFFSET

ReviewVerdict = Literal["cleared", "objected"]
REVIEW_FIELD = "review"
"""The field a refusal for the review's sake names."""


def answer_by(today: date, review_days: int) -> date:
    """The last day the members have to answer a review opened today."""
    return today + timedelta(days=review_days)


class AnswerReview(BaseModel):
    """Command: a member ministry clears or objects to an application."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {"verdict": "cleared"},
                {"verdict": "objected", "note": "The NGO's founders are under investigation"},
            ]
        },
    )

    verdict: ReviewVerdict = Field(description="`cleared` or `objected`; one objection blocks the application.")
    note: str | None = Field(None, max_length=2000, description="Why, for TPOA.")


class ReviewAnswer(BaseModel):
    member_code: str = Field(examples=["KEMENDAGRI"])
    verdict: ReviewVerdict
    note: str | None
    answered_by: str
    answered_at: datetime


class ApplicationReview(BaseModel):
    """Where the member ministries' review of an application stands."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "members": ["KEMENDAGRI", "POLRI", "BIN"],
                    "answer_by": "2026-03-16",
                    "answers": [
                        {
                            "member_code": "POLRI",
                            "verdict": "cleared",
                            "note": None,
                            "answered_by": "polri-officer-2",
                            "answered_at": "2026-03-04T02:00:00Z",
                        }
                    ],
                    "awaiting": ["KEMENDAGRI", "BIN"],
                    "objected": [],
                    "decidable": False,
                }
            ]
        }
    )

    members: list[str] = Field(description="The member ministries asked.")
    answer_by: date = Field(description="Their last day to answer; after it TPOA may decide without the missing ones.")
    answers: list[ReviewAnswer]
    awaiting: list[str] = Field(description="Members that have not answered.")
    objected: list[str] = Field(description="Members that objected.")
    decidable: bool = Field(description="Whether TPOA may register the applicant now.")


def review_state(members: Sequence[str], due: date, answers: Sequence[ReviewAnswer], today: date) -> ApplicationReview:
    answered = {answer.member_code for answer in answers}
    awaiting = [code for code in members if code not in answered]
    objected = [answer.member_code for answer in answers if answer.verdict == "objected"]
    decidable = is_decidable(awaiting, objected, due, today)
    return ApplicationReview(
        members=list(members),
        answer_by=due,
        answers=list(answers),
        awaiting=awaiting,
        objected=objected,
        decidable=decidable,
    )


def is_decidable(awaiting: Sequence[str], objected: Sequence[str], due: date, today: date) -> bool:
    """Whether TPOA may register the applicant on `today`: no objection, and no member awaited or `due` passed."""
    return not objected and (not awaiting or today > due)


def check_decidable(review: ApplicationReview) -> None:
    """Refuse (Conflict naming `review`) registering an applicant whose review does not allow it yet."""
    if review.objected:
        raise Conflict(REVIEW_FIELD, f"objected by the TPOA member(s) {', '.join(review.objected)}")
    if not review.decidable:
        raise Conflict(
            REVIEW_FIELD,
            f"awaiting the TPOA member(s) {', '.join(review.awaiting)} until {review.answer_by.isoformat()}",
        )


def check_answer(review: ApplicationReview, member_code: str | None, organization_status: str) -> str:
    """The member answering (Conflict when it may not answer now); the caller has checked it is a member."""
    if organization_status != "applicant":
        raise Conflict(None, f"the application was decided: the NGO is {organization_status}")
    if member_code in {answer.member_code for answer in review.answers}:
        raise Conflict(None, f"{member_code} already answered this review")
    assert member_code is not None
    return member_code


class ReviewQueueQuery(BaseModel):
    """Filter and page of the open application reviews; an unknown parameter is refused."""

    model_config = ConfigDict(extra="forbid")

    awaiting: bool | None = Field(
        None,
        description="A ministry: `true` (its default) the reviews still awaiting its own answer, `false` those it "
        "answered. TPOA, auditor, integration: `true` those where some member is still awaited, `false` those every "
        "member answered; unset: all.",
    )
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class ReviewQueueItem(BaseModel):
    """An open application review (the NGO still an applicant) as the queue lists it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "organization_id": "0b7e4f2c-8d0e-4a55-9f3e-2d6c1f0a9b11",
                    "organization_name": "Winrock International",
                    "country_of_origin": "US",
                    "members": ["KEMENDAGRI", "POLRI", "BIN"],
                    "answer_by": "2026-03-16",
                    "awaiting": ["KEMENDAGRI", "BIN"],
                    "objected": [],
                    "decidable": False,
                    "requested_at": "2026-03-02T03:00:00Z",
                }
            ]
        }
    )

    organization_id: UUID
    organization_name: str
    country_of_origin: str
    members: list[str]
    answer_by: date
    awaiting: list[str] = Field(description="Members that have not answered.")
    objected: list[str] = Field(description="Members that objected.")
    decidable: bool = Field(description="Whether TPOA may register the applicant now.")
    requested_at: datetime


class ReviewQueuePage(BaseModel):
    items: list[ReviewQueueItem]
    total: int
    limit: int
    offset: int
