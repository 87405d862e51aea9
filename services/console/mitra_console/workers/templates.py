"""At start, the web console's catalogs are read and its page templates compiled, off the event loop, so that the
first pages after a start or a deploy are not the ones that pay for it."""

from __future__ import annotations

import asyncio

import structlog

from mitra_console.http.web.state import shared_languages

log = structlog.get_logger(__name__)


class TemplateWarmUp:
    """A service worker that does its work in `start` (in a thread) and has nothing to stop."""

    async def start(self) -> None:
        compiled = await asyncio.to_thread(lambda: shared_languages().compile_all())
        log.info("console templates compiled", templates=compiled)

    async def stop(self) -> None:
        return None
