"""Permit rules without I/O: terms of at most 3 years, operating permits under their principle permit, extensions."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from mitra_registry.domain.permits import (
    ExtendPermit,
    GrantPermit,
    PermitTerm,
    PrincipleFacts,
    check_may_receive_permit,
    check_operating_permit,
    decide_extension,
    extension_due_by,
    latest_end_of_term,
    principle_limit,
)
from mitra_shared.clock import add_months, jakarta_date
from mitra_shared.errors import Conflict, Refused, RuleBroken

NGO = uuid.uuid4()
PRINCIPLE_ID = uuid.uuid4()


def principle_facts(**overrides: Any) -> PrincipleFacts:
    fields: dict[str, Any] = {
        "id": PRINCIPLE_ID,
        "organization_id": NGO,
        "permit_type": "principle",
        "status": "valid",
        "issued_on": date(2025, 1, 1),
        "valid_until": date(2027, 12, 31),
    }
    return PrincipleFacts(**(fields | overrides))


def operating(**overrides: Any) -> GrantPermit:
    fields: dict[str, Any] = {
        "permit_type": "operating",
        "number": "IO-1",
        "issued_on": "2025-02-01",
        "valid_until": "2027-06-30",
        "principle_permit_id": str(PRINCIPLE_ID),
    }
    return GrantPermit.model_validate(fields | overrides)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 1, 15), 36, date(2027, 1, 15)),
        (date(2024, 2, 29), 36, date(2027, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2027, 5, 31), -3, date(2027, 2, 28)),
        (date(2027, 3, 31), -3, date(2026, 12, 31)),
        (date(2027, 12, 15), 1, date(2028, 1, 15)),
    ],
)
def test_months_are_calendar_months_clamped_to_the_months_end(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_the_longest_term_ends_on_the_third_anniversary() -> None:
    assert latest_end_of_term(date(2024, 1, 15)) == date(2027, 1, 15)
    GrantPermit(permit_type="principle", number="IP-1", issued_on=date(2024, 1, 15), valid_until=date(2027, 1, 15))
    with pytest.raises(ValidationError) as caught:
        GrantPermit(permit_type="principle", number="IP-1", issued_on=date(2024, 1, 15), valid_until=date(2027, 1, 16))
    assert [error["loc"] for error in caught.value.errors()] == [("valid_until",)]


def test_an_operating_permit_may_last_longer_than_three_years_within_its_principle_permit() -> None:
    long_operating = operating(issued_on="2021-01-01", valid_until="2025-01-01")
    check_operating_permit(
        long_operating, NGO, principle_facts(issued_on=date(2020, 6, 1), valid_until=date(2025, 6, 1))
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        (
            {"permit_type": "principle", "number": "IP", "issued_on": "2025-01-02", "valid_until": "2025-01-01"},
            "valid_until",
        ),
        ({"permit_type": "principle", "number": "", "issued_on": "2025-01-01", "valid_until": "2026-01-01"}, "number"),
        (
            {"permit_type": "operating", "number": "IO", "issued_on": "2025-01-01", "valid_until": "2026-01-01"},
            "principle_permit_id",
        ),
        (
            {
                "permit_type": "principle",
                "number": "IP",
                "issued_on": "2025-01-01",
                "valid_until": "2026-01-01",
                "msp_id": str(uuid.uuid4()),
            },
            "msp_id",
        ),
        (
            {
                "permit_type": "principle",
                "number": "IP",
                "issued_on": "2025-01-01",
                "valid_until": "2026-01-01",
                "principle_permit_id": str(uuid.uuid4()),
            },
            "principle_permit_id",
        ),
    ],
)
def test_invalid_grants_name_the_field(fields: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        GrantPermit.model_validate(fields)
    assert [error["loc"][0] for error in caught.value.errors()] == [field]


@pytest.mark.parametrize(
    ("command", "principle", "field", "conflict"),
    [
        (operating(), None, "body.principle_permit_id", False),
        (operating(), principle_facts(permit_type="operating"), "body.principle_permit_id", False),
        (operating(), principle_facts(organization_id=uuid.uuid4()), "body.principle_permit_id", False),
        (operating(), principle_facts(status="expired"), "body.principle_permit_id", True),
        (operating(), principle_facts(status="revoked"), "body.principle_permit_id", True),
        (operating(valid_until="2028-01-01"), principle_facts(), "body.valid_until", False),
        (operating(issued_on="2024-12-31"), principle_facts(), "body.issued_on", False),
    ],
)
def test_an_operating_permit_rests_on_a_valid_principle_permit_of_the_same_ngo(
    command: GrantPermit, principle: PrincipleFacts | None, field: str, conflict: bool
) -> None:
    with pytest.raises(Refused) as caught:
        check_operating_permit(command, NGO, principle)
    assert (caught.value.field, type(caught.value)) == (field, Conflict if conflict else RuleBroken)


def test_an_operating_permit_may_end_with_its_principle_permit() -> None:
    check_operating_permit(operating(valid_until="2027-12-31"), NGO, principle_facts())


@pytest.mark.parametrize("status", ["suspended", "revoked", "closed"])
def test_a_suspended_revoked_or_closed_ngo_gets_no_permit(status: str) -> None:
    with pytest.raises(Conflict):
        check_may_receive_permit(status)


@pytest.mark.parametrize("status", ["applicant", "registered", "active"])
def test_other_ngos_may_get_permits(status: str) -> None:
    check_may_receive_permit(status)


PRINCIPLE_TERM = PermitTerm("principle", "valid", date(2027, 6, 30))


def test_a_principle_extension_is_due_three_months_before_expiry_and_accepted_late_with_a_flag() -> None:
    assert extension_due_by(date(2027, 6, 30)) == date(2027, 3, 30)
    new_end = ExtendPermit(valid_until=date(2030, 6, 30), requested_on=date(2027, 3, 30))
    on_the_last_day = decide_extension(PRINCIPLE_TERM, new_end, today=date(2027, 3, 30))
    assert not on_the_last_day.requested_late
    a_day_late = decide_extension(
        PRINCIPLE_TERM, new_end.model_copy(update={"requested_on": date(2027, 3, 31)}), today=date(2027, 4, 1)
    )
    assert a_day_late.requested_late
    on_its_last_valid_day = decide_extension(
        PRINCIPLE_TERM, new_end.model_copy(update={"requested_on": None}), today=date(2027, 6, 30)
    )
    assert (on_its_last_valid_day.requested_on, on_its_last_valid_day.requested_late) == (date(2027, 6, 30), True)


def test_an_operating_extension_is_never_late() -> None:
    term = PermitTerm("operating", "valid", date(2027, 6, 30))
    decision = decide_extension(
        term,
        ExtendPermit(valid_until=date(2027, 12, 31)),
        today=date(2027, 6, 1),
        principle_valid_until=date(2028, 1, 1),
    )
    assert not decision.requested_late


def test_an_extension_is_a_new_term_of_at_most_three_years_from_the_day_after_the_current_end() -> None:
    longest = ExtendPermit(valid_until=date(2030, 7, 1))
    decide_extension(PRINCIPLE_TERM, longest, today=date(2027, 1, 1))
    with pytest.raises(RuleBroken) as caught:
        decide_extension(PRINCIPLE_TERM, ExtendPermit(valid_until=date(2030, 7, 2)), today=date(2027, 1, 1))
    assert caught.value.field == "body.valid_until"
    assert "2030-07-01" in caught.value.reason


@pytest.mark.parametrize(
    ("term", "command", "today", "principle_until", "field", "conflict"),
    [
        (
            PRINCIPLE_TERM,
            ExtendPermit(valid_until=date(2027, 6, 30)),
            date(2027, 1, 1),
            None,
            "body.valid_until",
            False,
        ),
        (
            PRINCIPLE_TERM,
            ExtendPermit(valid_until=date(2028, 6, 30), requested_on=date(2027, 1, 2)),
            date(2027, 1, 1),
            None,
            "body.requested_on",
            False,
        ),
        (
            PRINCIPLE_TERM,
            ExtendPermit(valid_until=date(2028, 6, 30), requested_on=date(2027, 7, 1)),
            date(2027, 7, 1),
            None,
            "body.requested_on",
            True,
        ),
        (
            PermitTerm("principle", "expired", date(2027, 6, 30)),
            ExtendPermit(valid_until=date(2028, 6, 30)),
            date(2027, 7, 2),
            None,
            None,
            True,
        ),
        (
            PermitTerm("principle", "revoked", date(2027, 6, 30)),
            ExtendPermit(valid_until=date(2028, 6, 30)),
            date(2027, 1, 1),
            None,
            None,
            True,
        ),
        (
            PermitTerm("operating", "valid", date(2027, 6, 30)),
            ExtendPermit(valid_until=date(2028, 1, 2)),
            date(2027, 1, 1),
            date(2028, 1, 1),
            "body.valid_until",
            False,
        ),
    ],
)
def test_extensions_that_break_a_rule_say_which(
    term: PermitTerm,
    command: ExtendPermit,
    today: date,
    principle_until: date | None,
    field: str | None,
    conflict: bool,
) -> None:
    with pytest.raises(Refused) as caught:
        decide_extension(term, command, today=today, principle_valid_until=principle_until)
    assert (caught.value.field, type(caught.value)) == (field, Conflict if conflict else RuleBroken)


def test_an_operating_permit_is_extended_only_within_a_valid_principle_permit() -> None:
    assert principle_limit(None) is None
    assert principle_limit(principle_facts()) == date(2027, 12, 31)
    for status in ("expired", "revoked"):
        with pytest.raises(Conflict, match=f"its principle permit is {status}") as caught:
            principle_limit(principle_facts(status=status))
        assert caught.value.field is None


def test_today_is_the_date_in_jakarta() -> None:
    assert jakarta_date(datetime(2026, 11, 22, 16, 59, tzinfo=UTC)) == date(2026, 11, 22)
    assert jakarta_date(datetime(2026, 11, 22, 17, 0, tzinfo=UTC)) == date(2026, 11, 23)
    with pytest.raises(ValueError, match="aware"):
        jakarta_date(datetime(2026, 11, 22, 17, 0))
