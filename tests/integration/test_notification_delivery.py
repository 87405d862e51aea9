"""Notifications' delivery against the real database and a real SMTP server in the test process."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from support.database import migrated_pool
from support.mail import SmtpServer
from support.notifications import NOTIFICATIONS, add_recipient, apply, consume, context
from support.polling import eventually

from mitra_devtools.launcher import free_port
from mitra_notifications.channels.smtp import SmtpMailer
from mitra_notifications.channels.webhooks import WebhookSender
from mitra_notifications.settings import NotificationsSettings
from mitra_notifications.usecases import deliveries
from mitra_notifications.workers.delivery import DeliveryWorker
from mitra_shared.contracts.registry import OrganizationRegistered
from mitra_shared.events import ReceivedEvent, decode
from mitra_shared.uow import UnitOfWork

pytestmark = pytest.mark.integration


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(database, [NOTIFICATIONS], max_size=6) as ready:
        yield ready


async def _registered_event_for_tpoa(pool: asyncpg.Pool, recipients: int) -> ReceivedEvent:
    """What the consumer does on `registry.organization.registered`: one pending e-mail per TPOA recipient."""
    for index in range(recipients):
        await add_recipient(pool, f"TPOA {index}", "tpoa", email=f"tpoa{index}@kemlu.example")
    data = OrganizationRegistered(
        organization_id=uuid.uuid4(),
        legal_name="Rikolto International",
        country_of_origin="BE",
        focus_areas=["poverty"],
        status="applicant",
        registered_at=datetime.now(UTC),
    )
    return await consume(pool, data)


def _worker(pool: asyncpg.Pool, database: str, smtp_port: int, **overrides: Any) -> DeliveryWorker:
    settings = NotificationsSettings(smtp_host="127.0.0.1", smtp_port=smtp_port, smtp_timeout_seconds=2)
    params: dict[str, Any] = {
        "uow": UnitOfWork(pool),
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
    smtp = SmtpServer()
    event = await _registered_event_for_tpoa(pool, recipients=3)
    worker = _worker(pool, database, smtp.port)
    await worker.start()
    try:

        async def failed_twice_each() -> bool:
            rows = await _statuses(pool)
            return len(rows) == 3 and all(r["status"] == "pending" and r["attempts"] >= 2 for r in rows)

        await eventually(failed_twice_each, description="repeated failed attempts while SMTP is down")
        assert all(
            "Connect" in (r["last_error"] or "") or "refused" in (r["last_error"] or "") for r in await _statuses(pool)
        )
        assert await pool.fetchval("SELECT count(*) FROM delivery_attempts WHERE NOT succeeded") >= 6

        smtp.start()

        async def delivered() -> bool:
            return all(r["status"] == "delivered" for r in await _statuses(pool))

        await eventually(delivered, description="delivery after the SMTP server came back")
        messages = smtp.mailbox.messages
        assert len(messages) == 3
        assert {m["To"] for m in messages} == {f"tpoa{i}@kemlu.example" for i in range(3)}
        assert all(m["Subject"] == "Ormas Asing baru terdaftar: Rikolto International" for m in messages)
        # Adding the recipients is audited (test_notifications_audit.py): the delivery's events are the others.
        published = await pool.fetch(
            "SELECT event_type, body FROM outbox WHERE routing_key NOT LIKE 'audit.%' ORDER BY seq"
        )
        assert [row["event_type"] for row in published] == ["id.go.mitra.notifications.notification.delivered.v1"] * 3
        assert {decode(row["body"]).data["cause_event_id"] for row in published} == {str(event.id)}
    finally:
        await worker.stop()
        smtp.stop()


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
    [row] = await pool.fetch("SELECT event_type, body FROM outbox WHERE routing_key NOT LIKE 'audit.%'")
    assert row["event_type"] == "id.go.mitra.notifications.notification.failed.v1"
    data = decode(row["body"]).data
    assert data["attempts"] >= 1
    assert data["last_error"]


async def test_a_second_consumption_of_the_same_event_creates_no_second_notification(pool: asyncpg.Pool) -> None:
    event = await _registered_event_for_tpoa(pool, recipients=2)
    await apply(pool, event)
    # One e-mail and one inbox entry per TPOA recipient (the default rule), however often the event comes.
    assert await pool.fetchval("SELECT count(*) FROM notifications WHERE channel = 'email'") == 2
    assert await pool.fetchval("SELECT count(*) FROM notifications WHERE channel = 'inbox'") == 2


async def test_a_resent_email_keeps_its_message_id(pool: asyncpg.Pool, database: str) -> None:
    """A mail server or client recognises the resent e-mail as the one it already has."""
    await _registered_event_for_tpoa(pool, recipients=1)
    notification_id = await pool.fetchval("SELECT id FROM notifications WHERE channel = 'email'")
    with SmtpServer() as smtp:
        worker = _worker(pool, database, smtp.port)
        await worker.start()
        try:
            await eventually(lambda: _mails(smtp, 1), description="the e-mail")
            await deliveries.resend(UnitOfWork(pool), context(), notification_id)
            first, second = await eventually(lambda: _mails(smtp, 2), description="the resent e-mail")
        finally:
            await worker.stop()
    assert first["Message-ID"] == second["Message-ID"] == f"<{notification_id}@localhost.localdomain>"
    assert first["X-Mitra-Notification-Id"] == second["X-Mitra-Notification-Id"] == str(notification_id)
    assert await pool.fetchval("SELECT attempts FROM notifications WHERE id = $1", notification_id) == 2


async def _mails(smtp: SmtpServer, count: int) -> list[Any] | None:
    messages = smtp.mailbox.messages
    return messages if len(messages) >= count else None
