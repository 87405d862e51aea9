"""A batch of notifications is leased (committed), sent with no transaction open, and its outcomes recorded under
the lease: a database that drops the session while the mails go out cannot make them go out twice."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session
from support.clock import FakeClock
from support.database import ADMIN_DSN, migrated_pool
from support.mail import Mailbox, SmtpServer
from support.notifications import NOTIFICATIONS, add_recipient, consume, context

from mitra_notifications.channels.smtp import SmtpMailer
from mitra_notifications.settings import NotificationsSettings
from mitra_notifications.sql import DELIVERIES
from mitra_notifications.usecases import deliveries
from mitra_notifications.usecases.deliveries import RetryPolicy, Senders
from mitra_shared import db
from mitra_shared.contracts.registry import OrganizationRegistered
from mitra_shared.uow import UnitOfWork

pytestmark = pytest.mark.integration


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(database, [NOTIFICATIONS], max_size=4) as ready:
        yield ready


class DroppingMailbox(Mailbox):
    """Takes every mail; on the first, terminates every session of the service's database before answering, as a
    database restart or an operator's `pg_terminate_backend` would."""

    def __init__(self, database: str) -> None:
        super().__init__()
        self.database = database
        self.dropped = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if not self.dropped:
            admin = await asyncpg.connect(ADMIN_DSN)
            try:
                self.dropped = await admin.fetchval(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1",
                    self.database,
                )
            finally:
                await admin.close()
        return await super().handle_DATA(server, session, envelope)


class _NoWebhooks:
    async def send(self, *, url: str, secret: str, message_id: str, payload: dict[str, Any]) -> None:
        raise AssertionError("no webhook in these tests")

    async def aclose(self) -> None:
        return None


@contextlib.asynccontextmanager
async def senders_to(mailbox: Mailbox) -> AsyncIterator[Senders]:
    """Senders whose mailer sends to a test SMTP server that hands every mail to `mailbox`."""
    with SmtpServer(mailbox=mailbox) as smtp:
        mailer = SmtpMailer(NotificationsSettings(smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_timeout_seconds=2))
        try:
            yield Senders(mailer=mailer, webhooks=_NoWebhooks())
        finally:
            await mailer.aclose()


async def _registered(pool: asyncpg.Pool, clock: FakeClock | None = None) -> None:
    data = OrganizationRegistered(
        organization_id=uuid.uuid4(),
        legal_name="Wetlands International",
        country_of_origin="NL",
        focus_areas=["disaster"],
        status="applicant",
        registered_at=datetime.now(UTC),
    )
    if clock is None:
        await consume(pool, data)
    else:
        await consume(pool, data, clock)


async def test_mails_sent_while_the_database_dropped_every_session_go_out_once(
    database: str, pool: asyncpg.Pool
) -> None:
    for index in range(6):
        await add_recipient(pool, f"TPOA {index}", "tpoa", email=f"tpoa{index}@kemlu.example")
    await _registered(pool)
    mailbox = DroppingMailbox(db.database_name(database))
    with SmtpServer(mailbox=mailbox) as smtp:
        mailer = SmtpMailer(NotificationsSettings(smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_timeout_seconds=2))
        senders = Senders(mailer=mailer, webhooks=_NoWebhooks())
        uow, policy = UnitOfWork(pool), RetryPolicy()
        try:
            first = await deliveries.deliver_pass(uow, context(), senders, batch_size=50, policy=policy)
            again = await deliveries.deliver_pass(uow, context(), senders, batch_size=50, policy=policy)
        finally:
            await mailer.aclose()
    assert mailbox.dropped > 0  # the sessions were indeed cut while the batch was out
    assert (first.attempted, again.attempted) == (6, 0)
    assert mailbox.count() == 6
    states = await pool.fetch("SELECT status, attempts FROM notifications WHERE channel = 'email'")
    assert [(row["status"], row["attempts"]) for row in states] == [("delivered", 1)] * 6
    assert await pool.fetchval("SELECT count(*) FROM delivery_attempts") == 6
    assert (
        await pool.fetchval("SELECT count(*) FROM outbox WHERE routing_key = 'notifications.notification.delivered'")
        == 6
    )


async def test_outcomes_recorded_again_under_the_same_lease_change_nothing(pool: asyncpg.Pool) -> None:
    await add_recipient(pool, "TPOA", "tpoa", email="tpoa@kemlu.example")
    await _registered(pool)
    now = datetime.now(UTC)
    leased_until = now + timedelta(seconds=60)
    leased = await pool.fetch(*DELIVERIES.lease_due_notifications(now=now, leased_until=leased_until, batch_size=10))
    assert len(leased) == 1

    async def settle() -> list[asyncpg.Record]:
        return await pool.fetch(
            *DELIVERIES.settle_attempts(
                notification_ids=[leased[0]["id"]],
                outcomes=["delivered"],
                errors=[None],
                delays=[0.0],
                now=now,
                leased_until=leased_until,
                look_ahead=True,
            )
        )

    assert [row["attempts"] for row in await settle()] == [1]
    assert await settle() == []  # a second run, as after a commit whose answer was lost
    assert await pool.fetchval("SELECT count(*) FROM delivery_attempts") == 1


async def test_a_batch_leased_by_a_pass_that_died_is_sent_once_its_lease_ran_out(pool: asyncpg.Pool) -> None:
    await add_recipient(pool, "TPOA", "tpoa", email="tpoa@kemlu.example")
    clock = FakeClock(datetime.now(UTC))
    await _registered(pool, clock)
    policy = RetryPolicy(lease=timedelta(seconds=60))
    # A pass leased the batch and died before sending it.
    leased_until = clock() + policy.lease
    await pool.fetch(*DELIVERIES.lease_due_notifications(now=clock(), leased_until=leased_until, batch_size=10))
    mailbox, uow = Mailbox(), UnitOfWork(pool)
    async with senders_to(mailbox) as senders:
        clock.advance(timedelta(seconds=59))
        held = await deliveries.deliver_pass(uow, context(clock), senders, batch_size=10, policy=policy)
        clock.advance(timedelta(seconds=2))
        sent = await deliveries.deliver_pass(uow, context(clock), senders, batch_size=10, policy=policy)
    assert (held.attempted, sent.attempted, mailbox.count()) == (0, 1, 1)


class PassKilled(BaseException):
    """The process dying where the test says (a BaseException: nothing in the pass catches it)."""


async def test_mails_a_dead_pass_got_taken_are_settled_by_the_next_pass_not_sent_again(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    for index in range(3):
        await add_recipient(pool, f"TPOA {index}", "tpoa", email=f"tpoa{index}@kemlu.example")
    clock = FakeClock(datetime.now(UTC))
    await _registered(pool, clock)
    policy = RetryPolicy(lease=timedelta(seconds=60))
    mailbox, uow = Mailbox(), UnitOfWork(pool)

    async def die(*args: Any, **kwargs: Any) -> None:
        raise PassKilled

    async with senders_to(mailbox) as senders:
        # The server takes the three mails; the process dies before the batch's outcomes are recorded.
        with monkeypatch.context() as patched:
            patched.setattr(deliveries, "_settle", die)
            with pytest.raises(PassKilled):
                await deliveries.deliver_pass(uow, context(clock), senders, batch_size=10, policy=policy)
        assert mailbox.count() == 3
        marked = await pool.fetchval("SELECT count(*) FROM notifications WHERE accepted_at IS NOT NULL")
        assert marked == 3
        clock.advance(policy.lease + timedelta(seconds=1))
        taken_over = await deliveries.deliver_pass(uow, context(clock), senders, batch_size=10, policy=policy)
    assert taken_over.attempted == 3
    assert mailbox.count() == 3, "the mails the server took were not sent again"
    states = await pool.fetch("SELECT status, attempts, accepted_at FROM notifications WHERE channel = 'email'")
    assert [(row["status"], row["attempts"], row["accepted_at"]) for row in states] == [("delivered", 1, None)] * 3
    delivered_events = "SELECT count(*) FROM outbox WHERE routing_key = 'notifications.notification.delivered'"
    assert await pool.fetchval(delivered_events) == 3
