"""The daily loop of issue 12 in two browsers at once: Plan International (`plan`) submits a semester report with a
funding line, Kemensos (`kemensos`) returns it with a comment, the NGO sees the comment and submits again, Kemensos
accepts; both then see it accepted, and the e-mails went out (the SMTP server in the test process). Each screen is
checked with axe-core, and screenshots of the NGO's and the ministry's screens go to docs/screenshots/."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page
from support.browser import (
    Mitra,
    check_accessibility,
    fill_form,
    log_in,
    mail_text,
    new_page,
    path_of,
    screenshot,
    submit,
)
from support.polling import eventually_sync
from support.tokens import as_role

pytestmark = pytest.mark.e2e

REPORTS = ("semester_report", "annual_report")
COMMENT = "Mohon tambahkan sumber dana per kabupaten/kota (uji peramban)."
NGO_ADDRESS = "plan@mitra-demo.example"
MINISTRY_ADDRESSES = ("kemensos@mitra-demo.example", "kerjasama-kemensos@mitra-demo.example")
SUBMISSION_FORM = "form:has([name=summary])"
ACCEPT_BUTTON = "[type=submit][formaction$='/accept']"
RETURN_BUTTON = "[type=submit]:not([formaction])"


def open_report(mitra: Mitra) -> dict[str, Any]:
    """Plan International's report obligation that nothing was submitted for yet, the soonest due."""
    tpoa = as_role("tpoa")
    found = httpx.get(
        f"{mitra.url('registry')}/organizations", params={"q": "Plan International"}, headers=tpoa, timeout=10
    )
    found.raise_for_status()
    plan = next(item for item in found.json()["items"] if item["legal_name"] == "Plan International")
    staff = as_role("ngo", organization_id=plan["id"])
    listed = httpx.get(
        f"{mitra.url('agreements')}/obligations",
        params={"organization_id": plan["id"], "status": "pending", "limit": 100},
        headers=staff,
        timeout=10,
    )
    listed.raise_for_status()
    reports = [o for o in listed.json()["items"] if o["kind"] in REPORTS and o["latest_submission_id"] is None]
    assert reports, f"the demo leaves Plan International no report to submit: {listed.json()}"
    return dict(min(reports, key=lambda obligation: obligation["due_on"]))


def status_tag(page: Page, status: str) -> bool:
    return page.locator(f"main .tag--{status}").count() > 0


def mails_to(mitra: Mitra, *addresses: str) -> list[str]:
    return [mail_text(message) for address in addresses for message in mitra.mailbox.to(address)]


def submit_report(page: Page, summary: str) -> None:
    form = page.locator(SUBMISSION_FORM)
    fill_form(
        form,
        {
            "summary": summary,
            "funding.0.source": "Plan International UK (uji peramban)",
            "funding.0.amount": "125000000",
            "funding.0.currency": "IDR",
            "funding.0.use": "Pelatihan perlindungan anak di Kota Semarang",
        },
    )
    submit(form, "[type=submit][value=send]:not([aria-hidden=true])")  # not "add another line" or "remove"


def test_a_report_goes_back_and_forth_until_the_ministry_accepts_it(browser: Browser, mitra: Mitra) -> None:
    obligation = open_report(mitra)
    here = f"/obligations/{obligation['id']}"
    ngo, ministry = new_page(browser, mitra.console_url), new_page(browser, mitra.console_url)
    log_in(ngo, "plan")
    log_in(ministry, "kemensos")

    # The NGO finds the report on its MSP's timeline and submits it with a funding line.
    ngo.goto(f"/msps/{obligation['msp_id']}")
    check_accessibility(ngo)
    screenshot(ngo, "plan-msp-timeline", phone=True)
    with ngo.expect_navigation():
        ngo.locator(f"main a[href*='{here}']").first.click()
    assert path_of(ngo) == here
    check_accessibility(ngo)
    screenshot(ngo, "plan-report-form", phone=True)
    before = len(mails_to(mitra, *MINISTRY_ADDRESSES))
    submit_report(ngo, "Laporan semester: 8 pelatihan perlindungan anak di Kota Semarang (uji peramban).")
    ngo.goto(here)
    assert status_tag(ngo, "submitted"), "the NGO sees its report submitted"
    eventually_sync(lambda: len(mails_to(mitra, *MINISTRY_ADDRESSES)) > before, description="mail to Kemensos")

    # The ministry finds it awaiting its review and returns it with a comment.
    ministry.goto("/ministry")
    with ministry.expect_navigation():
        ministry.locator(f"main a[href*='{here}']").first.click()
    assert path_of(ministry) == here
    assert "Plan International UK (uji peramban)" in ministry.locator("main").inner_text(), "the funding line shows"
    check_accessibility(ministry)
    screenshot(ministry, "kemensos-review", phone=True)
    decision = ministry.locator("form:has([name=comments])")
    fill_form(decision, {"comments": COMMENT})
    submit(decision, RETURN_BUTTON)
    ministry.goto(here)
    assert status_tag(ministry, "returned")

    # The NGO sees the comment, and submits again.
    ngo.goto(here)
    assert COMMENT in ngo.locator("main").inner_text(), "the NGO sees why it was returned"
    assert status_tag(ngo, "returned")
    check_accessibility(ngo)
    screenshot(ngo, "plan-report-returned", phone=True)
    submit_report(ngo, "Laporan semester, direvisi: sumber dana per kabupaten/kota ditambahkan (uji peramban).")
    ngo.goto(here)
    assert status_tag(ngo, "submitted")

    # The ministry accepts the new submission; both see the report accepted.
    ministry.goto(here)
    submit(ministry.locator("form:has([name=comments])"), ACCEPT_BUTTON)
    for page in (ministry, ngo):
        page.goto(here)
        assert status_tag(page, "accepted"), f"{path_of(page)} shows the report accepted"
    screenshot(ngo, "plan-report-accepted")

    # The e-mails went out: the return with its comment and the acceptance to the NGO.
    eventually_sync(
        lambda: next((text for text in mails_to(mitra, NGO_ADDRESS) if COMMENT in text), None),
        description=f"the return, with the comment, mailed to {NGO_ADDRESS}",
    )
    eventually_sync(
        lambda: any("diterima" in text.casefold() for text in mails_to(mitra, NGO_ADDRESS)),
        description=f"the acceptance mailed to {NGO_ADDRESS}",
    )

    # The NGO's inbox has them too, counted unread in the header.
    def unread_count() -> int:
        ngo.goto(here)
        count = ngo.locator(".site-header__inbox .count")
        return int(count.inner_text()) if count.count() == 1 else 0

    eventually_sync(unread_count, timeout=15, description="an unread count in the NGO's header")
    ngo.goto("/inbox")
    assert COMMENT in ngo.locator("main").inner_text(), "the inbox has the return with its comment"
    check_accessibility(ngo)
    screenshot(ngo, "plan-inbox", phone=True)
    ngo.context.close()
    ministry.context.close()
