"""Calendar rules in Asia/Jakarta: today's date under a clock, month arithmetic, working days and holidays."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

JAKARTA = ZoneInfo("Asia/Jakarta")

Clock = Callable[[], datetime]
"""Returns the current moment as an aware datetime; tests pass a controllable one."""


def system_clock() -> datetime:
    return datetime.now(UTC)


def jakarta_date(moment: datetime) -> date:
    if moment.tzinfo is None:
        raise ValueError("the clock must return an aware datetime")
    return moment.astimezone(JAKARTA).date()


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter (31 Aug + 6 months = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def end_of_month(day: date) -> date:
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


@dataclass(frozen=True)
class DayKind:
    weekend: bool
    holiday: str | None

    @property
    def working_day(self) -> bool:
        return not self.weekend and self.holiday is None


@lru_cache(maxsize=64)
def _indonesian_holidays(year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("ID", years=year, language="id").items())


def day_kind(day: date) -> DayKind:
    """Whether a date is a Saturday/Sunday and which Indonesian public holiday (if any) falls on it."""
    return DayKind(weekend=day.weekday() >= 5, holiday=_indonesian_holidays(day.year).get(day))


def days_between(start: date, end: date) -> int:
    return (end - start).days


ONE_DAY = timedelta(days=1)
