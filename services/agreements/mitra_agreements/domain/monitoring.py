"""Monitoring per MSP (the Kemensos instrument: administration, field implementation, monitoring and evaluation):
a government office's monitoring visit with its rating and findings, and the mitigation actions that follow, each
with an owner (the NGO, the ministry or a region's office), a due date and a status.

Pure: the commands, the views, and the rules of dates, places and the status of an action.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mitra_agreements.domain.msps import IN_FORCE
from mitra_shared.access import region_covers
from mitra_shared.contracts.agreements import ActionOwner, ActionStatus, MonitoringAspect, MonitoringRating
from mitra_shared.errors import Conflict, RuleBroken

OfficeKind = Literal["ministry", "region"]
OPEN_ACTION: frozenset[str] = frozenset({"open", "in_progress"})
"""An action the deadline engine reminds of: not done nor cancelled."""
NEXT_STATUS: dict[str, frozenset[str]] = {
    "open": frozenset({"in_progress", "done", "cancelled"}),
    "in_progress": frozenset({"done", "cancelled"}),
    "done": frozenset(),
    "cancelled": frozenset(),
}
REGION_CODE = r"^\d{2}(\d{2})?$"


class _Command(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RecordMonitoringVisit(_Command):
    """Command: a government office records its monitoring visit to an MSP's work."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "visited_on": "2027-05-12",
                    "region_code": "3374",
                    "aspects": ["administration", "field_implementation"],
                    "rating": "needs_improvement",
                    "findings": "Attendance lists of the trainings are incomplete; field work as planned.",
                }
            ]
        }
    )

    visited_on: date = Field(description="Not in the future.")
    region_code: str | None = Field(
        None,
        pattern=REGION_CODE,
        description="Where the visit went (a province or regency the MSP touches); a region's office: its own area, "
        "by default its own code. None from the ministry: MSP-wide.",
    )
    aspects: list[MonitoringAspect] = Field(min_length=1, max_length=3, description="What the visit looked at.")
    rating: MonitoringRating
    findings: str = Field(min_length=3, max_length=20000)

    @field_validator("aspects")
    @classmethod
    def _distinct(cls, value: list[MonitoringAspect]) -> list[MonitoringAspect]:
        return list(dict.fromkeys(value))


class OpenMitigationAction(_Command):
    """Command: set a mitigation action for an MSP, with who must act and by when."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "description": "Complete the attendance lists of the 2027 trainings and send them to Kesbangpol",
                    "owner": "ngo",
                    "due_on": "2027-06-30",
                    "monitoring_visit_id": "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d",
                }
            ]
        }
    )

    description: str = Field(min_length=3, max_length=5000)
    owner: ActionOwner = Field(description="Who must act: the NGO, the MSP's ministry, or a region's office.")
    owner_region_code: str | None = Field(
        None, pattern=REGION_CODE, description="Required for a region's office (a region the MSP touches); else none."
    )
    due_on: date = Field(description="Not in the past.")
    monitoring_visit_id: UUID | None = Field(None, description="The monitoring visit (of this MSP) it answers.")


class ChangeActionStatus(_Command):
    """Command: move a mitigation action on."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "done", "note": "Lists sent on 20 June"}]})

    status: Literal["in_progress", "done", "cancelled"]
    note: str | None = Field(None, max_length=5000)


class MonitoringVisit(BaseModel):
    id: UUID
    msp_id: UUID
    office_kind: OfficeKind
    office_code: str = Field(description="The ministry's code or the region's code.")
    region_code: str | None = Field(description="Where the visit went; null: MSP-wide.")
    province_code: str | None
    visited_on: date
    aspects: list[MonitoringAspect]
    rating: MonitoringRating
    findings: str
    recorded_by: str
    recorded_at: datetime


class MitigationAction(BaseModel):
    id: UUID
    msp_id: UUID
    monitoring_visit_id: UUID | None
    description: str
    owner: ActionOwner
    owner_region_code: str | None
    region_code: str | None = Field(
        description="The region it concerns (the owning office's, else its monitoring visit's); null: MSP-wide."
    )
    due_on: date
    status: ActionStatus
    overdue: bool = Field(description="The deadline engine found it open after its due date.")
    status_note: str | None
    opened_by: str
    opened_at: datetime
    status_changed_by: str | None
    status_changed_at: datetime | None
    version: int


class MitigationActionItem(MitigationAction):
    msp_title: str
    organization_id: UUID
    organization_name: str
    ministry_code: str


# --- rules ------------------------------------------------------------------------------------------------------


def check_msp_in_force(status: str) -> None:
    """Monitoring visits and mitigation actions are recorded for an MSP in force."""
    if status not in IN_FORCE:
        raise Conflict("msp.status", f"the MSP is {status}, not in force")


def check_visited_on(visited_on: date, today: date) -> None:
    if visited_on > today:
        raise RuleBroken("body.visited_on", f"a visit is recorded once made; {visited_on} is after today ({today})")


def check_region_of_msp(code: str, msp_region_codes: tuple[str, ...], *, field: str) -> None:
    """A place named for an MSP's monitoring is one its work touches (the same, a province's regency, or the
    province of a regency it works in)."""
    if not any(region_covers(code, place) or region_covers(place, code) for place in msp_region_codes):
        raise RuleBroken(field, f"the MSP does not work in {code}")


def check_action(command: OpenMitigationAction, today: date) -> None:
    """A region's office as owner names its region; no one else does; the due date is not in the past."""
    if command.owner == "region" and command.owner_region_code is None:
        raise RuleBroken("body.owner_region_code", "a region's office as owner is named by its region code")
    if command.owner != "region" and command.owner_region_code is not None:
        raise RuleBroken("body.owner_region_code", "only a region's office as owner has a region code")
    if command.due_on < today:
        raise RuleBroken("body.due_on", f"{command.due_on} is in the past (today is {today})")


def action_region(command: OpenMitigationAction, visit_region_code: str | None) -> str | None:
    """The region an action concerns: the owning office's, else its monitoring visit's; None: MSP-wide."""
    return command.owner_region_code if command.owner == "region" else visit_region_code


def check_transition(current: str, new: str) -> None:
    if new not in NEXT_STATUS[current]:
        allowed = ", ".join(sorted(NEXT_STATUS[current])) or "none"
        raise Conflict("body.status", f"the action is {current}; it may move to: {allowed}")
