"""What every step of the demo loader shares: the services' URLs, a token of the role that makes the step, a
check of each answer, waiting (with a deadline) for a fact to reach another service, and a line per thing done."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

T = TypeVar("T")
Mint = Callable[[str, str, dict[str, str]], str]
"""(subject, role, scope) -> a bearer token the local services accept, e.g. `mitra_devtools.token.local_token`."""

PROPAGATION_TIMEOUT = 20.0
"""How long a fact may take to travel from one service to another over events before the loader gives up."""
POLL_INTERVAL = 0.2


class DemoError(RuntimeError):
    """A step of the demo failed: which, and what the service answered."""


@dataclass(frozen=True)
class Urls:
    registry: str
    agreements: str
    notifications: str
    reporting: str
    console: str | None = None


@dataclass
class Demo:
    """One load of the demo data: the client, the URLs, how to get a token, and what was done."""

    client: httpx.Client
    urls: Urls
    mint: Mint
    say: Callable[[str], None]
    done: list[str] = field(default_factory=list)
    _headers: dict[tuple[str, str, tuple[tuple[str, str], ...]], dict[str, str]] = field(default_factory=dict)

    def as_(self, role: str, subject: str, **scope: str) -> dict[str, str]:
        """The headers of a caller of that role and scope, named `subject` (who the audit trail shows)."""
        key = (role, subject, tuple(sorted(scope.items())))
        if key not in self._headers:
            self._headers[key] = {"Authorization": f"Bearer {self.mint(subject, role, dict(scope))}"}
        return self._headers[key]

    def did(self, line: str) -> None:
        self.done.append(line)
        self.say(line)

    def call(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        ok: tuple[int, ...] = (200, 201),
        also: tuple[int, ...] = (),
        extra_headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """Make the call; an answer outside `ok` and `also` fails the load with what the service said."""
        response = self.client.request(
            method, url, headers={**headers, **(extra_headers or {})}, json=json, params=params
        )
        if response.status_code not in ok + also:
            raise DemoError(f"{method} {url} answered {response.status_code}: {response.text[:2000]}")
        return response

    def get(self, url: str, headers: dict[str, str], **params: Any) -> Any:
        return self.call("GET", url, headers, params=params or None).json()

    def post(self, url: str, headers: dict[str, str], body: Any, **kwargs: Any) -> httpx.Response:
        return self.call("POST", url, headers, json=body, **kwargs)


def eventually(probe: Callable[[], T | None], description: str, timeout: float = PROPAGATION_TIMEOUT) -> T:
    """Poll `probe` until it returns something other than None, or fail once the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result is not None:
            return result
        if time.monotonic() >= deadline:
            raise DemoError(f"{description}: not there within {timeout:.0f}s")
        time.sleep(POLL_INTERVAL)


def first_field(response: httpx.Response) -> str | None:
    """The field a problem+json answer names first (None if it names none)."""
    try:
        errors = response.json().get("errors") or []
    except ValueError:
        return None
    return str(errors[0].get("field")) if errors else None
