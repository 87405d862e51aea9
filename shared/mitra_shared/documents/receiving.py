"""Receiving an uploaded file: streamed to a temporary file while hashed and counted, its type told from its bytes.

A documents route checks that the caller may attach to the object first (before a byte of the body is read), then

    async with intake.receive(request, ctx) as received:
        stored = await store_received(store, service, received)
        ...

Two bodies are accepted:

- `multipart/form-data` with the field `file` and a few text fields (e.g. `purpose`), parsed as it streams in
  (python-multipart's streaming parser over `request.stream()`): the file part goes to a temporary file while it is
  hashed (SHA-256) and counted, never into memory. A `Content-Length` above the limit is refused before anything is
  read; a body that turns out larger is refused as soon as the file passes the limit, and the rest is not read.
- `application/json` `{"upload_id": "...", "purpose": "..."}` naming a finished resumable upload of the same
  principal (`resumable.py`): its chunks are joined, in offset order, into the temporary file. The upload is taken
  (its row deleted, so a second attach of it at the same time finds nothing) and its chunks are deleted once the
  `async with` body ends without an exception; after an exception its row is put back, so the client may try
  attaching it again.

Either way the type is decided from the content (`types.detect_content_type`): anything but PDF, DOCX, XLSX, ODT,
JPEG and PNG is refused with 415. The temporary file is removed when the context exits.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Generator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import asyncpg
import structlog
from python_multipart.multipart import parse_options_header
from starlette.requests import ClientDisconnect, Request

from mitra_shared.context import Context
from mitra_shared.db import Queries
from mitra_shared.documents.multipart import (
    FILE_FIELD,
    MAX_FIELD_BYTES,
    MAX_FIELDS,
    WRITE_BATCH_BYTES,
    FormReader,
    Spool,
    size_text,
)
from mitra_shared.documents.storage import DocumentStore, StoredObjectMissing
from mitra_shared.documents.types import ALLOWED_CONTENT_TYPES, detect_content_type, safe_filename
from mitra_shared.errors import Conflict, ContentTooLarge, NotFound, RuleBroken, UnsupportedContent

log = structlog.get_logger(__name__)
QUERIES = Queries.from_package("mitra_shared.documents", "sql/uploads.sql")

FORM_OVERHEAD_BYTES = 64 * 1024
"""What a multipart body may hold beyond the file itself: boundaries, part headers, the text fields."""
MAX_JSON_BYTES = MAX_FIELDS * MAX_FIELD_BYTES + 4096
ALLOWED_LABELS = ", ".join(ALLOWED_CONTENT_TYPES.values())


@dataclass(frozen=True)
class ReceivedFile:
    """A file received whole: where it lies (a temporary file, removed when the intake's context exits), the safe
    name to show, the type its content has, its size and SHA-256, and the other text fields of the request."""

    path: Path
    filename: str
    content_type: str
    size: int
    sha256: str
    fields: Mapping[str, str] = field(default_factory=dict)


def upload_prefix(service: str, upload_id: uuid.UUID) -> str:
    """Where the chunks of one resumable upload are stored: `{service}/uploads/{id}/`."""
    return f"{service}/uploads/{upload_id}/"


def chunk_key(service: str, upload_id: uuid.UUID, offset: int, suffix: str) -> str:
    """The key of a chunk that starts at `offset`, written by one PATCH (`suffix`, random, tells apart the chunks of
    two PATCHes at one offset); zero-padded, so the keys sort in offset order."""
    return f"{upload_prefix(service, upload_id)}{offset:012d}-{suffix}"


def chunk_offset(key: str) -> int | None:
    """The offset a chunk key names (None if the key is not a chunk's)."""
    last = key.rsplit("/", 1)[-1].split("-", 1)[0]
    return int(last) if last.isascii() and last.isdigit() else None


async def delete_upload_chunks(store: DocumentStore, service: str, upload_id: uuid.UUID) -> int:
    """Delete every chunk of an upload (absent ones are fine); how many there were."""
    keys = [stored.key async for stored in store.list(upload_prefix(service, upload_id))]
    for key in keys:
        await store.delete(key)
    return len(keys)


def _media_type(request: Request) -> tuple[str, dict[bytes, bytes]]:
    media_type, options = parse_options_header(request.headers.get("content-type", ""))
    return media_type.decode("latin-1"), options


class Receiving:
    """What `DocumentIntake.receive` answers: an async context manager of the `ReceivedFile`, also awaitable (to
    itself), so that both `async with intake.receive(...)` and `async with await intake.receive(...)` read it."""

    def __init__(self, manager: AbstractAsyncContextManager[ReceivedFile]) -> None:
        self._manager = manager

    def __await__(self) -> Generator[Any, None, Receiving]:
        async def itself() -> Receiving:
            return self

        return itself().__await__()

    async def __aenter__(self) -> ReceivedFile:
        return await self._manager.__aenter__()

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> bool | None:
        return await self._manager.__aexit__(kind, error, traceback)


class DocumentIntake:
    """Receives one file per request for the documents of one service (see the module's docstring)."""

    def __init__(
        self,
        store: DocumentStore,
        pool: asyncpg.Pool,
        max_bytes: int,
        service: str,
        *,
        temp_dir: Path | None = None,
    ) -> None:
        self.store = store
        self.pool = pool
        self.max_bytes = max_bytes
        self.service = service
        self.temp_dir = temp_dir

    def receive(self, request: Request, ctx: Context) -> Receiving:
        """The file of this request, on disk until the context exits (see the module's docstring):
        `async with intake.receive(request, ctx) as received:` (`async with await ...` works too)."""
        return Receiving(self._receive(request, ctx))

    @asynccontextmanager
    async def _receive(self, request: Request, ctx: Context) -> AsyncIterator[ReceivedFile]:
        media_type, options = _media_type(request)
        if media_type == "multipart/form-data":
            spool = Spool(self.temp_dir)
            try:
                yield await self._read_form(request, options, spool)
            finally:
                spool.discard()
        elif media_type == "application/json":
            upload_id, fields = await self._read_reference(request)
            # The upload is taken (its row deleted) before it is read: a second attach of it meanwhile finds nothing
            # rather than make a second document. If the file is not taken after all (the body of the `async with`
            # raised), the row is put back, so the client may try again. The temporary file is made BEFORE the take:
            # failing to make it (a full disk) must not lose the upload.
            spool = Spool(self.temp_dir)
            try:
                upload = await self._take_finished_upload(upload_id, ctx)
                try:
                    yield await self._assemble(upload, fields, spool)
                except BaseException:
                    await self._put_back(upload)
                    raise
            finally:
                spool.discard()
            await self._delete_chunks_of_attached(upload_id)
        else:
            raise UnsupportedContent(
                "header.content-type",
                f"send multipart/form-data with the field `{FILE_FIELD}`, or application/json naming a finished "
                "resumable upload (`upload_id`)",
            )

    # --- multipart ----------------------------------------------------------------------------------------------

    async def _read_form(self, request: Request, options: dict[bytes, bytes], spool: Spool) -> ReceivedFile:
        boundary = options.get(b"boundary")
        if not boundary:
            raise RuleBroken("header.content-type", "multipart/form-data needs its `boundary` parameter")
        too_large = f"a file may be at most {size_text(self.max_bytes)}"
        body_limit = self.max_bytes + FORM_OVERHEAD_BYTES
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > body_limit:
            raise ContentTooLarge(FILE_FIELD, too_large)
        try:
            reader = FormReader(boundary, spool, self.max_bytes)
        except ValueError as error:  # python-multipart refuses a boundary it cannot use (too long)
            raise RuleBroken("header.content-type", f"the multipart boundary cannot be used: {error}") from None
        read = 0
        try:
            async for chunk in request.stream():
                read += len(chunk)
                if read > body_limit:
                    raise ContentTooLarge(FILE_FIELD, too_large)
                reader.write(chunk)
                if spool.pending >= WRITE_BATCH_BYTES:
                    await spool.flush()
                if reader.ended:
                    break
        except ClientDisconnect:
            raise RuleBroken("body", "the connection closed before the form was complete") from None
        if not reader.ended:
            raise RuleBroken("body", "the form ends before its closing boundary")
        if not reader.has_file:
            raise RuleBroken(FILE_FIELD, f"attach the file in the form field `{FILE_FIELD}`")
        await spool.close()
        return await self._received(spool, reader.filename, reader.fields)

    # --- a finished resumable upload ------------------------------------------------------------------------------

    async def _read_reference(self, request: Request) -> tuple[uuid.UUID, dict[str, str]]:
        body = bytearray()
        try:
            async for chunk in request.stream():
                body += chunk
                if len(body) > MAX_JSON_BYTES:
                    raise ContentTooLarge("body", f"a body naming an upload may be at most {MAX_JSON_BYTES} bytes")
        except ClientDisconnect:
            raise RuleBroken("body", "the connection closed before the body was complete") from None
        try:
            document: Any = json.loads(body)
        except ValueError:
            raise RuleBroken("body", "the body is not JSON") from None
        if not isinstance(document, dict):
            raise RuleBroken("body", 'the body is a JSON object: {"upload_id": "...", ...}')
        raw_id = document.pop("upload_id", None)
        if not isinstance(raw_id, str):
            raise RuleBroken("body.upload_id", "name the finished upload to attach (its id, a UUID)")
        try:
            upload_id = uuid.UUID(raw_id)
        except ValueError:
            raise RuleBroken("body.upload_id", "is not a UUID") from None
        fields: dict[str, str] = {}
        for name, value in document.items():
            if value is None:
                continue
            if not isinstance(value, str):
                raise RuleBroken(f"body.{name}", "is text")
            if len(value.encode("utf-8")) > MAX_FIELD_BYTES:
                raise RuleBroken(f"body.{name}", f"a text field may be at most {MAX_FIELD_BYTES} bytes")
            if "\x00" in value:
                raise RuleBroken(f"body.{name}", "holds the NUL character")
            fields[name] = value
        if len(fields) > MAX_FIELDS:
            raise RuleBroken("body", f"a body may have at most {MAX_FIELDS} fields besides `upload_id`")
        return upload_id, fields

    async def _take_finished_upload(self, upload_id: uuid.UUID, ctx: Context) -> asyncpg.Record:
        """The finished upload of this principal, its row deleted (NotFound / Conflict as the contract says)."""
        subject = ctx.principal.subject
        async with self.pool.acquire() as conn:
            taken = await conn.fetchrow(*QUERIES.upload_take(id=upload_id, created_by=subject, now=ctx.now))
            if taken is not None:
                return taken
            upload = await conn.fetchrow(*QUERIES.upload_of(id=upload_id, created_by=subject, now=ctx.now))
        if upload is None:
            raise NotFound("body.upload_id", f"no upload {upload_id} of yours is waiting to be attached")
        raise Conflict(
            "body.upload_id",
            f"the upload has {upload['received']} of its {upload['length']} bytes: send the rest first",
        )

    async def _put_back(self, upload: asyncpg.Record) -> None:
        try:
            async with self.pool.acquire() as conn:
                await conn.execute(*QUERIES.upload_put_back(**dict(upload)))
        except Exception as error:  # the attach failed anyway; the client uploads the file again
            log.error("an upload whose attach failed could not be kept", upload_id=str(upload["id"]), error=str(error))

    async def _assemble(self, upload: asyncpg.Record, fields: dict[str, str], spool: Spool) -> ReceivedFile:
        # Exactly the chunks the upload's row records (the PATCHes that moved its offset on), in order: an object a
        # losing or interrupted PATCH left under the prefix is never read.
        prefix = upload_prefix(self.service, upload["id"])
        incomplete = Conflict("body.upload_id", "the stored parts of the upload are incomplete: upload the file again")
        try:
            for key in upload["chunks"]:
                if not key.startswith(prefix) or chunk_offset(key) != spool.size:
                    raise incomplete
                async for data in self.store.read_chunks(key):
                    spool.add(data)
                    if spool.size > upload["length"]:
                        raise incomplete
                    if spool.pending >= WRITE_BATCH_BYTES:
                        await spool.flush()
        except StoredObjectMissing:
            raise incomplete from None
        if spool.size != upload["length"]:
            raise incomplete
        await spool.close()
        return await self._received(spool, upload["filename"], fields)

    async def _delete_chunks_of_attached(self, upload_id: uuid.UUID) -> None:
        """The upload became a document and its row is gone: its chunks go too; one that cannot be deleted now is
        left to the sweeper (chunks whose upload has no row)."""
        try:
            await delete_upload_chunks(self.store, self.service, upload_id)
        except Exception as error:  # the document is stored and recorded; the sweeper deletes what is left
            log.warning("chunks of an attached upload not deleted", upload_id=str(upload_id), error=str(error))

    # --- both ---------------------------------------------------------------------------------------------------

    async def _received(self, spool: Spool, filename: str | None, fields: dict[str, str]) -> ReceivedFile:
        if spool.size == 0:
            raise RuleBroken(FILE_FIELD, "the file is empty")
        content_type = await asyncio.to_thread(detect_content_type, spool.path)
        if content_type is None:
            raise UnsupportedContent(FILE_FIELD, f"the file's content is not of a type allowed: {ALLOWED_LABELS}")
        return ReceivedFile(
            path=spool.path,
            filename=safe_filename(filename, content_type),
            content_type=content_type,
            size=spool.size,
            sha256=spool.sha256,
            fields=dict(fields),
        )
