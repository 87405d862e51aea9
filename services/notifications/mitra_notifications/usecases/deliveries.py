"""Delivering notifications (e-mail, webhooks), the delivery log, and resending.

Due notifications are claimed with `FOR UPDATE SKIP LOCKED` (a batch in one statement), sent (e-mails one after
another over each of the mailer's kept SMTP connections, webhooks side by side), and the batch's outcomes (each
attempt in the delivery log, each new status in one statement, and the `delivered`/`failed` events) committed
together in one unit of work. An SMTP server that is down delays delivery; nothing is lost, and delivery resumes
when it is back. With the mail disabled on purpose (`MITRA_MAIL_DISABLED=true`, no mailer), an e-mail is not sent:
it is recorded as `skipped`, with the reason in its delivery log; webhooks go out as ever.

The guarantee is at least once, with the window for a second copy made as small as SMTP allows: a batch is leased
(committed), sent with no transaction open, each notification marked (`accepted_at`, on its own) the moment the
server took it, and the outcomes recorded under the lease. A pass that dies before recording leaves its marks, and
the pass that takes the batch over when the lease ran out settles the marked ones as delivered without sending
them. Only a death between the server's answer and the mark (about a millisecond) sends a mail again, with the same
Message-ID, so that the receiving server or client can recognise the duplicate. An attempt is never lost from the
delivery log once its outcome committed.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

import asyncpg
import structlog

from mitra_notifications.domain import deliveries
from mitra_notifications.sql import DELIVERIES, RECIPIENTS
from mitra_shared import db, metrics, outbox
from mitra_shared.context import Context
from mitra_shared.contracts.notifications import NotificationDelivered, NotificationFailed
from mitra_shared.db import Record
from mitra_shared.errors import NotFound
from mitra_shared.uow import Transaction, UnitOfWork

log = structlog.get_logger(__name__)


class Mailer(Protocol):
    async def send(self, *, to: str, subject: str, text: str, html: str, message_id: str) -> None: ...
    async def aclose(self) -> None: ...


class WebhookPoster(Protocol):
    async def send(self, *, url: str, secret: str, message_id: str, payload: dict[str, Any]) -> None: ...
    async def aclose(self) -> None: ...


@dataclass(frozen=True)
class Senders:
    """The channels that send: e-mail (None: the mail is disabled on purpose) and webhooks."""

    mailer: Mailer | None
    webhooks: WebhookPoster


@dataclass(frozen=True)
class RetryPolicy:
    """How notifications are attempted: retried with backoff up to `max_backoff` until `give_up_after`; a batch is
    reserved for the pass that took it for `lease` (longer than sending it and recording its outcomes, which is
    tried again for half of it); a batch left by a replica that died is sent again once its lease ran out."""

    give_up_after: timedelta = timedelta(hours=48)
    max_backoff: float = 900.0
    lease: timedelta = timedelta(seconds=60)


@dataclass(frozen=True)
class DeliveryPass:
    """What one pass did: how many notifications it attempted and, when it attempted some but not a full batch (the
    worker sleeps next), when the next pending one falls due as its settling saw it (None: none is pending)."""

    attempted: int
    next_due_at: datetime | None = None
    knows_next_due: bool = False


async def deliver_due(uow: UnitOfWork, ctx: Context, senders: Senders, *, batch_size: int, policy: RetryPolicy) -> int:
    """Attempt every notification that is due (one batch); return how many were attempted."""
    return (await deliver_pass(uow, ctx, senders, batch_size=batch_size, policy=policy)).attempted


async def deliver_pass(
    uow: UnitOfWork, ctx: Context, senders: Senders, *, batch_size: int, policy: RetryPolicy
) -> DeliveryPass:
    """Attempt every notification that is due (one batch): lease the batch (committed), send with no transaction
    open, each marked the moment the server took it, then record the outcomes under the lease, on a new connection if
    the database dropped the first. A pass that dies before that record leaves its marks: the pass that takes the
    batch over once the lease ran out settles the marked ones as delivered and sends only the others. A mail goes out
    twice only if the process dies between the server's answer and its mark (or the database is lost for both the
    mark and the whole settling): it is sent again once the lease ran out, with the same Message-ID."""
    async with uow.change(ctx) as tx:
        leased_until = tx.now + policy.lease
        rows = await tx.conn.fetch(
            *DELIVERIES.lease_due_notifications(now=tx.now, leased_until=leased_until, batch_size=batch_size)
        )
    if not rows:
        return DeliveryPass(0)
    # E-mails queue for the mailer's kept SMTP connections; webhooks go out side by side meanwhile.
    outcomes = await asyncio.gather(
        *(_attempt(uow, senders, row, leased_until, ctx.now) for row in rows), return_exceptions=True
    )
    errors = [o if isinstance(o, BaseException) else None for o in outcomes]
    look_ahead = len(rows) < batch_size
    give_up_at = asyncio.get_running_loop().time() + policy.lease.total_seconds() / 2
    for attempt in itertools.count():
        try:
            async with uow.change(ctx) as tx:
                next_due_at, known = await _settle(
                    tx, rows, errors, policy, leased_until=leased_until, look_ahead=look_ahead
                )
            return DeliveryPass(len(rows), next_due_at, knows_next_due=look_ahead and known)
        except db.DATABASE_LOST as error:
            if asyncio.get_running_loop().time() >= give_up_at:
                raise
            log.warning("the outcomes of a delivery batch not recorded yet; trying again", error=str(error))
            await asyncio.sleep(min(0.1 * 2**attempt, 2.0))
    raise AssertionError("unreachable")  # itertools.count() never ends


async def seconds_until_due(uow: UnitOfWork, now: datetime) -> float | None:
    async with uow.read() as conn:
        due = await conn.fetchval(*DELIVERIES.seconds_until_next_due(now=now))
    return None if due is None else float(due)


async def _attempt(
    uow: UnitOfWork, senders: Senders, row: asyncpg.Record, leased_until: datetime, now: datetime
) -> None:
    """Send one notification and mark it taken at once; one a dead pass's server already took is not sent again."""
    if row["accepted_at"] is not None:
        return  # the server took it in a pass that died before settling: delivered, settled now
    await _send(senders, row)
    try:
        async with uow.read() as conn:
            await conn.execute(
                *DELIVERIES.mark_accepted(notification_id=row["id"], leased_until=leased_until, accepted_at=now)
            )
    except Exception as error:
        # Sent all the same: the batch's settling records it; only a death before that would send it again.
        log.warning("a sent notification not marked as taken", notification_id=str(row["id"]), error=str(error))


async def _send(senders: Senders, row: asyncpg.Record) -> None:
    if row["channel"] == "email":
        if senders.mailer is None:
            raise deliveries.MailDisabled()
        await senders.mailer.send(
            to=row["address"],
            subject=row["subject"],
            text=row["body_text"],
            html=row["body_html"],
            message_id=str(row["id"]),
        )
    elif row["channel"] == "webhook":
        await senders.webhooks.send(
            url=row["address"],
            secret=row["webhook_secret"],
            message_id=str(row["id"]),
            payload=deliveries.webhook_payload(row),
        )
    else:
        raise ValueError(f"channel {row['channel']} is not delivered by this worker")


async def _settle(
    tx: Transaction,
    rows: list[asyncpg.Record],
    errors: list[BaseException | None],
    policy: RetryPolicy,
    *,
    leased_until: datetime,
    look_ahead: bool = False,
) -> tuple[datetime | None, bool]:
    """Record a batch's outcomes (each attempt in the delivery log, each notification's new state) in one statement,
    then publish what became of each: `delivered`, or `failed` once given up. Only what is still under the batch's
    lease is recorded (a second run records nothing twice). With `look_ahead`, return when the next pending
    notification falls due (None: none is pending) and whether that is known (not when nothing was recorded)."""
    conn, now = tx.conn, tx.now
    verdicts = [
        deliveries.judge(error, created_at=row["created_at"], now=now, give_up_after=policy.give_up_after)
        for row, error in zip(rows, errors, strict=True)
    ]
    descriptions = [None if error is None else deliveries.describe(error) for error in errors]
    delays = [
        outbox.backoff_seconds(row["attempts"], base=2.0, cap=policy.max_backoff) if v.outcome == "retry" else 0.0
        for row, v in zip(rows, verdicts, strict=True)
    ]
    settled = await conn.fetch(
        *DELIVERIES.settle_attempts(
            notification_ids=[row["id"] for row in rows],
            outcomes=[verdict.outcome for verdict in verdicts],
            errors=descriptions,
            delays=delays,
            now=now,
            leased_until=leased_until,
            look_ahead=look_ahead,
        )
    )
    after = {row["id"]: row for row in settled}
    for row, verdict, description, delay in zip(rows, verdicts, descriptions, delays, strict=True):
        notification_id, done = row["id"], after.get(row["id"])
        if done is None:
            continue  # recorded by an earlier run of this settling, or sent again by an operator meanwhile
        bound = {"notification_id": str(notification_id), "event_id": str(row["event_id"]), "recipient": row["address"]}
        cause = {
            "notification_id": notification_id,
            "cause_event_id": row["event_id"],
            "cause_event_type": row["event_type"],
            "recipient_id": row["recipient_id"],
            "channel": row["channel"],
        }
        metrics.NOTIFICATION_DELIVERIES.labels(row["channel"], verdict.outcome).inc()
        if verdict.disable_webhook:
            # 410: the receiver asks never to be called again; later notifications skip this endpoint.
            await conn.execute(*RECIPIENTS.disable_webhook(recipient_id=row["recipient_id"], now=now))
        if verdict.outcome == "delivered":
            tx.publish(
                NotificationDelivered(**cause, attempts=done["attempts"], delivered_at=done["delivered_at"]),
                subject=str(notification_id),
            )
            log.info("notification delivered", attempts=done["attempts"], **bound)
        elif verdict.outcome == "failed":
            tx.publish(
                NotificationFailed(**cause, attempts=done["attempts"], last_error=description, failed_at=now),
                subject=str(notification_id),
            )
            log.error("notification failed; given up", error=description, **bound)
        elif verdict.outcome == "skipped":
            log.info("notification not sent: the mail is disabled", **bound)
        else:
            log.warning("notification not delivered; will retry", error=description, retry_in=round(delay, 1), **bound)
    if not settled:
        return None, False
    retried = [
        after[row["id"]]["next_attempt_at"]
        for row, verdict in zip(rows, verdicts, strict=True)
        if verdict.outcome == "retry" and row["id"] in after
    ]
    return min([*retried, settled[0]["others_next_attempt_at"]], key=_never_if_none), True


def _never_if_none(moment: datetime | None) -> datetime:
    return datetime.max.replace(tzinfo=UTC) if moment is None else moment


@dataclass(frozen=True)
class NotificationLog:
    items: list[Record]
    total: int


async def list_notifications(
    uow: UnitOfWork,
    *,
    notification_id: UUID | None = None,
    event_id: UUID | None = None,
    recipient_id: UUID | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> NotificationLog:
    """A page of the delivery log: notifications with each attempt."""
    async with uow.read() as conn:
        rows = await conn.fetch(
            *DELIVERIES.list_notifications(
                notification_id=notification_id,
                event_id=event_id,
                recipient_id=recipient_id,
                status=status,
                limit=limit,
                offset=offset,
            )
        )
        attempts = await conn.fetch(*DELIVERIES.list_attempts(notification_ids=[row["id"] for row in rows]))
    log_by_notification: dict[UUID, list[Record]] = {}
    for attempt in attempts:
        log_by_notification.setdefault(attempt["notification_id"], []).append(
            {"attempted_at": attempt["attempted_at"], "succeeded": attempt["succeeded"], "error": attempt["error"]}
        )
    items = [
        {**{k: v for k, v in row.items() if k != "total"}, "delivery_log": log_by_notification.get(row["id"], [])}
        for row in rows
    ]
    return NotificationLog(items=items, total=rows[0]["total"] if rows else 0)


async def resend(uow: UnitOfWork, ctx: Context, notification_id: UUID) -> Record:
    """Deliver an e-mail or webhook notification again, now, with a fresh retry period."""
    async with uow.change(ctx) as tx:
        before = await tx.conn.fetchrow(*DELIVERIES.lock_for_resend(notification_id=notification_id))
        if before is None:
            raise NotFound("path.notification_id", f"no e-mail or webhook notification {notification_id}")
        after = await tx.conn.fetchrow(*DELIVERIES.resend(notification_id=notification_id, now=tx.now))
        tx.audit("notification.resent", "notification", notification_id, before=dict(before), after=dict(after))
        await tx.conn.execute(DELIVERIES.wake_delivery)
    return (await list_notifications(uow, notification_id=notification_id)).items[0]
