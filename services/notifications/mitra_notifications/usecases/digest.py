"""The daily digest: for recipients who asked for it, the day's e-mails in one message, once a day.

After the configured hour (Asia/Jakarta), each recipient with held e-mails and no digest yet today gets one. The
digest row (unique per recipient and day), the held notifications marked delivered and their `delivered` events
commit together after the mail server accepted the message; if it did not, nothing is recorded for that recipient
and the next run tries again. With the mail disabled on purpose (`MITRA_MAIL_DISABLED=true`, no mailer) no digest
goes out: the held e-mails are recorded as `skipped`, whatever the hour.
"""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg
import structlog

from mitra_notifications.domain import digest
from mitra_notifications.domain.deliveries import MailDisabled, describe
from mitra_notifications.sql import DIGEST
from mitra_notifications.usecases.deliveries import Mailer
from mitra_shared import metrics
from mitra_shared.context import Context
from mitra_shared.contracts.notifications import NotificationDelivered
from mitra_shared.uow import Transaction, UnitOfWork

log = structlog.get_logger(__name__)


async def send_digests(
    uow: UnitOfWork, ctx: Context, mailer: Mailer | None, *, send_hour: int, batch_size: int
) -> int:
    """Send the digests due now (one batch); return how many went out (with no mailer: how many held e-mails were
    skipped)."""
    if mailer is None:
        return await skip_held_mail(uow, ctx, batch_size=batch_size)
    today = digest.digest_day(ctx.now, send_hour)
    if today is None:
        return 0
    sent = 0
    async with uow.change(ctx) as tx:
        for recipient in await tx.conn.fetch(*DIGEST.recipients_with_held_mail(digest_date=today, limit=batch_size)):
            async with tx.conn.transaction():  # one recipient's failure does not undo the others'
                try:
                    sent += await _send_digest(tx, mailer, recipient, today)
                except Exception as error:  # the mail server said no: retried at the next run
                    log.warning("digest not sent; will retry", recipient_id=str(recipient["id"]), error=str(error))
    return sent


async def skip_held_mail(uow: UnitOfWork, ctx: Context, *, batch_size: int) -> int:
    """Record a batch of held e-mails as skipped, the mail being disabled; return how many."""
    async with uow.change(ctx) as tx:
        skipped = await tx.conn.fetch(*DIGEST.skip_held_mail(reason=describe(MailDisabled()), limit=batch_size))
    metrics.NOTIFICATION_DELIVERIES.labels("email", "skipped").inc(len(skipped))
    if skipped:
        log.info("held e-mails not sent: the mail is disabled", skipped=len(skipped))
    return len(skipped)


async def _send_digest(tx: Transaction, mailer: Mailer, recipient: asyncpg.Record, today: date) -> int:
    conn = tx.conn
    held = await conn.fetch(*DIGEST.held_mail(recipient_id=recipient["id"]))
    if not held:
        return 0
    digest_id = uuid.uuid4()
    recorded = await conn.fetchval(
        *DIGEST.record_digest(
            id=digest_id, recipient_id=recipient["id"], digest_date=today, items=len(held), now=tx.now
        )
    )
    if recorded is None:  # another replica sent today's
        return 0
    items = [digest.DigestItem(row["subject"], row["body_text"], row["created_at"]) for row in held]
    message = digest.digest(items, today, recipient["language"])
    await mailer.send(
        to=recipient["email"],
        subject=message.subject,
        text=message.text,
        html=message.html,
        message_id=str(digest_id),
    )
    delivered = await conn.fetch(*DIGEST.mark_digested(notification_ids=[row["id"] for row in held], now=tx.now))
    # Published last: nothing after it can fail and roll this recipient back with its events already announced.
    for row in delivered:
        tx.publish(
            NotificationDelivered(
                notification_id=row["id"],
                cause_event_id=row["event_id"],
                cause_event_type=row["event_type"],
                recipient_id=row["recipient_id"],
                channel="email",
                attempts=row["attempts"],
                delivered_at=row["delivered_at"],
            ),
            subject=str(row["id"]),
        )
    log.info("digest sent", recipient_id=str(recipient["id"]), items=len(held))
    return 1
