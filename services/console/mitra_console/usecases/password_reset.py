"""Password reset by e-mail: a request by username or e-mail address sends a one-time link (a random token whose
SHA-256 alone is stored, valid for `MITRA_CONSOLE_PASSWORD_RESET_MINUTES`, used once); the link's page sets a new
password. The request is answered the same whether an account was found or not, and takes about as long (the
mail is sent after the answer, by the page). An account with `MAX_LIVE_LINKS` links still working gets
no more until one is used or expires.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from mitra_console.domain import passwords, web
from mitra_console.domain.accounts import scope_claim
from mitra_console.sql import ACCOUNTS, WEB
from mitra_console.usecases.config import ConsoleConfig
from mitra_shared.context import Context, Principal
from mitra_shared.uow import UnitOfWork

MAX_LIVE_LINKS = 3


@dataclass(frozen=True)
class ResetMail:
    """A reset link to send: to whom, and the token the link carries (never stored)."""

    to: str
    display_name: str
    token: str


async def request_reset(uow: UnitOfWork, ctx: Context, name: str, lifetime: timedelta) -> ResetMail | None:
    """Make a reset link for the active account `name` names (its username or e-mail), if there is one."""
    async with uow.read() as conn:
        row = await conn.fetchrow(*WEB.find_reset_account(name=name.strip()))
    if row is None:
        return None
    token = web.new_secret()
    async with uow.change(ctx) as tx:
        await tx.conn.execute(*WEB.delete_old_password_resets(before=tx.now - timedelta(days=1)))
        live = await tx.conn.fetchval(*WEB.count_live_password_resets(account_id=row["id"], now=tx.now))
        if live >= MAX_LIVE_LINKS:  # no mail bombing: the links already sent still work
            return None
        await tx.conn.execute(
            *WEB.insert_password_reset(
                token_hash=web.secret_hash(token), account_id=row["id"], now=tx.now, expires_at=tx.now + lifetime
            )
        )
    return ResetMail(to=row["email"], display_name=row["display_name"], token=token)


async def link_usable(uow: UnitOfWork, now_ctx: Context, token: str) -> bool:
    async with uow.read() as conn:
        row = await conn.fetchrow(*WEB.get_password_reset(token_hash=web.secret_hash(token)))
    return row is not None and web.reset_link_usable(
        expires_at=row["expires_at"], used_at=row["used_at"], active=row["active"], now=now_ctx.now
    )


class LinkUnusable(Exception):
    """The link is unknown, expired, used already, or its account disabled."""


async def reset_with_link(
    uow: UnitOfWork,
    ctx: Context,
    config: ConsoleConfig,
    token: str,
    new_password: str,
    *,
    hash_password: Callable[[str], str] = passwords.hash_password,
) -> uuid.UUID:
    """Set the new password the link's owner chose (the password rules apply: `RuleBroken` on `new_password`); the
    link and the account's other links stop working, any lockout ends. Returns the account's id."""
    token_hash = web.secret_hash(token)
    async with uow.read() as conn:
        found = await conn.fetchrow(*WEB.get_password_reset_for_update(token_hash=token_hash))
    if found is None or not web.reset_link_usable(
        expires_at=found["expires_at"], used_at=found["used_at"], active=found["active"], now=ctx.now
    ):
        raise LinkUnusable()
    passwords.check_password(
        new_password, username=found["username"], field="body.new_password", allow_demo=config.allow_demo_password
    )
    password_hash = await asyncio.to_thread(hash_password, new_password)
    owner = Principal(
        subject=str(found["account_id"]),
        roles=(found["role"],),
        name=found["display_name"],
        scope=scope_claim(found["role"], found),
    )
    person = Context(principal=owner, now=ctx.now, request_id=ctx.request_id)
    async with uow.change(person) as tx:
        row = await tx.conn.fetchrow(*WEB.get_password_reset_for_update(token_hash=token_hash))
        if row is None or not web.reset_link_usable(
            expires_at=row["expires_at"], used_at=row["used_at"], active=row["active"], now=tx.now
        ):
            raise LinkUnusable()
        before = await tx.conn.fetchrow(*ACCOUNTS.get_account_for_update(account_id=row["account_id"]))
        after = await tx.conn.fetchrow(
            *ACCOUNTS.set_password(
                account_id=row["account_id"], password_hash=password_hash, now=tx.now, actor=tx.actor
            )
        )
        await tx.conn.execute(*WEB.use_password_reset(account_id=row["account_id"], now=tx.now))
        await tx.conn.execute(*WEB.delete_account_sessions(account_id=row["account_id"], keep=None))
        tx.audit(
            "account.password_reset_by_link",
            "account",
            row["account_id"],
            before={"password_changed_at": before["password_changed_at"], "locked_until": before["locked_until"]},
            after={"password_changed_at": after["password_changed_at"], "locked_until": None},
        )
    account_id: uuid.UUID = row["account_id"]
    return account_id
