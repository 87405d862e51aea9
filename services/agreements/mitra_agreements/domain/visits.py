"""Announcements of foreign guests' visits: the dates, and the notice they must be given with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mitra_shared.errors import RuleBroken


@dataclass(frozen=True)
class VisitNotice:
    days_notice: int
    late: bool


def visit_notice(*, announced_on: date, arrives_on: date, required_days: int) -> VisitNotice:
    """A visit is announced at least `required_days` before arrival; a later announcement is accepted, flagged."""
    days = (arrives_on - announced_on).days
    return VisitNotice(days, days < required_days)


def check_visit_dates(arrives_on: date, departs_on: date) -> None:
    if departs_on < arrives_on:
        raise RuleBroken("body.departs_on", f"departure {departs_on} is before arrival {arrives_on}")


def check_announcement(*, arrives_on: date, departs_on: date, today: date) -> None:
    """A new announcement: departure not before arrival, and an arrival not in the past."""
    check_visit_dates(arrives_on, departs_on)
    if arrives_on < today:
        raise RuleBroken("body.arrives_on", f"arrival {arrives_on} is in the past")
