"""Reading import files and writing their templates (`mitra_shared.tabular`): CSV and XLSX alike, every problem
named by its line."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from mitra_shared.errors import FileRejected, UnsupportedContent
from mitra_shared.tabular import MAX_CELL_CHARS, XLSX_TYPE, Column, media_kind, read_rows, template

COLUMNS = (
    Column("legal_name", "nama_resmi", True, "Legal name.", "Nama resmi.", "Plan International"),
    Column("founded_on", "tanggal_berdiri", False, "YYYY-MM-DD.", "YYYY-MM-DD.", "1937-01-01"),
    Column("staff", "jumlah_staf", False, "A whole number.", "Bilangan bulat.", "12"),
)


def workbook(*rows: list[object], title: str | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    if title:
        sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rejected(content: bytes, kind: str = "csv", **options: object) -> list[tuple[int, str | None, str]]:
    with pytest.raises(FileRejected) as refused:
        read_rows(content, kind, COLUMNS, what="test file", **options)  # type: ignore[arg-type]
    return list(refused.value.lines)


def test_media_kinds() -> None:
    assert media_kind("text/csv; charset=utf-8") == "csv"
    assert media_kind(XLSX_TYPE) == "xlsx"
    for refused in ("application/pdf", None, ""):
        with pytest.raises(UnsupportedContent):
            media_kind(refused)


def test_csv_headers_in_either_language_any_case_and_order_with_a_sniffed_delimiter() -> None:
    content = "\ufeffJUMLAH_STAF;Legal Name\n 12 ;  Plan International \n;\n3;Winrock\n".encode()
    rows = read_rows(content, "csv", COLUMNS, what="test file")
    assert [(row.line, dict(row.values)) for row in rows] == [
        (2, {"legal_name": "Plan International", "founded_on": "", "staff": "12"}),
        (4, {"legal_name": "Winrock", "founded_on": "", "staff": "3"}),
    ]
    assert rows[0].given == {"legal_name", "staff"}


def test_header_problems_are_on_line_1() -> None:
    assert rejected(b"nama_resmi,legal_name,colour\n") == [
        (1, "legal_name", 'the column "legal_name" is given more than once'),
        (1, None, 'unknown column "colour" (column 3)'),
    ]
    assert rejected(b"staff\n1\n") == [(1, "legal_name", 'the required column "legal_name" (nama_resmi) is missing')]
    assert rejected(b"")[0][:2] == (1, None)


def test_rows_that_cannot_be_read_are_named_by_line() -> None:
    assert rejected(b"legal_name\nA,stray\nB\n") == [(2, None, "1 value(s) outside the named columns (column 2)")]
    assert rejected(b"legal_name\nA\n\xff\n")[0][:2] == (3, None)
    assert rejected(b"legal_name\nA\nB\nC\n", max_rows=2) == [(4, None, "the file has more than 2 rows; split it")]


def test_xlsx_rows_are_sheet_rows_with_dates_and_whole_numbers_as_text() -> None:
    content = workbook(
        ["Tanggal_Berdiri", "legal_name", "staff"],
        [datetime(1937, 1, 1), " Plan ", 12.0],
        [None, None, None],
        [date(2001, 5, 6), "Winrock", 2.5],
    )
    rows = read_rows(content, "xlsx", COLUMNS, what="test file")
    assert [(row.line, dict(row.values)) for row in rows] == [
        (2, {"legal_name": "Plan", "founded_on": "1937-01-01", "staff": "12"}),
        (4, {"legal_name": "Winrock", "founded_on": "2001-05-06", "staff": "2.5"}),
    ]


def test_xlsx_sheets_by_name_and_a_broken_workbook() -> None:
    content = workbook(["legal_name"], ["A"], title="Organisasi")
    assert [row.line for row in read_rows(content, "xlsx", COLUMNS, what="f", sheet_names=["organisasi"])] == [2]
    assert read_rows(content, "xlsx", COLUMNS, what="f", sheet_names=["msps"], optional_sheet=True) == []
    assert rejected(content, "xlsx", sheet_names=["msps"]) == [(1, None, 'the workbook has no sheet named "msps"')]
    assert rejected(b"PK\x03\x04 not really", "xlsx") == [(1, None, "the file is not a readable XLSX workbook")]


@pytest.mark.parametrize("language", ["id", "en"])
def test_templates_hold_the_header_only_and_the_xlsx_a_guide(language: str) -> None:
    header = "nama_resmi,tanggal_berdiri,jumlah_staf" if language == "id" else "legal_name,founded_on,staff"
    csv_template = template(COLUMNS, kind="csv", language=language, sheet="x")  # type: ignore[arg-type]
    assert csv_template.decode().splitlines() == [header]
    content = template(COLUMNS, kind="xlsx", language=language, sheet="data")  # type: ignore[arg-type]
    book = load_workbook(io.BytesIO(content))
    guide_name = "Petunjuk" if language == "id" else "Guide"
    assert book.sheetnames == ["data", guide_name]
    assert [[cell.value for cell in row] for row in book["data"].iter_rows()] == [header.split(",")]
    guide = [[cell.value for cell in row] for row in book[guide_name].iter_rows()]
    assert len(guide) == 1 + len(COLUMNS)
    assert guide[1][0] == header.split(",")[0]
    assert guide[1][-1] == "Plan International"
    assert read_rows(content, "xlsx", COLUMNS, what="template") == []  # a template imports nothing


def test_a_template_with_more_sheets_names_the_sheet_in_its_guide() -> None:
    content = template(COLUMNS[:1], kind="xlsx", language="en", sheet="a", extra_sheets=[("b", COLUMNS[1:])])
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["a", "b", "Guide"]
    assert [row[0].value for row in book["Guide"].iter_rows(min_row=2)] == ["a", "b", "b"]


def test_a_workbook_that_would_unpack_too_large_is_refused_before_it_is_unpacked() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (60 * 1024 * 1024))
    assert len(out.getvalue()) < 200_000
    [(line, column, reason)] = rejected(out.getvalue(), "xlsx")
    assert (line, column) == (1, None)
    assert "unpacks to 60 MiB" in reason
    tight = io.BytesIO()
    with zipfile.ZipFile(tight, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"a" * (20 * 1024 * 1024))
    assert "packed suspiciously tightly" in rejected(tight.getvalue(), "xlsx")[0][2]
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as archive:
        for index in range(1001):
            archive.writestr(f"part{index}", b"")
    assert "1001 parts" in rejected(many.getvalue(), "xlsx")[0][2]


def test_a_cell_longer_than_the_limit_is_a_problem_of_its_line() -> None:
    content = workbook(["legal_name"], ["x" * (MAX_CELL_CHARS + 1)], ["Fine"])
    assert rejected(content, "xlsx") == [
        (2, "legal_name", f"the cell holds 10001 characters; at most {MAX_CELL_CHARS}")
    ]


def test_rows_past_the_window_are_refused_not_dropped() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["legal_name"])
    sheet.append(["A"])
    sheet.cell(row=2 + 10_001 + 2, column=1, value="a bad row far below")
    out = io.BytesIO()
    book.save(out)
    [(line, column, reason)] = rejected(out.getvalue(), "xlsx", max_rows=1)
    assert (line, column) == (10_005, None)
    assert "past line 10002" in reason
    csv_lines = b"legal_name\nA\n" + b"\n" * 10_001 + b"far below\n"
    assert rejected(csv_lines, max_rows=1)[0][:2] == (10_003, None)


def test_csv_records_are_numbered_as_a_spreadsheet_shows_them() -> None:
    content = b'legal_name,staff\n"Plan\nInternational",1\nWinrock,x,stray\n'
    assert rejected(content) == [(3, None, "1 value(s) outside the named columns (column 3)")]
    assert rejected(b'legal_name\n"A\nB"\n\xff\n') == [(3, None, "the file is not UTF-8 text (save it as CSV UTF-8)")]


def test_hidden_rows_and_values_beyond_any_column_are_refused() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (["legal_name"], ["Shown"], ["Filtered out"], ["Wide"]):
        sheet.append(row)
    sheet.row_dimensions[3].hidden = True
    sheet.cell(row=4, column=16_384, value="far right")
    out = io.BytesIO()
    book.save(out)
    assert rejected(out.getvalue(), "xlsx") == [
        (3, None, "the row is hidden (by a filter or by hand): unhide it or delete it"),
        (4, None, "1 value(s) outside the named columns (column 16384)"),
    ]
