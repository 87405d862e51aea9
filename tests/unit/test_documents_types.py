"""What a file is, told from its bytes alone, and how its name is made safe to keep and to send back."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from mitra_shared.documents import ALLOWED_CONTENT_TYPES, content_disposition, detect_content_type, safe_filename
from mitra_shared.documents.types import DOCX, JPEG, ODT, PDF, PNG, XLSX

CONTENT_TYPES_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
)


def zip_bytes(entries: list[tuple[str, str]], *, first_stored: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, text) in enumerate(entries):
            compression = zipfile.ZIP_STORED if first_stored and index == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(name, text, compress_type=compression)
    return out.getvalue()


def image_bytes(format_name: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(out, format=format_name)
    return out.getvalue()


SAMPLES = {
    "pdf": (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n", PDF),
    "docx": (
        zip_bytes([("[Content_Types].xml", CONTENT_TYPES_XML), ("word/document.xml", "<w:document/>")]),
        DOCX,
    ),
    "xlsx": (zip_bytes([("[Content_Types].xml", CONTENT_TYPES_XML), ("xl/workbook.xml", "<workbook/>")]), XLSX),
    "odt": (
        zip_bytes([("mimetype", ODT), ("content.xml", "<office:document-content/>")], first_stored=True),
        ODT,
    ),
    "jpeg": (image_bytes("JPEG"), JPEG),
    "png": (image_bytes("PNG"), PNG),
}


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_each_allowed_type_is_told_from_its_bytes_whatever_its_name(kind: str, tmp_path: Path) -> None:
    data, expected = SAMPLES[kind]
    # Named as something else entirely: the name plays no part.
    assert detect_content_type(write(tmp_path, "upload.bin", data)) == expected
    assert expected in ALLOWED_CONTENT_TYPES


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"\x7fELF\x02\x01\x01\x00" + bytes(64), id="elf"),
        pytest.param(b"MZ\x90\x00\x03\x00\x00\x00" + bytes(64), id="windows-exe"),
        pytest.param(zip_bytes([("readme.txt", "hello"), ("payload.exe", "MZ")]), id="plain-zip"),
        pytest.param(zip_bytes([("word/document.xml", "<w:document/>")]), id="zip-without-content-types"),
        pytest.param(zip_bytes([("mimetype", "application/epub+zip")], first_stored=True), id="epub"),
        pytest.param(b"PK\x03\x04 not really a zip", id="broken-zip"),
        pytest.param(b"<html><script>alert(1)</script></html>", id="html"),
        pytest.param(b"", id="empty"),
    ],
)
def test_anything_else_is_not_allowed_even_named_pdf(data: bytes, tmp_path: Path) -> None:
    assert detect_content_type(write(tmp_path, "report.pdf", data)) is None


DOCM_CONTENT_TYPES_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>'
)
DOCX_ENTRIES = [("[Content_Types].xml", CONTENT_TYPES_XML), ("word/document.xml", "<w:document/>")]
XLSX_ENTRIES = [("[Content_Types].xml", CONTENT_TYPES_XML), ("xl/workbook.xml", "<workbook/>")]
ODT_ENTRIES = [("mimetype", ODT), ("content.xml", "<office:document-content/>")]


@pytest.mark.parametrize(
    ("entries", "first_stored"),
    [
        pytest.param([*DOCX_ENTRIES, ("word/vbaProject.bin", "VBA"), ("payload.exe", "MZ")], False, id="docx-vba-exe"),
        pytest.param([*DOCX_ENTRIES, ("word/vbaProject.bin", "VBA")], False, id="docx-with-vba"),
        pytest.param([*XLSX_ENTRIES, ("xl/VBAPROJECT.BIN", "VBA")], False, id="xlsx-with-vba"),
        pytest.param(
            [("[Content_Types].xml", DOCM_CONTENT_TYPES_XML), ("word/document.xml", "<w:document/>")],
            False,
            id="docm-renamed",
        ),
        pytest.param(
            [
                (
                    "[Content_Types].xml",
                    CONTENT_TYPES_XML.replace(
                        "/>", '><Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>'
                    ),
                ),
                ("xl/workbook.xml", "<workbook/>"),
            ],
            False,
            id="content-types-naming-vbaproject",
        ),
        *(
            pytest.param([*DOCX_ENTRIES, (f"word/media/tool{extension}", "x")], False, id=f"docx-with-{extension[1:]}")
            for extension in (".exe", ".dll", ".js", ".bat", ".cmd", ".com", ".scr", ".msi", ".ps1", ".vbs", ".jar")
        ),
        pytest.param([*XLSX_ENTRIES, ("Setup.EXE", "MZ")], False, id="xlsx-with-exe-upper-case"),
        pytest.param([*ODT_ENTRIES, ("Pictures/run.js", "alert(1)")], True, id="odt-with-js"),
    ],
)
def test_office_files_with_macros_or_programs_are_refused(
    entries: list[tuple[str, str]], first_stored: bool, tmp_path: Path
) -> None:
    data = zip_bytes(entries, first_stored=first_stored)
    assert detect_content_type(write(tmp_path, "report.docx", data)) is None


def test_an_office_file_whose_entries_only_mention_programs_is_still_allowed(tmp_path: Path) -> None:
    entries = [*DOCX_ENTRIES, ("word/media/exe.png", "x"), ("docProps/custom.xml", "<p>run setup.exe</p>")]
    assert detect_content_type(write(tmp_path, "a.docx", zip_bytes(entries))) == DOCX


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("laporan.pdf", PDF, "laporan.pdf"),
        ("Laporan Tahunan 2025.PDF", PDF, "Laporan Tahunan 2025.PDF"),
        ("../../etc/passwd", PDF, "passwd.pdf"),
        ("..\\..\\windows\\system32\\evil.docx", DOCX, "evil.docx"),
        ('say "hello"\r\nX-Injected: yes.pdf', PDF, "say _hello_ X-Injected_ yes.pdf"),
        ("scan.exe", PDF, "scan.exe.pdf"),
        ("photo.jpeg", JPEG, "photo.jpeg"),
        ("photo.png", JPEG, "photo.png.jpg"),
        ("Surat Keputusan — Menteri.odt", ODT, "Surat Keputusan — Menteri.odt"),
        ("文件.xlsx", XLSX, "文件.xlsx"),
        ("", PDF, "document.pdf"),
        (None, PNG, "document.png"),
        ("...", PDF, "document.pdf"),
        ("\x00\x1f", PDF, "document.pdf"),
    ],
)
def test_safe_filename(name: str | None, content_type: str, expected: str) -> None:
    assert safe_filename(name, content_type) == expected


def test_safe_filename_is_at_most_200_characters_and_keeps_the_extension() -> None:
    made = safe_filename("a" * 500 + ".pdf", PDF)
    assert len(made) == 200
    assert made.endswith("a.pdf")


def test_content_disposition_names_the_file_in_ascii_and_exactly() -> None:
    header = content_disposition("Surat “resmi” 文件.pdf")
    assert header == (
        'attachment; filename="Surat resmi .pdf"; '
        "filename*=UTF-8''Surat%20%E2%80%9Cresmi%E2%80%9D%20%E6%96%87%E4%BB%B6.pdf"
    )
    assert "\r" not in header
    assert "\n" not in header
    assert header.count('"') == 2


@pytest.mark.parametrize(
    "name", ['a"b.pdf', "a\r\nSet-Cookie: x=1.pdf", "../x.pdf", "Ünïcödé.pdf", "文件.pdf", "a\\b;c.pdf"]
)
def test_content_disposition_never_breaks_out_of_its_header(name: str) -> None:
    header = content_disposition(name, inline=True)
    disposition, ascii_part, exact_part = header.split("; ")
    assert disposition == "inline"
    assert ascii_part.startswith('filename="')
    assert ascii_part.endswith('"')
    assert '"' not in ascii_part[len('filename="') : -1]
    assert ascii_part.isascii()
    assert exact_part.isascii()
    assert all(ch.isprintable() for ch in header)
    assert exact_part.startswith("filename*=UTF-8''")
    assert " " not in exact_part
    assert ";" not in exact_part[len("filename*=UTF-8''") :]


def test_content_disposition_of_a_name_without_ascii_still_has_a_name() -> None:
    assert content_disposition("文件.pdf").startswith('attachment; filename="document.pdf"; ')
