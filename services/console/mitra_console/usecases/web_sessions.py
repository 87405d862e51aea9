"""Sessions of people in the web console: log in (the token endpoint's own checks and lockout), find the session a
cookie names (ending it when idle or past its end), log out, mint the access token the console calls the services
with on the session's behalf, and the person's preferences (language, time zone).

Only the SHA-256 of a session id is stored. Logging in and out are not changes of an account's data: they are
written in the console's own (system) context, without an audit entry, as the token endpoint's are.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg
import jwt

from mitra_console.domain import web
from mitra_console.domain.accounts import scope_claim
from mitra_console.domain.tokens import Grant
from mitra_console.sql import ACCOUNTS, WEB
from mitra_console.usecases import keys, login
from mitra_console.usecases.config import ConsoleConfig
from mitra_shared.context import Context
from mitra_shared.uow import Transaction, UnitOfWork


@dataclass(frozen=True)
class SessionAccount:
    """Who a session is for, as the pages show them."""

    id: uuid.UUID
    username: str
    display_name: str
    email: str
    role: str
    ministry_code: str | None
    region_code: str | None
    organization_id: uuid.UUID | None

    @property
    def scope(self) -> dict[str, str]:
        return scope_claim(self.role, vars(self))


@dataclass(frozen=True)
class WebSession:
    id_hash: bytes
    account: SessionAccount
    csrf_token: str
    language: str
    time_zone: str | None
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class Started:
    """A new session: the id for the cookie (never stored), the session, and the token the login minted."""

    session_id: str
    session: WebSession
    access_token: str
    token_expires_at: datetime


class LoginRefused(Exception):
    """The username or password is wrong, or the account disabled or locked (the answer does not say which)."""


def _account(row: asyncpg.Record) -> SessionAccount:
    return SessionAccount(
        id=row["account_id"],
        username=row["username"],
        display_name=row["display_name"],
        email=row["email"],
        role=row["role"],
        ministry_code=row["ministry_code"],
        region_code=row["region_code"],
        organization_id=row["organization_id"],
    )


async def log_in(
    uow: UnitOfWork,
    ctx: Context,
    config: ConsoleConfig,
    times: web.SessionTimes,
    *,
    username: str,
    password: str,
    language: str,
) -> Started:
    """Check the password as `POST /auth/token` does (same lockout, same refusal), then open a session (and forget
    the sessions of anyone that ended meanwhile)."""
    try:
        issued = await login.password_grant(uow, ctx, config, username=username, password=password)
    except login.GrantRefused:
        raise LoginRefused(login.WRONG_LOGIN) from None
    claims = jwt.decode(issued.access_token, options={"verify_signature": False})
    account_id = uuid.UUID(claims["sub"])
    session_id, csrf_token = web.new_secret(), web.new_secret()
    async with uow.change(ctx) as tx:
        await tx.conn.execute(*WEB.delete_expired_sessions(now=tx.now, idle_before=tx.now - times.idle))
        preferences = await tx.conn.fetchrow(*WEB.get_preferences(account_id=account_id))
        chosen = preferences["language"] if preferences and preferences["language"] else language
        await tx.conn.execute(
            *WEB.insert_session(
                id_hash=web.secret_hash(session_id),
                account_id=account_id,
                csrf_token=csrf_token,
                language=web.language_or_default(chosen),
                now=tx.now,
                expires_at=tx.now + times.absolute,
            )
        )
        row = await tx.conn.fetchrow(*WEB.get_session(id_hash=web.secret_hash(session_id)))
    session = _session(row)
    expires = datetime.fromtimestamp(int(claims["exp"]), tz=ctx.now.tzinfo)
    return Started(session_id, session, issued.access_token, expires)


def _session(row: asyncpg.Record) -> WebSession:
    return WebSession(
        id_hash=bytes(row["id_hash"]),
        account=_account(row),
        csrf_token=row["csrf_token"],
        language=row["language"],
        time_zone=row["time_zone"],
        created_at=row["created_at"],
        last_seen_at=row["last_seen_at"],
        expires_at=row["expires_at"],
    )


@dataclass(frozen=True)
class Found:
    """What a session cookie leads to: the session, or why there is none (`missing`, `idle`, `ended`)."""

    session: WebSession | None
    state: str


async def find_session(uow: UnitOfWork, ctx: Context, times: web.SessionTimes, session_id: str) -> Found:
    """The session a cookie names, if it is still active (it is marked used now); an idle or ended one is deleted."""
    id_hash = web.secret_hash(session_id)
    async with uow.read() as conn:
        row = await conn.fetchrow(*WEB.get_session(id_hash=id_hash))
    if row is None:
        return Found(None, "missing")
    session = _session(row)
    state = web.session_state(
        last_seen_at=session.last_seen_at, expires_at=session.expires_at, now=ctx.now, times=times
    )
    if state != "active":
        async with uow.change(ctx) as tx:
            await tx.conn.execute(*WEB.delete_session(id_hash=id_hash))
        return Found(None, state)
    if web.needs_touch(session.last_seen_at, ctx.now, times.idle):
        async with uow.change(ctx) as tx:
            await tx.conn.execute(*WEB.touch_session(id_hash=id_hash, now=tx.now))
    return Found(session, "active")


async def log_out(uow: UnitOfWork, ctx: Context, id_hash: bytes) -> None:
    async with uow.change(ctx) as tx:
        await tx.conn.execute(*WEB.delete_session(id_hash=id_hash))


async def end_other_sessions(uow: UnitOfWork, ctx: Context, account_id: uuid.UUID, keep: bytes | None) -> None:
    """After a password change or reset: every other session of the account ends."""
    async with uow.change(ctx) as tx:
        await tx.conn.execute(*WEB.delete_account_sessions(account_id=account_id, keep=keep))


async def mint_token(uow: UnitOfWork, ctx: Context, config: ConsoleConfig, account: SessionAccount) -> tuple[str, int]:
    """A fresh access token for the session's account (as the login's), and its lifetime in seconds. The account is
    read again: a role or scope changed since login is in the new token; a disabled account gets none."""
    async with uow.read() as conn:
        row = await conn.fetchrow(*ACCOUNTS.get_account(account_id=account.id))
    if row is None or not row["active"]:
        raise LoginRefused("the account is gone or disabled")
    grant = Grant(
        subject=str(row["id"]), name=row["display_name"], role=row["role"], scope=scope_claim(row["role"], row)
    )
    token = await keys.sign(uow, ctx, config, grant, config.access_token_lifetime)
    return token, int(config.access_token_lifetime.total_seconds())


async def set_language(uow: UnitOfWork, ctx: Context, session: WebSession, language: str) -> None:
    """The language of this session and, from now on, of the account's next ones (`ctx` is the person's)."""
    language = web.language_or_default(language)
    async with uow.change(ctx) as tx:
        await tx.conn.execute(*WEB.set_session_language(id_hash=session.id_hash, language=language))
        await _save_preferences(tx, session.account.id, language=language, time_zone=None)


async def set_time_zone(uow: UnitOfWork, ctx: Context, session: WebSession, time_zone: str) -> None:
    """The zone the person's dates and times are shown in (`ctx` is the person's)."""
    async with uow.change(ctx) as tx:
        await _save_preferences(tx, session.account.id, language=None, time_zone=time_zone)


async def _save_preferences(
    tx: Transaction, account_id: uuid.UUID, *, language: str | None, time_zone: str | None
) -> None:
    before = await tx.conn.fetchrow(*WEB.get_preferences(account_id=account_id))
    await tx.conn.execute(
        *WEB.save_preferences(account_id=account_id, language=language, time_zone=time_zone, now=tx.now)
    )
    after = await tx.conn.fetchrow(*WEB.get_preferences(account_id=account_id))
    tx.audit(
        "account.preferences_changed",
        "account",
        account_id,
        before=dict(before) if before else None,
        after=dict(after) if after else None,
    )
