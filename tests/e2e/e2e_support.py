"""Helpers for the end-to-end tests: the four services as separate processes, an SMTP server in the test
process: what a ministry's staff and a subscribing system see."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import httpx
from aiosmtpd.smtp import SMTP, Envelope, Session
from support import ADMIN_DSN, AMQP_URL, free_port, unique

from mitra_shared.db import with_database

SERVICES = ("registry", "agreements", "notifications", "reporting")
REPO = Path(__file__).resolve().parents[2]
DEFAULT_RETRY_DELAYS_MS = (1000, 5000, 30000, 120000, 600000)


class Mailbox:
    """What the in-process SMTP server received, readable from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        parsed = message_from_bytes(envelope.original_content or b"", policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with self._lock:
            self._messages.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [message for rcpts, message in self._messages if address in rcpts]


@dataclass
class RunningService:
    name: str
    port: int
    database_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@dataclass
class System:
    namespace: str
    services: dict[str, RunningService]
    mailbox: Mailbox
    smtp_port: int
    exit_codes: dict[str, int] = field(default_factory=dict)

    def url(self, service: str) -> str:
        return self.services[service].url


def wait_ready(service: RunningService, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if service.process.poll() is not None:
            raise AssertionError(f"{service.name} exited ({service.process.returncode}):\n{service.log()[-4000:]}")
        try:
            if httpx.get(f"{service.url}/health/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{service.name} not ready within {timeout}s:\n{service.log()[-4000:]}")


def start_service(
    name: str, *, namespace: str, smtp_port: int, log_dir: Path, extra_env: dict[str, str]
) -> RunningService:
    port = free_port()
    database_url = with_database(ADMIN_DSN, unique(f"e2e_{name}"))
    env = {
        **os.environ,
        "MITRA_ENVIRONMENT": "test",
        "MITRA_DATABASE_URL": database_url,
        "MITRA_AMQP_URL": AMQP_URL,
        "MITRA_AMQP_NAMESPACE": namespace,
        "MITRA_HTTP_PORT": str(port),
        "MITRA_SMTP_HOST": "127.0.0.1",
        "MITRA_SMTP_PORT": str(smtp_port),
        "MITRA_SMTP_SECURITY": "none",
        "MITRA_LOG_FORMAT": "json",
        "MITRA_RELAY_POLL_INTERVAL_SECONDS": "0.5",
        # The tests' webhook receivers listen on loopback, which production refuses by default.
        "MITRA_WEBHOOK_ALLOW_INTERNAL_ADDRESSES": "true",
        **extra_env,
    }
    log_path = log_dir / f"{name}.log"
    handle = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", f"mitra_{name}", "serve"], env=env, stdout=handle, stderr=subprocess.STDOUT, cwd=REPO
    )
    return RunningService(name, port, database_url, process, log_path)


def stop_service(service: RunningService, timeout: float = 30.0) -> int:
    if service.process.poll() is None:
        service.process.send_signal(signal.SIGTERM)
    try:
        return service.process.wait(timeout)
    except subprocess.TimeoutExpired:
        service.process.kill()
        service.process.wait()
        raise AssertionError(f"{service.name} did not stop within {timeout}s of SIGTERM") from None
