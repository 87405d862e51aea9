"""Notifications' audit trail: every change made on a person's behalf (recipients, subscriptions, routing rules,
resending, marking an inbox item read) puts its entry in the outbox with the change, under
`audit.notifications.recorded`: the action, the actor, the values before and after, and never a webhook secret."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from support.app import asgi_client, prepared_app
from support.clock import FakeClock
from support.database import migrated_pool
from support.tokens import auth_headers
from test_notification_delivery import NOTIFICATIONS

from mitra_notifications.bootstrap import build_spec
from mitra_notifications.settings import NotificationsSettings
from mitra_shared.uow import UnitOfWork

pytestmark = pytest.mark.integration
ADMIN = auth_headers(subject="admin-7", role="admin", name="Admin Tujuh")
TPOA = auth_headers(subject="tpoa-3", role="tpoa", name="Sekretariat Tiga")
ROUTING_KEY = "audit.notifications.recorded"


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(database, [NOTIFICATIONS], max_size=4) as ready:
        yield ready


def _app(pool: asyncpg.Pool, clock: FakeClock) -> FastAPI:
    """The real app, its unit of work named for the service as a started service's is."""
    spec = build_spec(NotificationsSettings(environment="test", webhook_allow_internal_addresses=True))
    app = prepared_app(spec, pool, clock)
    app.state.uow = app.state.resources.uow = UnitOfWork(pool, service=spec.name)
    return app


@pytest.fixture
async def client(pool: asyncpg.Pool, clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(_app(pool, clock), headers=ADMIN) as found:
        yield found


async def _entries(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    """The audit entries in the outbox, oldest first."""
    rows = await pool.fetch("SELECT routing_key, body FROM outbox WHERE routing_key LIKE 'audit.%' ORDER BY seq")
    assert {row["routing_key"] for row in rows} <= {ROUTING_KEY}
    return [json.loads(bytes(row["body"]))["data"] for row in rows]


async def _only_new(pool: asyncpg.Pool, seen: int) -> dict[str, Any]:
    entries = await _entries(pool)
    assert len(entries) == seen + 1, [entry["action"] for entry in entries[seen:]]
    return entries[-1]


async def _recipient(client: httpx.AsyncClient) -> dict[str, Any]:
    body = {"name": "Sekretariat TPOA", "role": "tpoa", "email": "tpoa@kemlu.example"}
    body["webhook_url"] = "http://127.0.0.1:9/hooks/mitra"
    created = await client.post("/recipients", json=body)
    assert created.status_code == 201, created.text
    return dict(created.json())


async def test_recipient_changes_are_audited_with_actor_and_values_but_never_the_secret(
    client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    recipient = await _recipient(client)
    added = await _only_new(pool, 0)
    assert added["action"] == "recipient.added"
    assert (added["object_type"], added["object_id"]) == ("recipient", recipient["id"])
    assert added["actor"] == {"subject": "admin-7", "name": "Admin Tujuh", "role": "admin", "scope": {}}
    assert added["service"] == "notifications"
    assert added.get("before") is None
    assert added["after"]["webhook_url"] == "http://127.0.0.1:9/hooks/mitra"
    assert added["after"]["name"] == "Sekretariat TPOA"

    switched = await client.patch(f"/recipients/{recipient['id']}", json={"digest": True}, headers=TPOA)
    assert switched.status_code == 200, switched.text
    updated = await _only_new(pool, 1)
    assert updated["action"] == "recipient.updated"
    assert updated["actor"]["subject"] == "tpoa-3"
    assert (updated["before"]["digest"], updated["after"]["digest"]) == (False, True)

    unchanged = await client.patch(f"/recipients/{recipient['id']}", json={"digest": True}, headers=TPOA)
    assert unchanged.status_code == 200, unchanged.text
    assert len(await _entries(pool)) == 2  # nothing changed, nothing recorded

    deleted = await client.delete(f"/recipients/{recipient['id']}")
    assert deleted.status_code == 200, deleted.text
    deactivated = await _only_new(pool, 2)
    assert deactivated["action"] == "recipient.deactivated"
    assert (deactivated["before"]["active"], deactivated["after"]["active"]) == (True, False)

    secret = (await client.get(f"/recipients/{recipient['id']}/webhook-secret")).json()["secret"]
    assert secret.startswith("whsec_")
    bodies = await pool.fetch("SELECT body FROM outbox WHERE routing_key LIKE 'audit.%'")
    assert all(secret.encode() not in bytes(row["body"]) for row in bodies)
    assert all(b"webhook_secret" not in bytes(row["body"]) for row in bodies)
    assert all(b"whsec_" not in bytes(row["body"]) for row in bodies)


async def test_subscriptions_and_routing_rules_are_audited(client: httpx.AsyncClient, pool: asyncpg.Pool) -> None:
    recipient = await _recipient(client)
    seen = len(await _entries(pool))
    body = {"routing_keys": ["registry.permit.expiring"], "channels": ["inbox"]}
    subscribed = await client.post(f"/recipients/{recipient['id']}/subscriptions", json=body, headers=TPOA)
    assert subscribed.status_code == 201, subscribed.text
    created = await _only_new(pool, seen)
    assert (created["action"], created["object_type"]) == ("subscription.created", "subscription")
    assert created["object_id"] == subscribed.json()["id"]
    assert created["actor"]["role"] == "tpoa"
    assert created.get("before") is None
    assert created["after"]["routing_keys"] == ["registry.permit.expiring"]
    assert created["after"]["recipient_id"] == recipient["id"]

    ended = await client.delete(f"/recipients/{recipient['id']}/subscriptions/{subscribed.json()['id']}")
    assert ended.status_code == 204, ended.text
    deleted = await _only_new(pool, seen + 1)
    assert deleted["action"] == "subscription.deleted"
    assert deleted["before"]["channels"] == ["inbox"]
    assert deleted.get("after") is None

    rule = {"routing_key": "registry.permit.expiring", "audience": "ministries", "channels": ["inbox"]}
    put = await client.put("/routing-rules", json=rule)
    assert put.status_code == 200, put.text
    rule_created = await _only_new(pool, seen + 2)
    assert (rule_created["action"], rule_created["object_id"]) == ("routing_rule.created", put.json()["id"])
    assert rule_created.get("before") is None

    changed = await client.put("/routing-rules", json={**rule, "channels": ["email", "inbox"]})
    assert changed.status_code == 200, changed.text
    rule_updated = await _only_new(pool, seen + 3)
    assert rule_updated["action"] == "routing_rule.updated"
    assert rule_updated["before"]["channels"] == ["inbox"]
    assert rule_updated["after"]["channels"] == ["email", "inbox"]

    removed = await client.delete(f"/routing-rules/{put.json()['id']}")
    assert removed.status_code == 204, removed.text
    rule_deleted = await _only_new(pool, seen + 4)
    assert rule_deleted["action"] == "routing_rule.deleted"
    assert (rule_deleted["before"]["audience"], rule_deleted.get("after")) == ("ministries", None)

    missing = await client.delete(f"/routing-rules/{uuid.uuid4()}")
    assert missing.status_code == 404
    assert len(await _entries(pool)) == seen + 5  # a refused change records nothing


async def _notification(pool: asyncpg.Pool, recipient_id: str, channel: str, clock: FakeClock) -> uuid.UUID:
    notification_id = uuid.uuid4()
    status = "delivered" if channel == "inbox" else "failed"
    await pool.execute(
        """
        INSERT INTO notifications (id, event_id, event_type, recipient_id, channel, address, language, subject,
                                   body_text, body_html, status, attempts, last_error, created_at)
        VALUES ($1, $2, 'id.go.mitra.registry.permit.expiring.v1', $3, $4, 'tpoa@kemlu.example', 'id', 'Izin',
                'Isi.', '<p>Isi.</p>', $5, 3, 'refused', $6)
        """,
        notification_id,
        uuid.uuid4(),
        uuid.UUID(recipient_id),
        channel,
        status,
        clock(),
    )
    return notification_id


async def test_resending_and_the_first_reading_of_an_inbox_item_are_audited(
    client: httpx.AsyncClient, pool: asyncpg.Pool, clock: FakeClock
) -> None:
    recipient = await _recipient(client)
    seen = len(await _entries(pool))
    failed = await _notification(pool, recipient["id"], "email", clock)
    resent = await client.post(f"/notifications/{failed}/resend")
    assert resent.status_code == 200, resent.text
    entry = await _only_new(pool, seen)
    assert (entry["action"], entry["object_type"], entry["object_id"]) == (
        "notification.resent",
        "notification",
        str(failed),
    )
    assert entry["actor"]["subject"] == "admin-7"
    assert (entry["before"]["status"], entry["after"]["status"]) == ("failed", "pending")
    assert (entry["before"]["last_error"], entry["after"]["last_error"]) == ("refused", None)

    item = await _notification(pool, recipient["id"], "inbox", clock)
    read = await client.post(f"/recipients/{recipient['id']}/inbox/{item}/read", headers=TPOA)
    assert read.status_code == 200, read.text
    entry = await _only_new(pool, seen + 1)
    assert (entry["action"], entry["object_type"], entry["object_id"]) == ("inbox_item.read", "inbox_item", str(item))
    assert entry["actor"]["subject"] == "tpoa-3"
    assert entry["before"]["read_at"] is None
    assert datetime.fromisoformat(entry["after"]["read_at"]) == datetime.fromisoformat(read.json()["read_at"])

    again = await client.post(f"/recipients/{recipient['id']}/inbox/{item}/read", headers=TPOA)
    assert again.status_code == 200, again.text
    assert len(await _entries(pool)) == seen + 2  # reading it again changes nothing
