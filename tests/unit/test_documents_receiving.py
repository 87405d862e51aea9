"""Receiving an upload (mitra_shared.documents.receiving): the streaming multipart reader over an in-memory ASGI
`receive`, which counts how much of the body the intake asked for."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from starlette.requests import Request
from starlette.types import Message

from mitra_shared.context import Context, Principal
from mitra_shared.documents.multipart import size_text
from mitra_shared.documents.receiving import DocumentIntake, ReceivedFile
from mitra_shared.documents.resumable import parse_metadata
from mitra_shared.errors import ContentTooLarge, RuleBroken, UnsupportedContent

BOUNDARY = "mitra-test-boundary"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
CTX = Context(
    principal=Principal(subject="ngo-1", roles=("ngo",)), now=datetime(2030, 1, 2, tzinfo=UTC), request_id="r"
)


class Body:
    """An ASGI `receive` handing out the body in pieces; `taken` counts the pieces the app asked for."""

    def __init__(self, data: bytes, piece: int = 4096) -> None:
        self.pieces = [data[i : i + piece] for i in range(0, len(data), piece)] or [b""]
        self.taken = 0

    async def __call__(self) -> Message:
        if self.taken >= len(self.pieces):
            return {"type": "http.disconnect"}
        piece = self.pieces[self.taken]
        self.taken += 1
        return {"type": "http.request", "body": piece, "more_body": self.taken < len(self.pieces)}


def multipart(parts: Sequence[tuple[str, bytes, str | None]], *, closed: bool = True) -> bytes:
    """A multipart/form-data body of (name, value, filename) parts."""
    out = b""
    for name, value, filename in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
        out += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n".encode()
        if filename is not None:
            out += b"Content-Type: application/octet-stream\r\n"
        out += b"\r\n" + value + b"\r\n"
    return out + (f"--{BOUNDARY}--\r\n".encode() if closed else b"")


def request(body: Body, content_type: str, *, length: int | None = None) -> Request:
    headers = [(b"content-type", content_type.encode())]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    scope: dict[str, Any] = {"type": "http", "method": "POST", "path": "/x", "headers": headers, "query_string": b""}
    return Request(scope, body)


def intake(tmp_path: Path, max_bytes: int = 1024 * 1024) -> DocumentIntake:
    # The multipart path touches neither the store nor the database.
    return DocumentIntake(store=None, pool=None, max_bytes=max_bytes, service="test", temp_dir=tmp_path)  # type: ignore[arg-type]


async def receive_form(tmp_path: Path, data: bytes, *, max_bytes: int = 1024 * 1024, **kw: Any) -> ReceivedFile:
    async with intake(tmp_path, max_bytes).receive(
        request(Body(data), f"multipart/form-data; boundary={BOUNDARY}", **kw), CTX
    ) as received:
        assert received.path.stat().st_size == received.size
        return received


async def test_a_form_gives_the_file_on_disk_hashed_with_its_fields(tmp_path: Path) -> None:
    body = Body(multipart([("purpose", b"annual report", None), ("file", PDF, "laporan tahunan.pdf")]), piece=7)
    async with intake(tmp_path).receive(request(body, f"multipart/form-data; boundary={BOUNDARY}"), CTX) as received:
        assert received.path.read_bytes() == PDF
        assert received.path.parent == tmp_path
        kept = received.path
    assert received.size == len(PDF)
    assert received.sha256 == hashlib.sha256(PDF).hexdigest()
    assert received.content_type == "application/pdf"
    assert received.filename == "laporan tahunan.pdf"
    assert received.fields == {"purpose": "annual report"}
    assert not kept.exists(), "the temporary file is removed when the context exits"


async def test_the_temporary_file_is_removed_when_the_body_of_the_with_fails(tmp_path: Path) -> None:
    body = Body(multipart([("file", PDF, "a.pdf")]))
    with pytest.raises(RuntimeError):
        async with intake(tmp_path).receive(request(body, f"multipart/form-data; boundary={BOUNDARY}"), CTX):
            raise RuntimeError("the use case failed")
    assert not any(tmp_path.iterdir())  # noqa: ASYNC240 (a tmp_path listing)


async def test_await_then_async_with_reads_the_same(tmp_path: Path) -> None:
    body = Body(multipart([("file", PDF, "a.pdf")]))
    receiving = await intake(tmp_path).receive(request(body, f"multipart/form-data; boundary={BOUNDARY}"), CTX)
    async with receiving as received:
        assert received.sha256 == hashlib.sha256(PDF).hexdigest()


async def test_a_file_over_the_limit_is_refused_without_reading_the_rest(tmp_path: Path) -> None:
    big = PDF + b"0" * 200_000
    body = Body(multipart([("file", big, "big.pdf")]), piece=1024)
    with pytest.raises(ContentTooLarge) as refused:
        async with intake(tmp_path, max_bytes=10_000).receive(
            request(body, f"multipart/form-data; boundary={BOUNDARY}"), CTX
        ):
            pytest.fail("a file over the limit was received")
    assert refused.value.field == "file"
    assert refused.value.reason == "a file may be at most 10000 bytes"
    # The limit is 10 pieces of 1 KiB (plus the part's headers): the other ~190 pieces were never asked for.
    assert body.taken <= 11, body.taken
    assert not any(tmp_path.iterdir())  # noqa: ASYNC240 (a tmp_path listing)


async def test_a_declared_length_over_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    body = Body(multipart([("file", PDF, "a.pdf")]))
    with pytest.raises(ContentTooLarge):
        async with intake(tmp_path, max_bytes=10_000).receive(
            request(body, f"multipart/form-data; boundary={BOUNDARY}", length=10_000 + 64 * 1024 + 1), CTX
        ):
            pytest.fail("received")
    assert body.taken == 0


async def test_a_form_without_the_file_field_names_it(tmp_path: Path) -> None:
    with pytest.raises(RuleBroken) as refused:
        await receive_form(tmp_path, multipart([("purpose", b"report", None)]))
    assert refused.value.field == "file"


async def test_a_form_cut_before_its_closing_boundary_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RuleBroken) as refused:
        await receive_form(tmp_path, multipart([("file", PDF, "a.pdf")], closed=False))
    assert refused.value.field == "body"


async def test_extra_fields_are_kept_within_their_limits(tmp_path: Path) -> None:
    fields = [(f"note{i}", f"value {i}".encode(), None) for i in range(20)]
    received = await receive_form(tmp_path, multipart([*fields, ("file", PDF, "a.pdf")]))
    assert received.fields == {f"note{i}": f"value {i}" for i in range(20)}

    with pytest.raises(RuleBroken, match="at most 20"):
        await receive_form(tmp_path, multipart([*fields, ("one_more", b"x", None), ("file", PDF, "a.pdf")]))
    with pytest.raises(RuleBroken) as long_field:
        await receive_form(tmp_path, multipart([("purpose", b"x" * (10 * 1024 + 1), None), ("file", PDF, "a.pdf")]))
    assert long_field.value.field == "body.purpose"
    with pytest.raises(RuleBroken) as twice:
        await receive_form(tmp_path, multipart([("purpose", b"a", None), ("purpose", b"b", None), ("file", PDF, "a")]))
    assert twice.value.field == "body.purpose"
    with pytest.raises(RuleBroken) as other_file:
        await receive_form(tmp_path, multipart([("annex", PDF, "b.pdf"), ("file", PDF, "a.pdf")]))
    assert other_file.value.field == "body.annex"
    with pytest.raises(RuleBroken) as two_files:
        await receive_form(tmp_path, multipart([("file", PDF, "a.pdf"), ("file", PDF, "b.pdf")]))
    assert two_files.value.field == "file"
    with pytest.raises(RuleBroken) as not_utf8:
        await receive_form(tmp_path, multipart([("purpose", b"\xff\xfe", None), ("file", PDF, "a.pdf")]))
    assert not_utf8.value.field == "body.purpose"


async def test_content_of_a_type_not_allowed_is_415_whatever_its_name(tmp_path: Path) -> None:
    executable = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200
    with pytest.raises(UnsupportedContent) as refused:
        await receive_form(tmp_path, multipart([("file", executable, "report.pdf")]))
    assert refused.value.field == "file"
    assert "PDF, DOCX, XLSX, ODT, JPEG, PNG" in refused.value.reason
    assert not any(tmp_path.iterdir())  # noqa: ASYNC240 (a tmp_path listing)


async def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RuleBroken) as refused:
        await receive_form(tmp_path, multipart([("file", b"", "a.pdf")]))
    assert refused.value.field == "file"


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/octet-stream", "application/x-www-form-urlencoded"]
)
async def test_a_body_neither_multipart_nor_json_is_415_naming_the_header(tmp_path: Path, content_type: str) -> None:
    body = Body(PDF)
    with pytest.raises(UnsupportedContent) as refused:
        async with intake(tmp_path).receive(request(body, content_type), CTX):
            pytest.fail("received")
    assert refused.value.field == "header.content-type"
    assert body.taken == 0


async def test_multipart_without_a_boundary_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RuleBroken) as refused:
        async with intake(tmp_path).receive(request(Body(PDF), "multipart/form-data"), CTX):
            pytest.fail("received")
    assert refused.value.field == "header.content-type"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"[1]", "body"),
        (b"not json", "body"),
        (b"{}", "body.upload_id"),
        (b'{"upload_id": "nope"}', "body.upload_id"),
        (b'{"upload_id": "7a1c5c3e-9d6e-4f7e-8d5c-2a1b3c4d5e6f", "purpose": 3}', "body.purpose"),
    ],
)
async def test_a_json_body_must_name_an_upload_with_text_fields(tmp_path: Path, body: bytes, field: str) -> None:
    with pytest.raises(RuleBroken) as refused:
        async with intake(tmp_path).receive(request(Body(body), "application/json"), CTX):
            pytest.fail("received")
    assert refused.value.field == field


def test_tus_metadata_pairs_are_base64_text() -> None:
    name = base64.b64encode("laporan tahunan — 2030.pdf".encode()).decode()
    assert parse_metadata(f"filename {name},filetype {base64.b64encode(b'application/pdf').decode()}, is_final") == {
        "filename": "laporan tahunan — 2030.pdf",
        "filetype": "application/pdf",
        "is_final": "",
    }
    assert parse_metadata(None) == {}
    for broken in ("filename not-base64!", f"filename {name},filename {name}", "filename " + "/w==", "x AA=="):
        with pytest.raises(RuleBroken) as refused:
            parse_metadata(broken)
        assert refused.value.field == "header.upload-metadata"


def test_limits_read_as_people_say_them() -> None:
    assert size_text(25 * 1024 * 1024) == "25 MB"
    assert size_text(1000) == "1000 bytes"
