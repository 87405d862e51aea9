"""A clock the test moves: stands still until told, shared by everything that asks it (as the wall clock would be).

clock = FakeClock(at_jakarta(date(2030, 1, 1), hour=8))
clock()                      # the aware datetime now
clock.advance(days=30)       # or clock.advance(timedelta(hours=2)); no argument: one second
clock.set(date(2030, 6, 1))  # a date means 09:00 in Jakarta that day
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from mitra_shared.clock import JAKARTA, jakarta_date

DEFAULT_START = datetime(2030, 1, 2, 9, 0, tzinfo=JAKARTA)


def at_jakarta(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """That day at that time of day in Jakarta."""
    return datetime.combine(day, time(hour, minute), JAKARTA)


class FakeClock:
    def __init__(self, start: datetime | date | None = None) -> None:
        self.now = DEFAULT_START
        self.set(DEFAULT_START if start is None else start)

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime | date) -> datetime:
        """Move to `moment` (forwards or back); a date means 09:00 in Jakarta that day. Returns the new now."""
        if not isinstance(moment, datetime):
            moment = at_jakarta(moment)
        if moment.tzinfo is None:
            raise ValueError("a clock tells aware datetimes: give the moment a time zone")
        self.now = moment
        return moment

    def advance(self, delta: timedelta | None = None, **timedelta_kwargs: float) -> datetime:
        """Move forward by `delta` or `timedelta(**timedelta_kwargs)` (one second if neither). Returns the new now."""
        if delta is not None and timedelta_kwargs:
            raise TypeError("give a timedelta or its keyword arguments, not both")
        step = (
            delta if delta is not None else timedelta(**timedelta_kwargs) if timedelta_kwargs else timedelta(seconds=1)
        )
        self.now += step
        return self.now

    @property
    def today(self) -> date:
        """The calendar date in Jakarta now (the date the services' rules count in)."""
        return jakarta_date(self.now)

    def __repr__(self) -> str:
        return f"FakeClock({self.now.isoformat()})"
