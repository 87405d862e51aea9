"""Signing keys: made and rotated under one advisory lock (so replicas make each key once), published as JWKS,
and used to sign access tokens."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import asyncpg

from mitra_console.domain import signing, tokens
from mitra_console.domain.signing import KeyWindow
from mitra_console.sql import KEYS
from mitra_console.usecases.config import ConsoleConfig
from mitra_shared.context import Context
from mitra_shared.uow import UnitOfWork


def _windows(rows: list[asyncpg.Record]) -> list[KeyWindow]:
    return [KeyWindow(row["kid"], row["active_from"], row["retire_at"], row["publish_until"]) for row in rows]


async def rotate(uow: UnitOfWork, ctx: Context, config: ConsoleConfig) -> int:
    """Make the key that must sign now, or the next one when the current one retires within the pre-publication
    time; delete the keys no token can need any more. Returns how many keys were made or deleted."""
    async with uow.change(ctx) as tx:
        await tx.conn.execute(KEYS.lock_keys)
        windows = _windows(await tx.conn.fetch(KEYS.list_keys))
        made = 0
        while (start := signing.next_key_from(windows, tx.now, config.rotation)) is not None and made < 2:
            key = signing.generate(config.encryption_key)
            made_window = signing.window(key.kid, start, config.rotation)
            await tx.conn.execute(
                *KEYS.insert_key(
                    kid=key.kid,
                    algorithm=signing.ALGORITHM,
                    public_jwk=key.public_jwk,
                    private_key_encrypted=key.private_key_encrypted,
                    now=tx.now,
                    active_from=made_window.active_from,
                    retire_at=made_window.retire_at,
                    publish_until=made_window.publish_until,
                )
            )
            windows.append(made_window)
            made += 1
            tx.audit(
                "signing_key.created",
                "signing_key",
                key.kid,
                before=None,
                after={
                    "algorithm": signing.ALGORITHM,
                    "active_from": made_window.active_from,
                    "retire_at": made_window.retire_at,
                    "publish_until": made_window.publish_until,
                },
            )
        status = await tx.conn.execute(*KEYS.delete_expired_keys(now=tx.now))
    return made + int(status.split()[-1])


async def seconds_until_rotation(uow: UnitOfWork, now: datetime, config: ConsoleConfig) -> float | None:
    """When the rotation worker next has something to do (a key to make or to delete)."""
    async with uow.read() as conn:
        windows = _windows(await conn.fetch(KEYS.list_keys))
    current = signing.signing_key(windows, now)
    if current is None:
        return 0.0
    moments = [current.retire_at - config.rotation.prepublish, *(key.publish_until for key in windows)]
    return max(0.0, min((moment - now).total_seconds() for moment in moments))


async def jwks(uow: UnitOfWork, now: datetime) -> dict[str, Any]:
    """The published public keys."""
    async with uow.read() as conn:
        rows = await conn.fetch(KEYS.list_keys)
    by_kid = {row["kid"]: row["public_jwk"] for row in rows}
    return {"keys": [by_kid[key.kid] for key in signing.published(_windows(rows), now)]}


async def sign(uow: UnitOfWork, ctx: Context, config: ConsoleConfig, grant: tokens.Grant, lifetime: timedelta) -> str:
    """An access token for the grant, signed with the key that signs now (made first if there is none)."""
    async with uow.read() as conn:
        current = signing.signing_key(_windows(await conn.fetch(KEYS.list_keys)), ctx.now)
    if current is None:
        await rotate(uow, ctx, config)
        async with uow.read() as conn:
            current = signing.signing_key(_windows(await conn.fetch(KEYS.list_keys)), ctx.now)
        assert current is not None, "rotate() makes the key that signs now"
    async with uow.read() as conn:
        encrypted = await conn.fetchval(*KEYS.get_private_key(kid=current.kid))
    private_key = signing.decrypt(current.kid, encrypted, config.encryption_key)
    claims = tokens.claims(grant, issuer=config.issuer, now=ctx.now, lifetime=lifetime)
    return signing.sign(claims, current.kid, private_key)
