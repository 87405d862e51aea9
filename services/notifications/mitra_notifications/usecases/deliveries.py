"""Delivering notifications (e-mail, webhooks), the delivery log, and resending.

Due notifications are claimed with `FOR UPDATE SKIP LOCKED`, sent, and each outcome (the attempt in the delivery
log, the new status, and the `delivered`/`failed` event) committed together in one unit of work. An SMTP server
that is down delays delivery; nothing is lost, and delivery resumes when it is back.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

import asyncpg
import structlog

from mitra_notifications.domain import deliveries
from mitra_notifications.sql import DELIVERIES, RECIPIENTS
from mitra_shared import outbox
from mitra_shared.context import Context
from mitra_shared.contracts.notifications import NotificationDelivered, NotificationFailed
from mitra_shared.db import Record
from mitra_shared.errors import NotFound
from mitra_shared.uow import Transaction, UnitOfWork

log = structlog.get_logger(__name__)


class Mailer(Protocol):
    async def send(self, *, to: str, subject: str, text: str, html: str, message_id: str) -> None: ...


class WebhookPoster(Protocol):
    async def send(self, *, url: str, secret: str, message_id: str, payload: dict[str, Any]) -> None: ...
    async def aclose(self) -> None: ...


@dataclass(frozen=True)
class Senders:
    """The channels that send: e-mail and webhooks."""

    mailer: Mailer
    webhooks: WebhookPoster


@dataclass(frozen=True)
class RetryPolicy:
    give_up_after: timedelta = timedelta(hours=48)
    max_backoff: float = 900.0


async def deliver_due(uow: UnitOfWork, ctx: Context, senders: Senders, *, batch_size: int, policy: RetryPolicy) -> int:
    """Attempt every notification that is due (one batch); return how many were attempted."""
    async with uow.change(ctx) as tx:
        rows = await tx.conn.fetch(*DELIVERIES.claim_due_notifications(now=tx.now, batch_size=batch_size))
        outcomes = await asyncio.gather(*(_send(senders, row) for row in rows), return_exceptions=True)
        for row, outcome in zip(rows, outcomes, strict=True):
            await _settle(tx, row, outcome if isinstance(outcome, BaseException) else None, policy)
    return len(rows)


async def seconds_until_due(uow: UnitOfWork, now: datetime) -> float | None:
    async with uow.read() as conn:
        due = await conn.fetchval(*DELIVERIES.seconds_until_next_due(now=now))
    return None if due is None else float(due)


async def _send(senders: Senders, row: asyncpg.Record) -> None:
    if row["channel"] == "email":
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


async def _settle(tx: Transaction, row: asyncpg.Record, error: BaseException | None, policy: RetryPolicy) -> None:
    conn, now, notification_id = tx.conn, tx.now, row["id"]
    bound = {"notification_id": str(notification_id), "event_id": str(row["event_id"]), "recipient": row["address"]}
    cause = {
        "notification_id": notification_id,
        "cause_event_id": row["event_id"],
        "cause_event_type": row["event_type"],
        "recipient_id": row["recipient_id"],
        "channel": row["channel"],
    }
    verdict = deliveries.judge(error, created_at=row["created_at"], now=now, give_up_after=policy.give_up_after)
    if error is None:
        done = await conn.fetchrow(*DELIVERIES.mark_delivered(notification_id=notification_id, now=now))
        await conn.execute(
            *DELIVERIES.record_attempt(notification_id=notification_id, now=now, succeeded=True, error=None)
        )
        tx.publish(
            NotificationDelivered(**cause, attempts=done["attempts"], delivered_at=done["delivered_at"]),
            subject=str(notification_id),
        )
        log.info("notification delivered", attempts=done["attempts"], **bound)
        return
    description = deliveries.describe(error)
    await conn.execute(
        *DELIVERIES.record_attempt(notification_id=notification_id, now=now, succeeded=False, error=description)
    )
    if verdict.disable_webhook:
        # 410: the receiver asks never to be called again; later notifications skip this endpoint.
        await conn.execute(*RECIPIENTS.disable_webhook(recipient_id=row["recipient_id"], now=now))
    if verdict.outcome == "failed":
        attempts = await conn.fetchval(*DELIVERIES.mark_failed(notification_id=notification_id, error=description))
        tx.publish(
            NotificationFailed(**cause, attempts=attempts, last_error=description, failed_at=now),
            subject=str(notification_id),
        )
        log.error("notification failed; given up", error=description, **bound)
        return
    delay = outbox.backoff_seconds(row["attempts"], base=2.0, cap=policy.max_backoff)
    await conn.execute(
        *DELIVERIES.mark_retry(notification_id=notification_id, error=description, delay_seconds=delay, now=now)
    )
    log.warning("notification not delivered; will retry", error=description, retry_in=round(delay, 1), **bound)


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
