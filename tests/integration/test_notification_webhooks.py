"""Webhooks and the recipient directory against the real database and a real webhook receiver in the test process."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from aio_pika.abc import AbstractRobustConnection
from standardwebhooks.webhooks import Webhook
from support.broker import delete_namespace
from support.clock import FakeClock
from support.database import migrated_pool
from support.mail import SmtpServer
from support.polling import eventually
from support.subscriber import OutsideSubscriber
from support.webhooks import WebhookReceiver, webhook_receiver
from test_notification_delivery import NOTIFICATIONS, add_recipient, consume, context

from mitra_devtools.launcher import free_port
from mitra_notifications.channels import webhooks
from mitra_notifications.channels.smtp import SmtpMailer
from mitra_notifications.channels.webhooks import WebhookSender
from mitra_notifications.settings import NotificationsSettings
from mitra_notifications.usecases import recipients, subscriptions
from mitra_notifications.workers.delivery import DeliveryWorker
from mitra_notifications.workers.digest import DigestWorker
from mitra_shared.contracts import registry as contracts
from mitra_shared.events import ReceivedEvent, decode
from mitra_shared.outbox import OutboxRelay
from mitra_shared.topology import Names, declare_backbone
from mitra_shared.uow import UnitOfWork

pytestmark = pytest.mark.integration


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(database, [NOTIFICATIONS], max_size=6) as ready:
        yield ready


@pytest.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    async with webhook_receiver() as hooks:
        yield hooks


async def _tpoa_partner(pool: asyncpg.Pool, webhook_url: str, *, version: int = 1, contacts: int = 1) -> uuid.UUID:
    partner_id = uuid.uuid4()
    data = contracts.PartnerRegistered(
        partner_id=partner_id,
        partner_kind="tpoa",
        name="Tim Perizinan Ormas Asing",
        code="TPOA",
        contacts=[
            contracts.PartnerContact(name=f"Sekretariat {n}", email=None, webhook_url=webhook_url, language="en")
            for n in range(contacts)
        ],
        version=version,
        registered_at=datetime.now(UTC),
    )
    await consume(pool, data)
    return partner_id


async def _organization_registered(pool: asyncpg.Pool, organization_id: uuid.UUID | None = None) -> ReceivedEvent:
    data = contracts.OrganizationRegistered(
        organization_id=organization_id or uuid.uuid4(),
        legal_name="Swisscontact",
        country_of_origin="CH",
        focus_areas=["poverty"],
        status="applicant",
        registered_at=datetime.now(UTC),
    )
    return await consume(pool, data)


@pytest.fixture
async def worker(pool: asyncpg.Pool, database: str) -> AsyncIterator[DeliveryWorker]:
    settings = NotificationsSettings(smtp_port=free_port())
    running = DeliveryWorker(
        uow=UnitOfWork(pool),
        listen_dsn=database,
        mailer=SmtpMailer(settings),
        webhooks=WebhookSender(timeout=2, allow_internal=True),
        poll_interval=0.1,
        max_backoff=0.2,
        give_up_after=timedelta(seconds=1.5),
    )
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


async def _webhook_rows(pool: asyncpg.Pool) -> list[asyncpg.Record]:
    return await pool.fetch("SELECT * FROM notifications WHERE channel = 'webhook'")


async def test_a_partner_contact_gets_a_signed_webhook_that_verifies(
    pool: asyncpg.Pool, worker: DeliveryWorker, receiver: WebhookReceiver
) -> None:
    await _tpoa_partner(pool, receiver.url)
    event = await _organization_registered(pool)

    await eventually(lambda: _received(receiver, 1), description="webhook delivered")
    headers, body = receiver.received[0]
    secret = await pool.fetchval("SELECT webhook_secret FROM recipients")
    payload = Webhook(secret).verify(body, headers)
    assert payload["type"] == "id.go.mitra.registry.organization.registered.v1"
    assert payload["data"]["event"]["id"] == str(event.id)
    assert payload["data"]["language"] == "en"
    assert payload["data"]["subject"] == "New foreign NGO registered: Swisscontact"
    [row] = await _webhook_rows(pool)
    assert headers["webhook-id"] == str(row["id"])
    await eventually(lambda: _status(pool, "delivered"), description="webhook marked delivered")

    tampered = body.replace(b"Swisscontact", b"Swisscontakt")
    with pytest.raises(Exception, match=r"(?i)signature"):
        Webhook(secret).verify(tampered, headers)


async def test_a_failing_endpoint_gets_retries_then_the_notification_fails_with_an_event(
    pool: asyncpg.Pool,
    worker: DeliveryWorker,
    receiver: WebhookReceiver,
    database: str,
    namespace: str,
    amqp: AbstractRobustConnection,
) -> None:
    receiver.status = 500
    await _tpoa_partner(pool, receiver.url)
    await _organization_registered(pool)

    await eventually(lambda: _status(pool, "failed"), description="notification given up", timeout=20)
    assert len(receiver.received) >= 2
    # Every attempt carries the same webhook-id, so the receiver could deduplicate.
    assert len({headers["webhook-id"] for headers, _ in receiver.received}) == 1
    attempts = await pool.fetch("SELECT succeeded, error FROM delivery_attempts ORDER BY attempted_at")
    assert len(attempts) == len(receiver.received)
    assert all(not a["succeeded"] and "500" in a["error"] for a in attempts)
    failed = [
        decode(row["body"]).data
        for row in await pool.fetch("SELECT body FROM outbox WHERE event_type LIKE '%notification.failed.v1'")
    ]
    assert len(failed) == 1
    assert failed[0]["channel"] == "webhook"
    assert "500" in failed[0]["last_error"]

    # The relay publishes it: a subscribing system sees `notifications.notification.failed` on the exchange.
    names = Names(namespace)
    channel = await amqp.channel()
    await declare_backbone(channel, names)
    try:
        async with OutsideSubscriber(namespace, ["notifications.notification.failed"]) as subscriber:
            relay = OutboxRelay(pool=pool, listen_dsn=database, amqp=amqp, exchange_name=names.events_exchange)
            await relay.start()
            try:
                published = await subscriber.wait_for("notifications.notification.failed")
            finally:
                await relay.stop()
    finally:
        await channel.close()
        await delete_namespace(namespace, [])
    assert published["type"] == "id.go.mitra.notifications.notification.failed.v1"
    assert published["data"]["notification_id"] == failed[0]["notification_id"]


async def test_an_endpoint_that_answers_410_is_disabled(
    pool: asyncpg.Pool, worker: DeliveryWorker, receiver: WebhookReceiver
) -> None:
    receiver.status = 410
    await _tpoa_partner(pool, receiver.url)
    await _organization_registered(pool)

    await eventually(lambda: _status(pool, "failed"), description="notification failed at once")
    assert len(receiver.received) == 1
    assert await pool.fetchval("SELECT webhook_disabled_at IS NOT NULL FROM recipients")

    await _organization_registered(pool)
    # The next event reaches the recipient's inbox, but no longer its webhook.
    assert await pool.fetchval("SELECT count(*) FROM notifications WHERE channel = 'inbox'") == 2
    assert len(await _webhook_rows(pool)) == 1


async def test_the_directory_follows_registry_and_ignores_stale_versions(pool: asyncpg.Pool) -> None:
    partner_id = await _tpoa_partner(pool, "https://tpoa.example.go.id/hook", version=1, contacts=2)
    assert await pool.fetchval("SELECT count(*) FROM recipients WHERE active") == 2

    def updated(version: int, contacts: list[str]) -> contracts.PartnerUpdated:
        return contracts.PartnerUpdated(
            partner_id=partner_id,
            partner_kind="tpoa",
            name="TPOA",
            code="TPOA",
            contacts=[
                contracts.PartnerContact(name=name, email=f"{n}@kemlu.example") for n, name in enumerate(contacts)
            ],
            version=version,
            updated_at=datetime.now(UTC),
        )

    await consume(pool, updated(3, ["Sekretariat 0"]))
    rows = await pool.fetch("SELECT name, active, email, webhook_url FROM recipients ORDER BY name")
    assert [(r["name"], r["active"]) for r in rows] == [("Sekretariat 0", True), ("Sekretariat 1", False)]
    assert rows[0]["email"] == "0@kemlu.example"
    assert rows[0]["webhook_url"] is None

    # An older state arriving late (another relay replica, a retry) does not undo the newer one.
    await consume(pool, updated(2, ["Sekretariat 1", "Kepala Biro"]))
    rows = await pool.fetch("SELECT name, active FROM recipients ORDER BY name")
    assert [(r["name"], r["active"]) for r in rows] == [("Sekretariat 0", True), ("Sekretariat 1", False)]


async def test_routing_rules_are_data(pool: asyncpg.Pool) -> None:
    await _tpoa_partner(pool, "https://tpoa.example.go.id/hook")
    await pool.execute(
        "UPDATE routing_rules SET channels = '{inbox}' WHERE routing_key = 'registry.organization.registered'"
    )
    await _organization_registered(pool)
    assert [r["channel"] for r in await pool.fetch("SELECT channel FROM notifications")] == ["inbox"]

    await pool.execute("UPDATE routing_rules SET active = false")
    await _organization_registered(pool)
    assert await pool.fetchval("SELECT count(*) FROM notifications") == 1


async def _received(receiver: WebhookReceiver, count: int) -> bool:
    return len(receiver.received) >= count


async def _status(pool: asyncpg.Pool, status: str) -> bool:
    rows = await _webhook_rows(pool)
    return bool(rows) and all(row["status"] == status for row in rows)


async def test_a_subscription_for_one_ngo_hears_only_of_that_ngo(pool: asyncpg.Pool) -> None:
    await pool.execute("UPDATE routing_rules SET active = false")
    recipient = await add_recipient(pool, "Biro Kerja Sama, Kemensos", "ministry", email="kerjasama@kemensos.example")
    first = await _organization_registered(pool)
    uow = UnitOfWork(pool)

    async def subscribe(organization_ids: list[uuid.UUID] | None, region_codes: list[str] | None, channel: str) -> Any:
        command = subscriptions.NewSubscription(
            routing_keys=["registry.organization.registered"],
            organization_ids=organization_ids,
            region_codes=region_codes,
            channels=[channel],
        )
        return await subscriptions.subscribe(uow, context(), recipient["id"], command)

    await subscribe([uuid.UUID(first.subject)], None, "inbox")
    # A subscription limited to regions does not match an event that concerns no region.
    await subscribe(None, ["33"], "email")
    wanted = await _organization_registered(pool, organization_id=uuid.UUID(first.subject))
    await _organization_registered(pool)
    rows = await pool.fetch("SELECT event_id, channel FROM notifications")
    assert [(row["event_id"], row["channel"]) for row in rows] == [(wanted.id, "inbox")]


async def test_a_digest_recipient_gets_one_mail_a_day_with_everything(pool: asyncpg.Pool, database: str) -> None:
    recipient = await add_recipient(pool, "TPOA digest", "tpoa", email="tpoa-digest@kemlu.example")
    await recipients.set_digest(UnitOfWork(pool), context(), recipient["id"], True)
    for _ in range(3):
        await _organization_registered(pool)
    assert {r["status"] for r in await pool.fetch("SELECT status FROM notifications WHERE channel = 'email'")} == {
        "held"
    }

    clock = FakeClock(datetime(2026, 11, 23, 22, 0, tzinfo=UTC))  # 05:00 in Jakarta: before the digest hour
    with SmtpServer() as smtp:
        mailer = SmtpMailer(NotificationsSettings(smtp_port=smtp.port))

        def replica() -> DigestWorker:
            return DigestWorker(uow=UnitOfWork(pool), listen_dsn=database, mailer=mailer, clock=clock, send_hour=7)

        first, second = replica(), replica()
        assert await first.run_once() == 0
        clock.set(datetime(2026, 11, 24, 0, 30, tzinfo=UTC))  # 07:30 in Jakarta
        sent = await asyncio.gather(first.run_once(), second.run_once())
        assert sorted(sent) == [0, 1]
        assert await first.run_once() == 0  # once a day
    [mail] = smtp.mailbox.messages
    assert mail["Subject"] == "Ringkasan harian Mitra, 24 November 2026: 3 pemberitahuan"
    assert mail.get_body(("plain",)).get_content().count("Ormas Asing baru terdaftar: Swisscontact") == 3
    statuses = await pool.fetch("SELECT status, delivered_at FROM notifications WHERE channel = 'email'")
    assert {r["status"] for r in statuses} == {"delivered"}
    assert {r["delivered_at"] for r in statuses} == {clock()}  # the digest worker's clock, not the database's
    assert await pool.fetchval("SELECT count(*) FROM outbox WHERE event_type LIKE '%notification.delivered.v1'") == 3


async def test_a_webhook_is_posted_to_the_address_its_name_resolved_to_once_with_its_host_header(
    receiver: WebhookReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No second lookup between the check and the connection: the name (which no real name server knows) is resolved
    once, by the channel, and the request still names the host."""
    lookups: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"]

    monkeypatch.setattr(webhooks, "resolve", resolve)
    port = receiver.base.rsplit(":", 1)[1]
    url = f"http://hooks.pemda.example:{port}/hooks/mitra"
    sender = WebhookSender(timeout=2, allow_internal=True)
    try:
        await sender.send(url=url, secret="whsec_" + "A" * 44, message_id="m1", payload={"hello": "pemda"})
    finally:
        await sender.aclose()
    assert lookups == ["hooks.pemda.example"]
    [(headers, body)] = receiver.received
    assert headers["host"] == f"hooks.pemda.example:{port}"
    assert body == b'{"hello":"pemda"}'
