"""Lists as files: CSV (UTF-8 with a byte-order mark, so that spreadsheet programs read Indonesian names right)
and XLSX (openpyxl), with the same columns as the JSON. Pure: rows in, the file's bytes out.

CSV cells are separated by commas, or by semicolons on request (`semicolon`): Excel with Indonesian regional
settings takes `,` for the decimal mark and opens a comma-separated file as one column; so with semicolons every
amount (a decimal number) is written with a `,` decimal mark and no grouping (`1250000,50`).

Text is written as text, never as a formula a spreadsheet program would run (CSV/formula injection): in CSV a cell
that begins with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`; in XLSX such a cell is typed as
a string. Control characters XLSX cannot hold are left out.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet program may take for the start of a formula."""
CsvDelimiter = Literal["comma", "semicolon"]
SEPARATORS: dict[str, str] = {"comma": ",", "semicolon": ";"}
_NOT_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


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


def csv_text(value: Any) -> Any:
    """A CSV cell's value: text that could be read as a formula, with a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def xlsx_text(value: Any) -> Any:
    """An XLSX cell's value: text without the control characters XLSX cannot hold."""
    return _NOT_IN_XLSX.sub("", value) if isinstance(value, str) else value


def _xlsx_cell(worksheet: Worksheet, value: Any) -> Any:
    value = xlsx_text(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell = Cell(worksheet, value=value)
        cell.data_type = "s"  # openpyxl would store text beginning with `=` as a formula
        return cell
    return value


def append_row(worksheet: Worksheet, values: Sequence[Any]) -> None:
    """Append a row, every text in it stored as a string, never as a formula."""
    worksheet.append([_xlsx_cell(worksheet, value) for value in values])


def decimal_text(value: Decimal | float, *, decimal_comma: bool) -> str:
    """An amount without grouping, with a `.` or (for Excel in Indonesian settings) a `,` decimal mark."""
    text = format(value, "f") if isinstance(value, Decimal) else repr(value)
    return text.replace(".", ",") if decimal_comma else text


def _csv_cell(value: Any, *, decimal_comma: bool) -> Any:
    if value is None:
        return ""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal | float):
        return decimal_text(value, decimal_comma=decimal_comma)
    return csv_text(value)


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[Column], *, delimiter: CsvDelimiter = "comma") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=SEPARATORS[delimiter])
    writer.writerow([csv_text(column.title) for column in columns])
    for row in rows:
        values = [_cell(row.get(column.key)) for column in columns]
        writer.writerow([_csv_cell(v, decimal_comma=delimiter == "semicolon") for v in values])
    return ("\ufeff" + buffer.getvalue()).encode()


def to_xlsx(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[Column],
    *,
    sheet: str,
    more_sheets: Sequence[tuple[str, Sequence[dict[str, Any]], Sequence[Column]]] = (),
) -> bytes:
    """The rows on the sheet `sheet`, then each of `more_sheets` (name, rows, columns) on its own."""
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    for index, (name, lines, header) in enumerate([(sheet, rows, columns), *more_sheets]):
        worksheet = first if index == 0 else workbook.create_sheet()
        worksheet.title = name[:31]
        append_row(worksheet, [column.title for column in header])
        for cell in worksheet[1]:
            cell.font = Font(bold=True)
        for row in lines:
            append_row(worksheet, [_cell(row.get(column.key)) for column in header])
        worksheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
