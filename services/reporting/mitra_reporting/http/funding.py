"""Funding over HTTP: how much foreign-NGO money went where, from the funding lines of accepted reports, as JSON,
CSV or XLSX."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from mitra_reporting.domain import funding, spreadsheets
from mitra_reporting.domain.access import READ_NOTE, READERS
from mitra_reporting.http.files import (
    LIST_AS_FILE,
    XLSX_TYPE,
    Column,
    Delimiter,
    FileFormat,
    attachment,
    list_as_file,
)
from mitra_reporting.http.filters import Chosen
from mitra_reporting.usecases.funding import funding_by
from mitra_shared.http import RequestContext, Work, problems, require_principal
from mitra_shared.policy import allow

router = APIRouter(dependencies=[Depends(require_principal), allow(*READERS, note=READ_NOTE)], responses=problems(422))


class FundingRow(BaseModel):
    key: str = Field(
        description="The group: a province or regency/city code, a year, a focus area, a ministry's code, or a "
        "source as grouped (case, accents, punctuation folded); empty for MSPs with no region of work."
    )
    label: str = Field(description="Its name; for a source, as written most often.")
    currency: str = Field(description="ISO 4217 code: each currency is summed apart, never converted.")
    amount: float = Field(description="The sum, to two decimals.")
    reports: int = Field(description="Accepted reports whose lines are counted here.")
    msps: int = Field(description="MSPs those reports belong to.")


class FundingTotal(BaseModel):
    currency: str
    amount: float = Field(description="Every counted line in this currency (each once, whatever the grouping).")
    reports: int
    msps: int


class FundingDashboard(BaseModel):
    as_of: date = Field(description="Reports accepted by this day are counted.")
    by: funding.Grouping
    rows: list[FundingRow] = Field(description="Per group and currency, largest amount first.")
    totals: list[FundingTotal] = Field(description="Per currency.")


COLUMNS = [
    Column("key", "Kode / Key"),
    Column("label", "Nama / Name"),
    Column("currency", "Mata uang / Currency"),
    Column("amount", "Jumlah / Amount"),
    Column("reports", "Laporan / Reports"),
    Column("msps", "MSP"),
]
TOTAL_LABEL = "Jumlah seluruhnya / Total"
TOTALS_SHEET = "Jumlah - Total"


def _as_file(
    by: funding.Grouping,
    rows: list[funding.FundingRow],
    totals: list[funding.FundingTotal],
    *,
    format: FileFormat,
    delimiter: Delimiter,
) -> Response:
    """The rows, and the totals where whoever sums the amount column does not add them to the rows: in CSV after a
    blank row, each labelled as a total; in XLSX on a sheet of their own."""
    lines: list[dict[str, Any]] = [asdict(row) for row in rows]
    sums = [{"key": TOTAL_LABEL, "label": TOTAL_LABEL, **asdict(total)} for total in totals]
    name = f"funding-by-{by}"
    if format == "xlsx":
        body = spreadsheets.to_xlsx(lines, COLUMNS, sheet=name, more_sheets=[(TOTALS_SHEET, sums, COLUMNS)])
        return attachment(body, XLSX_TYPE, f"{name}.xlsx")
    return list_as_file([*lines, {}, *sums], COLUMNS, kind="csv", name=name, delimiter=delimiter)


@router.get(
    "/dashboard/funding",
    response_model=FundingDashboard,
    tags=["dashboards"],
    summary="Funding of accepted reports by province, regency/city, year, focus area, ministry or source",
    description=(funding.__doc__ or "").strip(),
    responses=LIST_AS_FILE,
)
async def funding_dashboard(
    uow: Work,
    ctx: RequestContext,
    chosen: Chosen,
    by: funding.Grouping = "province",
    format: FileFormat = "json",
    delimiter: Delimiter = "comma",
) -> FundingDashboard | Response:
    rows, totals = await funding_by(uow, ctx, chosen, by)
    if format != "json":
        return _as_file(by, rows, totals, format=format, delimiter=delimiter)
    return FundingDashboard(
        as_of=chosen.as_of,
        by=by,
        rows=[FundingRow.model_validate(asdict(row)) for row in rows],
        totals=[FundingTotal.model_validate(asdict(total)) for total in totals],
    )
