"""Delivers pending notifications (e-mail, webhooks), retrying with backoff until they go through or the retry
period ends; a webhook answering 410 Gone is given up at once and its endpoint disabled.

A notification is claimed with `FOR UPDATE SKIP LOCKED`, sent, and its outcome (the attempt in the delivery
log, the new status, and the `delivered`/`failed` event) committed together. An SMTP server that is down
delays delivery; nothing is lost, and delivery resumes when it is back.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import asyncpg
import structlog

from mitra_notifications.routing import QUERIES
from mitra_notifications.webhooks import WebhookGone
from mitra_shared import outbox
from mitra_shared.contracts.notifications import NotificationDelivered, NotificationFailed
from mitra_shared.events import new_event
from mitra_shared.worker import PollingWorker

log = structlog.get_logger(__name__)
WAKE_CHANNEL = "mitra_notifications"


class Mailer(Protocol):
    async def send(self, *, to: str, subject: str, text: str, html: str, message_id: str) -> None: ...


class WebhookPoster(Protocol):
    async def send(self, *, url: str, secret: str, message_id: str, payload: dict[str, Any]) -> None: ...
    async def aclose(self) -> None: ...


def webhook_payload(row: asyncpg.Record) -> dict[str, Any]:
    """The body a webhook receives: Standard Webhooks' `type`/`timestamp`/`data`, with the event inside."""
    return {
        "type": row["event_type"],
        "timestamp": row["created_at"].isoformat(),
        "data": {
            "notification_id": str(row["id"]),
            "recipient_id": str(row["recipient_id"]),
            "language": row["language"],
            "subject": row["subject"],
            "text": row["body_text"],
            "event": row["payload"],
        },
    }


class DeliveryWorker(PollingWorker):
    name = "notification delivery"

    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        listen_dsn: str,
        mailer: Mailer,
        webhooks: WebhookPoster,
        batch_size: int = 20,
        poll_interval: float = 2.0,
        give_up_after: timedelta = timedelta(hours=48),
        max_backoff: float = 900.0,
    ) -> None:
        super().__init__(
            listen_dsn=listen_dsn, wake_channel=WAKE_CHANNEL, batch_size=batch_size, poll_interval=poll_interval
        )
        self._pool = pool
        self._mailer = mailer
        self._webhooks = webhooks
        self._give_up_after = give_up_after
        self._max_backoff = max_backoff

    async def run_once(self) -> int:
        return await self.deliver_due()

    async def stop(self) -> None:
        await super().stop()
        await self._webhooks.aclose()

    async def seconds_until_due(self) -> float | None:
        async with self._pool.acquire() as conn:
            due = await conn.fetchval(QUERIES.seconds_until_next_due)
        return None if due is None else float(due)

    async def deliver_due(self) -> int:
        """Attempt every notification that is due (one batch); return how many were attempted."""
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(QUERIES.claim_due_notifications, self._batch_size)
            if not rows:
                return 0
            outcomes = await asyncio.gather(*(self._send(row) for row in rows), return_exceptions=True)
            for row, outcome in zip(rows, outcomes, strict=True):
                await self._settle(conn, row, outcome if isinstance(outcome, BaseException) else None)
        return len(rows)

    async def _send(self, row: asyncpg.Record) -> None:
        if row["channel"] == "email":
            await self._mailer.send(
                to=row["address"],
                subject=row["subject"],
                text=row["body_text"],
                html=row["body_html"],
                message_id=str(row["id"]),
            )
        elif row["channel"] == "webhook":
            await self._webhooks.send(
                url=row["address"],
                secret=row["webhook_secret"],
                message_id=str(row["id"]),
                payload=webhook_payload(row),
            )
        else:
            raise ValueError(f"channel {row['channel']} is not delivered by this worker")

    async def _settle(self, conn: asyncpg.Connection, row: asyncpg.Record, error: BaseException | None) -> None:
        bound = {"notification_id": str(row["id"]), "event_id": str(row["event_id"]), "recipient": row["address"]}
        if error is None:
            done = await conn.fetchrow(QUERIES.mark_delivered, row["id"])
            await conn.execute(QUERIES.record_attempt, row["id"], True, None)
            event = NotificationDelivered(
                notification_id=row["id"],
                cause_event_id=row["event_id"],
                cause_event_type=row["event_type"],
                recipient_id=row["recipient_id"],
                channel=row["channel"],
                attempts=done["attempts"],
                delivered_at=done["delivered_at"],
            )
            await outbox.record(conn, new_event(event, subject=str(row["id"])))
            log.info("notification delivered", attempts=done["attempts"], **bound)
            return
        description = f"{type(error).__name__}: {error}"[:2000]
        await conn.execute(QUERIES.record_attempt, row["id"], False, description)
        gone = isinstance(error, WebhookGone)
        if gone:
            # 410: the receiver asks never to be called again; later notifications skip this endpoint.
            await conn.execute(QUERIES.disable_webhook, row["recipient_id"])
        if gone or datetime.now(UTC) - row["created_at"] >= self._give_up_after:
            failed = await conn.fetchrow(QUERIES.mark_failed, row["id"], description)
            event_failed = NotificationFailed(
                notification_id=row["id"],
                cause_event_id=row["event_id"],
                cause_event_type=row["event_type"],
                recipient_id=row["recipient_id"],
                channel=row["channel"],
                attempts=failed["attempts"],
                last_error=description,
                failed_at=failed["failed_at"],
            )
            await outbox.record(conn, new_event(event_failed, subject=str(row["id"])))
            log.error("notification failed; given up", error=description, **bound)
            return
        delay = outbox.backoff_seconds(row["attempts"], base=2.0, cap=self._max_backoff)
        await conn.execute(QUERIES.mark_retry, row["id"], description, delay)
        log.warning("notification not delivered; will retry", error=description, retry_in=round(delay, 1), **bound)
