"""Resumable uploads: the tus 1.0.0 protocol (core, creation, termination, expiration) at `/uploads`.

Over a slow or dropped line a large file goes up in pieces: the client creates an upload stating its length, PATCHes
bytes from the offset the server holds, and after a break asks (HEAD) where it stopped and goes on from there. Each
PATCH body becomes one chunk object `{service}/uploads/{id}/{offset:012d}-{random}` in the document store; a PATCH
whose connection drops keeps the bytes that did arrive as a chunk, so nothing received is sent twice. The upload's
state is a row of `document_uploads` (length, received, expiry, the keys of its chunks). Once finished, the client
attaches it with JSON `{"upload_id": ..., "purpose": ...}` on the object's documents endpoint
(`receiving.DocumentIntake`), which deletes the upload; one never attached expires and the sweeper deletes it.

Only the creator sees an upload (anyone else, or after it expired: 404). Every request but OPTIONS says
`Tus-Resumable: 1.0.0` (412 otherwise).
"""

from __future__ import annotations

import base64
import binascii
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Annotated

import asyncpg
import structlog
from fastapi import APIRouter, Depends, Header, Request, Response
from starlette.requests import ClientDisconnect

from mitra_shared.context import Context
from mitra_shared.documents.multipart import WRITE_BATCH_BYTES, Spool, size_text
from mitra_shared.documents.receiving import QUERIES as UPLOAD_QUERIES
from mitra_shared.documents.receiving import DocumentIntake, chunk_key, delete_upload_chunks
from mitra_shared.documents.wiring import Intake
from mitra_shared.errors import Conflict, ContentTooLarge, NotFound, RuleBroken, StaleVersion, UnsupportedContent
from mitra_shared.http import RequestContext, problems
from mitra_shared.policy import allow

log = structlog.get_logger(__name__)

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,termination,expiration"
CHUNK_CONTENT_TYPE = "application/offset+octet-stream"
MAX_OPEN_UPLOADS = 20
"""Unexpired uploads one principal may have at once (each may hold up to the size limit in the store)."""
MAX_FILENAME_CHARS = 1000

UPLOADERS = allow(
    "tpoa",
    "ministry",
    "region",
    "ngo",
    note="the roles that attach documents; each reads, continues and deletes only the uploads it made (another's: "
    "404). Whether the file may be attached to an object is the object's documents endpoint's to decide.",
)


async def require_tus_version(
    tus_resumable: Annotated[
        str | None,
        Header(description="The tus protocol version the client speaks: `1.0.0` (412 otherwise).", examples=["1.0.0"]),
    ] = None,
) -> None:
    if tus_resumable != TUS_VERSION:
        raise StaleVersion("header.tus-resumable", f"this server speaks tus {TUS_VERSION}: send Tus-Resumable: 1.0.0")


TUS = Depends(require_tus_version)
router = APIRouter(tags=["uploads"])

_TUS_HEADERS = {"Tus-Resumable": {"description": "`1.0.0`", "schema": {"type": "string"}}}
_OFFSET_HEADER = {"description": "How many bytes the server holds", "schema": {"type": "integer", "minimum": 0}}
_EXPIRES_HEADER = {"description": "When the upload expires unless attached (HTTP date)", "schema": {"type": "string"}}


def _expires(moment: datetime) -> str:
    """An HTTP date (RFC 9110), as tus's `Upload-Expires` is."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def _tus_headers(upload: asyncpg.Record | None = None, **more: str) -> dict[str, str]:
    headers = {"Tus-Resumable": TUS_VERSION, "Cache-Control": "no-store", **more}
    if upload is not None:
        headers["Upload-Offset"] = str(upload["received"])
        headers["Upload-Length"] = str(upload["length"])
        headers["Upload-Expires"] = _expires(upload["expires_at"])
    return headers


def parse_metadata(value: str | None) -> dict[str, str]:
    """tus `Upload-Metadata`: comma-separated `key base64(value)` pairs (a key alone has an empty value)."""
    metadata: dict[str, str] = {}
    for pair in (value or "").split(","):
        pair = pair.strip()
        if not pair:
            continue
        key, _, encoded = pair.partition(" ")
        if not key.isascii() or not key.isprintable() or key in metadata:
            raise RuleBroken("header.upload-metadata", f"the key {key!r} is not an ASCII name, or comes twice")
        try:
            text = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise RuleBroken("header.upload-metadata", f"the value of {key!r} is not base64 of UTF-8 text") from None
        if "\x00" in text:
            raise RuleBroken("header.upload-metadata", f"the value of {key!r} holds the NUL character")
        metadata[key] = text
    return metadata


async def _upload_of(intake: DocumentIntake, upload_id: uuid.UUID, ctx: Context) -> asyncpg.Record:
    async with intake.pool.acquire() as conn:
        upload = await conn.fetchrow(
            *UPLOAD_QUERIES.upload_of(id=upload_id, created_by=ctx.principal.subject, now=ctx.now)
        )
    if upload is None:
        raise NotFound("path.upload_id", f"no upload {upload_id} of yours (or it expired)")
    return upload


@router.options(
    "/uploads",
    dependencies=[UPLOADERS],
    summary="What the upload server supports (tus)",
    description="The tus version, extensions (creation, termination, expiration) and the largest upload accepted.",
    status_code=204,
    response_class=Response,
    responses={
        204: {
            "description": "The server's tus capabilities",
            "headers": {
                **_TUS_HEADERS,
                "Tus-Version": {"description": "`1.0.0`", "schema": {"type": "string"}},
                "Tus-Extension": {"description": TUS_EXTENSIONS, "schema": {"type": "string"}},
                "Tus-Max-Size": {"description": "The largest upload in bytes", "schema": {"type": "integer"}},
            },
        }
    },
)
async def upload_options(intake: Intake) -> Response:
    return Response(
        status_code=204,
        headers={
            "Tus-Resumable": TUS_VERSION,
            "Tus-Version": TUS_VERSION,
            "Tus-Extension": TUS_EXTENSIONS,
            "Tus-Max-Size": str(intake.max_bytes),
        },
    )


@router.post(
    "/uploads",
    dependencies=[UPLOADERS, TUS],
    summary="Begin a resumable upload (tus creation)",
    description="States the file's size (`Upload-Length`, at most the documents size limit) and, in "
    "`Upload-Metadata`, its name (`filename`, base64). Answers 201 with the upload's `Location`; then PATCH the "
    "bytes there. An upload not attached within the expiry (`Upload-Expires`) is deleted. The request has no body. "
    f"One caller may have at most {MAX_OPEN_UPLOADS} uploads in progress.",
    status_code=201,
    response_class=Response,
    responses={
        201: {
            "description": "Created: PATCH the bytes to `Location`",
            "headers": {
                **_TUS_HEADERS,
                "Location": {"description": "`/uploads/{upload_id}`", "schema": {"type": "string"}},
                "Upload-Expires": _EXPIRES_HEADER,
            },
        },
        **problems(409, 412, 413),
    },
)
async def create_upload(
    request: Request,
    intake: Intake,
    ctx: RequestContext,
    upload_length: Annotated[
        int | None, Header(description="The file's size in bytes.", ge=0, le=2**62, examples=[1048576])
    ] = None,
    upload_metadata: Annotated[
        str | None,
        Header(description="`filename <base64 of the name>` (tus metadata pairs, comma-separated)."),
    ] = None,
) -> Response:
    if upload_length is None:
        raise RuleBroken("header.upload-length", "state the file's size in bytes (a deferred length is not supported)")
    if upload_length == 0:
        raise RuleBroken("header.upload-length", "an empty file cannot be uploaded")
    if upload_length > intake.max_bytes:
        raise ContentTooLarge("header.upload-length", f"a file may be at most {size_text(intake.max_bytes)}")
    metadata = parse_metadata(upload_metadata)
    filename = (metadata.get("filename") or metadata.get("name") or "")[:MAX_FILENAME_CHARS] or None
    expiry_hours: float = request.app.state.resources.settings.documents_upload_expiry_hours
    async with intake.pool.acquire() as conn, conn.transaction():
        # One transaction per caller at a time (an advisory lock on the subject): the cap cannot be raced past.
        await conn.execute(*UPLOAD_QUERIES.uploads_lock_creator(created_by=ctx.principal.subject))
        open_uploads = await conn.fetchval(
            *UPLOAD_QUERIES.uploads_open_count(created_by=ctx.principal.subject, now=ctx.now)
        )
        if open_uploads >= MAX_OPEN_UPLOADS:
            raise Conflict(
                None, f"you have {open_uploads} uploads in progress: attach, finish or delete one (DELETE) first"
            )
        upload = await conn.fetchrow(
            *UPLOAD_QUERIES.upload_insert(
                id=uuid.uuid4(),
                created_by=ctx.principal.subject,
                length=upload_length,
                filename=filename,
                created_at=ctx.now,
                expires_at=ctx.now + timedelta(hours=expiry_hours),
            )
        )
    log.info("upload created", upload_id=str(upload["id"]), length=upload_length)
    return Response(status_code=201, headers=_tus_headers(upload, Location=f"/uploads/{upload['id']}"))


@router.head(
    "/uploads/{upload_id}",
    dependencies=[UPLOADERS, TUS],
    summary="Where an upload stands (tus)",
    description="`Upload-Offset`: the bytes the server holds, from where the next PATCH continues; "
    "`Upload-Length`: the file's size. Only the upload's creator sees it (anyone else: 404).",
    response_class=Response,
    responses={
        200: {
            "description": "The upload's offset and length",
            "headers": {
                **_TUS_HEADERS,
                "Upload-Offset": _OFFSET_HEADER,
                "Upload-Length": {"description": "The file's size in bytes", "schema": {"type": "integer"}},
                "Upload-Expires": _EXPIRES_HEADER,
            },
        },
        **problems(404, 412),
    },
)
async def upload_state(upload_id: uuid.UUID, intake: Intake, ctx: RequestContext) -> Response:
    upload = await _upload_of(intake, upload_id, ctx)
    return Response(status_code=200, headers=_tus_headers(upload))


@router.patch(
    "/uploads/{upload_id}",
    dependencies=[UPLOADERS, TUS],
    summary="Send bytes of an upload (tus)",
    description="The body (`application/offset+octet-stream`) continues the file at `Upload-Offset`, which must be "
    "the offset the server holds (409 otherwise: ask with HEAD). It may hold the rest of the file or any part of it; "
    "more than the rest is refused (413). If the connection breaks in the middle, the bytes that arrived are kept: "
    "HEAD tells the new offset. Answers 204 with the new `Upload-Offset`.",
    status_code=204,
    response_class=Response,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {CHUNK_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        }
    },
    responses={
        204: {
            "description": "Stored: the new offset",
            "headers": {**_TUS_HEADERS, "Upload-Offset": _OFFSET_HEADER, "Upload-Expires": _EXPIRES_HEADER},
        },
        **problems(404, 409, 412, 413, 415),
    },
)
async def append_to_upload(
    upload_id: uuid.UUID,
    request: Request,
    intake: Intake,
    ctx: RequestContext,
    upload_offset: Annotated[
        int | None, Header(description="Where this body starts in the file: the offset HEAD tells.", ge=0, le=2**62)
    ] = None,
) -> Response:
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != CHUNK_CONTENT_TYPE:
        raise UnsupportedContent("header.content-type", f"a PATCH of an upload is {CHUNK_CONTENT_TYPE}")
    if upload_offset is None:
        raise RuleBroken("header.upload-offset", "state where this body starts in the file (HEAD tells the offset)")
    upload = await _upload_of(intake, upload_id, ctx)
    if upload_offset != upload["received"]:
        raise Conflict("header.upload-offset", f"the upload holds {upload['received']} bytes: continue from there")
    remaining = upload["length"] - upload["received"]
    too_much = f"the upload has {remaining} bytes left of its {upload['length']}; this body is longer"
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > remaining:
        raise ContentTooLarge("body", too_much)
    spool = Spool(intake.temp_dir)
    try:
        cut = await _read_body(request, spool, remaining, too_much)
        await spool.close()
        if spool.size == 0:
            return Response(status_code=204, headers=_tus_headers(upload))
        upload = await _store_chunk(intake, spool, upload, ctx)
    finally:
        spool.discard()
    if cut:
        log.info("upload interrupted; the bytes received are kept", upload_id=str(upload_id), offset=upload["received"])
    return Response(status_code=204, headers=_tus_headers(upload))


async def _read_body(request: Request, spool: Spool, remaining: int, too_much: str) -> bool:
    """The body into `spool`, at most `remaining` bytes; True if the connection broke before its end."""
    try:
        async for data in request.stream():
            if spool.size + len(data) > remaining:
                raise ContentTooLarge("body", too_much)
            spool.add(data)
            if spool.pending >= WRITE_BATCH_BYTES:
                await spool.flush()
    except ClientDisconnect:
        return True
    return False


async def _store_chunk(intake: DocumentIntake, spool: Spool, upload: asyncpg.Record, ctx: Context) -> asyncpg.Record:
    """The chunk into the store, then the offset moved on. No database connection (nor row lock) is held while the
    chunk is written, which may take long: the chunk goes under a key of its own (offset and a random suffix), then
    one short UPDATE moves the offset on only if it is still where this PATCH began, recording the key. Of two
    PATCHes at one offset exactly one UPDATE wins; the other deletes its object and is refused (409). The join reads
    only the recorded keys, so an object a PATCH could not delete (or one cut by a crash) is never part of a file;
    it goes with the upload (attach, delete, expiry), all of whose prefix is deleted."""
    offset: int = upload["received"]
    key = chunk_key(intake.service, upload["id"], offset, secrets.token_hex(8))
    await intake.store.put_file(key, spool.path, content_type=CHUNK_CONTENT_TYPE)
    subject = ctx.principal.subject
    async with intake.pool.acquire() as conn:
        advanced = await conn.fetchrow(
            *UPLOAD_QUERIES.upload_advance(
                id=upload["id"], created_by=subject, offset=offset, size=spool.size, chunk_key=key, now=ctx.now
            )
        )
        if advanced is not None:
            return advanced
        current = await conn.fetchrow(*UPLOAD_QUERIES.upload_of(id=upload["id"], created_by=subject, now=ctx.now))
    try:
        await intake.store.delete(key)
    except Exception as error:  # never read (not recorded); deleted with the upload
        log.warning("chunk of a refused PATCH not deleted", key=key, error=str(error))
    if current is None:
        raise NotFound("path.upload_id", f"no upload {upload['id']} of yours (or it expired)")
    raise Conflict("header.upload-offset", f"the upload holds {current['received']} bytes: continue from there")


@router.delete(
    "/uploads/{upload_id}",
    dependencies=[UPLOADERS, TUS],
    summary="Give up an upload (tus termination)",
    description="Deletes the upload and the bytes received so far. Only its creator may (anyone else: 404).",
    status_code=204,
    response_class=Response,
    responses={204: {"description": "Deleted", "headers": _TUS_HEADERS}, **problems(404, 412)},
)
async def delete_upload(upload_id: uuid.UUID, intake: Intake, ctx: RequestContext) -> Response:
    async with intake.pool.acquire() as conn:
        deleted = await conn.fetchval(*UPLOAD_QUERIES.upload_delete(id=upload_id, created_by=ctx.principal.subject))
    if deleted is None:
        raise NotFound("path.upload_id", f"no upload {upload_id} of yours")
    await delete_upload_chunks(intake.store, intake.service, upload_id)
    return Response(status_code=204, headers={"Tus-Resumable": TUS_VERSION})
