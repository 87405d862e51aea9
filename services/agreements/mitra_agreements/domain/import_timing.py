"""When things happen to an imported MSP: what the deadline engine will send for it from today on (so the import's
report can count it), and the earliest day one of its obligations can have been received on paper."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from mitra_agreements.domain.deadlines import Reminder, first_check, msp_step
from mitra_agreements.domain.deadlines import obligation_step as engine_step
from mitra_agreements.domain.obligations import PlannedObligation


def reminders_ahead(due_on: date, reminder_days: Sequence[int], today: date, *, until: date) -> int:
    """The reminders the deadline engine will send for an open obligation due on `due_on`, from today on (after a
    late start only the most urgent one that applies, then each later one), up to `until` (the day after its MSP
    ends: the engine looks at obligations before MSPs, then the end closes what is left)."""
    day, count = max(first_check(due_on, reminder_days), today), 0
    while day <= min(due_on, until):
        step = engine_step(status="pending", due_on=due_on, reminder_days=reminder_days, today=day)
        count += isinstance(step.notice, Reminder)
        if step.next_check_on is None or step.next_check_on <= day:
            break
        day = step.next_check_on
    return count


def warnings_ahead(status: str, starts_on: date, ends_on: date, warning_days: Sequence[int], today: date) -> int:
    """The expiry warnings the deadline engine will send for an MSP in force, from today on: after a late start
    (an MSP imported within its last days) the most urgent one that applies, then each later one, as the engine
    steps through it."""
    day, count = today, 0
    while True:
        step = msp_step(status=status, starts_on=starts_on, ends_on=ends_on, warning_days=warning_days, today=day)
        count += step.expiring is not None
        if step.end or step.next_check_on is None or step.next_check_on <= day:
            return count
        status = "active" if step.activate else status
        day = step.next_check_on


def period_end(planned: PlannedObligation) -> date | None:
    """The last day of the period a report covers (calendar periods, as the import plans them), else None."""
    if planned.kind == "annual_report" and planned.period.isdigit():
        return date(int(planned.period), 12, 31)
    if planned.kind == "semester_report" and planned.period[:4].isdigit() and planned.period[4:] in ("-S1", "-S2"):
        year = int(planned.period[:4])
        return date(year, 6, 30) if planned.period.endswith("S1") else date(year, 12, 31)
    return None


def earliest_receipt(planned: PlannedObligation, signed_on: date, ends_on: date) -> tuple[date, str]:
    """The earliest day an obligation can have been received, and why: a report once its period ended (or the MSP,
    if sooner); an Action Plan or a work plan once the MSP was signed."""
    end = period_end(planned)
    if end is not None:
        last = min(end, ends_on)
        return max(last, signed_on), f"a report cannot be received before its period ends ({last})"
    return signed_on, f"it cannot be received before the MSP was signed ({signed_on})"
