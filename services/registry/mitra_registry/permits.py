"""Use cases of permits: each runs in one transaction with the events it publishes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import asyncpg

from mitra_registry.permits_domain import (
    ExtendPermit,
    GrantPermit,
    Permit,
    PermitExtension,
    PermitTerm,
    PrincipleFacts,
    RuleBroken,
    check_may_receive_permit,
    check_operating_permit,
    decide_extension,
)
from mitra_shared import outbox
from mitra_shared.clock import Clock, jakarta_date, system_clock
from mitra_shared.contracts.registry import PermitExtended, PermitGranted
from mitra_shared.db import Queries
from mitra_shared.events import new_event
from mitra_shared.http import ConflictError, DomainError, NotFound

QUERIES = Queries.from_package("mitra_registry", "permits.sql")
# The expiry scheduler listens here, so that a permit granted or extended inside a reminder window is seen at once.
WAKE_CHANNEL = "mitra_registry_permits"


@contextmanager
def rules_as_problems() -> Iterator[None]:
    try:
        yield
    except RuleBroken as broken:
        error = ConflictError if broken.conflict else DomainError
        raise error(broken.reason, field=broken.field) from broken


async def grant_permit(
    pool: asyncpg.Pool,
    organization_id: uuid.UUID,
    command: GrantPermit,
    *,
    correlation_id: str | None = None,
    clock: Clock = system_clock,
) -> Permit:
    async with pool.acquire() as conn, conn.transaction():
        organization = await conn.fetchrow(QUERIES.organization_for_permit, organization_id)
        if organization is None:
            raise NotFound(f"no organization {organization_id}")
        with rules_as_problems():
            check_may_receive_permit(organization["status"])
            if command.permit_type == "operating":
                principle = await conn.fetchrow(QUERIES.principle_facts, command.principle_permit_id)
                check_operating_permit(
                    command, organization_id, PrincipleFacts(**dict(principle)) if principle else None
                )
        row = await conn.fetchrow(
            QUERIES.insert_permit,
            uuid.uuid4(),
            organization_id,
            command.permit_type,
            command.number,
            command.issued_on,
            command.valid_until,
            command.principle_permit_id,
            command.msp_id,
            clock(),
        )
        if row is None:
            raise ConflictError(
                f"a {command.permit_type} permit numbered {command.number!r} is already recorded", field="body.number"
            )
        permit = Permit.model_validate(dict(row))
        event = PermitGranted(
            permit_id=permit.id,
            organization_id=permit.organization_id,
            organization_name=organization["legal_name"],
            permit_type=permit.permit_type,
            number=permit.number,
            issued_on=permit.issued_on,
            valid_until=permit.valid_until,
            principle_permit_id=permit.principle_permit_id,
            msp_id=permit.msp_id,
            granted_at=permit.granted_at,
        )
        await outbox.record(
            conn, new_event(event, subject=str(permit.id), correlation_id=correlation_id, time=permit.granted_at)
        )
        await conn.execute(QUERIES.wake_expiry_scheduler, WAKE_CHANNEL)
    return permit


async def get_permit(pool: asyncpg.Pool, permit_id: uuid.UUID) -> Permit:
    row = await pool.fetchrow(QUERIES.get_permit, permit_id)
    if row is None:
        raise NotFound(f"no permit {permit_id}")
    return Permit.model_validate(dict(row))


async def list_permits(
    pool: asyncpg.Pool,
    *,
    organization_id: uuid.UUID | None,
    permit_type: str | None,
    status: str | None,
    expiring_before: date | None,
    limit: int,
    offset: int,
) -> tuple[list[Permit], int]:
    rows = await pool.fetch(QUERIES.list_permits, organization_id, permit_type, status, expiring_before, limit, offset)
    total = rows[0]["total"] if rows else 0
    return [Permit.model_validate({k: v for k, v in row.items() if k != "total"}) for row in rows], total


async def extend_permit(
    pool: asyncpg.Pool,
    permit_id: uuid.UUID,
    command: ExtendPermit,
    *,
    correlation_id: str | None = None,
    clock: Clock = system_clock,
) -> PermitExtension:
    now = clock()
    async with pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(QUERIES.get_permit_for_update, permit_id)
        if row is None:
            raise NotFound(f"no permit {permit_id}")
        permit = Permit.model_validate(dict(row))
        organization = await conn.fetchrow(QUERIES.organization_for_permit, permit.organization_id)
        with rules_as_problems():
            check_may_receive_permit(organization["status"])
            principle_valid_until = None
            if permit.principle_permit_id is not None:
                principle = await conn.fetchrow(QUERIES.principle_facts, permit.principle_permit_id)
                if principle["status"] != "valid":
                    raise RuleBroken(f"its principle permit is {principle['status']}", conflict=True)
                principle_valid_until = principle["valid_until"]
            decision = decide_extension(
                PermitTerm(permit.permit_type, permit.status, permit.valid_until),
                command,
                today=jakarta_date(now),
                principle_valid_until=principle_valid_until,
            )
        extension_id = uuid.uuid4()
        await conn.execute(
            QUERIES.insert_extension,
            extension_id,
            permit.id,
            permit.valid_until,
            command.valid_until,
            decision.requested_on,
            decision.requested_late,
            now,
        )
        extended = Permit.model_validate(
            dict(await conn.fetchrow(QUERIES.extend_permit, permit.id, command.valid_until, now))
        )
        event = PermitExtended(
            permit_id=permit.id,
            organization_id=permit.organization_id,
            organization_name=organization["legal_name"],
            permit_type=permit.permit_type,
            number=permit.number,
            previous_valid_until=permit.valid_until,
            valid_until=extended.valid_until,
            requested_on=decision.requested_on,
            requested_late=decision.requested_late,
            extended_at=now,
        )
        await outbox.record(conn, new_event(event, subject=str(permit.id), correlation_id=correlation_id, time=now))
        await conn.execute(QUERIES.wake_expiry_scheduler, WAKE_CHANNEL)
    return PermitExtension(
        id=extension_id,
        permit_id=permit.id,
        previous_valid_until=permit.valid_until,
        valid_until=extended.valid_until,
        requested_on=decision.requested_on,
        requested_late=decision.requested_late,
        extended_at=now,
        permit=extended,
    )
