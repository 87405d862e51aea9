"""Use cases of the register: each runs in one transaction with the events it publishes."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from mitra_registry.domain import (
    INITIAL_STATUS,
    LIFECYCLE,
    ChangeStatus,
    FocusArea,
    Organization,
    OrganizationQuery,
    RegisterOrganization,
    StatusChange,
    TransitionRefused,
    UpdateOrganization,
    changed_fields,
    check_transition,
    like_pattern_body,
    unknown_focus_areas,
)
from mitra_shared import outbox
from mitra_shared.clock import Clock
from mitra_shared.contracts.registry import OrganizationRegistered, OrganizationStatusChanged, OrganizationUpdated
from mitra_shared.db import Queries
from mitra_shared.events import new_event
from mitra_shared.http import ConflictError, DomainError, NotFound, PreconditionFailed

QUERIES = Queries.from_package("mitra_registry", "queries.sql")
REGISTRATION_REASON = "entered in the register"


async def register_organization(
    pool: asyncpg.Pool,
    command: RegisterOrganization,
    *,
    registered_by: str,
    clock: Clock,
    correlation_id: str | None = None,
) -> Organization:
    now = clock()
    async with pool.acquire() as conn, conn.transaction():
        await _require_focus_areas(conn, command.focus_areas)
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
            command.contact_phone,
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
        await conn.execute(
            QUERIES.insert_status_change,
            organization.id,
            None,
            organization.status,
            REGISTRATION_REASON,
            registered_by,
            now,
            organization.version,
        )
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


async def update_organization(
    pool: asyncpg.Pool,
    organization_id: uuid.UUID,
    command: UpdateOrganization,
    *,
    expected_version: int,
    clock: Clock,
    correlation_id: str | None = None,
) -> Organization:
    """Apply the named changes if the caller saw the current version; a change to nothing changes nothing."""
    async with pool.acquire() as conn, conn.transaction():
        current = await _lock(conn, organization_id, expected_version)
        changes = changed_fields(current, command)
        if not changes:
            return current
        if "focus_areas" in changes:
            await _require_focus_areas(conn, changes["focus_areas"])
        try:
            row = await conn.fetchrow(
                QUERIES.update_organization,
                organization_id,
                list(changes),
                *(changes.get(name) for name in _UPDATE_COLUMNS),
                clock(),
            )
        except asyncpg.UniqueViolationError:
            raise ConflictError(
                "another organization from the same country has this legal name", field="body.legal_name"
            ) from None
        assert row is not None, "the row is locked by this transaction"
        organization = Organization.model_validate(dict(row))
        event = OrganizationUpdated(
            organization_id=organization.id,
            legal_name=organization.legal_name,
            acronym=organization.acronym,
            country_of_origin=organization.country_of_origin,
            focus_areas=organization.focus_areas,
            website=organization.website,
            status=organization.status,
            changed_fields=list(changes),
            version=organization.version,
            updated_at=organization.updated_at,
        )
        await outbox.record(conn, new_event(event, subject=str(organization.id), correlation_id=correlation_id))
    return organization


_UPDATE_COLUMNS = (
    "legal_name",
    "acronym",
    "country_of_origin",
    "headquarters_address",
    "indonesia_office_address",
    "website",
    "representative_name",
    "contact_email",
    "contact_phone",
    "focus_areas",
)


async def change_status(
    pool: asyncpg.Pool,
    organization_id: uuid.UUID,
    command: ChangeStatus,
    *,
    expected_version: int,
    changed_by: str,
    clock: Clock,
    correlation_id: str | None = None,
) -> Organization:
    now = clock()
    async with pool.acquire() as conn, conn.transaction():
        current = await _lock(conn, organization_id, expected_version)
        try:
            check_transition(current.status, command.status)
        except TransitionRefused as refused:
            raise ConflictError(str(refused), field="body.status") from None
        row = await conn.fetchrow(QUERIES.set_organization_status, organization_id, command.status, now)
        assert row is not None, "the row is locked by this transaction"
        organization = Organization.model_validate(dict(row))
        await conn.execute(
            QUERIES.insert_status_change,
            organization_id,
            current.status,
            organization.status,
            command.reason,
            changed_by,
            now,
            organization.version,
        )
        event = OrganizationStatusChanged(
            organization_id=organization.id,
            legal_name=organization.legal_name,
            previous_status=current.status,
            status=organization.status,
            reason=command.reason,
            changed_by=changed_by,
            version=organization.version,
            changed_at=now,
        )
        await outbox.record(conn, new_event(event, subject=str(organization.id), correlation_id=correlation_id))
    return organization


async def status_history(pool: asyncpg.Pool, organization_id: uuid.UUID) -> list[StatusChange]:
    async with pool.acquire() as conn:
        if await conn.fetchrow(QUERIES.get_organization, organization_id) is None:
            raise NotFound(f"no organization {organization_id}")
        rows = await conn.fetch(QUERIES.status_history, organization_id)
    return [StatusChange.model_validate(dict(row)) for row in rows]


async def list_organizations(pool: asyncpg.Pool, query: OrganizationQuery) -> tuple[list[Organization], int]:
    async with pool.acquire() as conn:
        if query.focus_area is not None:
            await _require_focus_areas(conn, [query.focus_area], field="query.focus_area")
        rows = await conn.fetch(
            QUERIES.list_organizations,
            query.status,
            query.country.upper() if query.country else None,
            query.focus_area,
            query.expiring_before,
            like_pattern_body(query.q) if query.q else None,
            query.sort,
            query.direction,
            list(LIFECYCLE),
            query.limit,
            query.offset,
        )
    total: int = rows[0]["total"]
    return [Organization.model_validate(dict(row)) for row in rows if row["id"] is not None], total


async def list_focus_areas(pool: asyncpg.Pool) -> list[FocusArea]:
    return [FocusArea.model_validate(dict(row)) for row in await pool.fetch(QUERIES.list_focus_areas)]


async def add_focus_area(pool: asyncpg.Pool, focus_area: FocusArea) -> FocusArea:
    row = await pool.fetchrow(QUERIES.insert_focus_area, focus_area.code, focus_area.name_id, focus_area.name_en)
    if row is None:
        raise ConflictError(f"focus area {focus_area.code!r} already exists", field="body.code")
    return FocusArea.model_validate(dict(row))


async def _lock(conn: asyncpg.Connection, organization_id: uuid.UUID, expected_version: int) -> Organization:
    row = await conn.fetchrow(QUERIES.lock_organization, organization_id)
    if row is None:
        raise NotFound(f"no organization {organization_id}")
    current = Organization.model_validate(dict(row))
    if current.version != expected_version:
        raise PreconditionFailed(
            f"If-Match names version {expected_version}, but the organization is at version {current.version}: "
            "read it again and reapply your change",
            field="header.if-match",
        )
    return current


async def _require_focus_areas(conn: asyncpg.Connection, codes: list[Any], *, field: str = "body.focus_areas") -> None:
    known = {row["code"] for row in await conn.fetch(QUERIES.focus_area_codes, codes)}
    missing = unknown_focus_areas(codes, known)
    if missing:
        raise DomainError(f"unknown focus area code(s): {', '.join(missing)}", field=field)
