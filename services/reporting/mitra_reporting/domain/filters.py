"""What a dashboard counts: a ministry, a region, a focus area, a period, and the day its figures are "as of".
Pure: no I/O.

A province's code (`33`) also covers its regencies and cities (`3374`); each filter left out counts everything.
A focus area (`education`, as the projections hold it) is matched per view: an MSP-based figure (MSPs, cooperation
by region, compliance, overdue, risk, visits, IATI) by the MSP's own focus areas; an NGO-based figure (the NGO
summary and list) by the NGO's focus areas as registry reports them. The
"as of" day is today in Asia/Jakarta unless given, so that figures asked for again later can be reproduced.

Whatever is chosen, the figures are counted within the caller's reach (`access.Reach`): the filters narrow what
the caller may see, never widen it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from mitra_reporting.domain.access import EVERYTHING, Reach
from mitra_shared.errors import RuleBroken


@dataclass(frozen=True)
class Filters:
    ministry: str | None
    region: str | None
    period_from: date | None
    period_to: date | None
    as_of: date
    reach: Reach = EVERYTHING
    focus_area: str | None = None

    @classmethod
    def chosen(
        cls,
        *,
        ministry: str | None,
        region: str | None,
        period_from: date | None,
        period_to: date | None,
        as_of: date | None,
        today: date,
        focus_area: str | None = None,
    ) -> Filters:
        if period_from and period_to and period_from > period_to:
            raise RuleBroken("query.to", "the period ends before it starts")
        return cls(ministry, region, period_from, period_to, as_of or today, focus_area=focus_area)

    @classmethod
    def of_year(cls, ministry: str, year: int, *, as_of: date | None, today: date) -> Filters:
        """A ministry's calendar year, as of the given day, else the year's end or today, whichever comes first."""
        year_end = date(year, 12, 31)
        return cls(ministry, None, date(year, 1, 1), year_end, as_of or min(year_end, today))

    def within(self, reach: Reach) -> Filters:
        """The same filters, counted within the caller's reach."""
        return replace(self, reach=reach)

    def scope(self) -> dict[str, Any]:
        """The ministry, region, focus area and period by name, and the caller's reach: what a count that does not
        depend on the day takes."""
        return {
            "ministry": self.ministry,
            "region": self.region,
            "focus_area": self.focus_area,
            "period_from": self.period_from,
            "period_to": self.period_to,
            **self.reach.named(),
        }

    def named(self) -> dict[str, Any]:
        """Every filter by name, the "as of" day included."""
        return {**self.scope(), "as_of": self.as_of}
