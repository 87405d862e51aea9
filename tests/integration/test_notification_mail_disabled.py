"""Mail disabled on purpose (`MITRA_MAIL_DISABLED=true`): e-mails are not sent but recorded as skipped, in the delivery
log and the metric, and never tried again; webhooks still go out; held e-mails are skipped rather than digested."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from types import SimpleNamespace

import asyncpg
import pytest
from prometheus_client import REGISTRY
from support.database import migrated_pool
from support.notifications import NOTIFICATIONS, add_recipient, consume, context
from support.webhooks import webhook_receiver

from mitra_notifications.bootstrap import build_spec
from mitra_notifications.channels.webhooks import WebhookSender
from mitra_notifications.settings import NotificationsSettings
from mitra_notifications.usecases import deliveries, digest
from mitra_notifications.usecases.deliveries import RetryPolicy, Senders
from mitra_notifications.workers.delivery import DeliveryWorker
from mitra_notifications.workers.digest import DigestWorker
from mitra_shared.contracts.registry import OrganizationRegistered
from mitra_shared.uow import UnitOfWork

pytestmark = pytest.mark.integration


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(database, [NOTIFICATIONS]) as ready:
        yield ready


def _deliveries(channel: str, outcome: str) -> float:
    found = REGISTRY.get_sample_value(
        "mitra_notification_deliveries_total", {"channel": channel, "outcome": outcome}
    )
    return found or 0.0


async def _registered(pool: asyncpg.Pool, name: str) -> None:
    await consume(
        pool,
        OrganizationRegistered(
            organization_id=uuid.uuid4(),
            legal_name=name,
            country_of_origin="BE",
            focus_areas=["poverty"],
            status="applicant",
            registered_at=datetime.now(UTC),
        ),
    )


async def test_with_the_mail_disabled_an_email_is_recorded_as_skipped_and_a_webhook_still_goes_out(
    pool: asyncpg.Pool,
) -> None:
    async with webhook_receiver() as hooks:
        await add_recipient(pool, "TPOA", "tpoa", email="tpoa@kemlu.example", webhook_url=hooks.url)
        await _registered(pool, "Rikolto International")
        skipped_before, delivered_before = _deliveries("email", "skipped"), _deliveries("webhook", "delivered")
        senders = Senders(mailer=None, webhooks=WebhookSender(timeout=2, allow_internal=True))
        try:
            attempted = await deliveries.deliver_due(
                UnitOfWork(pool), context(), senders, batch_size=10, policy=RetryPolicy()
            )
            again = await deliveries.deliver_due(
                UnitOfWork(pool), context(), senders, batch_size=10, policy=RetryPolicy()
            )
        finally:
            await senders.webhooks.aclose()
        assert len(hooks.received) == 1
    assert (attempted, again) == (2, 0)  # a skipped e-mail is not tried again
    rows = await pool.fetch("SELECT channel, status, last_error FROM notifications WHERE channel <> 'inbox'")
    by_channel = {row["channel"]: row for row in rows}
    assert by_channel["webhook"]["status"] == "delivered"
    assert by_channel["email"]["status"] == "skipped"
    assert "MITRA_MAIL_DISABLED" in by_channel["email"]["last_error"]
    log = await deliveries.list_notifications(UnitOfWork(pool), status="skipped")
    [entry] = log.items
    assert entry["address"] == "tpoa@kemlu.example"
    assert [(a["succeeded"], "mail is disabled" in a["error"]) for a in entry["delivery_log"]] == [(False, True)]
    assert _deliveries("email", "skipped") == skipped_before + 1
    assert _deliveries("webhook", "delivered") == delivered_before + 1
    # Neither delivered nor failed: no event says it was.
    assert await pool.fetchval("SELECT count(*) FROM outbox WHERE routing_key LIKE 'notifications.notification.%'") == 1


async def test_with_the_mail_disabled_held_emails_are_skipped_not_digested(pool: asyncpg.Pool) -> None:
    recipient = await add_recipient(pool, "TPOA", "tpoa", email="tpoa@kemlu.example")
    await pool.execute("UPDATE recipients SET digest = true WHERE id = $1", recipient["id"])
    await _registered(pool, "Rikolto International")
    await _registered(pool, "Oxfam Novib")
    assert await pool.fetchval("SELECT count(*) FROM notifications WHERE status = 'held'") == 2
    before = _deliveries("email", "skipped")
    skipped = await digest.send_digests(UnitOfWork(pool), context(), None, send_hour=0, batch_size=1)
    rest = await digest.send_digests(UnitOfWork(pool), context(), None, send_hour=0, batch_size=10)
    assert (skipped, rest) == (1, 1)
    statuses = await pool.fetch("SELECT status, last_error FROM notifications WHERE channel = 'email'")
    assert {row["status"] for row in statuses} == {"skipped"}
    assert all("MITRA_MAIL_DISABLED" in row["last_error"] for row in statuses)
    assert await pool.fetchval("SELECT count(*) FROM digests") == 0
    assert _deliveries("email", "skipped") == before + 2


async def test_the_wiring_gives_the_workers_no_mailer_when_the_mail_is_disabled() -> None:
    settings = NotificationsSettings(environment="test", mail_disabled=True)
    resources = SimpleNamespace(uow=None, clock=lambda: datetime.now(UTC), settings=settings)
    workers = [make(resources) for make in build_spec(settings).workers]  # type: ignore[arg-type]
    try:
        delivery = next(w for w in workers if isinstance(w, DeliveryWorker))
        digest_worker = next(w for w in workers if isinstance(w, DigestWorker))
        assert delivery._senders.mailer is None
        assert digest_worker._mailer is None
    finally:
        for worker in workers:
            await worker.stop()
