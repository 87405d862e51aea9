"""Which files are accepted, told from their bytes, and how their names are shown. Pure: reads only the file given.

A file's type is what its content says, never its name or the type the client claimed: an executable named
`report.pdf` is refused. The office formats (DOCX, XLSX, ODT) are ZIP archives, told apart by the entries they must
hold; a plain ZIP is refused, and so is an office file carrying macros or a program.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from pathlib import Path
from urllib.parse import quote

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
JPEG = "image/jpeg"
PNG = "image/png"

ALLOWED_CONTENT_TYPES: dict[str, str] = {PDF: "PDF", DOCX: "DOCX", XLSX: "XLSX", ODT: "ODT", JPEG: "JPEG", PNG: "PNG"}
"""Each media type accepted, with its short label (for messages: "allowed: PDF, DOCX, ...")."""

IMAGE_TYPES = frozenset({JPEG, PNG})
"""The types that get a thumbnail."""

EXTENSIONS: dict[str, tuple[str, ...]] = {
    PDF: (".pdf",),
    DOCX: (".docx",),
    XLSX: (".xlsx",),
    ODT: (".odt",),
    JPEG: (".jpg", ".jpeg"),
    PNG: (".png",),
}
"""The file name extensions of each type; the first is the one given to a name without a fitting one."""

MAX_FILENAME_LENGTH = 200
_HEAD_BYTES = 16
_ODT_MIMETYPE = ODT.encode("ascii")


def detect_content_type(path: Path) -> str | None:
    """The media type of the file at `path` judged from its content, or None if it is not one of the allowed."""
    with path.open("rb") as file:
        head = file.read(_HEAD_BYTES)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"PK\x03\x04"):
        return _office_type(path)
    return None


EXECUTABLE_EXTENSIONS = (".exe", ".dll", ".js", ".bat", ".cmd", ".com", ".scr", ".msi", ".ps1", ".vbs", ".jar")
"""An office file holding an entry with one of these endings is refused: a document has no business carrying a
program."""
_CONTENT_TYPES = "[Content_Types].xml"
_MAX_CONTENT_TYPES_BYTES = 1024 * 1024
_MACRO_MARKERS = (b"macroenabled", b"vbaproject")


def _office_type(path: Path) -> str | None:
    """DOCX, XLSX or ODT from the entries of the ZIP archive (names only, ODT's tiny `mimetype` entry and OOXML's
    `[Content_Types].xml`). Refused (None): an archive with a program inside (`EXECUTABLE_EXTENSIONS`), and an OOXML
    file with macros (a `vbaProject.bin` entry, or content types that name macros: .docm/.xlsm renamed)."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
            if any(name.lower().rstrip("/").endswith(EXECUTABLE_EXTENSIONS) for name in names):
                return None
            if entries and entries[0].filename == "mimetype" and entries[0].file_size <= len(_ODT_MIMETYPE):
                if archive.read(entries[0]).strip() == _ODT_MIMETYPE:
                    return ODT
                return None
            if _CONTENT_TYPES in names:
                if _has_macros(archive, names):
                    return None
                if "word/document.xml" in names:
                    return DOCX
                if "xl/workbook.xml" in names:
                    return XLSX
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        return None
    return None


def _has_macros(archive: zipfile.ZipFile, names: set[str]) -> bool:
    """Whether an OOXML archive carries VBA macros (or a content types part too large to look through)."""
    if any(name.rsplit("/", 1)[-1].lower() == "vbaproject.bin" for name in names):
        return True
    info = archive.getinfo(_CONTENT_TYPES)
    if info.file_size > _MAX_CONTENT_TYPES_BYTES:
        return True
    with archive.open(info) as part:
        text = part.read(_MAX_CONTENT_TYPES_BYTES + 1).lower()
    return len(text) > _MAX_CONTENT_TYPES_BYTES or any(marker in text for marker in _MACRO_MARKERS)


_UNSAFE = re.compile(r"[\"'`<>:;|?*%\\/]")
_SPACES = re.compile(r"\s+")


def safe_filename(name: str | None, content_type: str) -> str:
    """A name to keep and show for a file: the base name of what the client sent, without control characters,
    quotes, slashes or other characters that mean something to shells and headers, at most 200 characters, with an
    extension that fits the detected type (`scan.exe` of a PDF becomes `scan.exe.pdf`); `document.pdf` (and so on)
    when nothing is left."""
    extensions = EXTENSIONS.get(content_type, ())
    text = unicodedata.normalize("NFC", name or "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(" " if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") else char for char in text)
    text = _UNSAFE.sub("_", text)
    text = _SPACES.sub(" ", text).strip(" .")
    stem, extension = text, ""
    lowered = text.lower()
    for known in extensions:
        if lowered.endswith(known):
            stem, extension = text[: -len(known)], text[-len(known) :]
            break
    else:
        extension = extensions[0] if extensions else ""
    stem = stem.strip(" .") or "document"
    stem = stem[: MAX_FILENAME_LENGTH - len(extension)].rstrip(" .") or "document"
    return f"{stem}{extension}"


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """A `Content-Disposition` value naming the file both as plain ASCII (`filename="..."`, for old clients) and
    exactly (`filename*=UTF-8''...`, RFC 6266 and 8187)."""
    disposition = "inline" if inline else "attachment"
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    ascii_name = re.sub(r"[^A-Za-z0-9!#$&+\-.^_`|~ ()]", "_", ascii_name).strip(" ")
    if not ascii_name or ascii_name.startswith("."):
        ascii_name = f"document{ascii_name}"
    encoded = quote(filename, safe="")
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}"
