"""The import pages of the console (issue 15), in-process: the console's real app over ASGI with a real database for
its sessions, and the real registry and agreements apps in-process on databases of their own, which verify the tokens
the console mints against the console's own published keys (as the running services do).

TPOA downloads the NGO template (an XLSX with the headers in Indonesian), uploads a CSV with a bad row (the page
lists its line and nothing is recorded), then a good file: the preview counts it, the confirmation imports it and the
NGOs are in registry; confirming again imports nothing more. A ministry cannot reach the register's imports (403)
but reaches its MSP import. With the services stood in for by stubs: the MSP preview warns of the overdue notices to
follow, a problem's column is shown by its Indonesian header, a 413 and 415 of the service and a file of another
type are shown at the file's field, and a file kept for one person's preview is not another's to confirm."""

from __future__ import annotations

import asyncio
import csv
import inspect
import io
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import asyncpg
import httpx
import openpyxl
import pytest
from fastapi import FastAPI
from support.app import asgi_client, prepared_app
from support.clock import FakeClock
from support.database import create_migrated_database, drop_database
from support.tokens import as_role
from test_console_web_pages import csrf_of, log_in, make_account, settings

from mitra_console.bootstrap import build_spec
from mitra_shared import db
from mitra_shared.auth import TokenVerifier
from mitra_shared.clock import JAKARTA
from mitra_shared.documents import DOCUMENTS_MIGRATIONS
from mitra_shared.settings import DEVELOPMENT_JWT_SECRET, console_issuer

pytestmark = pytest.mark.integration

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KEPT = re.compile(r"^/imports/(\w+)/([\w-]+)$")


# --- the system: console, registry and agreements in-process -------------------------------------------------------


@pytest.fixture
def clock() -> FakeClock:
    """Now: the services check the console's tokens against the wall clock."""
    return FakeClock(datetime.now(JAKARTA))


@pytest.fixture(scope="module")
def console_database() -> Iterator[str]:
    dsn = asyncio.run(create_migrated_database([db.MigrationSource("console", "mitra_console")]))
    yield dsn
    asyncio.run(drop_database(dsn))


@pytest.fixture(name="console_pool")
async def console_pool_fixture(console_database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await db.create_pool(console_database, min_size=1, max_size=4)
    try:
        yield pool
    finally:
        await pool.close()


@pytest.fixture(scope="module")
def service_databases() -> Iterator[dict[str, str]]:
    made = {
        name: asyncio.run(create_migrated_database([DOCUMENTS_MIGRATIONS, db.MigrationSource(name, f"mitra_{name}")]))
        for name in ("registry", "agreements")
    }
    yield made
    for dsn in made.values():
        asyncio.run(drop_database(dsn))


def trusting_the_console(app: FastAPI, console: FastAPI) -> None:
    """The service verifies tokens against the console's published keys, fetched from the console in-process (and
    the test's own tokens with the development secret)."""
    issuer = str(console.state.resources.settings.issuer)

    async def console_keys(url: str) -> Mapping[str, Any]:
        async with asgi_client(console, headers={}) as client:
            answer = await client.get("/.well-known/jwks.json")
        answer.raise_for_status()
        return dict(answer.json())

    app.state.verifier = TokenVerifier(key=DEVELOPMENT_JWT_SECRET, issuers=[console_issuer(issuer)], fetch=console_keys)


@pytest.fixture
async def system(
    console_pool: asyncpg.Pool, service_databases: dict[str, str], clock: FakeClock, tmp_path: Any
) -> AsyncIterator[dict[str, Any]]:
    """The console (`browser`: a client keeping cookies) over the real registry and agreements (`registry`:
    a TPOA client of registry's own)."""
    from mitra_agreements.bootstrap import build_spec as agreements_spec
    from mitra_agreements.settings import AgreementsSettings
    from mitra_registry.bootstrap import build_spec as registry_spec
    from mitra_registry.settings import RegistrySettings

    registry_pool = await db.create_pool(service_databases["registry"], min_size=1, max_size=4)
    agreements_pool = await db.create_pool(service_databases["agreements"], min_size=1, max_size=4)
    try:
        registry = prepared_app(
            registry_spec(RegistrySettings(environment="test", tpoa_members=[], documents_dir=tmp_path / "r")),
            registry_pool,
            clock,
        )
        agreements = prepared_app(
            agreements_spec(AgreementsSettings(environment="test", tpoa_members=[], documents_dir=tmp_path / "a")),
            agreements_pool,
            clock,
        )
        console = prepared_app(build_spec(settings()), console_pool, clock)
        console.state.web_transports = {
            "registry": httpx.ASGITransport(app=registry),
            "agreements": httpx.ASGITransport(app=agreements),
        }
        for service in (registry, agreements):
            trusting_the_console(service, console)
        async with (
            asgi_client(console, headers={}) as browser,
            asgi_client(registry, base_url="http://registry", headers=as_role("tpoa")) as registry_client,
        ):
            yield {"browser": browser, "registry": registry_client}
    finally:
        await registry_pool.close()
        await agreements_pool.close()


def organizations_csv(*rows: Mapping[str, str]) -> bytes:
    columns = ["legal_name", "country_of_origin", "focus_areas", "contact_email"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: row.get(column, "") for column in columns})
    return out.getvalue().encode()


def ngo(name: str, **changes: str) -> dict[str, str]:
    return {
        "legal_name": name,
        "country_of_origin": "GB",
        "focus_areas": "poverty;child_welfare",
        "contact_email": "office@example.org",
        **changes,
    }


async def upload(browser: httpx.AsyncClient, form_page: httpx.Response, kind: str, name: str, content: bytes,
                 content_type: str = "text/csv") -> httpx.Response:  # fmt: skip
    return await browser.post(
        f"/imports/{kind}",
        data={"csrf_token": csrf_of(form_page)},
        files={"file": (name, content, content_type)},
    )


def problem_rows(page: httpx.Response) -> list[list[str]]:
    table = re.search(r'<table[^>]*data-testid="import-problems".*?<tbody>(.*?)</tbody>', page.text, re.S)
    assert table, page.text[:2000]
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)] for row in rows]


def count_of(page: httpx.Response, key: str) -> str:
    found = re.search(rf'data-testid="count-{key}"><dt>[^<]*</dt><dd>([^<]*)</dd>', page.text)
    assert found, page.text[:2000]
    return found.group(1)


async def registered_names(registry: httpx.AsyncClient, marker: str) -> set[str]:
    listed = await registry.get("/organizations", params={"q": marker, "limit": 100})
    assert listed.status_code == 200, listed.text
    return {item["legal_name"] for item in listed.json()["items"]}


# --- against the real services ---------------------------------------------------------------------------------------


async def test_tpoa_downloads_the_ngo_template_in_indonesian(
    system: dict[str, Any], console_pool: asyncpg.Pool, clock: FakeClock
) -> None:
    browser = system["browser"]
    await log_in(browser, await make_account(console_pool, clock, role="tpoa"))
    page = await browser.get("/tpoa/imports")
    assert page.status_code == 200, page.text
    assert 'href="/tpoa/imports" aria-current="page"' in page.text
    for kind in ("organizations", "permits", "staff", "partners", "msps"):
        assert f'action="/imports/{kind}"' in page.text
    assert 'accept=".xlsx,.csv"' in page.text

    headers = {}
    for language in ("id", "en"):
        template = await browser.get("/imports/organizations/template", params={"format": "xlsx", "language": language})
        assert template.status_code == 200, template.text[:500]
        assert template.headers["content-type"].startswith(XLSX)
        assert f'filename="mitra-import-organizations-{language}.xlsx"' in template.headers["content-disposition"]
        book = openpyxl.load_workbook(io.BytesIO(template.content), read_only=True)
        sheet = book.worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        assert len(rows) == 1, rows  # the header row only
        headers[language] = [str(cell) for cell in rows[0] if cell]
        assert len(book.worksheets) >= 2  # the guide
    assert "legal_name" in headers["en"]
    assert "legal_name" not in headers["id"]
    assert len(headers["id"]) == len(headers["en"])
    csv_template = await browser.get("/imports/organizations/template?format=csv")  # the page's language: id
    assert csv_template.status_code == 200
    assert "legal_name" not in csv_template.content.decode("utf-8-sig")


async def test_a_bad_row_is_listed_then_a_good_file_is_previewed_and_imported(
    system: dict[str, Any], console_pool: asyncpg.Pool, clock: FakeClock
) -> None:
    browser, registry = system["browser"], system["registry"]
    marker = uuid.uuid4().hex[:8]
    first, second = f"Yayasan Uji {marker} Satu", f"Yayasan Uji {marker} Dua"
    await log_in(browser, await make_account(console_pool, clock, role="tpoa"))
    form_page = await browser.get("/tpoa/imports")

    bad = organizations_csv(ngo(first), ngo("", country_of_origin="GB"))  # line 3 has no legal name
    refused = await upload(browser, form_page, "organizations", "ormas.csv", bad)
    assert refused.status_code == 422, refused.text[:1000]
    assert "Ada masalah pada berkas" in refused.text
    assert 'href="#import-problems"' in refused.text
    lines = [row[0] for row in problem_rows(refused)]
    assert "3" in lines, problem_rows(refused)
    assert "2" not in lines
    assert ["3", "nama_resmi"] in [row[:2] for row in problem_rows(refused)]  # the column by its Indonesian header
    assert await registered_names(registry, marker) == set()

    good = organizations_csv(ngo(first), ngo(second, country_of_origin="US"))
    checked = await upload(browser, form_page, "organizations", "ormas.csv", good)
    assert checked.status_code == 303, checked.text[:1000]
    preview_url = checked.headers["location"]
    assert KEPT.match(preview_url)
    preview = await browser.get(preview_url)
    assert preview.status_code == 200
    assert count_of(preview, "rows") == "2"
    assert count_of(preview, "added") == "2"
    assert count_of(preview, "unchanged") == "0"
    assert "Impor 2 baris" in preview.text
    assert await registered_names(registry, marker) == set()  # a preview writes nothing

    confirmed = await browser.post(preview_url, data={"csrf_token": csrf_of(preview)})
    assert confirmed.status_code == 303, confirmed.text[:1000]
    assert confirmed.headers["location"] == preview_url
    result = await browser.get(preview_url)
    assert "Impor selesai" in result.text
    assert count_of(result, "added") == "2"
    assert await registered_names(registry, marker) == {first, second}

    again = await browser.post(preview_url, data={"csrf_token": csrf_of(result)})  # a second confirmation
    assert again.status_code == 303
    assert await registered_names(registry, marker) == {first, second}
    same = await upload(browser, form_page, "organizations", "ormas.csv", good)  # the same file again
    preview = await browser.get(same.headers["location"])
    assert count_of(preview, "unchanged") == "2"
    assert count_of(preview, "added") == "0"


async def test_a_ministry_imports_msps_but_not_the_register(
    system: dict[str, Any], console_pool: asyncpg.Pool, clock: FakeClock
) -> None:
    browser = system["browser"]
    await log_in(browser, await make_account(console_pool, clock, role="ministry", ministry_code="KEMENSOS"))
    home = await browser.get("/ministry")
    assert 'href="/ministry/imports"' in home.text
    assert (await browser.get("/tpoa/imports")).status_code == 403
    assert (await browser.get("/imports/organizations/template?format=xlsx")).status_code == 403
    refused = await upload(browser, home, "organizations", "ormas.csv", organizations_csv(ngo("Yayasan Terlarang")))
    assert refused.status_code == 403
    page = await browser.get("/ministry/imports")
    assert page.status_code == 200
    assert 'action="/imports/msps"' in page.text
    assert 'action="/imports/organizations"' not in page.text
    assert "past_obligations_received_on" in page.text
    template = await browser.get("/imports/msps/template?format=csv")
    assert template.status_code == 200, template.text[:500]
    assert template.headers["content-type"].startswith("text/csv")


# --- with stubs of the services --------------------------------------------------------------------------------------


Stub = Callable[[httpx.Request, bytes], httpx.Response | Awaitable[httpx.Response]]


@asynccontextmanager
async def stubbed(
    console_pool: asyncpg.Pool, clock: FakeClock, routes: Mapping[tuple[str, str], Stub]
) -> AsyncIterator[tuple[httpx.AsyncClient, list[tuple[httpx.Request, bytes]]]]:
    """The console with registry and agreements stood in for: `routes[(service, path)]` answers; what was sent kept."""
    sent: list[tuple[httpx.Request, bytes]] = []

    def transport(service: str) -> httpx.MockTransport:
        async def handle(request: httpx.Request) -> httpx.Response:
            body = await request.aread()
            sent.append((request, body))
            answer = routes.get((service, request.url.path))
            if answer is None:
                return httpx.Response(404, json={"title": "Not Found"})
            response = answer(request, body)
            return await response if inspect.isawaitable(response) else response

        return httpx.MockTransport(handle)

    app = prepared_app(build_spec(settings()), console_pool, clock)
    app.state.web_transports = {"registry": transport("registry"), "agreements": transport("agreements")}
    async with asgi_client(app, headers={}) as browser:
        yield browser, sent


def report(**counts: int) -> Stub:
    def answer(request: httpx.Request, body: bytes) -> httpx.Response:
        dry = request.url.params.get("dry_run") == "true"
        return httpx.Response(200, json={"kind": "msps", "dry_run": dry, "rows": 1, "added": 1, "updated": 0,
                                         "unchanged": 0, **counts})  # fmt: skip

    return answer


async def test_the_msp_preview_warns_of_overdue_notices_and_imports_the_same_bytes(
    console_pool: asyncpg.Pool, clock: FakeClock
) -> None:
    counts = {"obligations_created": 10, "received_outside_mitra": 6, "reminders_to_follow": 9}
    routes = {("agreements", "/imports/msps"): report(**counts, overdue_notices_to_follow=3)}
    async with stubbed(console_pool, clock, routes) as (browser, sent):
        await log_in(browser, await make_account(console_pool, clock, role="ministry", ministry_code="KEMENSOS"))
        page = await browser.get("/ministry/imports")
        content = b"PK\x03\x04 an xlsx, as far as the console cares" + uuid.uuid4().bytes
        checked = await upload(browser, page, "msps", "MSP 2024.XLSX", content, "application/octet-stream")
        assert checked.status_code == 303, checked.text[:1000]
        preview = await browser.get(checked.headers["location"])
        assert 'data-testid="overdue-warning"' in preview.text
        assert "3 pemberitahuan lewat tenggat akan dikirim ke ormas asing, kementerian, TPOA dan daerah" in preview.text
        assert count_of(preview, "received_outside_mitra") == "6"
        assert "Impor 1 baris" in preview.text
        await browser.post(checked.headers["location"], data={"csrf_token": csrf_of(preview)})
        posts = [(request, body) for request, body in sent if request.method == "POST"]
        assert [request.url.params["dry_run"] for request, _ in posts] == ["true", "false"]
        for request, body in posts:
            assert body == content
            assert request.headers["content-type"] == XLSX
            assert request.headers["authorization"].startswith("Bearer ")


async def test_problems_show_the_indonesian_headers_and_refusals_sit_at_the_field(
    console_pool: asyncpg.Pool, clock: FakeClock
) -> None:
    def template(request: httpx.Request, body: bytes) -> httpx.Response:
        header = "legal_name,country_of_origin" if request.url.params["language"] == "en" else "nama_resmi;negara_asal"
        return httpx.Response(200, content=("\ufeff" + header + "\r\n").encode(), headers={"content-type": "text/csv"})

    status = {"code": 422}

    def refuse(request: httpx.Request, body: bytes) -> httpx.Response:
        errors = [
            {"field": "file.country_of_origin", "reason": "not a country code", "line": 4},
            {"field": "file", "reason": "a duplicate of line 2", "line": 5},
        ]
        return httpx.Response(status["code"], json={"title": "Unprocessable", "status": status["code"],
                                                   "errors": errors})  # fmt: skip

    routes = {("registry", "/imports/organizations/template"): template, ("registry", "/imports/organizations"): refuse}
    async with stubbed(console_pool, clock, routes) as (browser, sent):
        await log_in(browser, await make_account(console_pool, clock, role="tpoa"))
        page = await browser.get("/tpoa/imports")
        refused = await upload(browser, page, "organizations", "ormas.csv", b"legal_name\nX\n")
        assert refused.status_code == 422
        assert problem_rows(refused) == [
            ["4", "negara_asal", "not a country code"],
            ["5", "seluruh baris", "a duplicate of line 2"],
        ]
        for code, text in ((413, "Berkas terlalu besar"), (415, "Berkas bukan XLSX atau CSV")):
            status["code"] = code
            answer = await upload(browser, page, "organizations", "ormas.csv", b"legal_name\nX\n")
            assert answer.status_code == code
            assert text in answer.text
            assert 'href="#f-organizations-file"' in answer.text
        before = len(sent)
        other = await upload(browser, page, "permits", "izin.pdf", b"%PDF-1.7")
        assert other.status_code == 422
        assert "Berkas harus berupa XLSX atau CSV" in other.text
        assert len(sent) == before  # refused before any service is asked


async def test_a_kept_file_is_only_its_uploaders(console_pool: asyncpg.Pool, clock: FakeClock) -> None:
    routes = {("agreements", "/imports/msps"): report()}
    async with stubbed(console_pool, clock, routes) as (browser, sent):
        await log_in(browser, await make_account(console_pool, clock, role="tpoa"))
        page = await browser.get("/tpoa/imports")
        checked = await upload(browser, page, "msps", "msp.csv", b"number\nB-1\n")
        kept_url = checked.headers["location"]
        assert (await browser.get(kept_url)).status_code == 200
        assert (await browser.get(kept_url.replace("/msps/", "/staff/"))).status_code == 303  # not the same kind
        other = await make_account(console_pool, clock, role="tpoa")
        await browser.post("/logout", data={"csrf_token": csrf_of(page)})
        await log_in(browser, other)
        elsewhere = await browser.get(kept_url)
        assert elsewhere.status_code == 303
        assert elsewhere.headers["location"] == "/tpoa/imports"
        confirm = await browser.post(kept_url, data={"csrf_token": csrf_of(await browser.get("/tpoa/imports"))})
        assert confirm.status_code == 303
        assert not [request for request, _ in sent if request.url.params.get("dry_run") == "false"]
