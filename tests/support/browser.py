"""The console in a real browser: Debian's headless Chromium (/usr/bin/chromium, installed by
scripts/ensure-browser.sh; Playwright never downloads a browser of its own) driven by Playwright's sync API, against
the console and the four services as processes with the demo data loaded, as under `make run`.

    with running_console(tmp_path) as mitra:                  # console + services + demo, as `make run` has them
        with launched_browser() as browser:
            page = new_page(browser, mitra.console_url)
            log_in(page, "kemensos", DEMO_PASSWORD)
            check_accessibility(page)                          # axe-core: no serious or critical violation
            screenshot(page, "ministry-home", phone=True)      # docs/screenshots/ministry-home(-phone).png
            wait_for_mail(mitra.mailbox, "plan@mitra-demo.example", "dikembalikan")

In a test module the fixtures do that: `mitra` (module; defined by the module or tests/browser/conftest.py), then
`browser` (module, after `mitra`) and `page` (a fresh context per test). While Playwright runs, this thread has its
event loop: `asyncio.run` here fails, so run a coroutine with `run_async` (another thread), and start the services
before the browser (the fixtures' order does that).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import re
from collections.abc import Coroutine, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypeVar

import pytest
from playwright.sync_api import Browser, Locator, Page, Playwright, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from mitra_devtools import demo
from mitra_devtools.demo_registry import MEMBER_MINISTRIES
from mitra_devtools.launcher import free_port
from support.mail import Mailbox
from support.paths import REPO
from support.polling import eventually_sync
from support.services import SERVICES, RunningSystem, running_services

T = TypeVar("T")

CHROMIUM = Path(os.environ.get("MITRA_CHROMIUM", "/usr/bin/chromium"))
AXE_JS = REPO / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(os.environ.get("MITRA_SCREENSHOTS", REPO / "docs" / "screenshots"))
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 20_000
DEMO_PASSWORD = demo.DEMO_PASSWORD
ROLE_HOMES = {"tpoa": "/tpoa", "ministry": "/ministry", "region": "/region", "ngo": "/ngo", "auditor": "/auditor",
              "admin": "/admin"}  # fmt: skip
"""Where `/` sends each role (web-kit.md)."""


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to its end in a thread of its own (this one has Playwright's event loop)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


# --- the system under test -------------------------------------------------------------------------------------


@dataclass
class Mitra:
    """The console and the four services as processes, in the local environment as `make run` runs them."""

    system: RunningSystem
    console_url: str
    loaded: list[str] = field(default_factory=list)

    def url(self, service: str) -> str:
        return self.system.url(service)

    @property
    def mailbox(self) -> Mailbox:
        return self.system.mailbox


@contextmanager
def running_console(
    log_dir: Path,
    *,
    services: Sequence[str] = SERVICES,
    console_env: Mapping[str, str] | None = None,
    load_demo: bool = True,
) -> Iterator[Mitra]:
    """Start the console and the four services (local environment: the demo password works) with an SMTP server
    in this process, the services trusting the console's tokens and the console calling them; load the demo data.
    `services`: fewer of them (then `load_demo=False`); `console_env`: more settings for the console (e.g. a short
    MITRA_CONSOLE_SESSION_IDLE_MINUTES)."""
    ports = {name: free_port() for name in ("console", *SERVICES)}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    issuers = f'[{{"issuer": "{urls["console"]}", "jwks_url": "{urls["console"]}/.well-known/jwks.json"}}]'
    extra_env: dict[str, dict[str, str]] = {
        name: {"MITRA_HTTP_PORT": str(port), "MITRA_ENVIRONMENT": "local", "MITRA_JWT_ISSUERS": issuers}
        for name, port in ports.items()
    }
    extra_env["console"] |= {f"MITRA_{name.upper()}_URL": urls[name] for name in SERVICES} | dict(console_env or {})
    # As under `make run`: TPOA's member ministries (the services' default, which the demo registers) review
    # applicants, MSPs and extensions; the other test systems leave the list empty.
    for name in ("registry", "agreements"):
        extra_env[name]["MITRA_TPOA_MEMBERS"] = ",".join(MEMBER_MINISTRIES)
    with running_services(["console", *services], log_dir=log_dir, smtp=True, extra_env=extra_env) as system:
        mitra = Mitra(system=system, console_url=urls["console"])
        if load_demo:
            mitra.loaded = load_demo_data(mitra)
        yield mitra


def load_demo_data(mitra: Mitra) -> list[str]:
    """`mitra_devtools.demo.load` as `make run` calls it, each step with a local token of the role that makes it."""
    return demo.load(
        registry_url=mitra.url("registry"),
        agreements_url=mitra.url("agreements"),
        notifications_url=mitra.url("notifications"),
        reporting_url=mitra.url("reporting"),
        console_url=mitra.console_url,
        mint=demo.local_mint,
        say=lambda line: None,
    )


# --- the browser ------------------------------------------------------------------------------------------------


@contextmanager
def launched_browser() -> Iterator[Browser]:
    """Headless Debian Chromium under Playwright; stopped on leaving."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make browser` (scripts/ensure-browser.sh) installs Debian's chromium")
    playwright: Playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


def new_page(browser: Browser, base_url: str, *, viewport: Mapping[str, int] = DESKTOP) -> Page:
    """A page in a context of its own (no cookies, empty cache), as a person in Jakarta would open it."""
    context = browser.new_context(
        base_url=base_url,
        viewport={"width": viewport["width"], "height": viewport["height"]},
        locale="id-ID",
        timezone_id="Asia/Jakarta",
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # a button's "are you sure?" (data-confirm): yes
    return page


@pytest.fixture(scope="module")
def browser(mitra: Mitra) -> Iterator[Browser]:
    """The module's browser, started after (and stopped before) the module's services."""
    with launched_browser() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser, mitra: Mitra) -> Iterator[Page]:
    """A fresh context (no session) and a page in it, on the console."""
    opened = new_page(browser, mitra.console_url)
    try:
        yield opened
    finally:
        opened.context.close()


# --- what a person does ----------------------------------------------------------------------------------------


def log_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Open the login page, fill in the form and send it; the page is then wherever the console sent it."""
    page.goto("/login")
    submit_login(page, username, password)


def submit_login(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Fill in and send the login form of the page as it is (e.g. the one an expired session was sent to)."""
    form = page.locator("form:has(input[name=password])")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        form.locator("button[type=submit], input[type=submit]").first.click()


def log_out(page: Page) -> None:
    """The logout button of the header (a form that posts with its CSRF token)."""
    with page.expect_navigation():
        page.locator("form[action$='/logout'] button, form[action$='/logout'] [type=submit]").first.click()


def fill_form(form: Locator, values: Mapping[str, str]) -> None:
    """Fill the form's fields by their names (the API's field names, `funding.0.amount`): inputs, text areas and
    selects (chosen by value, else by label)."""
    for name, value in values.items():
        control = form.locator(f'[name="{name}"]').first
        if control.evaluate("element => element.tagName") == "SELECT":
            try:
                control.select_option(value=value, timeout=2_000)
            except PlaywrightError:
                control.select_option(label=value)
        else:
            control.fill(value)


def submit(form: Locator, button: str = "[type=submit]") -> None:
    """Send the form with its (first matching) submit button and wait for the page it leads to."""
    with form.page.expect_navigation():
        form.locator(button).first.click()


def path_of(page: Page) -> str:
    """The path of the page's URL (without query)."""
    return re.sub(r"^https?://[^/]+", "", page.url).split("?")[0]


# --- checks and pictures ---------------------------------------------------------------------------------------

BLOCKING_IMPACTS = ("serious", "critical")


def accessibility_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (WCAG 2.x A and AA rules and best practices)."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: `make browser` runs npm ci --prefix tests/browser")
    # Evaluated through the DevTools protocol, so the console's Content-Security-Policy (no inline script) allows it.
    page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;void 0")
    result = page.evaluate("async () => (await window.axe.run(document, {resultTypes: ['violations']})).violations")
    return list(result)


def check_accessibility(page: Page) -> None:
    """Fail with a list of the serious and critical violations axe-core finds on the page."""
    blocking = [v for v in accessibility_violations(page) if v.get("impact") in BLOCKING_IMPACTS]
    if blocking:
        lines = [f"{len(blocking)} serious/critical accessibility violation(s) on {page.url}:"]
        for violation in blocking:
            targets = [" ".join(map(str, node.get("target", []))) for node in violation.get("nodes", [])[:5]]
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
            lines.append(f"  {violation.get('helpUrl', '')}")
        raise AssertionError("\n".join(lines))


def screenshot(page: Page, name: str, *, phone: bool = False) -> list[Path]:
    """docs/screenshots/<name>.png at 1280x800 (and <name>-phone.png at 390x844 with `phone`), palette PNGs kept
    small for the repository; the page's own size is restored afterwards."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    written = [_shoot(page, SCREENSHOTS / f"{name}.png", DESKTOP)]
    if phone:
        written.append(_shoot(page, SCREENSHOTS / f"{name}-phone.png", PHONE))
    return written


def _shoot(page: Page, path: Path, viewport: Mapping[str, int]) -> Path:
    from PIL import Image

    before = page.viewport_size
    page.set_viewport_size({"width": viewport["width"], "height": viewport["height"]})
    try:
        page.screenshot(path=path, animations="disabled", caret="hide")
    finally:
        if before is not None:
            page.set_viewport_size(before)
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)
    return path


# --- mail --------------------------------------------------------------------------------------------------------


def mail_text(message: EmailMessage) -> str:
    """The subject and plain-text body of a message (the HTML part if it has no plain one)."""
    body = message.get_body(preferencelist=("plain", "html"))
    content = body.get_content() if body is not None else ""
    return f"{message['Subject']}\n{content}"


def wait_for_mail(
    mailbox: Mailbox, address: str, containing: str = "", *, after: int = 0, timeout: float = 30.0
) -> EmailMessage:
    """The first message to `address` (from the `after`-th on) whose subject or text contains `containing` (any
    case), waiting for it up to `timeout` seconds."""

    def found() -> EmailMessage | None:
        for message in mailbox.to(address)[after:]:
            if containing.casefold() in mail_text(message).casefold():
                return message
        return None

    try:
        return eventually_sync(found, timeout=timeout, description=f"mail to {address} containing {containing!r}")
    except AssertionError as error:
        seen = [message["Subject"] for message in mailbox.to(address)]
        raise AssertionError(f"{error}; {address} received: {seen}") from None


def links_in(message: EmailMessage) -> list[str]:
    """The http(s) links in a message's text."""
    return re.findall(r"https?://[^\s\"'<>]+", mail_text(message))


# --- weight and time on a slow line -------------------------------------------------------------------------------

SLOW_LINE = {"download_bps": 1_600_000, "upload_bps": 750_000, "latency_ms": 150}
"""The throttled line of issue 12: 1.6 Mbps down (750 kbps up), 150 ms round trip."""


@dataclass
class PageWeight:
    """What loading one page cost: bytes on the wire (compressed, with headers) per request, and the times."""

    url: str
    transferred_bytes: int
    requests: list[tuple[str, int]]
    load_ms: float
    dom_content_loaded_ms: float
    throttled: bool

    def line(self) -> str:
        return (
            f"{self.url}: {self.transferred_bytes / 1024:.1f} KB transferred in {len(self.requests)} requests, "
            f"DOMContentLoaded {self.dom_content_loaded_ms:.0f} ms, load {self.load_ms:.0f} ms"
            + (" (1.6 Mbps / 150 ms)" if self.throttled else "")
        )


def measure_page(page: Page, path: str, *, throttled: bool = True) -> PageWeight:
    """Load `path` with the browser cache off (as on a first visit), on the slow line unless `throttled` is false,
    and return what went over the wire and how long loading took (navigation start to the load event)."""
    cdp = page.context.new_cdp_session(page)
    sizes: dict[str, int] = {}
    urls: dict[str, str] = {}
    cdp.on("Network.responseReceived", lambda event: urls.__setitem__(event["requestId"], event["response"]["url"]))
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])))
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    if throttled:
        cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": SLOW_LINE["latency_ms"],
                "downloadThroughput": SLOW_LINE["download_bps"] / 8,
                "uploadThroughput": SLOW_LINE["upload_bps"] / 8,
            },
        )
    try:
        page.goto(path, wait_until="load", timeout=120_000)
        timing = page.evaluate(
            "() => { const n = performance.getEntriesByType('navigation')[0];"
            " return {load: n.loadEventEnd - n.startTime, dcl: n.domContentLoadedEventEnd - n.startTime}; }"
        )
    finally:
        if throttled:
            cdp.send(
                "Network.emulateNetworkConditions",
                {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
            )
        cdp.detach()
    requests = [(urls.get(request_id, "?"), size) for request_id, size in sizes.items()]
    return PageWeight(
        url=path,
        transferred_bytes=sum(size for _, size in requests),
        requests=requests,
        load_ms=float(timing["load"]),
        dom_content_loaded_ms=float(timing["dcl"]),
        throttled=throttled,
    )


def pages_linked_from(page: Page, *, limit: int = 20) -> list[str]:
    """The paths of the console's own pages that the page links to (not logout, language switches or files)."""
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    origin = re.match(r"^https?://[^/]+", page.url)
    paths: list[str] = []
    for href in hrefs:
        if origin is None or not str(href).startswith(origin.group(0)):
            continue
        path = str(href)[len(origin.group(0)) :].split("#")[0]
        if not path or re.search(r"logout|lang=|/static/|\.(csv|xlsx|pdf|json)(\?|$)", path) or path in paths:
            continue
        paths.append(path)
    return paths[:limit]
