"""The faults, injected one after another at even intervals while the load runs:

- `kill`: SIGKILL one replica of a service (each service in turn, alternating replicas), then start it again;
- `rabbitmq`: stop the private RabbitMQ node (`rabbitmqctl stop`) and start it again; with a cluster, one of its three
  nodes (each in turn) while the other two go on;
- `postgres`: restart the private PostgreSQL (`pg_ctl restart -m fast`);
- `pg-drop`: end every session of the services' databases (`pg_terminate_backend`);
- `amqp-drop`: close every AMQP connection (`rabbitmqctl close_all_connections`, on every node).

A replica that exits on its own (not killed here) is started again too, as a supervisor would, and counted.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from chaos.infra import PrivatePostgres, PrivateRabbit, PrivateRabbitCluster
from chaos.system import DATABASE_PREFIX, READY_TIMEOUT, Replica, ReplicatedSystem
from mitra_devtools.launcher import ALL_SERVICES, NotReady

KINDS = ("kill", "rabbitmq", "postgres", "pg-drop", "amqp-drop")
COME_BACK_SECONDS = 60.0  # how long a replica started again may take to become ready, its retries included


def schedule(kinds: Sequence[str], rounds: int) -> list[tuple[str, str | None]]:
    """The faults in order: per round, each kind once, `kill` once per service; kills between the others."""
    others = [kind for kind in kinds if kind != "kill"]
    one_round: list[tuple[str, str | None]] = []
    kills = [("kill", service) for service in ALL_SERVICES] if "kill" in kinds else []
    while kills or others:
        if kills:
            one_round.append(kills.pop(0))
        if others:
            one_round.append((others.pop(0), None))
    return one_round * rounds


@dataclass
class FaultLog:
    injected: Counter[str] = field(default_factory=Counter)
    unplanned_exits: Counter[str] = field(default_factory=Counter)
    restarts_at_start: Counter[str] = field(default_factory=Counter)  # exited while starting, started again
    failures: list[str] = field(default_factory=list)
    seconds: dict[str, list[float]] = field(default_factory=dict)

    def took(self, kind: str, seconds: float) -> None:
        self.seconds.setdefault(kind, []).append(seconds)


class Injector:
    def __init__(
        self, system: ReplicatedSystem, postgres: PrivatePostgres, rabbit: PrivateRabbit | PrivateRabbitCluster
    ) -> None:
        self.system = system
        self.postgres = postgres
        self.rabbit = rabbit
        self.log = FaultLog()
        self._restarts: set[asyncio.Task[None]] = set()
        self._killed: Counter[str] = Counter()
        self._expected_down: set[str] = set()

    async def run(self, faults: Sequence[tuple[str, str | None]], seconds: float) -> None:
        """Inject `faults` spread evenly over `seconds` (a fault that takes longer delays the next)."""
        started = time.monotonic()
        interval = seconds / (len(faults) + 1)
        for index, (kind, service) in enumerate(faults):
            delay = started + (index + 1) * interval - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            began = time.monotonic()
            try:
                await self.inject(kind, service)
            except Exception as error:
                self.log.failures.append(f"{kind} {service or ''}: {type(error).__name__}: {error}")
            self.log.took(kind, time.monotonic() - began)

    async def inject(self, kind: str, service: str | None) -> None:
        label = f"kill {service}" if kind == "kill" else kind
        if kind == "kill":
            assert service is not None
            replicas = self.system.replicas[service]
            replica = replicas[self._killed[service] % len(replicas)]
            self._killed[service] += 1
            self._expected_down.add(replica.name)
            replica.kill()
            self._restart(replica)
        elif kind == "rabbitmq" and isinstance(self.rabbit, PrivateRabbitCluster):
            label = f"rabbitmq (node {await self.rabbit.stop_and_start_one()})"
        elif kind == "rabbitmq":
            await asyncio.to_thread(self.rabbit.stop)
            await self.rabbit.start()
        elif kind == "postgres":
            await asyncio.to_thread(self.postgres.restart)
        elif kind == "pg-drop":
            await self.postgres.terminate_backends(DATABASE_PREFIX)
        elif kind == "amqp-drop":
            await asyncio.to_thread(self.rabbit.close_all_connections)
        else:
            raise ValueError(f"unknown fault {kind!r}")
        self.log.injected[label] += 1

    def _restart(self, replica: Replica) -> None:
        async def restart() -> None:
            # As an orchestrator does: a replica that exits while starting (its broker or database down at that
            # moment: a service fails fast at start) is started again after a pause, until COME_BACK_SECONDS.
            give_up_at = time.monotonic() + COME_BACK_SECONDS
            try:
                for attempt in itertools.count():
                    process = replica.start()
                    try:
                        await process.wait_ready(READY_TIMEOUT)
                        return
                    except NotReady as error:
                        if time.monotonic() >= give_up_at:
                            self.log.failures.append(f"{replica.name} did not come back: {error}"[:2000])
                            return
                        self.log.restarts_at_start[replica.name] += 1
                        await asyncio.sleep(min(0.5 * 2**attempt, 5.0))
            finally:
                self._expected_down.discard(replica.name)

        task = asyncio.create_task(restart())
        self._restarts.add(task)
        task.add_done_callback(self._restarts.discard)

    async def supervise(self, interval: float = 0.5) -> None:
        """Start again any replica that exited without being killed here (until cancelled)."""
        while True:
            for replica in self.system.all_replicas():
                if replica.name not in self._expected_down and not replica.alive():
                    self.log.unplanned_exits[replica.name] += 1
                    self._expected_down.add(replica.name)
                    self._restart(replica)
            await asyncio.sleep(interval)

    async def settle(self) -> None:
        """Wait for the replicas being started again."""
        if self._restarts:
            await asyncio.wait(set(self._restarts))

    @staticmethod
    async def cancel(task: asyncio.Task[None]) -> None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
