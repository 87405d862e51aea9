"""Reading the regions CSV files and planning an import, without I/O."""

from __future__ import annotations

import pytest

from mitra_registry.domain.regions import CsvRejected, RegionRow, plan_import, read_csv


def test_a_provinces_file_is_read_with_bom_crlf_quotes_and_blank_lines() -> None:
    content = '\ufeffcode,name\r\n11,ACEH\r\n\r\n"33"," JAWA  TENGAH "\r\n'.encode()
    assert read_csv("provinces", content) == [
        RegionRow(line=2, code="11", name="ACEH", parent_code=None),
        RegionRow(line=4, code="33", name="JAWA TENGAH", parent_code=None),
    ]


def test_a_regencies_file_names_each_row_by_the_line_it_starts_on() -> None:
    content = b'code,province_code,name\n3374,33,"KOTA SEMARANG"\n33.01,33,"KABUPATEN\r\nCILACAP"\n3375,33,PEKALONGAN\n'
    assert read_csv("regencies", content.replace(b"\r\n", b" "), known_provinces=frozenset({"33"})) == [
        RegionRow(line=2, code="3374", name="KOTA SEMARANG", parent_code="33"),
        RegionRow(line=3, code="3301", name="KABUPATEN CILACAP", parent_code="33"),
        RegionRow(line=4, code="3375", name="PEKALONGAN", parent_code="33"),
    ]
    # A quoted name may span lines as CSV, but a line break is a control character, which no name holds: the
    # row is named by the line it starts on, the next one by its own.
    content = content.replace(b"PEKALONGAN", b"PEKALONGAN\x7f")
    with pytest.raises(CsvRejected) as caught:
        read_csv("regencies", content, known_provinces=frozenset({"33"}))
    assert [reason.split(": name ")[0] for reason in caught.value.line_reasons()] == [
        "regencies file, line 3",
        "regencies file, line 5",
    ]
    assert "U+000D" in caught.value.line_reasons()[0]


def test_the_header_may_differ_in_case_and_spaces_only() -> None:
    assert read_csv("provinces", b"Code, Name\n11,ACEH\n")[0].code == "11"
    with pytest.raises(CsvRejected, match="line 1: the header must be code,name"):
        read_csv("provinces", b"name,code\nACEH,11\n")
    with pytest.raises(CsvRejected, match="line 1: the header must be code,province_code,name"):
        read_csv("regencies", b"code,name\n11,ACEH\n")


def test_every_bad_row_is_reported_with_its_line() -> None:
    content = (
        b"code,province_code,name\n3374,33,KOTA SEMARANG\n3374,33,KOTA SEMARANG LAGI\n9901,99,ENTAH\n34,3,X\n3375,33,\n"
    )
    with pytest.raises(CsvRejected) as caught:
        read_csv("regencies", content, known_provinces=frozenset({"33"}))
    assert [(problem.line, problem.reason) for problem in caught.value.lines] == [
        (3, "code 3374 already on line 2"),
        (4, "province_code 99: no such province (import the provinces first)"),
        (5, "province_code '3': a province code has two digits, e.g. 33"),
        (6, "name is empty"),
    ]
    assert str(caught.value) == "regencies file, line 3: code 3374 already on line 2 (and 3 more)"


def test_bytes_that_are_not_utf8_are_named_by_their_line() -> None:
    with pytest.raises(CsvRejected) as caught:
        read_csv("provinces", b"code,name\n11,ACEH\n12,SUMATERA UTARA\n13,SUMATERA \xc0BARAT\n")
    assert [(problem.line, problem.reason) for problem in caught.value.lines] == [(4, "not UTF-8 text")]


def test_an_import_adds_the_new_renames_the_changed_and_counts_the_rest() -> None:
    rows = [
        RegionRow(2, "11", "ACEH", None),
        RegionRow(3, "33", "JAWA TENGAH", None),
        RegionRow(4, "95", "PAPUA SELATAN", None),
    ]
    plan = plan_import(rows, {"11": "ACEH", "33": "Jawa Tengah", "94": "PAPUA"})
    assert [row.code for row in plan.added] == ["95"]
    assert [row.code for row in plan.renamed] == ["33"]
    assert plan.unchanged == 1
