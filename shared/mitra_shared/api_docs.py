"""The documentation pages of every service: Swagger UI (`/docs`), ReDoc (`/redoc`) and the AsyncAPI page
(`/asyncapi`, of `/asyncapi.json`), with their scripts and styles served by the service itself from
`static/docs/` (see the README there: which npm package, version and licence each file comes from).

FastAPI's own `/docs` and `/redoc` load them from a CDN (cdn.jsdelivr.net) and ReDoc's fonts from Google: on an
intranet without internet those pages stay blank. Here no page asks another origin for anything: the assets are at
`/docs/assets/...`, with their content's digest in the URL (so a browser keeps them a year), gzipped for a browser
that takes it.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import html
import json
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse

STATIC = Path(__file__).resolve().parent / "static" / "docs"
ASSETS_PATH = "/docs/assets"
DOCS_PATH = "/docs"
REDOC_PATH = "/redoc"
MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".png": "image/png"}
ASSETS = (
    "swagger-ui/swagger-ui-bundle.js",
    "swagger-ui/swagger-ui.css",
    "swagger-ui/favicon-32x32.png",
    "redoc/redoc.standalone.js",
    "asyncapi/index.js",
    "asyncapi/default.min.css",
)
"""The files the pages load (paths under `static/docs/`): nothing else there is served."""
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'{eval}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'self'"
)
"""The pages' policy: everything from this origin. The inline scripts are FastAPI's (and ours) that start the
viewers, inline styles the viewers' own; ReDoc's search runs in a `blob:` worker; the AsyncAPI page also needs
`unsafe-eval` (its parser's JSON Schema validator compiles schemas). It keeps ReDoc from fetching its footer logo
from cdn.redoc.ly."""
YEAR = 365 * 86400
UNVERSIONED_MAX_AGE = 3600


@cache
def asset_digest(name: str) -> str:
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:16]


def asset_url(request: Request, name: str) -> str:
    """The same-origin URL of an asset (behind the proxy's root path, if any), versioned by its content."""
    return f"{_root(request)}{ASSETS_PATH}/{name}?v={asset_digest(name)}"


@cache
def _asset_body(name: str, compressed: bool) -> bytes:
    body = (STATIC / name).read_bytes()
    return gzip.compress(body, compresslevel=6, mtime=0) if compressed else body


def _confined(page: HTMLResponse, *, evaluates: bool = False) -> HTMLResponse:
    policy = CONTENT_SECURITY_POLICY.format(eval=" 'unsafe-eval'" if evaluates else "")
    page.headers["Content-Security-Policy"] = policy
    return page


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


def install_docs_routes(
    app: FastAPI,
    *,
    asyncapi_json: Callable[[], str],
    asyncapi_title: str,
    dependencies: Sequence[Any] = (),
) -> None:
    """`/docs`, `/redoc` (in place of FastAPI's, which load from a CDN), `/asyncapi.json`, `/asyncapi` and their
    assets: open to anyone, as FastAPI's documentation pages are (`dependencies`: the open access policy)."""
    replaced = (DOCS_PATH, REDOC_PATH)
    app.router.routes[:] = [route for route in app.router.routes if getattr(route, "path", None) not in replaced]
    # Swagger UI's OAuth2 redirect page (FastAPI's `/docs/oauth2-redirect`) is inline HTML and script: kept.
    oauth2_redirect = app.swagger_ui_oauth2_redirect_url
    deps = list(dependencies)

    @app.get(DOCS_PATH, dependencies=deps, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = _root(request)
        return _confined(
            get_swagger_ui_html(
                openapi_url=f"{root}{app.openapi_url}",
                title=f"{app.title} - Swagger UI",
                swagger_js_url=asset_url(request, "swagger-ui/swagger-ui-bundle.js"),
                swagger_css_url=asset_url(request, "swagger-ui/swagger-ui.css"),
                swagger_favicon_url=asset_url(request, "swagger-ui/favicon-32x32.png"),
                oauth2_redirect_url=f"{root}{oauth2_redirect}" if oauth2_redirect else None,
                init_oauth=app.swagger_ui_init_oauth,
                # No validator badge: it would send the document's URL to validator.swagger.io.
                swagger_ui_parameters={**(app.swagger_ui_parameters or {}), "validatorUrl": None},
            )
        )

    @app.get(REDOC_PATH, dependencies=deps, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        return _confined(
            get_redoc_html(
                openapi_url=f"{_root(request)}{app.openapi_url}",
                title=f"{app.title} - ReDoc",
                redoc_js_url=asset_url(request, "redoc/redoc.standalone.js"),
                redoc_favicon_url=asset_url(request, "swagger-ui/favicon-32x32.png"),
                with_google_fonts=False,
            )
        )

    @app.get(f"{ASSETS_PATH}/{{name:path}}", dependencies=deps, include_in_schema=False)
    async def docs_asset(request: Request, name: str) -> Response:
        if name not in ASSETS:
            raise HTTPException(404, f"no documentation asset {name}")
        media_type = MEDIA_TYPES[Path(name).suffix]
        compressed = media_type.startswith("text/") and "gzip" in request.headers.get("accept-encoding", "").lower()
        body = await asyncio.to_thread(_asset_body, name, compressed)  # the first time: read (and gzip) it
        versioned = request.query_params.get("v") == asset_digest(name)
        headers = {
            "Cache-Control": f"public, max-age={YEAR}, immutable"
            if versioned
            else f"public, max-age={UNVERSIONED_MAX_AGE}",
            "Vary": "Accept-Encoding",
            "X-Content-Type-Options": "nosniff",
        }
        if compressed:
            headers["Content-Encoding"] = "gzip"
        return Response(body, media_type=media_type, headers=headers)

    @app.get(
        "/asyncapi.json",
        dependencies=deps,
        tags=["docs"],
        summary="AsyncAPI 3.0 document of the events",
        response_class=Response,
    )
    async def asyncapi_document() -> Response:
        return Response(asyncapi_json(), media_type="application/json")

    @app.get(
        "/asyncapi",
        dependencies=deps,
        tags=["docs"],
        summary="AsyncAPI docs as a page",
        response_class=HTMLResponse,
    )
    async def asyncapi_page(request: Request) -> HTMLResponse:
        return _confined(HTMLResponse(asyncapi_html(request, asyncapi_title)), evaluates=True)


def asyncapi_html(request: Request, title: str) -> str:
    # The AsyncAPI React component renders /asyncapi.json read-only: FastStream's own docs route would add a
    # "try it out" endpoint that publishes to the broker without authentication, so it is not mounted.
    document_url = f"{_root(request)}/asyncapi.json"
    document, document_js = html.escape(document_url), json.dumps(document_url)
    css = html.escape(asset_url(request, "asyncapi/default.min.css"))
    js = html.escape(asset_url(request, "asyncapi/index.js"))
    favicon = html.escape(asset_url(request, "swagger-ui/favicon-32x32.png"))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} - AsyncAPI</title>
<link rel="icon" href="{favicon}">
<link rel="stylesheet" href="{css}">
</head><body><div id="asyncapi"></div>
<script src="{js}"></script>
<script>
AsyncApiStandalone.render({{schema: {{url: {document_js}, options: {{method: "GET"}}}},
  config: {{show: {{sidebar: true}}}}}}, document.getElementById("asyncapi"));
</script>
<noscript>The AsyncAPI document is at <a href="{document}">{document}</a>.</noscript>
</body></html>"""
