"""Delivers pending notifications (e-mail, webhooks), retrying with backoff until they go through or the retry
period ends; a webhook answering 410 Gone is given up at once and its endpoint disabled; with the mail disabled (no
mailer), e-mails are recorded as skipped. Woken by the routing and resend use cases (NOTIFY on the channel below) and
at least every poll interval."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from mitra_notifications.usecases import deliveries
from mitra_notifications.usecases.deliveries import DeliveryPass, Mailer, RetryPolicy, Senders, WebhookPoster
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
        mailer: Mailer | None,
        webhooks: WebhookPoster,
        clock: Clock = system_clock,
        batch_size: int = 20,
        poll_interval: float = 2.0,
        give_up_after: timedelta = timedelta(hours=48),
        max_backoff: float = 900.0,
        linger: float = 0.0,
        lease: timedelta = timedelta(seconds=60),
    ) -> None:
        super().__init__(
            listen_dsn=listen_dsn, wake_channel=WAKE_CHANNEL, batch_size=batch_size, poll_interval=poll_interval
        )
        self._uow = uow
        self._clock = clock
        self._senders = Senders(mailer=mailer, webhooks=webhooks)
        self._policy = RetryPolicy(give_up_after=give_up_after, max_backoff=max_backoff, lease=lease)
        self._last_pass = DeliveryPass(0)
        self._linger = linger

    async def run_once(self) -> int:
        if self._linger > 0 and self._last_pass.attempted < self._batch_size:
            # Woken by a NOTIFY: let the notifications of the events consumed meanwhile join this pass, rather than
            # a pass (and its `delivered` events' relay pass) each. Their wake-ups are then forgotten, before the
            # claim looks for them, as the loop forgets those before a pass.
            await asyncio.sleep(self._linger)
            self._wake.clear()
        context = Context.for_system("notifications.delivery", self._clock())
        self._last_pass = await deliveries.deliver_pass(
            self._uow, context, self._senders, batch_size=self._batch_size, policy=self._policy
        )
        return self._last_pass.attempted

    async def seconds_until_due(self) -> float | None:
        # A pass that attempted any learnt when the next falls due as it settled them: no query before sleeping.
        if self._last_pass.knows_next_due:
            due = self._last_pass.next_due_at
            return None if due is None else (due - self._clock()).total_seconds()
        return await deliveries.seconds_until_due(self._uow, self._clock())

    async def stop(self) -> None:
        await super().stop()
        await self._senders.webhooks.aclose()
        if self._senders.mailer is not None:
            await self._senders.mailer.aclose()
