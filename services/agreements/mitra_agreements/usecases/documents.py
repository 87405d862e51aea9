"""The files behind agreements' records: attached to a submission, an MSP or a recommendation, listed and downloaded
by whoever reads their owner, marked public (an MSP's, an annual report's) for the open-data export.

An attachment is checked twice: before the file is read (`check_attach`: the owner exists for the caller, 404
otherwise, and the caller may attach to it now, 403/409), and again in the change that records it, with the owner
locked, once the purpose sent with the file is known (`attach`). The file is written to the store before that
change begins (no owner's row locked, no pool connection held while it is copied); a refused change leaves an
object no row names, which the sweeper removes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast
from uuid import UUID

import asyncpg

from mitra_agreements.domain import documents as rules
from mitra_agreements.domain.access import MspParties
from mitra_agreements.domain.documents import OwnerType
from mitra_agreements.sql import DOCUMENTS
from mitra_agreements.usecases.access import parties
from mitra_shared.context import Context, Principal
from mitra_shared.contracts import agreements as contracts
from mitra_shared.contracts.documents import document_ref
from mitra_shared.documents import (
    DocumentStore,
    DocumentView,
    ReceivedFile,
    StoredDocument,
    document_row,
    document_view,
    documents_of,
    insert_document,
    set_document_public,
    store_received,
)
from mitra_shared.errors import NotFound
from mitra_shared.uow import Transaction, UnitOfWork

SERVICE = "agreements"

_OWNER_QUERIES = {
    "submission": (DOCUMENTS.submission_owner, DOCUMENTS.submission_owner_for_update),
    "msp": (DOCUMENTS.msp_owner, DOCUMENTS.msp_owner_for_update),
    "recommendation": (DOCUMENTS.recommendation_owner, DOCUMENTS.recommendation_owner_for_update),
}


@dataclass(frozen=True)
class Owner:
    """The record a document belongs to, with what decides who reads it and who attaches to it."""

    owner_type: OwnerType
    owner_id: UUID
    status: str
    msp_id: UUID
    parties: MspParties
    obligation_kind: str | None
    period: str | None
    region_code: str | None


def _may_read(principal: Principal, owner: Owner) -> bool:
    return rules.may_read(principal, owner.owner_type, owner.parties, region_code=owner.region_code)


async def _owner(
    conn: asyncpg.Connection, owner_type: str, owner_id: UUID, *, for_update: bool = False
) -> Owner | None:
    queries = _OWNER_QUERIES.get(owner_type)
    if queries is None:
        return None
    row = await conn.fetchrow(*queries[for_update](owner_id=owner_id))
    if row is None:
        return None
    return Owner(
        owner_type=cast(OwnerType, owner_type),
        owner_id=row["id"],
        status=row["status"],
        msp_id=row["msp_id"],
        parties=parties(row),
        obligation_kind=row["obligation_kind"],
        period=row["period"],
        region_code=row["region_code"],
    )


async def readable_owner(
    conn: asyncpg.Connection, ctx: Context, owner_type: OwnerType, owner_id: UUID, *, for_update: bool = False
) -> Owner:
    """The owner named in the path, unknown (404, worded as its own routes word it) to a caller who may not read
    it."""
    owner = await _owner(conn, owner_type, owner_id, for_update=for_update)
    if owner is None or not _may_read(ctx.principal, owner):
        what = "MSP" if owner_type == "msp" else owner_type
        raise NotFound(f"path.{owner_type}_id", f"no {what} {owner_id}")
    return owner


def attached_event(
    owner: Owner, row: Mapping[str, Any], *, purpose: str, generated: bool, by: str, at: Any
) -> contracts.DocumentAttached:
    return contracts.DocumentAttached(
        document=document_ref(row),
        owner_type=owner.owner_type,
        owner_id=owner.owner_id,
        purpose=purpose,
        generated=generated,
        msp_id=owner.msp_id,
        organization_id=owner.parties.organization_id,
        ministry_code=owner.parties.ministry_code,
        obligation_kind=owner.obligation_kind,
        region_codes=list(owner.parties.region_codes),
        attached_by=by,
        attached_at=at,
    )


def record_attached(
    tx: Transaction, owner: Owner, row: Mapping[str, Any], *, purpose: str, generated: bool
) -> DocumentView:
    """The event and the audit entry of a document recorded for its owner (in the change that recorded it)."""
    tx.publish(
        attached_event(owner, row, purpose=purpose, generated=generated, by=tx.actor, at=tx.now),
        subject=str(row["id"]),
    )
    view = document_view(row)
    tx.audit(
        "document.attached",
        "document",
        row["id"],
        before=None,
        after={**view.model_dump(mode="json"), "owner_type": owner.owner_type, "owner_id": str(owner.owner_id)},
    )
    return view


async def insert_and_record(
    tx: Transaction, owner: Owner, stored: StoredDocument, *, purpose: str, generated: bool
) -> DocumentView:
    """Record a stored file as the owner's document, with its event and audit entry."""
    row = await insert_document(
        tx.conn,
        stored,
        owner_type=owner.owner_type,
        owner_id=owner.owner_id,
        purpose=purpose,
        uploaded_by=tx.actor,
        uploaded_at=tx.now,
        generated=generated,
    )
    return record_attached(tx, owner, row, purpose=purpose, generated=generated)


# --- attaching --------------------------------------------------------------------------------------------------


async def check_attach(uow: UnitOfWork, ctx: Context, owner_type: OwnerType, owner_id: UUID) -> None:
    """Before a byte of the file is read: the owner exists for the caller (404) and the caller may attach to it
    now (403, 409)."""
    async with uow.read() as conn:
        owner = await readable_owner(conn, ctx, owner_type, owner_id)
    rules.check_attach(ctx.principal, owner_type, owner.parties, status=owner.status)


async def attach(
    uow: UnitOfWork,
    ctx: Context,
    store: DocumentStore,
    owner_type: OwnerType,
    owner_id: UUID,
    received: ReceivedFile,
) -> DocumentView:
    """Write the received file to the store, then record it as the owner's document (the checks again, the owner
    locked, with its purpose); publishes `agreements.document.attached`. The file is written before the change
    begins: no row lock or pool connection is held while a large file is copied; a refused change leaves an
    object no row names, which the sweeper removes."""
    stored = await store_received(store, SERVICE, received)
    async with uow.change(ctx) as tx:
        owner = await readable_owner(tx.conn, ctx, owner_type, owner_id, for_update=True)
        purpose = rules.attach_purpose(
            ctx.principal,
            owner_type,
            owner.parties,
            status=owner.status,
            purpose=received.fields.get("purpose") or None,
            documents_so_far=len(await documents_of(tx.conn, owner_type, owner_id)),
        )
        return await insert_and_record(tx, owner, stored, purpose=purpose, generated=False)


# --- reading ----------------------------------------------------------------------------------------------------


async def documents_of_owner(
    uow: UnitOfWork, ctx: Context, owner_type: OwnerType, owner_id: UUID
) -> list[DocumentView]:
    """The documents of a record the caller reads, oldest first."""
    async with uow.read() as conn:
        await readable_owner(conn, ctx, owner_type, owner_id)
        return await documents_of(conn, owner_type, owner_id)


async def readable_document(uow: UnitOfWork, ctx: Context, document_id: UUID) -> asyncpg.Record:
    """A document's row, for a caller who reads its owner; unknown (404) to anyone else."""
    async with uow.read() as conn:
        row = await document_row(conn, document_id)
        owner = None if row is None else await _owner(conn, row["owner_type"], row["owner_id"])
    if row is None or owner is None or not _may_read(ctx.principal, owner):
        raise NotFound("path.document_id", f"no document {document_id}")
    return row


async def public_document(uow: UnitOfWork, document_id: UUID) -> asyncpg.Record:
    """A document marked public, for anyone; any other is unknown (404)."""
    async with uow.read() as conn:
        row = await document_row(conn, document_id)
    if row is None or not row["public"] or row["owner_type"] not in _OWNER_QUERIES:
        raise NotFound("path.document_id", f"no public document {document_id}")
    return row


# --- publication ------------------------------------------------------------------------------------------------


def public_url(base_url: str, document_id: UUID) -> str:
    return f"{base_url.rstrip('/')}/public/documents/{document_id}"


async def set_publication(
    uow: UnitOfWork, ctx: Context, document_id: UUID, *, public: bool, base_url: str
) -> DocumentView:
    """The MSP's Mitra Utama ministry or TPOA marks an MSP's or an annual report's document public (or private
    again); publishes `agreements.document.published` or `.unpublished`. Asking for what already is changes
    nothing and publishes nothing."""
    async with uow.change(ctx) as tx:
        found = await document_row(tx.conn, document_id)
        owner_type = None if found is None else found["owner_type"]
        owner = (
            None if found is None else await _owner(tx.conn, found["owner_type"], found["owner_id"], for_update=True)
        )
        if found is None or owner is None or not _may_read(ctx.principal, owner):
            raise NotFound("path.document_id", f"no document {document_id}")
        publication = rules.check_publication(
            ctx.principal,
            owner.parties,
            owner_type=str(owner_type),
            obligation_kind=owner.obligation_kind,
            period=owner.period,
        )
        # Read again under the owner's lock: two requests at once publish once.
        current = await document_row(tx.conn, document_id)
        assert current is not None
        if current["public"] == public:
            return document_view(current)
        row = await set_document_public(tx.conn, document_id, public=public, now=tx.now)
        if public:
            tx.publish(
                contracts.DocumentPublished(
                    document=document_ref(row),
                    owner_type=owner.owner_type,
                    owner_id=owner.owner_id,
                    msp_id=owner.msp_id,
                    organization_id=owner.parties.organization_id,
                    obligation_kind=owner.obligation_kind,
                    year=publication.year,
                    public_url=public_url(base_url, document_id),
                    published_by=tx.actor,
                    published_at=tx.now,
                ),
                subject=str(document_id),
            )
        else:
            tx.publish(
                contracts.DocumentUnpublished(
                    document_id=document_id, msp_id=owner.msp_id, unpublished_by=tx.actor, unpublished_at=tx.now
                ),
                subject=str(document_id),
            )
        tx.audit(
            "document.published" if public else "document.unpublished",
            "document",
            document_id,
            before=document_view(current).model_dump(mode="json"),
            after=document_view(row).model_dump(mode="json"),
        )
        return document_view(row)
