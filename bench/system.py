"""The system under test: the four services started the way `make run` starts them (`python -m mitra_<service>
serve`, each with its own database), but with uuid-named databases, free ports and a broker namespace of the
benchmark's own, so that it never touches a running demo or a test run."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import aio_pika
import asyncpg
import httpx

from mitra_shared.db import with_database
from mitra_shared.topology import Names, delays_ms

SERVICES = ("registry", "agreements", "notifications", "reporting")
CONSUMERS = ("agreements", "notifications", "reporting")
READY_TIMEOUT = 90.0
STOP_TIMEOUT = 30.0
ADMIN_DSN = os.environ.get("MITRA_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_URL = os.environ.get(
    "MITRA_BENCH_AMQP_URL", os.environ.get("MITRA_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
)
RETRY_DELAYS_SECONDS = (1.0, 5.0, 30.0, 120.0, 600.0)


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def peak_rss_mb(pid: int) -> float | None:
    """The process's peak resident set size (VmHWM) in MB, as the kernel counts it."""
    return _status_kb(pid, "VmHWM")


def current_rss_mb(pid: int) -> float | None:
    return _status_kb(pid, "VmRSS")


def _status_kb(pid: int, key: str) -> float | None:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    return None


@dataclass
class Service:
    name: str
    port: int
    database_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class System:
    namespace: str
    smtp_port: int
    log_dir: Path
    services: dict[str, Service] = field(default_factory=dict)

    def url(self, name: str) -> str:
        return self.services[name].url

    def database_url(self, name: str) -> str:
        return self.services[name].database_url

    def start(self, extra_env: dict[str, str] | None = None) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for name in SERVICES:
            port = free_port()
            database_url = with_database(ADMIN_DSN, unique(f"bench_{name}"))
            env = {
                **os.environ,
                "MITRA_DATABASE_URL": database_url,
                "MITRA_AMQP_URL": AMQP_URL,
                "MITRA_AMQP_NAMESPACE": self.namespace,
                "MITRA_HTTP_PORT": str(port),
                "MITRA_SMTP_HOST": "127.0.0.1",
                "MITRA_SMTP_PORT": str(self.smtp_port),
                "MITRA_SMTP_SECURITY": "none",
                "MITRA_LOG_FORMAT": "json",
                **(extra_env or {}),
            }
            log_path = self.log_dir / f"{name}.log"
            with log_path.open("wb") as log:
                process = subprocess.Popen(
                    [sys.executable, "-m", f"mitra_{name}", "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
                )
            self.services[name] = Service(name, port, database_url, process, log_path)

    async def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        async with httpx.AsyncClient(timeout=2) as client:
            for service in self.services.values():
                while True:
                    if service.process.poll() is not None:
                        tail = service.log_path.read_text(errors="replace")[-3000:]
                        raise RuntimeError(f"{service.name} exited ({service.process.returncode}):\n{tail}")
                    try:
                        if (await client.get(f"{service.url}/health/ready")).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"{service.name} not ready within {READY_TIMEOUT:.0f}s")
                    await asyncio.sleep(0.2)

    def peak_rss_mb(self) -> dict[str, float | None]:
        return {name: peak_rss_mb(service.process.pid) for name, service in self.services.items()}

    def current_rss_mb(self) -> dict[str, float | None]:
        return {name: current_rss_mb(service.process.pid) for name, service in self.services.items()}

    def pids(self) -> dict[str, int]:
        return {name: service.process.pid for name, service in self.services.items()}

    def stop(self) -> dict[str, int | None]:
        for service in self.services.values():
            if service.process.poll() is None:
                service.process.send_signal(signal.SIGTERM)
        codes: dict[str, int | None] = {}
        for name, service in self.services.items():
            try:
                codes[name] = service.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                service.process.kill()
                service.process.wait()
                codes[name] = None
        return codes

    async def clean_up(self) -> None:
        """Drop the run's databases and delete what it declared on the broker."""
        admin = await asyncpg.connect(ADMIN_DSN)
        try:
            for service in self.services.values():
                name = service.database_url.rsplit("/", 1)[1]
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
        await delete_namespace(self.namespace, CONSUMERS)


async def delete_namespace(namespace: str, consumers: tuple[str, ...] = ()) -> None:
    names = Names(namespace)
    connection = await aio_pika.connect(AMQP_URL)
    try:
        channel = await connection.channel()
        for consumer in consumers:
            for delay in delays_ms(RETRY_DELAYS_SECONDS):
                await channel.queue_delete(names.retry_queue(consumer, delay))
            await channel.queue_delete(names.dead_letter_queue(consumer))
            await channel.queue_delete(names.consumer_queue(consumer))
        await channel.queue_delete(names.unrouted_queue)
        for exchange in (names.events_exchange, names.unrouted_exchange, names.dead_letter_exchange):
            await channel.exchange_delete(exchange)
    finally:
        await connection.close()


def process_cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time the process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pids_named(command: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == command:
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def machine_cpu_ticks() -> dict[str, int]:
    """The machine's CPU time by kind (/proc/stat): where the cores went, including time the hypervisor stole."""
    names = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")
    first = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    return dict(zip(names, (int(value) for value in first), strict=False))


@dataclass
class CpuSnapshot:
    by_process: dict[str, float]
    machine: dict[str, int]
    taken_at: float


class CpuMeter:
    """CPU seconds used by each service, by all PostgreSQL and RabbitMQ processes (the whole machine's, not only
    this run's), and by the benchmark itself, between two snapshots."""

    def __init__(self, system: System) -> None:
        self._system = system

    def snapshot(self) -> CpuSnapshot:
        by_process: dict[str, float] = {}
        for name, service in self._system.services.items():
            by_process[name] = process_cpu_seconds(service.process.pid) or 0.0
        for label, command in (("postgresql", "postgres"), ("rabbitmq", "beam.smp")):
            by_process[label] = sum(process_cpu_seconds(pid) or 0.0 for pid in _pids_named(command))
        by_process["bench (load, observers)"] = time.process_time()
        return CpuSnapshot(by_process, machine_cpu_ticks(), time.monotonic())

    @staticmethod
    def used(before: CpuSnapshot, after: CpuSnapshot) -> dict[str, float]:
        return {name: after.by_process[name] - before.by_process.get(name, 0.0) for name in after.by_process}

    @staticmethod
    def machine_shares(before: CpuSnapshot, after: CpuSnapshot) -> dict[str, float]:
        """Share of all the cores' time in each kind between the snapshots (steal: taken by the hypervisor), and
        `outside`: busy time that none of the measured processes used (other work on the machine)."""
        deltas = {kind: after.machine[kind] - before.machine.get(kind, 0) for kind in after.machine}
        total = sum(deltas.values()) or 1
        shares = {kind: value / total for kind, value in deltas.items()}
        busy = 1.0 - shares.get("idle", 0.0) - shares.get("iowait", 0.0) - shares.get("steal", 0.0)
        core_seconds = (after.taken_at - before.taken_at) * (os.cpu_count() or 1)
        measured = sum(CpuMeter.used(before, after).values()) / core_seconds if core_seconds > 0 else 0.0
        shares["outside"] = max(0.0, busy - measured)
        return shares
