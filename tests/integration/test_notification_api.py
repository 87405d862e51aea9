"""Notifications' HTTP API (the real app over ASGI, not started) on the test's database: the inbox, the delivery
log and the refusals, as problem documents. The administrator manages recipients and rules; TPOA reads the inboxes
of TPOA's recipients (who may do what, in full: test_notifications_access.py)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import asyncpg
import httpx
import pytest
from support.app import api_client
from support.clock import FakeClock
from support.database import migrated_pool
from support.tokens import as_role
from test_notification_delivery import NOTIFICATIONS

from mitra_notifications.bootstrap import build_spec
from mitra_notifications.settings import NotificationsSettings

pytestmark = pytest.mark.integration
PROBLEM = "application/problem+json"
ADMIN = as_role("admin")
TPOA = as_role("tpoa")  # owns the inboxes of TPOA's recipients


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(database, [NOTIFICATIONS], max_size=4) as ready:
        yield ready


@pytest.fixture
async def client(pool: asyncpg.Pool, clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(
        build_spec(NotificationsSettings(environment="test")), pool, clock=clock, headers=ADMIN
    ) as found:
        yield found


async def _recipient(client: httpx.AsyncClient, name: str = "Sekretariat TPOA") -> str:
    created = await client.post("/recipients", json={"name": name, "role": "tpoa", "email": "tpoa@kemlu.example"})
    assert created.status_code == 201, created.text
    assert created.headers["Location"] == f"/recipients/{created.json()['id']}"
    return str(created.json()["id"])


async def _fill_inbox(pool: asyncpg.Pool, recipient_id: str, count: int, clock: FakeClock) -> list[uuid.UUID]:
    """`count` inbox notifications, one a minute up to now, oldest first."""
    ids = [uuid.uuid4() for _ in range(count)]
    await pool.executemany(
        """
        INSERT INTO notifications (id, event_id, event_type, recipient_id, channel, address, language, subject,
                                   body_text, body_html, status, created_at, delivered_at)
        VALUES ($1, $2, 'id.go.mitra.registry.organization.registered.v1', $3, 'inbox', 'inbox', 'id', $4, 'Isi.',
                '<p>Isi.</p>', 'delivered', $5, $5)
        """,
        [
            (
                notification_id,
                uuid.uuid4(),
                uuid.UUID(recipient_id),
                f"Pemberitahuan {n}",
                clock() - timedelta(minutes=count - n),
            )
            for n, notification_id in enumerate(ids)
        ],
    )
    return ids


async def test_any_inbox_notification_can_be_marked_read_however_full_the_inbox(
    client: httpx.AsyncClient, pool: asyncpg.Pool, clock: FakeClock
) -> None:
    recipient_id = await _recipient(client)
    oldest, *_ = await _fill_inbox(pool, recipient_id, 501, clock)
    inbox_url = f"/recipients/{recipient_id}/inbox"
    page = (await client.get(inbox_url, params={"limit": 500}, headers=TPOA)).json()
    assert (page["total"], page["unread"], len(page["items"])) == (501, 501, 500)
    assert str(oldest) not in {item["id"] for item in page["items"]}  # beyond the newest 500

    clock.advance(minutes=5)
    read = await client.post(f"{inbox_url}/{oldest}/read", headers=TPOA)
    assert read.status_code == 200, read.text
    assert read.json()["id"] == str(oldest)
    assert read.json()["subject"] == "Pemberitahuan 0"
    first_read = read.json()["read_at"]
    assert datetime.fromisoformat(first_read) == clock()

    clock.advance(minutes=5)
    again = await client.post(f"{inbox_url}/{oldest}/read", headers=TPOA)
    assert again.json()["read_at"] == first_read  # the first reading counts
    assert (await client.get(inbox_url, headers=TPOA)).json()["unread"] == 500
    unread_only = (await client.get(inbox_url, params={"unread": True, "limit": 500}, headers=TPOA)).json()
    assert str(oldest) not in {item["id"] for item in unread_only["items"]}


async def test_marking_read_what_is_not_in_the_inbox_is_a_404_problem(
    client: httpx.AsyncClient, pool: asyncpg.Pool, clock: FakeClock
) -> None:
    mine, theirs = await _recipient(client, "TPOA A"), await _recipient(client, "TPOA B")
    [their_notification] = await _fill_inbox(pool, theirs, 1, clock)
    for notification_id in (their_notification, uuid.uuid4()):
        response = await client.post(f"/recipients/{mine}/inbox/{notification_id}/read", headers=TPOA)
        assert response.status_code == 404
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["errors"] == [
            {
                "field": "path.notification_id",
                "reason": f"no inbox notification {notification_id} for recipient {mine}",
            }
        ]
    assert (await client.get(f"/recipients/{theirs}/inbox", headers=TPOA)).json()["unread"] == 1


async def test_the_changes_carry_the_services_clock(client: httpx.AsyncClient, clock: FakeClock) -> None:
    recipient_id = await _recipient(client)
    recipient = (await client.get(f"/recipients/{recipient_id}")).json()
    assert datetime.fromisoformat(recipient["created_at"]) == clock()
    rule = {"routing_key": "registry.permit.expired", "audience": "ngo", "channels": ["inbox", "inbox"]}
    put = await client.put("/routing-rules", json=rule)
    assert put.status_code == 200
    assert put.json()["channels"] == ["inbox"]
    assert put.json()["created_at"] == put.json()["updated_at"] == recipient["created_at"]
    clock.advance(hours=1)
    changed = await client.put("/routing-rules", json={**rule, "active": False})
    assert changed.json()["id"] == put.json()["id"]
    assert changed.json()["created_at"] == put.json()["created_at"]
    assert datetime.fromisoformat(changed.json()["updated_at"]) == clock()


@pytest.mark.parametrize(
    ("method", "path", "field", "headers"),
    [
        ("get", "/recipients/{id}", "path.recipient_id", ADMIN),
        ("get", "/recipients/{id}/webhook-secret", "path.recipient_id", ADMIN),
        ("delete", "/recipients/{id}", "path.recipient_id", ADMIN),
        ("get", "/recipients/{id}/inbox", "path.recipient_id", TPOA),
        ("post", "/notifications/{id}/resend", "path.notification_id", ADMIN),
        ("delete", "/routing-rules/{id}", "path.rule_id", ADMIN),
        ("delete", "/recipients/{id}/subscriptions/{id}", "path.recipient_id", ADMIN),
    ],
)
async def test_what_does_not_exist_is_a_404_problem(
    client: httpx.AsyncClient, method: str, path: str, field: str, headers: dict[str, str]
) -> None:
    response = await client.request(method, path.format(id=uuid.uuid4()), headers=headers)
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["errors"][0]["field"] == field


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Kesbangpol", "role": "regency"}, "body.email"),
        ({"name": "Kesbangpol", "role": "regency", "webhook_url": "http://127.0.0.1:9000/hook"}, "body.webhook_url"),
        ({"name": "Kesbangpol", "role": "regency", "webhook_url": "https://pemda.example:99999/"}, "body.webhook_url"),
    ],
)
async def test_a_recipient_without_a_usable_address_is_refused(
    client: httpx.AsyncClient, body: dict[str, str], field: str
) -> None:
    response = await client.post("/recipients", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["errors"][0]["field"] == field
    assert (await client.get("/recipients")).json() == []


async def test_a_subscription_names_events_by_routing_key_for_a_known_recipient(client: httpx.AsyncClient) -> None:
    subscription = {"routing_keys": ["registry.permit.expired"], "channels": ["email", "inbox", "email"]}
    unknown = await client.post(f"/recipients/{uuid.uuid4()}/subscriptions", json=subscription)
    assert unknown.status_code == 404
    recipient_id = await _recipient(client)
    bad = await client.post(
        f"/recipients/{recipient_id}/subscriptions", json={**subscription, "routing_keys": ["permits"]}
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "body.routing_keys.0"
    created = await client.post(f"/recipients/{recipient_id}/subscriptions", json=subscription)
    assert created.status_code == 201
    assert created.json()["channels"] == ["email", "inbox"]
    listed = (await client.get(f"/recipients/{recipient_id}/subscriptions")).json()
    assert [s["id"] for s in listed] == [created.json()["id"]]
    gone = await client.delete(f"/recipients/{recipient_id}/subscriptions/{created.json()['id']}")
    assert gone.status_code == 204
    assert (await client.get(f"/recipients/{recipient_id}/subscriptions")).json() == []
    unknown_subscription = await client.delete(f"/recipients/{recipient_id}/subscriptions/{uuid.uuid4()}")
    assert unknown_subscription.status_code == 404
    assert unknown_subscription.json()["errors"][0]["field"] == "path.subscription_id"


@pytest.mark.parametrize(("path", "headers"), [("/notifications", ADMIN), ("/recipients/{id}/inbox", TPOA)])
async def test_an_offset_beyond_any_list_is_refused_not_a_server_error(
    client: httpx.AsyncClient, path: str, headers: dict[str, str]
) -> None:
    recipient_id = await _recipient(client)
    response = await client.get(path.format(id=recipient_id), params={"offset": 10**30}, headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["errors"][0]["field"] == "query.offset"
    largest = await client.get(path.format(id=recipient_id), params={"offset": 1_000_000_000}, headers=headers)
    assert largest.status_code == 200
    assert largest.json()["items"] == []
