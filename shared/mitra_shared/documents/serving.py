"""Downloading a document: its bytes are checked against the SHA-256 and size recorded when it was stored before a
single byte goes out, so a file changed or damaged in the store is never served (HTTP 500, counted and logged).

The object is read into a spooled temporary file (memory up to 1 MiB, then disk) while hashing, then streamed from
there: the check needs every byte before the answer starts, and the answer must not hold a 25 MB file in memory.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import AsyncIterator, Mapping
from typing import IO, Any

import structlog
from fastapi import Response
from fastapi.responses import StreamingResponse
from prometheus_client import Counter
from starlette.background import BackgroundTask

from mitra_shared.documents.storage import DocumentStore, StoredObjectMissing
from mitra_shared.documents.types import content_disposition, safe_filename
from mitra_shared.errors import NotFound, StoredDocumentCorrupted

__all__ = ["INTEGRITY_FAILURES", "StoredDocumentCorrupted", "serve_document"]

log = structlog.get_logger(__name__)
SPOOL_IN_MEMORY = 1024 * 1024
CHUNK = 64 * 1024

INTEGRITY_FAILURES = Counter(
    "mitra_documents_integrity_failures_total",
    "Stored documents not served because their bytes no longer match the SHA-256 or size recorded (or are gone).",
)


async def serve_document(
    store: DocumentStore, row: Mapping[str, Any], *, thumbnail: bool = False, inline: bool = False
) -> Response:
    """The document's file (or its thumbnail) as a download, once its bytes are found to be the ones recorded."""
    if thumbnail:
        if row["thumbnail_key"] is None:
            raise NotFound("path.document_id", "this document has no thumbnail")
        key, expected_sha256, expected_size = row["thumbnail_key"], row["thumbnail_sha256"], row["thumbnail_size"]
        stem = safe_filename(row["filename"], row["content_type"]).rsplit(".", 1)[0]
        filename = safe_filename(f"{stem}-thumbnail", row["content_type"])
    else:
        key, expected_sha256, expected_size = row["storage_key"], row["sha256"], row["size"]
        filename = row["filename"]
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 - closed when streamed
    try:
        problem = await _spool(store, key, spool, expected_sha256, expected_size)
    except BaseException:
        spool.close()
        raise
    if problem is not None:
        spool.close()
        INTEGRITY_FAILURES.inc()
        log.error("stored document failed its integrity check", document_id=str(row["id"]), key=key, problem=problem)
        raise StoredDocumentCorrupted(row["id"], key, problem)
    spool.seek(0)
    headers = {
        "Content-Length": str(expected_size),
        "Content-Disposition": content_disposition(filename, inline=inline),
        "ETag": f'"{expected_sha256}"',
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    }
    return StreamingResponse(
        _stream(spool), media_type=row["content_type"], headers=headers, background=BackgroundTask(spool.close)
    )


async def _spool(
    store: DocumentStore, key: str, spool: IO[bytes], expected_sha256: str, expected_size: int
) -> str | None:
    """Copy the object into `spool` while hashing; what is wrong with it, or None."""
    digest = hashlib.sha256()
    size = 0
    try:
        async for chunk in store.read_chunks(key, CHUNK):
            size += len(chunk)
            if size > expected_size:
                return f"the stored object is larger than the {expected_size} bytes recorded"
            digest.update(chunk)
            spool.write(chunk)
    except StoredObjectMissing:
        return "the stored object is missing"
    if size != expected_size:
        return f"the stored object has {size} bytes, {expected_size} were recorded"
    if digest.hexdigest() != expected_sha256:
        return "the stored object's SHA-256 differs from the one recorded"
    return None


async def _stream(spool: IO[bytes]) -> AsyncIterator[bytes]:
    try:
        while chunk := spool.read(CHUNK):
            yield chunk
    finally:
        spool.close()
