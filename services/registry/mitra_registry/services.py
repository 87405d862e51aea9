"""Use cases of the register: each runs in one transaction with the events it publishes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg

from mitra_registry.domain import INITIAL_STATUS, Organization, RegisterOrganization, unknown_focus_areas
from mitra_shared import outbox
from mitra_shared.contracts.registry import OrganizationRegistered
from mitra_shared.db import Queries
from mitra_shared.events import new_event
from mitra_shared.http import ConflictError, DomainError, NotFound

QUERIES = Queries.from_package("mitra_registry", "queries.sql")


async def register_organization(
    pool: asyncpg.Pool, command: RegisterOrganization, *, correlation_id: str | None = None
) -> Organization:
    now = datetime.now(UTC)
    async with pool.acquire() as conn, conn.transaction():
        known = {row["code"] for row in await conn.fetch(QUERIES.focus_area_codes, command.focus_areas)}
        missing = unknown_focus_areas(command.focus_areas, known)
        if missing:
            raise DomainError(f"unknown focus area code(s): {', '.join(missing)}", field="body.focus_areas")
        row = await conn.fetchrow(
            QUERIES.insert_organization,
            uuid.uuid4(),
            command.legal_name,
            command.acronym,
            command.country_of_origin,
            command.headquarters_address,
            command.indonesia_office_address,
            str(command.website) if command.website else None,
            command.representative_name,
            command.contact_email,
            INITIAL_STATUS,
            command.focus_areas,
            now,
        )
        if row is None:
            raise ConflictError(
                f"{command.legal_name!r} from {command.country_of_origin} is already in the register",
                field="body.legal_name",
            )
        organization = Organization.model_validate(dict(row))
        event = OrganizationRegistered(
            organization_id=organization.id,
            legal_name=organization.legal_name,
            acronym=organization.acronym,
            country_of_origin=organization.country_of_origin,
            focus_areas=organization.focus_areas,
            status=organization.status,
            registered_at=organization.registered_at,
        )
        await outbox.record(conn, new_event(event, subject=str(organization.id), correlation_id=correlation_id))
    return organization


async def get_organization(pool: asyncpg.Pool, organization_id: uuid.UUID) -> Organization:
    row = await pool.fetchrow(QUERIES.get_organization, organization_id)
    if row is None:
        raise NotFound(f"no organization {organization_id}")
    return Organization.model_validate(dict(row))


async def list_organizations(
    pool: asyncpg.Pool,
    *,
    status: str | None,
    country: str | None,
    focus_area: str | None,
    limit: int,
    offset: int,
) -> tuple[list[Organization], int]:
    rows = await pool.fetch(QUERIES.list_organizations, status, country, focus_area, limit, offset)
    total = rows[0]["total"] if rows else 0
    return [Organization.model_validate({k: v for k, v in row.items() if k != "total"}) for row in rows], total
