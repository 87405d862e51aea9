"""Statistics of a run: latency summaries, rates, and ratios to a baseline. Pure: no I/O."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class NotAvailable:
    """A measurement that cannot be taken yet, and why (the issue that brings what it needs)."""

    reason: str

    def __str__(self) -> str:
        return f"n/a ({self.reason})"


@dataclass(frozen=True)
class LatencySummary:
    """Latencies in milliseconds."""

    count: int
    p50: float
    p99: float
    max: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values (`fraction` 0.99 for p99)."""
    if not sorted_values:
        raise ValueError("no values")
    if not 0 < fraction <= 1:
        raise ValueError("fraction must be in (0, 1]")
    rank = math.ceil(fraction * len(sorted_values))
    return sorted_values[max(rank, 1) - 1]


def summarize_seconds(durations_s: Sequence[float]) -> LatencySummary | None:
    """p50, p99 and max in milliseconds of durations given in seconds; None when there are none."""
    if not durations_s:
        return None
    ordered = sorted(durations_s)
    return LatencySummary(
        count=len(ordered),
        p50=percentile(ordered, 0.50) * 1000,
        p99=percentile(ordered, 0.99) * 1000,
        max=ordered[-1] * 1000,
    )


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else 0.0


def ratio(value: float | None, baseline: float | None) -> float | None:
    """`value` as a multiple of `baseline`; None when either is missing or the baseline is zero."""
    if value is None or baseline is None or baseline == 0:
        return None
    return value / baseline


@dataclass(frozen=True)
class Row:
    """One line of the result table: a figure, its unit, its baseline, and the target it is held to."""

    section: str
    name: str
    value: float | NotAvailable | None
    unit: str
    baseline: float | None = None
    baseline_name: str = ""
    target: str = ""
    met: bool | None = None

    @property
    def ratio(self) -> float | None:
        return ratio(self.value if isinstance(self.value, float | int) else None, self.baseline)

    def as_dict(self) -> dict[str, Any]:
        value: Any = str(self.value) if isinstance(self.value, NotAvailable) else self.value
        return {
            "section": self.section,
            "name": self.name,
            "value": value,
            "unit": self.unit,
            "baseline": self.baseline,
            "baseline_name": self.baseline_name,
            "ratio": self.ratio,
            "target": self.target,
            "met": self.met,
        }


def format_number(value: float | NotAvailable | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, NotAvailable):
        return str(value)
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def format_table(rows: Sequence[Row]) -> str:
    """A Markdown table (readable as plain text too)."""
    header = ["section", "measure", "value", "unit", "baseline", "ratio", "target", "met"]
    lines = [header]
    for row in rows:
        lines.append(
            [
                row.section,
                row.name,
                format_number(row.value),
                row.unit,
                f"{format_number(row.baseline)} ({row.baseline_name})" if row.baseline is not None else "-",
                f"{row.ratio:.2f}x" if row.ratio is not None else "-",
                row.target or "-",
                {True: "yes", False: "NO", None: "-"}[row.met],
            ]
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]

    def render(cells: list[str]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)) + " |"

    separator = "|" + "|".join("-" * (width + 2) for width in widths) + "|"
    return "\n".join([render(lines[0]), separator, *(render(line) for line in lines[1:])])
