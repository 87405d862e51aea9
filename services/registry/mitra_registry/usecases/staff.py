"""Use cases of foreign staff (tenaga ahli asing): each change in one unit of work, under the NGO's row lock.

Locking the NGO's row serialises assignments of one NGO, so two requests at once cannot both take the last of
its three places. Passport numbers never leave this module in an event or an audit entry (those have the masked
form), and reach only TPOA and the NGO itself over HTTP (`domain.access`); another NGO's assignment is answered
404, as if it did not exist.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from mitra_registry.domain.access import may_change, may_read, sees_passport_number
from mitra_registry.domain.staff import (
    AssignForeignStaff,
    EndAssignment,
    ForeignStaff,
    ForeignStaffQuery,
    ForeignStaffSummary,
    Period,
    active_count,
    check_assignment,
    check_ending,
    mask_passport,
)
from mitra_registry.sql import STAFF
from mitra_registry.usecases.organizations import lock_organization, no_organization, require_organization
from mitra_shared.clock import jakarta_date
from mitra_shared.context import Context
from mitra_shared.contracts.registry import ForeignStaffAssigned, ForeignStaffEnded
from mitra_shared.errors import NotFound
from mitra_shared.uow import UnitOfWork

Row = Mapping[str, Any]


async def assign(
    uow: UnitOfWork, ctx: Context, organization_id: uuid.UUID, command: AssignForeignStaff
) -> ForeignStaff:
    """Assign a foreign expert to an NGO, within its limits on every day of the assignment (the keeper for any
    NGO, an NGO for itself)."""
    if not may_change(ctx.principal, organization_id):
        raise no_organization(organization_id)
    today = jakarta_date(ctx.now)
    async with uow.change(ctx) as tx:
        organization = await lock_organization(tx.conn, organization_id)
        rows = await tx.conn.fetch(*STAFF.foreign_staff_of_organization(organization_id=organization_id))
        existing = [_period(row) for row in rows]
        await tx.conn.execute(*STAFF.lock_person(passport_number=command.passport_number))
        person = await tx.conn.fetch(*STAFF.assignments_of_person(passport_number=command.passport_number))
        check_assignment(command, organization["status"], existing, today, [_period(row) for row in person])
        row = await tx.conn.fetchrow(
            *STAFF.insert_foreign_staff(
                id=uuid.uuid4(),
                organization_id=organization_id,
                full_name=command.full_name,
                nationality=command.nationality,
                role=command.role,
                passport_number=command.passport_number,
                starts_on=command.starts_on,
                ends_on=command.ends_on,
                assigned_by=tx.actor,
                assigned_at=tx.now,
            )
        )
        assert row is not None
        assignment = _full(row, today, ctx)
        tx.publish(
            ForeignStaffAssigned(
                assignment_id=assignment.id,
                organization_id=organization_id,
                organization_name=organization["legal_name"],
                full_name=assignment.full_name,
                nationality=assignment.nationality,
                role=assignment.role,
                starts_on=assignment.starts_on,
                ends_on=assignment.ends_on,
                active_assignments=active_count([*existing, _period(row)], today),
            ),
            subject=str(assignment.id),
        )
        tx.audit("foreign_staff.assigned", "foreign_staff", assignment.id, before=None, after=_audited(row, today))
    return assignment


async def end(uow: UnitOfWork, ctx: Context, assignment_id: uuid.UUID, command: EndAssignment) -> ForeignStaff:
    """End an assignment before its planned end; from `ended_on` on it no longer counts (the keeper for any NGO,
    an NGO for its own staff)."""
    today = jakarta_date(ctx.now)
    async with uow.change(ctx) as tx:
        found = await tx.conn.fetchrow(*STAFF.get_foreign_staff(assignment_id=assignment_id))
        if found is None or not may_change(ctx.principal, found["organization_id"]):
            raise _no_assignment(assignment_id)
        organization_id = found["organization_id"]
        organization = await lock_organization(tx.conn, organization_id)
        current = await tx.conn.fetchrow(*STAFF.get_foreign_staff(assignment_id=assignment_id))  # as of the lock
        assert current is not None, "an assignment is never deleted"
        check_ending(_period(current), command, today)
        row = await tx.conn.fetchrow(
            *STAFF.end_foreign_staff(
                assignment_id=assignment_id,
                ended_on=command.ended_on,
                reason=command.reason,
                ended_by=tx.actor,
                now=tx.now,
            )
        )
        assert row is not None
        others = await tx.conn.fetch(*STAFF.foreign_staff_of_organization(organization_id=organization_id))
        tx.publish(
            ForeignStaffEnded(
                assignment_id=assignment_id,
                organization_id=organization_id,
                organization_name=organization["legal_name"],
                ended_on=command.ended_on,
                reason=command.reason,
                active_assignments=active_count([_period(other) for other in others], today),
            ),
            subject=str(assignment_id),
        )
        tx.audit(
            "foreign_staff.ended",
            "foreign_staff",
            assignment_id,
            before=_audited(current, today),
            after=_audited(row, today),
        )
    return _full(row, today, ctx)


async def get(uow: UnitOfWork, ctx: Context, assignment_id: uuid.UUID) -> ForeignStaff:
    """One assignment, with its state on the context's day (the passport number for those who may see it)."""
    async with uow.read() as conn:
        row = await conn.fetchrow(*STAFF.get_foreign_staff(assignment_id=assignment_id))
    if row is None or not may_read(ctx.principal, row["organization_id"]):
        raise _no_assignment(assignment_id)
    return _full(row, jakarta_date(ctx.now), ctx)


async def list_of_organization(
    uow: UnitOfWork, ctx: Context, organization_id: uuid.UUID, query: ForeignStaffQuery
) -> tuple[list[ForeignStaffSummary], int]:
    """An NGO's assignments, oldest start first. An NGO has few, so the state filter runs here, beside its rule."""
    if not may_read(ctx.principal, organization_id):
        raise no_organization(organization_id)
    today = jakarta_date(ctx.now)
    async with uow.read() as conn:
        await require_organization(conn, organization_id)
        rows = await conn.fetch(*STAFF.foreign_staff_of_organization(organization_id=organization_id))
    summaries = [_summary(row, today) for row in rows]
    if query.state is not None:
        summaries = [item for item in summaries if item.state == query.state]
    return summaries[query.offset : query.offset + query.limit], len(summaries)


def _no_assignment(assignment_id: uuid.UUID) -> NotFound:
    return NotFound("path.assignment_id", f"no foreign-staff assignment {assignment_id}")


def _period(row: Row) -> Period:
    return Period(row["starts_on"], row["ends_on"], row["ended_on"], row["passport_number"])


def _fields(row: Row, today: date) -> dict[str, Any]:
    return {**dict(row), "state": _period(row).state(today)}


def _full(row: Row, today: date, ctx: Context) -> ForeignStaff:
    """The assignment as its own resource shows it to the caller: the passport number only if it may see it."""
    fields = _fields(row, today)
    fields["passport_number_masked"] = mask_passport(fields["passport_number"])
    if not sees_passport_number(ctx.principal, row["organization_id"]):
        fields["passport_number"] = None
    return ForeignStaff.model_validate(fields)


def _audited(row: Row, today: date) -> dict[str, Any]:
    """The assignment as the audit trail keeps it before and after a change: never the passport number, only its
    masked form."""
    fields = _fields(row, today)
    fields["passport_number_masked"] = mask_passport(fields.pop("passport_number"))
    return ForeignStaff.model_validate({**fields, "passport_number": None}).model_dump(
        mode="json", exclude={"passport_number"}
    )


def _summary(row: Row, today: date) -> ForeignStaffSummary:
    fields = _fields(row, today)
    fields["passport_number_masked"] = mask_passport(fields.pop("passport_number"))
    return ForeignStaffSummary.model_validate(fields)
