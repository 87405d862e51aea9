"""The documentation pages offline (issue 17): registry's `/docs` (Swagger UI), `/redoc` and `/asyncapi` in a
browser that may reach registry only (every request to another origin is aborted, as on an intranet without
internet) render the operations and the event channels, with their scripts and styles from registry itself.

Registry alone runs here (no console, no demo data): the pages need nothing else."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route
from support.browser import launched_browser, new_page
from support.services import running_services

pytestmark = pytest.mark.e2e

REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@pytest.fixture(scope="module")
def registry_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_services(["registry"], log_dir=tmp_path_factory.mktemp("logs")) as system:
        yield system.url("registry")


@pytest.fixture(scope="module")
def docs_browser(registry_url: str) -> Iterator[Browser]:
    with launched_browser() as launched:
        yield launched


class Offline:
    """A page whose requests to anywhere but registry are aborted, and noted."""

    def __init__(self, browser: Browser, origin: str) -> None:
        self.origin = origin
        self.aborted: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        self.page: Page = new_page(browser, origin)
        self.page.context.route("**/*", self._only_registry)
        self.page.on("requestfailed", lambda request: self.failed.append(request.url))
        self.page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _only_registry(self, route: Route) -> None:
        if route.request.url.startswith(f"{self.origin}/"):
            route.continue_()
        else:
            self.aborted.append(route.request.url)
            route.abort()

    def open(self, path: str) -> Page:
        answer = self.page.goto(path)
        assert answer is not None
        assert answer.status == 200
        return self.page

    def check_nothing_left_registry(self, *, blocked_by_policy: tuple[str, ...] = ()) -> None:
        """No request went to another origin, none failed, the page logged no error; but for the URLs of
        `blocked_by_policy`, which the page's Content-Security-Policy kept in the browser (and it says so)."""
        assert not self.aborted, f"the page asked other origins for {self.aborted}"
        assert sorted(self.failed) == sorted(blocked_by_policy), f"requests failed: {self.failed}"
        errors = [
            error
            for error in self.errors
            if not any(url in error and "Content Security Policy" in error for url in blocked_by_policy)
        ]
        assert not errors, f"the page logged errors: {errors}"


@pytest.fixture
def offline(docs_browser: Browser, registry_url: str) -> Iterator[Offline]:
    opened = Offline(docs_browser, registry_url)
    try:
        yield opened
    finally:
        opened.page.context.close()


def test_swagger_ui_lists_the_operations_with_no_outside_request(offline: Offline) -> None:
    page = offline.open("/docs")
    organizations = page.locator(".opblock-summary-path[data-path='/organizations']")
    organizations.first.wait_for()
    assert page.locator(".opblock").count() >= 20
    assert "Mitra Registry API" in page.locator(".information-container").inner_text()
    offline.check_nothing_left_registry()


def test_redoc_shows_the_operations_with_no_outside_request(offline: Offline) -> None:
    page = offline.open("/redoc")
    page.locator("h1", has_text="Mitra Registry API").wait_for()
    page.locator("[data-section-id^='tag/'], [data-section-id^='operation/']").first.wait_for()
    # ReDoc's footer shows Redocly's logo from their CDN: the page's policy stops it in the browser.
    offline.check_nothing_left_registry(blocked_by_policy=(REDOCLY_LOGO,))


def test_the_asyncapi_page_shows_the_event_channels_with_no_outside_request(
    offline: Offline, registry_url: str
) -> None:
    channels = httpx.get(f"{registry_url}/asyncapi.json", timeout=10).json()["channels"]
    address = channels["registry.application.review_requested:publish"]["address"]
    page = offline.open("/asyncapi")
    page.get_by_text(address, exact=True).first.wait_for()
    shown = page.locator("#asyncapi").inner_text()
    assert not [channel["address"] for channel in channels.values() if channel["address"] not in shown]
    offline.check_nothing_left_registry()
