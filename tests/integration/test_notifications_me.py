"""A person's own notifications over notifications' real app (`/me`): the inbox of the recipient of their account,
newest first, filtered and paged, each entry with its link; the unread count; marking one or all read (audited once);
their preferences (language, e-mail on or off, digest), which routing then follows. 404 before the account has a
recipient."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from support.app import api_client
from support.clock import FakeClock
from support.database import migrated_pool
from support.tokens import as_role
from test_notification_delivery import NOTIFICATIONS, consume

from mitra_notifications.bootstrap import build_spec
from mitra_notifications.settings import NotificationsSettings
from mitra_shared.contracts import agreements, console

pytestmark = pytest.mark.integration

PLAN = uuid.UUID("6f1c2d3e-0000-4000-8000-00000000abcd")
PLAN_PARTY = agreements.OrganizationParty(organization_id=PLAN, name="Plan International")
KEMENSOS = agreements.MinistryParty(partner_id=uuid.uuid4(), name="Kementerian Sosial", code="KEMENSOS")
SITI = uuid.uuid4()
ME = as_role("ngo", subject=str(SITI), organization_id=PLAN)


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(database, [NOTIFICATIONS], max_size=4) as ready:
        await _account(ready, SITI, "ngo", organization_id=PLAN)
        yield ready


@pytest.fixture
async def client(pool: asyncpg.Pool, clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(build_spec(NotificationsSettings(environment="test")), pool, clock, headers=ME) as found:
        yield found


async def _account(pool: asyncpg.Pool, account_id: uuid.UUID, role: str, **scope: Any) -> None:
    await consume(
        pool,
        console.AccountCreated(
            account_id=account_id,
            username=f"user-{account_id.hex[:8]}",
            display_name="Siti Rahma",
            email="siti@plan.example",
            role=role,
            active=True,
            version=1,
            created_at=datetime.now(UTC),
            **scope,
        ),
    )


def _returned(comments: str) -> agreements.ReportReturned:
    return agreements.ReportReturned(
        obligation_id=uuid.uuid4(),
        obligation_kind="semester_report",
        msp_id=uuid.uuid4(),
        organization_id=PLAN,
        organization_name="Plan International",
        ministry_code="KEMENSOS",
        period="2027-S1",
        due_on=date(2027, 7, 31),
        submission_id=uuid.uuid4(),
        attempt=1,
        comments=comments,
        decided_by="kemensos-officer",
        decided_at=datetime.now(UTC),
    )


async def _three_entries(pool: asyncpg.Pool, clock: FakeClock) -> list[Any]:
    """A returned report, an approved MSP and another returned report, a minute apart."""
    events = []
    for data in (
        _returned("Lampirkan rincian dana."),
        agreements.MspApproved(
            msp_id=uuid.uuid4(),
            organization=PLAN_PARTY,
            ministry=KEMENSOS,
            approved_by="tpoa",
            approved_at=datetime.now(UTC),
        ),
        _returned("Tambahkan foto kegiatan."),
    ):
        events.append(await consume(pool, data, clock))
        clock.advance(timedelta(minutes=1))
    return events


async def _audit_actions(pool: asyncpg.Pool) -> list[str]:
    rows = await pool.fetch("SELECT body FROM outbox WHERE routing_key = 'audit.notifications.recorded' ORDER BY seq")
    return [json.loads(bytes(row["body"]))["data"]["action"] for row in rows]


async def test_my_inbox_is_newest_first_with_links_filters_and_the_unread_count(
    client: httpx.AsyncClient, pool: asyncpg.Pool, clock: FakeClock
) -> None:
    first, approved, last = await _three_entries(pool, clock)
    page = (await client.get("/me/inbox")).json()
    assert (page["total"], page["unread"]) == (3, 3)
    assert [item["event_id"] for item in page["items"]] == [str(last.id), str(approved.id), str(first.id)]
    newest = page["items"][0]
    assert newest["subject"] == "Dikembalikan dengan catatan: laporan semester 2027-S1 dari Plan International"
    assert "Catatan peninjau: Tambahkan foto kegiatan." in newest["body_text"]
    assert newest["read_at"] is None
    assert newest["link"] == {
        "routing_key": "agreements.report.returned",
        "object_type": "obligation",
        "object_id": last.data["obligation_id"],
        "msp_id": last.data["msp_id"],
        "organization_id": str(PLAN),
    }
    assert page["items"][1]["link"]["object_type"] == "msp"
    assert set(newest) == {"id", "created_at", "read_at", "subject", "body_text", "event_id", "event_type", "link"}

    paged = (await client.get("/me/inbox", params={"limit": 1, "offset": 1})).json()
    assert [item["event_id"] for item in paged["items"]] == [str(approved.id)]

    read = await client.post(f"/me/inbox/{newest['id']}/read")
    assert read.status_code == 200, read.text
    assert read.json()["read_at"] is not None
    assert read.json()["link"] == newest["link"]
    assert (await client.get("/me/inbox/unread-count")).json() == {"unread": 2}
    unread = (await client.get("/me/inbox", params={"unread": "true"})).json()
    assert [item["event_id"] for item in unread["items"]] == [str(approved.id), str(first.id)]
    assert [i["id"] for i in (await client.get("/me/inbox", params={"unread": "false"})).json()["items"]] == [
        newest["id"]
    ]

    again = await client.post(f"/me/inbox/{newest['id']}/read")
    assert again.json()["read_at"] == read.json()["read_at"], "the first reading counts"
    assert await _audit_actions(pool) == ["inbox_item.read"], "reading again records nothing"

    assert (await client.post("/me/inbox/read-all")).json() == {"marked": 2, "unread": 0}
    assert (await client.get("/me/inbox/unread-count")).json() == {"unread": 0}
    assert (await client.post("/me/inbox/read-all")).json() == {"marked": 0, "unread": 0}
    assert await _audit_actions(pool) == ["inbox_item.read", "inbox.read_all"]


async def test_an_entry_of_another_inbox_is_not_found_in_mine(client: httpx.AsyncClient, pool: asyncpg.Pool) -> None:
    other = uuid.uuid4()
    await _account(pool, other, "ministry", ministry_code="KEMENSOS")
    await consume(pool, _returned("x"))  # reaches only Siti (the NGO's account)
    hers = (await client.get("/me/inbox")).json()["items"][0]["id"]
    officer = as_role("ministry", subject=str(other), ministry_code="KEMENSOS")
    response = await client.post(f"/me/inbox/{hers}/read", headers=officer)
    assert response.status_code == 404, response.text
    assert response.json()["errors"][0]["field"] == "path.notification_id"
    assert (await client.get("/me/inbox", headers=officer)).json()["total"] == 0


async def test_my_preferences_are_mine_to_change_and_routing_follows_them(
    client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    assert (await client.get("/me/preferences")).json() == {
        "language": "id",
        "email_enabled": True,
        "digest": False,
        "email": "siti@plan.example",
    }
    changed = await client.put("/me/preferences", json={"language": "en", "email_enabled": False, "digest": False})
    assert changed.status_code == 200, changed.text
    assert changed.json()["language"] == "en"
    assert changed.json()["email_enabled"] is False
    assert await _audit_actions(pool) == ["recipient.preferences_changed"]
    same = await client.put("/me/preferences", json={"language": "en", "email_enabled": False, "digest": False})
    assert same.status_code == 200
    assert await _audit_actions(pool) == ["recipient.preferences_changed"], "no change, no entry"

    event = await consume(pool, _returned("Please attach the receipts."))
    channels = await pool.fetch("SELECT channel, subject FROM notifications WHERE event_id = $1", event.id)
    assert [(row["channel"], row["subject"]) for row in channels] == [
        ("inbox", "Returned with comments: Plan International's semester report 2027-S1")
    ], "e-mail off: the inbox alone, in English"

    refused = await client.put("/me/preferences", json={"language": "fr", "email_enabled": True, "digest": False})
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["errors"][0]["field"] == "body.language"
    missing = await client.put("/me/preferences", json={"language": "id"})
    assert missing.status_code == 422
    assert {error["field"] for error in missing.json()["errors"]} == {"body.email_enabled", "body.digest"}
    assert (await client.get("/me/preferences")).json()["language"] == "en", "nothing half-written"


async def test_a_person_without_a_recipient_yet_is_told_so(client: httpx.AsyncClient, pool: asyncpg.Pool) -> None:
    stranger = as_role("ngo", subject=str(uuid.uuid4()), organization_id=PLAN)
    for method, path in (("GET", "/me/inbox"), ("GET", "/me/inbox/unread-count"), ("GET", "/me/preferences")):
        response = await client.request(method, path, headers=stranger)
        assert response.status_code == 404, (path, response.text)
        assert "no recipient yet" in response.json()["detail"]
    # The same subject under a role that does not fit its recipient's kind is not its owner either.
    assert (await client.get("/me/inbox", headers=as_role("tpoa", subject=str(SITI)))).status_code == 404


async def test_an_auditors_account_has_an_inbox_that_no_routing_rule_fills(
    client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    auditor = uuid.uuid4()
    await _account(pool, auditor, "auditor")
    await consume(pool, _returned("x"))
    headers = as_role("auditor", subject=str(auditor))
    assert (await client.get("/me/inbox", headers=headers)).json()["total"] == 0
    assert (await client.get("/me/preferences", headers=headers)).status_code == 200
