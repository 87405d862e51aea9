"""Storing a file and recording it: the object is written first, then the row that names it (in the caller's unit of
work). If the change then fails, the object is an orphan the sweeper deletes after the grace period; a row never
names an object that is not there.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import io
import uuid
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

import asyncpg
from pydantic import BaseModel, ConfigDict, Field

from mitra_shared.db import Queries
from mitra_shared.documents.storage import DocumentStore
from mitra_shared.documents.types import IMAGE_TYPES, JPEG, PNG, safe_filename
from mitra_shared.errors import NotFound, UnsupportedContent

if TYPE_CHECKING:
    from mitra_shared.documents.receiving import ReceivedFile

QUERIES = Queries.from_package("mitra_shared.documents", "sql/documents.sql")
THUMBNAIL_BOX = (320, 320)
MAX_IMAGE_PIXELS = 50_000_000
"""An image with more pixels is refused (a decompression bomb unpacks a small file into gigabytes)."""


@dataclass(frozen=True)
class StoredDocument:
    """A file written to the store, not yet recorded: what `insert_document` records."""

    id: UUID
    storage_key: str
    filename: str
    content_type: str
    size: int
    sha256: str
    thumbnail_key: str | None = None
    thumbnail_sha256: str | None = None
    thumbnail_size: int | None = None


def document_key(service: str, document_id: UUID) -> str:
    return f"{service}/documents/{document_id}"


def thumbnail_key(service: str, document_id: UUID) -> str:
    return f"{service}/thumbnails/{document_id}"


async def store_received(
    store: DocumentStore, service: str, received: ReceivedFile, *, thumbnail: bool = False
) -> StoredDocument:
    """Write a received file (and, for an image when `thumbnail`, a thumbnail of at most 320 px) to the store."""
    document_id = uuid.uuid4()
    small: bytes | None = None
    if thumbnail and received.content_type in IMAGE_TYPES:
        small = await asyncio.to_thread(make_thumbnail, received.path.read_bytes(), received.content_type)
    key = document_key(service, document_id)
    await store.put_file(key, received.path, content_type=received.content_type)
    stored = StoredDocument(
        id=document_id,
        storage_key=key,
        filename=safe_filename(received.filename, received.content_type),
        content_type=received.content_type,
        size=received.size,
        sha256=received.sha256,
    )
    if small is None:
        return stored
    small_key = thumbnail_key(service, document_id)
    await store.put_bytes(small_key, small, content_type=received.content_type)
    return dataclasses.replace(
        stored, thumbnail_key=small_key, thumbnail_sha256=hashlib.sha256(small).hexdigest(), thumbnail_size=len(small)
    )


async def store_generated(
    store: DocumentStore, service: str, *, filename: str, content_type: str, data: bytes
) -> StoredDocument:
    """Write a file the service made itself (a letter, a summary) to the store."""
    document_id = uuid.uuid4()
    key = document_key(service, document_id)
    await store.put_bytes(key, data, content_type=content_type)
    return StoredDocument(
        id=document_id,
        storage_key=key,
        filename=safe_filename(filename, content_type),
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def make_thumbnail(data: bytes, content_type: str) -> bytes:
    """A copy of the image at most 320x320 px, turned as its EXIF orientation says (JPEG stays JPEG, PNG PNG).
    Refuses (`UnsupportedContent`) an image that cannot be read or has too many pixels."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise UnsupportedContent(
                        "file", f"the image has {width}×{height} pixels; at most {MAX_IMAGE_PIXELS} are accepted"
                    )
                turned = ImageOps.exif_transpose(image)
                turned.thumbnail(THUMBNAIL_BOX)
                out = io.BytesIO()
                if content_type == JPEG:
                    if turned.mode not in ("RGB", "L"):
                        turned = turned.convert("RGB")
                    turned.save(out, format="JPEG", quality=85, optimize=True)
                elif content_type == PNG:
                    turned.save(out, format="PNG", optimize=True)
                else:
                    raise UnsupportedContent("file", f"no thumbnail is made of {content_type}")
                return out.getvalue()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise UnsupportedContent("file", "the image has too many pixels to be accepted") from error
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
            raise UnsupportedContent("file", "the image cannot be read (damaged or not what it claims)") from error


class Document(BaseModel):
    """A document kept for an object: what it is and who added it; the bytes are downloaded separately."""

    model_config = ConfigDict(title="Document")

    id: UUID = Field(examples=["0a6d6b5e-54a4-4a35-9d7c-3f4d2d7e9d11"])
    filename: str = Field(description="The file's name, made safe.", examples=["permit-scan.pdf"])
    content_type: str = Field(description="Its media type, judged from its content.", examples=["application/pdf"])
    size: int = Field(description="Its size in bytes.", examples=[482113])
    sha256: str = Field(
        description="The SHA-256 of its bytes, hex (also its download's ETag).",
        examples=["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
    )
    uploaded_by: str = Field(description="Who uploaded it (the token's subject), or the service that made it.")
    uploaded_at: datetime
    purpose: str = Field(description="What it is for the object, e.g. `scan`, `signed_msp`.", examples=["scan"])
    public: bool = Field(description="Whether it is published: downloadable by anyone.")
    generated: bool = Field(description="Whether the service made it (a letter, a summary) rather than a person.")
    has_thumbnail: bool = Field(description="Whether a small picture of it can be downloaded (images only).")


DocumentView = Document
"""The 201 answer of an upload and the item of a documents list (OpenAPI schema `Document`)."""


def document_view(row: Mapping[str, Any]) -> DocumentView:
    return Document(
        id=row["id"],
        filename=row["filename"],
        content_type=row["content_type"],
        size=row["size"],
        sha256=row["sha256"],
        uploaded_by=row["uploaded_by"],
        uploaded_at=row["uploaded_at"],
        purpose=row["purpose"],
        public=row["public"],
        generated=row["generated"],
        has_thumbnail=row["thumbnail_key"] is not None,
    )


async def insert_document(
    conn: asyncpg.Connection,
    stored: StoredDocument,
    *,
    owner_type: str,
    owner_id: UUID,
    purpose: str,
    uploaded_by: str,
    uploaded_at: datetime,
    generated: bool = False,
) -> asyncpg.Record:
    row = await conn.fetchrow(
        *QUERIES.insert_document(
            id=stored.id,
            owner_type=owner_type,
            owner_id=owner_id,
            purpose=purpose,
            filename=stored.filename,
            content_type=stored.content_type,
            size=stored.size,
            sha256=stored.sha256,
            storage_key=stored.storage_key,
            thumbnail_key=stored.thumbnail_key,
            thumbnail_sha256=stored.thumbnail_sha256,
            thumbnail_size=stored.thumbnail_size,
            generated=generated,
            uploaded_by=uploaded_by,
            uploaded_at=uploaded_at,
        )
    )
    assert row is not None
    return row


async def documents_of(conn: asyncpg.Connection, owner_type: str, owner_id: UUID) -> list[DocumentView]:
    """The documents of one owner, oldest first."""
    rows = await conn.fetch(*QUERIES.documents_of(owner_type=owner_type, owner_id=owner_id))
    return [document_view(row) for row in rows]


async def documents_of_many(
    conn: asyncpg.Connection, owner_type: str, owner_ids: Sequence[UUID]
) -> dict[UUID, list[DocumentView]]:
    """The documents of each of several owners (an empty list for one without), oldest first."""
    found: dict[UUID, list[DocumentView]] = {owner_id: [] for owner_id in owner_ids}
    if not owner_ids:
        return found
    rows = await conn.fetch(*QUERIES.documents_of_many(owner_type=owner_type, owner_ids=list(owner_ids)))
    for row in rows:
        found.setdefault(row["owner_id"], []).append(document_view(row))
    return found


async def document_row(conn: asyncpg.Connection, document_id: UUID) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(*QUERIES.document_row(id=document_id))
    return row


async def set_document_public(
    conn: asyncpg.Connection, document_id: UUID, *, public: bool, now: datetime
) -> asyncpg.Record:
    """Mark it public (from `now`, or since it first was) or not; NotFound if there is no such document."""
    row = await conn.fetchrow(*QUERIES.set_document_public(id=document_id, public=public, now=now))
    if row is None:
        raise NotFound("path.document_id", f"there is no document {document_id}")
    return row


async def storage_keys_named(conn: asyncpg.Connection, keys: Sequence[str]) -> set[str]:
    """Which of `keys` a document names as its file or its thumbnail (for the sweeper)."""
    if not keys:
        return set()
    rows = await conn.fetch(*QUERIES.storage_keys_named(keys=list(keys)))
    return {row["key"] for row in rows}
