"""The services as separate processes for end-to-end tests, through the one launcher (`mitra_devtools.launcher`):
each with a uuid-named database that a uuid-named role of its own owns and logs in with (never a superuser), the
test's broker namespace, a free port, JSON logs in a file; stopped with SIGTERM.

    with running_services(["registry", "agreements"], log_dir=tmp_path, smtp=True) as system:
        system.url("registry"); system.mailbox.to("tpoa@kemlu.example"); system.services["registry"].log()

On leaving, every service is stopped, its database and role dropped and the namespace deleted; a service that did
not exit with 0 on SIGTERM fails the test (`check_exit=False` to allow it).
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias

from mitra_devtools import launcher
from mitra_devtools.launcher import SERVICES, ManagedProcess, NotReady
from support.broker import AMQP_URL, DEFAULT_RETRY_DELAYS_MS, delete_namespace, new_namespace
from support.database import ADMIN_DSN, drop_database
from support.mail import Mailbox, SmtpServer
from support.paths import REPO

__all__ = [
    "SERVICES",
    "RunningService",
    "RunningSystem",
    "running_services",
    "service_settings",
    "start_service",
    "stop_service",
    "wait_ready",
]

RunningService: TypeAlias = ManagedProcess
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0


def service_settings(name: str, *, namespace: str, smtp_port: int) -> dict[str, str]:
    """The `MITRA_*` settings of one service in a test run: isolated, with a role of its own (see
    `launcher.isolated_settings`; `start_service` creates the role and the database), in the `test` environment,
    relaying quickly, and allowed to call webhooks on loopback (where the tests' receivers are). TPOA decides alone
    (no member ministries to wait for) unless a test names its members in `extra_env`, as the issue-14 tests do."""
    return {
        **launcher.isolated_settings(
            name,
            admin_dsn=ADMIN_DSN,
            amqp_url=AMQP_URL,
            namespace=namespace,
            smtp_port=smtp_port,
            database_prefix="e2e",
            own_role=True,
        ),
        "MITRA_ENVIRONMENT": "test",
        # A free port for the metrics listener: the default (the HTTP port + 1000) may be taken on a shared machine.
        "MITRA_METRICS_PORT": str(launcher.free_port()),
        "MITRA_RELAY_POLL_INTERVAL_SECONDS": "0.5",
        "MITRA_WEBHOOK_ALLOW_INTERNAL_ADDRESSES": "true",
        "MITRA_TPOA_MEMBERS": "",
    }


def start_service(
    name: str, *, namespace: str, smtp_port: int, log_dir: Path, extra_env: Mapping[str, str] | None = None
) -> RunningService:
    """Start one service (not waiting for it) after creating its role and database as the administrator; its log
    is `log_dir/<name>.log`."""
    settings = service_settings(name, namespace=namespace, smtp_port=smtp_port)
    env = {**os.environ, **settings, **(extra_env or {})}
    if env["MITRA_DATABASE_URL"] == settings["MITRA_DATABASE_URL"]:
        asyncio.run(launcher.create_service_database(ADMIN_DSN, settings))
    service = launcher.start_service(name, env, log_path=log_dir / f"{name}.log", cwd=REPO)
    METRICS_PORTS[service.pid] = int(env["MITRA_METRICS_PORT"])
    return service


METRICS_PORTS: dict[int, int] = {}
"""The metrics port of each service process started here, by process id."""


def metrics_url(service: RunningService) -> str:
    """Where the service serves its Prometheus metrics (its metrics listener, not its public port)."""
    return f"http://127.0.0.1:{METRICS_PORTS[service.pid]}/metrics"


def wait_ready(service: RunningService, timeout: float = READY_TIMEOUT) -> None:
    """Block until the service is ready; AssertionError with its log's tail if it exits or does not get there."""
    wait_all_ready([service], timeout)


def wait_all_ready(services: Iterable[RunningService], timeout: float = READY_TIMEOUT) -> None:
    try:
        asyncio.run(launcher.wait_all_ready(services, timeout))
    except NotReady as error:
        raise AssertionError(str(error)) from None


def stop_service(service: RunningService, timeout: float = STOP_TIMEOUT) -> int:
    """SIGTERM and its exit status; AssertionError if it had to be killed (a service must stop on SIGTERM)."""
    code = service.stop(timeout)
    if code is None:
        raise AssertionError(f"{service.name} did not stop within {timeout}s of SIGTERM:\n{service.log()[-4000:]}")
    return code


@dataclass
class RunningSystem:
    """Services of one test run, in one broker namespace, with the SMTP server they send to."""

    namespace: str
    services: dict[str, RunningService]
    smtp: SmtpServer
    exit_codes: dict[str, int | None] = field(default_factory=dict)

    def url(self, service: str) -> str:
        return self.services[service].url

    def metrics_url(self, service: str) -> str:
        return metrics_url(self.services[service])

    @property
    def mailbox(self) -> Mailbox:
        return self.smtp.mailbox

    @property
    def smtp_port(self) -> int:
        return self.smtp.port


@contextmanager
def running_services(
    names: Iterable[str] = SERVICES,
    *,
    log_dir: Path,
    namespace_prefix: str = "e2e",
    smtp: bool = False,
    extra_env: Mapping[str, Mapping[str, str]] | None = None,
    check_exit: bool = True,
    namespace: str | None = None,
) -> Iterator[RunningSystem]:
    """Start the named services side by side and wait until all are ready; stop and clean up on leaving.

    `smtp`: run an SMTP server in the test process that they send to (otherwise the setting points at a free port
    where nothing listens). `extra_env`: more settings per service name, e.g. `{"agreements": {...}}`. `namespace`:
    a broker namespace prepared by the test (a new one from `namespace_prefix` otherwise).
    """
    namespace = namespace or new_namespace(namespace_prefix)
    server = SmtpServer()
    if smtp:
        server.start()
    started: dict[str, RunningService] = {}
    system = RunningSystem(namespace=namespace, services=started, smtp=server)
    try:
        for name in names:
            started[name] = start_service(
                name,
                namespace=namespace,
                smtp_port=server.port,
                log_dir=log_dir,
                extra_env=(extra_env or {}).get(name),
            )
        wait_all_ready(started.values())
        yield system
    finally:
        system.exit_codes.update(launcher.stop_all(started.values(), STOP_TIMEOUT))
        server.stop()

        async def clean() -> None:
            for service in started.values():
                if service.database_url is not None:
                    await drop_database(service.database_url)
            await delete_namespace(namespace, started, DEFAULT_RETRY_DELAYS_MS)

        asyncio.run(clean())
        shutil.rmtree(launcher.documents_directory(namespace), ignore_errors=True)
    if check_exit:
        bad = {name: code for name, code in system.exit_codes.items() if code != 0}
        assert not bad, f"services did not exit cleanly on SIGTERM (None: killed): {bad}"
