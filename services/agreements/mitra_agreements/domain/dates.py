"""Calendar days as the rules count them: the end of a month, weekends and Indonesian public holidays.

Pure: the holiday table comes from the `holidays` package's data, not from any service."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays


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


ONE_DAY = timedelta(days=1)
