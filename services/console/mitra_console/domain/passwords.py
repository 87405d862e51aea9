"""Passwords: the rules a new password must meet, and Argon2id hashing with argon2-cffi's recommended parameters
(RFC 9106's low-memory profile). A stored hash made with other parameters is rehashed at the next login. Pure: the
hashing is computation; the use cases run it off the event loop.
"""

from __future__ import annotations

import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from mitra_shared.errors import RuleBroken

MIN_LENGTH = 12
MAX_LENGTH = 256
DEMO_PASSWORD = "mitra-demo"
"""The password of `make run`'s demo accounts: accepted in local runs only."""
COMMON_PASSWORDS = frozenset(
    {
        "password1234",
        "123456789012",
        "qwertyuiop12",
        "passwordpassword",
        "mitra-password",
        "mitramitra12",
        "indonesia123",
        "indonesia2024",
        "indonesia2025",
        "jakarta12345",
        "administrator",
        "admin1234567",
        "changeme1234",
        "letmein12345",
        "welcome12345",
        "iloveyou1234",
        "password123!",
        "p@ssw0rd1234",
        DEMO_PASSWORD,
    }
)
HASHER = PasswordHasher()
# A hash or a verification holds 64 MiB (the profile's memory cost) while it runs, about 0.15 s here: one at a time
# keeps the console's memory bounded (under 200 MB) however many people log in at once; the others wait their turn.
_ONE_AT_A_TIME = threading.BoundedSemaphore(1)
# Verified against when the username names no account, so that the answer takes as long as for a real one.
DUMMY_HASH = HASHER.hash("no account has this password, it only spends the same time")


def check_password(password: str, *, username: str, field: str = "body.password", allow_demo: bool = False) -> None:
    """Refuse a password that is too short or long, holds control characters, is the username, one repeated
    character, or a well-known one. `allow_demo`: the demo password of local runs passes."""
    if allow_demo and password == DEMO_PASSWORD:
        return
    if len(password) < MIN_LENGTH:
        raise RuleBroken(field, f"a password has {MIN_LENGTH} characters at least (a few words make a good one)")
    if len(password) > MAX_LENGTH:
        raise RuleBroken(field, f"a password has {MAX_LENGTH} characters at most")
    if any(ord(char) < 32 or ord(char) == 127 for char in password):
        raise RuleBroken(field, "a password holds no control characters")
    lowered = password.lower()
    if lowered == username.lower() or username.lower() in lowered:
        raise RuleBroken(field, "a password does not contain the username")
    if len(set(password)) < 4:
        raise RuleBroken(field, "a password of so few different characters is too easy to guess")
    if lowered in COMMON_PASSWORDS:
        raise RuleBroken(field, "this password is well known; choose another")


def hash_password(password: str) -> str:
    with _ONE_AT_A_TIME:
        return HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        with _ONE_AT_A_TIME:
            return HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """The hash was made with other parameters than today's: store a new one while the password is at hand."""
    try:
        return HASHER.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
