"""How events name a document: a reference (id, name, type, size, SHA-256), never its content.

A subscriber that needs the file downloads it from the service that keeps it (`GET /documents/{id}`, with a token
that may read the owning object), and can check the bytes against `sha256`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field


class DocumentRef(BaseModel):
    """A document an event names: enough to show it and to check a downloaded copy."""

    id: UUID = Field(
        description="The document's id in the service that keeps it.", examples=["0a6d6b5e-54a4-4a35-9d7c-3f4d2d7e9d11"]
    )
    filename: str = Field(description="The file's name, made safe.", examples=["msp-signed.pdf"])
    content_type: str = Field(description="Its media type, judged from its content.", examples=["application/pdf"])
    size: int = Field(ge=0, description="Its size in bytes.", examples=[482113])
    sha256: str = Field(
        pattern=r"^[0-9a-f]{64}$",
        description="The SHA-256 of its bytes, hex.",
        examples=["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
    )


def document_ref(stored_or_row: Any) -> DocumentRef:
    """The reference of a `StoredDocument`, a `Document` view or a `documents` row."""
    if isinstance(stored_or_row, Mapping) or not hasattr(stored_or_row, "sha256"):  # a row (asyncpg's Record)
        values = stored_or_row
        return DocumentRef(
            id=values["id"],
            filename=values["filename"],
            content_type=values["content_type"],
            size=values["size"],
            sha256=values["sha256"],
        )
    return DocumentRef(
        id=stored_or_row.id,
        filename=stored_or_row.filename,
        content_type=stored_or_row.content_type,
        size=stored_or_row.size,
        sha256=stored_or_row.sha256,
    )
