"""TPOA's review as a team: a submitted MSP, or a proposed extension of one, goes to TPOA's member ministries
(`Policy.tpoa_members`); each clears or objects once, with a note. One objection blocks TPOA's approval; so do
members still awaited while the review period runs (to `answer_by`). Rejecting is allowed any time. Without
members there is no review: TPOA decides alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from mitra_agreements.domain.msps import IN_FORCE
from mitra_shared.errors import Conflict

ReviewSubject = Literal["msp", "extension"]
Verdict = Literal["cleared", "objected"]


@dataclass(frozen=True)
class Answer:
    member_code: str
    verdict: Verdict
    note: str | None
    answered_by: str
    answered_at: datetime


@dataclass(frozen=True)
class Review:
    """A review as the rules read it: who was asked, by when, what they answered, and whether it is still open."""

    subject: ReviewSubject
    members: tuple[str, ...]
    answer_by: date
    answers: tuple[Answer, ...]
    is_open: bool = True

    @property
    def awaiting(self) -> list[str]:
        answered = {answer.member_code for answer in self.answers}
        return [code for code in self.members if code not in answered]

    @property
    def objected(self) -> list[str]:
        return [answer.member_code for answer in self.answers if answer.verdict == "objected"]

    def decidable(self, today: date) -> bool:
        """TPOA may approve: nobody objects, and every member answered or the review period has passed."""
        return is_decidable(awaiting=self.awaiting, objected=self.objected, answer_by=self.answer_by, today=today)


def is_decidable(*, awaiting: Sequence[str], objected: Sequence[str], answer_by: date, today: date) -> bool:
    """Nobody objects, and every member answered or the review period has passed."""
    return not objected and (not awaiting or today > answer_by)


def answer_by(today: date, review_days: int) -> date:
    return today + timedelta(days=review_days)


def members_to_ask(members: Sequence[str]) -> tuple[str, ...]:
    """The member ministries a new review asks (none: no review)."""
    return tuple(dict.fromkeys(code.strip().upper() for code in members if code.strip()))


def check_decidable(review: Review | None, today: date) -> None:
    """TPOA's approval (of an MSP or an extension) waits for its review: 409 on `review` while a member objects, or
    members are awaited and today is not past `answer_by`. No open review: nothing to wait for."""
    if review is None or not review.is_open:
        return
    if review.objected:
        raise Conflict(
            "review", f"{', '.join(review.objected)} objected; TPOA cannot approve while an objection stands"
        )
    if review.awaiting and today <= review.answer_by:
        raise Conflict(
            "review",
            f"awaiting the answers of {', '.join(review.awaiting)} until {review.answer_by}; TPOA may decide "
            "without them after that day",
        )


def check_answer(review: Review | None, member_code: str) -> None:
    """A member answers an open review once."""
    if review is None or not review.is_open:
        raise Conflict("review", "the MSP has no open review to answer")
    if member_code not in review.members:
        raise Conflict("review", f"{member_code} is not among the members asked ({', '.join(review.members)})")
    if any(answer.member_code == member_code for answer in review.answers):
        raise Conflict("review", f"{member_code} has already answered this review")


def check_msp_under_review(subject: ReviewSubject, msp_status: str) -> None:
    """A review of the MSP itself is answered (and decided) only while the MSP is `submitted`; a review of an
    extension, or TPOA's decision on one, only while the MSP is in force (409 on `msp.status`)."""
    if subject == "msp" and msp_status != "submitted":
        raise Conflict("msp.status", f"the MSP is {msp_status}, no longer submitted for TPOA's review")
    if subject == "extension" and msp_status not in IN_FORCE:
        raise Conflict("msp.status", f"the MSP is {msp_status}, no longer in force: nothing left to extend")
