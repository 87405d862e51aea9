"""Use cases of OAuth 2.0 clients (integration systems): registered by `admin`, the secret shown once and stored
as an Argon2 hash; a client is disabled, or given a new secret, by `admin`."""

from __future__ import annotations

import asyncio

import asyncpg

from mitra_console.domain import passwords, signing
from mitra_console.domain.clients import Client, ClientPatch, ClientWithSecret, NewClient, audit_values, update_action
from mitra_console.sql import CLIENTS
from mitra_shared.context import Context
from mitra_shared.errors import Conflict, NotFound, StaleVersion
from mitra_shared.uow import UnitOfWork


def _client(row: asyncpg.Record, secret: str | None = None) -> ClientWithSecret:
    fields = {name: row[name] for name in Client.model_fields}
    return ClientWithSecret(**fields, client_secret=secret)


def _audited(row: asyncpg.Record) -> dict[str, object]:
    """The client as its audit entry records it: never the secret's hash that `row` carries."""
    return audit_values(_client(row))


async def _hash(secret: str) -> str:
    return await asyncio.to_thread(passwords.hash_password, secret)


async def register_client(uow: UnitOfWork, ctx: Context, command: NewClient) -> ClientWithSecret:
    secret = signing.secret_token()
    secret_hash = await _hash(secret)
    async with uow.change(ctx) as tx:
        row = await tx.conn.fetchrow(
            *CLIENTS.insert_client(
                client_id=command.client_id, name=command.name, secret_hash=secret_hash, now=tx.now, actor=tx.actor
            )
        )
        if row is None:
            raise Conflict("body.client_id", f"a client {command.client_id} exists")
        tx.audit("client.registered", "client", command.client_id, before=None, after=_audited(row))
    return _client(row, secret)


async def list_clients(uow: UnitOfWork) -> list[Client]:
    async with uow.read() as conn:
        rows = await conn.fetch(CLIENTS.list_clients)
    return [Client.model_validate(dict(row)) for row in rows]


async def update_client(
    uow: UnitOfWork, ctx: Context, client_id: str, patch: ClientPatch, *, expected_version: int
) -> ClientWithSecret:
    secret = signing.secret_token() if patch.new_secret else None
    secret_hash = await _hash(secret) if secret else None
    async with uow.change(ctx) as tx:
        row = await tx.conn.fetchrow(*CLIENTS.get_client_for_update(client_id=client_id))
        if row is None:
            raise NotFound("path.client_id", f"no client {client_id}")
        if row["version"] != expected_version:
            raise StaleVersion("header.if-match", f"the client is at version {row['version']}: read it again")
        updated = await tx.conn.fetchrow(
            *CLIENTS.update_client(
                client_id=client_id,
                name=patch.name,
                active=patch.active,
                secret_hash=secret_hash,
                now=tx.now,
                actor=tx.actor,
            )
        )
        action = update_action(_client(row), _client(updated), new_secret=secret is not None)
        tx.audit(action, "client", client_id, before=_audited(row), after=_audited(updated))
    return _client(updated, secret)
