"""What the web pages share in one app: settings, the catalogs and templates, the HTTP clients of the four
services, the access tokens minted for sessions (in memory, per session, until a minute before they expire), the
mailer. Made on first use and kept in `app.state.web`.

A test may set `app.state.web_transports = {"registry": httpx.ASGITransport(app=...)}` before the first request to
reach a service in-process, and `app.state.web_mailer` to send mail elsewhere.
"""

from __future__ import annotations

import importlib.util
import logging
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

import httpx
from fastapi import Request

from mitra_console.domain.web import SessionTimes
from mitra_console.http.common import console_config
from mitra_console.http.web.i18n import Languages
from mitra_console.http.web.lean_transport import LeanTransport
from mitra_console.settings import ConsoleSettings
from mitra_console.usecases.config import ConsoleConfig
from mitra_console.usecases.web_mail import Mailer, SmtpMailer

TOKEN_MARGIN = timedelta(minutes=1)
# httpcore looks at every pooled connection (twice over) each time it hands one out, which with httpx's 100 came to
# a fifth of a page's CPU; 10 calls at once to one service keep it busy (it answers them on one event loop).
CONNECTIONS_PER_SERVICE = httpx.Limits(max_connections=10, max_keepalive_connections=10)


@dataclass
class CachedToken:
    token: str
    expires_at: datetime


@dataclass
class WebState:
    settings: ConsoleSettings
    config: ConsoleConfig
    languages: Languages
    clients: dict[str, httpx.AsyncClient]  # files: uploads, downloads, relayed requests (streamed)
    mailer: Mailer
    # the JSON calls (`ApiClient.get`, `send`), on `LeanTransport`; none: `clients`
    call_clients: dict[str, httpx.AsyncClient] = field(default_factory=dict)
    tokens: dict[bytes, CachedToken] = field(default_factory=dict)

    @property
    def times(self) -> SessionTimes:
        return SessionTimes(
            idle=timedelta(minutes=self.settings.console_session_idle_minutes),
            absolute=timedelta(hours=self.settings.console_session_hours),
        )

    def cached_token(self, id_hash: bytes, now: datetime) -> str | None:
        cached = self.tokens.get(id_hash)
        if cached is None or now >= cached.expires_at - TOKEN_MARGIN:
            return None
        return cached.token

    def remember_token(self, id_hash: bytes, token: str, expires_at: datetime, now: datetime) -> None:
        if len(self.tokens) > 10_000:  # sessions that ended without a logout: forget the expired ones
            self.tokens = {key: value for key, value in self.tokens.items() if value.expires_at > now}
        self.tokens[id_hash] = CachedToken(token, expires_at)

    def forget_token(self, id_hash: bytes) -> None:
        self.tokens.pop(id_hash, None)


def _base_urls(settings: ConsoleSettings) -> dict[str, str]:
    return {
        "registry": settings.registry_url,
        "agreements": settings.agreements_url,
        "notifications": settings.notifications_url,
        "reporting": settings.reporting_url,
    }


async def web_state(request: Request) -> WebState:
    state: WebState | None = getattr(request.app.state, "web", None)
    if state is not None:
        return state
    settings = request.app.state.resources.settings
    assert isinstance(settings, ConsoleSettings), "the console runs with ConsoleSettings"
    transports: dict[str, httpx.AsyncBaseTransport] = getattr(request.app.state, "web_transports", {}) or {}
    _quiet_clients()
    clients = {
        name: httpx.AsyncClient(
            base_url=url.rstrip("/"),
            transport=transports.get(name),
            timeout=settings.console_api_timeout_seconds,
            follow_redirects=False,
            limits=CONNECTIONS_PER_SERVICE,
        )
        for name, url in _base_urls(settings).items()
    }
    call_clients = {
        name: httpx.AsyncClient(
            base_url=url.rstrip("/"),
            transport=transports.get(name) or _call_transport(url),
            timeout=settings.console_api_timeout_seconds,
            follow_redirects=False,
        )
        for name, url in _base_urls(settings).items()
    }
    mailer: Mailer = getattr(request.app.state, "web_mailer", None) or SmtpMailer(settings)
    state = WebState(
        settings=settings,
        config=await console_config(request),
        languages=shared_languages(),
        clients=clients,
        call_clients=call_clients,
        mailer=mailer,
    )
    request.app.state.web = state
    return state


def _call_transport(url: str) -> httpx.AsyncBaseTransport:
    """The lean transport speaks plain HTTP/1.1; a service reached over TLS keeps httpx's own."""
    if url.startswith("http://"):
        return LeanTransport(CONNECTIONS_PER_SERVICE.max_connections or 10)
    return httpx.AsyncHTTPTransport(limits=CONNECTIONS_PER_SERVICE)


def _quiet_clients() -> None:
    """What the clients would cost per call and not tell: httpx's line for each call (the services log each one,
    with the page's correlation id, and the console its page), and httpcore's `import sniffio` (several per call),
    which without sniffio installed searches the whole import path each time (0.1 ms); recorded as missing, it
    fails at once."""
    logging.getLogger("httpx").setLevel(max(logging.WARNING, logging.getLogger().level))
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


@cache
def shared_languages() -> Languages:
    """The catalogs and templates, read once per process."""
    return Languages()
