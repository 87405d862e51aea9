"""Agreements' scope rules without I/O (`mitra_agreements.domain.access`): what each role's scope covers, who
decides what, and four eyes."""

from __future__ import annotations

import uuid

import pytest

from mitra_agreements.domain import access
from mitra_agreements.domain.access import MspParties, ReadScope
from mitra_shared.context import Principal
from mitra_shared.errors import Forbidden

NGO_A, NGO_B = uuid.uuid4(), uuid.uuid4()
MSP = MspParties(NGO_A, "KEMENSOS", ("3374", "51"))  # Kota Semarang (Jawa Tengah, 33) and Bali (51)
PROVINCE_WIDE = MspParties(NGO_A, "KEMENSOS", ("33",))


def who(role: str, subject: str | None = None, **scope: object) -> Principal:
    return Principal(subject or f"{role}-1", roles=(role,), scope={claim: str(value) for claim, value in scope.items()})


@pytest.mark.parametrize(
    ("principal", "scope"),
    [
        (who("tpoa"), ReadScope()),
        (who("auditor"), ReadScope()),
        (who("integration"), ReadScope()),
        (Principal.system("agreements.deadlines"), ReadScope()),
        (who("ngo", organization_id=NGO_A), ReadScope(organization_id=NGO_A)),
        (who("ministry", ministry_code="KEMENSOS"), ReadScope(ministry_code="KEMENSOS")),
        (who("region", region_code="33"), ReadScope(region_code="33")),
    ],
)
def test_each_reading_role_has_its_scope(principal: Principal, scope: ReadScope) -> None:
    assert access.read_scope(principal) == scope


@pytest.mark.parametrize("principal", [who("admin"), who("ngo"), who("region"), Principal("no-role")])
def test_admin_a_scoped_role_without_its_scope_and_no_role_read_nothing(principal: Principal) -> None:
    with pytest.raises(Forbidden):
        access.read_scope(principal)


@pytest.mark.parametrize(
    ("principal", "msp", "readable"),
    [
        (who("ngo", organization_id=NGO_A), MSP, True),
        (who("ngo", organization_id=NGO_B), MSP, False),
        (who("ministry", ministry_code="KEMENSOS"), MSP, True),
        (who("ministry", ministry_code="KEMENLU"), MSP, False),
        (who("region", region_code="33"), MSP, True),  # the province covers its regency 3374
        (who("region", region_code="3374"), MSP, True),
        (who("region", region_code="3372"), MSP, False),  # another regency of the province
        (who("region", region_code="3372"), PROVINCE_WIDE, True),  # concerned by a province-wide MSP
        (who("region", region_code="51"), PROVINCE_WIDE, False),
        (who("tpoa"), MSP, True),
    ],
)
def test_who_reads_an_msp(principal: Principal, msp: MspParties, readable: bool) -> None:
    assert access.may_read_msp(principal, msp) is readable


def test_a_region_reads_the_msp_wide_obligations_and_those_of_its_area() -> None:
    jawa_tengah = who("region", region_code="33")
    assert access.may_read_obligation(jawa_tengah, MSP, None)
    assert access.may_read_obligation(jawa_tengah, MSP, "3374")
    assert not access.may_read_obligation(jawa_tengah, MSP, "51")
    assert access.may_read_obligation(who("ministry", ministry_code="KEMENSOS"), MSP, "51")


def test_a_region_reads_the_visits_to_its_area_and_no_recommendation() -> None:
    bali = who("region", region_code="51")
    assert access.may_read_visit(bali, PROVINCE_WIDE, ["51"])  # whatever the MSP's places
    assert not access.may_read_visit(bali, MSP, ["3374"])
    assert not access.may_read_recommendation(bali, MSP)
    assert access.may_read_recommendation(who("ministry", ministry_code="KEMENSOS"), MSP)
    assert not access.may_read_recommendation(who("ngo", organization_id=NGO_B), MSP)


def test_a_ministry_or_region_reads_the_ngos_of_its_msps() -> None:
    assert access.may_read_organization(who("ministry", ministry_code="KEMENSOS"), NGO_A, [MSP])
    assert not access.may_read_organization(who("ministry", ministry_code="KEMENLU"), NGO_A, [MSP])
    assert not access.may_read_organization(who("region", region_code="33"), NGO_B, [])
    assert access.may_read_organization(who("ngo", organization_id=NGO_B), NGO_B, [])
    assert not access.may_read_organization(who("ngo", organization_id=NGO_B), NGO_A, [MSP])
    assert access.may_read_organization(who("auditor"), NGO_B, [])


def test_only_the_ngo_itself_acts_for_it() -> None:
    access.check_ngo_acts_for(who("ngo", organization_id=NGO_A), NGO_A)
    for principal in (who("ngo", organization_id=NGO_B), who("tpoa"), who("ministry", ministry_code="KEMENSOS")):
        with pytest.raises(Forbidden) as refused:
            access.check_ngo_acts_for(principal, NGO_A, field="body.organization_id")
        assert refused.value.field == "body.organization_id"


def test_tpoa_reviews_an_msp_but_not_one_it_drafted_or_submitted() -> None:
    access.check_review(who("tpoa", "bob"), drafted_by="alice", submitted_by="alice")
    access.check_review(who("tpoa", "bob"), drafted_by=None, submitted_by=None)  # MSPs drafted before four eyes
    for drafted_by, submitted_by in (("bob", "alice"), ("alice", "bob")):
        with pytest.raises(Forbidden, match="four eyes"):
            access.check_review(who("tpoa", "bob"), drafted_by=drafted_by, submitted_by=submitted_by)
    with pytest.raises(Forbidden):
        access.check_review(who("ministry", ministry_code="KEMENSOS"), drafted_by=None, submitted_by=None)


def test_the_mitra_utama_signs_extends_terminates_and_issues() -> None:
    access.check_ministry_acts(who("ministry", ministry_code="KEMENSOS"), MSP)
    for principal in (who("ministry", ministry_code="KEMENLU"), who("tpoa"), who("ngo", organization_id=NGO_A)):
        with pytest.raises(Forbidden):
            access.check_ministry_acts(principal, MSP)
    with pytest.raises(Forbidden, match="four eyes"):
        access.check_signing(
            who("ministry", "alice", ministry_code="KEMENSOS"), MSP, drafted_by="alice", submitted_by=None
        )
    with pytest.raises(Forbidden, match="four eyes"):
        access.check_issue_recommendation(who("ministry", "carol", ministry_code="KEMENSOS"), MSP, requested_by="carol")


@pytest.mark.parametrize(
    ("principal", "kind", "region_code", "allowed"),
    [
        (who("ministry", ministry_code="KEMENSOS"), "semester_report", None, True),
        (who("ministry", ministry_code="KEMENSOS"), "action_plan", None, True),
        (who("ministry", ministry_code="KEMENSOS"), "work_plan", "51", False),  # a region's RKT: it comments
        (who("ministry", ministry_code="KEMENLU"), "work_plan", "51", False),
        (who("region", region_code="33"), "work_plan", "3374", False),  # only exactly the plan's region decides
        (who("region", region_code="3374"), "work_plan", "3374", True),
        (who("region", region_code="33"), "action_plan", None, False),
        (who("region", region_code="3374"), "work_plan", "33", False),  # not the province's own RKT
        (who("region", region_code="33"), "work_plan", "51", False),
        (who("region", region_code="33"), "semester_report", None, False),
        (who("ngo", organization_id=NGO_A), "work_plan", "3374", False),
    ],
)
def test_who_decides_a_submission(principal: Principal, kind: str, region_code: str | None, allowed: bool) -> None:
    decide = lambda: access.check_decide_submission(  # noqa: E731
        principal, MSP, kind=kind, region_code=region_code, submitted_by="ngo-staff"
    )
    if allowed:
        decide()
    else:
        with pytest.raises(Forbidden):
            decide()


def test_whoever_submitted_does_not_decide() -> None:
    with pytest.raises(Forbidden, match="four eyes"):
        access.check_decide_submission(
            who("region", "carol", region_code="3374"), MSP, kind="work_plan", region_code="3374", submitted_by="carol"
        )


def test_who_comments_and_who_answers_a_review() -> None:
    access.check_comment(who("ministry", ministry_code="KEMENSOS"), MSP)
    access.check_comment(who("region", region_code="33"), MSP)
    for refused in (who("ministry", ministry_code="KEMENLU"), who("ngo", organization_id=NGO_A), who("tpoa")):
        with pytest.raises(Forbidden):
            access.check_comment(refused, MSP)
    assert access.check_review_member(who("ministry", ministry_code="POLRI"), ["POLRI", "BIN"]) == "POLRI"
    for refused in (who("ministry", ministry_code="KEMENSOS"), who("tpoa"), who("region", region_code="33")):
        with pytest.raises(Forbidden):
            access.check_review_member(refused, ["POLRI", "BIN"])


@pytest.mark.parametrize(
    ("principal", "office"),
    [
        (who("ministry", ministry_code="KEMENSOS"), ("KEMENSOS", None)),
        (who("region", region_code="3374"), (None, "3374")),
        (who("tpoa"), (None, None)),
        (who("ngo", organization_id=NGO_A), (None, None)),
        (who("auditor"), (None, None)),
    ],
)
def test_the_office_that_decides_submissions_for_the_decidable_filter(
    principal: Principal, office: tuple[str | None, str | None]
) -> None:
    assert access.deciding_office(principal) == office
