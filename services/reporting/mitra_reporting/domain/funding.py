"""Funding: the money accepted reports say an MSP received, counted for the planning bureau. Pure: no I/O.

What is counted (`docs/funding.md`):
- the funding lines (source, amount, currency, use) of the accepted submission of each semester or annual report; a
  returned submission's lines never count (the next attempt's replace them), nor do those of one still awaiting a
  decision, nor those of one accepted after the day counted ("as of");
- a report's period is what its label says (`2027`, `2027-S2`; `S3`, `Y2` counted from its MSP's start, as
  agreements plans them: `parse_period`), and its year is the year of the period's first day;
- once an annual report with funding lines is accepted, the semester reports of its MSP whose periods lie within
  the annual report's no longer count: an annual report covers them, and adding both would count the same money
  twice;
- no conversion between currencies: each currency is summed on its own line;
- a line is split evenly over its MSP's provinces of work, then each province's part evenly over the regions listed
  in it (a province-wide entry keeping its part under the province; the whole line where the MSP names none), so
  that the regions' amounts add up to the national total without counting anything twice. By focus area, or with a
  focus area chosen, a share is split evenly over its MSP's focus areas (only the chosen one's part kept), so that
  every grouping gives the same total under the same filters;
- amounts are to the cent, and a currency's rows add up to its total (largest remainder).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any, Literal

from mitra_shared.clock import add_months

Grouping = Literal["province", "regency", "year", "focus_area", "ministry", "source"]
GROUPINGS: tuple[Grouping, ...] = ("province", "regency", "year", "focus_area", "ministry", "source")
NO_REGION = "tanpa wilayah / no region of work"
NO_FOCUS_AREA = "tanpa bidang / no focus area"
_SEMESTER = re.compile(r"^(\d{4})-S([12])$")
_YEAR = re.compile(r"^(\d{4})$")
_MSP_PERIOD = re.compile(r"^([SY])([1-9]\d*)$")
_NOT_A_WORD = re.compile(r"[^\w]+")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class PeriodLabel:
    """A report's period as agreements labels it: `months` long, starting `offset_months` after its origin, the
    origin being 1 January of a year for calendar labels (`2027`, `2027-S2`) and the MSP's `starts_on` for MSP-basis
    labels (`S3`, `Y2`, counted from the MSP's start as agreements' `domain/obligations.py` counts them)."""

    origin: date | None
    offset_months: int
    months: int

    def bounds(self, msp_starts_on: date) -> tuple[date, date]:
        """Its first and last day (each period counted from the origin, as agreements plans them)."""
        origin = self.origin or msp_starts_on
        end = add_months(origin, self.offset_months + self.months) - timedelta(days=1)
        return add_months(origin, self.offset_months), end


def parse_period(period: str) -> PeriodLabel | None:
    """The period a label names; None for a label agreements does not write (its lines are not counted)."""
    label = period.strip()
    if semester := _SEMESTER.match(label):
        return PeriodLabel(date(int(semester[1]), 1, 1), 0 if semester[2] == "1" else 6, 6)
    if whole := _YEAR.match(label):
        return PeriodLabel(date(int(whole[1]), 1, 1), 0, 12)
    if counted := _MSP_PERIOD.match(label):
        months = 12 if counted[1] == "Y" else 6
        return PeriodLabel(None, (int(counted[2]) - 1) * months, months)
    return None


def source_key(source: str) -> str:
    """A funding source as grouped: without accents, case, punctuation or extra spaces, so that `Plan International
    UK`, `plan international uk.` and `Plan  Internátional UK` are one source."""
    decomposed = unicodedata.normalize("NFKD", source)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NOT_A_WORD.sub(" ", bare.casefold()).replace("_", " ").strip() or "-"


@dataclass(frozen=True)
class FundingRow:
    key: str
    label: str
    currency: str
    amount: Decimal
    reports: int
    msps: int


@dataclass(frozen=True)
class FundingTotal:
    currency: str
    amount: Decimal
    reports: int
    msps: int


def _label(by: Grouping, row: Mapping[str, Any]) -> str:
    if row["key"] in (None, ""):
        return NO_FOCUS_AREA if by == "focus_area" else NO_REGION
    return str(row["label"] or row["key"])


def arrange(by: Grouping, rows: Iterable[Mapping[str, Any]]) -> tuple[list[FundingRow], list[FundingTotal]]:
    """From the exact grouped sums (`is_total` marks each currency's total), the rows by amount (largest first, then
    key and currency; by year, in the years' order) and the totals by currency, each to the cent, the rows of a
    currency adding up to its total (largest remainder: each row rounded down, the cents left over given to the rows
    that lost most)."""
    exact: list[Mapping[str, Any]] = []
    totals: list[FundingTotal] = []
    for row in rows:
        if row["is_total"]:
            totals.append(FundingTotal(row["currency"], _cents(row["amount"]), row["reports"], row["msps"]))
        else:
            exact.append(row)
    rounded = _largest_remainder(exact, {total.currency: total.amount for total in totals})
    lines = [
        FundingRow(row["key"] or "", _label(by, row), row["currency"], amount, row["reports"], row["msps"])
        for row, amount in zip(exact, rounded, strict=True)
    ]
    if by == "year":
        lines.sort(key=lambda line: (line.key or "9999", line.currency))
    else:
        lines.sort(key=lambda line: (-line.amount, line.key, line.currency))
    totals.sort(key=lambda total: total.currency)
    return lines, totals


def _cents(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def _largest_remainder(rows: list[Mapping[str, Any]], totals: Mapping[str, Decimal]) -> list[Decimal]:
    """Each row's amount to the cent so that a currency's rows add up to its (rounded) total."""
    amounts = [Decimal(row["amount"]).quantize(CENT, rounding=ROUND_DOWN) for row in rows]
    for currency, total in totals.items():
        mine = [index for index, row in enumerate(rows) if row["currency"] == currency]
        left = int((total - sum((amounts[index] for index in mine), Decimal(0))) / CENT)
        by_loss = sorted(mine, key=lambda index: (amounts[index] - Decimal(rows[index]["amount"]), index))
        for index in by_loss[: max(left, 0)]:
            amounts[index] += CENT
    return amounts


def per_currency_text(
    amounts: Mapping[str, Decimal], *, leave_out: str | None = None, decimal_comma: bool = False
) -> str:
    """Amounts per currency as one cell, e.g. `EUR 1,500.00; USD 20,000.00` (the currency `leave_out` not shown);
    with `decimal_comma` (Excel in Indonesian settings) `EUR 1500,00; USD 20000,00`."""
    return "; ".join(
        f"{currency} {amount:.2f}".replace(".", ",") if decimal_comma else f"{currency} {amount:,.2f}"
        for currency, amount in sorted(amounts.items())
        if currency != leave_out
    )
