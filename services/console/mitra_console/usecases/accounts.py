"""Use cases of accounts: each change in one unit of work, refused with the shared refusals.

Scope rule (see `domain.access`): an account the caller does not manage is answered 404, as if it did not exist.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg

from mitra_console.domain import access, passwords
from mitra_console.domain.accounts import (
    Account,
    AccountPatch,
    NewAccount,
    audit_values,
    check_version,
    created_event,
    patched,
    update_action,
    updated_event,
)
from mitra_console.sql import ACCOUNTS
from mitra_console.usecases.config import ConsoleConfig
from mitra_shared.access import role_of
from mitra_shared.context import Context, Principal
from mitra_shared.errors import Conflict, NotFound, RuleBroken
from mitra_shared.uow import UnitOfWork

ACCOUNT_FIELDS = tuple(Account.model_fields)


def _account(row: asyncpg.Record) -> Account:
    return Account.model_validate({name: row[name] for name in ACCOUNT_FIELDS})


async def _hash(password: str) -> str:
    return await asyncio.to_thread(passwords.hash_password, password)


async def create_account(uow: UnitOfWork, ctx: Context, config: ConsoleConfig, command: NewAccount) -> Account:
    access.require_may_give_role(ctx.principal, command.role)
    passwords.check_password(command.password, username=command.username, allow_demo=config.allow_demo_password)
    password_hash = await _hash(command.password)
    async with uow.change(ctx) as tx:
        row = await tx.conn.fetchrow(
            *ACCOUNTS.insert_account(
                id=uuid.uuid4(),
                username=command.username,
                display_name=command.display_name,
                email=str(command.email),
                role=command.role,
                ministry_code=command.ministry_code,
                region_code=command.region_code,
                organization_id=command.organization_id,
                password_hash=password_hash,
                now=tx.now,
                actor=tx.actor,
            )
        )
        if row is None:
            raise Conflict("body.username", f"the username {command.username} is taken")
        account = _account(row)
        tx.audit("account.created", "account", account.id, before=None, after=audit_values(account))
        tx.publish(created_event(account), subject=str(account.id))
    return account


async def get_account(uow: UnitOfWork, ctx: Context, account_id: uuid.UUID) -> Account:
    async with uow.read() as conn:
        row = await conn.fetchrow(*ACCOUNTS.get_account(account_id=account_id))
    if row is None or not access.manages(ctx.principal, row["role"]):
        raise _no_account(account_id)
    return _account(row)


async def list_accounts(
    uow: UnitOfWork,
    ctx: Context,
    *,
    role: str | None,
    organization_id: uuid.UUID | None,
    active: bool | None,
    q: str | None,
    limit: int,
    offset: int,
) -> tuple[list[Account], int]:
    """One page of the accounts the caller manages that match, and how many match in all."""
    roles = access.managed_roles(ctx.principal)
    async with uow.read() as conn:
        rows = await conn.fetch(
            *ACCOUNTS.list_accounts(
                roles=roles, role=role, organization_id=organization_id, active=active, q=q, limit=limit, offset=offset
            )
        )
    total = rows[0]["total"] if rows else 0
    return [_account(row) for row in rows], total


async def update_account(
    uow: UnitOfWork, ctx: Context, account_id: uuid.UUID, patch: AccountPatch, *, expected_version: int
) -> Account:
    async with uow.change(ctx) as tx:
        row = await tx.conn.fetchrow(*ACCOUNTS.get_account_for_update(account_id=account_id))
        if row is None or not access.manages(ctx.principal, row["role"]):
            raise _no_account(account_id)
        current = _account(row)
        check_version(current, expected_version)
        changes = patched(current, patch)
        if "role" in changes:
            access.require_may_give_role(ctx.principal, changes["role"])
        if changes.get("active") is False and str(current.id) == ctx.principal.subject:
            raise RuleBroken("body.active", "you cannot disable your own account")
        if not changes and not patch.unlock:
            return current
        merged: dict[str, Any] = {**current.model_dump(), **changes}
        updated = await tx.conn.fetchrow(
            *ACCOUNTS.update_account(
                account_id=account_id,
                display_name=changes.get("display_name"),
                email=changes.get("email"),
                role=merged["role"],
                ministry_code=merged["ministry_code"],
                region_code=merged["region_code"],
                organization_id=merged["organization_id"],
                active=changes.get("active"),
                unlock=bool(patch.unlock),
                now=tx.now,
                actor=tx.actor,
            )
        )
        account = _account(updated)
        action = update_action(changes, unlock=bool(patch.unlock))
        tx.audit(action, "account", account_id, before=audit_values(current), after=audit_values(account))
        event = updated_event(account, changes)
        if event is not None:
            tx.publish(event, subject=str(account_id))
    return account


async def reset_password(
    uow: UnitOfWork, ctx: Context, config: ConsoleConfig, account_id: uuid.UUID, new_password: str
) -> None:
    """A manager sets a new password (the account's owner forgot it); any lockout ends."""
    async with uow.read() as conn:
        row = await conn.fetchrow(*ACCOUNTS.get_account(account_id=account_id))
    if row is None or not access.manages(ctx.principal, row["role"]):
        raise _no_account(account_id)
    passwords.check_password(
        new_password, username=row["username"], field="body.new_password", allow_demo=config.allow_demo_password
    )
    password_hash = await _hash(new_password)
    await _set_password(uow, ctx, account_id, password_hash, "account.password_reset")


async def my_account(uow: UnitOfWork, principal: Principal) -> Account:
    """The caller's own account (a token of the console names it in `sub`)."""
    account_id = _own_id(principal)
    async with uow.read() as conn:
        row = await conn.fetchrow(*ACCOUNTS.get_account(account_id=account_id))
    if row is None or row["role"] != role_of(principal):
        raise NotFound(None, "your token names no account of this console")
    return _account(row)


async def change_own_password(
    uow: UnitOfWork, ctx: Context, config: ConsoleConfig, *, current_password: str, new_password: str
) -> None:
    """The owner changes the password, giving the current one (422 when it is wrong)."""
    account = await my_account(uow, ctx.principal)
    async with uow.read() as conn:
        stored_hash = await conn.fetchval(*ACCOUNTS.get_password_hash(account_id=account.id))
    if not await asyncio.to_thread(passwords.verify_password, stored_hash, current_password):
        raise RuleBroken("body.current_password", "the current password is wrong")
    if new_password == current_password:
        raise RuleBroken("body.new_password", "the new password is the current one")
    passwords.check_password(
        new_password, username=account.username, field="body.new_password", allow_demo=config.allow_demo_password
    )
    password_hash = await _hash(new_password)
    await _set_password(uow, ctx, account.id, password_hash, "account.password_changed")


async def _set_password(uow: UnitOfWork, ctx: Context, account_id: uuid.UUID, password_hash: str, action: str) -> None:
    """Store a new password's hash; the audit trail records that it changed (`password_changed_at`), never the
    password or its hash."""
    async with uow.change(ctx) as tx:
        row = await tx.conn.fetchrow(*ACCOUNTS.get_account_for_update(account_id=account_id))
        if row is None:
            raise _no_account(account_id)
        updated = await tx.conn.fetchrow(
            *ACCOUNTS.set_password(account_id=account_id, password_hash=password_hash, now=tx.now, actor=tx.actor)
        )
        before, after = audit_values(_account(row)), audit_values(_account(updated))
        tx.audit(action, "account", account_id, before=before, after=after)


def _own_id(principal: Principal) -> uuid.UUID:
    try:
        return uuid.UUID(principal.subject)
    except ValueError:
        raise NotFound(None, "your token names no account of this console") from None


def _no_account(account_id: uuid.UUID) -> NotFound:
    return NotFound("path.account_id", f"no account {account_id}")


async def display_names(uow: UnitOfWork, account_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The display names of those of these accounts that exist (a page naming who uploaded a file); no audit: a name
    shown next to what its account did, to people who may see that."""
    if not account_ids:
        return {}
    async with uow.read() as conn:
        rows = await conn.fetch(*ACCOUNTS.display_names(account_ids=list(account_ids)))
    return {row["id"]: row["display_name"] for row in rows}
