"""The NGO's pages in-process (the console's real app, its services stubbed as in test_console_web_msps.py): its own
work first on /ngo, drafting an MSP through "check your answers", submitting a report with funding lines added and
removed without JavaScript (the API's refusal of a line shown at that line's input), resubmitting after a return
with the comment in view, announcing a visit and requesting a recommendation."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import asyncpg
import httpx
import pytest
from support.clock import FakeClock
from test_console_web_msps import (  # noqa: F401 - fixtures
    KEMENSOS_PARTNER,
    MSP_ID,
    PLAN,
    REPORT_ID,
    Call,
    Services,
    console_database,
    console_pool_fixture,
    log_in_as,
    msp,
    page_of,
    post_form,
    services_fixture,
    submission,
    text_of,
    the_msp_world,
    web_fixture,
)

pytestmark = pytest.mark.integration
STAFF_ID = "5f1d2a9e-3c4b-4e8f-a1d2-7b6c5e4f3a21"


def the_ngo_world(services: Services) -> None:
    the_msp_world(services)
    services.answers.update(
        {
            ("GET", "registry", f"/organizations/{PLAN}"): {
                "id": PLAN,
                "legal_name": "Plan International",
                "acronym": "Plan",
                "country_of_origin": "GB",
                "indonesia_office_address": "Jakarta",
                "representative_name": "Dini",
                "contact_email": "info@plan.example",
                "status": "active",
                "focus_areas": ["child_welfare"],
            },
            ("GET", "registry", "/permits"): page_of(
                [
                    {
                        "id": "7a000000-0000-4000-8000-000000000001",
                        "organization_id": PLAN,
                        "permit_type": "principle",
                        "number": "IP/123/2025",
                        "issued_on": "2025-01-10",
                        "valid_until": "2028-01-09",
                        "status": "valid",
                    }
                ]
            ),
            ("GET", "registry", f"/organizations/{PLAN}/foreign-staff"): page_of(
                [
                    {
                        "id": STAFF_ID,
                        "full_name": "Maria Jensen",
                        "nationality": "DK",
                        "role": "Adviser",
                        "starts_on": "2026-01-01",
                        "ends_on": "2026-12-31",
                        "ended_on": None,
                        "state": "active",
                    }
                ]
            ),
            ("GET", "registry", "/partners"): page_of(
                [{"id": KEMENSOS_PARTNER, "kind": "ministry", "code": "KEMENSOS", "name": "Kementerian Sosial"}]
            ),
            ("GET", "registry", "/focus-areas"): [
                {"code": "child_welfare", "name_id": "Kesejahteraan anak", "name_en": "Child welfare"},
                {"code": "education", "name_id": "Pendidikan", "name_en": "Education"},
            ],
            ("GET", "agreements", "/visits"): page_of([]),
            ("GET", "agreements", "/recommendations"): page_of([]),
            ("GET", "notifications", "/me/inbox/unread-count"): {"unread": 3},
        }
    )


async def as_plan(web: httpx.AsyncClient, pool: asyncpg.Pool, clock: FakeClock, services: Services) -> None:
    the_ngo_world(services)
    await log_in_as(web, pool, clock, "ngo", organization_id=PLAN)


async def test_the_ngo_sees_its_own_work_first(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: Services
) -> None:
    await as_plan(web, console_pool, clock, services)
    assert (await web.get("/")).headers["location"] == "/ngo"
    page = await web.get("/ngo")
    assert page.status_code == 200, page.text
    text = text_of(page)
    assert "Yang harus dikerjakan" in text
    assert "Laporan semester 2026-S1" in text
    assert "Dikembalikan" in text
    assert f'href="/obligations/{REPORT_ID}?msp={MSP_ID}"' in page.text
    assert "MSP Anda" in text
    assert "Perlindungan anak di Jawa Tengah" in text
    assert "IP/123/2025" in text
    assert "Izin prinsip" in text
    assert "Maria Jensen" in text
    assert "3 pesan belum dibaca" in text
    queue = services.sent("GET", "/obligations")[0]
    assert sorted(queue.param("status")) == ["overdue", "pending", "returned"]
    assert services.sent("GET", "/permits")[0].param("organization_id") == [PLAN]
    own = await web.get(f"/msps/{MSP_ID}")
    assert f'href="/visits/new?msp={MSP_ID}"' in own.text
    assert "/extend" not in own.text  # extending is the ministry's


async def test_drafting_an_msp_goes_through_check_your_answers(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: Services
) -> None:
    await as_plan(web, console_pool, clock, services)
    form = await web.get("/msps/new")
    assert form.status_code == 200
    assert "Kementerian Sosial (KEMENSOS)" in form.text
    assert "Kesejahteraan anak" in form.text
    answers: dict[str, Any] = {
        "ministry_partner_id": KEMENSOS_PARTNER,
        "title": "Perlindungan anak",
        "focus_areas": ["child_welfare", "education"],
        "forms_of_cooperation": "capacity_building",
        "work_location_codes": "33, 3374",
        "starts_on": "2027-01-01",
        "ends_on": "2026-12-31",
    }
    wrong = await post_form(web, "/msps/new", form, answers)
    assert wrong.status_code == 422
    assert "Tanggal berakhir harus setelah tanggal mulai." in text_of(wrong)
    assert 'value="Perlindungan anak"' in wrong.text
    assert 'value="education" checked' in wrong.text

    check = await post_form(web, "/msps/new", form, {**answers, "ends_on": "2029-12-31"})
    assert check.status_code == 200
    text = text_of(check)
    assert "Periksa jawaban Anda" in text
    assert "Kesejahteraan anak, Pendidikan" in text
    assert "/msps/new?ministry_partner_id=" in check.text  # each "Change" goes back to the form, filled in
    assert not services.commands()

    services.answers[("POST", "agreements", "/msps")] = lambda call: (
        409,
        {"title": "Conflict", "status": 409, "errors": [{"field": "ends_on", "reason": "passes the principle permit"}]},
    )
    hidden = {name: value for name, value in _hidden_fields(check.text)}
    refused = await post_form(web, "/msps", check, hidden)
    assert refused.status_code == 422
    assert 'id="f-ends_on-error"' in refused.text
    assert "passes the principle permit" in refused.text

    services.answers[("POST", "agreements", "/msps")] = lambda call: (201, msp("draft"))
    created = await post_form(web, "/msps", check, hidden)
    assert created.status_code == 303
    assert created.headers["location"] == f"/msps/{MSP_ID}"
    body = services.sent("POST", "/msps")[-1].body
    assert body["organization_id"] == PLAN
    assert body["work_location_codes"] == ["33", "3374"]
    assert body["focus_areas"] == ["child_welfare", "education"]
    assert body["ends_on"] == "2029-12-31"

    services.answers[("GET", "agreements", f"/msps/{MSP_ID}")] = msp("draft")
    draft = await web.get(created.headers["location"])
    assert "MSP disimpan sebagai draf" in text_of(draft)
    assert "Ajukan ke TPOA" in text_of(draft)
    services.answers[("POST", "agreements", f"/msps/{MSP_ID}/submit")] = lambda call: (200, msp("submitted"))
    submitted = await post_form(web, f"/msps/{MSP_ID}/submit", draft, {})
    assert submitted.status_code == 303
    assert services.sent("POST", f"/msps/{MSP_ID}/submit")


def _hidden_fields(html: str) -> list[tuple[str, str]]:
    return [
        (name, unescape(value))
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html)
        if name not in ("csrf_token", "language", "next")
    ]


async def test_a_report_is_resubmitted_with_funding_lines_added_and_removed_without_javascript(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: Services
) -> None:
    await as_plan(web, console_pool, clock, services)
    page = await web.get(f"/obligations/{REPORT_ID}", params={"msp": MSP_ID})
    assert page.status_code == 200, page.text
    text = text_of(page)
    assert "Dikembalikan dengan catatan" in text
    assert "Tambahkan pendanaan per wilayah" in text
    assert 'value="Plan International UK"' in page.text  # the returned lines, to correct
    assert "Terima" not in text  # deciding is the ministry's

    line: dict[str, str] = {
        "msp": MSP_ID,
        "summary": "Laporan semester I, diperbaiki",
        "funding_rows": "1",
        "funding.0.source": "Plan International UK",
        "funding.0.amount": "250000000",
        "funding.0.currency": "IDR",
        "funding.0.use": "Pelatihan",
    }
    more = await post_form(web, f"/obligations/{REPORT_ID}/submit", page, {**line, "action": "add_funding"})
    assert more.status_code == 200
    assert 'id="f-funding-1-source"' in more.text
    assert ">Laporan semester I, diperbaiki</textarea>" in more.text
    two = {
        **line,
        "funding_rows": "2",
        "funding.1.source": "Uni Eropa",
        "funding.1.amount": "1.5e8",
        "funding.1.currency": "eur",
        "funding.1.use": "Semarang",
    }
    fewer = await post_form(web, f"/obligations/{REPORT_ID}/submit", page, {**two, "remove": "0"})
    assert fewer.status_code == 200
    assert 'id="f-funding-1-source"' not in fewer.text
    assert 'value="Uni Eropa"' in fewer.text
    assert not services.commands()

    bad = await post_form(web, f"/obligations/{REPORT_ID}/submit", page, {**two, "funding.1.amount": "banyak"})
    assert bad.status_code == 422
    assert 'href="#f-funding-1-amount"' in bad.text
    assert not services.commands()

    def refuse_second_line(call: Call) -> tuple[int, Any]:
        problem = {"field": "body.funding.1.currency", "reason": "String should have at most 3 characters"}
        return 422, {"title": "Invalid", "status": 422, "errors": [problem]}

    path = f"/obligations/{REPORT_ID}/submissions"
    services.answers[("POST", "agreements", path)] = refuse_second_line
    blank_first = {**two, "funding_rows": "3", "funding.2.source": "X", "funding.2.amount": "1", "funding.2.use": "Y"}
    blank_first.update({"funding.0.source": "", "funding.0.amount": "", "funding.0.use": "", "funding.0.currency": ""})
    refused = await post_form(web, f"/obligations/{REPORT_ID}/submit", page, {**blank_first, "action": "send"})
    assert refused.status_code == 422
    assert 'id="f-funding-2-currency-error"' in refused.text  # the API's line 1 is the form's line 2

    services.answers[("POST", "agreements", path)] = lambda call: (201, submission("submitted", attempt=2))
    sent = await post_form(web, f"/obligations/{REPORT_ID}/submit", page, {**two, "action": "send"})
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"] == f"/obligations/{REPORT_ID}?msp={MSP_ID}"
    body = services.sent("POST", path)[-1].body
    assert body["summary"] == "Laporan semester I, diperbaiki"
    assert body["funding"] == [
        {"source": "Plan International UK", "amount": 250000000.0, "currency": "IDR", "use": "Pelatihan"},
        {"source": "Uni Eropa", "amount": 150000000.0, "currency": "EUR", "use": "Semarang"},
    ]


async def test_the_ngo_announces_a_visit_and_requests_a_recommendation(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: Services
) -> None:
    await as_plan(web, console_pool, clock, services)
    form = await web.get("/visits/new")
    assert form.status_code == 200
    assert "3374 Kota Semarang" in text_of(form)
    visit = {
        "msp_id": MSP_ID,
        "visitors_rows": "1",
        "visitors.0.name": "John Smith",
        "visitors.0.nationality": "gb",
        "visitors.0.role": "Adviser",
        "purpose": "Monitoring",
        "arrives_on": "2030-03-01",
        "departs_on": "2030-03-05",
        "region_codes": "3374",
        "action": "send",
    }
    more = await post_form(web, "/visits/new", form, {**visit, "action": "add_visitors"})
    assert 'id="f-visitors-1-name"' in more.text
    services.answers[("POST", "agreements", "/visits")] = lambda call: (201, {"id": "v1", "late": True})
    sent = await post_form(web, "/visits/new", form, visit)
    assert sent.status_code == 303
    assert sent.headers["location"] == "/ngo"
    body = services.sent("POST", "/visits")[0].body
    assert body["visitors"] == [{"name": "John Smith", "nationality": "GB", "role": "Adviser"}]
    assert body["region_codes"] == ["3374"]
    assert "terlambat" in text_of(await web.get("/ngo"))

    request = await web.get("/recommendations/new")
    missing = await post_form(web, "/recommendations/new", request, {"msp_id": MSP_ID, "kind": "visa", "purpose": "x"})
    assert missing.status_code == 422
    assert 'href="#f-staff_assignment_id"' in missing.text
    assert 'href="#f-purpose"' in missing.text
    assert not services.sent("POST", "/recommendations")
    services.answers[("POST", "agreements", "/recommendations")] = lambda call: (201, {"id": "r1"})
    assert f'<option value="{STAFF_ID}">Maria Jensen (DK)</option>' in request.text
    visa = {"msp_id": MSP_ID, "kind": "visa", "staff_assignment_id": STAFF_ID, "purpose": "Penasihat teknis"}
    assert (await post_form(web, "/recommendations/new", request, visa)).status_code == 303
    assert services.sent("POST", "/recommendations")[0].body == visa
    asked = await post_form(
        web, "/recommendations/new", request, {"msp_id": MSP_ID, "kind": "tax_exemption", "purpose": "Impor alat"}
    )
    assert asked.status_code == 303
    assert services.sent("POST", "/recommendations")[1].body == {
        "msp_id": MSP_ID,
        "kind": "tax_exemption",
        "staff_assignment_id": None,
        "purpose": "Impor alat",
    }


async def test_an_ngo_without_an_msp_in_force_is_told_what_to_do(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: Services
) -> None:
    await as_plan(web, console_pool, clock, services)
    services.answers[("GET", "agreements", "/msps")] = page_of([])
    services.answers[("GET", "agreements", "/obligations")] = page_of([])
    home = await web.get("/ngo")
    assert "Anda belum memiliki MSP" in text_of(home)
    assert "Tidak ada yang perlu dikirim sekarang" in text_of(home)
    visit = await web.get("/visits/new")
    assert "Tidak ada MSP yang berlaku" in text_of(visit)
    assert '<form method="post" action="/visits/new"' not in visit.text
