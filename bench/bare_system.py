"""The bare pipeline's processes (bench/bare.py) for one run: a database of its own for each (the shared
migrations and the benchmark's), a broker namespace of its own (`<ns>-bare`), free ports; removed afterwards."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import aio_pika

from bench.bare import CONSUMER_ROLES, declare
from bench.baselines import prepare_database
from bench.system import ADMIN_DSN, AMQP_URL, peak_rss_mb
from mitra_devtools import launcher
from mitra_devtools.launcher import ManagedProcess, free_port, unique
from mitra_shared import db
from mitra_shared.topology import Names

REPO = Path(__file__).resolve().parents[1]
ROLES = ("registry", *CONSUMER_ROLES)
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


@dataclass
class BareSystem:
    namespace: str
    smtp_port: int
    log_dir: Path
    services: dict[str, ManagedProcess] = field(default_factory=dict)
    databases: dict[str, str] = field(default_factory=dict)

    def url(self, name: str) -> str:
        return self.services[name].url

    def database_url(self, name: str) -> str:
        return self.databases[name]

    async def start(self) -> None:
        # The queues exist before any process runs: nothing published is unroutable while a consumer starts.
        connection = await aio_pika.connect(AMQP_URL)
        try:
            await declare(await connection.channel(), self.namespace)
        finally:
            await connection.close()
        for role in ROLES:
            dsn = db.with_database(ADMIN_DSN, unique(f"bench_bare_{role}"))
            await prepare_database(dsn)
            self.databases[role] = dsn
            env = {
                **os.environ,
                "MITRA_DATABASE_URL": dsn,
                "MITRA_AMQP_URL": AMQP_URL,
                "MITRA_AMQP_NAMESPACE": self.namespace,
                "MITRA_HTTP_PORT": str(free_port()),
                "MITRA_SMTP_PORT": str(self.smtp_port),
            }
            port = int(env["MITRA_HTTP_PORT"]) if role == "registry" else None
            self.services[role] = launcher.start_process(
                f"bare {role}",
                [sys.executable, "-m", "bench.bare", role],
                env,
                port=port,
                log_path=self.log_dir / f"bare-{role}.log",
                cwd=REPO,
            )

    async def wait_ready(self) -> None:
        await self.services["registry"].wait_ready(READY_TIMEOUT)

    def pids(self) -> dict[str, int]:
        return {name: service.pid for name, service in self.services.items()}

    def peak_rss_mb(self) -> dict[str, float | None]:
        return {name: peak_rss_mb(service.pid) for name, service in self.services.items()}

    def stop(self) -> dict[str, int | None]:
        return launcher.stop_all(self.services.values(), STOP_TIMEOUT)

    async def clean_up(self) -> None:
        await launcher.drop_databases(ADMIN_DSN, list(self.databases.values()))
        connection = await aio_pika.connect(AMQP_URL)
        try:
            channel = await connection.channel()
            names = Names(self.namespace)
            for role in CONSUMER_ROLES:
                await channel.queue_delete(f"{self.namespace}.bare-{role}")
            await channel.queue_delete(names.unrouted_queue)
            for exchange in (names.events_exchange, names.unrouted_exchange, names.dead_letter_exchange):
                await channel.exchange_delete(exchange)
        finally:
            await connection.close()
