"""Use cases of government partners: each runs in one transaction with the events it publishes."""

from __future__ import annotations

import uuid

import asyncpg

from mitra_registry.partners_domain import Partner, PartnerPatch, RegisterPartner, patched_fields
from mitra_shared import outbox
from mitra_shared.clock import Clock, system_clock
from mitra_shared.contracts.registry import PartnerContact, PartnerRegistered, PartnerUpdated
from mitra_shared.db import Queries
from mitra_shared.events import new_event
from mitra_shared.http import ConflictError, DomainError, NotFound, PreconditionFailed, etag, if_match_version

__all__ = ["etag"]

QUERIES = Queries.from_package("mitra_registry", "partners.sql")


async def register_partner(
    pool: asyncpg.Pool, command: RegisterPartner, *, correlation_id: str | None = None, clock: Clock = system_clock
) -> Partner:
    async with pool.acquire() as conn, conn.transaction():
        if command.parent_code is not None and not await conn.fetchval(QUERIES.province_exists, command.parent_code):
            raise DomainError(f"no province with code {command.parent_code}", field="body.parent_code")
        row = await conn.fetchrow(
            QUERIES.insert_partner,
            uuid.uuid4(),
            command.kind,
            command.code,
            command.name,
            command.parent_code,
            [contact.stored() for contact in command.contacts],
            clock(),
        )
        if row is None:
            raise ConflictError(f"a {command.kind} with code {command.code} is already registered", field="body.code")
        partner = Partner.model_validate(dict(row))
        await record_registered(conn, partner, correlation_id=correlation_id)
    return partner


async def get_partner(pool: asyncpg.Pool, partner_id: uuid.UUID) -> Partner:
    row = await pool.fetchrow(QUERIES.get_partner, partner_id)
    if row is None:
        raise NotFound(f"no partner {partner_id}")
    return Partner.model_validate(dict(row))


async def list_partners(
    pool: asyncpg.Pool,
    *,
    kind: str | None,
    parent_code: str | None,
    q: str | None,
    active: bool | None,
    sort: str,
    limit: int,
    offset: int,
) -> tuple[list[Partner], int]:
    rows = await pool.fetch(QUERIES.list_partners, kind, parent_code, q, active, sort, limit, offset)
    total = rows[0]["total"] if rows else 0
    return [Partner.model_validate({k: v for k, v in row.items() if k != "total"}) for row in rows], total


async def update_partner(
    pool: asyncpg.Pool,
    partner_id: uuid.UUID,
    patch: PartnerPatch,
    *,
    if_match: str | None,
    correlation_id: str | None = None,
    clock: Clock = system_clock,
) -> Partner:
    """Apply a change made against the version named in `If-Match`; a change that changes nothing is no event."""
    expected = if_match_version(if_match, what="this partner")
    async with pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(QUERIES.get_partner_for_update, partner_id)
        if row is None:
            raise NotFound(f"no partner {partner_id}")
        current = Partner.model_validate(dict(row))
        if current.version != expected:
            raise PreconditionFailed(
                f"the partner changed since version {expected}: it is at version {current.version}; read it again",
                field="header.if-match",
            )
        changes = patched_fields(current, patch)
        if not changes:
            return current
        updated = await conn.fetchrow(
            QUERIES.update_partner,
            partner_id,
            changes.get("name"),
            changes.get("contacts"),
            changes.get("active"),
            clock(),
        )
        partner = Partner.model_validate(dict(updated))
        await record_updated(conn, partner, correlation_id=correlation_id)
    return partner


def _contacts(partner: Partner) -> list[PartnerContact]:
    return [PartnerContact.model_validate(contact) for contact in partner.contacts]


async def record_registered(conn: asyncpg.Connection, partner: Partner, *, correlation_id: str | None) -> None:
    event = PartnerRegistered(
        partner_id=partner.id,
        partner_kind=partner.kind,
        name=partner.name,
        code=partner.code,
        parent_code=partner.parent_code,
        contacts=_contacts(partner),
        version=partner.version,
        registered_at=partner.registered_at,
    )
    await outbox.record(
        conn, new_event(event, subject=str(partner.id), correlation_id=correlation_id, time=partner.updated_at)
    )


async def record_updated(conn: asyncpg.Connection, partner: Partner, *, correlation_id: str | None) -> None:
    event = PartnerUpdated(
        partner_id=partner.id,
        partner_kind=partner.kind,
        name=partner.name,
        code=partner.code,
        parent_code=partner.parent_code,
        contacts=_contacts(partner),
        active=partner.active,
        version=partner.version,
        updated_at=partner.updated_at,
    )
    await outbox.record(
        conn, new_event(event, subject=str(partner.id), correlation_id=correlation_id, time=partner.updated_at)
    )
