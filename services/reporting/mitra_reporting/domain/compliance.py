"""Compliance: of the obligations due by a day, how many were submitted on time, late, or not at all. Pure: no I/O.

An obligation counts as due once its due date has passed; submitted on time if first submitted by its due date; late
if after it but by the day counted; overdue if not submitted by then. An MSP terminated before an obligation fell due
does not owe it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Compliance:
    key: str
    name: str
    due: int
    on_time: int
    late: int
    overdue: int
    upcoming: int

    @property
    def on_time_rate(self) -> float | None:
        """on_time / due, to four decimals; None when nothing was due."""
        return round(self.on_time / self.due, 4) if self.due else None


def _counted(key: str, name: str, row: Mapping[str, Any]) -> Compliance:
    return Compliance(key, name, row["due"], row["on_time"], row["late"], row["overdue"], row["upcoming"])


def per_organization(rows: Iterable[Mapping[str, Any]]) -> list[Compliance]:
    """From counts grouped by NGO and by ministry in one list, the NGOs' (`organization_id` set)."""
    return [
        _counted(str(row["organization_id"]), row["organization_name"], row) for row in rows if row["organization_id"]
    ]


def per_ministry(rows: Iterable[Mapping[str, Any]]) -> list[Compliance]:
    """From counts grouped by NGO and by ministry in one list, the ministries' (`ministry_code` set)."""
    return [_counted(row["ministry_code"], row["ministry_name"], row) for row in rows if row["ministry_code"]]
