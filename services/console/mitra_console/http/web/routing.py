"""How every web page is answered: a router whose routes are left out of OpenAPI, turn the page errors (not logged
in, not allowed, a service down, a CSRF-less post) into pages, and add the security headers and gzip to every
answer. A page module makes its router with `web_router()`.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import StreamingResponse

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
    status = 403


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


Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class WebRoute(APIRoute):
    """A page's route: errors become pages, and every answer gets the security headers (and gzip)."""

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
