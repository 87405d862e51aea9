"""Delivering a notification: what a webhook receives, the e-mail's Message-ID, and what an attempt's outcome
means (delivered, tried again later, or given up). Pure: the channels send, the delivery use case records."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal


class WebhookGone(Exception):
    """The endpoint answered 410 Gone: it asks not to be called again."""


class WebhookRejected(Exception):
    """The endpoint answered something other than 2xx."""


class MailDisabled(Exception):
    """The mail is disabled on purpose (`MITRA_MAIL_DISABLED=true`): the e-mail is not sent, and not tried again."""

    def __init__(self) -> None:
        super().__init__("not sent: the mail is disabled (MITRA_MAIL_DISABLED=true)")


def message_id(notification_id: str, domain: str) -> str:
    """The e-mail's Message-ID: the notification's own, so a resent notification is recognisable as the same mail."""
    return f"<{notification_id}@{domain}>"


def webhook_payload(notification: Mapping[str, Any]) -> dict[str, Any]:
    """The body a webhook receives: Standard Webhooks' `type`/`timestamp`/`data`, with the event inside."""
    return {
        "type": notification["event_type"],
        "timestamp": notification["created_at"].isoformat(),
        "data": {
            "notification_id": str(notification["id"]),
            "recipient_id": str(notification["recipient_id"]),
            "language": notification["language"],
            "subject": notification["subject"],
            "text": notification["body_text"],
            "event": notification["payload"],
        },
    }


def describe(error: BaseException) -> str:
    """An attempt's error as the delivery log keeps it."""
    return f"{type(error).__name__}: {error}"[:2000]


@dataclass(frozen=True)
class Verdict:
    """What an attempt means: `retry` later, or the notification is `delivered`, `failed` or `skipped` for good."""

    outcome: Literal["delivered", "retry", "failed", "skipped"]
    disable_webhook: bool = False


def judge(error: BaseException | None, *, created_at: datetime, now: datetime, give_up_after: timedelta) -> Verdict:
    """A failed attempt is tried again until the retry period (from the notification's creation or resend) ends; a
    webhook that answered 410 is given up at once and its endpoint disabled for later notifications; an e-mail not
    sent because the mail is disabled is skipped."""
    if error is None:
        return Verdict("delivered")
    if isinstance(error, MailDisabled):
        return Verdict("skipped")
    gone = isinstance(error, WebhookGone)
    if gone or now - created_at >= give_up_after:
        return Verdict("failed", disable_webhook=gone)
    return Verdict("retry")
