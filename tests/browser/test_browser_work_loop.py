"""Issue 14's TPOA team review and sanctions in a real browser, on the demo system (TPOA's member ministries as the
services default them): a new NGO with two MSPs submitted (set up over the APIs, random names); the `kemendagri`
member objects to the first in the browser, with a note, and TPOA's approval of it is refused with the reason shown;
the second, cleared by every member, TPOA approves; then TPOA freezes the NGO on its page and it is suspended. Each
screen is checked with axe-core; screenshots of the review panel and the sanctions go to docs/screenshots/."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page
from support.browser import Mitra, check_accessibility, fill_form, log_in, new_page, path_of, screenshot, submit
from support.polling import eventually_sync
from support.tokens import as_role

from mitra_shared.clock import add_months, jakarta_date, system_clock

pytestmark = pytest.mark.e2e

TPOA = as_role("tpoa", subject="tpoa-browser")
OBJECTION = "Wilayah kerja tumpang tindih dengan program lain (uji peramban)."
FREEZE_REASON = "Kegiatan penggalangan dana tanpa izin (uji peramban)."


def call(method: str, url: str, headers: dict[str, str], body: Any = None, expected: int = 200) -> Any:
    response = httpx.request(method, url, headers=headers, json=body, timeout=10)
    assert response.status_code == expected, f"{method} {url} -> {response.status_code}: {response.text}"
    return response.json() if response.content else None


def clear_review(url: str) -> list[str]:
    """Every awaited member clears the review at `url` (once it is open); the codes that answered."""

    def opened() -> Any:
        response = httpx.get(url, headers=TPOA, timeout=10)
        return response.json() if response.status_code == 200 else None

    review = eventually_sync(opened, timeout=20, interval=0.2, description=f"the review at {url}")
    for code in review["awaiting"]:
        officer = as_role("ministry", subject=f"{code.lower()}-browser", ministry_code=code)
        call("POST", f"{url}/answers", officer, {"verdict": "cleared"}, expected=201)
    return list(review["awaiting"])


def new_ngo_with_two_msps(mitra: Mitra) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A registered NGO with a principle permit, and two MSPs with Kemensos submitted to TPOA."""
    registry, agreements, tag = mitra.url("registry"), mitra.url("agreements"), uuid.uuid4().hex[:6]
    body = {"legal_name": f"Yayasan Uji Peramban {tag}", "country_of_origin": "NL", "focus_areas": ["poverty"]}
    ngo = call("POST", f"{registry}/organizations", TPOA, body, expected=201)
    today = jakarta_date(system_clock())
    issued_on = today - timedelta(days=30)
    permit = {"permit_type": "principle", "number": f"IP/UJI/{tag}", "issued_on": issued_on.isoformat(),
              "valid_until": (add_months(issued_on, 36) - timedelta(days=1)).isoformat()}  # fmt: skip
    call("POST", f"{registry}/organizations/{ngo['id']}/permits", TPOA, permit, expected=201)
    clear_review(f"{registry}/organizations/{ngo['id']}/review")
    current = httpx.get(f"{registry}/organizations/{ngo['id']}", headers=TPOA, timeout=10)
    moved = {"status": "registered", "reason": "Izin prinsip diberikan (uji peramban)"}
    call("POST", f"{registry}/organizations/{ngo['id']}/status", {**TPOA, "If-Match": current.headers["ETag"]}, moved)
    listed = httpx.get(f"{registry}/partners", headers=TPOA, params={"kind": "ministry", "limit": 1000}, timeout=10)
    ministries = listed.json()["items"]
    kemensos = next(p for p in ministries if p["code"] == "KEMENSOS")
    staff = as_role("ngo", subject=f"ngo-{tag}", organization_id=ngo["id"])
    starts_on = add_months(today.replace(day=1), 1)
    msps = []
    for title in ("A", "B"):
        draft = {
            "organization_id": ngo["id"],
            "ministry_partner_id": kemensos["id"],
            "title": f"Program uji peramban {title} {tag}",
            "focus_areas": ["poverty"],
            "work_location_codes": ["33"],
            "starts_on": starts_on.isoformat(),
            "ends_on": (add_months(starts_on, 24) - timedelta(days=1)).isoformat(),
        }

        def drafted(draft: dict[str, Any] = draft) -> Any:
            response = httpx.post(f"{agreements}/msps", headers=staff, json=draft, timeout=10)
            return response.json() if response.status_code == 201 else None

        msp = eventually_sync(drafted, timeout=30, interval=0.2, description="agreements taking the draft")
        msps.append(call("POST", f"{agreements}/msps/{msp['id']}/submit", staff, {}))
    return ngo, msps


def tag_shown(page: Page, status: str) -> bool:
    return page.locator(f"main .tag--{status}").count() > 0


def test_a_member_objects_tpoa_is_stopped_then_approves_another_and_freezes_the_ngo(
    browser: Browser, mitra: Mitra
) -> None:
    ngo, (objected, cleared) = new_ngo_with_two_msps(mitra)
    member, tpoa = new_page(browser, mitra.console_url), new_page(browser, mitra.console_url)
    log_in(member, "kemendagri")
    log_in(tpoa, "tpoa")

    # The member ministry finds the MSP's review awaiting its answer on its home page, and objects with a note.
    member.goto("/ministry")
    awaiting = member.locator("[data-testid=open-reviews]")
    assert awaiting.count() == 1, "a member ministry's home lists the reviews awaiting it"
    check_accessibility(member)
    screenshot(member, "kemendagri-home")
    awaiting.locator(f"a[href^='/msps/{objected['id']}']").click()
    member.wait_for_url(f"**/msps/{objected['id']}*")
    assert path_of(member).split("#")[0] == f"/msps/{objected['id']}"
    panel = member.locator("section[aria-labelledby=review-title]")
    assert "KEMENDAGRI" in panel.inner_text()
    check_accessibility(member)
    screenshot(member, "kemendagri-msp-review")
    answer = member.locator("form[action$='/review/answers']")
    fill_form(answer, {"verdict": "objected"})
    submit(answer)
    assert member.locator(".error-summary").count() == 1, "an objection without a note is refused"
    check_accessibility(member)
    answer = member.locator("form[action$='/review/answers']")
    fill_form(answer, {"verdict": "objected", "review_note": OBJECTION})
    submit(answer)
    assert path_of(member).split("#")[0] == f"/msps/{objected['id']}"
    assert OBJECTION in member.locator("[data-testid=review-table]").inner_text()
    assert member.locator("form[action$='/review/answers']").count() == 0, "one answer per member"

    # TPOA sees the reviews in progress on its home, and why it cannot approve; its approval is refused with the
    # reason at the button.
    tpoa.goto("/tpoa")
    assert tpoa.locator("[data-testid=open-reviews]").count() == 1
    tpoa.goto(f"/msps/{objected['id']}")
    assert "KEMENDAGRI" in tpoa.locator("[data-testid=review-blocked]").first.inner_text()
    check_accessibility(tpoa)
    screenshot(tpoa, "tpoa-msp-review-blocked")
    submit(tpoa.locator("form[action$='/approve']"))
    assert tpoa.locator(".error-summary a[href='#f-review']").count() == 1, "the refusal names the review"
    assert tpoa.locator("#f-review").count() == 1
    check_accessibility(tpoa)
    tpoa.goto(f"/msps/{objected['id']}")
    assert tag_shown(tpoa, "submitted"), "the MSP is still awaiting TPOA"

    # The other MSP, cleared by every member, TPOA approves.
    clear_review(f"{mitra.url('agreements')}/msps/{cleared['id']}/review")
    tpoa.goto(f"/msps/{cleared['id']}")
    assert tpoa.locator("[data-testid=review-blocked]").count() == 0
    submit(tpoa.locator("form[action$='/approve']"))
    tpoa.goto(f"/msps/{cleared['id']}")
    assert tag_shown(tpoa, "approved")

    # TPOA freezes the NGO on its page: the sanction is listed and the NGO suspended.
    tpoa.goto(f"/organizations/{ngo['id']}")
    check_accessibility(tpoa)
    impose = tpoa.locator("form[action$='/sanctions']")
    fill_form(impose, {"sanction.kind": "freeze", "sanction.category": "fundraising", "sanction.reason": FREEZE_REASON})
    submit(impose)
    assert path_of(tpoa).split("#")[0] == f"/organizations/{ngo['id']}"
    assert FREEZE_REASON in tpoa.locator("[data-testid=sanction]").first.inner_text()
    assert tag_shown(tpoa, "suspended"), "a freeze suspends the NGO"
    check_accessibility(tpoa)
    screenshot(tpoa, "tpoa-ngo-sanctions")
