"""Delivers pending notifications (e-mail, webhooks), retrying with backoff until they go through or the retry
period ends; a webhook answering 410 Gone is given up at once and its endpoint disabled. Woken by the routing and
resend use cases (NOTIFY on the channel below) and at least every poll interval."""

from __future__ import annotations

from datetime import timedelta

from mitra_notifications.usecases import deliveries
from mitra_notifications.usecases.deliveries import Mailer, RetryPolicy, Senders, WebhookPoster
from mitra_shared.clock import Clock, system_clock
from mitra_shared.context import Context
from mitra_shared.uow import UnitOfWork
from mitra_shared.worker import PollingWorker

WAKE_CHANNEL = "mitra_notifications"


class DeliveryWorker(PollingWorker):
    name = "notification delivery"

    def __init__(
        self,
        *,
        uow: UnitOfWork,
        listen_dsn: str,
        mailer: Mailer,
        webhooks: WebhookPoster,
        clock: Clock = system_clock,
        batch_size: int = 20,
        poll_interval: float = 2.0,
        give_up_after: timedelta = timedelta(hours=48),
        max_backoff: float = 900.0,
    ) -> None:
        super().__init__(
            listen_dsn=listen_dsn, wake_channel=WAKE_CHANNEL, batch_size=batch_size, poll_interval=poll_interval
        )
        self._uow = uow
        self._clock = clock
        self._senders = Senders(mailer=mailer, webhooks=webhooks)
        self._policy = RetryPolicy(give_up_after=give_up_after, max_backoff=max_backoff)

    async def run_once(self) -> int:
        context = Context.for_system("notifications.delivery", self._clock())
        return await deliveries.deliver_due(
            self._uow, context, self._senders, batch_size=self._batch_size, policy=self._policy
        )

    async def seconds_until_due(self) -> float | None:
        return await deliveries.seconds_until_due(self._uow, self._clock())

    async def stop(self) -> None:
        await super().stop()
        await self._senders.webhooks.aclose()
        await self._senders.mailer.aclose()
