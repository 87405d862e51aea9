"""The annual summary kept as a PDF document: what its pages say, read back from the PDF's own content streams.

The text is drawn in DejaVu Sans, whose first subset keeps ASCII characters as they are, so an ASCII string shows in
the page streams as it was given (with `(`, `)` and `\\` escaped); the streams are decoded here (ASCII85, Flate)
without a PDF library.
"""

from __future__ import annotations

import base64
import re
import zlib
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from mitra_reporting.domain.annual_pdf import to_pdf_document
from mitra_reporting.domain.annual_summary import AnnualFigures, ComplianceLine, MspLine, ProvinceLine


def streams(pdf: bytes) -> Iterator[bytes]:
    """Every stream of the file, decoded."""
    for match in re.finditer(rb"<<(.*?)>>\s*stream\r?\n(.*?)endstream", pdf, re.S):
        head, raw = match.group(1), match.group(2).strip()
        if b"ASCII85Decode" in head:
            raw = base64.a85decode(raw if raw.startswith(b"<~") else b"<~" + raw, adobe=True)
        if b"FlateDecode" in head:
            raw = zlib.decompress(raw)
        yield raw


def shown_text(pdf: bytes) -> str:
    """The strings the pages draw (`(...) Tj`), unescaped, joined by newlines; non-ASCII glyph codes dropped."""
    texts: list[str] = []
    for stream in streams(pdf):
        for match in re.finditer(rb"\(((?:[^()\\]|\\.)*)\)\s*Tj", stream, re.S):
            raw = re.sub(rb"\\([()\\])", rb"\1", match.group(1))
            raw = re.sub(rb"\\[0-7]{1,3}", b"", raw)
            texts.append(raw.decode("ascii", "replace"))
    return "\n".join(texts)


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def figures(msps: int = 3) -> AnnualFigures:
    return AnnualFigures(
        year=2027,
        ministry_code="KEMENSOS",
        ministry_name="Kementerian Sosial",
        as_of=date(2027, 6, 15),
        key_figures=[("MSP berlaku / MSPs in force", 3), ("Tingkat ketepatan / On-time rate", "67%")],
        msps=[
            MspLine(f"MSP-{n:04d}", f"Yayasan Contoh {n}", date(2027, 1, 1), date(2028, 12, 31), "signed", "3374, 33")
            for n in range(msps)
        ],
        compliance=[ComplianceLine("Plan International (Indonesia)", 4, 2, 1, 1)],
        provinces=[ProvinceLine("33", 2, 2), ProvinceLine("51", 1, 1)],
    )


GENERATED_AT = datetime(2027, 6, 15, 3, 30, tzinfo=UTC)  # 10:30 in Jakarta


def test_the_document_states_title_year_ministry_scope_and_when_it_was_made() -> None:
    pdf = to_pdf_document(figures(), scope="seluruh data / everything", generated_at=GENERATED_AT)
    assert pdf.startswith(b"%PDF")
    text = " ".join(shown_text(pdf).split())  # the title wraps
    assert "Ringkasan tahunan kerja sama Ormas Asing 2027 / Annual summary 2027: Kementerian Sosial" in text
    assert "Tahun / Year: 2027" in text
    assert "Kementerian/Lembaga / Ministry: Kementerian Sosial (KEMENSOS)" in text
    assert "Cakupan / Scope: seluruh data / everything" in text
    assert "Per tanggal / As of: 2027-06-15" in text
    assert "Dibuat / Generated: 2027-06-15 10:30 WIB" in text
    assert b"/Title" in pdf
    assert b"/Author" in pdf


def test_the_tables_hold_the_same_figures() -> None:
    text = shown_text(to_pdf_document(figures(), scope="wilayah 33", generated_at=GENERATED_AT)).splitlines()
    # Key figures: the label, then its value, each in its own cell.
    assert text[text.index("MSP berlaku / MSPs in force") + 1] == "3"
    assert text[text.index("Tingkat ketepatan / On-time rate") + 1] == "67%"
    # MSPs: every one, with its NGO, dates, status and regions.
    for n in range(3):
        row = text.index(f"MSP-{n:04d}")
        assert text[row + 1 : row + 6] == [f"Yayasan Contoh {n}", "2027-01-01", "2028-12-31", "signed", "3374, 33"]
    # Compliance per NGO (the parentheses in the name are drawn, not taken for PDF syntax).
    row = text.index("Plan International (Indonesia)")
    assert text[row + 1 : row + 5] == ["4", "2", "1", "1"]
    # MSPs by province (the header repeats when the table runs over a page).
    header = ["Kode provinsi / Province", "MSP aktif / Active MSPs", "Ormas Asing / NGOs"]
    cells = [cell for cell in text[text.index(header[0]) :] if cell not in header]
    assert cells == ["33", "2", "2", "51", "1", "1"]


def test_a_long_msp_list_runs_over_pages_with_its_header_repeated() -> None:
    pdf = to_pdf_document(figures(msps=120), scope="seluruh data / everything", generated_at=GENERATED_AT)
    text = shown_text(pdf).splitlines()
    assert pages(pdf) >= 3
    assert "MSP-0119" in text
    assert text.count("Nomor / Number") >= 2


def test_empty_tables_and_hostile_names_still_make_a_document() -> None:
    hostile = AnnualFigures(
        year=2027,
        ministry_code="KEMENKES",
        ministry_name="Kementerian <b>Kesehatan</b> & \x07Co",
        as_of=date(2027, 12, 31),
        key_figures=[],
        msps=[MspLine("-", "NGO with </para> in its name", date(2027, 1, 1), date(2027, 12, 31), "ended", "")],
    )
    # Compared without spaces: the escaped markup characters are drawn as fragments of their own.
    text = "".join(shown_text(to_pdf_document(hostile, scope="NGO x", generated_at=GENERATED_AT)).split())
    assert "Kementerian<b>Kesehatan</b>&Co" in text  # drawn as written (not bold), the bell left out
    assert "NGOwith</para>initsname" in text
    assert "Cakupan/Scope:NGOx" in text


@pytest.mark.parametrize("scope", ["wilayah 33 / what touches region 33", "MSP Kementerian/Lembaga KEMENSOS"])
def test_the_scope_is_the_one_given(scope: str) -> None:
    assert f"Cakupan / Scope: {scope}" in shown_text(to_pdf_document(figures(), scope=scope, generated_at=GENERATED_AT))


def drawn_strings(pdf: bytes) -> list[bytes]:
    """The raw strings the pages draw (`(...) Tj`), unescaped (octal escapes too), in any font."""
    found = []
    for stream in streams(pdf):
        for match in re.finditer(rb"\(((?:[^()\\]|\\.)*)\)\s*Tj", stream, re.S):
            raw = re.sub(rb"\\([0-7]{1,3})", lambda m: bytes([int(m.group(1), 8)]), match.group(1))
            found.append(re.sub(rb"\\(.)", rb"\1", raw))
    return found


def test_a_cjk_name_is_drawn_in_the_cjk_font_and_latin_ones_in_dejavu() -> None:
    named = figures()
    named.compliance.append(ComplianceLine("张伟基金会 Łódź", 1, 1, 0, 0))
    pdf = to_pdf_document(named, scope="seluruh data / everything", generated_at=GENERATED_AT)
    assert b"/BaseFont /STSong-Light" in pdf  # the CID fallback (UniGB-UCS2-H: UTF-16 codes)
    assert any(s.startswith("张伟基金会".encode("utf-16-be")) for s in drawn_strings(pdf))
    assert re.search(rb"/BaseFont /[A-Z]{6}\+DejaVuSans\b", pdf)
    assert "ód" not in shown_text(pdf)  # Ł, ó drawn as DejaVu subset codes, not as Latin-1 bytes of a base font
    assert b"ZapfDingbats" not in pdf
