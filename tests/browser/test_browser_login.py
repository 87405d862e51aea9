"""Logging in to the console in a real browser: the login page in Bahasa Indonesia (English one click away), usable
with the keyboard alone; each demo account landing on its own work, refused another role's pages and another NGO's
MSP; a wrong password and a post without its CSRF token refused; logging out. Screenshots of the login page and of
each role's first screen (desktop and phone) go to docs/screenshots/."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import Page
from support.browser import (
    DEMO_PASSWORD,
    ROLE_HOMES,
    Mitra,
    check_accessibility,
    log_in,
    log_out,
    path_of,
    screenshot,
)
from support.tokens import as_role

pytestmark = pytest.mark.e2e

PLAN_MSP = "Perlindungan anak dan pengurangan risiko bencana di Jawa Tengah (demo)"
CARE_MSP = "Penanggulangan kemiskinan dan kesiapsiagaan bencana (demo)"
SEMARANG_ONLY_VISIT = "Field monitoring of the child protection programme in Kota Semarang (demo)"
BOTH_REGIONS_VISIT = "Workshop on disaster-ready schools with Jawa Tengah and Kota Semarang (demo)"


SHARED_PAGES = {"tpoa": ("/auditor",)}
"""Another role's first screen a role may open: TPOA reads the audit trail as auditors do (reporting's policy)."""


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    sees: tuple[str, ...] = ()
    does_not_see: tuple[str, ...] = ()


DEMO_ACCOUNTS = [
    DemoAccount("plan", "ngo", sees=(PLAN_MSP,), does_not_see=(CARE_MSP,)),
    DemoAccount("kemensos", "ministry", sees=(PLAN_MSP,)),
    # A TPOA member ministry: its reviews come to its inbox; it is Mitra Utama of no MSP.
    DemoAccount("kemendagri", "ministry", does_not_see=(PLAN_MSP,)),
    DemoAccount("tpoa", "tpoa", sees=(CARE_MSP,)),
    # A province sees what touches its regencies too: Jawa Tengah sees the visit to Kota Semarang.
    DemoAccount("jateng", "region", sees=(BOTH_REGIONS_VISIT, SEMARANG_ONLY_VISIT)),
    DemoAccount("semarang", "region", sees=(SEMARANG_ONLY_VISIT, BOTH_REGIONS_VISIT)),
    DemoAccount("auditor", "auditor"),
    DemoAccount("admin", "admin"),
]


def session_cookie(page: Page) -> dict[str, object] | None:
    return next((dict(c) for c in page.context.cookies() if c.get("name") == "mitra_session"), None)


def test_the_login_page_is_in_bahasa_indonesia_and_accessible(page: Page) -> None:
    response = page.goto("/")
    assert response is not None
    assert path_of(page) == "/login", "someone not logged in is sent to the login page"
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.get_by_label("Kata sandi").count() == 1, "the password field is labelled in Bahasa Indonesia"
    for username in ("tpoa", "kemensos", "kemendagri", "jateng", "semarang", "plan", "auditor", "admin"):
        assert username in page.locator("body").inner_text(), f"the local demo banner lists {username}"
    check_accessibility(page)
    screenshot(page, "login", phone=True)


def test_english_is_one_click_away(page: Page) -> None:
    page.goto("/login")
    switch = page.locator("a[hreflang=en], button[lang=en], a[lang=en], form:has(input[value=en]) button").first
    with page.expect_navigation():
        switch.click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_label("Password").count() == 1


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=[a.username for a in DEMO_ACCOUNTS])
def test_each_demo_account_lands_on_its_own_work(page: Page, account: DemoAccount) -> None:
    log_in(page, account.username)
    home = ROLE_HOMES[account.role]
    assert path_of(page) == home, f"{account.username} lands on {path_of(page)}, not {home}"
    assert session_cookie(page) is not None
    text = page.locator("main").inner_text()
    for expected in account.sees:
        assert expected in text, f"{account.username} does not see {expected!r} on {home}"
    for unexpected in account.does_not_see:
        assert unexpected not in text, f"{account.username} sees {unexpected!r} on {home}, another office's work"
    check_accessibility(page)
    screenshot(page, f"{account.username}-home", phone=True)

    for other_role, other_home in ROLE_HOMES.items():
        if other_role == account.role or other_home in SHARED_PAGES.get(account.role, ()):
            continue
        response = page.goto(other_home)
        assert response is not None
        assert response.status in (403, 404) or path_of(page) == home, (
            f"{account.username} ({account.role}) opened {other_home}: {response.status} at {path_of(page)}"
        )


def test_a_wrong_password_is_refused(page: Page) -> None:
    log_in(page, "kemensos", "bukan-kata-sandinya")
    assert path_of(page) == "/login"
    assert session_cookie(page) is None
    alert = page.locator("[role=alert], .error-summary").first
    assert alert.is_visible(), "the login page says why"
    assert page.locator("html").get_attribute("lang") == "id"
    page.goto("/ministry")
    assert path_of(page) == "/login", "no session came of it"


def test_a_post_without_its_csrf_token_is_refused(page: Page) -> None:
    log_in(page, "kemensos")
    assert path_of(page) == "/ministry"
    # The logout button's own form, its hidden token taken out as a forged form would lack it.
    page.locator("form[action$='/logout'] input[name=csrf_token]").evaluate_all(
        "inputs => inputs.forEach(i => i.remove())"
    )
    with page.expect_navigation() as navigation:
        page.locator("form[action$='/logout'] [type=submit], form[action$='/logout'] button").first.click()
    response = navigation.value
    assert response is not None
    assert response.status == 403
    assert page.locator("html").get_attribute("lang") == "id"
    # A post from elsewhere, with the session cookie but no token, is refused as well; the session goes on.
    forged = page.request.post("/logout", form={}, max_redirects=0)
    assert forged.status == 403
    page.goto("/ministry")
    assert path_of(page) == "/ministry", "the refused posts did not end the session"


def test_logging_out_ends_the_session(page: Page, mitra: Mitra) -> None:
    log_in(page, "plan")
    assert path_of(page) == "/ngo"
    log_out(page)
    assert path_of(page) == "/login"
    page.goto("/ngo")
    assert path_of(page) == "/login", "the session ended with the logout"


def test_an_ngo_cannot_open_another_ngos_msp(page: Page, mitra: Mitra) -> None:
    listed = httpx.get(f"{mitra.url('agreements')}/msps", params={"limit": 100}, headers=as_role("tpoa"), timeout=10)
    listed.raise_for_status()
    care = next(msp for msp in listed.json()["items"] if msp["title"] == CARE_MSP)
    log_in(page, "plan")
    response = page.goto(f"/msps/{care['id']}")
    assert response is not None
    assert response.status in (403, 404), f"Plan International opened CARE's MSP: {response.status}"
    assert CARE_MSP not in page.locator("main").inner_text()


def test_logging_in_works_with_the_keyboard_alone(page: Page) -> None:
    page.goto("/login")

    def focused_name() -> str:
        return str(page.evaluate("() => document.activeElement && document.activeElement.getAttribute('name')"))

    for _ in range(12):  # the skip link, the language switch, then the form
        page.keyboard.press("Tab")
        if focused_name() == "username":
            break
    assert focused_name() == "username", "Tab reaches the username field"
    page.keyboard.type("plan")
    page.keyboard.press("Tab")
    assert focused_name() == "password"
    page.keyboard.type(DEMO_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert path_of(page) == "/ngo"
