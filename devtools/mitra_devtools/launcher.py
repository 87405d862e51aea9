"""Starting Mitra's services as processes on this machine: the one launcher of `make run`, the tests and the benchmark.

Each service runs as `python -m mitra_<service> serve` with its settings in `MITRA_*` environment variables; its
output goes to a log file or, prefixed with its name, to our own standard output. A service is ready when
`/health/ready` answers 200 with `{"status": "ready", ...}` (its database migrated, its broker topology declared, its
relay and consumer running); it is stopped with SIGTERM, and killed only if it has not finished within the stop
timeout.

An isolated run (a test, a benchmark) gives every service a uuid-named database and the run a broker namespace of
its own (`isolated_settings`), and removes both afterwards (`drop_databases`, `delete_namespace`). With `own_role`
each database belongs to a uuid-named role of the same name with a random password, which the service logs in as:
`create_databases` makes both as the administrator before the service starts (a service that is no superuser
cannot create its database), `drop_databases` drops both.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import unquote, urlsplit, urlunsplit

import aio_pika
import asyncpg
import httpx

from mitra_shared.db import database_name, with_database
from mitra_shared.provisioning import provision_database
from mitra_shared.topology import Names

SERVICES = ("registry", "agreements", "notifications", "reporting")
"""The domain services (what tests and the benchmark start by default)."""
CONSOLE = "console"
"""The front door: accounts, login and the signing keys the services verify tokens with."""
ALL_SERVICES = (CONSOLE, *SERVICES)
CONSUMERS = ("agreements", "notifications", "reporting")
DEFAULT_RETRY_DELAYS_MS = (1000, 5000, 30000, 120000, 600000)
READY_TIMEOUT = 90.0
STOP_TIMEOUT = 30.0


def unique(prefix: str) -> str:
    """A name nobody else uses (a database, a queue): the prefix and 12 hex digits."""
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


_PORTS_GIVEN: set[int] = set()
_PORTS_LOCK = threading.Lock()


def free_port() -> int:
    """A port free now and never given before by this process. The kernel may hand the same free port to two
    `bind(0)` calls in a row, and a port is only taken once the process it is meant for binds it: without the
    memory, a service's metrics listener could be given another's HTTP port, and answer its readiness check."""
    with _PORTS_LOCK:
        while True:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                port = int(sock.getsockname()[1])
            if port not in _PORTS_GIVEN:
                _PORTS_GIVEN.add(port)
                return port


def service_command(name: str) -> list[str]:
    return [sys.executable, "-m", f"mitra_{name}", "serve"]


def says_ready(response: httpx.Response) -> bool:
    """A Mitra service's own ready answer, not just any 200 from whatever listens on the port."""
    if response.status_code != 200 or not response.headers.get("content-type", "").startswith("application/json"):
        return False
    body = response.json()
    return isinstance(body, dict) and body.get("status") == "ready"


class NotReady(RuntimeError):
    """A service exited while starting, or did not become ready in time."""


@dataclass
class ManagedProcess:
    """A process this launcher started: a service (with its HTTP port) or a helper such as the SMTP sink."""

    name: str
    process: subprocess.Popen[bytes]
    port: int | None = None
    database_url: str | None = None
    log_path: Path | None = None
    _pipe: threading.Thread | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        if self.port is None:
            raise ValueError(f"{self.name} has no HTTP port")
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def returncode(self) -> int | None:
        return self.process.poll()

    def log(self) -> str:
        """What the process wrote so far (empty when its output goes to our standard output instead)."""
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")

    def _exited_while_starting(self) -> NotReady:
        tail = self.log()[-4000:]
        return NotReady(
            f"{self.name} exited ({self.process.returncode}) while starting" + (f":\n{tail}" if tail else "")
        )

    async def wait_ready(self, timeout: float = READY_TIMEOUT, interval: float = 0.1) -> None:
        """Until `/health/ready` says ready; NotReady (with the log's tail) if the process exits or time runs out."""
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=2) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise self._exited_while_starting()
                try:
                    if says_ready(await client.get(f"{self.url}/health/ready")):
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(interval)
        raise NotReady(f"{self.name} not ready on {self.url} within {timeout:.0f}s:\n{self.log()[-4000:]}")

    def terminate(self) -> None:
        """Ask it to stop (SIGTERM); `wait` collects it."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def wait(self, timeout: float = STOP_TIMEOUT) -> int | None:
        """Its exit status once it has stopped; None if it had to be killed after `timeout` seconds."""
        try:
            code: int | None = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            code = None
        if self._pipe is not None:
            self._pipe.join(timeout=5)
        return code

    def stop(self, timeout: float = STOP_TIMEOUT) -> int | None:
        """SIGTERM, then its exit status; None if it did not stop within `timeout` seconds and was killed."""
        self.terminate()
        return self.wait(timeout)


def _copy_prefixed(name: str, stream: IO[bytes]) -> None:
    for line in iter(stream.readline, b""):
        sys.stdout.write(f"{name:<14}| {line.decode(errors='replace')}")
        sys.stdout.flush()
    stream.close()


def start_process(
    name: str,
    command: Sequence[str],
    env: Mapping[str, str],
    *,
    port: int | None = None,
    log_path: Path | None = None,
    cwd: Path | None = None,
    own_session: bool = False,
) -> ManagedProcess:
    """Start a process with exactly this environment. Its output goes to `log_path`, or, without one, line by line
    to our standard output prefixed with its name. `own_session`: a Ctrl-C in the terminal does not reach it (the
    launcher stops it itself, in order)."""
    if log_path is not None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                list(command),
                env=dict(env),
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=cwd,
                start_new_session=own_session,
            )
        return ManagedProcess(name, process, port=port, database_url=env.get("MITRA_DATABASE_URL"), log_path=log_path)
    process = subprocess.Popen(
        list(command),
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=cwd,
        start_new_session=own_session,
    )
    assert process.stdout is not None
    pipe = threading.Thread(target=_copy_prefixed, args=(name, process.stdout), name=f"{name}-output", daemon=True)
    pipe.start()
    return ManagedProcess(name, process, port=port, database_url=env.get("MITRA_DATABASE_URL"), _pipe=pipe)


def start_service(
    name: str,
    env: Mapping[str, str],
    *,
    log_path: Path | None = None,
    cwd: Path | None = None,
    own_session: bool = False,
    command: Sequence[str] | None = None,
) -> ManagedProcess:
    """Start `python -m mitra_<name> serve` (or `command`) with these settings; its port is `MITRA_HTTP_PORT`."""
    port = int(env.get("MITRA_HTTP_PORT", "8000"))
    return start_process(
        name,
        command or service_command(name),
        env,
        port=port,
        log_path=log_path,
        cwd=cwd,
        own_session=own_session,
    )


RUNTIME_ROLE_SERVICES = frozenset({"reporting"})
"""Services that run as a runtime role of their own while their owner role only migrates: reporting, whose audit log
that runtime role may add to and read, never change (`mitra_shared.provisioning`)."""


def runtime_role(owner: str) -> str:
    """The name of a service's runtime role, beside its owner role."""
    return f"{owner}_app"


def documents_directory(namespace: str) -> Path:
    """The document directory of a run in the broker namespace `namespace` (`isolated_settings`); the run removes it
    when it cleans up."""
    return Path(tempfile.gettempdir()) / "mitra-documents" / namespace


def isolated_settings(
    name: str,
    *,
    admin_dsn: str,
    amqp_url: str,
    namespace: str,
    smtp_port: int,
    database_prefix: str = "mitra",
    port: int | None = None,
    own_role: bool = False,
) -> dict[str, str]:
    """The settings that keep one run of a service apart from every other on the machine: a uuid-named database,
    the run's broker namespace, a free HTTP port, and the run's SMTP server. `own_role`: the service logs in as a
    role of the database's name with a random password (`create_service_database` makes both before it starts), or
    for RUNTIME_ROLE_SERVICES migrates as that role and runs as its runtime role; without, as the administrator, and
    it creates its database itself."""
    database = unique(f"{database_prefix}_{name}")
    database_url = with_database(admin_dsn, database)
    urls = {"MITRA_DATABASE_URL": database_url}
    if own_role:
        urls = database_settings(name, with_role(database_url, database, secrets.token_urlsafe(24)))
    return {
        **urls,
        "MITRA_AMQP_URL": amqp_url,
        "MITRA_AMQP_NAMESPACE": namespace,
        "MITRA_HTTP_PORT": str(port or free_port()),
        "MITRA_SMTP_HOST": "127.0.0.1",
        "MITRA_SMTP_PORT": str(smtp_port),
        "MITRA_SMTP_SECURITY": "none",
        "MITRA_LOG_FORMAT": "json",
        # The run's own document directory: another run's sweeper never sees (or deletes) this run's files.
        "MITRA_DOCUMENTS_DIR": str(documents_directory(namespace)),
    }


def database_settings(name: str, owner_url: str) -> dict[str, str]:
    """A service's database settings given its owner role's URL: that URL alone, or for a RUNTIME_ROLE_SERVICES
    service the owner's as MITRA_MIGRATION_DATABASE_URL and its runtime role's (a random password) as
    MITRA_DATABASE_URL."""
    if name not in RUNTIME_ROLE_SERVICES:
        return {"MITRA_DATABASE_URL": owner_url}
    owner = role_name(owner_url) or database_name(owner_url)
    runtime_url = with_role(owner_url, runtime_role(owner), secrets.token_urlsafe(24))
    return {"MITRA_MIGRATION_DATABASE_URL": owner_url, "MITRA_DATABASE_URL": runtime_url}


async def create_service_database(admin_dsn: str, settings: Mapping[str, str]) -> None:
    """As the administrator: the roles and the database of one service's settings (`database_settings`)."""
    owner_url = settings.get("MITRA_MIGRATION_DATABASE_URL")
    if owner_url is None:
        await provision_database(admin_dsn, settings["MITRA_DATABASE_URL"])
    else:
        await provision_database(admin_dsn, owner_url, settings["MITRA_DATABASE_URL"])


def with_role(dsn: str, role: str, password: str) -> str:
    """`dsn` logging in as `role` with `password` (URL-safe names and passwords need no escaping)."""
    parts = urlsplit(dsn)
    address = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{role}:{password}@{address}"))


def role_name(dsn: str) -> str | None:
    """The role a DSN logs in as, if it names one."""
    username = urlsplit(dsn).username
    return unquote(username) if username else None


async def create_databases(admin_dsn: str, database_urls: Iterable[str]) -> None:
    """As the administrator: each URL's role (never a superuser) and database, owned by it, closed to the others
    (`mitra_shared.db.provision_database`)."""
    for url in database_urls:
        await provision_database(admin_dsn, url)


async def wait_all_ready(processes: Iterable[ManagedProcess], timeout: float = READY_TIMEOUT) -> None:
    """Every service ready, waited for side by side; the first failure stops the wait."""
    await asyncio.gather(*(process.wait_ready(timeout) for process in processes))


def stop_all(processes: Iterable[ManagedProcess], timeout: float = STOP_TIMEOUT) -> dict[str, int | None]:
    """SIGTERM to all at once, then each one's exit status (None: killed after `timeout`)."""
    started = list(processes)
    for process in started:
        process.terminate()
    return {process.name: process.wait(timeout) for process in started}


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


async def drop_databases(admin_dsn: str, database_urls: Iterable[str]) -> None:
    """Drop the run's databases (those that exist), whoever is still connected, and the run's own roles: a role
    named as its database, or as its runtime role, that is neither the administrator nor a superuser."""
    admin = await asyncpg.connect(admin_dsn)
    try:
        for url in database_urls:
            name = database_name(url)
            await admin.execute(f"DROP DATABASE IF EXISTS {_quoted(name)} WITH (FORCE)")
            if role_name(url) not in (name, runtime_role(name)):
                continue
            for role in (name, runtime_role(name)):
                protected = await admin.fetchval(
                    "SELECT rolsuper OR rolname = current_user FROM pg_roles WHERE rolname = $1", role
                )
                if protected is False:
                    await admin.execute(f"DROP ROLE IF EXISTS {_quoted(role)}")
    finally:
        await admin.close()


async def delete_namespace(
    amqp_url: str,
    namespace: str,
    consumers: Iterable[str] = CONSUMERS,
    delays_ms: Iterable[int] = DEFAULT_RETRY_DELAYS_MS,
) -> None:
    """Remove what a run declared under its own namespace (deleting a missing queue is not an error)."""
    names = Names(namespace)
    delays = list(delays_ms)
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel()
        for consumer in consumers:
            for delay in delays:
                await channel.queue_delete(names.retry_queue(consumer, delay))
            await channel.queue_delete(names.dead_letter_queue(consumer))
            await channel.queue_delete(names.consumer_queue(consumer))
        await channel.queue_delete(names.unrouted_queue)
        for exchange in (names.events_exchange, names.unrouted_exchange, names.dead_letter_exchange):
            await channel.exchange_delete(exchange)
    finally:
        with contextlib.suppress(Exception):
            await connection.close()


def environment_without_mitra_settings() -> dict[str, str]:
    """This process's environment minus every `MITRA_*` variable: a service then sees only the settings given."""
    return {key: value for key, value in os.environ.items() if not key.startswith("MITRA_")}
