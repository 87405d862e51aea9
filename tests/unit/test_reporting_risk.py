"""Reporting's compliance-risk score (domain/risk.py), without I/O: the NGO's sanctions and status, and the MSP's
mitigation actions, each with its points, cap and reason."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from mitra_reporting.domain import risk

TODAY = date(2027, 6, 15)
PERMIT = date(2030, 12, 31)  # far from expiry: no permit reason
ENDS = date(2029, 12, 31)  # far from the end: no decision reason


def facts(**changed: Any) -> risk.RiskFacts:
    return risk.RiskFacts(principle_permit_valid_until=PERMIT, msp_ends_on=ENDS, **changed)


def reasons(assessed: risk.Risk) -> dict[str, int]:
    return {reason.code: reason.points for reason in assessed.reasons}


def test_a_clean_msp_scores_nothing() -> None:
    assert risk.assess(facts(), TODAY) == risk.Risk(score=0, level="low", reasons=[])


def test_a_revoked_ngo_scores_100_and_is_high() -> None:
    for revoked in (facts(organization_status="revoked"), facts(active_revocations=1)):
        assessed = risk.assess(revoked, TODAY)
        assert (assessed.score, assessed.level) == (100, "high")
        assert assessed.reasons[0].code == "organization_revoked"


def test_a_freeze_counts_once_with_its_day_and_category_and_explains_the_suspension() -> None:
    assessed = risk.assess(
        facts(
            organization_status="suspended",
            active_freezes=1,
            frozen_since=date(2027, 5, 2),
            freeze_categories=("fundraising",),
        ),
        TODAY,
    )
    assert reasons(assessed) == {"active_freeze": 40}
    assert assessed.reasons[0].detail == "the NGO is frozen since 2027-05-02 (fundraising)"
    assert (assessed.score, assessed.level) == (40, "medium")


def test_a_suspension_without_a_freeze_counts_the_same() -> None:
    assessed = risk.assess(facts(organization_status="suspended"), TODAY)
    assert reasons(assessed) == {"organization_suspended": 40}


@pytest.mark.parametrize(("warnings", "points"), [(1, 15), (2, 30), (5, 30)])
def test_warnings_count_15_each_up_to_30(warnings: int, points: int) -> None:
    assessed = risk.assess(facts(active_warnings=warnings, warning_categories=("other", "fundraising")), TODAY)
    assert reasons(assessed) == {"active_warnings": points}
    assert assessed.reasons[0].detail == f"{warnings} warning(s) in force (fundraising, other)"


@pytest.mark.parametrize(
    ("open_", "overdue", "expected"),
    [
        (1, 0, {"open_mitigation_actions": 5}),
        (4, 0, {"open_mitigation_actions": 15}),
        (0, 1, {"overdue_mitigation_actions": 15}),
        (2, 3, {"open_mitigation_actions": 10, "overdue_mitigation_actions": 30}),
    ],
)
def test_mitigation_actions_open_and_overdue(open_: int, overdue: int, expected: dict[str, int]) -> None:
    assessed = risk.assess(facts(open_mitigation_actions=open_, overdue_mitigation_actions=overdue), TODAY)
    assert reasons(assessed) == expected


def test_the_total_is_capped_at_100_with_every_reason_kept_highest_first() -> None:
    assessed = risk.assess(
        facts(active_freezes=1, active_warnings=2, overdue_mitigation_actions=2, overdue_obligations=2), TODAY
    )
    assert assessed.score == 100
    assert [r.points for r in assessed.reasons] == sorted((r.points for r in assessed.reasons), reverse=True)
    assert sum(r.points for r in assessed.reasons) == 40 + 30 + 30 + 50


def row(organization: uuid.UUID, **changed: Any) -> dict[str, Any]:
    """One MSP as the risk query gives it."""
    return {
        "msp_id": uuid.uuid4(),
        "number": None,
        "title": "Programme",
        "organization_id": organization,
        "organization_name": "NGO",
        "ministry_code": "KEMENSOS",
        "ends_on": ENDS,
        "overdue_obligations": 0,
        "late_submissions": 0,
        "principle_permit_valid_until": PERMIT,
        "active_foreign_staff": 0,
        "late_visits": 0,
        "organization_status": "active",
        "active_revocations": 0,
        "active_freezes": 0,
        "frozen_since": None,
        "freeze_categories": [],
        "active_warnings": 0,
        "warning_categories": None,
        "open_mitigation_actions": 0,
        "overdue_mitigation_actions": 0,
        **changed,
    }


def test_per_ngo_the_sanctions_count_once_and_the_mitigation_actions_add_up() -> None:
    ngo = uuid.uuid4()
    sanctioned = {"active_warnings": 1, "warning_categories": ["fundraising"]}
    msps = [
        row(ngo, **sanctioned, open_mitigation_actions=1),
        row(ngo, **sanctioned, ministry_code="KEMENKES", open_mitigation_actions=1, overdue_mitigation_actions=1),
    ]
    [per_ngo] = risk.rank(msps, TODAY, per="organization")
    assert per_ngo.ministry_codes == ["KEMENKES", "KEMENSOS"]
    assert reasons(per_ngo.risk) == {
        "active_warnings": 15,
        "open_mitigation_actions": 10,
        "overdue_mitigation_actions": 15,
    }
    per_msp = risk.rank(msps, TODAY, per="msp")
    assert [entry.risk.score for entry in per_msp] == [35, 20]


@pytest.mark.parametrize("status", ["suspended", "revoked"])
def test_the_ngos_status_counts_only_from_the_day_it_was_reached(status: str) -> None:
    reached = facts(organization_status=status, organization_status_since=TODAY)
    code = "organization_suspended" if status == "suspended" else "organization_revoked"
    assert code in reasons(risk.assess(reached, TODAY))
    later = facts(organization_status=status, organization_status_since=date(2027, 6, 16))
    assert risk.assess(later, TODAY) == risk.Risk(score=0, level="low", reasons=[])
    assert risk.status_on(later, TODAY) is None
    assert risk.status_on(facts(organization_status=status), TODAY) == status  # since an unknown day: as it is
