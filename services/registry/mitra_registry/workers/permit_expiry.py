"""The permit-expiry scheduler: on every tick, and whenever a permit is granted or extended (which wakes it), it
marks lapsed permits expired and sends the reminders owed today (see `usecases.permits`)."""

from __future__ import annotations

from collections.abc import Sequence

from mitra_registry.usecases import permits
from mitra_shared.clock import Clock
from mitra_shared.context import Context
from mitra_shared.uow import UnitOfWork
from mitra_shared.worker import PollingWorker


class PermitExpiryScheduler(PollingWorker):
    name = "permit expiry scheduler"
    component = "registry.permit_expiry"

    def __init__(
        self,
        *,
        uow: UnitOfWork,
        clock: Clock,
        listen_dsn: str,
        lead_days: Sequence[int] = (90, 30),
        tick_seconds: float = 300.0,
        batch_size: int = 200,
    ) -> None:
        super().__init__(
            listen_dsn=listen_dsn, wake_channel=permits.WAKE_CHANNEL, batch_size=batch_size, poll_interval=tick_seconds
        )
        self._uow = uow
        self._clock = clock
        self._lead_days = tuple(lead_days)

    async def run_once(self) -> int:
        context = Context.for_system(self.component, self._clock())
        expired = await permits.expire_lapsed(self._uow, context, batch_size=self._batch_size)
        reminded = await permits.send_due_reminders(
            self._uow, context, lead_days=self._lead_days, batch_size=self._batch_size
        )
        return expired + reminded
