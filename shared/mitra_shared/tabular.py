"""Spreadsheets in and out for the bulk imports: reading a CSV or XLSX file into rows, and writing its template.

A file is read whole before anything is imported: the header is matched against the columns (each by its English
key or its Indonesian header, in any case and order), every row becomes a `Row` of stripped text, and what cannot be
read at all (an unknown or repeated column, a required one missing, a broken CSV, too many rows) refuses the file
with `FileRejected`, every problem named by its line. Lines are numbered as a spreadsheet shows them: the header is
line 1, an XLSX row by its sheet row number, a CSV record by its place in the file (a quoted cell spanning lines is
still one record, one line). What the values mean is the importing service's to judge.

An XLSX is a zip archive that may unpack far larger than it is: its parts' unpacked sizes, their count and their
compression ratios are checked before anything is unpacked (zipfile never unpacks a part past its recorded size).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._reader import WorkSheetParser

from mitra_shared.errors import FileRejected, UnsupportedContent

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPES = ("text/csv", "application/csv", "text/plain")
MAX_BYTES = 5 * 1024 * 1024
MAX_PROBLEMS = 200
MAX_CELL_CHARS = 10_000
# Rows a sheet may hold beyond its data (blank or formatted-only rows) before it is read as too large.
_BLANK_ROWS_ALLOWED = 10_000
_MAX_UNPACKED = 50 * 1024 * 1024
_MAX_PARTS = 1_000
_MAX_RATIO = 200  # unpacked / packed of one part; real sheets stay well below
_RATIO_FROM = 1024 * 1024  # smaller parts may compress absurdly without harm
_UNDECODED = re.compile("[\udc80-\udcff]")
# (line, non-empty cells by 0-based column, hidden row)
_Line = tuple[int, dict[int, str], bool]

FileKind = Literal["csv", "xlsx"]
Language = Literal["id", "en"]


@dataclass(frozen=True)
class Column:
    key: str
    header_id: str
    required: bool
    guide_en: str
    guide_id: str
    example: str

    def header(self, language: Language) -> str:
        return self.header_id if language == "id" else self.key


@dataclass(frozen=True)
class Row:
    line: int
    # Every column's key → its stripped text ("" when empty or when the file has no such column).
    values: Mapping[str, str]
    # The keys of the columns the file has: an importer may keep what a column the file lacks would have changed.
    given: frozenset[str] = frozenset()


def media_kind(content_type: str | None) -> FileKind:
    """Which reader a request body's content type calls for; any other type is refused (415)."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type == XLSX_TYPE:
        return "xlsx"
    if media_type in CSV_TYPES:
        return "csv"
    raise UnsupportedContent(
        "header.content-type",
        f"send the file as text/csv or {XLSX_TYPE} (XLSX), not {media_type or 'no content type'}",
    )


def read_rows(
    content: bytes,
    kind: FileKind,
    columns: Sequence[Column],
    *,
    what: str,
    sheet_names: Sequence[str] = (),
    optional_sheet: bool = False,
    max_rows: int = 5000,
) -> list[Row]:
    """Every non-blank row of the file (of its first sheet, or the first sheet named in `sheet_names`), or
    `FileRejected` naming each line that cannot be read. `what` names the file in reasons ("organizations file").
    CPU-bound: an async caller runs it in a worker thread."""
    window = max_rows + _BLANK_ROWS_ALLOWED + 1
    if kind == "csv":
        lines = _csv_lines(content, what)
    else:
        found = _xlsx_lines(content, what, sheet_names, window)
        if found is None:
            if optional_sheet:
                return []
            names = " or ".join(f'"{name}"' for name in sheet_names)
            raise FileRejected(what, [(1, None, f"the workbook has no sheet named {names}")])
        lines = found
    return _rows(lines, columns, what, max_rows, window)


def _too_many(what: str, line: int, max_rows: int, window: int) -> FileRejected:
    return FileRejected(
        what,
        [(line, None, f"the file goes on past line {window}: it may hold at most {max_rows} rows; split it, and "
          "delete what lies below the data (even empty rows that only hold formatting)")],
    )  # fmt: skip


def _rows(lines: Iterator[_Line], columns: Sequence[Column], what: str, max_rows: int, window: int) -> list[Row]:
    header: _Line | None = None
    for found in lines:
        if found[0] > window:
            raise _too_many(what, found[0], max_rows, window)
        if found[1]:
            header = found
            break
    if header is None:
        expected = ", ".join(column.key for column in columns)
        raise FileRejected(what, [(1, None, f"the file is empty; expected a header row naming the columns {expected}")])
    header_line, header_cells, header_hidden = header
    positions = _match_header(header_line, header_cells, columns, what)
    given = frozenset(positions.values())
    rows: list[Row] = []
    problems: list[tuple[int, str | None, str]] = []
    if header_hidden:
        problems.append((header_line, None, _HIDDEN))
    for line, cells, hidden in lines:
        if line > window:
            raise _too_many(what, line, max_rows, window)
        if not cells:
            continue
        if len(rows) >= max_rows:
            raise FileRejected(what, [(line, None, f"the file has more than {max_rows} rows; split it")])
        if hidden:
            problems.append((line, None, _HIDDEN))
        stray = sorted(index for index in cells if index not in positions)
        if stray:
            problems.append((line, None, f"{len(stray)} value(s) outside the named columns (column {stray[0] + 1})"))
        values = {column.key: "" for column in columns}
        for index, key in positions.items():
            text = cells.get(index, "")
            if len(text) > MAX_CELL_CHARS:
                problems.append((line, key, f"the cell holds {len(text)} characters; at most {MAX_CELL_CHARS}"))
                text = ""
            values[key] = text
        rows.append(Row(line, values, given))
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise FileRejected(what, problems[:MAX_PROBLEMS])
    return rows


_HIDDEN = "the row is hidden (by a filter or by hand): unhide it or delete it"


def _normalised(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").replace("_", " ").split())


def _match_header(line: int, cells: Mapping[int, str], columns: Sequence[Column], what: str) -> dict[int, str]:
    """Each header cell's position → its column key; unknown, repeated and missing columns refuse the file."""
    names: dict[str, str] = {}
    for column in columns:
        names[_normalised(column.key)] = column.key
        names[_normalised(column.header_id)] = column.key
    positions: dict[int, str] = {}
    problems: list[tuple[int, str | None, str]] = []
    for index, cell in sorted(cells.items()):
        key = names.get(_normalised(cell))
        if key is None:
            problems.append((line, None, f'unknown column "{cell[:80]}" (column {index + 1})'))
        elif key in positions.values():
            problems.append((line, key, f'the column "{cell}" is given more than once'))
        else:
            positions[index] = key
    for column in columns:
        if column.required and column.key not in positions.values():
            problems.append((line, column.key, f'the required column "{column.key}" ({column.header_id}) is missing'))
    if problems:
        raise FileRejected(what, problems[:MAX_PROBLEMS])
    return positions


def _csv_lines(content: bytes, what: str) -> Iterator[_Line]:
    try:
        text, undecoded = content.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        # Read on to name the record that holds the bytes that are not UTF-8.
        text, undecoded = content.decode("utf-8-sig", errors="surrogateescape"), True
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    return _csv_rows(reader, what, undecoded)


def _csv_rows(reader: Iterator[list[str]], what: str, undecoded: bool) -> Iterator[_Line]:
    # A record is a spreadsheet's row, whatever line breaks its quoted cells hold: records are numbered from 1.
    line = 0
    while True:
        line += 1
        try:
            cells = next(reader, None)
        except csv.Error as error:
            raise FileRejected(what, [(line, None, f"not valid CSV: {error}")]) from error
        if cells is None:
            return
        if undecoded and any(_UNDECODED.search(cell) for cell in cells):
            raise FileRejected(what, [(line, None, "the file is not UTF-8 text (save it as CSV UTF-8)")])
        yield line, {index: text for index, cell in enumerate(cells) if (text := cell.strip())}, False


def _check_archive(content: bytes, what: str) -> None:
    """Refuse a workbook that would unpack too large, before anything of it is unpacked."""
    unreadable = FileRejected(what, [(1, None, "the file is not a readable XLSX workbook")])
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
        raise unreadable from error
    if len(parts) > _MAX_PARTS:
        raise FileRejected(what, [(1, None, f"the workbook has {len(parts)} parts; a spreadsheet has far fewer")])
    unpacked = sum(part.file_size for part in parts)
    if unpacked > _MAX_UNPACKED:
        size, most = unpacked // (1024 * 1024), _MAX_UNPACKED // (1024 * 1024)
        reason = f"the workbook unpacks to {size} MiB; at most {most} MiB: split it or remove what it need not hold"
        raise FileRejected(what, [(1, None, reason)])
    for part in parts:
        if part.file_size > _RATIO_FROM and part.file_size > _MAX_RATIO * max(part.compress_size, 1):
            reason = f"the workbook's part {part.filename[:80]} is packed suspiciously tightly; save it again"
            raise FileRejected(what, [(1, None, reason)])


def _xlsx_lines(content: bytes, what: str, sheet_names: Sequence[str], window: int) -> Iterator[_Line] | None:
    _check_archive(content, what)
    # Whatever a malformed upload makes openpyxl raise (zip, XML, its own errors), the file is at fault, not Mitra.
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:
        raise FileRejected(what, [(1, None, "the file is not a readable XLSX workbook")]) from error
    try:
        if sheet_names:
            titles = {sheet.title.strip().lower(): sheet for sheet in workbook.worksheets}
            chosen = next((titles[n.strip().lower()] for n in sheet_names if n.strip().lower() in titles), None)
        else:
            chosen = workbook.worksheets[0] if workbook.worksheets else None
        if chosen is None:
            return None
        # Read while the workbook is open, and one row past the window at most, which `_rows` then refuses.
        lines: list[_Line] = []
        for found in _sheet_lines(chosen):
            lines.append(found)
            if found[0] > window:
                break
        return iter(lines)
    except Exception as error:
        raise FileRejected(what, [(1, None, "the workbook cannot be read (damaged or not XLSX)")]) from error
    finally:
        workbook.close()


def _sheet_lines(sheet: Any) -> Iterator[_Line]:
    """The sheet's rows as its XML holds them: by sheet row number, the cells that hold a value, and whether the
    row is hidden. Read with openpyxl's sheet parser, as its read-only sheets are, because those drop the rows'
    attributes (hidden) and pad every row to the widest one (a value in column XFD would make each row 16,384
    cells)."""
    book = sheet.parent
    with sheet._get_source() as source:
        parser = WorkSheetParser(
            source,
            sheet._shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        for line, cells in parser.parse():
            attributes = parser.row_dimensions.get(str(line), {})
            hidden = str(attributes.get("hidden", "")).lower() in ("1", "true")
            texts = {cell["column"] - 1: text for cell in cells if (text := _text(cell["value"]))}
            yield line, texts, hidden


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def template(
    columns: Sequence[Column],
    *,
    kind: FileKind,
    language: Language,
    sheet: str,
    extra_sheets: Sequence[tuple[str, Sequence[Column]]] = (),
) -> bytes:
    """The file to fill in: the header row only (an example row would be imported by whoever forgets to delete it).
    An XLSX also has a guide sheet ("Petunjuk"/"Guide") describing each column; a CSV holds the first sheet only."""
    if kind == "csv":
        out = io.StringIO(newline="")
        csv.writer(out, lineterminator="\r\n").writerow([column.header(language) for column in columns])
        return out.getvalue().encode("utf-8")
    workbook = Workbook()
    bold = Font(bold=True)
    sheets = [(sheet, columns), *extra_sheets]
    for index, (title, sheet_columns) in enumerate(sheets):
        data = workbook.active if index == 0 else workbook.create_sheet()
        assert data is not None
        data.title = title
        for position, column in enumerate(sheet_columns, start=1):
            cell = data.cell(row=1, column=position, value=column.header(language))
            cell.font = bold
            width = max(len(column.header(language)), len(column.example), 12) + 2
            data.column_dimensions[get_column_letter(position)].width = min(width, 48)
        data.freeze_panes = "A2"
    guide = workbook.create_sheet("Petunjuk" if language == "id" else "Guide")
    labels = (
        ("lembar", "kolom", "wajib", "keterangan", "contoh")
        if language == "id"
        else ("sheet", "column", "required", "description", "example")
    )
    several = len(sheets) > 1
    shown = labels if several else labels[1:]
    guide.append(list(shown))
    for cell in guide[1]:
        cell.font = bold
    yes, no = ("ya", "tidak") if language == "id" else ("yes", "no")
    for title, sheet_columns in sheets:
        for column in sheet_columns:
            text = column.guide_id if language == "id" else column.guide_en
            line = [column.header(language), yes if column.required else no, text, column.example]
            guide.append([title, *line] if several else line)
    for position, width in enumerate(([18] if several else []) + [28, 8, 70, 30], start=1):
        guide.column_dimensions[get_column_letter(position)].width = width
    description_column = 4 if several else 3
    for (cell,) in guide.iter_rows(min_row=2, min_col=description_column, max_col=description_column):
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    out_bytes = io.BytesIO()
    workbook.save(out_bytes)
    return out_bytes.getvalue()
