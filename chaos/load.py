"""The steady command load: NGO registrations at registry, on a fixed schedule (`rate` per second), spread
round-robin over registry's replicas. Each command carries a unique token in the NGO's name, which its event, its
reporting row and its mail show.

A command is sent again (to the next replica) only when it surely was not received: the connection could not be
made, or the service answered 503 (not ready: its database or broker is away). When the answer is lost after the
request went out (a replica killed mid-request, a timeout), the command may or may not have committed: it is not
sent again (registrations have no idempotency key, a second attempt could register the NGO twice), and the
reconciliation counts what registry committed, not what the client heard.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx

from chaos.observers import NGO_PREFIX
from mitra_shared.auth import issue_token
from mitra_shared.settings import DEVELOPMENT_JWT_SECRET

COUNTRIES = ("GB", "US", "DE", "NL", "CH", "JP", "AU", "FR", "SE", "KR", "NO", "DK")
RETRY_FOR_SECONDS = 60.0
REQUEST_TIMEOUT_SECONDS = 15.0


def bearer(role: str) -> dict[str, str]:
    """A local token of one role (the development secret the services trust in local and test runs)."""
    token = issue_token(
        secret=DEVELOPMENT_JWT_SECRET,
        subject="mitra-chaos",
        issuer="mitra-local",
        audience="mitra",
        roles=[role],
        lifetime_seconds=3 * 3600,
    )
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Command:
    token: str
    attempts: int = 0
    status: int | None = None
    answer_lost: bool = False
    error: str | None = None

    @property
    def answered(self) -> bool:
        return self.status is not None


@dataclass
class LoadResult:
    commands: list[Command] = field(default_factory=list)
    not_sent: int = 0

    @property
    def answered_ok(self) -> list[Command]:
        return [c for c in self.commands if c.status is not None and 200 <= c.status < 300]

    @property
    def answered(self) -> list[Command]:
        return [c for c in self.commands if c.answered]

    @property
    def answer_lost(self) -> list[Command]:
        return [c for c in self.commands if c.answer_lost]

    @property
    def retried(self) -> int:
        return sum(1 for c in self.commands if c.attempts > 1)


class Registrations:
    """Registers NGOs at registry's replicas, round-robin, TPOA's token."""

    def __init__(self, urls: Sequence[str]) -> None:
        self._clients = [
            httpx.AsyncClient(base_url=url, headers=bearer("tpoa"), timeout=REQUEST_TIMEOUT_SECONDS) for url in urls
        ]
        self._next = itertools.cycle(range(len(self._clients)))

    async def send(self, command: Command) -> None:
        body = {
            "legal_name": f"{NGO_PREFIX}{command.token}",
            "acronym": "CN",
            "country_of_origin": random.choice(COUNTRIES),
            "focus_areas": ["poverty"],
        }
        give_up_at = time.monotonic() + RETRY_FOR_SECONDS
        while True:
            command.attempts += 1
            client = self._clients[next(self._next)]
            try:
                response = await client.post("/organizations", json=body)
            except httpx.ConnectError as error:  # never reached the service: safe to send again
                command.error = f"{type(error).__name__}: {error}"
            except httpx.HTTPError as error:  # sent, answer lost: it may have committed
                command.answer_lost = True
                command.error = f"{type(error).__name__}: {error}"
                return
            else:
                if response.status_code != 503:
                    command.status = response.status_code
                    if response.status_code >= 300:
                        command.error = response.text[:300]
                    return
                command.error = "503"
            if time.monotonic() >= give_up_at:
                return
            await asyncio.sleep(0.2)

    async def run(self, *, rate: float, seconds: float, max_in_flight: int = 500) -> LoadResult:
        """Open loop: command i starts at i / rate seconds whatever the earlier ones are doing."""
        result = LoadResult()
        started = time.monotonic()
        in_flight: set[asyncio.Task[None]] = set()
        for index in range(int(rate * seconds)):
            delay = started + index / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            if len(in_flight) >= max_in_flight:
                result.not_sent += 1
                continue
            command = Command(secrets.token_hex(8))
            result.commands.append(command)
            task = asyncio.create_task(self.send(command))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
        if in_flight:
            await asyncio.wait(in_flight)
        return result

    async def close(self) -> None:
        for client in self._clients:
            await client.aclose()
