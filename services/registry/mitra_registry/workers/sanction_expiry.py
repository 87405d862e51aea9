"""The sanction expiry worker: on every tick it ends the warnings and freezes whose last day (`ends_on`) is past
in Asia/Jakarta (`registry.sanction.lifted` with `expired: true`; a freeze returns the NGO to its status before
it). Each sanction ends once whichever replica gets there (see `usecases.sanctions.expire_ended`)."""

from __future__ import annotations

from mitra_registry.usecases import sanctions
from mitra_shared.clock import Clock
from mitra_shared.context import Context
from mitra_shared.uow import UnitOfWork
from mitra_shared.worker import PollingWorker

WAKE_CHANNEL = "mitra_registry_sanctions"
"""Nothing needs to wake it before its tick: a sanction ends the day after its `ends_on` at the earliest."""


class SanctionExpiryWorker(PollingWorker):
    name = "sanction expiry worker"
    component = "registry.sanction_expiry"

    def __init__(
        self, *, uow: UnitOfWork, clock: Clock, listen_dsn: str, tick_seconds: float = 300.0, batch_size: int = 200
    ) -> None:
        super().__init__(
            listen_dsn=listen_dsn, wake_channel=WAKE_CHANNEL, batch_size=batch_size, poll_interval=tick_seconds
        )
        self._uow = uow
        self._clock = clock

    async def run_once(self) -> int:
        context = Context.for_system(self.component, self._clock())
        return await sanctions.expire_ended(self._uow, context, batch_size=self._batch_size)
