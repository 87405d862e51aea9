"""One chaos run, start to finish: the private PostgreSQL and RabbitMQ, the SMTP server, the system with its
replicas, the outside subscriber; the load and the faults side by side; the drain (reconciling until nothing is
missing, or its deadline); the figures; everything stopped and removed (the logs kept when the run failed)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx

from chaos import infra
from chaos.faults import KINDS, FaultLog, Injector, schedule
from chaos.load import LoadResult, Registrations, bearer
from chaos.observers import MailRecorder, OutsideQueue
from chaos.reconcile import Reconciliation, database_clock, dead_lettered, reconcile
from chaos.system import ReplicatedSystem
from mitra_devtools.launcher import ALL_SERVICES, free_port

TPOA_ADDRESS = "tpoa@chaos.example"


@dataclass(frozen=True)
class Config:
    seconds: float = 120.0  # of load
    rate: float = 25.0  # commands per second
    faults: tuple[str, ...] = KINDS
    rounds: int = 2  # each fault kind this many times (kills: once per service per round)
    drain_seconds: float = 150.0
    replicas: int = 2
    cluster: bool = False  # three RabbitMQ nodes (the compose `cluster` profile's configuration), one stopped a time


SHORT = Config(seconds=15.0, rate=10.0, rounds=1, drain_seconds=45.0)


@dataclass
class Outcome:
    config: Config
    load: LoadResult
    faults: FaultLog
    reconciliation: Reconciliation
    drained_in: float | None
    timings: dict[str, float] = field(default_factory=dict)
    kept: Path | None = None
    not_stopped: list[str] = field(default_factory=list)  # replicas killed after STOP_TIMEOUT at the end
    # With a cluster: how many nodes hold a replica of each of the run's quorum queues, at the end.
    queue_replicas: dict[str, int] = field(default_factory=dict)
    connections_by_node: dict[str, int] = field(default_factory=dict)  # the services' and the subscriber's, at the end

    @property
    def replicated_everywhere(self) -> bool:
        return not self.config.cluster or (
            bool(self.queue_replicas)
            and all(count == infra.PrivateRabbitCluster.SIZE for count in self.queue_replicas.values())
        )

    @property
    def passed(self) -> bool:
        return (
            self.reconciliation.clean
            and not self.faults.failures
            and self.drained_in is not None
            and self.replicated_everywhere
        )


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] chaos: {message}", flush=True)


async def _add_tpoa_recipient(url: str) -> None:
    async with httpx.AsyncClient(base_url=url, headers=bearer("admin"), timeout=30) as client:
        answer = await client.post(
            "/recipients", json={"name": "Sekretariat TPOA (chaos)", "role": "tpoa", "email": TPOA_ADDRESS}
        )
    if answer.status_code != 201:
        raise RuntimeError(f"could not add the TPOA recipient: {answer.status_code} {answer.text[:300]}")


async def _drain(
    system: ReplicatedSystem,
    subscriber: OutsideQueue,
    mail: MailRecorder,
    since: datetime,
    load: LoadResult,
    deadline: float,
) -> tuple[Reconciliation, float | None]:
    """Reconcile every second until nothing is missing (or the deadline): the time it took, None if it never was."""
    began = time.monotonic()
    acknowledged = {command.token for command in load.answered_ok}
    while True:
        result = await reconcile(system.admin_dsn, system.database_urls, since, subscriber, mail, TPOA_ADDRESS)
        result.acknowledged_not_committed = len(acknowledged - result.committed_tokens)
        if result.lost == 0 and result.events_unpublished == 0:
            return result, time.monotonic() - began
        if time.monotonic() >= deadline:
            return result, None
        await asyncio.sleep(1.0)


def describe(rabbit: infra.PrivateRabbit | infra.PrivateRabbitCluster) -> str:
    if isinstance(rabbit, infra.PrivateRabbitCluster):
        return "cluster of " + ", ".join(f"{node.node} on {node.port}" for node in rabbit.nodes)
    return f"node {rabbit.node} on {rabbit.port}"


async def run(config: Config) -> Outcome:
    base = await asyncio.to_thread(infra.workspace)
    postgres = infra.PrivatePostgres(base)
    rabbit: infra.PrivateRabbit | infra.PrivateRabbitCluster
    rabbit = infra.PrivateRabbitCluster(base) if config.cluster else infra.PrivateRabbit(base)
    other_nodes = rabbit.other_nodes if isinstance(rabbit, infra.PrivateRabbitCluster) else ""
    mail = MailRecorder("127.0.0.1", free_port())
    namespace = f"chaos-{uuid.uuid4().hex[:8]}"
    timings: dict[str, float] = {}
    began = time.monotonic()
    system = ReplicatedSystem(
        postgres.admin_dsn,
        rabbit.amqp_url,
        namespace,
        mail.port,
        base / "logs",
        replicas_per_service=config.replicas,
        extra_env={"MITRA_AMQP_NODES": other_nodes},
    )
    subscriber = OutsideQueue(rabbit.amqp_url, namespace, other_nodes=other_nodes)
    outcome: Outcome | None = None
    try:
        say(f"private PostgreSQL on {postgres.port}, RabbitMQ {describe(rabbit)}, files in {base}")
        await asyncio.gather(asyncio.to_thread(postgres.start), rabbit.start(), mail.start())
        timings["infrastructure"] = time.monotonic() - began
        say(f"starting {config.replicas} replicas of each of {', '.join(ALL_SERVICES)}")
        await system.start()
        timings["system ready"] = time.monotonic() - began
        await _add_tpoa_recipient(system.urls("notifications")[0])
        await subscriber.start()
        since = await database_clock(postgres.admin_dsn)
        injector = Injector(system, postgres, rabbit)
        faults = schedule(config.faults, config.rounds)
        say(f"load: {config.rate:g} registrations/s for {config.seconds:g}s; {len(faults)} faults")
        registrations = Registrations(system.urls("registry"))
        supervisor = asyncio.create_task(injector.supervise())
        try:
            load, _ = await asyncio.gather(
                registrations.run(rate=config.rate, seconds=config.seconds), injector.run(faults, config.seconds)
            )
            await injector.settle()
        finally:
            await registrations.close()
        timings["load and faults"] = time.monotonic() - began
        say(f"load over ({len(load.commands)} commands); draining, at most {config.drain_seconds:g}s")
        deadline = time.monotonic() + config.drain_seconds
        reconciliation, drained_in = await _drain(system, subscriber, mail, since, load, deadline)
        await Injector.cancel(supervisor)
        reconciliation.dead_lettered = await dead_lettered(rabbit.amqp_url, namespace)
        timings["drained"] = time.monotonic() - began
        outcome = Outcome(config, load, injector.log, reconciliation, drained_in, timings)
        if isinstance(rabbit, infra.PrivateRabbitCluster):
            members = await asyncio.to_thread(rabbit.quorum_queue_members)
            outcome.queue_replicas = {name: count for name, count in members.items() if name.startswith(namespace)}
            outcome.connections_by_node = await asyncio.to_thread(rabbit.connections_by_node)
    finally:
        await subscriber.stop()
        exit_codes = await asyncio.to_thread(system.stop)
        await mail.stop()
        await asyncio.to_thread(rabbit.stop)
        with contextlib.suppress(infra.InfraError):
            await asyncio.to_thread(postgres.stop)
        if outcome is not None:
            outcome.not_stopped = sorted(name for name, code in exit_codes.items() if code is None)
            outcome.timings["stopped"] = time.monotonic() - began
        if outcome is not None and outcome.passed and not os.environ.get("MITRA_CHAOS_KEEP"):
            infra.remove(base)
        elif outcome is not None:
            outcome.kept = base
    return outcome
