"""Visa/stay-permit and tax-exemption recommendations: what a request must name, and a decision made once.

A visa recommendation names the foreign expert's assignment in registry's foreign-staff register, as agreements
learned it (`registry.foreign_staff.assigned` / `.ended`): an assignment of the MSP's NGO that is not over (under
way, or starting later: a visa is asked for before the expert arrives). The expert's name and nationality are the
assignment's, whatever the request says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol
from uuid import UUID

from mitra_shared.errors import Conflict, RuleBroken

STAFF_FIELD = "body.staff_assignment_id"


@dataclass(frozen=True)
class KnownAssignment:
    """A foreign-staff assignment as agreements learned it; `full_name` None: only its end is known yet."""

    assignment_id: UUID
    organization_id: UUID
    full_name: str | None
    nationality: str | None
    starts_on: date | None
    ends_on: date | None
    ended_on: date | None

    @property
    def last_day(self) -> date | None:
        """Its last day: the planned end, or the day before it was ended early."""
        if self.ends_on is None:
            return None
        if self.ended_on is None:
            return self.ends_on
        return min(self.ends_on, self.ended_on - timedelta(days=1))


class Request(Protocol):
    """What a recommendation request says of its expert (the use cases' `RequestRecommendation`)."""

    @property
    def kind(self) -> str: ...
    @property
    def staff_assignment_id(self) -> UUID | None: ...
    @property
    def expert_name(self) -> str | None: ...
    @property
    def expert_nationality(self) -> str | None: ...


@dataclass(frozen=True)
class Expert:
    name: str | None
    nationality: str | None
    staff_assignment_id: UUID | None


def check_request(
    command: Request, *, organization_id: UUID, assignment: KnownAssignment | None, today: date
) -> Expert:
    """Who the recommendation is for: for a visa, the expert of an assignment of the MSP's NGO that is not over
    (422 naming `staff_assignment_id` otherwise); a tax exemption names no assignment."""
    if command.kind != "visa":
        if command.staff_assignment_id is not None:
            raise RuleBroken(STAFF_FIELD, "only a visa recommendation names a foreign-staff assignment")
        return Expert(command.expert_name, command.expert_nationality, None)
    if command.staff_assignment_id is None:
        raise RuleBroken(
            STAFF_FIELD, "a visa recommendation names the expert's assignment in the foreign-staff register"
        )
    if assignment is None or assignment.full_name is None or assignment.organization_id != organization_id:
        raise RuleBroken(
            STAFF_FIELD,
            f"agreements knows no foreign-staff assignment {command.staff_assignment_id} of the MSP's NGO (it learns "
            "them from registry's events)",
        )
    last_day = assignment.last_day
    if last_day is None or last_day < today:
        raise RuleBroken(STAFF_FIELD, f"the assignment of {assignment.full_name} is over (last day {last_day})")
    return Expert(assignment.full_name, assignment.nationality, assignment.assignment_id)


def check_issue(*, status: str, reference_number: str | None, reference_taken: bool, new_reference: str) -> None:
    """A request is decided once, under a reference number no other recommendation carries."""
    if status != "requested":
        raise Conflict("path.recommendation_id", f"already issued as {reference_number}")
    if reference_taken:
        raise Conflict("body.reference_number", f"the reference number {new_reference} is already used")
