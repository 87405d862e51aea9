"""The obligations a signed MSP creates (Action Plan, work plans per region, semester and annual reports, the
decision to extend), and the rules of their submissions and decisions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mitra_agreements.domain.dates import ONE_DAY, end_of_month
from mitra_agreements.domain.msps import IN_FORCE, Region
from mitra_shared.clock import add_months
from mitra_shared.contracts import agreements as contracts
from mitra_shared.errors import Conflict
from mitra_shared.events import EventData

ObligationKind = Literal["action_plan", "work_plan", "semester_report", "annual_report", "extension_decision"]
ObligationStatus = Literal["pending", "submitted", "accepted", "returned", "overdue", "closed", "received_outside"]

OPEN_OBLIGATION: frozenset[str] = frozenset({"pending", "returned"})
# `received_outside`: met on paper before its MSP was recorded in Mitra (an import says so); nothing more is asked.
DONE_OR_WAITING: frozenset[str] = frozenset({"submitted", "accepted", "closed", "received_outside"})


class ObligationRules(BaseModel):
    """Which obligations an MSP creates when it is signed. Every MSP may set its own; these are the defaults."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "action_plan_months_after_signing": 6,
                    "work_plans": True,
                    "work_plan_due_month": 3,
                    "semester_reports": True,
                    "semester_report_months_after": 1,
                    "annual_reports": True,
                    "annual_report_months_after": 3,
                    "report_periods": "calendar",
                    "extension_decision_months_before_end": 6,
                }
            ]
        },
    )

    action_plan_months_after_signing: int | None = Field(
        6, ge=1, le=36, description="An Action Plan due this many months after signing; null for none."
    )
    work_plans: bool = Field(
        True, description="A work plan (RKT) for each calendar year and each region of work (none without regions)."
    )
    work_plan_due_month: int = Field(
        3, ge=1, le=12, description="A year's RKT is due by the end of this month (drafted February-March)."
    )
    semester_reports: bool = True
    semester_report_months_after: int = Field(1, ge=0, le=12, description="Months after the semester ends.")
    annual_reports: bool = True
    annual_report_months_after: int = Field(3, ge=0, le=12, description="Months after the year ends.")
    report_periods: Literal["calendar", "msp"] = Field(
        "calendar",
        description="`calendar`: semesters January-June and July-December, calendar years; `msp`: semesters and "
        "years counted from the MSP's start date.",
    )
    extension_decision_months_before_end: int | None = Field(
        6, ge=1, le=24, description="A decision to extend or let end, due this many months before the end."
    )


@dataclass(frozen=True)
class PlannedObligation:
    kind: ObligationKind
    period: str
    due_on: date
    region_code: str | None = None
    province_code: str | None = None


def _periods(starts_on: date, ends_on: date, months: int, basis: Literal["calendar", "msp"]) -> list[tuple[date, date]]:
    """The consecutive periods of `months` months that overlap [starts_on, ends_on], as (first day, last day)."""
    origin = starts_on
    if basis == "calendar":
        origin = date(starts_on.year, ((starts_on.month - 1) // months) * months + 1, 1)
    periods = []
    # Each period counts from the origin, so a start on the 31st does not drift to the 28th after February.
    index = 0
    while (first_day := add_months(origin, months * index)) <= ends_on:
        periods.append((first_day, add_months(origin, months * (index + 1)) - ONE_DAY))
        index += 1
    return periods


def _label(first_day: date, months: int, basis: str, index: int) -> str:
    if basis == "msp":
        return f"{'Y' if months == 12 else 'S'}{index + 1}"
    if months == 12:
        return str(first_day.year)
    return f"{first_day.year}-S{1 if first_day.month <= 6 else 2}"


def plan_obligations(
    *,
    starts_on: date,
    ends_on: date,
    signed_on: date,
    regions: Sequence[Region],
    rules: ObligationRules,
    from_day: date | None = None,
) -> list[PlannedObligation]:
    """The obligations of an MSP in force from `starts_on` to `ends_on`, signed on `signed_on`.

    Obligations whose due date falls before `from_day` (the signing date by default) are not created: an MSP
    signed late does not start its life with a backlog of overdue duties nobody could have met.
    """
    planned: list[PlannedObligation] = []
    if rules.action_plan_months_after_signing:
        planned.append(
            PlannedObligation("action_plan", "", add_months(signed_on, rules.action_plan_months_after_signing))
        )
    if rules.work_plans:
        for year in range(starts_on.year, ends_on.year + 1):
            covered_from = max(date(year, 1, 1), starts_on)
            due = max(end_of_month(date(year, rules.work_plan_due_month, 1)), add_months(covered_from, 1))
            for region in regions:
                planned.append(PlannedObligation("work_plan", str(year), due, region.code, region.province_code))
    basis = rules.report_periods
    reports: list[tuple[ObligationKind, int, int]] = []
    if rules.semester_reports:
        reports.append(("semester_report", 6, rules.semester_report_months_after))
    if rules.annual_reports:
        reports.append(("annual_report", 12, rules.annual_report_months_after))
    for kind, months, after in reports:
        for index, (first_day, last_day) in enumerate(_periods(starts_on, ends_on, months, basis)):
            # "Due N months after the period ends": the last day of the Nth month after it.
            due = add_months(last_day + ONE_DAY, after) - ONE_DAY if after else last_day
            planned.append(PlannedObligation(kind, _label(first_day, months, basis, index), due))
    if rules.extension_decision_months_before_end:
        due = add_months(ends_on, -rules.extension_decision_months_before_end)
        planned.append(PlannedObligation("extension_decision", str(ends_on), due))
    cutoff = from_day or signed_on
    return sorted((o for o in planned if o.due_on >= cutoff), key=lambda o: (o.due_on, o.kind, o.region_code or ""))


# --- submissions and decisions ----------------------------------------------------------------------------------

SUBMITTED: dict[str, type[EventData]] = {
    "action_plan": contracts.ActionPlanSubmitted,
    "work_plan": contracts.WorkPlanSubmitted,
    "semester_report": contracts.ReportSubmitted,
    "annual_report": contracts.ReportSubmitted,
}
ACCEPTED: dict[str, type[EventData]] = {
    "action_plan": contracts.ActionPlanAccepted,
    "work_plan": contracts.WorkPlanAccepted,
    "semester_report": contracts.ReportAccepted,
    "annual_report": contracts.ReportAccepted,
}
RETURNED: dict[str, type[EventData]] = {
    "action_plan": contracts.ActionPlanReturned,
    "work_plan": contracts.WorkPlanReturned,
    "semester_report": contracts.ReportReturned,
    "annual_report": contracts.ReportReturned,
}


def check_submission(*, kind: str, status: str, msp_status: str) -> type[EventData]:
    """Whether the NGO may submit for this obligation now; returns the event that says it did."""
    event_type = SUBMITTED.get(kind)
    if event_type is None:
        raise Conflict("obligation.kind", "an extension decision is made by extending the MSP or letting it end")
    if msp_status not in IN_FORCE:
        raise Conflict("msp.status", f"the MSP is {msp_status}")
    if status in DONE_OR_WAITING:
        raise Conflict("obligation.status", f"the {kind} is already {status}")
    return event_type


@dataclass(frozen=True)
class Decision:
    """A submission accepted or returned: the submission's and the obligation's new status, when the engine looks
    at the obligation again, and the event that says so."""

    status: Literal["accepted", "returned"]
    next_check_on: date | None
    event_type: type[EventData]


def decide(
    *, kind: str, submission_status: str, accept: bool, today: date, obligation_status: str = "submitted"
) -> Decision:
    event_type = (ACCEPTED if accept else RETURNED).get(kind)
    if event_type is None:
        raise Conflict("obligation.kind", "an extension decision is made by extending the MSP or letting it end")
    if submission_status != "submitted":
        raise Conflict("submission.status", f"the submission was already {submission_status}")
    if obligation_status == "closed":
        raise Conflict("obligation.status", "the obligation is closed (its MSP ended)")
    if accept:
        return Decision("accepted", None, event_type)
    # A returned one is open again: the engine looks at it on its next tick (overdue if the date has passed).
    return Decision("returned", today, event_type)
