"""Lockout after repeated failed logins: `max_failures` within `window` lock the account for `lock_for`. Pure.

While locked, even the right password is refused, with the same answer as a wrong one (and as an unknown user):
the answer never tells whether an account exists or is locked. Attempts while locked do not count again, so the
lock ends `lock_for` after it began.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    lock_for: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class LoginState:
    """What the account keeps about failed logins."""

    recent_failures: tuple[datetime, ...] = ()
    locked_until: datetime | None = None


def is_locked(state: LoginState, now: datetime) -> bool:
    return state.locked_until is not None and now < state.locked_until


def after_failure(state: LoginState, now: datetime, policy: LockoutPolicy) -> LoginState:
    """The state after one more failed login at `now`: the failures inside the window, locked at the limit."""
    if is_locked(state, now):
        return state
    recent = (*(moment for moment in state.recent_failures if moment > now - policy.window), now)
    if len(recent) >= policy.max_failures:
        return LoginState(recent_failures=(), locked_until=now + policy.lock_for)
    return LoginState(recent_failures=recent, locked_until=None)


def after_success() -> LoginState:
    return LoginState()
