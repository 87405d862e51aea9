"""Which expiry reminder a permit is owed on a given day, and the scheduler's settings, without I/O."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from mitra_registry.domain.permits import ReminderWindow, reminder_windows
from mitra_registry.settings import RegistrySettings

TODAY = date(2030, 1, 1)


def owed(days_left: int, lead_days: tuple[int, ...] = (90, 30)) -> int | None:
    valid_until = TODAY + timedelta(days=days_left)
    for window in reminder_windows(TODAY, lead_days):
        if window.first <= valid_until <= window.last:
            return window.days_before
    return None


def test_the_windows_cover_today_to_the_longest_lead_without_gaps_or_overlaps() -> None:
    assert reminder_windows(TODAY, [90, 30]) == [
        ReminderWindow(30, TODAY, TODAY + timedelta(days=30)),
        ReminderWindow(90, TODAY + timedelta(days=31), TODAY + timedelta(days=90)),
    ]


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [(91, None), (90, 90), (31, 90), (30, 30), (1, 30), (0, 30), (-1, None)],
)
def test_a_permit_is_owed_the_most_urgent_reminder_that_applies(days_left: int, expected: int | None) -> None:
    assert owed(days_left) == expected


def test_lead_times_are_configurable_and_order_does_not_matter() -> None:
    assert [owed(n, (7, 60, 14)) for n in (61, 60, 15, 14, 8, 7, 0)] == [None, 60, 60, 14, 14, 7, 7]
    assert reminder_windows(TODAY, [30, 90, 30]) == reminder_windows(TODAY, [90, 30])


def test_reminder_days_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert RegistrySettings().permit_reminder_days == [90, 30]
    monkeypatch.setenv("MITRA_PERMIT_REMINDER_DAYS", "[14, 60, 14]")
    monkeypatch.setenv("MITRA_PERMIT_EXPIRY_TICK_SECONDS", "0.5")
    settings = RegistrySettings()
    assert settings.permit_reminder_days == [60, 14]
    assert settings.permit_expiry_tick_seconds == 0.5


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("MITRA_PERMIT_REMINDER_DAYS", "[90, 0]"),
        ("MITRA_PERMIT_REMINDER_DAYS", "[]"),
        ("MITRA_PERMIT_EXPIRY_TICK_SECONDS", "0"),
    ],
)
def test_nonsense_scheduler_settings_are_refused(monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError):
        RegistrySettings()
