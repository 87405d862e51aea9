"""`all_of`: a page's calls to the services made at once rather than one after another, so that a page waits for its
slowest call instead of the sum of them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any


async def all_of(*calls: Awaitable[Any] | None) -> list[Any]:
    """The calls' results, in order (None for a call left out: `None` in its place). The first call to fail cancels
    the others and its error is raised, as it would be had they been awaited one after another (a 404 page stays a
    404 page, not an error group)."""
    tasks = [asyncio.ensure_future(call if call is not None else _nothing()) for call in calls]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        raise


async def _nothing() -> None:
    return None
