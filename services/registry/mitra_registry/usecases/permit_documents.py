"""A permit's files: the scan of the permit letter, attached by TPOA or by the NGO holding the permit, and read
by whoever reads the permit.

Attaching runs in two steps around the upload: `check_may_attach` before the request's body is read (a caller who
may not attach is refused without the server reading a byte of the file), then `attach_document` with the file
received: the file is stored first (under `registry/documents/{id}`), then its row, the event
`registry.document.attached` and the audit entry commit in one unit of work. A file stored whose row never commits
is swept later (`mitra_shared.documents.sweeper`).
"""

from __future__ import annotations

import uuid

import asyncpg

from mitra_registry.domain.access import may_attach_to_permit, may_read
from mitra_registry.domain.permits import permit_document_purpose
from mitra_registry.sql import PERMITS
from mitra_registry.usecases.permits import PERMIT_DOCUMENTS
from mitra_shared.context import Context
from mitra_shared.contracts.documents import document_ref
from mitra_shared.contracts.registry import PermitDocumentAttached
from mitra_shared.documents import (
    DocumentStore,
    DocumentView,
    ReceivedFile,
    document_row,
    document_view,
    documents_of,
    insert_document,
    store_received,
)
from mitra_shared.errors import NotFound
from mitra_shared.uow import UnitOfWork

SERVICE = "registry"
"""The prefix of the registry's keys in the document store."""


async def check_may_attach(uow: UnitOfWork, ctx: Context, permit_id: uuid.UUID) -> None:
    """Refuse, before the body is read, a caller who may not attach a file to this permit: 403 for a role that
    attaches none, 404 for another NGO's permit or one that does not exist."""
    async with uow.read() as conn:
        row = await conn.fetchrow(*PERMITS.get_permit(permit_id=permit_id))
    if row is None or not may_attach_to_permit(ctx.principal, row["organization_id"]):
        raise _no_permit(permit_id)


async def attach_document(
    uow: UnitOfWork, ctx: Context, store: DocumentStore, permit_id: uuid.UUID, received: ReceivedFile
) -> DocumentView:
    """Store the received file, then record it as the permit's, publish `registry.document.attached` and audit it,
    in one unit of work."""
    purpose = permit_document_purpose(received.fields.get("purpose"))
    stored = await store_received(store, SERVICE, received)
    async with uow.change(ctx) as tx:
        permit = await tx.conn.fetchrow(*PERMITS.get_permit(permit_id=permit_id))
        if permit is None or not may_attach_to_permit(ctx.principal, permit["organization_id"]):
            raise _no_permit(permit_id)
        row = await insert_document(
            tx.conn,
            stored,
            owner_type=PERMIT_DOCUMENTS,
            owner_id=permit_id,
            purpose=purpose,
            uploaded_by=tx.actor,
            uploaded_at=tx.now,
        )
        document = document_view(row)
        tx.publish(
            PermitDocumentAttached(
                document=document_ref(stored),
                owner_id=permit_id,
                organization_id=permit["organization_id"],
                purpose=purpose,
                attached_by=tx.actor,
                attached_at=tx.now,
            ),
            subject=str(permit_id),
        )
        tx.audit(
            "permit.document_attached",
            "permit",
            permit_id,
            before=None,
            after={"document": document.model_dump(mode="json")},
        )
    return document


async def permit_documents(uow: UnitOfWork, ctx: Context, permit_id: uuid.UUID) -> list[DocumentView]:
    """The permit's files, oldest first, for whoever reads the permit (another NGO's permit: not found)."""
    async with uow.read() as conn:
        await _readable_permit(conn, ctx, permit_id)
        return await documents_of(conn, PERMIT_DOCUMENTS, permit_id)


async def readable_document(uow: UnitOfWork, ctx: Context, document_id: uuid.UUID) -> asyncpg.Record:
    """The documents row of a permit's file the caller may read (whoever reads the permit); not found otherwise,
    as if it did not exist."""
    async with uow.read() as conn:
        row = await document_row(conn, document_id)
        if row is None or row["owner_type"] != PERMIT_DOCUMENTS:
            raise _no_document(document_id)
        permit = await conn.fetchrow(*PERMITS.get_permit(permit_id=row["owner_id"]))
        if permit is None or not may_read(ctx.principal, permit["organization_id"]):
            raise _no_document(document_id)
    return row


async def _readable_permit(conn: asyncpg.Connection, ctx: Context, permit_id: uuid.UUID) -> asyncpg.Record:
    row = await conn.fetchrow(*PERMITS.get_permit(permit_id=permit_id))
    if row is None or not may_read(ctx.principal, row["organization_id"]):
        raise _no_permit(permit_id)
    return row


def _no_permit(permit_id: uuid.UUID) -> NotFound:
    return NotFound("path.permit_id", f"no permit {permit_id}")


def _no_document(document_id: uuid.UUID) -> NotFound:
    return NotFound("path.document_id", f"no document {document_id}")
