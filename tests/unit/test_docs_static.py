"""Issue 17: every service's documentation pages (`/docs`, `/redoc`, `/asyncapi`) load their scripts and styles from
the service itself (`mitra_shared/static/docs/`), never from a CDN, so they work on an intranet without internet."""

from __future__ import annotations

import hashlib
import importlib
import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI

from mitra_shared.api_docs import ASSETS, STATIC
from mitra_shared.service import create_app

SERVICES = ("registry", "agreements", "notifications", "reporting", "console")
PAGES = ("/docs", "/redoc", "/asyncapi")
ASSET_TYPES = ("text/javascript", "text/css", "image/png")


class References(HTMLParser):
    """Every `src` and `href` of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls.extend(value for name, value in attrs if name in ("src", "href") and value is not None)


def references(page: str) -> list[str]:
    parser = References()
    parser.feed(page)
    return parser.urls


def service_app(service: str) -> FastAPI:
    bootstrap: Any = importlib.import_module(f"mitra_{service}.bootstrap")
    return create_app(bootstrap.build_spec())


@pytest.fixture(scope="module")
def registry_app() -> FastAPI:
    return service_app("registry")


@pytest.fixture
async def client(registry_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=registry_app)  # no lifespan: the pages need neither database nor broker
    async with httpx.AsyncClient(transport=transport, base_url="http://registry.intranet") as opened:
        yield opened


@pytest.mark.parametrize("service", SERVICES)
async def test_every_service_serves_its_docs_pages_without_another_origin(service: str) -> None:
    transport = httpx.ASGITransport(app=service_app(service))
    async with httpx.AsyncClient(transport=transport, base_url="http://service.intranet") as client:
        for path in PAGES:
            answer = await client.get(path)
            assert answer.status_code == 200, (service, path, answer.text[:300])
            assert answer.headers["content-type"].startswith("text/html")
            # The browser itself refuses anything from elsewhere (ReDoc's footer logo is on cdn.redoc.ly).
            policy = answer.headers["content-security-policy"]
            assert "default-src 'self';" in policy
            assert "img-src 'self' data:;" in policy
            assert not re.findall(r"https?:|\*", policy), policy
            assert ("'unsafe-eval'" in policy) == (path == "/asyncapi"), policy  # its parser compiles schemas
            urls = references(answer.text)
            assert any(url.startswith("/docs/assets/") for url in urls), (service, path, urls)
            outside = [url for url in urls if urlsplit(url).scheme or urlsplit(url).netloc or not url.startswith("/")]
            assert not outside, f"{service} {path} refers to another origin: {outside}"
            # Nor does its inline script (FastAPI's defaults name cdn.jsdelivr.net and fonts.googleapis.com).
            assert not re.findall(r"(?:https?:)?//[\w.-]+\.\w+", answer.text), (service, path)


async def test_each_referenced_asset_is_served_with_its_type_and_a_long_cache_life(client: httpx.AsyncClient) -> None:
    served: set[str] = set()
    for path in PAGES:
        for url in references((await client.get(path)).text):
            if not url.startswith("/docs/assets/"):
                continue
            answer = await client.get(url, headers={"Accept-Encoding": "identity"})
            assert answer.status_code == 200, url
            assert answer.headers["content-type"].startswith(ASSET_TYPES), (url, answer.headers["content-type"])
            assert "max-age=31536000" in answer.headers["cache-control"], url
            name = urlsplit(url).path.removeprefix("/docs/assets/")
            assert answer.content == (STATIC / name).read_bytes()
            served.add(name)
    assert served == set(ASSETS), f"assets no page loads, or loaded but not listed: {served ^ set(ASSETS)}"


async def test_scripts_and_styles_are_gzipped_for_a_browser_that_takes_it(client: httpx.AsyncClient) -> None:
    answer = await client.get("/docs/assets/swagger-ui/swagger-ui-bundle.js", headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200
    assert answer.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in answer.headers["vary"]
    assert int(answer.headers["content-length"]) < (STATIC / "swagger-ui/swagger-ui-bundle.js").stat().st_size / 2
    assert answer.content == (STATIC / "swagger-ui/swagger-ui-bundle.js").read_bytes()  # httpx decoded it
    # Without the content's version the answer is kept an hour only: a new release is picked up soon.
    assert answer.headers["cache-control"] == "public, max-age=3600"
    image = await client.get("/docs/assets/swagger-ui/favicon-32x32.png", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in image.headers
    assert image.content == (STATIC / "swagger-ui/favicon-32x32.png").read_bytes()


@pytest.mark.parametrize(
    "path",
    ["/docs/assets/swagger-ui/LICENSE", "/docs/assets/../api_docs.py", "/docs/assets/%2e%2e/http.py", "/docs/assets/"],
)
async def test_nothing_but_the_listed_assets_is_served(client: httpx.AsyncClient, path: str) -> None:
    answer = await client.get(path)
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"


async def test_the_pages_and_assets_are_open_without_a_token_and_swaggers_oauth2_redirect_remains(
    client: httpx.AsyncClient,
) -> None:
    redirect = await client.get("/docs/oauth2-redirect")
    assert redirect.status_code == 200
    assert "oauth2" in redirect.text.lower()
    swagger = (await client.get("/docs")).text
    assert "oauth2RedirectUrl: window.location.origin + '/docs/oauth2-redirect'" in swagger
    assert "url: '/openapi.json'" in swagger
    assert '"validatorUrl": null' in swagger  # no badge asking validator.swagger.io about the document
    assert (await client.get("/openapi.json")).status_code == 200
    assert (await client.get("/asyncapi.json")).json()["asyncapi"].startswith("3.")


async def test_behind_a_path_prefix_the_pages_refer_to_it(registry_app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=registry_app, root_path="/registry")
    async with httpx.AsyncClient(transport=transport, base_url="http://intranet") as client:
        for path in PAGES:
            page = (await client.get(f"/registry{path}")).text
            urls = [url for url in references(page) if url.startswith("/")]
            assert urls, path
            assert all(url.startswith("/registry/") for url in urls), (path, urls)
        assert '"/registry/asyncapi.json"' in (await client.get("/registry/asyncapi")).text


def test_the_docs_pages_stay_out_of_the_openapi_document(registry_app: FastAPI) -> None:
    paths = registry_app.openapi()["paths"]
    assert not [path for path in paths if path.startswith(("/docs", "/redoc"))]
    assert "/asyncapi" in paths


def test_the_readme_names_each_asset_with_its_checksum_and_each_package_has_its_licence() -> None:
    readme = (STATIC / "README.md").read_text(encoding="utf-8")
    for name in ASSETS:
        digest = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()
        assert f"{digest}  {name}" in readme, f"README.md lacks the sum of {name}"
    for folder, licence in (("swagger-ui", "Apache License"), ("redoc", "MIT License"), ("asyncapi", "Apache License")):
        assert licence in (STATIC / folder / "LICENSE").read_text(encoding="utf-8"), folder
    assert "`swagger-ui-dist` 5.35.0" in readme
    assert "`redoc` 2.5.4" in readme
    assert "`@asyncapi/react-component` 1.4.10" in readme
