"""Use cases of foreign staff: each runs in one transaction with its event, under the NGO's row lock.

Locking the NGO's row serialises assignments of one NGO, so two requests at once cannot both take the last of
its three places. Passport numbers never leave this module in an event.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import asyncpg

from mitra_registry.services import QUERIES
from mitra_registry.staff import (
    AssignForeignStaff,
    EndAssignment,
    ForeignStaff,
    ForeignStaffQuery,
    ForeignStaffSummary,
    Period,
    StaffRuleBroken,
    active_count,
    check_assignment,
    check_ending,
    mask_passport,
)
from mitra_shared import outbox
from mitra_shared.clock import Clock, jakarta_today
from mitra_shared.contracts.registry import ForeignStaffAssigned, ForeignStaffEnded
from mitra_shared.events import new_event
from mitra_shared.http import ConflictError, DomainError, NotFound


async def assign(
    pool: asyncpg.Pool,
    organization_id: uuid.UUID,
    command: AssignForeignStaff,
    *,
    assigned_by: str,
    clock: Clock,
    correlation_id: str | None = None,
) -> ForeignStaff:
    now = clock()
    today = jakarta_today(clock)
    async with pool.acquire() as conn, conn.transaction():
        organization = await conn.fetchrow(QUERIES.lock_organization, organization_id)
        if organization is None:
            raise NotFound(f"no organization {organization_id}")
        existing = [_period(row) for row in await conn.fetch(QUERIES.foreign_staff_of_organization, organization_id)]
        try:
            check_assignment(command, organization["status"], existing, today)
        except StaffRuleBroken as broken:
            raise _problem(broken) from None
        row = await conn.fetchrow(
            QUERIES.insert_foreign_staff,
            uuid.uuid4(),
            organization_id,
            command.full_name,
            command.nationality,
            command.role,
            command.passport_number,
            command.starts_on,
            command.ends_on,
            assigned_by,
            now,
        )
        assert row is not None
        assignment = _full(row, today)
        event = ForeignStaffAssigned(
            assignment_id=assignment.id,
            organization_id=organization_id,
            organization_name=organization["legal_name"],
            full_name=assignment.full_name,
            nationality=assignment.nationality,
            role=assignment.role,
            starts_on=assignment.starts_on,
            ends_on=assignment.ends_on,
            active_assignments=active_count([*existing, _period(row)], today),
        )
        await outbox.record(conn, new_event(event, subject=str(assignment.id), correlation_id=correlation_id))
    return assignment


async def end(
    pool: asyncpg.Pool,
    assignment_id: uuid.UUID,
    command: EndAssignment,
    *,
    ended_by: str,
    clock: Clock,
    correlation_id: str | None = None,
) -> ForeignStaff:
    now = clock()
    today = jakarta_today(clock)
    async with pool.acquire() as conn, conn.transaction():
        found = await conn.fetchrow(QUERIES.get_foreign_staff, assignment_id)
        if found is None:
            raise NotFound(f"no foreign-staff assignment {assignment_id}")
        organization = await conn.fetchrow(QUERIES.lock_organization, found["organization_id"])
        assert organization is not None, "an assignment's organization is never deleted"
        current = await conn.fetchrow(QUERIES.get_foreign_staff, assignment_id)  # as of the lock
        assert current is not None
        try:
            check_ending(_period(current), command, today)
        except StaffRuleBroken as broken:
            raise _problem(broken) from None
        row = await conn.fetchrow(
            QUERIES.end_foreign_staff, assignment_id, command.ended_on, command.reason, ended_by, now
        )
        assert row is not None
        others = await conn.fetch(QUERIES.foreign_staff_of_organization, found["organization_id"])
        event = ForeignStaffEnded(
            assignment_id=assignment_id,
            organization_id=found["organization_id"],
            organization_name=organization["legal_name"],
            ended_on=command.ended_on,
            reason=command.reason,
            active_assignments=active_count([_period(other) for other in others], today),
        )
        await outbox.record(conn, new_event(event, subject=str(assignment_id), correlation_id=correlation_id))
    return _full(row, today)


async def get(pool: asyncpg.Pool, assignment_id: uuid.UUID, *, clock: Clock) -> ForeignStaff:
    row = await pool.fetchrow(QUERIES.get_foreign_staff, assignment_id)
    if row is None:
        raise NotFound(f"no foreign-staff assignment {assignment_id}")
    return _full(row, jakarta_today(clock))


async def list_of_organization(
    pool: asyncpg.Pool, organization_id: uuid.UUID, query: ForeignStaffQuery, *, clock: Clock
) -> tuple[list[ForeignStaffSummary], int]:
    """An NGO's assignments, oldest start first. An NGO has few, so the state filter runs here, beside its rule."""
    today = jakarta_today(clock)
    async with pool.acquire() as conn:
        if await conn.fetchrow(QUERIES.get_organization, organization_id) is None:
            raise NotFound(f"no organization {organization_id}")
        rows = await conn.fetch(QUERIES.foreign_staff_of_organization, organization_id)
    summaries = [_summary(row, today) for row in rows]
    if query.state is not None:
        summaries = [item for item in summaries if item.state == query.state]
    return summaries[query.offset : query.offset + query.limit], len(summaries)


def _period(row: asyncpg.Record) -> Period:
    return Period(row["starts_on"], row["ends_on"], row["ended_on"], row["passport_number"])


def _fields(row: asyncpg.Record, today: date) -> dict[str, Any]:
    return {**dict(row), "state": _period(row).state(today)}


def _full(row: asyncpg.Record, today: date) -> ForeignStaff:
    return ForeignStaff.model_validate(_fields(row, today))


def _summary(row: asyncpg.Record, today: date) -> ForeignStaffSummary:
    fields = _fields(row, today)
    fields["passport_number_masked"] = mask_passport(fields.pop("passport_number"))
    return ForeignStaffSummary.model_validate(fields)


def _problem(broken: StaffRuleBroken) -> DomainError | ConflictError:
    if broken.conflict:
        return ConflictError(broken.reason, field=broken.field)
    return DomainError(broken.reason, field=broken.field)
