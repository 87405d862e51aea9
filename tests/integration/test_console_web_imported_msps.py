"""Imported MSPs in the console (issue 15), in-process: the console's real app over ASGI with a real database for its
sessions, over agreements' real app on a database of its own. An MSP signed on paper in January 2026 is imported
through agreements' `POST /imports/msps` by TPOA, its first semester report marked received outside Mitra and its
Action Plan and work plan not: the MSP page says it was imported, every page showing the obligations names the
received one's status with its date, its page offers no submission and says why (the Action Plan's still does), and
the ministry's queue filters by the new status."""

from __future__ import annotations

import asyncio
import io
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
from html import unescape
from typing import Any

import asyncpg
import httpx
import pytest
from openpyxl import Workbook
from support.agreements_world import TPOA, learn_the_register
from support.app import asgi_client, prepared_app
from support.clock import FakeClock
from support.database import create_migrated_database, drop_database
from test_console_web_imports import trusting_the_console
from test_console_web_pages import csrf_of, log_in, make_account, settings

from mitra_console.bootstrap import build_spec
from mitra_shared import db
from mitra_shared.clock import JAKARTA
from mitra_shared.documents import DOCUMENTS_MIGRATIONS
from mitra_shared.tabular import XLSX_TYPE

pytestmark = pytest.mark.integration

MSP_COLUMNS = [
    "number", "title", "organization_legal_name", "organization_country", "ministry_code", "focus_areas",
    "work_locations", "starts_on", "ends_on", "signed_on", "ministry_signatory_name", "ministry_signatory_title",
]  # fmt: skip
OBLIGATION_COLUMNS = ["msp_number", "kind", "period", "region_code", "received_on"]
RECEIVED_ON = "2026-08-10"


@dataclass
class Imported:
    """The MSP agreements recorded from the file, its obligations by kind, and the NGO's id."""

    msp: dict[str, Any]
    obligations: dict[str, dict[str, Any]]
    organization_id: uuid.UUID

    @property
    def received(self) -> dict[str, Any]:
        return self.obligations["semester_report"]


@pytest.fixture
def clock() -> FakeClock:
    """Now: agreements checks the console's tokens against the wall clock (the MSP's dates are in the past)."""
    return FakeClock(datetime.now(JAKARTA))


@pytest.fixture(scope="module")
def console_database() -> Iterator[str]:
    dsn = asyncio.run(create_migrated_database([db.MigrationSource("console", "mitra_console")]))
    yield dsn
    asyncio.run(drop_database(dsn))


@pytest.fixture(scope="module")
def agreements_database() -> Iterator[str]:
    sources = [DOCUMENTS_MIGRATIONS, db.MigrationSource("agreements", "mitra_agreements")]
    dsn = asyncio.run(create_migrated_database(sources))
    yield dsn
    asyncio.run(drop_database(dsn))


@pytest.fixture(name="console_pool")
async def console_pool_fixture(console_database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await db.create_pool(console_database, min_size=1, max_size=4)
    try:
        yield pool
    finally:
        await pool.close()


@pytest.fixture
async def system(
    console_pool: asyncpg.Pool, agreements_database: str, clock: FakeClock, tmp_path: Any
) -> AsyncIterator[dict[str, Any]]:
    """The console (`browser`, keeping cookies) over the real agreements, and an MSP TPOA imported there."""
    from mitra_agreements.bootstrap import build_spec as agreements_spec
    from mitra_agreements.settings import AgreementsSettings

    pool = await db.create_pool(agreements_database, min_size=1, max_size=4)
    try:
        spec = agreements_spec(AgreementsSettings(environment="test", tpoa_members=[], documents_dir=tmp_path))
        agreements = prepared_app(spec, pool, clock)
        console = prepared_app(build_spec(settings()), console_pool, clock)
        console.state.web_transports = {"agreements": httpx.ASGITransport(app=agreements)}
        trusting_the_console(agreements, console)
        async with (
            asgi_client(console, headers={}) as browser,
            asgi_client(agreements, base_url="http://agreements", headers={}) as service,
        ):
            name = f"Plan International {uuid.uuid4().hex[:6]}"
            organization_id = uuid.uuid4()
            await learn_the_register(pool, organization_id, name=name, handlers=spec.consumes)
            yield {"browser": browser, "imported": await import_msp(service, name, organization_id)}
    finally:
        await pool.close()


def msps_file(number: str, ngo_name: str) -> bytes:
    """The MSP signed in January 2026, its 2026-S1 semester report received on paper (the others not)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "msps"
    sheet.append(MSP_COLUMNS)
    sheet.append([number, "Perlindungan anak di Semarang", ngo_name, "GB", "KEMENSOS", "child_welfare", "3374",
                  "2026-01-05", "2028-12-31", "2026-01-05", "Dra. Sri Wahyuni", "Direktur Jenderal"])  # fmt: skip
    obligations = book.create_sheet("obligations")
    obligations.append(OBLIGATION_COLUMNS)
    obligations.append([number, "semester_report", "2026-S1", "", RECEIVED_ON])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def import_msp(service: httpx.AsyncClient, ngo_name: str, organization_id: uuid.UUID) -> Imported:
    number = f"MSP/OLD/{uuid.uuid4().hex[:6]}"
    headers = TPOA | {"Content-Type": XLSX_TYPE}
    answer = await service.post("/imports/msps", content=msps_file(number, ngo_name), headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["received_outside_mitra"] == 1, answer.json()
    listed = await service.get("/msps", params={"organization_id": str(organization_id)}, headers=TPOA)
    (msp,) = listed.json()["items"]
    assert msp["number"] == number
    assert msp["imported"] is True
    obligations = (await service.get(f"/msps/{msp['id']}/obligations", headers=TPOA)).json()
    first: dict[str, dict[str, Any]] = {}
    for obligation in sorted(obligations, key=lambda item: item["due_on"]):
        first.setdefault(obligation["kind"], obligation)
    assert first["semester_report"]["status"] == "received_outside", first
    assert first["action_plan"]["status"] == "pending", first  # past due, not received: due in Mitra
    return Imported(msp, first, organization_id)


def text_of(page: httpx.Response) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", page.text)))


async def english(browser: httpx.AsyncClient, page: httpx.Response) -> None:
    answer = await browser.post("/language", data={"language": "en", "next": "/", "csrf_token": csrf_of(page)})
    assert answer.status_code in (200, 303), answer.text


async def test_the_msp_page_says_it_was_imported_and_when_the_report_was_received_outside_mitra(
    system: dict[str, Any], console_pool: asyncpg.Pool, clock: FakeClock
) -> None:
    browser, imported = system["browser"], system["imported"]
    await log_in(browser, await make_account(console_pool, clock, role="tpoa"))
    page = await browser.get(f"/msps/{imported.msp['id']}")
    assert page.status_code == 200, page.text
    text = text_of(page)
    assert "Asal catatan Dicatat melalui impor" in text
    item = re.search(rf'id="obligation-{imported.received["id"]}".*?</li>', page.text, re.S)
    assert item, page.text[:3000]
    assert 'class="tag tag--received-outside">Diterima di luar Mitra</strong>' in item.group(0)
    assert "pada 10 Agu 2026" in item.group(0)
    assert "Diterima di luar Mitra 1" in text  # the count by status above the timeline
    plan = re.search(rf'id="obligation-{imported.obligations["action_plan"]["id"]}".*?</li>', page.text, re.S)
    assert plan
    assert "received-outside" not in plan.group(0)

    await english(browser, page)
    text = text_of(await browser.get(f"/msps/{imported.msp['id']}"))
    assert "Origin Recorded by import" in text
    assert "Received outside Mitra on 10 Aug 2026" in text


async def test_the_ngo_is_offered_no_submission_of_a_report_received_outside_mitra_and_told_why(
    system: dict[str, Any], console_pool: asyncpg.Pool, clock: FakeClock
) -> None:
    browser, imported = system["browser"], system["imported"]
    ngo = await make_account(console_pool, clock, role="ngo", organization_id=str(imported.organization_id))
    await log_in(browser, ngo)
    received = imported.received
    page = await browser.get(f"/obligations/{received['id']}", params={"msp": imported.msp["id"]})
    assert page.status_code == 200, page.text
    assert f'action="/obligations/{received["id"]}/submit"' not in page.text
    assert 'data-testid="received-outside"' in page.text
    text = text_of(page)
    assert "Kewajiban ini diterima di atas kertas sebelum MSP dicatat di Mitra" in text
    assert "Diterima di luar Mitra pada 10 Agu 2026" in text
    plan = imported.obligations["action_plan"]
    other = await browser.get(f"/obligations/{plan['id']}", params={"msp": imported.msp["id"]})
    assert f'action="/obligations/{plan["id"]}/submit"' in other.text  # not received: the NGO submits it
    assert 'data-testid="received-outside"' not in other.text

    await english(browser, page)
    text = text_of(await browser.get(f"/obligations/{received['id']}"))
    assert "Received outside Mitra on 10 Aug 2026" in text
    assert "so nothing is submitted or reviewed here" in text


async def test_the_ministry_filters_its_queue_by_received_outside_mitra(
    system: dict[str, Any], console_pool: asyncpg.Pool, clock: FakeClock
) -> None:
    browser, imported = system["browser"], system["imported"]
    await log_in(browser, await make_account(console_pool, clock, role="ministry", ministry_code="KEMENSOS"))
    assert (await browser.get("/ministry")).status_code == 200
    received, plan = imported.received, imported.obligations["action_plan"]
    open_ones = await browser.get("/ministry/obligations", params={"limit": 100})
    assert open_ones.status_code == 200, open_ones.text
    assert '<option value="received_outside"' in open_ones.text
    assert f'href="/obligations/{plan["id"]}"' in open_ones.text
    assert f'href="/obligations/{received["id"]}"' not in open_ones.text  # nothing is open about it

    chosen = await browser.get("/ministry/obligations", params={"status": "received_outside", "limit": 100})
    assert chosen.status_code == 200, chosen.text
    (row,) = [row for row in re.findall(r"<tr>.*?</tr>", chosen.text, re.S) if f'/obligations/{received["id"]}"' in row]
    assert "Diterima di luar Mitra" in row
    assert "pada 10 Agu 2026" in row
    assert f'href="/obligations/{plan["id"]}"' not in chosen.text
