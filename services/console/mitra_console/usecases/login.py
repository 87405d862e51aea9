"""The token endpoints' use cases: a person's password grant and an integration system's client credentials.

A refused login always reads the same (`invalid_grant`), whether the username is unknown, the password wrong, the
account disabled or locked: the answer does not tell whether an account exists. An unknown username is checked
against a dummy hash, so it takes as long as a known one. Argon2 runs off the event loop.
"""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass
from typing import Any

from mitra_console.domain import lockout, passwords
from mitra_console.domain.accounts import scope_claim
from mitra_console.domain.tokens import Grant
from mitra_console.sql import ACCOUNTS, CLIENTS
from mitra_console.usecases import keys
from mitra_console.usecases.config import ConsoleConfig
from mitra_shared.context import Context, Principal
from mitra_shared.uow import UnitOfWork

WRONG_LOGIN = "the username or password is wrong, or the account is disabled or locked for a while"
WRONG_CLIENT = "the client is unknown or disabled, or its secret is wrong"


class GrantRefused(Exception):
    """An OAuth 2.0 token request refused (RFC 6749 section 5.2): `error` is its code."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    token_type: str = "Bearer"


async def _verify(stored_hash: str, secret: str) -> bool:
    return await asyncio.to_thread(passwords.verify_password, stored_hash, secret)


async def password_grant(
    uow: UnitOfWork, ctx: Context, config: ConsoleConfig, *, username: str, password: str
) -> IssuedToken:
    async with uow.read() as conn:
        row = await conn.fetchrow(*ACCOUNTS.find_login(username=username))
    if row is None:
        await _verify(passwords.DUMMY_HASH, password)
        raise GrantRefused("invalid_grant", WRONG_LOGIN)
    state = lockout.LoginState(tuple(row["recent_failures"]), row["locked_until"])
    if not row["active"] or lockout.is_locked(state, ctx.now):
        await _verify(passwords.DUMMY_HASH, password)
        raise GrantRefused("invalid_grant", WRONG_LOGIN)
    correct = await _verify(row["password_hash"], password)
    new_hash = (
        await asyncio.to_thread(passwords.hash_password, password)
        if correct and passwords.needs_rehash(row["password_hash"])
        else None
    )
    # The account is who logged in, or tried to: its audit entries name it (the request itself carries no token).
    account = Principal(
        subject=str(row["id"]), roles=(row["role"],), name=row["display_name"], scope=scope_claim(row["role"], row)
    )
    async with uow.change(dataclasses.replace(ctx, principal=account)) as tx:
        current = await tx.conn.fetchrow(*ACCOUNTS.get_account_for_update(account_id=row["id"]))
        state = lockout.LoginState(tuple(current["recent_failures"]), current["locked_until"])
        accepted = correct and current["active"] and not lockout.is_locked(state, tx.now)
        if accepted:
            await tx.conn.execute(
                *ACCOUNTS.record_login_success(account_id=row["id"], now=tx.now, password_hash=new_hash)
            )
            tx.audit("account.logged_in", "account", row["id"], before=None, after={"logged_in_at": tx.now})
        elif not correct:
            after = lockout.after_failure(state, tx.now, config.lockout)
            await tx.conn.execute(
                *ACCOUNTS.record_login_failure(
                    account_id=row["id"], recent_failures=list(after.recent_failures), locked_until=after.locked_until
                )
            )
            tx.audit(
                "account.locked" if lockout.is_locked(after, tx.now) else "account.login_failed",
                "account",
                row["id"],
                before=_lockout_values(state),
                after=_lockout_values(after),
            )
    if not accepted:
        raise GrantRefused("invalid_grant", WRONG_LOGIN)
    scope = scope_claim(current["role"], current)
    grant = Grant(subject=str(current["id"]), name=current["display_name"], role=current["role"], scope=scope)
    token = await keys.sign(uow, ctx, config, grant, config.access_token_lifetime)
    return IssuedToken(token, int(config.access_token_lifetime.total_seconds()))


def _lockout_values(state: lockout.LoginState) -> dict[str, Any]:
    return {"recent_failures": len(state.recent_failures), "locked_until": state.locked_until}


async def client_credentials(
    uow: UnitOfWork, ctx: Context, config: ConsoleConfig, *, client_id: str, client_secret: str
) -> IssuedToken:
    async with uow.read() as conn:
        row = await conn.fetchrow(*CLIENTS.get_client(client_id=client_id))
    if row is None or not row["active"]:
        await _verify(passwords.DUMMY_HASH, client_secret)
        raise GrantRefused("invalid_client", WRONG_CLIENT, status=401)
    if not await _verify(row["secret_hash"], client_secret):
        raise GrantRefused("invalid_client", WRONG_CLIENT, status=401)
    grant = Grant(subject=row["client_id"], name=row["name"], role="integration", scope={})
    token = await keys.sign(uow, ctx, config, grant, config.client_token_lifetime)
    return IssuedToken(token, int(config.client_token_lifetime.total_seconds()))
