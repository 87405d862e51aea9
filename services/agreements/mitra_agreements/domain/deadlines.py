"""The deadline engine's decisions, day by day: which reminder or overdue notice an obligation or a mitigation
action gets, when an MSP becomes active, is warned of its end, or ends; and the keys that make each notice go out
once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from mitra_agreements.domain.dates import ONE_DAY
from mitra_agreements.domain.monitoring import OPEN_ACTION
from mitra_agreements.domain.msps import IN_FORCE
from mitra_agreements.domain.obligations import OPEN_OBLIGATION, PlannedObligation
from mitra_shared.contracts import agreements as contracts
from mitra_shared.events import EventData

DUE: dict[str, type[EventData]] = {
    "action_plan": contracts.ActionPlanDue,
    "work_plan": contracts.WorkPlanDue,
    "semester_report": contracts.ReportDue,
    "annual_report": contracts.ReportDue,
}
OVERDUE: dict[str, type[EventData]] = {
    "action_plan": contracts.ActionPlanOverdue,
    "work_plan": contracts.WorkPlanOverdue,
    "semester_report": contracts.ReportOverdue,
    "annual_report": contracts.ReportOverdue,
}


@dataclass(frozen=True)
class Reminder:
    days_before: int
    days_left: int


@dataclass(frozen=True)
class Overdue:
    days_overdue: int


@dataclass(frozen=True)
class ObligationStep:
    """What the engine does for one obligation today: at most one notice, and when to look at it again."""

    notice: Reminder | Overdue | None
    next_check_on: date | None


def first_check(due_on: date, reminder_days: Sequence[int]) -> date:
    return due_on - timedelta(days=max(reminder_days)) if reminder_days else due_on + ONE_DAY


def first_check_of(obligation: PlannedObligation, reminder_days: Sequence[int], today: date) -> date | None:
    """The look the engine owes a new obligation apart from its due date's calendar (`reminder_calendar`, and the
    day after the due date): today, when its first reminder day has come already (it was created inside its
    reminder window); that day, when it is tomorrow (made late in the evening, the obligation may be committed
    after the engine's first look of the next day); else none, as the calendar finds it on that day. An extension
    decision is reminded of by the MSP's expiry warnings, not by reminders of its own."""
    if obligation.kind == "extension_decision":
        return None
    first = first_check(obligation.due_on, reminder_days)
    return max(first, today) if first <= today + ONE_DAY else None


def reminder_calendar(looked_on: date, today: date, reminder_days: Sequence[int]) -> list[date]:
    """The due dates owed a reminder on a day after `looked_on` (the last day whose reminders all went out) up to
    today: a reminder day of each lead for each such day. After downtime that is every day missed, and each
    obligation then gets the most urgent reminder that applies today (`obligation_step`). Due dates before today
    are the overdue notice's, not a reminder's."""
    missed = range(1, (today - looked_on).days + 1)
    days = {looked_on + timedelta(days=lead + day) for lead in reminder_days for day in missed}
    return sorted(day for day in days if day >= today)


def obligation_step(*, status: str, due_on: date, reminder_days: Sequence[int], today: date) -> ObligationStep:
    """Only the most urgent reminder that applies today is sent: after downtime an obligation gets one notice,
    not every reminder it missed (a 30-day and a 7-day reminder on the same morning say nothing more than the
    7-day one). The day after the due date an open obligation is overdue."""
    return _due_step(open_=status in OPEN_OBLIGATION, due_on=due_on, reminder_days=reminder_days, today=today)


def action_step(
    *, status: str, msp_status: str, due_on: date, reminder_days: Sequence[int], today: date
) -> ObligationStep:
    """A mitigation action is reminded of as an obligation is, while it is open or in progress and its MSP in force
    (an MSP that ended or was terminated asks nothing more)."""
    open_ = status in OPEN_ACTION and msp_status in IN_FORCE
    return _due_step(open_=open_, due_on=due_on, reminder_days=reminder_days, today=today)


def _due_step(*, open_: bool, due_on: date, reminder_days: Sequence[int], today: date) -> ObligationStep:
    if not open_:
        return ObligationStep(None, None)
    if today > due_on:
        return ObligationStep(Overdue((today - due_on).days), None)
    days_left = (due_on - today).days
    applicable = [lead for lead in reminder_days if lead >= days_left]
    later = sorted((lead for lead in reminder_days if lead < days_left), reverse=True)
    next_check = due_on - timedelta(days=later[0]) if later else due_on + ONE_DAY
    if not applicable:
        return ObligationStep(None, next_check)
    lead = min(applicable)
    later = [other for other in reminder_days if other < lead]
    next_check = due_on - timedelta(days=max(later)) if later else due_on + ONE_DAY
    return ObligationStep(Reminder(lead, days_left), next_check)


@dataclass(frozen=True)
class MspStep:
    activate: bool = False
    expiring: int | None = None
    end: bool = False
    next_check_on: date | None = None


def msp_step(*, status: str, starts_on: date, ends_on: date, warning_days: Sequence[int], today: date) -> MspStep:
    """Activation on the start date, the most urgent expiry warning that applies, the end after the end date."""
    if status not in IN_FORCE:
        return MspStep()
    if today > ends_on:
        return MspStep(end=True)
    activate = status == "signed" and starts_on <= today
    days_left = (ends_on - today).days
    applicable = [lead for lead in warning_days if lead >= days_left]
    expiring = min(applicable) if applicable else None
    upcoming = [ends_on - timedelta(days=lead) for lead in warning_days if expiring is None or lead < expiring]
    upcoming = [day for day in upcoming if day > today]
    upcoming.append(ends_on + ONE_DAY)
    if status == "signed" and not activate:
        upcoming.append(starts_on)
    return MspStep(activate=activate, expiring=expiring, next_check_on=min(upcoming))


def expiry_notice_key(ends_on: date, days_before: int) -> str:
    # The end date is part of the key: an extended MSP gets its warnings again for the new end.
    return f"expiring:{days_before}:{ends_on.isoformat()}"


def reminder_notice_key(days_before: int) -> str:
    return f"due:{days_before}"


OVERDUE_NOTICE_KEY = "overdue"
ENDED_NOTICE_KEY = "ended"
