"""Documents: files uploaded to, or made by, a service, kept in a store and recorded in its database.

The parts (see docs/documents.md): `types` (what is accepted, told from the bytes; safe names), `storage` (a local
directory or S3), `records` (store a file, then record it in the `documents` table), `serving` (download with an
integrity check), `receiving` (an upload, multipart or from a finished resumable upload), `resumable` (the tus
`/uploads` endpoints), `sweeper` (orphaned objects and expired uploads), `wiring` (the routes' dependencies).
A service turns them on with `ServiceSpec(documents=True)`.
"""

from mitra_shared.db import MigrationSource
from mitra_shared.documents.records import (
    Document,
    DocumentView,
    StoredDocument,
    document_row,
    document_view,
    documents_of,
    documents_of_many,
    insert_document,
    set_document_public,
    store_generated,
    store_received,
)
from mitra_shared.documents.serving import StoredDocumentCorrupted, serve_document
from mitra_shared.documents.storage import (
    DocumentStore,
    LocalDirectoryStore,
    S3Store,
    StoredObject,
    StoredObjectMissing,
    store_from_settings,
)
from mitra_shared.documents.types import (
    ALLOWED_CONTENT_TYPES,
    IMAGE_TYPES,
    content_disposition,
    detect_content_type,
    safe_filename,
)

DOCUMENTS_MIGRATIONS = MigrationSource("mitra_documents", "mitra_shared.documents", "sql/migrations")
"""The `documents` and `document_uploads` tables, in each database of a service with documents."""

# The parts that receive uploads come last: they use the ones above.
from mitra_shared.documents.receiving import DocumentIntake, ReceivedFile  # noqa: E402
from mitra_shared.documents.resumable import router  # noqa: E402
from mitra_shared.documents.sweeper import DocumentSweeper  # noqa: E402
from mitra_shared.documents.wiring import Intake, Store  # noqa: E402

__all__ = [
    "ALLOWED_CONTENT_TYPES",
    "DOCUMENTS_MIGRATIONS",
    "IMAGE_TYPES",
    "Document",
    "DocumentIntake",
    "DocumentStore",
    "DocumentSweeper",
    "DocumentView",
    "Intake",
    "LocalDirectoryStore",
    "ReceivedFile",
    "S3Store",
    "Store",
    "StoredDocument",
    "StoredDocumentCorrupted",
    "StoredObject",
    "StoredObjectMissing",
    "content_disposition",
    "detect_content_type",
    "document_row",
    "document_view",
    "documents_of",
    "documents_of_many",
    "insert_document",
    "router",
    "safe_filename",
    "serve_document",
    "set_document_public",
    "store_from_settings",
    "store_generated",
    "store_received",
]
