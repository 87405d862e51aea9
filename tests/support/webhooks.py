"""A government system's webhook endpoints, served in the test's own event loop, and `serving` for any ASGI app.

async with webhook_receiver() as hooks:
    hooks.url                         # http://127.0.0.1:<port>/hooks/mitra, the default endpoint
    hooks.url_for("3374")             # http://127.0.0.1:<port>/hooks/3374, one endpoint per office
    hooks.status = 500                # what every endpoint answers from now on (statuses[name] for one)
    hooks.received                    # [(headers, body)] of every call, in order
    hooks.received_at("3374")         # those of one endpoint
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mitra_devtools.launcher import free_port
from support.polling import eventually

DEFAULT_ENDPOINT = "mitra"
Call = tuple[dict[str, str], bytes]


@asynccontextmanager
async def serving(app: Any, port: int) -> AsyncIterator[None]:
    """An ASGI app served on 127.0.0.1:port in the test's own event loop until the block ends."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())

    async def started() -> bool:
        if task.done():
            task.result()  # a server that could not start says why
        return server.started

    await eventually(started, description=f"test server listening on {port}")
    try:
        yield
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task


@dataclass
class WebhookReceiver:
    """Endpoints `/hooks/<name>` that keep what they got and answer with the status the test sets."""

    base: str
    status: int = 204
    statuses: dict[str, int] = field(default_factory=dict)
    calls: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.url_for(DEFAULT_ENDPOINT)

    def url_for(self, name: str) -> str:
        return f"{self.base}/hooks/{name}"

    @property
    def received(self) -> list[Call]:
        return [(headers, body) for _, headers, body in self.calls]

    def received_at(self, name: str) -> list[Call]:
        return [(headers, body) for endpoint, headers, body in self.calls if endpoint == name]

    async def endpoint(self, request: Request) -> Response:
        name = request.path_params["name"]
        self.calls.append((name, dict(request.headers), await request.body()))
        return Response(status_code=self.statuses.get(name, self.status))

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/hooks/{name}", self.endpoint, methods=["POST"])])


@asynccontextmanager
async def webhook_receiver(port: int | None = None) -> AsyncIterator[WebhookReceiver]:
    """A `WebhookReceiver` listening on 127.0.0.1 (a free port unless given) for the duration of the block."""
    port = port or free_port()
    receiver = WebhookReceiver(base=f"http://127.0.0.1:{port}")
    async with serving(receiver.app(), port):
        yield receiver
