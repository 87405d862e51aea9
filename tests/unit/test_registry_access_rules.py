"""The registry's access rules and its names rule, without I/O: who reads and changes which NGO, who sees a
passport number, and which characters a name may not hold."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from pydantic import ValidationError

from mitra_registry.domain.access import (
    may_change,
    may_read,
    organization_filter,
    require_keeper,
    sees_passport_number,
)
from mitra_registry.domain.names import control_character_problem
from mitra_registry.domain.organizations import FocusArea, RegisterOrganization, UpdateOrganization
from mitra_registry.domain.partners import PartnerPatch, RegisterPartner
from mitra_registry.domain.regions import CsvRejected, read_csv
from mitra_registry.domain.staff import AssignForeignStaff
from mitra_shared.context import Principal
from mitra_shared.errors import Forbidden

OWN, OTHER = uuid.uuid4(), uuid.uuid4()


def principal(role: str, **scope: str) -> Principal:
    return Principal(subject=f"{role}-1", roles=(role,), scope=scope)


NGO = principal("ngo", organization_id=str(OWN))
READERS = [principal("tpoa"), principal("ministry", ministry_code="KEMENSOS"), principal("region", region_code="33"),
           principal("auditor"), principal("integration")]  # fmt: skip
SYSTEM = Principal.system("registry.permit_expiry")


@pytest.mark.parametrize("reader", READERS, ids=lambda p: p.roles[0])
def test_the_reading_roles_read_every_ngo(reader: Principal) -> None:
    assert organization_filter(reader) is None
    assert may_read(reader, OWN)
    assert may_read(reader, OTHER)


def test_an_ngo_reads_itself_only() -> None:
    assert organization_filter(NGO) == OWN
    assert may_read(NGO, OWN)
    assert not may_read(NGO, OTHER)


def test_admin_reads_no_ngo() -> None:
    with pytest.raises(Forbidden):
        organization_filter(principal("admin"))


def test_tpoa_changes_every_ngo_an_ngo_itself_and_nobody_else_any() -> None:
    assert may_change(principal("tpoa"), OTHER)
    assert may_change(SYSTEM, OTHER)
    assert may_change(NGO, OWN)
    assert not may_change(NGO, OTHER)
    for role in ("ministry", "region", "auditor", "admin", "integration"):
        with pytest.raises(Forbidden):
            may_change(principal(role), OWN)


def test_only_tpoa_keeps_the_register() -> None:
    require_keeper(principal("tpoa"), "decides")
    require_keeper(SYSTEM, "decides")
    for role in ("ministry", "region", "ngo", "auditor", "admin", "integration"):
        with pytest.raises(Forbidden, match="only TPOA decides"):
            require_keeper(principal(role, organization_id=str(OWN)), "decides")


def test_a_passport_number_is_for_tpoa_and_the_ngo_itself() -> None:
    assert sees_passport_number(principal("tpoa"), OTHER)
    assert sees_passport_number(NGO, OWN)
    assert not sees_passport_number(NGO, OTHER)
    for reader in READERS[1:]:
        assert not sees_passport_number(reader, OWN)


# --- names hold no control characters ---------------------------------------------------------------------------

CONTROLS = [chr(code) for code in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]]


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
def test_every_control_character_is_named(control: str) -> None:
    problem = control_character_problem(f"Plan{control}International")
    assert problem is not None
    assert f"U+{ord(control):04X} at position 5" in problem


@pytest.mark.parametrize("name", ["Plan International", "Église Évangélique", "Yayasan 'Kita' & Co.", "\u00a0CARE"])
def test_printable_names_pass(name: str) -> None:
    assert control_character_problem(name) is None


NAMED_FIELDS: list[tuple[Any, dict[str, Any], tuple[Any, ...]]] = [
    (RegisterOrganization, {"legal_name": "{}", "country_of_origin": "GB"}, ("legal_name",)),
    (RegisterOrganization, {"legal_name": "Plan", "country_of_origin": "GB", "acronym": "{}"}, ("acronym",)),
    (RegisterOrganization, {"legal_name": "P P", "country_of_origin": "GB", "representative_name": "{}"},
     ("representative_name",)),
    (UpdateOrganization, {"legal_name": "{}"}, ("legal_name",)),
    (FocusArea, {"code": "x_y", "name_id": "{}", "name_en": "Name"}, ("name_id",)),
    (AssignForeignStaff, {"full_name": "{}", "nationality": "NL", "role": "Adviser", "starts_on": "2026-01-01",
                          "ends_on": "2026-12-31", "passport_number": "NX12345"}, ("full_name",)),
    (RegisterPartner, {"kind": "ministry", "code": "KEMLU", "name": "{}"}, ("name",)),
    (RegisterPartner, {"kind": "ministry", "code": "KEMLU", "name": "Kemlu",
                       "contacts": [{"name": "{}", "email": "a@kemlu.go.id"}]}, ("contacts", 0, "name")),
    (PartnerPatch, {"name": "{}"}, ("name",)),
]  # fmt: skip


@pytest.mark.parametrize(("model", "template", "location"), NAMED_FIELDS)
@pytest.mark.parametrize("value", [" Plan\n", "Plan\x7f", "\x9bPlan"])
def test_a_name_field_refuses_a_control_character_before_stripping(
    model: Any, template: dict[str, Any], location: tuple[Any, ...], value: str
) -> None:
    def fill(item: Any) -> Any:
        if item == "{}":
            return value
        if isinstance(item, dict):
            return {key: fill(inner) for key, inner in item.items()}
        if isinstance(item, list):
            return [fill(inner) for inner in item]
        return item

    with pytest.raises(ValidationError) as caught:
        model.model_validate(fill(template))
    assert [error["loc"] for error in caught.value.errors()] == [location]


def test_a_region_name_with_a_control_character_is_a_bad_line() -> None:
    with pytest.raises(CsvRejected) as caught:
        read_csv("provinces", b"code,name\n11,ACEH\n33,JAWA\tTENGAH\n")
    assert caught.value.line_reasons() == [
        "provinces file, line 3: name must not hold control characters (U+0000 to U+001F, U+007F to U+009F); "
        "found U+0009 at position 5"
    ]
