"""The access core without I/O: what a token's claims make of a principal, regions that cover regions, four eyes."""

from __future__ import annotations

import uuid

import pytest

from mitra_shared import access
from mitra_shared.access import InvalidClaims, principal_from_claims
from mitra_shared.errors import Forbidden

ORGANIZATION = str(uuid.uuid4())


def claims(**extra: object) -> dict[str, object]:
    return {"sub": "someone", **extra}


@pytest.mark.parametrize(
    ("extra", "scope"),
    [
        ({"roles": ["tpoa"]}, {}),
        ({"roles": ["auditor"]}, {}),
        ({"roles": ["ministry"], "ministry_code": "KEMENSOS"}, {"ministry_code": "KEMENSOS"}),
        ({"roles": ["region"], "region_code": "3374"}, {"region_code": "3374"}),
        ({"roles": "ngo", "organization_id": ORGANIZATION.upper()}, {"organization_id": ORGANIZATION}),
    ],
)
def test_one_known_role_with_its_scope_makes_a_principal(extra: dict[str, object], scope: dict[str, str]) -> None:
    principal = principal_from_claims(claims(name="Siti", **extra))
    assert principal.subject == "someone"
    assert principal.name == "Siti"
    assert dict(principal.scope) == scope
    assert len(principal.roles) == 1


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"roles": []},
        {"roles": ["tpoa", "admin"]},
        {"roles": ["superuser"]},
        {"roles": ["ministry"]},
        {"roles": ["region"], "region_code": ""},
        {"roles": ["region"], "region_code": "33; DROP"},
        {"roles": ["ngo"], "organization_id": "not-a-uuid"},
        {"roles": ["ngo"], "organization_id": 42},
    ],
)
def test_claims_that_do_not_make_one_scoped_role_are_refused(extra: dict[str, object]) -> None:
    with pytest.raises(InvalidClaims):
        principal_from_claims(claims(**extra))


def test_a_scope_claim_of_another_role_is_not_taken() -> None:
    principal = principal_from_claims(claims(roles=["tpoa"], organization_id=ORGANIZATION))
    assert access.organization_of(principal) is None


@pytest.mark.parametrize(
    ("scope", "code", "covered"),
    [("33", "33", True), ("33", "3374", True), ("3374", "3374", True), ("3374", "33", False), ("33", "3471", False),
     ("3374", "3375", False)],
)
def test_a_province_covers_its_regencies(scope: str, code: str, covered: bool) -> None:
    assert access.region_covers(scope, code) is covered


def test_a_region_is_touched_by_its_own_area_and_its_province() -> None:
    semarang = principal_from_claims(claims(roles=["region"], region_code="3374"))
    central_java = principal_from_claims(claims(roles=["region"], region_code="33"))
    assert access.touches_region(semarang, ["3374"])
    assert access.touches_region(semarang, ["33"])  # something for the whole province touches each of its cities
    assert not access.touches_region(semarang, ["3471", "34"])
    assert access.touches_region(central_java, ["3471", "3374"])
    tpoa = principal_from_claims(claims(roles=["tpoa"]))
    assert not access.touches_region(tpoa, ["3374"])
    assert access.reads_everything(tpoa)
    assert not access.reads_everything(semarang)


def test_four_eyes_and_require_refuse_with_403() -> None:
    officer = principal_from_claims(claims(roles=["ministry"], ministry_code="KEMENSOS"))
    access.require_not_same_person(officer, "someone else", "submitted")
    access.require_not_same_person(officer, None, "submitted")
    with pytest.raises(Forbidden, match="four eyes"):
        access.require_not_same_person(officer, "someone", "submitted")
    with pytest.raises(Forbidden) as refused:
        access.require(False, "not your MSP", field="path.msp_id")
    assert refused.value.field == "path.msp_id"
