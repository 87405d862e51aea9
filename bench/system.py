"""The system under test: the console and the four services started the way `make run` starts them (`python -m
mitra_<service> serve`, each with its own database; the services trusting the console's tokens, the console calling
the services), but with uuid-named databases, free ports and a broker namespace of the benchmark's own, so that it
never touches a running demo or a test run."""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from mitra_devtools import launcher
from mitra_devtools.launcher import CONSOLE, CONSUMERS, SERVICES, ManagedProcess, free_port, unique
from mitra_shared.topology import delays_ms

__all__ = ["ADMIN_DSN", "AMQP_URL", "CONSUMERS", "SERVICES", "CpuMeter", "System", "free_port", "unique"]

READY_TIMEOUT = 90.0
STOP_TIMEOUT = 30.0
ADMIN_DSN = os.environ.get("MITRA_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_URL = os.environ.get(
    "MITRA_BENCH_AMQP_URL", os.environ.get("MITRA_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
)
RETRY_DELAYS_SECONDS = (1.0, 5.0, 30.0, 120.0, 600.0)


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
class System:
    """The console and the four services of one benchmark run, started by the one launcher
    (`mitra_devtools.launcher`)."""

    namespace: str
    smtp_port: int
    log_dir: Path
    services: dict[str, ManagedProcess] = field(default_factory=dict)

    def url(self, name: str) -> str:
        return self.services[name].url

    def database_url(self, name: str) -> str:
        url = self.services[name].database_url
        assert url is not None
        return url

    async def start(self, extra_env: dict[str, str] | None = None) -> None:
        """Start every service as `make run` does: each as a role of its own, never a superuser (reporting as its
        runtime role), made by the administrator first; the services trust the console's tokens (as well as the
        local ones the benchmark drives them with), the console calls them."""
        settings = {
            name: launcher.isolated_settings(
                name,
                admin_dsn=ADMIN_DSN,
                amqp_url=AMQP_URL,
                namespace=self.namespace,
                smtp_port=self.smtp_port,
                database_prefix="bench",
                own_role=True,
            )
            for name in (*SERVICES, CONSOLE)
        }
        for name in (*SERVICES, CONSOLE):
            # Each its own free metrics port: the default (the HTTP port + 1000) may be taken on a shared machine.
            settings[name]["MITRA_METRICS_PORT"] = str(free_port())
        console_url = f"http://127.0.0.1:{settings[CONSOLE]['MITRA_HTTP_PORT']}"
        issuers = json.dumps([{"issuer": console_url, "jwks_url": f"{console_url}/.well-known/jwks.json"}])
        for name in SERVICES:
            settings[name]["MITRA_JWT_ISSUERS"] = issuers
            settings[CONSOLE][f"MITRA_{name.upper()}_URL"] = f"http://127.0.0.1:{settings[name]['MITRA_HTTP_PORT']}"
        for name in (*SERVICES, CONSOLE):
            await launcher.create_service_database(ADMIN_DSN, settings[name])
            env = {**os.environ, **settings[name], **(extra_env or {})}
            self.services[name] = launcher.start_service(name, env, log_path=self.log_dir / f"{name}.log")

    async def wait_ready(self) -> None:
        await launcher.wait_all_ready(self.services.values(), READY_TIMEOUT)

    def peak_rss_mb(self) -> dict[str, float | None]:
        return {name: peak_rss_mb(service.pid) for name, service in self.services.items()}

    def current_rss_mb(self) -> dict[str, float | None]:
        return {name: current_rss_mb(service.pid) for name, service in self.services.items()}

    def pids(self) -> dict[str, int]:
        return {name: service.pid for name, service in self.services.items()}

    def stop(self) -> dict[str, int | None]:
        return launcher.stop_all(self.services.values(), STOP_TIMEOUT)

    async def clean_up(self) -> None:
        """Drop the run's databases, delete what it declared on the broker and the files it kept."""
        shutil.rmtree(launcher.documents_directory(self.namespace), ignore_errors=True)
        await launcher.drop_databases(
            ADMIN_DSN, [url for service in self.services.values() if (url := service.database_url) is not None]
        )
        await launcher.delete_namespace(AMQP_URL, self.namespace, CONSUMERS, delays_ms(RETRY_DELAYS_SECONDS))


def process_cpu_seconds(pid: int, *, reaped_children: bool = False) -> float | None:
    """User plus system CPU time the process has used so far; with `reaped_children`, also that of its children
    that have exited (a PostgreSQL backend that ends takes its CPU time with it, into the postmaster's)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = int(fields[11]) + int(fields[12])
    if reaped_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


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
            by_process[label] = sum(
                process_cpu_seconds(pid, reaped_children=True) or 0.0 for pid in _pids_named(command)
            )
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
