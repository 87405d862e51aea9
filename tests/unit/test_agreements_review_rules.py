"""TPOA's review as a team (`domain/reviews.py`), the sanctions' rules of MSPs (`domain/msps.py`) and the members of
the settings: pure rules, no I/O."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from mitra_agreements.domain import msps, reviews
from mitra_agreements.settings import AgreementsSettings
from mitra_shared.errors import Conflict

DAY = date(2027, 1, 5)
AT = datetime(2027, 1, 5, 9)


def answer(code: str, verdict: reviews.Verdict) -> reviews.Answer:
    return reviews.Answer(code, verdict, None, f"{code.lower()}-officer", AT)


def review(*answers: reviews.Answer, is_open: bool = True) -> reviews.Review:
    return reviews.Review("msp", ("KEMENDAGRI", "POLRI"), date(2027, 1, 19), tuple(answers), is_open)


def test_approval_waits_for_every_member_or_the_end_of_the_period_and_one_objection_blocks() -> None:
    waiting = review(answer("KEMENDAGRI", "cleared"))
    assert (waiting.awaiting, waiting.objected) == (["POLRI"], [])
    for today in (DAY, date(2027, 1, 19)):
        assert not waiting.decidable(today)
        with pytest.raises(Conflict, match="POLRI") as refused:
            reviews.check_decidable(waiting, today)
        assert refused.value.field == "review"
    assert waiting.decidable(date(2027, 1, 20))
    reviews.check_decidable(waiting, date(2027, 1, 20))

    cleared = review(answer("KEMENDAGRI", "cleared"), answer("POLRI", "cleared"))
    assert cleared.decidable(DAY)
    objected = review(answer("KEMENDAGRI", "cleared"), answer("POLRI", "objected"))
    assert not objected.decidable(date(2030, 1, 1))
    with pytest.raises(Conflict, match="objected"):
        reviews.check_decidable(objected, date(2030, 1, 1))
    reviews.check_decidable(None, DAY)  # no members: TPOA decides alone
    reviews.check_decidable(review(is_open=False), DAY)


def test_a_member_answers_an_open_review_once() -> None:
    reviews.check_answer(review(), "POLRI")
    for current, code in (
        (review(answer("POLRI", "cleared")), "POLRI"),
        (review(is_open=False), "POLRI"),
        (None, "POLRI"),
        (review(), "KEMENSOS"),
    ):
        with pytest.raises(Conflict) as refused:
            reviews.check_answer(current, code)
        assert refused.value.field == "review"
    assert reviews.answer_by(DAY, 14) == date(2027, 1, 19)
    assert reviews.members_to_ask([" polri", "POLRI", "", "bin"]) == ("POLRI", "BIN")


def test_a_freeze_refuses_with_its_reason_and_a_revocation_ends_or_refuses_each_msp() -> None:
    msps.check_not_frozen([], "Plan International", field="body.organization_id")
    with pytest.raises(Conflict, match="Political activity") as refused:
        msps.check_not_frozen(["Political activity"], "Plan International", field="body.organization_id")
    assert refused.value.field == "body.organization_id"
    outcomes = {status: msps.revocation_outcome(status) for status in msps.ALLOWED_FROM["submit"] | msps.IN_FORCE}
    assert outcomes == {"draft": "reject", "signed": "terminate", "active": "terminate", "extended": "terminate"}
    assert [msps.revocation_outcome(s) for s in ("submitted", "approved", "rejected", "ended", "terminated")] == [
        "reject",
        "reject",
        None,
        None,
        None,
    ]


def test_the_members_are_read_comma_separated_and_none_means_tpoa_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MITRA_TPOA_MEMBERS", "kemendagri, POLRI,,BIN")
    monkeypatch.setenv("MITRA_TPOA_REVIEW_DAYS", "21")
    policy = AgreementsSettings(environment="test").policy()
    assert (policy.tpoa_members, policy.tpoa_review_days) == (("KEMENDAGRI", "POLRI", "BIN"), 21)
    monkeypatch.setenv("MITRA_TPOA_MEMBERS", "")
    assert AgreementsSettings(environment="test").policy().tpoa_members == ()
    monkeypatch.delenv("MITRA_TPOA_MEMBERS")
    assert len(AgreementsSettings(environment="test").policy().tpoa_members) == 6


def test_a_review_is_answered_and_decided_only_while_the_msp_is_in_the_state_it_is_about() -> None:
    reviews.check_msp_under_review("msp", "submitted")
    for status in ("signed", "active", "extended"):
        reviews.check_msp_under_review("extension", status)
    for subject, status in (
        ("msp", "rejected"),
        ("msp", "approved"),
        ("extension", "ended"),
        ("extension", "terminated"),
    ):
        with pytest.raises(Conflict) as refused:
            reviews.check_msp_under_review(subject, status)  # type: ignore[arg-type]
        assert refused.value.field == "msp.status"


def test_decidable_from_the_awaited_and_the_objections() -> None:
    answer_by = date(2027, 1, 19)
    assert reviews.is_decidable(awaiting=[], objected=[], answer_by=answer_by, today=DAY)
    assert not reviews.is_decidable(awaiting=["POLRI"], objected=[], answer_by=answer_by, today=answer_by)
    assert reviews.is_decidable(awaiting=["POLRI"], objected=[], answer_by=answer_by, today=date(2027, 1, 20))
    assert not reviews.is_decidable(awaiting=[], objected=["POLRI"], answer_by=answer_by, today=date(2027, 2, 1))
