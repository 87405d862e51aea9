"""Driving the system over HTTP: scenarios (one per kind of command) and two ways to offer load.

- `open_loop`: commands start on a fixed schedule (`rate` per second) whether or not earlier ones finished, as
  independent users would send them. Latency counts from the scheduled start, so a stalled server cannot hide
  its queue by slowing the generator down (no coordinated omission).
- `closed_loop`: N clients, each sending its next command when the previous one answered: saturation.

The mix: registering an NGO (here) and signing an MSP, announcing a visit, submitting a report (bench/mix.py, which
prepares what they need), each `Scenario` with its weight. A scenario whose prepared inputs ran out (`make` answers
None) gives its turn to the first scenario of the mix, registration, which needs nothing.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.http_client import HttpClient, Response
from mitra_shared.contracts.registry import OrganizationRegistered


@dataclass
class Command:
    scenario: str
    service: str
    endpoint: str
    path: str
    body: dict[str, Any]
    token: str
    scheduled_at: float = 0.0
    responded_at: float | None = None
    status: int | None = None
    key: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300 and self.key is not None

    @property
    def latency(self) -> float | None:
        return None if self.responded_at is None else self.responded_at - self.scheduled_at


@dataclass(frozen=True)
class Scenario:
    """One kind of command: how to make the next one, and which id its events will carry (their subject)."""

    name: str
    service: str
    endpoint: str
    event_routing_key: str  # of the event the command publishes, which the outside subscriber listens for
    event_type: str  # its CloudEvents type, as the consumers' inboxes record it
    # The next request (path, body) given the command's token, which its mail will show; None: nothing left to send.
    make: Callable[[str], tuple[str, dict[str, Any]] | None]
    key_of: Callable[[Response], str | None]  # the id its event carries as subject
    weight: int = 1
    client: str = ""  # which HTTP client (caller) sends it; the service's by default

    @property
    def client_key(self) -> str:
        return self.client or self.service


COUNTRIES = ("GB", "US", "DE", "NL", "CH", "JP", "AU", "FR", "SE", "KR", "NO", "DK")
FOCUS_AREAS = ("poverty", "disaster", "child_welfare", "hiv_aids", "disability", "elderly", "family")


def _registration(token: str) -> tuple[str, dict[str, Any]]:
    return "/organizations", {
        "legal_name": f"Bench NGO {token}",
        "acronym": "BN",
        "country_of_origin": random.choice(COUNTRIES),
        "focus_areas": random.sample(FOCUS_AREAS, k=random.randint(0, 3)),
    }


def id_of(response: Response, field: str = "id") -> str | None:
    if not 200 <= response.status < 300:
        return None
    return str(response.json()[field])


REGISTER_NGO = Scenario(
    name="register NGO",
    service="registry",
    endpoint="POST /organizations",
    event_routing_key=OrganizationRegistered.kind.routing_key,
    event_type=OrganizationRegistered.kind.type,
    make=_registration,
    key_of=id_of,
    weight=6,
)
SCENARIOS: Sequence[Scenario] = (REGISTER_NGO,)


def new_token() -> str:
    return secrets.token_hex(8)


class Mix:
    """Scenarios in proportion to their weights, reproducibly: each round holds every scenario `weight` times, in an
    order shuffled once, so that any round's worth of consecutive commands holds the whole mix. The first scenario is
    the one that needs nothing prepared."""

    def __init__(self, scenarios: Sequence[Scenario], seed: int = 7) -> None:
        self.scenarios = list(scenarios)
        round_ = [scenario for scenario in scenarios for _ in range(scenario.weight)]
        random.Random(seed).shuffle(round_)
        self._next = itertools.cycle(round_)

    def next(self) -> Scenario:
        return next(self._next)

    @property
    def fallback(self) -> Scenario:
        return self.scenarios[0]


@dataclass
class PhaseResult:
    name: str
    started_at: float
    ended_at: float
    offered_per_second: float | None = None  # open loop only
    commands: list[Command] = field(default_factory=list)
    not_sent: int = 0

    @property
    def ok(self) -> list[Command]:
        return [command for command in self.commands if command.ok]

    @property
    def failed(self) -> list[Command]:
        return [command for command in self.commands if not command.ok]


class Driver:
    def __init__(self, clients: dict[str, HttpClient]) -> None:
        self._clients = clients

    async def send(self, scenario: Scenario, command: Command) -> None:
        try:
            response = await self._clients[scenario.client_key].post(command.path, command.body)
            command.responded_at = time.monotonic()
            command.status = response.status
            command.key = scenario.key_of(response)
            if not command.ok:
                command.error = response.body[:300].decode(errors="replace")
        except Exception as error:
            command.responded_at = time.monotonic()
            command.error = f"{type(error).__name__}: {error}"

    def command(self, mix: Mix, scheduled_at: float) -> tuple[Scenario, Command]:
        token = new_token()
        scenario = mix.next()
        made = scenario.make(token)
        if made is None:
            scenario = mix.fallback
            made = scenario.make(token)
            assert made is not None, "the mix's first scenario needs nothing prepared"
        path, body = made
        return scenario, Command(scenario.name, scenario.service, scenario.endpoint, path, body, token, scheduled_at)

    async def open_loop(
        self, mix: Mix, *, rate: float, seconds: float, max_in_flight: int = 2000, name: str = "open loop"
    ) -> PhaseResult:
        total = int(rate * seconds)
        started = time.monotonic()
        result = PhaseResult(name, started, started, offered_per_second=rate)
        in_flight: set[asyncio.Task[None]] = set()
        for index in range(total):
            scheduled = started + index / rate
            delay = scheduled - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            if len(in_flight) >= max_in_flight:
                result.not_sent += 1
                continue
            scenario, command = self.command(mix, scheduled)
            result.commands.append(command)
            task = asyncio.create_task(self.send(scenario, command))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
        if in_flight:
            await asyncio.wait(in_flight)
        result.ended_at = time.monotonic()
        return result

    async def closed_loop(self, mix: Mix, *, clients: int, seconds: float, name: str = "closed loop") -> PhaseResult:
        started = time.monotonic()
        deadline = started + seconds
        result = PhaseResult(name, started, started)

        async def client() -> None:
            while time.monotonic() < deadline:
                scenario, command = self.command(mix, time.monotonic())
                result.commands.append(command)
                await self.send(scenario, command)

        await asyncio.gather(*(client() for _ in range(clients)))
        result.ended_at = time.monotonic()
        return result

    async def sequential_gets(self, service: str, paths: Sequence[str], count: int) -> list[float]:
        """`count` GETs one after another, cycling through `paths`; the latency of each, in seconds."""
        latencies = []
        client = self._clients[service]
        for path in itertools.islice(itertools.cycle(paths), count):
            started = time.monotonic()
            response = await client.get(path)
            if response.status != 200:
                raise RuntimeError(f"GET {path}: {response.status} {response.body[:300]!r}")
            latencies.append(time.monotonic() - started)
        return latencies
