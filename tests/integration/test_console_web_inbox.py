"""Every person's inbox and notification preferences in the console, in-process (the real console app, a real
database, the test's clock), with notifications answered by a recording stand-in: the list with its unread count
and links, marking one or all read, preferences read and saved, and the inbox not yet made (404) said plainly."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from test_console_web_offices import (  # the same console, stand-in services and log-in as the office pages
    MSP_ID,
    OBLIGATION_ID,
    LogIn,
    Services,
    browser,
    console_database,
    console_pool,
    csrf_of,
    log_in_as,
    services,
)

pytestmark = pytest.mark.integration
__all__ = ["browser", "console_database", "console_pool", "log_in_as", "services"]  # fixtures used here
NOTE_ID = "6f1f3c1e-0000-4000-8000-0000000000f1"


def entry(**values: Any) -> dict[str, Any]:
    return {
        "id": NOTE_ID,
        "created_at": "2026-12-02T03:00:00Z",
        "read_at": None,
        "subject": "Laporan dikembalikan",
        "body_text": "Kementerian mengembalikan laporan semester Anda dengan komentar.",
        "event_id": "6f1f3c1e-0000-4000-8000-0000000000e1",
        "event_type": "agreements.report.returned",
        "link": {
            "routing_key": "agreements.report.returned",
            "object_type": "obligation",
            "object_id": OBLIGATION_ID,
            "msp_id": MSP_ID,
            "organization_id": None,
        },
        **values,
    }


async def test_the_inbox_lists_links_and_marks_read(
    browser: httpx.AsyncClient, services: Services, log_in_as: LogIn
) -> None:
    services.answer(
        "notifications", "GET", "/me/inbox", {"items": [entry()], "total": 1, "unread": 1, "limit": 20, "offset": 0}
    )
    await log_in_as("ngo", organization_id="6f1f3c1e-0000-4000-8000-0000000000aa")
    page = await browser.get("/inbox", params={"unread": "yes"})
    assert page.status_code == 200, page.text
    assert "Laporan dikembalikan" in page.text
    assert f'href="/obligations/{OBLIGATION_ID}"' in page.text  # the entry leads to what it is about
    assert services.last("notifications", "/me/inbox").params["unread"] == ["true"]
    assert re.search(r'class="count"[^>]*>1<', page.text)  # the header's count, from the same answer

    services.answer("notifications", "POST", f"/me/inbox/{NOTE_ID}/read", entry(read_at="2026-12-03T03:00:00Z"))
    marked = await browser.post(
        f"/inbox/{NOTE_ID}/read", data={"csrf_token": csrf_of(page), "next": "/inbox?unread=yes"}
    )
    assert marked.status_code == 303
    assert marked.headers["location"] == "/inbox?unread=yes"
    assert services.sent("notifications", f"/me/inbox/{NOTE_ID}/read")
    elsewhere = await browser.post(
        f"/inbox/{NOTE_ID}/read", data={"csrf_token": csrf_of(page), "next": "https://evil.example/"}
    )
    assert elsewhere.headers["location"] == "/inbox"  # never sent off the console

    services.answer("notifications", "POST", "/me/inbox/read-all", {"marked": 3, "unread": 0})
    everything = await browser.post("/inbox/read-all", data={"csrf_token": csrf_of(page)})
    assert everything.status_code == 303
    assert "3 pesan ditandai sudah dibaca." in (await browser.get("/inbox")).text
    assert (await browser.post("/inbox/read-all", data={})).status_code == 403  # no CSRF token, nothing sent
    assert len([call for call in services.calls if call.path == "/me/inbox/read-all"]) == 1


async def test_an_inbox_not_made_yet_is_said_plainly(
    browser: httpx.AsyncClient, services: Services, log_in_as: LogIn
) -> None:
    await log_in_as("auditor")  # notifications answers 404: no recipient for the account yet
    page = await browser.get("/inbox")
    assert page.status_code == 200
    assert "Kotak masuk Anda sedang disiapkan" in page.text
    preferences = await browser.get("/settings/notifications")
    assert preferences.status_code == 200
    assert "Kotak masuk Anda sedang disiapkan" in preferences.text


async def test_preferences_are_read_and_saved(browser: httpx.AsyncClient, services: Services, log_in_as: LogIn) -> None:
    current = {"language": "id", "email_enabled": True, "digest": False, "email": "siti@example.org"}
    services.answer("notifications", "GET", "/me/preferences", current)
    await log_in_as("region", region_code="33")
    page = await browser.get("/settings/notifications")
    assert page.status_code == 200
    assert "siti@example.org" in page.text
    assert re.search(r'<option value="yes" selected>Ya, kirimi saya e-mail', page.text)

    wrong = await browser.post("/settings/notifications", data={"csrf_token": csrf_of(page), "language": "fr"})
    assert wrong.status_code == 422
    assert 'id="f-language-error"' in wrong.text
    assert not services.sent("notifications", "/me/preferences", "PUT")

    services.answer("notifications", "PUT", "/me/preferences", {**current, "digest": True})
    data = {"csrf_token": csrf_of(page), "language": "en", "email_enabled": "yes", "digest": "yes"}
    saved = await browser.post("/settings/notifications", data=data)
    assert saved.status_code == 303
    assert services.last("notifications", "/me/preferences", "PUT").body == {
        "language": "en",
        "email_enabled": True,
        "digest": True,
    }
