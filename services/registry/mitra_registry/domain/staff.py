"""Foreign staff (tenaga ahli asing) rules, free of I/O: at most 3 active per NGO, each for at most 5 years, and
each expert (by passport number) at most 5 years in all across their assignments with any NGO (days two of them
share count once).

An assignment covers the days from `starts_on` to `ends_on`, both included. Ended early on day D, it no longer
counts from D on (its last day is D - 1). It is active on a day it covers; "today" is the calendar day in
Asia/Jakarta. The limit holds on every day: an assignment is refused if, on any day of its period, three others
are already active, so assignments planned for later cannot pile up past the limit either.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from mitra_registry.domain.names import NameText
from mitra_shared.errors import Conflict, RuleBroken
from mitra_shared.paging import MAX_OFFSET

MAX_ACTIVE_PER_ORGANIZATION = 3
MAX_ASSIGNMENT_YEARS = 5
STAFF_ELIGIBLE_STATUSES = frozenset({"registered", "active"})
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_PASSPORT = re.compile(r"^[A-Z0-9]{5,20}$")
StaffState = Literal["upcoming", "active", "ended"]


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later; 29 February becomes 28 February in a common year (as PostgreSQL does)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def mask_passport(number: str) -> str:
    """What a list shows of a passport number: only its last three characters."""
    return "*" * max(len(number) - 3, 0) + number[-3:]


class AssignForeignStaff(BaseModel):
    """Command: assign a foreign expert to an NGO."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "full_name": "Maria Jansen",
                    "nationality": "NL",
                    "role": "Programme adviser, disaster risk management",
                    "starts_on": "2026-01-05",
                    "ends_on": "2028-01-04",
                    "passport_number": "NX4K81P02",
                }
            ]
        },
    )

    full_name: NameText = Field(min_length=2, max_length=200)
    nationality: str = Field(description="ISO 3166-1 alpha-2 code; not `ID` (an Indonesian is not foreign staff).")
    role: NameText = Field(min_length=2, max_length=200, description="The expert's function in the NGO.")
    starts_on: date = Field(description="First day of the assignment.")
    ends_on: date = Field(
        description=f"Last day of the assignment (included); at most {MAX_ASSIGNMENT_YEARS} years after `starts_on` "
        "and not in the past."
    )
    passport_number: str = Field(
        description="Personal data: kept in the register only, never in events or logs; spaces are dropped."
    )

    @field_validator("nationality")
    @classmethod
    def _nationality(cls, value: str) -> str:
        value = value.upper()
        if not _COUNTRY.match(value):
            raise ValueError("must be an ISO 3166-1 alpha-2 code of two letters, e.g. NL")
        if value == "ID":
            raise ValueError("an Indonesian citizen is not foreign staff")
        return value

    @field_validator("ends_on")
    @classmethod
    def _period(cls, value: date, info: ValidationInfo) -> date:
        starts_on = info.data.get("starts_on")
        if starts_on is None:
            return value
        if value < starts_on:
            raise ValueError("must not be before starts_on")
        if value > add_years(starts_on, MAX_ASSIGNMENT_YEARS):
            raise ValueError(
                f"an assignment lasts at most {MAX_ASSIGNMENT_YEARS} years: "
                f"ends_on must be on or before {add_years(starts_on, MAX_ASSIGNMENT_YEARS).isoformat()}"
            )
        return value

    @field_validator("passport_number")
    @classmethod
    def _passport(cls, value: str) -> str:
        value = "".join(value.split()).upper()
        if not _PASSPORT.match(value):
            raise ValueError("must be 5 to 20 letters and digits")
        return value


class EndAssignment(BaseModel):
    """Command: end an assignment before its planned end."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"ended_on": "2027-06-30", "reason": "Returned to headquarters"}]},
    )

    ended_on: date = Field(
        description="The day the assignment ended: from this day on it no longer counts (its last day is the day "
        "before). Between `starts_on` (never took effect) and `ends_on`."
    )
    reason: str = Field(min_length=3, max_length=2000)


@dataclass(frozen=True)
class Period:
    """The part of an assignment the rules look at."""

    starts_on: date
    ends_on: date
    ended_on: date | None = None
    passport_number: str = ""

    @property
    def last_day(self) -> date:
        if self.ended_on is None:
            return self.ends_on
        return min(self.ends_on, self.ended_on - timedelta(days=1))

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.last_day

    def state(self, today: date) -> StaffState:
        if self.covers(today):
            return "active"
        if today < self.starts_on <= self.last_day:
            return "upcoming"
        return "ended"


def active_count(periods: Iterable[Period], today: date) -> int:
    return sum(1 for period in periods if period.covers(today))


def busiest_day(periods: Iterable[Period], first: date, last: date) -> tuple[date, int]:
    """The day within [first, last] on which most of `periods` are active, and how many (the earliest such day)."""
    changes: dict[date, int] = {}
    for period in periods:
        start, end = max(period.starts_on, first), min(period.last_day, last)
        if start <= end:
            changes[start] = changes.get(start, 0) + 1
            changes[end + timedelta(days=1)] = changes.get(end + timedelta(days=1), 0) - 1
    best_day, best, running = first, 0, 0
    for day in sorted(changes):
        running += changes[day]
        if running > best:
            best_day, best = day, running
    return best_day, best


def days_covered(periods: Iterable[Period]) -> int:
    """How many distinct days the periods cover together (a day two of them cover counts once)."""
    total = 0
    reached: date | None = None
    for start, last in sorted((p.starts_on, p.last_day) for p in periods if p.starts_on <= p.last_day):
        if reached is not None:
            start = max(start, reached + timedelta(days=1))
        if start <= last:
            total += (last - start).days + 1
            reached = last
    return total


def person_limit_days(first_day: date) -> int:
    """The days a foreign expert may work in all: those of the five years from their first assignment's start,
    both ends included (as many as the longest single assignment starting that day)."""
    return (add_years(first_day, MAX_ASSIGNMENT_YEARS) - first_day).days + 1


def check_person_total(new: Period, person: Sequence[Period]) -> None:
    """Refuse (Conflict naming `ends_on`) an assignment that would bring the expert's days in Indonesia, across
    every assignment of theirs with any NGO (`person`: those, by passport number), past five years. The reason names
    no passport and no other NGO."""
    periods = [p for p in (*person, new) if p.starts_on <= p.last_day]
    total = days_covered(periods)
    limit = person_limit_days(min(p.starts_on for p in periods))
    if total > limit:
        raise Conflict(
            "body.ends_on",
            f"a foreign expert works at most {MAX_ASSIGNMENT_YEARS} years in all, across their assignments: with this "
            f"one this expert would reach {total} days, over the {limit} allowed; end it earlier",
        )


def check_assignment(
    command: AssignForeignStaff,
    organization_status: str,
    existing: Sequence[Period],
    today: date,
    person: Sequence[Period] = (),
) -> None:
    """Refuse (RuleBroken, Conflict) if the NGO may not take this expert for this period; `existing` are its
    assignments, `person` every assignment of this expert (same passport number) with any NGO."""
    if organization_status not in STAFF_ELIGIBLE_STATUSES:
        raise Conflict(
            None, f"only a registered or active NGO may have foreign staff; this one is {organization_status}"
        )
    if command.ends_on < today:
        raise RuleBroken("body.ends_on", f"the assignment would already be over (today is {today.isoformat()})")
    new = Period(command.starts_on, command.ends_on)
    same_person = [p for p in existing if p.passport_number == command.passport_number]
    if busiest_day(same_person, new.starts_on, new.last_day)[1] > 0:
        raise Conflict("body.passport_number", "this expert already has an assignment with the NGO in that period")
    day, busiest = busiest_day(existing, new.starts_on, new.last_day)
    if busiest >= MAX_ACTIVE_PER_ORGANIZATION:
        raise Conflict(
            None,
            f"an NGO may have at most {MAX_ACTIVE_PER_ORGANIZATION} active foreign staff; "
            f"it already has {busiest} on {day.isoformat()}",
        )
    check_person_total(new, person)


def check_ending(period: Period, command: EndAssignment, today: date) -> None:
    """Refuse (RuleBroken, Conflict) if the assignment cannot end as asked."""
    if period.ended_on is not None:
        raise Conflict(None, f"the assignment already ended on {period.ended_on.isoformat()}")
    if period.ends_on < today:
        raise Conflict(None, f"the assignment is already over: its last day was {period.ends_on.isoformat()}")
    if command.ended_on < period.starts_on:
        raise RuleBroken("body.ended_on", f"must not be before the assignment starts ({period.starts_on.isoformat()})")
    if command.ended_on > period.ends_on:
        raise RuleBroken("body.ended_on", f"must not be after the planned end ({period.ends_on.isoformat()})")


_ASSIGNMENT_EXAMPLE = {
    "id": "5f1d2a9e-3c4b-4e8f-a1d2-7b6c5e4f3a21",
    "organization_id": "0b7e4f2c-8d0e-4a55-9f3e-2d6c1f0a9b11",
    "full_name": "Maria Jansen",
    "nationality": "NL",
    "role": "Programme adviser, disaster risk management",
    "starts_on": "2026-01-05",
    "ends_on": "2028-01-04",
    "ended_on": None,
    "end_reason": None,
    "state": "active",
}


class ForeignStaff(BaseModel):
    """An assignment as its own resource shows it: the passport number in full for TPOA and the NGO itself, `null`
    for everyone else; the masked number for all."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_ASSIGNMENT_EXAMPLE,
                    "passport_number": "NX4K81P02",
                    "passport_number_masked": "******P02",
                    "assigned_by": "kemensos-officer-12",
                    "assigned_at": "2025-12-20T02:15:00Z",
                    "ended_by": None,
                    "ended_at": None,
                }
            ]
        }
    )

    id: UUID
    organization_id: UUID
    full_name: str
    nationality: str
    role: str
    starts_on: date
    ends_on: date
    ended_on: date | None = Field(description="Set when the assignment was ended early.")
    end_reason: str | None
    state: StaffState = Field(description="On today's date in Asia/Jakarta: `upcoming`, `active` or `ended`.")
    passport_number: str | None = Field(
        description="Personal data: in full only for TPOA and the NGO the expert works for; `null` for every other "
        "role, who see `passport_number_masked`."
    )
    passport_number_masked: str = Field(description="Only the last three characters.", examples=["******P02"])
    assigned_by: str
    assigned_at: datetime
    ended_by: str | None
    ended_at: datetime | None


class ForeignStaffSummary(BaseModel):
    """An assignment as a list shows it: the passport number masked."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{**_ASSIGNMENT_EXAMPLE, "passport_number_masked": "******P02"}]}
    )

    id: UUID
    organization_id: UUID
    full_name: str
    nationality: str
    role: str
    starts_on: date
    ends_on: date
    ended_on: date | None
    end_reason: str | None
    state: StaffState
    passport_number_masked: str = Field(description="Only the last three characters.", examples=["******P02"])


class ForeignStaffQuery(BaseModel):
    """Filter and page of an NGO's foreign staff; an unknown parameter is refused."""

    model_config = ConfigDict(extra="forbid")

    state: StaffState | None = Field(None, description="On today's date in Asia/Jakarta.")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
