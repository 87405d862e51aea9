"""How the documents routes describe themselves in OpenAPI: an upload's two request bodies and a download's answers.

The routes read their bodies themselves (a file is streamed, never parsed into a model), so FastAPI cannot derive
these; every service's upload and download routes declare them with the same words.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from mitra_shared.documents.types import ALLOWED_CONTENT_TYPES
from mitra_shared.http import problems

ANY_ALLOWED_FILE = "PDF, DOCX, XLSX, ODT, JPEG or PNG (judged from its bytes)."
EXAMPLE_UPLOAD_ID = "3f1c2a4e-8b0d-4c1e-9a57-3d2f0e9b7c11"


def upload_body(
    purposes: Sequence[str], *, purpose_description: str | None = None, file_description: str = ANY_ALLOWED_FILE
) -> dict[str, Any]:
    """The `openapi_extra` of an upload route: `multipart/form-data` with `file` and `purpose`, or JSON naming a
    finished resumable upload of the caller's (`upload_id`)."""
    purpose: dict[str, Any] = {"type": "string", "enum": list(purposes)}
    if purpose_description:
        purpose["description"] = purpose_description
    if len(purposes) == 1:
        purpose["default"] = purposes[0]
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {"type": "string", "format": "binary", "description": file_description},
                            "purpose": purpose,
                        },
                        "examples": [{"file": "(the file's bytes)", "purpose": purposes[0]}],
                    }
                },
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["upload_id"],
                        "properties": {
                            "upload_id": {
                                "type": "string",
                                "format": "uuid",
                                "description": "A finished resumable upload of yours (`POST /uploads`, tus 1.0.0).",
                            },
                            "purpose": purpose,
                        },
                        "additionalProperties": False,
                        "examples": [{"upload_id": EXAMPLE_UPLOAD_ID, "purpose": purposes[0]}],
                    }
                },
            },
        }
    }


def download_answers(media_types: Iterable[str] = ALLOWED_CONTENT_TYPES) -> dict[int | str, dict[str, Any]]:
    """The `responses` of a download route: the file in one of its types, or a problem (404 for whoever may not read
    it, 500 when the stored file fails its integrity check)."""
    return {
        200: {
            "description": "The file, with its type, a safe `Content-Disposition` and its SHA-256 as `ETag` (checked "
            "before a byte is sent)",
            "content": {media: {"schema": {"type": "string", "format": "binary"}} for media in sorted(media_types)},
        },
        **problems(404, 422, 500),
    }
