"""The documents sweeper: deletes what the store holds that nothing needs any more.

A file is written to the store before the row that names it commits, so a failed or abandoned change can leave a
file that no row names. Every `documents_sweep_interval_seconds` the sweeper of a service looks at its own prefix:

- `{service}/documents/` and `{service}/thumbnails/`: an object no `documents` row names (as `storage_key` or
  `thumbnail_key`) and older than `documents_orphan_grace_hours` is deleted (the grace lets a change in progress,
  whose row has not committed yet, keep its file);
- resumable uploads past their `expires_at`: their chunks, then their row;
- `{service}/uploads/{id}/...`: chunks whose upload has no row any more (an attached upload whose chunks could not
  all be deleted at once), once older than the longer of the grace and the upload expiry, plus an hour (an upload
  being attached has no row for a moment, and its chunks must stay for it).

Safe with several replicas: one run at a time holds an advisory lock (the others skip that run), and every delete
is idempotent (an absent object or row is fine).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import asyncpg
import structlog

from mitra_shared import metrics
from mitra_shared.documents.receiving import QUERIES, delete_upload_chunks
from mitra_shared.documents.records import storage_keys_named
from mitra_shared.documents.storage import DocumentStore

if TYPE_CHECKING:
    from mitra_shared.service import Resources

log = structlog.get_logger(__name__)
BATCH_SIZE = 500
"""Keys (or expired uploads) looked up in the database at once."""
LOOSE_CHUNK_MARGIN = timedelta(hours=1)


@dataclass(frozen=True)
class SweepResult:
    """What one run did; `ran` is False when another replica's run held the lock."""

    ran: bool
    orphans_deleted: int = 0
    uploads_expired: int = 0
    chunks_deleted: int = 0


def lock_key(service: str) -> int:
    """The advisory lock of a service's sweeper runs (a signed 64-bit number from the name)."""
    digest = hashlib.sha256(f"mitra.documents.sweeper:{service}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class DocumentSweeper:
    """A service's background sweeper: `start()` runs `sweep_once` now and then every interval; `stop()` ends it."""

    name = "documents-sweeper"

    def __init__(self, resources: Resources, service: str) -> None:
        self.resources = resources
        self.service = service
        settings = resources.settings
        self.interval = settings.documents_sweep_interval_seconds
        self.grace = timedelta(hours=settings.documents_orphan_grace_hours)
        # Chunks of an upload with no row are swept only when older than any upload can live, and an hour more: an
        # upload being attached has no row while its chunks are read (the row is taken, put back if the attach
        # fails), and its last chunk may be as old as the upload's expiry allows.
        self.chunk_grace = max(self.grace, timedelta(hours=settings.documents_upload_expiry_hours)) + LOOSE_CHUNK_MARGIN
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.last_error: str | None = None

    @property
    def store(self) -> DocumentStore:
        store: DocumentStore | None = getattr(self.resources, "store", None)
        if store is None:
            raise RuntimeError("the documents sweeper runs only in a service with documents (its store is not built)")
        return store

    @property
    def pool(self) -> asyncpg.Pool:
        return self.resources.pool

    async def start(self) -> None:
        self._stopping.clear()
        metrics.WORKER_POLL_INTERVAL.labels(self.name).set(self.interval)
        metrics.WORKER_LAST_PASS.labels(self.name).set_to_current_time()
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        """Let the run in hand finish, then stop."""
        self._stopping.set()
        if self._task is not None:
            await self._task
            self._task = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.sweep_once(self.resources.clock())
                self.last_error = None
                metrics.WORKER_LAST_PASS.labels(self.name).set_to_current_time()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # a store or database that is down must not end the loop: log, try later
                self.last_error = f"{type(error).__name__}: {error}"
                log.error("documents sweep failed; trying again at the next interval", error=self.last_error)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self.interval)

    async def sweep_once(self, now: datetime) -> SweepResult:
        """One run at `now` (see the module's docstring); skipped if another replica's run is under way."""
        key = lock_key(self.service)
        async with self.pool.acquire() as conn:
            if not await conn.fetchval(*QUERIES.sweeper_try_lock(key=key)):
                log.info("documents sweep skipped: another replica is sweeping", service=self.service)
                return SweepResult(ran=False)
            try:
                cutoff = now - self.grace
                orphans = await self._sweep_orphans(conn, f"{self.service}/documents/", cutoff)
                orphans += await self._sweep_orphans(conn, f"{self.service}/thumbnails/", cutoff)
                expired, expired_chunks = await self._sweep_expired_uploads(conn, now)
                loose_chunks = await self._sweep_loose_chunks(conn, now - self.chunk_grace)
            finally:
                await conn.fetchval(*QUERIES.sweeper_unlock(key=key))
        result = SweepResult(
            ran=True, orphans_deleted=orphans, uploads_expired=expired, chunks_deleted=expired_chunks + loose_chunks
        )
        log.info(
            "documents swept",
            service=self.service,
            orphans_deleted=result.orphans_deleted,
            uploads_expired=result.uploads_expired,
            chunks_deleted=result.chunks_deleted,
        )
        return result

    async def _sweep_orphans(self, conn: asyncpg.Connection, prefix: str, cutoff: datetime) -> int:
        deleted = 0
        batch: list[str] = []
        async for stored in self.store.list(prefix):
            if stored.modified < cutoff:
                batch.append(stored.key)
            if len(batch) >= BATCH_SIZE:
                deleted += await self._delete_unnamed(conn, batch)
                batch = []
        if batch:
            deleted += await self._delete_unnamed(conn, batch)
        return deleted

    async def _delete_unnamed(self, conn: asyncpg.Connection, keys: Sequence[str]) -> int:
        named = await storage_keys_named(conn, keys)
        unnamed = [key for key in keys if key not in named]
        for key in unnamed:
            await self.store.delete(key)
        if unnamed:
            log.info("orphaned documents deleted", service=self.service, keys=unnamed[:20], count=len(unnamed))
        return len(unnamed)

    async def _sweep_expired_uploads(self, conn: asyncpg.Connection, now: datetime) -> tuple[int, int]:
        uploads = chunks = 0
        while True:
            ids = [row["id"] for row in await conn.fetch(*QUERIES.uploads_expired(now=now, batch_size=BATCH_SIZE))]
            for upload_id in ids:
                # The chunks first: a run that fails half-way leaves the row, and the next run finds it again.
                chunks += await delete_upload_chunks(self.store, self.service, upload_id)
                await conn.execute(*QUERIES.upload_delete_expired(id=upload_id, now=now))
                uploads += 1
            if len(ids) < BATCH_SIZE:
                return uploads, chunks

    async def _sweep_loose_chunks(self, conn: asyncpg.Connection, cutoff: datetime) -> int:
        """Chunks older than `cutoff` (see `chunk_grace`) whose upload has no row (its id in the key)."""
        prefix = f"{self.service}/uploads/"
        stale: dict[uuid.UUID, list[str]] = {}
        async for stored in self.store.list(prefix):
            if stored.modified >= cutoff:
                continue
            try:
                upload_id = uuid.UUID(stored.key.removeprefix(prefix).split("/", 1)[0])
            except ValueError:
                continue  # not a chunk this code wrote: left alone
            stale.setdefault(upload_id, []).append(stored.key)
        deleted = 0
        ids = list(stale)
        for start in range(0, len(ids), BATCH_SIZE):
            batch = ids[start : start + BATCH_SIZE]
            existing = {row["id"] for row in await conn.fetch(*QUERIES.uploads_existing(ids=batch))}
            for upload_id in batch:
                if upload_id in existing:
                    continue
                for key in stale[upload_id]:
                    await self.store.delete(key)
                    deleted += 1
        return deleted
