"""The MSP and obligation pages of the console in-process (the real app over ASGI, a real database for its sessions),
with the services it calls stood in for by stubs that answer as their APIs do and record what they were sent: the
list filtered and paged by the API, an MSP's page with its obligations on a timeline and the actions of each role,
a refused action shown next to its field with nothing sent, the ministry's accept and return (a comment required),
and the pages closed to the roles that may not use them.

The harness (`Services`, `services`, `web`, `log_in_as`) is shared with test_console_web_ngo.py."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from html import unescape
from typing import Any

import asyncpg
import httpx
import pytest
from support.app import asgi_client, prepared_app
from support.clock import FakeClock
from support.console import csrf_of
from support.database import create_migrated_database, drop_database

from mitra_console.bootstrap import build_spec
from mitra_console.domain.accounts import NewAccount
from mitra_console.settings import ConsoleSettings
from mitra_console.usecases import accounts
from mitra_console.usecases.config import ConsoleConfig
from mitra_shared import db
from mitra_shared.context import Context, Principal
from mitra_shared.uow import UnitOfWork

pytestmark = pytest.mark.integration
PASSWORD = "kopi tubruk di pagi hari"
PLAN = "6f1c2a4e-8b0d-4c1e-9a57-3d2f0e9b7c11"
KEMENSOS_PARTNER = "0b7e6d5c-4a3b-4c2d-8e1f-9a8b7c6d5e4f"
MSP_ID = "a3c1e5f7-2b4d-4f6a-8c0e-1d3f5a7b9c2e"
REPORT_ID = "11111111-2222-4333-8444-555555555555"
RKT_ID = "11111111-2222-4333-8444-666666666666"
SUBMISSION_ID = "99999999-2222-4333-8444-555555555555"
UNSIGNED = ("draft", "submitted", "approved", "rejected")


@dataclass
class Call:
    method: str
    service: str
    path: str
    params: list[tuple[str, str]]
    body: Any
    token: str

    def param(self, name: str) -> list[str]:
        return [value for key, value in self.params if key == name]


@dataclass
class Services:
    """Stubs of registry, agreements and notifications: `answers[(method, service, path)]` is a JSON value or a
    function of the call giving (status, JSON); every call is kept in `calls`."""

    answers: dict[tuple[str, str, str], Any] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)

    def transport(self, service: str) -> httpx.MockTransport:
        def handle(request: httpx.Request) -> httpx.Response:
            body = json.loads(request.content) if request.content else None
            call = Call(
                request.method,
                service,
                request.url.path,
                list(request.url.params.multi_items()),
                body,
                request.headers.get("authorization", ""),
            )
            self.calls.append(call)
            answer = self.answers.get((request.method, service, request.url.path))
            if answer is None:
                return httpx.Response(404, json={"title": "Not Found", "status": 404})
            status, payload = answer(call) if callable(answer) else (200, answer)
            return httpx.Response(status, json=payload)

        return httpx.MockTransport(handle)

    def sent(self, method: str, path: str) -> list[Call]:
        return [call for call in self.calls if call.method == method and call.path == path]

    def commands(self) -> list[Call]:
        return [call for call in self.calls if call.method != "GET"]


def page_of(items: list[dict[str, Any]], call: Call | None = None) -> dict[str, Any]:
    return {"items": items, "total": len(items), "limit": 50, "offset": 0}


def msp(status: str = "active", **changes: Any) -> dict[str, Any]:
    return {
        "id": MSP_ID,
        "organization_id": PLAN,
        "organization_name": "Plan International",
        "ministry_partner_id": KEMENSOS_PARTNER,
        "ministry_name": "Kementerian Sosial",
        "ministry_code": "KEMENSOS",
        "number": "MSP/DEMO-PLAN/KEMENSOS" if status in ("signed", "active", "extended") else None,
        "title": "Perlindungan anak di Jawa Tengah",
        "focus_areas": ["child_welfare"],
        "forms_of_cooperation": ["capacity_building"],
        "work_locations": [
            {"code": "33", "kind": "province", "name": "Jawa Tengah", "province_code": "33"},
            {"code": "3374", "kind": "regency", "name": "Kota Semarang", "province_code": "33"},
        ],
        "starts_on": "2026-01-01",
        "ends_on": "2028-12-31",
        "status": status,
        "obligation_rules": {},
        "signatories": [],
        "signed_document_ref": None,
        "signed_on": "2025-12-15" if status in ("signed", "active", "extended") else None,
        "principle_permit_id": None,
        "decision_note": None,
        "terminated_on": None,
        "termination_reason": None,
        "version": 3,
        "created_at": "2025-11-01T03:00:00Z",
        "updated_at": "2025-12-15T03:00:00Z",
        **changes,
    }


def obligation(oid: str = REPORT_ID, kind: str = "semester_report", status: str = "returned", **changes: Any) -> dict:
    return {
        "id": oid,
        "msp_id": MSP_ID,
        "kind": kind,
        "period": "2026-S1",
        "region_code": None,
        "province_code": None,
        "due_on": "2026-07-31",
        "status": status,
        "next_check_on": None,
        **changes,
    }


def queue_item(item: dict[str, Any]) -> dict[str, Any]:
    """An obligation as `GET /obligations` gives it: with its MSP and parties."""
    return {
        **item,
        "msp_title": "Perlindungan anak di Jawa Tengah",
        "msp_number": "MSP/DEMO-PLAN/KEMENSOS",
        "organization_id": PLAN,
        "organization_name": "Plan International",
        "ministry_code": "KEMENSOS",
        "ministry_name": "Kementerian Sosial",
        "latest_submission_id": None,
        "latest_submission_status": None,
        "latest_submitted_at": None,
    }


def submission(status: str = "returned", attempt: int = 1, **changes: Any) -> dict[str, Any]:
    return {
        "id": SUBMISSION_ID if attempt == 1 else str(uuid.uuid4()),
        "obligation_id": REPORT_ID,
        "attempt": attempt,
        "summary": "Laporan semester I: 12 pelatihan di Semarang",
        "document_ref": None,
        "funding": [{"source": "Plan International UK", "amount": 250000000, "currency": "IDR", "use": "Pelatihan"}],
        "status": status,
        "late": False,
        "submitted_by": "plan-staff",
        "submitted_at": "2026-07-20T02:00:00Z",
        "decided_by": "kemensos" if status != "submitted" else None,
        "decided_at": "2026-07-25T02:00:00Z" if status != "submitted" else None,
        "comments": "Tambahkan pendanaan per wilayah" if status == "returned" else None,
        **changes,
    }


def the_msp_world(services: Services, status: str = "active") -> None:
    """One MSP of Plan International with Kemensos: a returned semester report and a due RKT of Kota Semarang."""
    report = obligation()
    rkt = obligation(RKT_ID, "work_plan", "submitted", period="2026", region_code="3374", province_code="33")
    services.answers.update(
        {
            ("GET", "agreements", "/msps"): lambda call: (200, page_of([msp(status)])),
            ("GET", "agreements", f"/msps/{MSP_ID}"): msp(status),
            ("GET", "agreements", f"/msps/{MSP_ID}/obligations"): [] if status in UNSIGNED else [report, rkt],
            ("GET", "agreements", "/submissions"): lambda call: (
                200,
                page_of(
                    [
                        {**submission(), "kind": "semester_report", "period": "2026-S1", "due_on": "2026-07-31"},
                        {
                            **submission("submitted", obligation_id=RKT_ID, id=str(uuid.uuid4())),
                            "kind": "work_plan",
                            "period": "2026",
                            "due_on": "2026-03-31",
                        },
                    ]
                ),
            ),
            ("GET", "agreements", "/obligations"): lambda call: (200, page_of([queue_item(report), queue_item(rkt)])),
            ("GET", "agreements", f"/obligations/{REPORT_ID}/submissions"): [submission()],
            ("GET", "agreements", f"/obligations/{RKT_ID}/submissions"): [
                submission("submitted", obligation_id=RKT_ID)
            ],
        }
    )


# --- the console with its stubs ------------------------------------------------------------------------------------


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


@pytest.fixture(name="services")
def services_fixture() -> Services:
    return Services()


@pytest.fixture(name="web")
async def web_fixture(
    console_pool: asyncpg.Pool, clock: FakeClock, services: Services
) -> AsyncIterator[httpx.AsyncClient]:
    """A cookie-keeping client on the console, whose services are the stubs."""
    app = prepared_app(build_spec(ConsoleSettings(environment="test")), console_pool, clock)
    app.state.web_transports = {
        name: services.transport(name) for name in ("registry", "agreements", "notifications", "reporting")
    }
    async with asgi_client(app, headers={}) as client:
        yield client


def text_of(page: httpx.Response) -> str:
    """The page's text, tags out and spaces squeezed, for asserting what a person reads."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", page.text)))


async def log_in_as(client: httpx.AsyncClient, pool: asyncpg.Pool, clock: FakeClock, role: str, **scope: str) -> str:
    """A new account of that role and scope, logged in; its username."""
    username = f"{role}-{uuid.uuid4().hex[:8]}"
    admin = Context(Principal("admin-1", roles=("admin",), name="Admin"), now=clock(), request_id="seed")
    command = NewAccount(
        username=username,
        display_name=f"Siti {role.title()}",
        email=f"{username}@example.org",
        role=role,
        password=PASSWORD,
        **scope,
    )
    config = ConsoleConfig.from_settings(ConsoleSettings(environment="test"))
    await accounts.create_account(UnitOfWork(pool, service="console"), admin, config, command)
    form = await client.get("/login")
    answer = await client.post(
        "/login", data={"username": username, "password": PASSWORD, "next": "/", "csrf_token": csrf_of(form)}
    )
    assert answer.status_code == 303, answer.text
    return username


async def post_form(client: httpx.AsyncClient, url: str, page: httpx.Response, data: dict[str, Any]) -> httpx.Response:
    return await client.post(url, data={**data, "csrf_token": csrf_of(page)})


# --- the tests -----------------------------------------------------------------------------------------------------


async def test_the_list_is_filtered_and_paged_by_the_api_and_says_what_to_do_when_empty(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: Services
) -> None:
    await log_in_as(web, console_pool, clock, "ministry", ministry_code="KEMENSOS")
    the_msp_world(services)
    page = await web.get("/msps", params={"status": "active", "page": "2", "per_page": "10"})
    assert page.status_code == 200, page.text
    call = services.sent("GET", "/msps")[-1]
    assert call.param("status") == ["active"]
    assert call.param("limit") == ["10"]
    assert call.param("offset") == ["10"]
    assert call.token.startswith("Bearer ")
    text = text_of(page)
    assert "Perlindungan anak di Jawa Tengah" in text
    assert "Berlaku" in text  # the status, in Bahasa Indonesia
    assert f'href="/msps/{MSP_ID}"' in page.text
    assert "/msps/new" not in page.text  # drafting is the NGO's

    services.answers[("GET", "agreements", "/msps")] = page_of([])
    empty = await web.get("/msps", params={"status": "rejected"})
    assert "Tidak ada MSP dengan status ini" in text_of(empty)
    services.answers[("GET", "agreements", "/msps")] = lambda call: (200, page_of([msp()]))
    await post_form(web, "/language", empty, {"language": "en", "next": "/msps"})
    english = await web.get("/msps")
    assert '<html lang="en">' in english.text
    assert "In force" in text_of(english)


async def test_an_msp_page_shows_the_obligations_on_a_timeline_with_the_reviewers_comments(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: Services
) -> None:
    await log_in_as(web, console_pool, clock, "region", region_code="3374")
    the_msp_world(services)
    page = await web.get(f"/msps/{MSP_ID}")
    assert page.status_code == 200, page.text
    text = text_of(page)
    assert "Kota Semarang (3374)" in text
    assert "Kementerian Sosial (KEMENSOS)" in text
    assert "Laporan semester 2026-S1" in text
    assert "Rencana kerja (RKT) 2026 · 3374" in text
    assert "Dikembalikan" in text
    assert "Catatan penelaah: Tambahkan pendanaan per wilayah" in text
    # the funding of the RKT awaiting review counts, the returned report's does not
    assert text.count("Plan International UK") == 1
    assert "IDR 250.000.000" in text
    assert f'href="/obligations/{RKT_ID}?msp={MSP_ID}"' in page.text
    assert "Telaah kiriman" in text  # the region decides the RKT of its area
    assert "/sign" not in page.text
    assert "/terminate" not in page.text
    assert "/approve" not in page.text
    assert services.sent("GET", "/submissions")[0].param("msp_id") == [MSP_ID]


async def test_tpoa_approves_or_rejects_with_a_reason_and_a_refusal_shows_at_its_field(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: Services
) -> None:
    await log_in_as(web, console_pool, clock, "tpoa")
    the_msp_world(services, status="submitted")
    page = await web.get(f"/msps/{MSP_ID}")
    assert "Setujui MSP" in text_of(page)
    assert "Tolak MSP" in text_of(page)
    assert "Belum ada kewajiban" in text_of(page)

    refused = await post_form(web, f"/msps/{MSP_ID}/reject", page, {"reason": "  "})
    assert refused.status_code == 422
    assert 'href="#f-reason"' in refused.text
    assert "Masukkan alasan penolakan MSP." in text_of(refused)
    assert not services.commands()

    services.answers[("POST", "agreements", f"/msps/{MSP_ID}/reject")] = lambda call: (
        422,
        {
            "title": "Invalid",
            "status": 422,
            "errors": [{"field": "body.reason", "reason": "String should have at least 3 characters"}],
        },
    )
    short = await post_form(web, f"/msps/{MSP_ID}/reject", page, {"reason": "no"})
    assert short.status_code == 422
    assert "Isi paling sedikit 3 karakter." in text_of(short)
    assert 'id="f-reason-error"' in short.text

    services.answers[("POST", "agreements", f"/msps/{MSP_ID}/approve")] = lambda call: (200, msp("approved"))
    approved = await post_form(web, f"/msps/{MSP_ID}/approve", page, {"note": "Rapat TPOA 12 Maret"})
    assert approved.status_code == 303
    assert approved.headers["location"] == f"/msps/{MSP_ID}"
    assert services.sent("POST", f"/msps/{MSP_ID}/approve")[0].body == {"note": "Rapat TPOA 12 Maret"}
    assert "MSP sudah disetujui." in text_of(await web.get(approved.headers["location"]))


async def test_the_mitra_utama_signs_with_its_signatories_and_another_ministry_sees_no_action(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: Services
) -> None:
    await log_in_as(web, console_pool, clock, "ministry", ministry_code="KEMENSOS")
    the_msp_world(services, status="approved")
    page = await web.get(f"/msps/{MSP_ID}")
    assert "Catat penandatanganan" in text_of(page)
    more = await post_form(web, f"/msps/{MSP_ID}/sign", page, {"action": "add_signatories", "signatories_rows": "2"})
    assert more.status_code == 200
    assert 'id="f-signatories-2-name"' in more.text
    assert not services.commands()

    missing = await post_form(web, f"/msps/{MSP_ID}/sign", page, {"action": "sign", "signatories_rows": "2"})
    assert missing.status_code == 422
    assert 'href="#f-number"' in missing.text
    assert 'href="#f-signatories-0-name"' in missing.text

    services.answers[("POST", "agreements", f"/msps/{MSP_ID}/sign")] = lambda call: (200, msp("active"))
    signed = await post_form(
        web,
        f"/msps/{MSP_ID}/sign",
        page,
        {
            "action": "sign",
            "signatories_rows": "2",
            "number": "MSP/1/KEMENSOS/2026",
            "signed_on": "2025-12-15",
            "signatories.0.name": "Dra. Sri Wahyuni",
            "signatories.0.title": "Direktur Jenderal",
            "signatories.0.party": "ministry",
            "signatories.1.name": "",
            "signatories.1.title": "",
            "signatories.1.party": "organization",
        },
    )
    assert signed.status_code == 303, signed.text
    body = services.sent("POST", f"/msps/{MSP_ID}/sign")[0].body
    assert body["signatories"] == [{"name": "Dra. Sri Wahyuni", "title": "Direktur Jenderal", "party": "ministry"}]
    assert body["number"] == "MSP/1/KEMENSOS/2026"
    assert body["signed_on"] == "2025-12-15"

    services.answers[("GET", "agreements", f"/msps/{MSP_ID}")] = msp("approved", ministry_code="KEMENDIKBUD")
    other = await web.get(f"/msps/{MSP_ID}")
    assert "Catat penandatanganan" not in text_of(other)


async def test_the_ministry_returns_a_report_with_a_comment_or_accepts_it(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: Services
) -> None:
    await log_in_as(web, console_pool, clock, "ministry", ministry_code="KEMENSOS")
    the_msp_world(services)
    services.answers[("GET", "agreements", f"/obligations/{REPORT_ID}/submissions")] = [
        submission("returned"),
        submission("submitted", attempt=2, id=SUBMISSION_ID.replace("9", "8")),
    ]
    latest = SUBMISSION_ID.replace("9", "8")
    page = await web.get(f"/obligations/{REPORT_ID}", params={"msp": MSP_ID})
    assert page.status_code == 200, page.text
    assert services.sent("GET", "/obligations")[0].param("msp_id") == [MSP_ID]
    text = text_of(page)
    assert "Telaah kiriman" in text
    assert "Kiriman ke-2" in text
    assert "Kiriman ke-1" in text
    assert "Kirim lagi" not in text  # submitting is the NGO's

    no_comment = await post_form(web, f"/obligations/{REPORT_ID}/submissions/{latest}/return", page, {"msp": MSP_ID})
    assert no_comment.status_code == 422
    assert 'href="#f-comments"' in no_comment.text
    assert not services.commands()

    services.answers[("POST", "agreements", f"/submissions/{latest}/return")] = lambda call: (200, submission())
    returned = await post_form(
        web,
        f"/obligations/{REPORT_ID}/submissions/{latest}/return",
        page,
        {"msp": MSP_ID, "comments": "Lampirkan daftar hadir"},
    )
    assert returned.status_code == 303
    assert returned.headers["location"] == f"/obligations/{REPORT_ID}?msp={MSP_ID}"
    assert services.sent("POST", f"/submissions/{latest}/return")[0].body == {"comments": "Lampirkan daftar hadir"}

    services.answers[("POST", "agreements", f"/submissions/{latest}/accept")] = lambda call: (
        409,
        {
            "title": "Conflict",
            "status": 409,
            "errors": [{"field": "submission.status", "reason": "the submission was already returned"}],
        },
    )
    late = await post_form(web, f"/obligations/{REPORT_ID}/submissions/{latest}/accept", page, {"msp": MSP_ID})
    assert late.status_code == 422
    assert "pengajuan sudah berstatus dikembalikan" in text_of(late)  # the page puts the reason in its language


async def test_pages_are_closed_to_the_roles_that_may_not_use_them(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: Services
) -> None:
    await log_in_as(web, console_pool, clock, "tpoa")
    the_msp_world(services)
    assert (await web.get("/msps/new")).status_code == 403
    assert (await web.get("/ngo")).status_code == 403
    page = await web.get(f"/msps/{MSP_ID}")
    refused = await post_form(web, f"/msps/{MSP_ID}/sign", page, {"number": "X"})
    assert refused.status_code == 403
    assert not services.commands()
    no_csrf = await web.post(f"/msps/{MSP_ID}/approve", data={"note": "x"})
    assert no_csrf.status_code == 403
    assert not services.commands()
    assert (await web.get("/msps/not-an-id")).status_code == 404


async def test_the_mitra_utama_ends_an_msp_and_its_refusal_shows_at_the_reason(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: Services
) -> None:
    await log_in_as(web, console_pool, clock, "ministry", ministry_code="KEMENSOS")
    the_msp_world(services)
    page = await web.get(f"/msps/{MSP_ID}")
    assert page.text.count('id="f-reason"') == 1  # the extension's; ending has its own input
    assert 'id="f-termination_reason"' in page.text
    path = f"/msps/{MSP_ID}/terminate"
    services.answers[("POST", "agreements", path)] = lambda call: (
        422,
        {"title": "Invalid", "status": 422, "errors": [{"field": "body.reason", "reason": "too vague"}]},
    )
    refused = await post_form(web, path, page, {"termination_reason": "ya"})
    assert refused.status_code == 422
    assert 'id="f-termination_reason-error"' in refused.text
    assert 'id="f-reason-error"' not in refused.text
    assert services.sent("POST", path)[0].body == {"reason": "ya", "terminated_on": None}
