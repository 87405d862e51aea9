"""The key rotation worker: makes the next signing key before the current one retires (so it is published ahead of
its first token) and deletes the keys no token can still need. Safe with replicas: rotation runs under an advisory
lock (see `usecases.keys`)."""

from __future__ import annotations

from mitra_console.usecases import keys
from mitra_console.usecases.config import ConsoleConfig
from mitra_shared.clock import Clock
from mitra_shared.context import Context
from mitra_shared.uow import UnitOfWork
from mitra_shared.worker import PollingWorker

WAKE_CHANNEL = "mitra_console_keys"


class KeyRotationWorker(PollingWorker):
    name = "key rotation"
    component = "console.key_rotation"

    def __init__(
        self, *, uow: UnitOfWork, clock: Clock, config: ConsoleConfig, listen_dsn: str, tick_seconds: float
    ) -> None:
        super().__init__(listen_dsn=listen_dsn, wake_channel=WAKE_CHANNEL, batch_size=10, poll_interval=tick_seconds)
        self._uow = uow
        self._clock = clock
        self._config = config

    async def run_once(self) -> int:
        await keys.rotate(self._uow, Context.for_system(self.component, self._clock()), self._config)
        return 0

    async def seconds_until_due(self) -> float | None:
        return await keys.seconds_until_rotation(self._uow, self._clock(), self._config)
