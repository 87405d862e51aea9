"""Page weight (issue 12): the pages each demo role's first screen links to, with their assets, stay under 150 KB
compressed on a first visit (empty cache); the heaviest one is loaded again on a 1.6 Mbps / 150 ms line and its
weight and load time printed (`pytest -s`; `python -m bench.page_weight` prints a table of every page)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page
from support.browser import ROLE_HOMES, PageWeight, log_in, measure_page, pages_linked_from

pytestmark = pytest.mark.e2e

BUDGET_BYTES = 150 * 1024
ACCOUNTS = {"plan": "ngo", "kemensos": "ministry", "tpoa": "tpoa", "semarang": "region"}


def weigh_role_pages(page: Page, username: str | None) -> list[tuple[str | None, PageWeight]]:
    """Log in as `username` (None: stay logged out) and weigh its first screen and the pages it links to."""
    page.context.clear_cookies()
    if username is None:
        return [(None, measure_page(page, "/login", throttled=False))]
    log_in(page, username)
    paths = dict.fromkeys([ROLE_HOMES[ACCOUNTS[username]], *pages_linked_from(page, limit=12)])
    return [(username, measure_page(page, path, throttled=False)) for path in paths]


def test_every_page_with_its_assets_stays_under_150_kb(page: Page) -> None:
    weights = [w for username in [None, *ACCOUNTS] for w in weigh_role_pages(page, username)]
    username, heaviest = max(weights, key=lambda item: item[1].transferred_bytes)
    page.context.clear_cookies()
    if username is not None:
        log_in(page, username)
    slow = measure_page(page, heaviest.url, throttled=True)
    print(f"\n{len(weights)} pages weighed; the heaviest, as {username or 'nobody'}: {slow.line()}")
    over = [weight.line() for _, weight in weights if weight.transferred_bytes > BUDGET_BYTES]
    assert not over, "over 150 KB compressed:\n" + "\n".join(over)
    assert slow.transferred_bytes <= BUDGET_BYTES
