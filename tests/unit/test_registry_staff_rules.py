"""Foreign-staff rules without I/O: at most 3 active per NGO on any day, at most 5 years each, valid dates."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from mitra_registry.domain.staff import (
    AssignForeignStaff,
    EndAssignment,
    Period,
    active_count,
    add_years,
    busiest_day,
    check_assignment,
    check_ending,
    mask_passport,
)
from mitra_shared.errors import Conflict, Refused, RuleBroken

TODAY = date(2026, 3, 2)


def assignment(starts_on: date, ends_on: date, passport: str = "NEW12345", **fields: Any) -> AssignForeignStaff:
    return AssignForeignStaff.model_validate(
        {
            "full_name": "Maria Jansen",
            "nationality": "NL",
            "role": "Adviser",
            "starts_on": starts_on,
            "ends_on": ends_on,
            "passport_number": passport,
            **fields,
        }
    )


def refusal(command: AssignForeignStaff, existing: list[Period], status: str = "active") -> Refused:
    with pytest.raises(Refused) as caught:
        check_assignment(command, status, existing, TODAY)
    return caught.value


def test_a_valid_assignment_is_normalised() -> None:
    command = assignment(date(2026, 1, 1), date(2030, 12, 31), passport=" nx 4k81 p02 ", nationality="nl")
    assert command.passport_number == "NX4K81P02"
    assert command.nationality == "NL"


@pytest.mark.parametrize(
    ("fields", "location", "reason"),
    [
        ({"nationality": "NLD"}, "nationality", "ISO 3166-1 alpha-2"),
        ({"nationality": "ID"}, "nationality", "not foreign staff"),
        ({"passport_number": "12-34"}, "passport_number", "5 to 20 letters and digits"),
        ({"ends_on": date(2025, 12, 31)}, "ends_on", "must not be before starts_on"),
        ({"ends_on": date(2031, 1, 2)}, "ends_on", "at most 5 years"),
        ({"full_name": " "}, "full_name", "at least 2"),
        ({"salary": 1}, "salary", "Extra inputs"),
    ],
)
def test_an_invalid_assignment_names_the_field(fields: dict[str, Any], location: str, reason: str) -> None:
    body = {
        "full_name": "Maria Jansen",
        "nationality": "NL",
        "role": "Adviser",
        "starts_on": date(2026, 1, 1),
        "ends_on": date(2027, 1, 1),
        "passport_number": "NX4K81P02",
        **fields,
    }
    with pytest.raises(ValidationError) as caught:
        AssignForeignStaff.model_validate(body)
    [error] = caught.value.errors()
    assert error["loc"] == (location,)
    assert reason in error["msg"]


def test_five_years_is_the_longest_assignment() -> None:
    assert assignment(date(2026, 1, 1), date(2031, 1, 1)).ends_on == date(2031, 1, 1)
    # From 29 February, five years later is 28 February.
    assert add_years(date(2028, 2, 29), 5) == date(2033, 2, 28)
    assignment(date(2028, 2, 29), date(2033, 2, 28))
    with pytest.raises(ValidationError):
        assignment(date(2028, 2, 29), date(2033, 3, 1))


def test_an_assignment_is_active_on_the_days_it_covers() -> None:
    period = Period(date(2026, 1, 1), date(2026, 12, 31))
    assert period.state(date(2025, 12, 31)) == "upcoming"
    assert period.state(date(2026, 1, 1)) == "active"
    assert period.state(date(2026, 12, 31)) == "active"
    assert period.state(date(2027, 1, 1)) == "ended"


def test_ended_early_it_stops_counting_on_the_end_day() -> None:
    period = Period(date(2026, 1, 1), date(2026, 12, 31), ended_on=date(2026, 3, 2))
    assert period.last_day == date(2026, 3, 1)
    assert period.state(date(2026, 3, 1)) == "active"
    assert period.state(date(2026, 3, 2)) == "ended"
    cancelled = Period(date(2026, 6, 1), date(2026, 12, 31), ended_on=date(2026, 6, 1))
    assert cancelled.state(TODAY) == "ended"
    assert busiest_day([cancelled], date(2026, 1, 1), date(2026, 12, 31))[1] == 0


def test_active_count_looks_at_one_day() -> None:
    periods = [
        Period(date(2026, 1, 1), date(2026, 12, 31)),
        Period(date(2026, 3, 3), date(2026, 12, 31)),
        Period(date(2025, 1, 1), date(2026, 3, 1)),
        Period(date(2026, 1, 1), date(2026, 12, 31), ended_on=TODAY),
    ]
    assert active_count(periods, TODAY) == 1


def test_busiest_day_finds_the_first_peak() -> None:
    periods = [
        Period(date(2026, 1, 1), date(2026, 6, 30)),
        Period(date(2026, 5, 1), date(2026, 12, 31)),
        Period(date(2026, 6, 1), date(2026, 6, 15)),
    ]
    assert busiest_day(periods, date(2026, 1, 1), date(2026, 12, 31)) == (date(2026, 6, 1), 3)
    assert busiest_day(periods, date(2026, 7, 1), date(2026, 12, 31)) == (date(2026, 7, 1), 1)
    assert busiest_day([], date(2026, 1, 1), date(2026, 1, 2))[1] == 0


def three_active() -> list[Period]:
    return [Period(date(2025, 1, 1), date(2027, 12, 31), passport_number=f"OLD{n}0000") for n in range(3)]


def test_a_fourth_active_expert_is_refused() -> None:
    broken = refusal(assignment(TODAY, date(2027, 1, 1)), three_active())
    assert isinstance(broken, Conflict)
    assert "at most 3 active foreign staff" in broken.reason
    assert "2026-03-02" in broken.reason


def test_a_later_start_cannot_pile_up_past_the_limit() -> None:
    # Three start next year: a fourth that overlaps them is refused although none is active today.
    later = [Period(date(2027, 1, 1), date(2028, 1, 1), passport_number=f"LATER{n}000") for n in range(3)]
    assert isinstance(refusal(assignment(TODAY, date(2027, 6, 30)), later), Conflict)
    # Ending before they start is fine.
    check_assignment(assignment(TODAY, date(2026, 12, 31)), "active", later, TODAY)


def test_a_place_freed_by_an_ending_can_be_taken() -> None:
    existing = three_active()
    existing[0] = Period(date(2025, 1, 1), date(2027, 12, 31), ended_on=TODAY, passport_number="OLD00000")
    check_assignment(assignment(TODAY, date(2027, 1, 1)), "registered", existing, TODAY)
    # ...but not before the day it ends.
    assert isinstance(refusal(assignment(date(2026, 3, 1), date(2027, 1, 1)), existing), Conflict)


def test_the_same_expert_cannot_be_assigned_twice_at_once() -> None:
    existing = [Period(date(2026, 1, 1), date(2026, 12, 31), passport_number="NEW12345")]
    broken = refusal(assignment(date(2026, 6, 1), date(2027, 1, 1)), existing)
    assert (type(broken), broken.field) == (Conflict, "body.passport_number")
    check_assignment(assignment(date(2027, 1, 1), date(2027, 6, 1)), "active", existing, TODAY)


@pytest.mark.parametrize("status", ["applicant", "suspended", "revoked", "closed"])
def test_only_a_registered_or_active_ngo_takes_foreign_staff(status: str) -> None:
    broken = refusal(assignment(TODAY, date(2027, 1, 1)), [], status=status)
    assert isinstance(broken, Conflict)
    assert status in broken.reason


def test_an_assignment_already_over_is_refused() -> None:
    broken = refusal(assignment(date(2025, 1, 1), date(2026, 3, 1)), [])
    assert (type(broken), broken.field) == (RuleBroken, "body.ends_on")
    check_assignment(assignment(date(2025, 1, 1), TODAY), "active", [], TODAY)


def test_ending_an_assignment() -> None:
    period = Period(date(2026, 1, 1), date(2026, 12, 31))
    check_ending(period, EndAssignment(ended_on=date(2026, 1, 1), reason="never started"), TODAY)
    check_ending(period, EndAssignment(ended_on=date(2026, 12, 31), reason="left a day early"), TODAY)
    for ended_on, field in ((date(2025, 12, 31), "body.ended_on"), (date(2027, 1, 1), "body.ended_on")):
        with pytest.raises(Refused) as caught:
            check_ending(period, EndAssignment(ended_on=ended_on, reason="moved"), TODAY)
        assert (caught.value.field, type(caught.value)) == (field, RuleBroken)


@pytest.mark.parametrize(
    ("period", "message"),
    [
        (Period(date(2026, 1, 1), date(2026, 12, 31), ended_on=date(2026, 2, 1)), "already ended on 2026-02-01"),
        (Period(date(2025, 1, 1), date(2026, 3, 1)), "already over"),
    ],
)
def test_an_assignment_ends_once(period: Period, message: str) -> None:
    with pytest.raises(Conflict, match=message):
        check_ending(period, EndAssignment(ended_on=date(2026, 2, 1), reason="moved"), TODAY)


def test_an_ending_needs_a_reason_and_a_date() -> None:
    with pytest.raises(ValidationError) as caught:
        EndAssignment.model_validate({"ended_on": "2026-13-01"})
    assert {e["loc"] for e in caught.value.errors()} == {("ended_on",), ("reason",)}


def test_a_list_shows_only_the_end_of_a_passport_number() -> None:
    assert mask_passport("NX4K81P02") == "******P02"
    assert mask_passport("AB12") == "*B12"
