"""Mitra with two (or more) replicas of every service, each replica its own process on its own HTTP and metrics
ports, the replicas of a service sharing its database and the run's broker namespace, as a deployment behind a load
balancer would run them. Started through the one launcher (`mitra_devtools.launcher`), on the run's private
PostgreSQL and RabbitMQ (chaos/infra.py)."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mitra_devtools import launcher
from mitra_devtools.launcher import ALL_SERVICES, CONSOLE, SERVICES, ManagedProcess, free_port

DATABASE_PREFIX = "chaos"
READY_TIMEOUT = 120.0
STOP_TIMEOUT = 15.0
# Retries of a failed message after 1, 2, 5, 10 and 30 s, then the dead-letter queue: shorter than the default (up to
# 10 min), so that a consumer has less time to get over an outage before it gives a message up, and the run drains
# within minutes.
RETRY_DELAYS_SECONDS = "[1, 2, 5, 10, 30]"
DELIVERY_LEASE_SECONDS = "10"


@dataclass
class Replica:
    service: str
    index: int
    env: dict[str, str]
    log_dir: Path
    process: ManagedProcess | None = None
    starts: int = 0

    @property
    def name(self) -> str:
        return f"{self.service}-{self.index}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.env['MITRA_HTTP_PORT']}"

    def start(self) -> ManagedProcess:
        self.starts += 1
        log_path = self.log_dir / f"{self.name}.{self.starts}.log"
        self.process = launcher.start_service(self.service, self.env, log_path=log_path)
        return self.process

    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    def kill(self) -> None:
        """SIGKILL: no shutdown, no acknowledgements sent, no transaction finished."""
        if self.process is not None and self.process.returncode is None:
            self.process.process.send_signal(signal.SIGKILL)
            self.process.process.wait()


@dataclass
class ReplicatedSystem:
    admin_dsn: str
    amqp_url: str
    namespace: str
    smtp_port: int
    log_dir: Path
    replicas_per_service: int = 2
    extra_env: Mapping[str, str] = field(default_factory=dict)
    replicas: dict[str, list[Replica]] = field(default_factory=dict)
    database_urls: dict[str, str] = field(default_factory=dict)

    def urls(self, service: str) -> list[str]:
        return [replica.url for replica in self.replicas[service]]

    async def start(self) -> None:
        """Every service's database (as the administrator), then all replicas at once (migrations take a lock)."""
        settings = {
            name: launcher.isolated_settings(
                name,
                admin_dsn=self.admin_dsn,
                amqp_url=self.amqp_url,
                namespace=self.namespace,
                smtp_port=self.smtp_port,
                database_prefix=DATABASE_PREFIX,
                own_role=True,
            )
            for name in ALL_SERVICES
        }
        ports = {name: [free_port() for _ in range(self.replicas_per_service)] for name in ALL_SERVICES}
        console_url = f"http://127.0.0.1:{ports[CONSOLE][0]}"
        issuers = json.dumps([{"issuer": console_url, "jwks_url": f"{console_url}/.well-known/jwks.json"}])
        for name in SERVICES:
            settings[name]["MITRA_JWT_ISSUERS"] = issuers
            settings[CONSOLE][f"MITRA_{name.upper()}_URL"] = f"http://127.0.0.1:{ports[name][0]}"
        settings[CONSOLE]["MITRA_CONSOLE_ISSUER"] = console_url
        for name in ALL_SERVICES:
            await launcher.create_service_database(self.admin_dsn, settings[name])
            owner_url = settings[name].get("MITRA_MIGRATION_DATABASE_URL", settings[name]["MITRA_DATABASE_URL"])
            self.database_urls[name] = owner_url
            common = {
                **launcher.environment_without_mitra_settings(),
                **settings[name],
                "MITRA_ENVIRONMENT": os.environ.get("MITRA_ENVIRONMENT", "local"),
                "MITRA_RELAY_POLL_INTERVAL_SECONDS": "0.5",
                "MITRA_RETRY_DELAYS_SECONDS": RETRY_DELAYS_SECONDS,
                "MITRA_TPOA_MEMBERS": "",
                # A notifications replica killed with a batch leased leaves it to the other after the lease: shorter
                # than the default 60 s so that the short run's drain sees those mails (the local SMTP server answers
                # at once, far within it).
                "MITRA_DELIVERY_LEASE_SECONDS": DELIVERY_LEASE_SECONDS,
                **self.extra_env,
            }
            self.replicas[name] = [
                Replica(
                    name,
                    index + 1,
                    {**common, "MITRA_HTTP_PORT": str(port), "MITRA_METRICS_PORT": str(free_port())},
                    self.log_dir,
                )
                for index, port in enumerate(ports[name])
            ]
        started = [replica.start() for replica in self.all_replicas()]
        await launcher.wait_all_ready(started, READY_TIMEOUT)

    def all_replicas(self) -> list[Replica]:
        return [replica for replicas in self.replicas.values() for replica in replicas]

    def processes(self) -> list[ManagedProcess]:
        return [replica.process for replica in self.all_replicas() if replica.process is not None]

    def stop(self) -> dict[str, int | None]:
        """SIGTERM to every replica; each one's exit status by replica name (None: killed after STOP_TIMEOUT)."""
        running = [replica for replica in self.all_replicas() if replica.process is not None]
        for replica in running:
            assert replica.process is not None
            replica.process.terminate()
        return {replica.name: replica.process.wait(STOP_TIMEOUT) for replica in running if replica.process}

    async def clean_up(self) -> None:
        """Drop the run's databases (the private cluster goes with the run anyway; a shared one would not)."""
        await launcher.drop_databases(self.admin_dsn, list(self.database_urls.values()))
