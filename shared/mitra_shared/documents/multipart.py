"""The streaming side of receiving a file: a temporary file written while hashed and counted (`Spool`), and the
callbacks of python-multipart's streaming parser that put the form's `file` part into it and keep the text fields
(`FormReader`), refusing as soon as a limit is passed. Used by `receiving` (forms, joined uploads) and `resumable`
(PATCH bodies).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from mitra_shared.errors import ContentTooLarge, RuleBroken

FILE_FIELD = "file"
MAX_FIELDS = 20
"""Text fields a form (or the JSON body naming an upload) may carry besides the file."""
MAX_FIELD_BYTES = 10 * 1024
"""The largest text field, in bytes of UTF-8."""
WRITE_BATCH_BYTES = 256 * 1024
"""Bytes gathered before a write to the temporary file (done in a thread, off the event loop)."""


def size_text(max_bytes: int) -> str:
    """The limit as people read it: `25 MB` (whole mebibytes), else in bytes."""
    mebibyte = 1024 * 1024
    if max_bytes >= mebibyte and max_bytes % mebibyte == 0:
        return f"{max_bytes // mebibyte} MB"
    return f"{max_bytes} bytes"


class Spool:
    """The temporary file being written: every byte hashed and counted, written in batches in a thread."""

    def __init__(self, directory: Path | None) -> None:
        descriptor, name = tempfile.mkstemp(prefix="mitra-upload-", dir=directory)
        self.path = Path(name)
        self._file = os.fdopen(descriptor, "wb")
        self._hash = hashlib.sha256()
        self._pending = bytearray()
        self.size = 0

    def add(self, data: bytes | memoryview) -> None:
        self._hash.update(data)
        self.size += len(data)
        self._pending += data

    @property
    def pending(self) -> int:
        return len(self._pending)

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    async def flush(self) -> None:
        if self._pending:
            data = bytes(self._pending)
            self._pending.clear()
            await asyncio.to_thread(self._file.write, data)

    async def close(self) -> None:
        await self.flush()
        await asyncio.to_thread(self._file.close)

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self._file.close()
        self.path.unlink(missing_ok=True)


class FormReader:
    """The callbacks of python-multipart's streaming parser: the part `file` into the spool, text fields kept."""

    def __init__(self, boundary: bytes, spool: Spool, max_bytes: int) -> None:
        self.spool = spool
        self.max_bytes = max_bytes
        self.fields: dict[str, str] = {}
        self.filename: str | None = None
        self.has_file = False
        self.ended = False
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._part_headers: dict[str, bytes] = {}
        self._part_name = ""
        self._part_is_file = False
        self._value = bytearray()
        self.parser = MultipartParser(
            boundary,
            callbacks={
                "on_part_begin": self._part_begin,
                "on_header_field": self._header_field,
                "on_header_value": self._header_value_data,
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
                "on_part_data": self._part_data,
                "on_part_end": self._part_end,
                "on_end": self._end,
            },
        )

    def write(self, data: bytes) -> None:
        try:
            self.parser.write(data)
        except MultipartParseError as error:
            raise RuleBroken("body", f"the multipart form cannot be read: {error}") from None

    def _part_begin(self) -> None:
        self._part_headers = {}
        self._part_name = ""
        self._part_is_file = False
        self._value = bytearray()

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_value_data(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        self._part_headers[bytes(self._header_name).decode("latin-1").strip().lower()] = bytes(self._header_value)
        self._header_name = bytearray()
        self._header_value = bytearray()

    def _headers_finished(self) -> None:
        disposition, options = parse_options_header(
            self._part_headers.get("content-disposition", b"").decode("latin-1")
        )
        raw_name = options.get(b"name")
        if disposition != b"form-data" or raw_name is None:
            raise RuleBroken("body", "each part of the form needs `Content-Disposition: form-data` with a name")
        name = _text(raw_name, "body")
        if name == FILE_FIELD:
            if self.has_file:
                raise RuleBroken(FILE_FIELD, "send one file per request")
            self.has_file = True
            self._part_is_file = True
            raw_filename = options.get(b"filename")
            self.filename = _text(raw_filename, FILE_FIELD) if raw_filename is not None else None
        elif b"filename" in options:
            raise RuleBroken(f"body.{name}", f"only the field `{FILE_FIELD}` may hold a file")
        elif name in self.fields:
            raise RuleBroken(f"body.{name}", "the field is given twice")
        elif len(self.fields) >= MAX_FIELDS:
            raise RuleBroken("body", f"a form may have at most {MAX_FIELDS} text fields besides `{FILE_FIELD}`")
        self._part_name = name

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._part_is_file:
            self.spool.add(data[start:end])
            if self.spool.size > self.max_bytes:
                raise ContentTooLarge(FILE_FIELD, f"a file may be at most {size_text(self.max_bytes)}")
            return
        self._value += data[start:end]
        if len(self._value) > MAX_FIELD_BYTES:
            raise RuleBroken(f"body.{self._part_name}", f"a text field may be at most {MAX_FIELD_BYTES} bytes")

    def _part_end(self) -> None:
        if not self._part_is_file:
            self.fields[self._part_name] = _text(bytes(self._value), f"body.{self._part_name}")

    def _end(self) -> None:
        self.ended = True


def _text(raw: bytes, where: str) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RuleBroken(where, "is not UTF-8 text") from None
    if "\x00" in text:
        raise RuleBroken(where, "holds the NUL character")
    return text
