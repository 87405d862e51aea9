"""The oversight screens of issue 14 in-process (the console's real app, its services stubbed as in
test_console_web_msps.py): the TPOA team's review of an MSP (a member ministry clears or objects with a note, TPOA's
approval refused with the reason shown at the button), the extension requested by the ministry and decided by TPOA,
a regional work plan decided only by its region's office while the ministry comments, monitoring visits and
mitigation actions, and TPOA's sanctions on an NGO's page (a revocation through "check your answers") with the
applicant's review answered by a member ministry."""

from __future__ import annotations

import re
import uuid
from typing import Any

import asyncpg
import httpx
import pytest
from support.clock import FakeClock
from test_console_web_msps import (  # noqa: F401 - fixtures
    MSP_ID,
    PLAN,
    RKT_ID,
    SUBMISSION_ID,
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
from test_console_web_ngo import as_plan

pytestmark = pytest.mark.integration
MEMBERS = ["KEMENDAGRI", "KEMENKUMHAM", "POLRI"]
ACTION_ID = str(uuid.uuid4())
SANCTION_ID = str(uuid.uuid4())


def review(**changes: Any) -> dict[str, Any]:
    return {
        "review_id": str(uuid.uuid4()),
        "subject": "msp",
        "members": MEMBERS,
        "answer_by": "2026-12-18",
        "answers": [
            {
                "member_code": "POLRI",
                "verdict": "cleared",
                "note": None,
                "answered_by": "polri-1",
                "answered_at": "2026-12-04T02:00:00Z",
            }
        ],
        "awaiting": ["KEMENDAGRI", "KEMENKUMHAM"],
        "objected": [],
        "decidable": False,
        **changes,
    }


async def log_in_again(web: httpx.AsyncClient, pool: asyncpg.Pool, clock: FakeClock, role: str, **scope: str) -> None:
    """Another person, in a fresh session of the same client."""
    web.cookies.clear()
    await log_in_as(web, pool, clock, role, **scope)


def refusal(field: str, reason: str, status: int = 409) -> Any:
    problem = {"title": "Conflict", "status": status, "errors": [{"field": field, "reason": reason}]}
    return lambda call: (status, problem)


async def test_a_member_objects_with_a_note_and_tpoa_sees_why_it_cannot_approve(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: Services
) -> None:
    the_msp_world(services, status="submitted")
    services.answers[("GET", "agreements", f"/msps/{MSP_ID}/review")] = review()
    await log_in_as(web, console_pool, clock, "ministry", ministry_code="KEMENDAGRI")
    page = await web.get(f"/msps/{MSP_ID}")
    assert page.status_code == 200, page.text
    text = text_of(page)
    assert "Telaah tim TPOA" in text
    assert "KEMENKUMHAM" in text
    assert "Ditunggu" in text
    assert 'action="/msps/' + MSP_ID + '/review/answers"' in page.text

    unsaid = await post_form(web, f"/msps/{MSP_ID}/review/answers", page, {"verdict": "objected"})
    assert unsaid.status_code == 422
    assert 'href="#f-review_note"' in unsaid.text
    assert not services.commands()

    services.answers[("POST", "agreements", f"/msps/{MSP_ID}/review/answers")] = lambda call: (201, {})
    note = "Kegiatan di wilayah rawan konflik perlu koordinasi (uji)."
    sent = await post_form(web, f"/msps/{MSP_ID}/review/answers", page, {"verdict": "objected", "review_note": note})
    assert sent.status_code == 303, sent.text
    assert services.sent("POST", f"/msps/{MSP_ID}/review/answers")[0].body == {"verdict": "objected", "note": note}

    # TPOA sees the objection, and the approval refused with its reason at the button.
    objected = review(awaiting=["KEMENKUMHAM"], objected=["KEMENDAGRI"])
    services.answers[("GET", "agreements", f"/msps/{MSP_ID}/review")] = objected
    await log_in_again(web, console_pool, clock, "tpoa")
    page = await web.get(f"/msps/{MSP_ID}")
    assert "TPOA tidak dapat menyetujui selama ada kementerian anggota yang keberatan: KEMENDAGRI." in text_of(page)
    assert "review/answers" not in page.text  # TPOA does not answer for the members
    reason = "a member ministry objects: KEMENDAGRI"
    services.answers[("POST", "agreements", f"/msps/{MSP_ID}/approve")] = refusal("body.review", reason)
    refused = await post_form(web, f"/msps/{MSP_ID}/approve", page, {"note": ""})
    assert refused.status_code == 422
    assert 'href="#f-review"' in refused.text
    assert 'id="f-review"' in refused.text
    assert reason in text_of(refused)

    # The members' deliberation is the government's: the NGO sees its MSP awaiting TPOA, not the answers.
    await log_in_again(web, console_pool, clock, "ngo", organization_id=PLAN)
    page = await web.get(f"/msps/{MSP_ID}")
    assert page.status_code == 200
    assert "KEMENDAGRI" not in text_of(page)


async def test_the_ministry_requests_an_extension_and_tpoa_decides_it(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: Services
) -> None:
    the_msp_world(services)
    await log_in_as(web, console_pool, clock, "ministry", ministry_code="KEMENSOS")
    page = await web.get(f"/msps/{MSP_ID}")
    assert "Ajukan perpanjangan MSP ke TPOA" in text_of(page)
    services.answers[("POST", "agreements", f"/msps/{MSP_ID}/extend")] = lambda call: (202, msp())
    body = {"ends_on": "2029-12-31", "reason": "Program diperluas (uji)"}
    asked = await post_form(web, f"/msps/{MSP_ID}/extend", page, body)
    assert asked.status_code == 303
    assert services.sent("POST", f"/msps/{MSP_ID}/extend")[0].body == body

    pending = {"proposed_ends_on": "2029-12-31", "reason": body["reason"], "requested_by": "kemensos-1",
               "requested_at": "2026-12-04T02:00:00Z"}  # fmt: skip
    services.answers[("GET", "agreements", f"/msps/{MSP_ID}")] = msp(pending_extension=pending)
    services.answers[("GET", "agreements", f"/msps/{MSP_ID}/review")] = review(subject="extension", decidable=True,
                                                                               awaiting=[])  # fmt: skip
    shown = await web.get(asked.headers["location"])
    assert "Perpanjangan diajukan" in text_of(shown)
    assert "Ajukan perpanjangan MSP ke TPOA" not in text_of(shown)  # one request at a time

    await log_in_again(web, console_pool, clock, "tpoa")
    page = await web.get(f"/msps/{MSP_ID}")
    assert "Telaah tim TPOA atas perpanjangan" in text_of(page)
    empty = await post_form(web, f"/msps/{MSP_ID}/extension/reject", page, {"extension_note": " "})
    assert empty.status_code == 422
    assert 'href="#f-extension_note"' in empty.text
    services.answers[("POST", "agreements", f"/msps/{MSP_ID}/extension/reject")] = lambda call: (200, msp())
    rejected = await post_form(web, f"/msps/{MSP_ID}/extension/reject", page, {"extension_note": "Belum perlu"})
    assert rejected.status_code == 303
    assert services.sent("POST", f"/msps/{MSP_ID}/extension/reject")[0].body == {"note": "Belum perlu"}
    services.answers[("POST", "agreements", f"/msps/{MSP_ID}/extension/approve")] = lambda call: (200, msp())
    approved = await post_form(web, f"/msps/{MSP_ID}/extension/approve", page, {})
    assert approved.status_code == 303


def the_rkt_world(services: Services) -> None:
    the_msp_world(services)
    comment = {"comment": "Mohon rinci anggaran per kecamatan (uji).", "office_kind": "ministry",
               "office_code": "KEMENSOS", "commented_by": "kemensos-1",
               "commented_at": "2026-12-04T02:00:00Z"}  # fmt: skip
    services.answers[("GET", "agreements", f"/submissions/{SUBMISSION_ID}")] = {
        **submission("submitted", obligation_id=RKT_ID),
        "comments": [comment],
    }


@pytest.mark.parametrize(
    ("role", "scope", "decides", "comments"),
    [
        ("ministry", {"ministry_code": "KEMENSOS"}, False, True),
        ("region", {"region_code": "3374"}, True, False),
        ("region", {"region_code": "33"}, False, True),
    ],
)
async def test_a_regional_work_plan_is_decided_by_its_region_and_commented_by_the_ministry(
    web: httpx.AsyncClient,
    console_pool: asyncpg.Pool,
    clock: FakeClock,
    services: Services,
    role: str,
    scope: dict[str, str],
    decides: bool,
    comments: bool,
) -> None:
    the_rkt_world(services)
    await log_in_as(web, console_pool, clock, role, **scope)
    page = await web.get(f"/obligations/{RKT_ID}", params={"msp": MSP_ID})
    assert page.status_code == 200, page.text
    assert ("/accept" in page.text) is decides
    assert ("/comments" in page.text) is comments
    assert "Mohon rinci anggaran per kecamatan (uji)." in text_of(page)  # the comments are listed for everyone
    if comments:
        url = f"/obligations/{RKT_ID}/submissions/{SUBMISSION_ID}/comments"
        services.answers[("POST", "agreements", f"/submissions/{SUBMISSION_ID}/comments")] = lambda call: (201, {})
        sent = await post_form(web, url, page, {"comment": "Tambahkan target per sekolah.", "msp": MSP_ID})
        assert sent.status_code == 303, sent.text
        assert services.sent("POST", f"/submissions/{SUBMISSION_ID}/comments")[0].body == {
            "comment": "Tambahkan target per sekolah."
        }


async def test_monitoring_visits_and_mitigation_actions_on_the_msp_page(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: Services
) -> None:
    the_msp_world(services)
    visit = {"id": str(uuid.uuid4()), "msp_id": MSP_ID, "visited_on": "2026-11-20", "region_code": "3374",
             "aspects": ["administration"], "rating": "needs_improvement",
             "findings": "Arsip belum lengkap (uji)"}  # fmt: skip
    action = {"id": ACTION_ID, "msp_id": MSP_ID, "description": "Lengkapi arsip kegiatan (uji)", "owner": "ngo",
              "owner_region_code": None, "due_on": "2027-01-15", "status": "open"}  # fmt: skip
    services.answers[("GET", "agreements", f"/msps/{MSP_ID}/monitoring-visits")] = page_of([visit])
    services.answers[("GET", "agreements", f"/msps/{MSP_ID}/mitigation-actions")] = [action]
    await log_in_as(web, console_pool, clock, "ministry", ministry_code="KEMENSOS")
    page = await web.get(f"/msps/{MSP_ID}")
    text = text_of(page)
    assert "Arsip belum lengkap (uji)" in text
    assert "Perlu perbaikan" in text
    assert "Lengkapi arsip kegiatan (uji)" in text
    assert 'value="cancelled"' in page.text  # the ministry may cancel, not move the NGO's action on

    empty = await post_form(web, f"/msps/{MSP_ID}/monitoring-visits", page, {"visited_on": "x"})
    assert empty.status_code == 422
    for name in ("visited_on", "aspects", "rating", "findings"):
        assert f'href="#f-{name}"' in empty.text
    # the summary's link goes to the first aspect's checkbox, each described by the error
    assert 'id="f-aspects" name="aspects" value="administration" aria-describedby="f-aspects-error"' in empty.text
    assert 'id="f-aspects-error"' in empty.text
    assert not services.commands()
    services.answers[("POST", "agreements", f"/msps/{MSP_ID}/monitoring-visits")] = lambda call: (201, visit)
    data = {"visited_on": "2026-12-01", "region_code": "33", "aspects": ["administration", "field_implementation"],
            "rating": "satisfactory", "findings": "Kegiatan berjalan baik"}  # fmt: skip
    recorded = await post_form(web, f"/msps/{MSP_ID}/monitoring-visits", page, data)
    assert recorded.status_code == 303, recorded.text
    assert services.sent("POST", f"/msps/{MSP_ID}/monitoring-visits")[0].body == {**data, "region_code": "33"}

    no_region = {"description": "Perbaiki data", "owner": "region", "due_on": "2027-01-31"}
    refused = await post_form(web, f"/msps/{MSP_ID}/mitigation-actions", page, no_region)
    assert refused.status_code == 422
    assert 'href="#f-owner_region_code"' in refused.text
    services.answers[("POST", "agreements", f"/msps/{MSP_ID}/mitigation-actions")] = lambda call: (201, action)
    opened = await post_form(web, f"/msps/{MSP_ID}/mitigation-actions", page, {**no_region, "owner_region_code": "33"})
    assert opened.status_code == 303
    assert services.sent("POST", f"/msps/{MSP_ID}/mitigation-actions")[0].body == {
        **no_region,
        "owner_region_code": "33",
        "monitoring_visit_id": None,
    }

    # The NGO owns the action and moves it on.
    await log_in_again(web, console_pool, clock, "ngo", organization_id=PLAN)
    page = await web.get(f"/msps/{MSP_ID}")
    assert 'value="in_progress"' in page.text
    assert 'value="cancelled"' not in page.text
    assert "Catat kunjungan pemantauan" not in text_of(page)
    services.answers[("POST", "agreements", f"/mitigation-actions/{ACTION_ID}/status")] = lambda call: (200, action)
    moved = await post_form(web, f"/mitigation-actions/{ACTION_ID}/status", page, {"status": "done", "msp": MSP_ID})
    assert moved.status_code == 303
    assert services.sent("POST", f"/mitigation-actions/{ACTION_ID}/status")[0].body == {"status": "done", "note": None}


@pytest.mark.parametrize(
    ("owner", "role", "scope", "choices"),
    [
        ("region", "region", {"region_code": "3374"}, ["in_progress", "done"]),  # the owner moves it on, never cancels
        ("region", "region", {"region_code": "33"}, []),  # its province's office is not the owner
        ("region", "ministry", {"ministry_code": "KEMENSOS"}, ["cancelled"]),  # the Mitra Utama only cancels
        ("ministry", "ministry", {"ministry_code": "KEMENSOS"}, ["in_progress", "done", "cancelled"]),
        ("ministry", "region", {"region_code": "3374"}, []),
        ("ngo", "ngo", {"organization_id": PLAN}, ["in_progress", "done"]),
    ],
)
async def test_who_may_move_a_mitigation_action_on_or_cancel_it(
    web: httpx.AsyncClient,
    console_pool: asyncpg.Pool,
    clock: FakeClock,
    services: Services,
    owner: str,
    role: str,
    scope: dict[str, str],
    choices: list[str],
) -> None:
    the_msp_world(services)
    action = {"id": ACTION_ID, "msp_id": MSP_ID, "description": "Perbaiki data penerima (uji)", "owner": owner,
              "owner_region_code": "3374" if owner == "region" else None, "due_on": "2027-01-15",
              "status": "open"}  # fmt: skip
    services.answers[("GET", "agreements", f"/msps/{MSP_ID}/mitigation-actions")] = [action]
    await log_in_as(web, console_pool, clock, role, **scope)
    page = await web.get(f"/msps/{MSP_ID}")
    assert page.status_code == 200, page.text
    assert "Perbaiki data penerima (uji)" in text_of(page)
    offered = [code for code in ("in_progress", "done", "cancelled") if f'<option value="{code}"' in page.text]
    assert offered == choices
    assert (f"/mitigation-actions/{ACTION_ID}/status" in page.text) is bool(choices)


def the_ngo_record(services: Services, status: str = "registered") -> dict[str, Any]:
    record = {"id": PLAN, "legal_name": "Plan International", "acronym": "PLAN", "country_of_origin": "GB",
              "focus_areas": [], "status": status, "version": 2, "registered_at": "2025-01-01T00:00:00Z"}  # fmt: skip
    sanction = {"id": SANCTION_ID, "organization_id": PLAN, "kind": "warning", "category": "reporting_failure",
                "reason": "Laporan terlambat dua kali (uji)", "starts_on": "2026-12-01", "ends_on": None,
                "status": "active", "imposed_by": "tpoa-1", "imposed_at": "2026-12-01T02:00:00Z", "lifted_by": None,
                "lifted_at": None, "lift_reason": None}  # fmt: skip
    services.answers.update(
        {
            ("GET", "registry", f"/organizations/{PLAN}"): record,
            ("GET", "registry", "/permits"): page_of([]),
            ("GET", "registry", f"/organizations/{PLAN}/foreign-staff"): page_of([]),
            ("GET", "registry", f"/organizations/{PLAN}/status-history"): [],
            ("GET", "registry", f"/organizations/{PLAN}/sanctions"): page_of([sanction]),
            ("GET", "registry", "/focus-areas"): [],
        }
    )
    return record


async def test_tpoa_imposes_a_revocation_after_checking_and_lifts_a_warning(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: Services
) -> None:
    the_ngo_record(services)
    await log_in_as(web, console_pool, clock, "tpoa")
    page = await web.get(f"/organizations/{PLAN}")
    assert page.status_code == 200, page.text
    text = text_of(page)
    assert "Sanksi" in text
    assert "Laporan terlambat dua kali (uji)" in text
    assert "Peringatan" in text

    empty = await post_form(web, f"/organizations/{PLAN}/sanctions", page, {"sanction.reason": "x"})
    assert empty.status_code == 422
    for name in ("sanction-kind", "sanction-category", "sanction-reason"):
        assert f'href="#f-{name}"' in empty.text

    revoke = {"sanction.kind": "revocation", "sanction.category": "political_activity",
              "sanction.reason": "Kegiatan politik praktis (uji)"}  # fmt: skip
    check = await post_form(web, f"/organizations/{PLAN}/sanctions", page, revoke)
    assert check.status_code == 200
    assert "Periksa pencabutan izin sebelum Anda mengonfirmasinya" in text_of(check)
    assert not services.commands()
    sanctioned: list[Call] = []

    def imposed(call: Call) -> tuple[int, Any]:
        sanctioned.append(call)
        return 201, {"id": str(uuid.uuid4())}

    services.answers[("POST", "registry", f"/organizations/{PLAN}/sanctions")] = imposed
    done = await post_form(web, f"/organizations/{PLAN}/sanctions", check, {**revoke, "action": "confirm"})
    assert done.status_code == 303, done.text
    assert sanctioned[0].body == {"kind": "revocation", "category": "political_activity",
                                  "reason": "Kegiatan politik praktis (uji)", "ends_on": None}  # fmt: skip

    lift_url = f"/organizations/{PLAN}/sanctions/{SANCTION_ID}/lift"
    services.answers[("POST", "registry", f"/sanctions/{SANCTION_ID}/lift")] = refusal("body.reason", "too late")
    refused = await post_form(web, lift_url, page, {f"lift.{SANCTION_ID}.reason": "Sudah melapor"})
    assert refused.status_code == 422
    assert f'id="f-lift-{SANCTION_ID}-reason-error"' in refused.text
    services.answers[("POST", "registry", f"/sanctions/{SANCTION_ID}/lift")] = lambda call: (200, {})
    lifted = await post_form(web, lift_url, page, {f"lift.{SANCTION_ID}.reason": "Sudah melapor"})
    assert lifted.status_code == 303
    assert services.sent("POST", f"/sanctions/{SANCTION_ID}/lift")[-1].body == {"reason": "Sudah melapor"}


async def test_a_member_ministry_answers_the_applicants_review_on_its_page(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: Services
) -> None:
    the_ngo_record(services, "applicant")
    services.answers[("GET", "registry", f"/organizations/{PLAN}/review")] = {
        key: value for key, value in review().items() if key not in ("review_id", "subject")
    }
    await log_in_as(web, console_pool, clock, "ministry", ministry_code="KEMENKUMHAM")
    page = await web.get(f"/organizations/{PLAN}")
    assert "Telaah tim TPOA atas permohonan" in text_of(page)
    assert "Jatuhkan sanksi" not in text_of(page)
    services.answers[("POST", "registry", f"/organizations/{PLAN}/review/answers")] = lambda call: (201, {})
    sent = await post_form(web, f"/organizations/{PLAN}/review/answers", page, {"verdict": "cleared"})
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/organizations/{PLAN}#review-title"
    assert services.sent("POST", f"/organizations/{PLAN}/review/answers")[0].body == {
        "verdict": "cleared",
        "note": None,
    }

    await log_in_again(web, console_pool, clock, "tpoa")
    page = await web.get(f"/organizations/{PLAN}")
    assert "TPOA dapat menyetujui setelah semua anggota menjawab" in text_of(page)
    assert "review/answers" not in page.text


def options_of(html: str, name: str) -> list[tuple[str, str]]:
    """(value, label) of the options of the select named `name`."""
    found = re.search(rf'<select[^>]* name="{re.escape(name)}"[^>]*>(.*?)</select>', html, re.S)
    assert found, name
    return [
        (value, " ".join(label.split()))
        for value, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)<', found[1])
    ]


@pytest.mark.parametrize(
    ("region", "offered"),
    [("3374", ["3374"]), ("33", ["33", "3374"])],  # a province's office covers its regencies
)
async def test_a_region_office_is_offered_only_its_area_and_a_refusal_shows_at_the_region(
    web: httpx.AsyncClient,
    console_pool: asyncpg.Pool,
    clock: FakeClock,
    services: Services,
    region: str,
    offered: list[str],
) -> None:
    the_msp_world(services)
    await log_in_as(web, console_pool, clock, "region", region_code=region)
    page = await web.get(f"/msps/{MSP_ID}")
    assert page.status_code == 200, page.text
    visit_regions = options_of(page.text, "region_code")
    assert visit_regions[0] == ("", f"Wilayah kantor Anda sendiri ({region})")
    assert [value for value, _label in visit_regions[1:]] == offered
    owner_regions = options_of(page.text, "owner_region_code")
    assert owner_regions[0] == ("", "Pilih")
    assert [value for value, _label in owner_regions[1:]] == offered

    # agreements refuses a region outside the office's area (403 on the field): shown there, the form kept
    problem = {"title": "Forbidden", "status": 403, "detail": "33 is outside your area",
               "errors": [{"field": "body.region_code", "reason": "33 is outside your area"}]}  # fmt: skip
    services.answers[("POST", "agreements", f"/msps/{MSP_ID}/monitoring-visits")] = lambda call: (403, problem)
    data = {"visited_on": "2026-12-01", "region_code": "33", "aspects": ["administration"],
            "rating": "satisfactory", "findings": "Kegiatan berjalan baik (uji)"}  # fmt: skip
    refused = await post_form(web, f"/msps/{MSP_ID}/monitoring-visits", page, data)
    assert refused.status_code == 422, refused.text
    assert 'href="#f-region_code"' in refused.text
    assert 'id="f-region_code-error"' in refused.text
    assert "33 berada di luar wilayah Anda" in text_of(refused)  # the page puts the reason in its language
    assert "Kegiatan berjalan baik (uji)" in refused.text

    # the owner region left on "Choose": the console asks for it
    action = {"description": "Perbaiki data", "owner": "region", "owner_region_code": "", "due_on": "2027-01-31"}
    unchosen = await post_form(web, f"/msps/{MSP_ID}/mitigation-actions", page, action)
    assert unchosen.status_code == 422
    assert 'href="#f-owner_region_code"' in unchosen.text
    assert not services.sent("POST", f"/msps/{MSP_ID}/mitigation-actions")


FROZEN = (
    "Plan International is frozen by a sanction (Kegiatan politik praktis (uji)): no new MSP, submission, "
    "extension or visit while it lasts"
)
FROZEN_ID = "Plan International sedang dibekukan oleh sanksi (Kegiatan politik praktis (uji))"


def refused_by_the_freeze(page: httpx.Response) -> None:
    assert page.status_code == 422, page.text
    assert FROZEN_ID in text_of(page)
    assert 'href="#main"' in page.text  # about the whole form, no field to link to
    assert "organization_id" not in page.text


async def test_a_frozen_ngo_is_refused_for_the_whole_form_in_indonesian(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: Services
) -> None:
    the_msp_world(services, status="draft")
    await log_in_as(web, console_pool, clock, "ngo", organization_id=PLAN)
    page = await web.get(f"/msps/{MSP_ID}")
    services.answers[("POST", "agreements", f"/msps/{MSP_ID}/submit")] = refusal("msp.organization_id", FROZEN)
    refused_by_the_freeze(await post_form(web, f"/msps/{MSP_ID}/submit", page, {}))

    the_msp_world(services)
    await log_in_again(web, console_pool, clock, "ministry", ministry_code="KEMENSOS")
    page = await web.get(f"/msps/{MSP_ID}")
    services.answers[("POST", "agreements", f"/msps/{MSP_ID}/extend")] = refusal("msp.organization_id", FROZEN)
    extension = {"ends_on": "2029-12-31", "reason": "Program diperluas (uji)"}
    refused = await post_form(web, f"/msps/{MSP_ID}/extend", page, extension)
    refused_by_the_freeze(refused)
    assert "Program diperluas (uji)" in refused.text  # the form kept


async def test_a_frozen_ngo_announcing_a_visit_is_refused_for_the_whole_form(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: Services
) -> None:
    await as_plan(web, console_pool, clock, services)
    form = await web.get("/visits/new")
    visit = {"msp_id": MSP_ID, "visitors_rows": "1", "visitors.0.name": "John Smith", "visitors.0.nationality": "GB",
             "visitors.0.role": "Adviser", "purpose": "Monitoring", "arrives_on": "2030-03-01",
             "departs_on": "2030-03-05", "region_codes": "3374", "action": "send"}  # fmt: skip
    for field in ("msp.organization_id", "body.organization_id"):
        services.answers[("POST", "agreements", "/visits")] = refusal(field, FROZEN)
        refused_by_the_freeze(await post_form(web, "/visits/new", form, visit))


async def test_a_decided_application_takes_no_more_answers(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: Services
) -> None:
    the_ngo_record(services, "registered")
    services.answers[("GET", "registry", f"/organizations/{PLAN}/review")] = {
        key: value for key, value in review().items() if key not in ("review_id", "subject")
    }
    await log_in_as(web, console_pool, clock, "ministry", ministry_code="KEMENKUMHAM")  # awaited, never answered
    page = await web.get(f"/organizations/{PLAN}")
    assert page.status_code == 200, page.text
    assert "Telaah tim TPOA atas permohonan" in text_of(page)
    assert "review/answers" not in page.text
    assert "Telaah sudah ditutup" in text_of(page)


@pytest.mark.parametrize(
    ("status", "frozen", "kinds"),
    [
        ("applicant", False, ["warning"]),
        ("suspended", True, ["warning", "revocation"]),
        ("registered", False, ["warning", "freeze", "revocation"]),
    ],
)
async def test_the_sanction_kinds_offered_fit_the_ngo(
    web: httpx.AsyncClient,
    console_pool: asyncpg.Pool,
    clock: FakeClock,
    services: Services,
    status: str,
    frozen: bool,
    kinds: list[str],
) -> None:
    the_ngo_record(services, status)
    if frozen:
        freeze = {"id": str(uuid.uuid4()), "organization_id": PLAN, "kind": "freeze", "category": "other",
                  "reason": "Dibekukan (uji)", "starts_on": "2026-12-01", "ends_on": None, "status": "active",
                  "imposed_by": "tpoa-1", "imposed_at": "2026-12-02T02:00:00Z", "lifted_by": None,
                  "lifted_at": None, "lift_reason": None}  # fmt: skip
        services.answers[("GET", "registry", f"/organizations/{PLAN}/sanctions")] = page_of([freeze])
    await log_in_as(web, console_pool, clock, "tpoa")
    page = await web.get(f"/organizations/{PLAN}")
    assert page.status_code == 200, page.text
    assert [value for value, _label in options_of(page.text, "sanction.kind")] == ["", *kinds]


async def test_tpoa_registering_a_blocked_applicant_is_told_why_at_the_status(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: Services
) -> None:
    the_ngo_record(services, "applicant")
    services.answers[("GET", "registry", f"/organizations/{PLAN}/review")] = {
        key: value for key, value in review(objected=["POLRI"]).items() if key not in ("review_id", "subject")
    }
    await log_in_as(web, console_pool, clock, "tpoa")
    page = await web.get(f"/organizations/{PLAN}")
    url = f"/organizations/{PLAN}/status"
    decision = {"status": "registered", "reason": "Berkas lengkap (uji)", "version": '"2"'}
    services.answers[("POST", "registry", url)] = refusal("review", "objected by the TPOA member(s) POLRI")
    refused = await post_form(web, url, page, decision)
    assert refused.status_code == 422, refused.text
    assert 'href="#f-status"' in refused.text
    assert 'id="f-status-error"' in refused.text
    assert "TPOA tidak dapat mendaftarkan pemohon selama ada kementerian anggota yang keberatan: POLRI." in text_of(
        refused
    )
    awaited = "awaiting the TPOA member(s) KEMENDAGRI, KEMENKUMHAM until 2026-12-18"
    services.answers[("POST", "registry", url)] = refusal("review", awaited)
    refused = await post_form(web, url, page, decision)
    assert "Jawaban KEMENDAGRI, KEMENKUMHAM ditunggu sampai 2026-12-18" in text_of(refused)

    # agreements' refusal of an MSP's approval reads in Indonesian too
    the_msp_world(services, status="submitted")
    services.answers[("GET", "agreements", f"/msps/{MSP_ID}/review")] = review()
    page = await web.get(f"/msps/{MSP_ID}")
    waiting = "awaiting the answers of KEMENDAGRI until 2026-12-18; TPOA may decide without them after that day"
    services.answers[("POST", "agreements", f"/msps/{MSP_ID}/approve")] = refusal("review", waiting)
    refused = await post_form(web, f"/msps/{MSP_ID}/approve", page, {"note": ""})
    assert refused.status_code == 422
    assert 'href="#f-review"' in refused.text
    assert "Jawaban KEMENDAGRI ditunggu sampai 2026-12-18" in text_of(refused)


async def test_a_refused_status_change_shows_at_that_actions_status(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: Services
) -> None:
    the_msp_world(services)
    action = {"id": ACTION_ID, "msp_id": MSP_ID, "description": "Lengkapi arsip kegiatan (uji)", "owner": "ngo",
              "owner_region_code": None, "due_on": "2027-01-15", "status": "open"}  # fmt: skip
    services.answers[("GET", "agreements", f"/msps/{MSP_ID}/mitigation-actions")] = [action]
    await log_in_as(web, console_pool, clock, "ngo", organization_id=PLAN)
    page = await web.get(f"/msps/{MSP_ID}")
    url = f"/mitigation-actions/{ACTION_ID}/status"
    problem = {"title": "Conflict", "status": 409, "detail": "the action is done already"}
    services.answers[("POST", "agreements", url)] = lambda call: (409, problem)
    refused = await post_form(web, url, page, {"status": "done", "note": "Arsip lengkap (uji)", "msp": MSP_ID})
    assert refused.status_code == 422, refused.text
    status_id = f"f-action-{ACTION_ID}-status"
    assert f'href="#{status_id}"' in refused.text
    assert f'id="{status_id}-error"' in refused.text
    assert f'aria-describedby="{status_id}-error"' in refused.text
    assert "the action is done already" in text_of(refused)
    assert 'value="Arsip lengkap (uji)"' in refused.text  # the form kept
    assert '<option value="done" selected>' in refused.text

    unchosen = await post_form(web, url, page, {"status": "", "msp": MSP_ID})
    assert unchosen.status_code == 422
    assert f'href="#{status_id}"' in unchosen.text
    assert len(services.sent("POST", url)) == 1
