"""Government-partner rules without I/O: codes and hierarchy, contacts, and what a change touches."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from mitra_registry.domain.partners import (
    Contact,
    Partner,
    PartnerPatch,
    RegisterPartner,
    check_version,
    patched_fields,
)
from mitra_shared.errors import Refused, StaleVersion
from mitra_shared.http import if_match_version, refusal_status

KESBANGPOL = {"name": "Kesbangpol", "email": "kesbangpol@semarangkota.go.id"}


def partner(**overrides: Any) -> Partner:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    fields: dict[str, Any] = {
        "id": uuid.uuid4(),
        "kind": "regency",
        "code": "3374",
        "name": "Kota Semarang",
        "parent_code": "33",
        "contacts": [Contact.model_validate(KESBANGPOL).stored()],
        "active": True,
        "version": 1,
        "registered_at": now,
        "updated_at": now,
    }
    return Partner.model_validate(fields | overrides)


def test_codes_are_normalised_per_kind() -> None:
    assert RegisterPartner(kind="regency", code=" 33.74 ", name="Kota Semarang", parent_code="33").code == "3374"
    assert RegisterPartner(kind="ministry", code="kemensos", name="Kementerian Sosial").code == "KEMENSOS"
    assert RegisterPartner(kind="tpoa", code="TPOA", name="Tim Perizinan Ormas Asing").parent_code is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "province", "code": "333", "name": "Jawa Tengah"}, "code"),
        ({"kind": "province", "code": "3a", "name": "Jawa Tengah"}, "code"),
        ({"kind": "province", "code": "33", "name": "Jawa Tengah", "parent_code": "33"}, "parent_code"),
        ({"kind": "regency", "code": "3374", "name": "Kota Semarang"}, "parent_code"),
        ({"kind": "regency", "code": "3374", "name": "Kota Semarang", "parent_code": "3"}, "parent_code"),
        ({"kind": "regency", "code": "3374", "name": "Kota Semarang", "parent_code": "34"}, "parent_code"),
        ({"kind": "regency", "code": "33741", "name": "Kota Semarang", "parent_code": "33"}, "code"),
        ({"kind": "ministry", "code": "KEMEN SOS", "name": "Kementerian Sosial"}, "code"),
        ({"kind": "ministry", "code": "KEMENSOS", "name": "K"}, "name"),
        ({"kind": "ministry", "code": "KEMENSOS", "name": "Kemensos", "contacts": [{"name": "Biro"}]}, "contacts"),
        ({"kind": "ministry", "code": "KEMENSOS", "name": "Kemensos", "website": "https://kemensos.go.id"}, "website"),
    ],
)
def test_invalid_partners_name_the_field(fields: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        RegisterPartner.model_validate(fields)
    assert [error["loc"][0] for error in caught.value.errors()] == [field]


@pytest.mark.parametrize(
    ("contact", "location"),
    [
        ({"name": "Kesbangpol"}, ()),
        ({"name": "Kesbangpol", "email": "kesbangpol"}, ("email",)),
        ({"name": "Kesbangpol", "webhook_url": "ftp://semarangkota.go.id/hook"}, ("webhook_url",)),
        ({"name": "Kesbangpol", "webhook_url": "semarangkota.go.id/hook"}, ("webhook_url",)),
        ({"name": "Kesbangpol", "email": "k@semarangkota.go.id", "language": "jv"}, ("language",)),
        ({"name": "", "email": "k@semarangkota.go.id"}, ("name",)),
    ],
)
def test_a_contact_needs_a_valid_address_or_an_http_webhook(contact: dict[str, Any], location: tuple[str, ...]) -> None:
    with pytest.raises(ValidationError) as caught:
        Contact.model_validate(contact)
    assert [tuple(error["loc"]) for error in caught.value.errors()] == [location]


def test_a_contact_is_stored_with_every_field() -> None:
    contact = Contact(name="Hook", webhook_url="http://siap.semarangkota.go.id/hook", language="en")  # type: ignore[arg-type]
    assert contact.stored() == {
        "name": "Hook",
        "email": None,
        "webhook_url": "http://siap.semarangkota.go.id/hook",
        "language": "en",
    }


def test_a_patch_touches_only_what_it_changes() -> None:
    current = partner()
    assert patched_fields(current, PartnerPatch()) == {}
    assert patched_fields(current, PartnerPatch(name="Kota Semarang", active=True)) == {}
    assert patched_fields(current, PartnerPatch.model_validate({"contacts": [KESBANGPOL]})) == {}
    assert patched_fields(current, PartnerPatch(active=False, name="Semarang")) == {"active": False, "name": "Semarang"}
    assert patched_fields(current, PartnerPatch(contacts=[])) == {"contacts": []}


@pytest.mark.parametrize("body", [{"code": "3375"}, {"parent_code": "34"}, {"name": None}, {"active": None}])
def test_identity_cannot_be_patched_and_null_is_no_value(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        PartnerPatch.model_validate(body)


@pytest.mark.parametrize(("header", "version"), [('"3"', 3), ('W/"12"', 12), (' "1" ', 1), ("3", 3)])
def test_if_match_names_a_version(header: str, version: int) -> None:
    assert if_match_version(header) == version


@pytest.mark.parametrize(("header", "status"), [(None, 428), ("", 428), ("*", 428), ('"three"', 412), ('"-1"', 412)])
def test_a_missing_or_unreadable_if_match_is_refused(header: str | None, status: int) -> None:
    with pytest.raises(Refused) as caught:
        if_match_version(header)
    assert (refusal_status(caught.value)[0], caught.value.field) == (status, "header.if-match")


def test_a_change_based_on_an_older_version_is_stale() -> None:
    check_version(partner(version=3), 3)
    with pytest.raises(StaleVersion, match="changed since version 2: it is at version 3") as caught:
        check_version(partner(version=3), 2)
    assert caught.value.field == "header.if-match"
