"""Every screen in each demo account's navigation opens, has no serious or critical accessibility violation
(axe-core), and is photographed for docs/screenshots/<account>-<page>.png, once per page (the first screens,
phone-sized too, are taken by test_browser_login.py)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page
from support.browser import check_accessibility, log_in, path_of, screenshot

pytestmark = pytest.mark.e2e

ACCOUNTS = ("plan", "kemensos", "kemendagri", "tpoa", "jateng", "semarang", "auditor", "admin")
PHOTOGRAPHED: set[str] = set()


def slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"


@pytest.mark.parametrize("username", ACCOUNTS)
def test_every_screen_in_the_navigation_opens_and_is_accessible(page: Page, username: str) -> None:
    log_in(page, username)
    landing = path_of(page)
    paths = page.eval_on_selector_all(
        "nav.site-nav a[href^='/']", "links => [...new Set(links.map(a => a.getAttribute('href')))]"
    )
    assert paths, f"{username} has no navigation"
    problems = []
    for path in paths:
        response = page.goto(path)
        if response is None or response.status >= 400:
            problems.append(f"{path}: {response.status if response else 'no response'}")
            continue
        try:
            check_accessibility(page)
        except AssertionError as error:
            problems.append(str(error))
        if path != landing and path not in PHOTOGRAPHED:  # a screen every office shares: once is enough
            PHOTOGRAPHED.add(path)
            screenshot(page, f"{username}-{slug(path)}")
    assert not problems, f"{username}'s screens:\n" + "\n".join(problems)
