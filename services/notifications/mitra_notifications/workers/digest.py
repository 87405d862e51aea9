"""Sends the daily digests after the configured hour (Asia/Jakarta), checking every poll interval; with the mail
disabled (no mailer), records the held e-mails as skipped instead."""

from __future__ import annotations

from mitra_notifications.usecases.deliveries import Mailer
from mitra_notifications.usecases.digest import send_digests
from mitra_shared.clock import Clock
from mitra_shared.context import Context
from mitra_shared.uow import UnitOfWork
from mitra_shared.worker import PollingWorker


class DigestWorker(PollingWorker):
    name = "daily digest"

    def __init__(
        self,
        *,
        uow: UnitOfWork,
        listen_dsn: str,
        mailer: Mailer | None,
        clock: Clock,
        send_hour: int = 7,
        batch_size: int = 20,
        poll_interval: float = 60.0,
    ) -> None:
        super().__init__(
            listen_dsn=listen_dsn, wake_channel="mitra_digest", batch_size=batch_size, poll_interval=poll_interval
        )
        self._uow = uow
        self._mailer = mailer
        self._clock = clock
        self._send_hour = send_hour

    async def run_once(self) -> int:
        context = Context.for_system("notifications.digest", self._clock())
        return await send_digests(
            self._uow, context, self._mailer, send_hour=self._send_hour, batch_size=self._batch_size
        )

    async def stop(self) -> None:
        await super().stop()
        if self._mailer is not None:
            await self._mailer.aclose()
