"""How every web page is answered: a router whose routes are left out of OpenAPI, turn the page errors (not logged
in, not allowed, a service down, a CSRF-less post) into pages, and add the security headers and gzip to every
answer. A page module makes its router with `web_router()`.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import HTMLResponse, StreamingResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mitra_shared.errors import Forbidden, NotFound

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}
FORM_MARGIN = 64 * 1024  # a form's other fields and the multipart framing around its file
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
MIN_GZIP_BYTES = 1024


class PageError(Exception):
    """A page that cannot be shown as asked; `render_error` (in `page`) answers it."""

    status = 500

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail)
        self.detail = detail


class LoginRequired(PageError):
    """No session (or it expired: `reason` is `idle` or `ended`): off to the login page, then back."""

    status = 303

    def __init__(self, reason: str = "missing") -> None:
        super().__init__(reason)
        self.reason = reason


class NotAllowed(PageError):
    """403: the person's role or scope does not allow it; `problem` is the service's problem document, if any (a
    form may show its reason at the field it names)."""

    status = 403

    def __init__(self, detail: str = "", problem: Mapping[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.problem = problem


class PageNotFound(PageError):
    status = 404


class CsrfRefused(PageError):
    status = 403


class ServiceUnavailable(PageError):
    """A service did not answer, or answered 5xx: `service` names it."""

    status = 503

    def __init__(self, service: str, detail: str = "") -> None:
        super().__init__(detail)
        self.service = service


class BadRequest(PageError):
    status = 400


class FileTooLarge(PageError):
    """A form with a file larger than the documents' limit (`limit`: as the page says it), refused unread."""

    status = 413

    def __init__(self, limit: str) -> None:
        super().__init__(limit)
        self.limit = limit


Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def _is_multipart(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() == "multipart/form-data"


def documents_limit(scope: Scope) -> int:
    """MITRA_DOCUMENTS_MAX_BYTES of the app serving the request."""
    return int(scope["app"].state.resources.settings.documents_max_bytes)


class MultipartBodyLimit:
    """A page's multipart/form-data body is counted as it is read, whether or not it declares its length (a chunked
    body declares none): past the documents' limit and the form's margin, reading it raises `FileTooLarge` (the
    route answers the 413 page) before the form parser has spooled more, and the answer closes the connection.
    A declared length over the limit is refused at the first read, before any of the body is read. Other bodies
    pass untouched (JSON has mitra_shared's JsonBodyLimit; the tus PATCH bodies are the service's to limit)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        if scope["type"] != "http" or not _is_multipart(headers.get("content-type", "")):
            await self.app(scope, receive, send)
            return
        limit = documents_limit(scope)
        allowed = limit + FORM_MARGIN
        declared = headers.get("content-length", "")
        state = {"read": 0, "refused": False, "started": False}

        def refuse() -> FileTooLarge:
            from mitra_console.http.web.documents import size_text  # the page layer formats; routing only counts

            state["refused"] = True
            return FileTooLarge(size_text(limit, "en"))

        async def counted() -> Message:
            if declared.isdigit() and int(declared) > allowed:
                raise refuse()
            message = await receive()
            if message["type"] == "http.request":
                state["read"] += len(message.get("body", b""))
                if state["read"] > allowed:
                    raise refuse()
            return message

        async def closing(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["started"] = True
                if state["refused"]:  # the rest of the body is left unread: the client must not reuse the connection
                    kept = [
                        (name, value) for name, value in message.get("headers", []) if name.lower() != b"connection"
                    ]
                    message = {**message, "headers": [*kept, (b"connection", b"close")]}
            await send(message)

        try:
            await self.app(scope, counted, closing)
        except FileTooLarge as error:  # not answered as a page (no page route): a plain 413
            if state["started"]:
                raise
            answer = HTMLResponse(
                f"<!doctype html><title>413</title><p>The file is too large: at most {error.limit}.</p>",
                status_code=413,
                headers={"Connection": "close"},
            )
            await answer(scope, receive, send)


class WebRoute(APIRoute):
    """A page's route: errors become pages, and every answer gets the security headers (and gzip); a multipart
    body is counted as it is read (`MultipartBodyLimit`)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await MultipartBodyLimit(super().handle)(scope, receive, send)  # (FastAPI answers via `handle`, not `app`)

    def get_route_handler(self) -> Handler:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            from mitra_console.http.web.page import render_error  # the page layer renders; routing only catches

            try:
                response = await original(request)
            except PageError as error:
                response = await render_error(request, error)
            except NotFound as error:
                response = await render_error(request, PageNotFound(error.reason))
            except Forbidden as error:
                response = await render_error(request, NotAllowed(error.reason))
            except RequestValidationError as error:
                response = await render_error(request, BadRequest(str(error.errors())))
            except StarletteHTTPException as error:
                if error.status_code == 401:
                    response = await render_error(request, LoginRequired())
                else:
                    response = await render_error(request, PageError(str(error.detail)))
            return finish(request, response)

        return handler


def finish(request: Request, response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if isinstance(response, StreamingResponse) or "content-encoding" in response.headers:
        return response
    media = response.headers.get("content-type", "")
    body = bytes(response.body)
    if (
        len(body) >= MIN_GZIP_BYTES
        and media.startswith(COMPRESSIBLE)
        and "gzip" in request.headers.get("accept-encoding", "").lower()
    ):
        compressed = gzip.compress(body, compresslevel=6, mtime=0)
        response.body = compressed
        response.headers["Content-Encoding"] = "gzip"
        response.headers["Content-Length"] = str(len(compressed))
        vary = response.headers.get("Vary")
        response.headers["Vary"] = f"{vary}, Accept-Encoding" if vary else "Accept-Encoding"
    return response


def web_router(**kwargs: Any) -> APIRouter:
    """The router of a page module: its routes are not part of the API's OpenAPI document."""
    return APIRouter(route_class=WebRoute, include_in_schema=False, **kwargs)
