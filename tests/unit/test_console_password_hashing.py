"""Password hashing runs one at a time in a console process: each holds 64 MiB while it runs, so simultaneous logins
must not add up to more than one hash's memory."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from mitra_console.domain import passwords


class MeetingHasher:
    """A hasher whose calls wait (a little) for a second call to run beside them: they meet only if two run at once."""

    def __init__(self) -> None:
        self.meeting = threading.Barrier(2)
        self.met = 0

    def _meet(self) -> None:
        try:
            self.meeting.wait(timeout=0.3)
            self.met += 1
        except threading.BrokenBarrierError:
            self.meeting.reset()

    def hash(self, password: str) -> str:
        self._meet()
        return f"hashed:{password}"

    def verify(self, stored_hash: str, password: str) -> bool:
        self._meet()
        return stored_hash == f"hashed:{password}"


def test_hashes_and_verifications_never_run_two_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    hasher = MeetingHasher()
    monkeypatch.setattr(passwords, "HASHER", hasher)
    with ThreadPoolExecutor(max_workers=4) as pool:
        hashed = list(pool.map(passwords.hash_password, ["a", "b"]))
        verified = list(pool.map(passwords.verify_password, hashed, ["a", "x"]))
    assert hashed == ["hashed:a", "hashed:b"]
    assert verified == [True, False]
    assert hasher.met == 0


def test_the_meeting_hasher_sees_two_calls_that_do_run_at_once() -> None:
    hasher = MeetingHasher()
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(hasher.hash, ["a", "b"]))
    assert hasher.met == 2
