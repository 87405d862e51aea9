"""The daily digest: for recipients who asked for it, the day's e-mails in one message, once a day.

After the configured hour (Asia/Jakarta), each recipient with held e-mails and no digest yet today gets one. The
digest row (unique per recipient and day), the held notifications marked delivered and their `delivered` events
commit together after the mail server accepted the message; if it did not, nothing is recorded and the next tick
tries again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime

import asyncpg
import structlog

from mitra_notifications import messages
from mitra_notifications.delivery import Mailer
from mitra_notifications.routing import QUERIES
from mitra_shared import outbox
from mitra_shared.contracts.notifications import NotificationDelivered
from mitra_shared.events import new_event
from mitra_shared.worker import PollingWorker

log = structlog.get_logger(__name__)
Clock = Callable[[], datetime]


class DigestWorker(PollingWorker):
    name = "daily digest"

    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        listen_dsn: str,
        mailer: Mailer,
        clock: Clock,
        send_hour: int = 7,
        batch_size: int = 20,
        poll_interval: float = 60.0,
    ) -> None:
        super().__init__(
            listen_dsn=listen_dsn, wake_channel="mitra_digest", batch_size=batch_size, poll_interval=poll_interval
        )
        self._pool = pool
        self._mailer = mailer
        self._clock = clock
        self._send_hour = send_hour

    async def run_once(self) -> int:
        now = self._clock().astimezone(messages.JAKARTA)
        if now.hour < self._send_hour:
            return 0
        today = now.date()
        sent = 0
        async with self._pool.acquire() as conn, conn.transaction():
            for recipient in await conn.fetch(QUERIES.recipients_with_held_mail, today, self._batch_size):
                async with conn.transaction():  # one recipient's failure does not undo the others'
                    try:
                        sent += await self._send_digest(conn, recipient, today)
                    except Exception as error:  # the mail server said no: retried at the next tick
                        log.warning("digest not sent; will retry", recipient_id=str(recipient["id"]), error=str(error))
        return sent

    async def _send_digest(self, conn: asyncpg.Connection, recipient: asyncpg.Record, today: date) -> int:
        held = await conn.fetch(QUERIES.held_mail, recipient["id"])
        if (
            not held
            or await conn.fetchval(QUERIES.record_digest, uuid.uuid4(), recipient["id"], today, len(held)) is None
        ):
            return 0
        items = [messages.DigestItem(row["subject"], row["body_text"], row["created_at"]) for row in held]
        message = messages.digest(items, today, recipient["language"])
        digest_id = str(uuid.uuid4())
        await self._mailer.send(
            to=recipient["email"], subject=message.subject, text=message.text, html=message.html, message_id=digest_id
        )
        await conn.execute(QUERIES.mark_digested, [row["id"] for row in held])
        for row in await conn.fetch(QUERIES.digested, [row["id"] for row in held]):
            event = NotificationDelivered(
                notification_id=row["id"],
                cause_event_id=row["event_id"],
                cause_event_type=row["event_type"],
                recipient_id=row["recipient_id"],
                channel="email",
                attempts=row["attempts"],
                delivered_at=row["delivered_at"],
            )
            await outbox.record(conn, new_event(event, subject=str(row["id"])))
        log.info("digest sent", recipient_id=str(recipient["id"]), items=len(held))
        return 1
