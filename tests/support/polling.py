"""Waiting for something that happens elsewhere (another process, a worker, the broker), with a deadline."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T]],
    *,
    timeout: float = 15.0,
    interval: float = 0.05,
    description: str = "condition",
) -> T:
    """Poll `probe` until it returns something truthy or the deadline passes; return that value.

    An AssertionError, OSError or ConnectionError raised by the probe counts as "not yet" (and is reported if the
    deadline passes); any other exception ends the wait at once.
    """
    deadline = time.monotonic() + timeout
    last: T | None = None
    last_error: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            last = await probe()
            last_error = None
            if last:
                return last
        except (AssertionError, OSError, ConnectionError) as error:
            last_error = error
        await asyncio.sleep(interval)
    raise AssertionError(f"{description} not reached within {timeout}s (last value {last!r}, error {last_error!r})")


def eventually_sync(
    probe: Callable[[], T],
    *,
    timeout: float = 15.0,
    interval: float = 0.05,
    description: str = "condition",
) -> T:
    """`eventually` for a thread without an event loop (Playwright's sync API runs one of its own): poll `probe`
    until it returns something truthy or the deadline passes; AssertionError and connection errors count as "not
    yet"."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    last_error: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            last = probe()
            last_error = None
            if last:
                return last
        except (AssertionError, OSError, ConnectionError) as error:
            last_error = error
        time.sleep(interval)
    raise AssertionError(f"{description} not reached within {timeout}s (last value {last!r}, error {last_error!r})")
