"""Notifications in batches: routing writes an event's notifications in one statement, the delivery worker sends a
batch of e-mails over one kept SMTP connection and records the batch's outcomes in one statement, each attempt in
the delivery log and each outcome's event in the outbox, as one notification at a time did."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session
from support.database import migrated_pool
from support.mail import Mailbox, SmtpServer
from support.notifications import NOTIFICATIONS, add_recipient, consume, context

from mitra_notifications.channels.smtp import SmtpMailer
from mitra_notifications.settings import NotificationsSettings
from mitra_notifications.usecases import deliveries
from mitra_notifications.usecases.deliveries import RetryPolicy, Senders
from mitra_shared.contracts.registry import OrganizationRegistered
from mitra_shared.events import decode
from mitra_shared.uow import UnitOfWork

pytestmark = pytest.mark.integration


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(database, [NOTIFICATIONS], max_size=6) as ready:
        yield ready


class CountingMailbox(Mailbox):
    """A mailbox that also tells over how many connections the mail came, and refuses `refused@` recipients."""

    def __init__(self) -> None:
        super().__init__()
        self.peers: set[object] = set()  # the client's address and port: one per connection

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.startswith("refused@"):
            return "550 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.peers.add(session.peer)
        return await super().handle_DATA(server, session, envelope)


async def _registered(pool: asyncpg.Pool) -> uuid.UUID:
    data = OrganizationRegistered(
        organization_id=uuid.uuid4(),
        legal_name="Rikolto International",
        country_of_origin="BE",
        focus_areas=["poverty"],
        status="applicant",
        registered_at=datetime.now(UTC),
    )
    return (await consume(pool, data)).id


def _senders(port: int) -> Senders:
    mailer = SmtpMailer(NotificationsSettings(smtp_host="127.0.0.1", smtp_port=port, smtp_timeout_seconds=2))
    return Senders(mailer=mailer, webhooks=_NoWebhooks())


class _NoWebhooks:
    async def send(self, *, url: str, secret: str, message_id: str, payload: dict[str, Any]) -> None:
        raise AssertionError("no webhook in these tests")

    async def aclose(self) -> None:
        return None


async def _deliver(pool: asyncpg.Pool, senders: Senders, *, batch_size: int = 50, **policy: Any) -> int:
    return await deliveries.deliver_due(
        UnitOfWork(pool), context(), senders, batch_size=batch_size, policy=RetryPolicy(**policy)
    )


async def test_an_event_for_many_recipients_is_routed_in_one_go_once(pool: asyncpg.Pool) -> None:
    english = await add_recipient(pool, "TPOA en", "tpoa", email="en@kemlu.example", language="en")
    await add_recipient(pool, "TPOA id", "tpoa", email="id@kemlu.example")
    await add_recipient(pool, "Kemensos", "ministry", email="desk@kemensos.example")  # no rule names ministries
    subscriber = await add_recipient(pool, "Watcher", "regency", email="watch@pemda.example", language="en")
    await pool.execute(
        "INSERT INTO subscriptions (id, recipient_id, routing_keys, channels, created_at)"
        " VALUES ($1, $2, '{registry.organization.registered}', '{email}', now())",
        uuid.uuid4(),
        subscriber["id"],
    )
    event_id = await _registered(pool)
    rows = await pool.fetch(
        "SELECT address, channel, status, language, subject, delivered_at IS NOT NULL AS done FROM notifications"
        " WHERE event_id = $1 ORDER BY address, channel",
        event_id,
    )
    assert [(r["address"], r["channel"], r["status"], r["done"]) for r in rows] == [
        ("en@kemlu.example", "email", "pending", False),
        ("id@kemlu.example", "email", "pending", False),
        ("inbox", "inbox", "delivered", True),
        ("inbox", "inbox", "delivered", True),
        ("watch@pemda.example", "email", "pending", False),
    ]
    subjects = {(r["address"], r["language"]): r["subject"] for r in rows if r["channel"] == "email"}
    assert subjects == {
        ("en@kemlu.example", "en"): "New foreign NGO registered: Rikolto International",
        ("id@kemlu.example", "id"): "Ormas Asing baru terdaftar: Rikolto International",
        ("watch@pemda.example", "en"): "New foreign NGO registered: Rikolto International",
    }
    inbox_owner = await pool.fetchval(
        "SELECT recipient_id FROM notifications WHERE event_id = $1 AND channel = 'inbox' AND language = 'en'",
        event_id,
    )
    assert inbox_owner == english["id"]


async def test_a_batch_of_mails_goes_over_one_kept_connection_with_every_attempt_recorded(pool: asyncpg.Pool) -> None:
    for index in range(12):
        await add_recipient(pool, f"TPOA {index}", "tpoa", email=f"tpoa{index}@kemlu.example")
    await _registered(pool)
    await _registered(pool)
    mailbox = CountingMailbox()
    with SmtpServer(mailbox=mailbox) as smtp:
        senders = _senders(smtp.port)
        try:
            assert await _deliver(pool, senders, batch_size=10) == 10
            assert await _deliver(pool, senders, batch_size=10) == 10
            assert await _deliver(pool, senders, batch_size=10) == 4
            assert await _deliver(pool, senders, batch_size=10) == 0
        finally:
            await senders.mailer.aclose()
    assert mailbox.count() == 24
    assert len(mailbox.peers) == 1  # three batches, one connection
    delivered = await pool.fetchval(
        "SELECT count(*) FROM notifications WHERE channel = 'email' AND status = 'delivered' AND attempts = 1"
        " AND delivered_at IS NOT NULL AND last_error IS NULL"
    )
    assert delivered == 24
    attempts = await pool.fetch("SELECT notification_id, succeeded, error FROM delivery_attempts")
    assert len(attempts) == 24
    assert all(a["succeeded"] and a["error"] is None for a in attempts)
    published = await pool.fetch("SELECT body FROM outbox WHERE routing_key = 'notifications.notification.delivered'")
    assert {decode(row["body"]).data["notification_id"] for row in published} == {
        str(a["notification_id"]) for a in attempts
    }


async def test_one_batch_records_mails_delivered_refused_for_retry_and_given_up(pool: asyncpg.Pool) -> None:
    await add_recipient(pool, "TPOA", "tpoa", email="tpoa@kemlu.example")
    await add_recipient(pool, "Refused", "tpoa", email="refused@kemlu.example")
    await add_recipient(pool, "Also", "tpoa", email="also@kemlu.example")
    await _registered(pool)
    old = await _registered(pool)
    # The old event's mails are past the retry period: a refusal gives them up.
    await pool.execute(
        "UPDATE notifications SET created_at = now() - interval '3 days', next_attempt_at = now() - interval '1 hour'"
        " WHERE event_id = $1",
        old,
    )
    mailbox = CountingMailbox()
    with SmtpServer(mailbox=mailbox) as smtp:
        senders = _senders(smtp.port)
        try:
            assert await _deliver(pool, senders, give_up_after=timedelta(days=2), max_backoff=60) == 6
        finally:
            await senders.mailer.aclose()
    assert sorted(m["To"] for m in mailbox.messages) == ["also@kemlu.example"] * 2 + ["tpoa@kemlu.example"] * 2
    assert len(mailbox.peers) == 1  # the refusal did not cost the connection
    rows = await pool.fetch(
        "SELECT n.address, n.event_id = $1 AS old, n.status, n.attempts, n.last_error,"
        " n.next_attempt_at > now() AS later FROM notifications n WHERE channel = 'email' ORDER BY address, old",
        old,
    )
    refused = [r for r in rows if r["address"] == "refused@kemlu.example"]
    assert [(r["old"], r["status"], r["attempts"], r["later"]) for r in refused] == [
        (False, "pending", 1, True),
        (True, "failed", 1, False),
    ]
    assert all("no such mailbox" in r["last_error"] for r in refused)
    assert all(r["status"] == "delivered" and r["last_error"] is None for r in rows if r not in refused)
    log = await pool.fetch("SELECT succeeded, error FROM delivery_attempts ORDER BY id")
    assert sorted(a["succeeded"] for a in log) == [False, False, True, True, True, True]
    kinds = await pool.fetch(
        "SELECT routing_key FROM outbox WHERE routing_key LIKE 'notifications.notification.%' ORDER BY seq"
    )
    assert sorted(k["routing_key"] for k in kinds) == ["notifications.notification.delivered"] * 4 + [
        "notifications.notification.failed"
    ]


async def test_a_kept_connection_the_server_dropped_is_replaced_without_a_failed_attempt(pool: asyncpg.Pool) -> None:
    await add_recipient(pool, "TPOA", "tpoa", email="tpoa@kemlu.example")
    await _registered(pool)
    first = SmtpServer()
    first.start()
    senders = _senders(first.port)
    try:
        assert await _deliver(pool, senders) == 1
        first.stop()  # the server goes away and comes back: the kept connection is gone
        with SmtpServer(first.port) as second:
            await _registered(pool)
            assert await _deliver(pool, senders) == 1
            assert [m["To"] for m in second.mailbox.messages] == ["tpoa@kemlu.example"]
    finally:
        first.stop()
        await senders.mailer.aclose()
    assert await pool.fetchval("SELECT count(*) FROM delivery_attempts WHERE NOT succeeded") == 0
    delivered = "SELECT count(*) FROM notifications WHERE status = 'delivered' AND channel = 'email'"
    assert await pool.fetchval(delivered) == 2
