"""Lists as files: CSV (UTF-8 with a byte-order mark, so that spreadsheet programs read Indonesian names right)
and XLSX (openpyxl), with the same columns as the JSON. Pure: rows in, the file's bytes out."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from openpyxl import Workbook
from openpyxl.styles import Font


@dataclass(frozen=True)
class Column:
    key: str
    title: str


def _cell(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None) if value.tzinfo else value  # spreadsheets have no time zones; UTC
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return value


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.title for column in columns])
    for row in rows:
        values = [_cell(row.get(column.key)) for column in columns]
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, date | datetime) else v for v in values])
    return ("\ufeff" + buffer.getvalue()).encode()


def to_xlsx(rows: Sequence[dict[str, Any]], columns: Sequence[Column], *, sheet: str) -> bytes:
    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    worksheet.title = sheet[:31]
    worksheet.append([column.title for column in columns])
    for cell in worksheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        worksheet.append([_cell(row.get(column.key)) for column in columns])
    worksheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
