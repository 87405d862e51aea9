"""Notifications' delivery against the real database and a real SMTP server in the test process."""

from __future__ import annotations

import threading
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import asyncpg
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from support import eventually, free_port

from mitra_notifications import routing
from mitra_notifications.delivery import DeliveryWorker
from mitra_notifications.mailer import SmtpMailer
from mitra_notifications.settings import NotificationsSettings
from mitra_notifications.webhooks import WebhookSender, new_secret
from mitra_shared import db
from mitra_shared.contracts.registry import OrganizationRegistered
from mitra_shared.events import CloudEvent, decode, encode, new_event

pytestmark = pytest.mark.integration


class Inbox:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        parsed = message_from_bytes(envelope.original_content or b"", policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.messages.append(parsed)
        return "250 OK"

    def count(self) -> int:
        with self.lock:
            return len(self.messages)


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    conn = await asyncpg.connect(database)
    try:
        await db.apply_migrations(
            conn, [db.SHARED_MIGRATIONS, db.MigrationSource("notifications", "mitra_notifications")]
        )
    finally:
        await conn.close()
    pool = await db.create_pool(database, min_size=1, max_size=6)
    try:
        yield pool
    finally:
        await pool.close()


async def _registered_event_for_tpoa(pool: asyncpg.Pool, recipients: int) -> CloudEvent[dict[str, Any]]:
    """What the consumer does on `registry.organization.registered`: one pending e-mail per TPOA recipient."""
    async with pool.acquire() as conn:
        for index in range(recipients):
            await conn.execute(
                routing.QUERIES.insert_recipient,
                uuid.uuid4(),
                f"TPOA {index}",
                "tpoa",
                f"tpoa{index}@kemlu.example",
                "id",
                *(None, new_secret(), None, None, None),  # no webhook, no region, no NGO
            )
    data = OrganizationRegistered(
        organization_id=uuid.uuid4(),
        legal_name="Rikolto International",
        country_of_origin="BE",
        focus_areas=["poverty"],
        status="applicant",
        registered_at=datetime.now(UTC),
    )
    event = decode(encode(new_event(data, subject=str(data.organization_id))))
    slim = routing.OrganizationRegistered.model_validate(event.data)
    async with pool.acquire() as conn, conn.transaction():
        await routing.organization_registered(conn, event, slim)
    return event


def _worker(pool: asyncpg.Pool, database: str, smtp_port: int, **overrides: Any) -> DeliveryWorker:
    settings = NotificationsSettings(smtp_host="127.0.0.1", smtp_port=smtp_port, smtp_timeout_seconds=2)
    params: dict[str, Any] = {
        "pool": pool,
        "listen_dsn": database,
        "mailer": SmtpMailer(settings),
        "webhooks": WebhookSender(timeout=2, allow_internal=True),
        "poll_interval": 0.1,
        "max_backoff": 0.2,
    }
    params.update(overrides)
    return DeliveryWorker(**params)


async def _statuses(pool: asyncpg.Pool) -> list[asyncpg.Record]:
    return await pool.fetch(
        "SELECT status, attempts, last_error FROM notifications WHERE channel = 'email' ORDER BY address"
    )


async def test_mail_waits_while_the_smtp_server_is_down_and_arrives_once_it_is_back(
    pool: asyncpg.Pool, database: str
) -> None:
    smtp_port = free_port()
    event = await _registered_event_for_tpoa(pool, recipients=3)
    worker = _worker(pool, database, smtp_port)
    await worker.start()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    try:

        async def failed_twice_each() -> bool:
            rows = await _statuses(pool)
            return len(rows) == 3 and all(r["status"] == "pending" and r["attempts"] >= 2 for r in rows)

        await eventually(failed_twice_each, description="repeated failed attempts while SMTP is down")
        assert all(
            "Connect" in (r["last_error"] or "") or "refused" in (r["last_error"] or "") for r in await _statuses(pool)
        )
        assert await pool.fetchval("SELECT count(*) FROM delivery_attempts WHERE NOT succeeded") >= 6

        controller.start()

        async def delivered() -> bool:
            return all(r["status"] == "delivered" for r in await _statuses(pool))

        await eventually(delivered, description="delivery after the SMTP server came back")
        assert inbox.count() == 3
        assert {m["To"] for m in inbox.messages} == {f"tpoa{i}@kemlu.example" for i in range(3)}
        assert all(m["Subject"] == "Ormas Asing baru terdaftar: Rikolto International" for m in inbox.messages)
        published = await pool.fetch("SELECT event_type, body FROM outbox ORDER BY seq")
        assert [row["event_type"] for row in published] == ["id.go.mitra.notifications.notification.delivered.v1"] * 3
        assert {decode(row["body"]).data["cause_event_id"] for row in published} == {str(event.id)}
    finally:
        await worker.stop()
        controller.stop()


async def test_a_notification_that_cannot_be_delivered_in_the_retry_period_fails_with_an_event(
    pool: asyncpg.Pool, database: str
) -> None:
    await _registered_event_for_tpoa(pool, recipients=1)
    worker = _worker(pool, database, free_port(), give_up_after=timedelta(seconds=0.5))
    await worker.start()
    try:

        async def failed() -> bool:
            return [r["status"] for r in await _statuses(pool)] == ["failed"]

        await eventually(failed, description="notification marked failed")
    finally:
        await worker.stop()
    [row] = await pool.fetch("SELECT event_type, body FROM outbox")
    assert row["event_type"] == "id.go.mitra.notifications.notification.failed.v1"
    data = decode(row["body"]).data
    assert data["attempts"] >= 1
    assert data["last_error"]


async def test_a_second_consumption_of_the_same_event_creates_no_second_notification(pool: asyncpg.Pool) -> None:
    event = await _registered_event_for_tpoa(pool, recipients=2)
    slim = routing.OrganizationRegistered.model_validate(event.data)
    async with pool.acquire() as conn, conn.transaction():
        await routing.organization_registered(conn, event, slim)
    # One e-mail and one inbox entry per TPOA recipient (the default rule), however often the event comes.
    assert await pool.fetchval("SELECT count(*) FROM notifications WHERE channel = 'email'") == 2
    assert await pool.fetchval("SELECT count(*) FROM notifications WHERE channel = 'inbox'") == 2
