"""The service-wide settings the rules apply (from `AgreementsSettings`), and their defaults."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

DEFAULT_REMINDER_DAYS: tuple[int, ...] = (30, 7, 1)
DEFAULT_EXPIRY_WARNING_DAYS: tuple[int, ...] = (180, 90, 30)
DEFAULT_VISIT_NOTICE_DAYS = 14
DEFAULT_TPOA_MEMBERS: tuple[str, ...] = ("KEMENDAGRI", "KEMENKUMHAM", "KEMENSETNEG", "BAPPENAS", "POLRI", "BIN")
DEFAULT_TPOA_REVIEW_DAYS = 14


@dataclass(frozen=True)
class Policy:
    """Reminders this many days before a due date; a visit announced at least this many days before arrival; the
    TPOA member ministries that review an MSP or an extension, and the days they have to answer. No members (the
    default here; the settings name TPOA's six): no member review, TPOA decides alone."""

    reminder_days: Sequence[int] = DEFAULT_REMINDER_DAYS
    visit_notice_days: int = DEFAULT_VISIT_NOTICE_DAYS
    tpoa_members: Sequence[str] = ()
    tpoa_review_days: int = DEFAULT_TPOA_REVIEW_DAYS
    expiry_warning_days: Sequence[int] = DEFAULT_EXPIRY_WARNING_DAYS
    # A ministry imports only MSPs signed before this day; None: the day agreements' database was created.
    msp_import_signed_before: date | None = None
