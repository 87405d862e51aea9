"""`/`: each person to their role's work page (the login page without a session); `/static/...`: the console's
own CSS, scripts and images, with long cache lifetimes and gzip (no CDN)."""

from __future__ import annotations

import gzip
import mimetypes
from functools import cache
from pathlib import Path

from fastapi import Request, Response
from markupsafe import escape

from mitra_console.http.web.i18n import N_, package_path
from mitra_console.http.web.nav import HOME_OF_ROLE
from mitra_console.http.web.page import Page, PublicPage
from mitra_console.http.web.policy import WEB_PEOPLE, WEB_PUBLIC
from mitra_console.http.web.routing import COMPRESSIBLE, PageError, PageNotFound, web_router

router = web_router(tags=["web"])
YEAR = 365 * 86400


@router.get("/", dependencies=[WEB_PUBLIC])
async def home(page: PublicPage) -> Response:
    if page.session is None:
        end = getattr(page.request.state, "session_end", "missing")
        return page.redirect("/login?expired=1" if end in ("idle", "ended") else "/login")
    return page.redirect(HOME_OF_ROLE.get(page.session.account.role, "/account"))


@cache
def _static_root() -> Path:
    return package_path("static").resolve()


@cache
def _asset(path: str, compressed: bool) -> tuple[bytes, str] | None:
    root = _static_root()
    file = (root / path).resolve()
    if not file.is_relative_to(root) or not file.is_file() or file.name.startswith("."):
        return None
    media = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    if media.startswith("text/") or media == "application/javascript":
        media += "; charset=utf-8"
    body = file.read_bytes()
    return (gzip.compress(body, compresslevel=9, mtime=0) if compressed else body), media


@router.get("/static/{path:path}", dependencies=[WEB_PUBLIC])
async def static_file(request: Request, path: str) -> Response:
    if len(path) > 200 or "\\" in path or ".." in path.split("/"):
        raise PageNotFound(path)
    media = mimetypes.guess_type(path)[0] or ""
    wants_gzip = "gzip" in request.headers.get("accept-encoding", "").lower() and media.startswith(COMPRESSIBLE)
    found = _asset(path, wants_gzip)
    if found is None:
        raise PageNotFound(path)
    body, media_type = found
    versioned = bool(request.query_params.get("v"))
    headers = {
        "Cache-Control": f"public, max-age={YEAR}, immutable" if versioned else "public, max-age=3600",
        "Vary": "Accept-Encoding",
    }
    if wants_gzip:
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type=media_type, headers=headers)


@router.get("/_fragments/unread-count", dependencies=[WEB_PEOPLE])
async def unread_count(page: Page) -> Response:
    """The header's unread count, loaded by htmx after the page (the page never waits for notifications); empty when
    notifications has no inbox for the person yet or does not answer."""
    try:
        answer = await page.api.send("GET", "notifications", "/me/inbox/unread-count")
    except PageError:
        answer = None
    count = answer.json.get("unread") if answer and answer.ok and isinstance(answer.json, dict) else None
    if not isinstance(count, int):
        return Response("", media_type="text/html", headers={"Cache-Control": "no-store"})
    label = escape(page.gettext(N_("%(n)s unread"), n=count))
    html = f' <span class="count" aria-label="{label}">{count}</span>'
    return Response(html, media_type="text/html", headers={"Cache-Control": "no-store"})
