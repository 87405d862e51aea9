"""A service's real FastAPI app in the test's own event loop, over ASGI: routers, auth, problem details, the unit of
work on the test's pool, the test's clock. Not started: no broker, no relay, no consumer, no workers.

    async with api_client(build_spec(RegistrySettings(environment="test", documents_dir=tmp_path)), pool) as client:
        response = await client.post("/organizations", json={...})

A test that needs the app itself (dependency overrides, its state) makes it with `prepared_app` and then
`asgi_client(app)`.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from types import SimpleNamespace

import asyncpg
import httpx
from fastapi import FastAPI

from mitra_shared.clock import Clock
from mitra_shared.documents import store_from_settings
from mitra_shared.service import ServiceSpec, create_app
from mitra_shared.uow import UnitOfWork
from support.tokens import auth_headers


def prepared_app(spec: ServiceSpec, pool: asyncpg.Pool, clock: Clock | None = None) -> FastAPI:
    """`create_app(spec)` with `app.state.resources`, `.uow` and `.clock` set as a started service has them
    (`clock` defaults to the spec's). A service keeping documents in the default directory keeps them in a temporary
    one instead, never in the checkout."""
    if spec.documents and not spec.settings.documents_dir.is_absolute():
        # Left at its default (`var/documents` of the checkout): a test's files go to a directory of its own instead.
        spec.settings.documents_dir = Path(tempfile.mkdtemp(prefix="mitra-test-documents-"))
    app = create_app(spec)
    the_clock = clock or spec.clock
    uow = UnitOfWork(pool, service=spec.name)
    store = store_from_settings(spec.settings) if spec.documents else None
    app.state.resources = SimpleNamespace(settings=spec.settings, pool=pool, uow=uow, clock=the_clock, store=store)
    app.state.uow = uow
    app.state.clock = the_clock
    return app


@asynccontextmanager
async def asgi_client(
    app: FastAPI, *, base_url: str = "http://testserver", headers: Mapping[str, str] | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client on the app over ASGI; `headers` default to a valid TPOA bearer token (`{}`: none)."""
    transport = httpx.ASGITransport(app=app)
    default_headers = dict(auth_headers(role="tpoa") if headers is None else headers)
    async with httpx.AsyncClient(transport=transport, base_url=base_url, headers=default_headers) as client:
        yield client


@asynccontextmanager
async def api_client(
    spec: ServiceSpec,
    pool: asyncpg.Pool,
    clock: Clock | None = None,
    headers: Mapping[str, str] | None = None,
) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client on the service's prepared app (see `prepared_app`); `headers` as in `asgi_client`."""
    app = prepared_app(spec, pool, clock)
    async with asgi_client(app, base_url=f"http://{spec.name}", headers=headers) as client:
        yield client
