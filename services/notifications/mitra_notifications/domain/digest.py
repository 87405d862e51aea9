"""The daily digest: when a recipient's held e-mails go out together, and the text that carries them. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from mitra_notifications.domain.texts import Language, Message, compose, format_date, format_datetime
from mitra_shared.clock import JAKARTA


def digest_day(now: datetime, send_hour: int) -> date | None:
    """The Jakarta day whose digests are due at `now`, or None before the send hour."""
    local = now.astimezone(JAKARTA)
    return local.date() if local.hour >= send_hour else None


@dataclass(frozen=True)
class DigestItem:
    subject: str
    text: str
    created_at: datetime


def digest(items: list[DigestItem], day: date, language: Language) -> Message:
    """One e-mail with the day's notifications, oldest first."""
    when = format_date(day, language)
    if language == "id":
        subject = f"Ringkasan harian Mitra, {when}: {len(items)} pemberitahuan"
        lines = [f"Pemberitahuan Mitra sejak ringkasan terakhir ({len(items)}):", ""]
    else:
        subject = f"Mitra daily digest, {when}: {len(items)} notifications"
        lines = [f"Mitra notifications since the last digest ({len(items)}):", ""]
    for number, item in enumerate(items, start=1):
        lines += [f"{number}. {item.subject} ({format_datetime(item.created_at, language)})", ""]
        lines += [f"   {line}" if line else "" for line in item.text.strip().splitlines()]
        lines.append("")
    return compose(subject, lines)
