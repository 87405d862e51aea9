"""Files kept by the web console's import pages between a preview (the service's dry run) and its confirmation, in
the console's database: any replica finds them, and the confirmation imports exactly the bytes previewed.

A file is kept for `KEPT_FOR` from its upload, at most `MAX_KEPT_PER_ACCOUNT` per account (the account's oldest
forgotten first; another account's are never touched); expired ones are swept whenever a file is kept or found.
A confirmation takes the file once (`take`): a second one (a double click, another tab) finds it taken and imports
nothing. These are the console's own working records, not changes of anyone's data: no audit entry.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from mitra_console.sql import WEB_IMPORTS
from mitra_shared.context import Context
from mitra_shared.uow import UnitOfWork

KEPT_FOR = timedelta(minutes=30)
MAX_KEPT_PER_ACCOUNT = 3


@dataclass(frozen=True)
class KeptFile:
    id: str
    kind: str
    filename: str
    content_type: str
    preview: Mapping[str, Any]
    status: str  # kept, importing (taken by a confirmation), imported (`result` holds the report), unknown
    result: Mapping[str, Any] | None
    created_at: datetime
    taken_at: datetime | None


@dataclass(frozen=True)
class Taken:
    """A kept file taken for its import: its bytes."""

    content: bytes
    content_type: str
    filename: str


async def keep(
    uow: UnitOfWork,
    ctx: Context,
    *,
    account_id: uuid.UUID,
    kind: str,
    filename: str,
    content_type: str,
    content: bytes,
    preview: Mapping[str, Any],
) -> str:
    """The file kept for its confirmation; its id (random, for the page's address)."""
    kept_id = secrets.token_urlsafe(24)
    async with uow.change(ctx) as tx:
        await tx.conn.execute(*WEB_IMPORTS.delete_expired_import_files(now=tx.now))
        await tx.conn.execute(
            *WEB_IMPORTS.insert_import_file(
                id=kept_id,
                account_id=account_id,
                kind=kind,
                filename=filename,
                content_type=content_type,
                content=content,
                preview=dict(preview),
                now=tx.now,
                expires_at=tx.now + KEPT_FOR,
            )
        )
        await tx.conn.execute(*WEB_IMPORTS.trim_account_import_files(account_id=account_id, keep=MAX_KEPT_PER_ACCOUNT))
    return kept_id


async def find(uow: UnitOfWork, ctx: Context, kept_id: str, *, account_id: uuid.UUID, kind: str) -> KeptFile | None:
    """The account's kept file of that kind (without its bytes); None when gone, expired or someone else's."""
    async with uow.change(ctx) as tx:
        await tx.conn.execute(*WEB_IMPORTS.delete_expired_import_files(now=tx.now))
        row = await tx.conn.fetchrow(
            *WEB_IMPORTS.get_import_file(id=kept_id, account_id=account_id, kind=kind, now=tx.now)
        )
    return _kept(row) if row is not None else None


async def take(uow: UnitOfWork, ctx: Context, kept_id: str, *, account_id: uuid.UUID, kind: str) -> Taken | None:
    """The kept file's bytes, marked as being imported, once; None when it is not (or no longer) there to take."""
    async with uow.change(ctx) as tx:
        row = await tx.conn.fetchrow(
            *WEB_IMPORTS.take_import_file(
                id=kept_id, account_id=account_id, kind=kind, now=tx.now, expires_at=tx.now + KEPT_FOR
            )
        )
    if row is None:
        return None
    return Taken(content=bytes(row["content"]), content_type=row["content_type"], filename=row["filename"])


async def finish(uow: UnitOfWork, ctx: Context, kept_id: str, result: Mapping[str, Any] | None) -> None:
    """The import's report (the file's bytes are forgotten); None: the service did not answer in time, and whether
    it imported is unknown. Either is shown at the file's address for another `KEPT_FOR`."""
    status = "imported" if result is not None else "unknown"
    async with uow.change(ctx) as tx:
        await tx.conn.execute(
            *WEB_IMPORTS.finish_import_file(
                id=kept_id,
                status=status,
                result=dict(result) if result is not None else None,
                expires_at=tx.now + KEPT_FOR,
            )
        )


async def release(uow: UnitOfWork, ctx: Context, kept_id: str) -> None:
    """The import certainly did not happen (the service was not reached, or failed): the file may be confirmed
    again."""
    async with uow.change(ctx) as tx:
        await tx.conn.execute(*WEB_IMPORTS.release_import_file(id=kept_id))


async def forget(uow: UnitOfWork, ctx: Context, kept_id: str) -> None:
    """A file the import refused: nothing is kept."""
    async with uow.change(ctx) as tx:
        await tx.conn.execute(*WEB_IMPORTS.delete_import_file(id=kept_id))


def _kept(row: asyncpg.Record) -> KeptFile:
    return KeptFile(
        id=row["id"],
        kind=row["kind"],
        filename=row["filename"],
        content_type=row["content_type"],
        preview=row["preview"] or {},
        status=row["status"],
        result=row["result"],
        created_at=row["created_at"],
        taken_at=row["taken_at"],
    )
