"""A forgotten password, in the browser and the mailbox: the person asks for a link, the e-mail brings it, the link
sets a new password once, and the new password logs in (the old one no longer does). On an account of the test's
own, so that the demo accounts keep their password for the other tests."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page
from support.browser import (
    Mitra,
    check_accessibility,
    fill_form,
    links_in,
    log_in,
    path_of,
    screenshot,
    submit,
    wait_for_mail,
)

from mitra_devtools.token import local_token

pytestmark = pytest.mark.e2e

USERNAME = "auditor.lupa"
ADDRESS = "auditor.lupa@mitra-demo.example"
OLD_PASSWORD = "kata sandi lama yang sudah terlupa"
NEW_PASSWORD = "pelangi di atas candi borobudur"


def make_account(mitra: Mitra) -> None:
    admin = {"Authorization": f"Bearer {local_token('demo-admin', 'admin', name='demo administrator')}"}
    account = {"username": USERNAME, "display_name": "Auditor yang lupa (uji)", "role": "auditor", "email": ADDRESS,
               "password": OLD_PASSWORD}  # fmt: skip
    made = httpx.post(f"{mitra.console_url}/accounts", json=account, headers=admin, timeout=10)
    assert made.status_code == 201, made.text


def test_a_forgotten_password_is_reset_through_the_link_in_the_mail(page: Page, mitra: Mitra) -> None:
    make_account(mitra)
    before = len(mitra.mailbox.to(ADDRESS))
    page.goto("/login")
    with page.expect_navigation():
        page.locator("a[href='/password/forgot']").click()
    check_accessibility(page)
    form = page.locator("form[action='/password/forgot']")
    fill_form(form, {"name": USERNAME})
    submit(form)
    mail = wait_for_mail(mitra.mailbox, ADDRESS, after=before)
    link = next(link for link in links_in(mail) if "/password/reset/" in link)
    assert link.startswith(mitra.console_url), f"the link leads to this console: {link}"

    page.goto(link)
    check_accessibility(page)
    screenshot(page, "password-reset")
    form = page.locator("form:has([name=new_password])")
    fill_form(form, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    submit(form)
    assert path_of(page) == "/login"

    page.goto(link)
    assert page.locator("form:has([name=new_password])").count() == 0, "the link works once"

    log_in(page, USERNAME, OLD_PASSWORD)
    assert path_of(page) == "/login", "the old password no longer works"
    log_in(page, USERNAME, NEW_PASSWORD)
    assert path_of(page) == "/auditor"
