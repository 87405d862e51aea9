"""The console under people: `users` concurrent logged-in users, each fetching the main pages of its role in turn
(its home, its queue, the MSP page) for `seconds`, twice: first as people work, each reading a page for about
`think_seconds` (0.5 to 1.5 times it, at random, so that they do not click in step; each starting within one
such pause) before the next one: the latency the target is about; then without any pause, each page as soon as
the previous one answered: the console's capacity (pages per second), where the latency is only users ÷ pages per
second.

Each role has an account made over the console's API (as an administrator would); each user logs in with it through
the real login form: GET /login (the `mitra_csrf` cookie), POST /login with the username, password and that token;
the session cookie it sets goes with every page. Before the measured rounds each user opens each of its pages once
(unmeasured, as the command mix has its warm-up). Pages are fetched with the benchmark's own HTTP client
(bench/http_client.py), one keep-alive connection per user, as a browser keeps one.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from bench.http_client import HttpClient
from bench.stats import LatencySummary, rate, summarize_seconds

PASSWORD = "bench console passphrase 2026"
SESSION_COOKIE = "mitra_session"
CSRF_COOKIE = "mitra_csrf"
LANGUAGE_COOKIE = "mitra_lang"
LOGINS_AT_ONCE = 2
# A person reads a page for seconds before the next one; one a second is a brisk clicker.
THINK_SECONDS = 1.0


@dataclass(frozen=True)
class Persona:
    role: str
    scope: dict[str, str]
    pages: tuple[str, ...]


def personas(organization_id: str, ministry_code: str, msp_id: str) -> list[Persona]:
    """TPOA, the Mitra Utama and the NGO of the command mix, each with its home, queue and the MSP page."""
    msp = f"/msps/{msp_id}"
    return [
        Persona("tpoa", {}, ("/tpoa", "/tpoa/msps", msp)),
        Persona("ministry", {"ministry_code": ministry_code}, ("/ministry", "/ministry/submissions", msp)),
        Persona("ngo", {"organization_id": organization_id}, ("/ngo", "/msps", msp)),
    ]


@dataclass(frozen=True)
class ConsoleFigures:
    users: int
    seconds: float
    pages: int
    failed: int
    latency: LatencySummary | None
    by_page: dict[str, LatencySummary | None]
    errors: list[str]
    think_seconds: float = 0.0
    # The same users without pauses (the capacity), measured after this.
    without_pause: ConsoleFigures | None = None

    @property
    def pages_per_second(self) -> float:
        return rate(self.pages, self.seconds)

    def as_dict(self) -> dict[str, Any]:
        return {
            "users": self.users,
            "seconds": self.seconds,
            "pages": self.pages,
            "pages_per_second": self.pages_per_second,
            "failed": self.failed,
            "latency_ms": self.latency.as_dict() if self.latency else None,
            "by_page_ms": {page: value.as_dict() if value else None for page, value in self.by_page.items()},
            "errors": self.errors,
            "think_seconds": self.think_seconds,
            "without_pause": self.without_pause.as_dict() if self.without_pause else None,
        }


async def _account(admin: HttpClient, persona: Persona) -> str:
    """An account of the persona's role and scope, made over the console's API; its username."""
    username = f"bench.{persona.role}.{uuid.uuid4().hex[:6]}"
    account = {
        "username": username,
        "display_name": f"Bench {persona.role}",
        "email": f"{username}@bench.example",
        "role": persona.role,
        "password": PASSWORD,
        **persona.scope,
    }
    made = await admin.post("/accounts", account)
    if made.status != 201:
        raise RuntimeError(f"console account for {persona.role}: {made.status} {made.body[:300]!r}")
    return username


async def _logged_in(console_url: str, username: str) -> tuple[HttpClient, str]:
    """A new session through the login form: its client (one connection) and the cookies to send."""
    client = HttpClient(console_url, timeout=30.0)
    form_page = await client.get("/login")
    csrf = form_page.cookies.get(CSRF_COOKIE) or uuid.uuid4().hex
    answer = await client.request(
        "POST",
        "/login",
        form={"username": username, "password": PASSWORD, "csrf_token": csrf, "next": "/"},
        headers={"Cookie": f"{CSRF_COOKIE}={csrf}"},
    )
    session = answer.cookies.get(SESSION_COOKIE)
    if answer.status not in (302, 303) or not session:
        await client.close()
        raise RuntimeError(f"console login as {username}: {answer.status} {answer.body[:300]!r}")
    language = answer.cookies.get(LANGUAGE_COOKIE, "id")
    return client, f"{SESSION_COOKIE}={session}; {LANGUAGE_COOKIE}={language}"


async def measure(
    console_url: str,
    admin: HttpClient,
    people: Sequence[Persona],
    *,
    users: int,
    seconds: float,
    think_seconds: float = THINK_SECONDS,
) -> ConsoleFigures:
    """The users paced by `think_seconds`, then the same sessions without pause."""
    cast = [people[index % len(people)] for index in range(users)]
    # One account per role, each of its people logged in with a session of their own (Argon2 costs the console
    # about as much per login as per account made: this keeps the preparation short). Two logins at a time: all
    # twenty at once would hold twenty Argon2 buffers and put a peak in the console's RSS no working day has.
    usernames = {persona.role: await _account(admin, persona) for persona in people}
    gate = asyncio.Semaphore(LOGINS_AT_ONCE)

    async def logged_in(persona: Persona) -> tuple[HttpClient, str]:
        async with gate:
            return await _logged_in(console_url, usernames[persona.role])

    sessions = list(await asyncio.gather(*(logged_in(persona) for persona in cast)))
    try:
        # Each person opens each of their pages once before anything is measured, as the command mix is warmed up:
        # the measure is a console at work, not each service's first query plans and connections of the run.
        await asyncio.gather(*(_visit_once(persona, *session) for persona, session in zip(cast, sessions, strict=True)))
        paced = await _round(cast, sessions, users=users, seconds=seconds, think_seconds=think_seconds)
        unpaced = await _round(cast, sessions, users=users, seconds=seconds, think_seconds=0.0)
    finally:
        for client, _ in sessions:
            await client.close()
    return replace(paced, without_pause=unpaced)


async def _visit_once(persona: Persona, client: HttpClient, cookie: str) -> None:
    for page in persona.pages:
        response = await client.get(page, headers={"Cookie": cookie})
        if response.status != 200:
            raise RuntimeError(f"warm-up: {persona.role} {page}: {response.status} {response.body[:200]!r}")


async def _round(
    cast: Sequence[Persona],
    sessions: Sequence[tuple[HttpClient, str]],
    *,
    users: int,
    seconds: float,
    think_seconds: float,
) -> ConsoleFigures:
    latencies: dict[str, list[float]] = {}
    errors: list[str] = []
    failed = 0
    started = time.monotonic()
    deadline = started + seconds

    async def user(persona: Persona, client: HttpClient, cookie: str) -> None:
        nonlocal failed
        if think_seconds:
            # People do not all open their first page in the same millisecond: each starts within one pause.
            # (Within half the round at most: a short round, as the smoke test's, still sees each user's pages.)
            await asyncio.sleep(random.uniform(0, min(think_seconds, seconds / 2)))
        for page in itertools.cycle(persona.pages):
            if time.monotonic() >= deadline:
                return
            begun = time.monotonic()
            response = await client.get(page, headers={"Cookie": cookie})
            if response.status == 200:
                latencies.setdefault(_kind(persona, page), []).append(time.monotonic() - begun)
            else:
                failed += 1
                if len(errors) < 5:
                    errors.append(f"{persona.role} {page}: {response.status} {response.body[:200]!r}")
            if think_seconds:
                await asyncio.sleep(think_seconds * random.uniform(0.5, 1.5))

    await asyncio.gather(*(user(persona, *session) for persona, session in zip(cast, sessions, strict=True)))
    elapsed = time.monotonic() - started
    everything = [value for values in latencies.values() for value in values]
    return ConsoleFigures(
        users=users,
        seconds=elapsed,
        pages=len(everything),
        failed=failed,
        latency=summarize_seconds(everything),
        by_page={kind: summarize_seconds(values) for kind, values in sorted(latencies.items())},
        errors=errors,
        think_seconds=think_seconds,
    )


def _kind(persona: Persona, page: str) -> str:
    return f"{persona.role} {'MSP page' if page.startswith('/msps/') else page}"
