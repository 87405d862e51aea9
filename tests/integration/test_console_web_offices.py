"""The office pages of the console in-process (ministry, TPOA, region, auditor, admin): the real console app over
ASGI with a real database and the test's clock; the four services answered by a recording stand-in (each page's
calls to them are checked: the path, the filters, the token, the body), and the console's own accounts for real."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
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
MSP_ID = "6f1f3c1e-0000-4000-8000-000000000001"
ORG_ID = "6f1f3c1e-0000-4000-8000-0000000000aa"
OBLIGATION_ID = "6f1f3c1e-0000-4000-8000-000000000002"
RECOMMENDATION_ID = "6f1f3c1e-0000-4000-8000-000000000003"
VISIT_ID = "6f1f3c1e-0000-4000-8000-000000000004"


@dataclass
class Call:
    service: str
    method: str
    path: str
    params: dict[str, list[str]]
    headers: httpx.Headers
    body: Any


@dataclass
class Services:
    """The four services as the console reaches them: canned answers by (service, method, path), every call kept."""

    answers: dict[tuple[str, str, str], tuple[int, Any, dict[str, str]]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)

    def answer(
        self, service: str, method: str, path: str, body: Any, status: int = 200, headers: dict[str, str] | None = None
    ) -> None:
        self.answers[(service, method, path)] = (status, body, headers or {})

    def transport(self, service: str) -> httpx.MockTransport:
        def handle(request: httpx.Request) -> httpx.Response:
            params: dict[str, list[str]] = {}
            for key, value in request.url.params.multi_items():
                params.setdefault(key, []).append(value)
            body = json.loads(request.content) if request.content else None
            self.calls.append(Call(service, request.method, request.url.path, params, request.headers, body))
            found = self.answers.get((service, request.method, request.url.path))
            if found is None:
                return httpx.Response(404, json={"title": "Not Found", "status": 404, "detail": "no such record"})
            status, answer, headers = found
            if isinstance(answer, bytes):
                return httpx.Response(status, content=answer, headers=headers)
            return httpx.Response(status, json=answer, headers=headers)

        return httpx.MockTransport(handle)

    def last(self, service: str, path: str, method: str = "GET") -> Call:
        found = [call for call in self.calls if (call.service, call.path, call.method) == (service, path, method)]
        assert found, f"no {method} {service}{path} among {[(c.service, c.method, c.path) for c in self.calls]}"
        return found[-1]

    def sent(self, service: str, path: str, method: str = "POST") -> bool:
        return any((c.service, c.path, c.method) == (service, path, method) for c in self.calls)


def page_of(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"items": items, "total": len(items), "limit": 20, "offset": 0}


PARTIES = {"msp_id": MSP_ID, "msp_title": "Perlindungan Anak Jawa Tengah", "organization_id": ORG_ID,
           "organization_name": "Plan International", "ministry_code": "KEMENSOS"}  # fmt: skip
OBLIGATION = {**PARTIES, "id": OBLIGATION_ID, "kind": "work_plan", "period": "2027", "region_code": "3374",
              "province_code": "33", "due_on": "2026-11-30", "status": "overdue", "next_check_on": None,
              "msp_number": "MSP-001", "ministry_name": "Kementerian Sosial", "latest_submission_id": None,
              "latest_submission_status": None, "latest_submitted_at": None}  # fmt: skip
SUBMISSION: dict[str, Any] = {**PARTIES, "id": str(uuid.uuid4()), "obligation_id": OBLIGATION_ID, "attempt": 2,
              "summary": "Laporan", "document_ref": None, "funding": [], "status": "submitted", "late": True,
              "submitted_by": "plan", "submitted_at": "2026-11-20T03:00:00Z", "decided_by": None, "decided_at": None,
              "comments": None, "kind": "semester_report", "period": "2026-S1", "region_code": None,
              "due_on": "2026-07-31"}  # fmt: skip
RECOMMENDATION = {**PARTIES, "id": RECOMMENDATION_ID, "kind": "visa", "expert_name": "Jane Doe",
                  "expert_nationality": "GB", "purpose": "Child protection adviser", "status": "requested",
                  "granted": None, "reference_number": None, "note": None, "requested_by": "plan",
                  "requested_at": "2026-11-25T02:00:00Z", "issued_by": None, "issued_at": None}  # fmt: skip
MSP = {"id": MSP_ID, "organization_id": ORG_ID, "organization_name": "Plan International", "ministry_code": "KEMENSOS",
       "ministry_name": "Kementerian Sosial", "number": "MSP-001", "title": "Perlindungan Anak Jawa Tengah",
       "starts_on": "2026-01-01", "ends_on": "2028-12-31", "status": "approved"}  # fmt: skip
VISIT = {**PARTIES, "id": VISIT_ID, "visitors": [{"name": "John Smith", "nationality": "GB", "role": "Donor"}],
         "purpose": "Field visit to child protection posts", "arrives_on": "2026-12-20", "departs_on": "2026-12-23",
         "region_codes": ["3374"], "province_codes": ["33"], "programme": None, "announced_on": "2026-12-01",
         "late": False, "status": "announced", "cancel_reason": None, "version": 1}  # fmt: skip
ORGANIZATION = {"id": ORG_ID, "legal_name": "Stichting Hulp Anak", "acronym": "SHA", "country_of_origin": "NL",
                "headquarters_address": None, "indonesia_office_address": "Jl. Pemuda 1, Semarang",
                "website": None, "representative_name": "Anna de Vries", "contact_email": "anna@example.org",
                "contact_phone": None, "status": "applicant", "focus_areas": ["child_welfare"], "version": 3,
                "registered_at": "2026-11-01T02:00:00Z", "updated_at": "2026-11-01T02:00:00Z"}  # fmt: skip


@pytest.fixture(scope="module")
def console_database() -> Iterator[str]:
    dsn = asyncio.run(create_migrated_database([db.MigrationSource("console", "mitra_console")]))
    yield dsn
    asyncio.run(drop_database(dsn))


@pytest.fixture
async def console_pool(console_database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await db.create_pool(console_database, min_size=1, max_size=4)
    try:
        yield pool
    finally:
        await pool.close()


def settings() -> ConsoleSettings:
    return ConsoleSettings(environment="test")


@pytest.fixture
def services() -> Services:
    return Services()


@pytest.fixture
async def browser(console_pool: asyncpg.Pool, clock: FakeClock, services: Services) -> AsyncIterator[httpx.AsyncClient]:
    """A client that keeps cookies, like a browser, on the console's app; the services are `services`."""
    app = prepared_app(build_spec(settings()), console_pool, clock)
    app.state.web_transports = {
        name: services.transport(name) for name in ("registry", "agreements", "notifications", "reporting")
    }
    async with asgi_client(app, headers={}) as client:
        yield client


async def make_account(pool: asyncpg.Pool, clock: FakeClock, role: str, **scope: str) -> str:
    username = f"{role}-{uuid.uuid4().hex[:8]}"
    admin = Context(Principal("admin-1", roles=("admin",), name="Admin"), now=clock(), request_id="seed")
    command = NewAccount(username=username, display_name=f"Siti {role.title()}", email=f"{username}@example.org",
                         role=role, password=PASSWORD, **scope)  # fmt: skip
    await accounts.create_account(
        UnitOfWork(pool, service="console"), admin, ConsoleConfig.from_settings(settings()), command
    )
    return username


LogIn = Callable[..., Any]


@pytest.fixture
def log_in_as(browser: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock) -> LogIn:
    async def log_in(role: str, **scope: str) -> str:
        username = await make_account(console_pool, clock, role, **scope)
        form = await browser.get("/login")
        answer = await browser.post(
            "/login", data={"username": username, "password": PASSWORD, "next": "/", "csrf_token": csrf_of(form)}
        )
        assert answer.status_code == 303, answer.text
        return username

    return log_in


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def test_the_ministry_sees_its_queues_and_what_to_do_next(
    browser: httpx.AsyncClient, services: Services, log_in_as: LogIn
) -> None:
    services.answer("agreements", "GET", "/submissions", page_of([SUBMISSION]))
    services.answer("agreements", "GET", "/obligations", page_of([OBLIGATION]))
    services.answer("agreements", "GET", "/recommendations", page_of([]))
    services.answer("agreements", "GET", "/msps", page_of([MSP]))
    await log_in_as("ministry", ministry_code="KEMENSOS")

    home = await browser.get("/ministry")
    assert home.status_code == 200, home.text
    shown = text_of(home.text)
    assert "Pengajuan yang menunggu tinjauan Anda (1)" in shown
    asked = [call.params for call in services.calls if call.path == "/submissions"]
    assert [params["decidable"] for params in asked] == [["true"], ["false"]]  # what it decides; RKTs to comment on
    assert asked[1]["kind"] == ["work_plan"]
    assert 'href="/ministry/submissions?for=comment"' in home.text
    assert 'data-testid="open-reviews"' not in home.text  # no review awaits it (registry and agreements: none)
    assert f'href="/obligations/{OBLIGATION_ID}"' in home.text  # review on the obligation page
    assert f'href="/msps/{MSP_ID}"' in home.text
    assert "Tidak ada rekomendasi visa atau pembebasan pajak yang menunggu keputusan Anda." in shown
    msps_asked = [call.params.get("status") for call in services.calls if call.path == "/msps"]
    assert ["approved"] in msps_asked  # awaiting its signature
    assert None in msps_asked  # and all its MSPs
    assert services.last("agreements", "/recommendations").params["status"] == ["requested"]
    assert services.last("agreements", "/msps").headers["authorization"].startswith("Bearer ")

    queue = await browser.get("/ministry/obligations", params={"kind": "work_plan", "sort": "-due_on"})
    assert queue.status_code == 200
    call = services.last("agreements", "/obligations")
    assert call.params["status"] == ["overdue", "pending", "returned"]
    assert call.params["kind"] == ["work_plan"]
    assert call.params["sort"] == ["-due_on"]
    assert 'aria-sort="descending"' in queue.text

    wrong = await browser.get("/ministry/obligations", params={"due_before": "31-12-2026"})
    assert wrong.status_code == 200
    assert 'id="f-due_before-error"' in wrong.text
    assert "due_before" not in services.last("agreements", "/obligations").params

    services.answer("agreements", "GET", "/submissions", page_of([]))
    empty = await browser.get("/ministry/submissions")
    assert services.last("agreements", "/submissions").params["decidable"] == ["true"]
    assert "Tidak ada yang perlu ditinjau" in empty.text
    for_comment = await browser.get("/ministry/submissions", params={"for": "comment"})
    assert for_comment.status_code == 200, for_comment.text
    call = services.last("agreements", "/submissions")
    assert (call.params["decidable"], call.params["kind"]) == (["false"], ["work_plan"])
    assert "Rencana kerja daerah untuk Anda beri komentar" in text_of(for_comment.text)
    assert 'href="/ministry/obligations"' in empty.text  # the empty state says what to do next

    assert (await browser.get("/ministry/obligations", params={"status": "bogus"})).status_code == 400
    assert (await browser.get("/tpoa")).status_code == 403
    assert (await browser.get("/admin")).status_code == 403


async def test_the_ministry_decides_a_recommendation(
    browser: httpx.AsyncClient, services: Services, log_in_as: LogIn
) -> None:
    path = f"/recommendations/{RECOMMENDATION_ID}"
    services.answer("agreements", "GET", path, RECOMMENDATION)
    services.answer("agreements", "GET", f"/msps/{MSP_ID}", MSP)
    await log_in_as("ministry", ministry_code="KEMENSOS")
    page = await browser.get(f"/ministry{path}")
    assert page.status_code == 200
    assert "Jane Doe (GB)" in page.text
    action = f"/ministry{path}/decide"

    refused = await browser.post(action, data={"csrf_token": csrf_of(page), "granted": "no"})
    assert refused.status_code == 422
    assert 'id="f-reference_number-error"' in refused.text
    assert 'id="f-note-error"' in refused.text
    assert 'class="error-summary"' in refused.text
    assert not services.sent("agreements", f"{path}/issue")  # nothing sent while the form is wrong

    problem = {"title": "Conflict", "status": 409, "detail": "x",
               "errors": [{"field": "body.reference_number",
                           "reason": "the reference number B-1/REK/2026 is already used"}]}  # fmt: skip
    services.answer("agreements", "POST", f"{path}/issue", problem, status=409)
    data = {"csrf_token": csrf_of(page), "granted": "yes", "reference_number": "B-1/REK/2026"}
    conflict = await browser.post(action, data=data)
    assert conflict.status_code == 422
    error = re.search(r'id="f-reference_number-error">(.*?)</p>', conflict.text, re.S)
    assert error
    assert "nomor surat B-1/REK/2026 sudah dipakai" in error.group(1)  # the page puts the reason in its language

    services.answer("agreements", "POST", f"{path}/issue", {**RECOMMENDATION, "status": "issued", "granted": True})
    done = await browser.post(action, data=data)
    assert done.status_code == 303
    assert done.headers["location"] == f"/ministry{path}"
    assert services.last("agreements", f"{path}/issue", "POST").body == {
        "granted": True,
        "reference_number": "B-1/REK/2026",
        "note": None,
    }
    assert "Rekomendasi diberikan." in (await browser.get(done.headers["location"])).text


async def test_tpoa_searches_the_register_and_approves_an_applicant(
    browser: httpx.AsyncClient, services: Services, log_in_as: LogIn
) -> None:
    services.answer("registry", "GET", "/organizations", page_of([ORGANIZATION]))
    focus = {"code": "child_welfare", "name_id": "Kesejahteraan anak", "name_en": "Child welfare"}
    services.answer("registry", "GET", "/focus-areas", [focus])
    services.answer("registry", "GET", f"/organizations/{ORG_ID}", ORGANIZATION, headers={"etag": '"3"'})
    services.answer("registry", "GET", "/permits", page_of([]))
    services.answer("registry", "GET", f"/organizations/{ORG_ID}/foreign-staff", page_of([]))
    services.answer("registry", "GET", f"/organizations/{ORG_ID}/status-history", [
        {"previous_status": None, "status": "applicant", "reason": "entered in the register",
         "changed_by": "tpoa-1", "changed_at": "2026-11-01T02:00:00Z", "version": 1}])  # fmt: skip
    await log_in_as("tpoa")

    found = await browser.get(
        "/tpoa/register",
        params={"q": "hulp", "status": "applicant", "focus_area": "child_welfare", "sort": "legal_name"},
    )
    assert found.status_code == 200, found.text
    call = services.last("registry", "/organizations")
    assert call.params["q"] == ["hulp"]
    assert call.params["status"] == ["applicant"]
    assert call.params["focus_area"] == ["child_welfare"]
    assert (call.params["sort"], call.params["order"]) == (["legal_name"], ["asc"])
    assert f'href="/organizations/{ORG_ID}"' in found.text
    assert "Kesejahteraan anak" in found.text

    bad = await browser.get("/tpoa/register", params={"country": "Netherlands"})
    assert 'id="f-country-error"' in bad.text

    page = await browser.get(f"/organizations/{ORG_ID}")
    assert page.status_code == 200
    assert "Stichting Hulp Anak" in page.text
    assert 'value="registered"' in page.text
    assert 'value="closed"' in page.text

    short = await browser.post(f"/organizations/{ORG_ID}/status",
                               data={"csrf_token": csrf_of(page), "status": "registered", "reason": "ok"})  # fmt: skip
    assert short.status_code == 422
    assert 'id="f-reason-error"' in short.text

    changed = {"title": "Precondition Failed", "status": 412, "detail": "x",
               "errors": [{"field": "header.if-match", "reason": "the organization is at version 4"}]}  # fmt: skip
    services.answer("registry", "POST", f"/organizations/{ORG_ID}/status", changed, status=412)
    data = {"csrf_token": csrf_of(page), "status": "registered", "reason": "Principle permit granted", "version": '"3"'}
    stale = await browser.post(f"/organizations/{ORG_ID}/status", data=data)
    assert stale.status_code == 422
    assert "Seseorang mengubah catatan ormas asing ini" in stale.text

    services.answer("registry", "POST", f"/organizations/{ORG_ID}/status", {**ORGANIZATION, "status": "registered"})
    done = await browser.post(f"/organizations/{ORG_ID}/status", data=data)
    assert done.status_code == 303
    sent = services.last("registry", f"/organizations/{ORG_ID}/status", "POST")
    assert sent.body == {"status": "registered", "reason": "Principle permit granted"}
    assert sent.headers["if-match"] == '"3"'
    assert (await browser.get("/ministry")).status_code == 403


async def test_the_region_sees_the_visits_and_work_plans_of_its_area(
    browser: httpx.AsyncClient, services: Services, log_in_as: LogIn
) -> None:
    work_plan = {**SUBMISSION, "kind": "work_plan", "period": "2027", "region_code": "3374", "attempt": 1}
    services.answer("agreements", "GET", "/visits", page_of([VISIT]))
    services.answer("agreements", "GET", "/submissions", page_of([work_plan]))
    services.answer("agreements", "GET", "/organizations", {**page_of([]), "total": 2})
    services.answer("agreements", "GET", f"/visits/{VISIT_ID}", VISIT)
    services.answer("agreements", "GET", f"/msps/{MSP_ID}", MSP)
    await log_in_as("region", region_code="3374")

    home = await browser.get("/region")
    assert home.status_code == 200, home.text
    assert "Field visit to child protection posts" in home.text
    visits = services.last("agreements", "/visits")
    assert visits.params["region_code"] == ["3374"]
    asked = [call.params for call in services.calls if call.path == "/submissions"]
    assert [(params["kind"], params["status"], params["region_code"]) for params in asked] == [
        (["work_plan"], ["submitted"], ["3374"])
    ] * 2
    # what it accepts or returns (exactly its region's), and a count of the others in its area, to comment on
    assert [params["decidable"] for params in asked] == [["true"], ["false"]]
    assert f'href="/obligations/{OBLIGATION_ID}"' in home.text
    assert 'href="/region/work-plans?for=comment"' in home.text

    to_agree = await browser.get("/region/work-plans")
    assert to_agree.status_code == 200, to_agree.text
    assert services.last("agreements", "/submissions").params["decidable"] == ["true"]
    assert f'href="/obligations/{OBLIGATION_ID}"' in to_agree.text
    services.answer("agreements", "GET", "/submissions", page_of([]))
    to_comment = await browser.get("/region/work-plans", params={"for": "comment"})
    assert to_comment.status_code == 200, to_comment.text
    assert services.last("agreements", "/submissions").params["decidable"] == ["false"]
    assert "Rencana kerja (RKT) untuk Anda beri komentar" in text_of(to_comment.text)
    assert (await browser.get("/region/work-plans", params={"for": "x"})).status_code == 400

    listed = await browser.get("/region/visits", params={"from": "2026-12-10", "to": "2026-12-01"})
    assert 'id="f-to-error"' in listed.text  # a window ending before it starts
    assert services.last("agreements", "/visits").params["from"] == ["2026-12-10"]
    visit = await browser.get(f"/region/visits/{VISIT_ID}")
    assert visit.status_code == 200
    assert "John Smith" in visit.text
    assert (await browser.get("/region/visits/not-an-id")).status_code == 400
    assert (await browser.get("/auditor")).status_code == 403


async def test_the_auditor_filters_the_trail_and_downloads_it(
    browser: httpx.AsyncClient, services: Services, log_in_as: LogIn
) -> None:
    entry = {"seq": 7, "at": "2026-12-01T03:00:00Z",
             "actor": {"subject": "kemensos", "name": "Budi", "role": "ministry", "scope": {}},
             "action": "msp.signed", "object_type": "msp", "object_id": MSP_ID,
             "before": {"status": "approved"}, "after": {"status": "signed"}, "request_id": "r1",
             "service": "agreements"}  # fmt: skip
    services.answer("reporting", "GET", "/audit", {**page_of([entry]), "order": "newest"})
    await log_in_as("auditor")
    page = await browser.get("/auditor", params={"object_id": MSP_ID, "from": "2026-12-01", "to": "2026-12-01"})
    assert page.status_code == 200, page.text
    call = services.last("reporting", "/audit")
    assert call.params["object_id"] == [MSP_ID]
    assert call.params["from"] == ["2026-12-01T00:00:00+07:00"]  # the day in the person's zone (WIB)
    assert call.params["to"] == ["2026-12-02T00:00:00+07:00"]  # the last day included
    assert "msp.signed" in page.text
    assert "<del>approved</del>" in page.text
    assert f'href="/auditor/audit.csv?object_id={MSP_ID}&amp;from=2026-12-01&amp;to=2026-12-01"' in page.text

    services.answer("reporting", "GET", "/audit", b"Seq;At\r\n7;2026-12-01\r\n", headers={"content-type": "text/csv"})
    download = await browser.get("/auditor/audit.csv", params={"object_id": MSP_ID})
    assert download.status_code == 200
    assert download.content == b"Seq;At\r\n7;2026-12-01\r\n"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert services.last("reporting", "/audit").params["format"] == ["csv"]
    assert "Bearer" not in download.text
    assert (await browser.get("/admin")).status_code == 403

    services.answer("reporting", "GET", "/audit", {**page_of([entry]), "order": "newest"})
    switched = await browser.post("/language", data={"csrf_token": csrf_of(page), "language": "en", "next": "/auditor"})
    assert switched.status_code == 303
    english = await browser.get("/auditor")
    assert '<html lang="en">' in english.text
    assert "<h1>Audit trail</h1>" in english.text


async def test_the_admin_creates_disables_and_enables_an_account(
    browser: httpx.AsyncClient, services: Services, log_in_as: LogIn, console_pool: asyncpg.Pool, clock: FakeClock
) -> None:
    me = await log_in_as("admin")
    form = await browser.get("/admin/accounts/new")
    assert form.status_code == 200
    username = f"dinsos-{uuid.uuid4().hex[:6]}"
    data = {"csrf_token": csrf_of(form), "username": username, "display_name": "Dewi Lestari",
            "email": f"{username}@example.org", "role": "region", "password": PASSWORD}  # fmt: skip
    missing = await browser.post("/admin/accounts", data=data)
    assert missing.status_code == 422
    assert 'id="f-region_code-error"' in missing.text  # the scope the role needs
    assert PASSWORD not in missing.text  # never echoed
    bad = await browser.post("/admin/accounts", data={**data, "region_code": "Semarang"})
    assert bad.status_code == 422
    assert 'id="f-region_code-error"' in bad.text
    assert await console_pool.fetchval("SELECT count(*) FROM accounts WHERE username = $1", username) == 0

    created = await browser.post("/admin/accounts", data={**data, "region_code": "3374", "ministry_code": "X"})
    assert created.status_code == 303, created.text
    row = await console_pool.fetchrow("SELECT id, role, region_code, ministry_code FROM accounts WHERE username = $1",
                                      username)  # fmt: skip
    assert (row["role"], row["region_code"], row["ministry_code"]) == ("region", "3374", None)
    assert created.headers["location"] == f"/admin/accounts/{row['id']}"

    page = await browser.get(created.headers["location"])
    assert "Dewi Lestari" in page.text
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version
    disabled = await browser.post(f"/admin/accounts/{row['id']}/disable",
                                  data={"csrf_token": csrf_of(page), "version": version.group(1)})  # fmt: skip
    assert disabled.status_code == 303
    assert await console_pool.fetchval("SELECT active FROM accounts WHERE id = $1", row["id"]) is False
    stale = await browser.post(f"/admin/accounts/{row['id']}/enable",
                               data={"csrf_token": csrf_of(page), "version": version.group(1)})  # fmt: skip
    assert stale.status_code == 422  # the page showed an older version
    assert await console_pool.fetchval("SELECT active FROM accounts WHERE id = $1", row["id"]) is False
    page = await browser.get(created.headers["location"])
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version
    enabled = await browser.post(f"/admin/accounts/{row['id']}/enable",
                                 data={"csrf_token": csrf_of(page), "version": version.group(1)})  # fmt: skip
    assert enabled.status_code == 303
    assert await console_pool.fetchval("SELECT active FROM accounts WHERE id = $1", row["id"]) is True

    await console_pool.execute(
        "UPDATE accounts SET locked_until = $2 WHERE id = $1", row["id"], clock() + timedelta(minutes=15)
    )
    page = await browser.get(created.headers["location"])
    assert "Terkunci" in page.text
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version
    unlocked = await browser.post(f"/admin/accounts/{row['id']}/unlock",
                                  data={"csrf_token": csrf_of(page), "version": version.group(1)})  # fmt: skip
    assert unlocked.status_code == 303
    assert await console_pool.fetchval("SELECT locked_until FROM accounts WHERE id = $1", row["id"]) is None

    own = await console_pool.fetchval("SELECT id FROM accounts WHERE username = $1", me)
    mine = await browser.get(f"/admin/accounts/{own}")
    assert "Ini akun Anda sendiri" in mine.text
    assert f"/admin/accounts/{own}/disable" not in mine.text  # no action the API would refuse

    listed = await browser.get("/admin", params={"q": "Dewi", "role": "region"})
    assert username in listed.text
    services.answer("notifications", "GET", "/routing-rules", [])
    rules = await browser.get("/admin/routing-rules")
    assert rules.status_code == 200
    assert "Aturan perutean" in rules.text


APPLICATION_REVIEW = {"organization_id": ORG_ID, "organization_name": "Stichting Hulp Anak", "country_of_origin": "NL",
                      "members": ["KEMENDAGRI", "POLRI"], "answer_by": "2026-12-18", "awaiting": ["KEMENDAGRI"],
                      "objected": [], "decidable": False, "requested_at": "2026-12-04T02:00:00Z"}  # fmt: skip
EXTENSION_REVIEW = {"review_id": str(uuid.uuid4()), "msp_id": MSP_ID, "subject": "extension",
                    "title": "Perlindungan Anak Jawa Tengah",
                    "organization": {"organization_id": ORG_ID, "name": "Plan International"},
                    "ministry_code": "KEMENSOS", "proposed_ends_on": "2029-12-31", "members": ["KEMENDAGRI", "POLRI"],
                    "answer_by": "2026-12-20", "awaiting": ["KEMENDAGRI"], "objected": ["POLRI"],
                    "decidable": False, "requested_at": "2026-12-06T02:00:00Z"}  # fmt: skip


async def test_a_member_ministry_and_tpoa_see_the_open_reviews_on_their_home(
    browser: httpx.AsyncClient, services: Services, log_in_as: LogIn
) -> None:
    for path in ("/submissions", "/obligations", "/recommendations", "/msps"):
        services.answer("agreements", "GET", path, page_of([]))
    services.answer("registry", "GET", "/reviews", page_of([APPLICATION_REVIEW]))
    services.answer("agreements", "GET", "/reviews", page_of([EXTENSION_REVIEW]))
    await log_in_as("ministry", ministry_code="KEMENDAGRI")

    home = await browser.get("/ministry")
    assert home.status_code == 200, home.text
    shown = text_of(home.text)
    assert "Menunggu telaah Anda (2)" in shown
    assert "Permohonan pendaftaran" in shown
    assert "Stichting Hulp Anak (NL)" in shown
    assert "Perpanjangan MSP sampai" in shown
    assert "Keberatan: POLRI" in shown
    assert f'href="/organizations/{ORG_ID}#review-title"' in home.text  # where the answer form is
    assert f'href="/msps/{MSP_ID}#review-title"' in home.text
    # the services keep the ministry's own awaited reviews by default: the console asks for no more
    for service in ("registry", "agreements"):
        assert "awaiting" not in services.last(service, "/reviews").params

    browser.cookies.clear()
    await log_in_as("tpoa")
    services.answer("registry", "GET", "/organizations", page_of([]))
    services.answer("registry", "GET", "/permits", page_of([]))
    services.answer("registry", "GET", "/focus-areas", [])
    services.answer("registry", "GET", "/reviews", page_of([{**APPLICATION_REVIEW, "awaiting": [], "decidable": True}]))
    services.answer("agreements", "GET", "/reviews", page_of([]))
    home = await browser.get("/tpoa")
    assert home.status_code == 200, home.text
    shown = text_of(home.text)
    assert "Telaah tim TPOA yang sedang berjalan (1)" in shown
    assert "Siap diputuskan TPOA" in shown

    services.answers.pop(("registry", "GET", "/reviews"))  # a service without the queue: the home still shows
    home = await browser.get("/tpoa")
    assert home.status_code == 200, home.text
    assert "Tidak ada telaah tim TPOA yang terbuka." in text_of(home.text)
