"""The FastAPI dependencies of routes that take or serve documents (`Store`, `Intake`), and the runtime's store.

@router.post("/permits/{permit_id}/documents", status_code=201, dependencies=[allow(...)])
async def attach(permit_id: UUID, request: Request, intake: Intake, store: Store, ctx: RequestContext):
    async with intake.receive(request, ctx) as received:
        stored = await store_received(store, "registry", received)
        ...   # then the row, in the use case's unit of work
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Annotated

import structlog
from fastapi import Depends, Request

from mitra_shared.documents.receiving import DocumentIntake
from mitra_shared.documents.storage import DocumentStore, store_from_settings

if TYPE_CHECKING:
    from mitra_shared.settings import ServiceSettings

log = structlog.get_logger(__name__)


async def checked_store(settings: ServiceSettings) -> DocumentStore:
    """The store the settings name, checked (it makes its directory or bucket if missing): the runtime's, at start.
    A store that cannot be used raises `RuntimeError`, which stops the start."""
    store = store_from_settings(settings)
    problem = await store.check()
    if problem is not None:
        raise RuntimeError(f"the documents store ({store.name}) cannot be used: {problem}")
    log.info("documents store ready", store=repr(store))
    return store


async def get_store(request: Request) -> DocumentStore:
    """The service's store: the one its runtime built and checked at start (`Resources.store`)."""
    store: DocumentStore | None = request.app.state.resources.store
    if store is None:
        raise RuntimeError("this service keeps no documents (its ServiceSpec has documents=False)")
    return store


Store = Annotated[DocumentStore, Depends(get_store)]


async def get_intake(request: Request, store: Store) -> DocumentIntake:
    """A `DocumentIntake` on the service's store and pool, with its size limit (`MITRA_DOCUMENTS_MAX_BYTES`)."""
    resources = request.app.state.resources
    return DocumentIntake(
        store=store,
        pool=resources.pool,
        max_bytes=resources.settings.documents_max_bytes,
        service=service_name(request),
    )


def service_name(request: Request) -> str:
    """The name of the service serving the request (`ServiceSpec.name`), the prefix of its storage keys."""
    name: str = request.app.state.service_name
    return name


Intake = Annotated[DocumentIntake, Depends(get_intake)]


PROBE_TIMEOUT_SECONDS = 3.0
"""Seconds the readiness check waits for the document store's probe."""


async def probe_store(store: DocumentStore) -> str | None:
    """The readiness check of the store: a head-only probe (the start made the bucket or directory) with a time
    limit of its own, so a blackholed S3 makes the service not ready within seconds and never holds the answer."""
    try:
        return await asyncio.wait_for(store.probe(), timeout=PROBE_TIMEOUT_SECONDS)
    except TimeoutError:
        return f"the documents store ({store.name}) did not answer within {PROBE_TIMEOUT_SECONDS:g} s"
