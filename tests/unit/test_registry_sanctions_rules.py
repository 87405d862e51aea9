"""Issue 14's registry rules without I/O: sanctions, the member ministries' review of an application, and a foreign
expert's five years in all."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from mitra_agreements.settings import AgreementsSettings
from mitra_registry.domain.reviews import ReviewAnswer, check_answer, check_decidable, is_decidable, review_state
from mitra_registry.domain.sanctions import (
    ImposeSanction,
    check_lift,
    check_status_change,
    decide_imposition,
    has_expired,
    status_after_freeze,
)
from mitra_registry.domain.staff import Period, check_person_total, days_covered, person_limit_days
from mitra_registry.settings import RegistrySettings
from mitra_shared.errors import Conflict, RuleBroken

TODAY = date(2026, 3, 2)


def sanction(kind: str = "warning", **fields: object) -> ImposeSanction:
    return ImposeSanction.model_validate({"kind": kind, "category": "other", "reason": "for the test", **fields})


@pytest.mark.parametrize(
    ("kind", "status", "new_status", "revokes"),
    [
        ("warning", "active", None, False),
        ("warning", "applicant", None, False),
        ("freeze", "active", "suspended", False),
        ("freeze", "registered", "suspended", False),
        ("revocation", "suspended", "revoked", True),
        ("revocation", "active", "revoked", True),
    ],
)
def test_what_a_sanction_does_to_the_ngo(kind: str, status: str, new_status: str | None, revokes: bool) -> None:
    decision = decide_imposition(sanction(kind), status, frozen=False, today=TODAY)
    assert (decision.new_status, decision.revokes_permits) == (new_status, revokes)


@pytest.mark.parametrize(
    ("kind", "status", "frozen"),
    [
        ("warning", "revoked", False),
        ("freeze", "closed", False),
        ("freeze", "suspended", False),
        ("freeze", "active", True),
        ("freeze", "applicant", False),
        ("revocation", "applicant", False),
    ],
)
def test_sanctions_refused_by_the_ngos_state(kind: str, status: str, frozen: bool) -> None:
    with pytest.raises(Conflict):
        decide_imposition(sanction(kind), status, frozen=frozen, today=TODAY)


def test_the_end_date_of_a_sanction() -> None:
    with pytest.raises(ValidationError, match="a revocation is final"):
        sanction("revocation", ends_on="2026-12-31")
    with pytest.raises(RuleBroken):
        decide_imposition(sanction("freeze", ends_on="2026-03-01"), "active", frozen=False, today=TODAY)
    decide_imposition(sanction("freeze", ends_on=TODAY.isoformat()), "active", frozen=False, today=TODAY)
    assert not has_expired(TODAY, TODAY)
    assert has_expired(TODAY, TODAY + timedelta(days=1))
    assert not has_expired(None, date(2099, 1, 1))


def test_lifting_and_the_status_a_freeze_returns_to() -> None:
    assert status_after_freeze("freeze", "suspended", "active") == "active"
    assert status_after_freeze("freeze", "revoked", "active") is None
    assert status_after_freeze("warning", "suspended", None) is None
    from mitra_registry.domain.sanctions import Sanction

    base = {
        "id": "7c1e2d3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
        "organization_id": "0b7e4f2c-8d0e-4a55-9f3e-2d6c1f0a9b11",
        "category": "other",
        "reason": "r",
        "starts_on": TODAY,
        "ends_on": None,
        "imposed_by": "t",
        "imposed_at": datetime(2026, 3, 2, tzinfo=UTC),
        "lifted_by": None,
        "lifted_at": None,
        "lift_reason": None,
    }
    check_lift(Sanction.model_validate({**base, "kind": "freeze", "status": "active"}))
    with pytest.raises(Conflict, match="final"):
        check_lift(Sanction.model_validate({**base, "kind": "revocation", "status": "active"}))
    with pytest.raises(Conflict, match="already expired"):
        check_lift(Sanction.model_validate({**base, "kind": "warning", "status": "expired"}))


def answer(code: str, verdict: str = "cleared") -> ReviewAnswer:
    return ReviewAnswer(
        member_code=code, verdict=verdict, note=None, answered_by="x", answered_at=datetime(2026, 3, 3, tzinfo=UTC)
    )  # type: ignore[arg-type]


def test_when_the_review_lets_tpoa_decide() -> None:
    due = date(2026, 3, 16)
    members = ["KEMENDAGRI", "POLRI"]
    waiting = review_state(members, due, [answer("POLRI")], due)
    assert (waiting.awaiting, waiting.decidable) == (["KEMENDAGRI"], False)
    with pytest.raises(Conflict, match="awaiting"):
        check_decidable(waiting)
    assert review_state(members, due, [answer("POLRI")], due + timedelta(days=1)).decidable
    assert review_state(members, due, [answer("POLRI"), answer("KEMENDAGRI")], TODAY).decidable
    objected = review_state(members, due, [answer("POLRI", "objected")], date(2027, 1, 1))
    assert (objected.objected, objected.decidable) == (["POLRI"], False)
    with pytest.raises(Conflict, match="objected") as refused:
        check_decidable(objected)
    assert refused.value.field == "review"
    with pytest.raises(Conflict, match="already answered"):
        check_answer(waiting, "POLRI", "applicant")
    with pytest.raises(Conflict, match="decided"):
        check_answer(waiting, "KEMENDAGRI", "registered")
    assert check_answer(waiting, "KEMENDAGRI", "applicant") == "KEMENDAGRI"


def test_the_members_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MITRA_ENVIRONMENT", "test")
    assert RegistrySettings().tpoa_members == ["KEMENDAGRI", "KEMENKUMHAM", "KEMENSETNEG", "BAPPENAS", "POLRI", "BIN"]
    assert RegistrySettings().tpoa_review_days == 14
    monkeypatch.setenv("MITRA_TPOA_MEMBERS", " kemendagri, POLRI,,POLRI ")
    assert RegistrySettings().tpoa_members == ["KEMENDAGRI", "POLRI"]
    monkeypatch.setenv("MITRA_TPOA_MEMBERS", "")
    assert RegistrySettings().tpoa_members == []


@pytest.mark.parametrize("days", ["0", "-1"])
def test_both_services_want_at_least_one_day_to_answer(monkeypatch: pytest.MonkeyPatch, days: str) -> None:
    monkeypatch.setenv("MITRA_ENVIRONMENT", "test")
    monkeypatch.setenv("MITRA_TPOA_REVIEW_DAYS", days)
    with pytest.raises(ValidationError, match="tpoa_review_days"):
        RegistrySettings()
    with pytest.raises(ValidationError, match="tpoa_review_days"):
        AgreementsSettings()
    monkeypatch.setenv("MITRA_TPOA_REVIEW_DAYS", "1")
    assert RegistrySettings().tpoa_review_days == AgreementsSettings().tpoa_review_days == 1


def test_revoking_and_ending_a_freeze_are_not_status_changes() -> None:
    ngo, freeze = uuid.uuid4(), uuid.uuid4()
    for current in ("registered", "active", "suspended"):
        with pytest.raises(Conflict, match=f"POST /organizations/{ngo}/sanctions") as refused:
            check_status_change(ngo, current, "revoked", None)
        assert refused.value.field == "body.status"
    for target in ("active", "registered", "closed"):
        with pytest.raises(Conflict, match=f"lift the freeze: POST /sanctions/{freeze}/lift") as refused:
            check_status_change(ngo, "suspended", target, freeze)
        assert refused.value.field == "body.status"
        check_status_change(ngo, "suspended", target, None)  # an administrative suspension
    check_status_change(ngo, "active", "suspended", None)
    check_status_change(ngo, "applicant", "registered", None)


def test_the_queue_decides_as_the_review_does() -> None:
    due = date(2026, 3, 16)
    assert not is_decidable(["POLRI"], [], due, due)
    assert is_decidable(["POLRI"], [], due, due + timedelta(days=1))
    assert is_decidable([], [], due, TODAY)
    assert not is_decidable([], ["POLRI"], due, date(2027, 1, 1))


def test_a_foreign_experts_days_count_once_across_assignments() -> None:
    a = Period(date(2026, 1, 1), date(2026, 1, 10))
    b = Period(date(2026, 1, 5), date(2026, 1, 20))
    c = Period(date(2026, 3, 1), date(2026, 3, 1))
    never = Period(date(2026, 4, 1), date(2026, 5, 1), ended_on=date(2026, 4, 1))
    assert days_covered([a, b, c, never]) == 21
    assert days_covered([b, a]) == 20
    assert person_limit_days(date(2026, 1, 5)) == (date(2031, 1, 5) - date(2026, 1, 5)).days + 1


def test_a_foreign_expert_works_five_years_in_all() -> None:
    first = Period(date(2020, 1, 1), date(2023, 12, 31))
    # As far as one assignment could go: to the fifth anniversary of the first day, included.
    check_person_total(Period(date(2024, 1, 1), date(2025, 1, 1)), [first])
    with pytest.raises(Conflict) as refused:
        check_person_total(Period(date(2024, 1, 1), date(2025, 1, 2)), [first])
    assert refused.value.field == "body.ends_on"
    # Overlapping days count once: a second NGO's assignment during the first adds nothing.
    check_person_total(
        Period(date(2022, 1, 1), date(2023, 12, 31)), [first, Period(date(2024, 1, 1), date(2024, 12, 31))]
    )
