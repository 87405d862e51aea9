"""The service-wide settings the rules apply (from `AgreementsSettings`), and their defaults."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_REMINDER_DAYS: tuple[int, ...] = (30, 7, 1)
DEFAULT_EXPIRY_WARNING_DAYS: tuple[int, ...] = (180, 90, 30)
DEFAULT_VISIT_NOTICE_DAYS = 14


@dataclass(frozen=True)
class Policy:
    """Reminders this many days before a due date; a visit announced at least this many days before arrival."""

    reminder_days: Sequence[int] = DEFAULT_REMINDER_DAYS
    visit_notice_days: int = DEFAULT_VISIT_NOTICE_DAYS
