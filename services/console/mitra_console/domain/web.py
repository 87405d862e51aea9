"""Rules of the web console's sessions, CSRF tokens and password reset links. Pure (the random ids are made by
`secrets`, nothing is stored here).

A session id and a reset token are 256-bit random strings; the database keeps only their SHA-256, so reading it
opens no session. A session ends when unused for the idle timeout or at its absolute end, whichever comes first.
A CSRF token is compared in constant time and must be non-empty.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

SESSION_COOKIE = "mitra_session"
CSRF_COOKIE = "mitra_csrf"
LANGUAGE_COOKIE = "mitra_lang"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
TOUCH_EVERY = timedelta(seconds=60)
"""The session's last use is written at most this often (not on every request), or a quarter of the idle timeout
if that is shorter."""

SessionState = Literal["active", "idle", "ended"]


def new_secret() -> str:
    """A random, URL-safe secret of 256 bits: a session id, a CSRF token, a reset link's token."""
    return secrets.token_urlsafe(32)


def secret_hash(secret: str) -> bytes:
    """What the database keeps of a session id or reset token."""
    return hashlib.sha256(secret.encode("utf-8")).digest()


def csrf_matches(expected: str | None, given: str | None) -> bool:
    """Whether a form's (or header's) CSRF token is the expected one; both must be there."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


@dataclass(frozen=True)
class SessionTimes:
    idle: timedelta
    absolute: timedelta


def session_state(*, last_seen_at: datetime, expires_at: datetime, now: datetime, times: SessionTimes) -> SessionState:
    """`active`, `idle` (unused for longer than the idle timeout) or `ended` (past its absolute end)."""
    if now >= expires_at:
        return "ended"
    if now - last_seen_at >= times.idle:
        return "idle"
    return "active"


def needs_touch(last_seen_at: datetime, now: datetime, idle: timedelta) -> bool:
    return now - last_seen_at >= min(TOUCH_EVERY, idle / 4)


def language_or_default(value: str | None) -> str:
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def reset_link_usable(*, expires_at: datetime, used_at: datetime | None, active: bool, now: datetime) -> bool:
    """A reset link works once, before it expires, for an account still active."""
    return used_at is None and active and now < expires_at


def safe_next(path: str | None) -> str:
    """Where to go after login: a path of this site only (never `//host` or a URL), else home."""
    if (
        not path
        or not path.startswith("/")
        or path.startswith("//")
        or "\\" in path
        or any(ord(ch) < 0x20 for ch in path)
    ):
        return "/"
    return path
