"""What the web pages share in one app: settings, the catalogs and templates, the HTTP clients of the four
services, the access tokens minted for sessions (in memory, per session, until a minute before they expire), the
mailer. Made on first use and kept in `app.state.web`.

A test may set `app.state.web_transports = {"registry": httpx.ASGITransport(app=...)}` before the first request to
reach a service in-process, and `app.state.web_mailer` to send mail elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

import httpx
from fastapi import Request

from mitra_console.domain.web import SessionTimes
from mitra_console.http.common import console_config
from mitra_console.http.web.i18n import Languages
from mitra_console.settings import ConsoleSettings
from mitra_console.usecases.config import ConsoleConfig
from mitra_console.usecases.web_mail import Mailer, SmtpMailer

TOKEN_MARGIN = timedelta(minutes=1)


@dataclass
class CachedToken:
    token: str
    expires_at: datetime


@dataclass
class WebState:
    settings: ConsoleSettings
    config: ConsoleConfig
    languages: Languages
    clients: dict[str, httpx.AsyncClient]
    mailer: Mailer
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
    clients = {
        name: httpx.AsyncClient(
            base_url=url.rstrip("/"),
            transport=transports.get(name),
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
        mailer=mailer,
    )
    request.app.state.web = state
    return state


@cache
def shared_languages() -> Languages:
    """The catalogs and templates, read once per process."""
    return Languages()
