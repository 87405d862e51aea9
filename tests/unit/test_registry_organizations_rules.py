"""The rules of an NGO's record, without I/O: lifecycle, partial updates, versions, list parameters, the clock."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from itertools import product
from typing import Any

import pytest
from pydantic import ValidationError

from mitra_registry.domain.organizations import (
    ALLOWED_TRANSITIONS,
    LIFECYCLE,
    ChangeStatus,
    Organization,
    OrganizationQuery,
    OrganizationStatus,
    TransitionRefused,
    UpdateOrganization,
    changed_fields,
    check_transition,
    check_version,
    like_pattern_body,
    require_known_focus_areas,
)
from mitra_shared.clock import jakarta_today
from mitra_shared.errors import Conflict, RuleBroken, StaleVersion
from mitra_shared.http import parse_version_tag
from mitra_shared.paging import MAX_OFFSET

EXPECTED_TRANSITIONS: set[tuple[OrganizationStatus, OrganizationStatus]] = {
    ("applicant", "registered"),
    ("applicant", "closed"),
    ("registered", "active"),
    ("registered", "suspended"),
    ("registered", "revoked"),
    ("registered", "closed"),
    ("active", "registered"),
    ("active", "suspended"),
    ("active", "revoked"),
    ("active", "closed"),
    ("suspended", "active"),
    ("suspended", "registered"),
    ("suspended", "revoked"),
    ("suspended", "closed"),
}


@pytest.mark.parametrize(("current", "target"), list(product(LIFECYCLE, LIFECYCLE)))
def test_only_the_documented_transitions_are_allowed(current: OrganizationStatus, target: OrganizationStatus) -> None:
    if (current, target) in EXPECTED_TRANSITIONS:
        check_transition(current, target)
    else:
        with pytest.raises(TransitionRefused):
            check_transition(current, target)


def test_the_transition_table_is_the_documented_one() -> None:
    assert {(a, b) for a, targets in ALLOWED_TRANSITIONS.items() for b in targets} == EXPECTED_TRANSITIONS


@pytest.mark.parametrize(
    ("current", "target", "message"),
    [
        ("active", "active", "already active"),
        ("revoked", "active", "revoked, which is final"),
        ("closed", "registered", "closed, which is final"),
        ("applicant", "active", "cannot become active (allowed: registered, closed)"),
    ],
)
def test_a_refused_transition_says_why(current: OrganizationStatus, target: OrganizationStatus, message: str) -> None:
    with pytest.raises(TransitionRefused, match=message.replace("(", r"\(").replace(")", r"\)")) as caught:
        check_transition(current, target)
    assert isinstance(caught.value, Conflict)
    assert caught.value.field == "body.status"


def test_a_status_change_needs_a_reason() -> None:
    assert ChangeStatus(status="suspended", reason="  fundraising  ").reason == "fundraising"
    for body in ({"status": "suspended"}, {"status": "suspended", "reason": " x "}):
        with pytest.raises(ValidationError) as caught:
            ChangeStatus.model_validate(body)
        assert [e["loc"] for e in caught.value.errors()] == [("reason",)]


def _organization(**fields: Any) -> Organization:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    defaults: dict[str, Any] = {
        "id": uuid.uuid4(),
        "legal_name": "Plan International",
        "acronym": "PLAN",
        "country_of_origin": "GB",
        "headquarters_address": None,
        "indonesia_office_address": None,
        "website": None,
        "representative_name": None,
        "contact_email": None,
        "contact_phone": None,
        "status": "applicant",
        "focus_areas": ["child_welfare"],
        "version": 1,
        "registered_at": now,
        "updated_at": now,
    }
    return Organization.model_validate({**defaults, **fields})


def test_an_update_changes_only_what_differs() -> None:
    current = _organization()
    update = UpdateOrganization.model_validate(
        {
            "legal_name": "Plan International",
            "acronym": None,
            "website": "https://plan.example/",
            "focus_areas": ["Child_Welfare", "disability", "disability"],
        }
    )
    assert changed_fields(current, update) == {
        "acronym": None,
        "website": "https://plan.example/",
        "focus_areas": ["child_welfare", "disability"],
    }
    assert changed_fields(current, UpdateOrganization(country_of_origin="gb")) == {}


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({}, ()),
        ({"legal_name": None}, ("legal_name",)),
        ({"country_of_origin": None}, ("country_of_origin",)),
        ({"focus_areas": None}, ("focus_areas",)),
        ({"country_of_origin": "ID"}, ("country_of_origin",)),
        ({"status": "active"}, ("status",)),
        ({"version": 3}, ("version",)),
    ],
)
def test_an_invalid_update_names_the_field(body: dict[str, Any], location: tuple[str, ...]) -> None:
    with pytest.raises(ValidationError) as caught:
        UpdateOrganization.model_validate(body)
    assert [e["loc"] for e in caught.value.errors()] == [location]


def test_optional_fields_can_be_cleared() -> None:
    update = UpdateOrganization.model_validate({"acronym": None, "website": None, "contact_email": None})
    assert update.values() == {"acronym": None, "website": None, "contact_email": None}


@pytest.mark.parametrize(
    ("header", "version"),
    [('"3"', 3), ('W/"12"', 12), ("7", 7), (' "1" ', 1), ('"abc"', None), ('"-1"', None), ('"3", "4"', None)],
)
def test_if_match_names_a_version(header: str, version: int | None) -> None:
    assert parse_version_tag(header) == version


def test_a_change_needs_the_current_version() -> None:
    check_version(_organization(version=4), 4)
    with pytest.raises(StaleVersion, match="If-Match names version 3, but the organization is at version 4") as caught:
        check_version(_organization(version=4), 3)
    assert caught.value.field == "header.if-match"


def test_unknown_focus_areas_are_refused_naming_the_field() -> None:
    require_known_focus_areas(["poverty"], {"poverty", "hiv_aids"})
    with pytest.raises(RuleBroken, match=r"unknown focus area code\(s\): astrology, tarot") as caught:
        require_known_focus_areas(["astrology", "poverty", "tarot"], {"poverty"}, field="query.focus_area")
    assert caught.value.field == "query.focus_area"


def test_search_terms_match_wildcards_literally() -> None:
    assert like_pattern_body("50%_off\\") == "50\\%\\_off\\\\"
    assert like_pattern_body("plan") == "plan"


def test_the_default_order_depends_on_the_sort() -> None:
    assert OrganizationQuery().direction == "desc"
    assert OrganizationQuery(sort="legal_name").direction == "asc"
    assert OrganizationQuery(sort="status", order="desc").direction == "desc"


@pytest.mark.parametrize("offset", [MAX_OFFSET + 1, 10**30])
def test_an_offset_beyond_any_page_is_refused(offset: int) -> None:
    assert OrganizationQuery(offset=MAX_OFFSET).offset == MAX_OFFSET
    with pytest.raises(ValidationError) as caught:
        OrganizationQuery.model_validate({"offset": offset})
    assert [e["loc"] for e in caught.value.errors()] == [("offset",)]


def test_an_unknown_list_parameter_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        OrganizationQuery.model_validate({"statuss": "active"})
    assert caught.value.errors()[0]["loc"] == ("statuss",)


@pytest.mark.parametrize(
    ("utc", "day"),
    [
        (datetime(2026, 3, 1, 16, 59, tzinfo=UTC), date(2026, 3, 1)),  # 23:59 WIB
        (datetime(2026, 3, 1, 17, 0, tzinfo=UTC), date(2026, 3, 2)),  # 00:00 WIB
    ],
)
def test_days_count_in_jakarta(utc: datetime, day: date) -> None:
    assert jakarta_today(lambda: utc) == day
