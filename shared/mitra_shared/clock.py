"""Time as the services count it: an injectable clock and calendar days in Asia/Jakarta. Pure: no I/O.

Use cases and workers take a `Clock` argument instead of asking the system, so tests control time; dates that rules
count in (due dates, permit terms, visit notice) are calendar days in Indonesia's capital.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

JAKARTA = ZoneInfo("Asia/Jakarta")

Clock = Callable[[], datetime]
"""Returns the current moment as an aware datetime; production passes `system_clock`, tests their own."""


def system_clock() -> datetime:
    return datetime.now(UTC)


def jakarta_date(moment: datetime) -> date:
    """The calendar date in Jakarta at that moment."""
    if moment.tzinfo is None:
        raise ValueError("the clock must return an aware datetime")
    return moment.astimezone(JAKARTA).date()


def jakarta_today(clock: Clock) -> date:
    return jakarta_date(clock())


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), moved back to the month's last day where it does not exist
    (31 August + 6 months = 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last_day))
