"""Announcements of foreign guests' visits under an MSP in force: announced (flagged late with too little notice),
changed, cancelled, by the NGO itself; read by those its MSP or its regions concern (`domain/access.py`: a visit
the caller may not read is answered as unknown, 404)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any
from uuid import UUID

import asyncpg

from mitra_agreements.domain import access
from mitra_agreements.domain import msps as msp_rules
from mitra_agreements.domain import visits as rules
from mitra_agreements.domain.msps import Region
from mitra_agreements.domain.policy import Policy
from mitra_agreements.sql import MSPS, VISITS
from mitra_agreements.usecases import registry_facts
from mitra_agreements.usecases.access import parties
from mitra_agreements.usecases.commands import AnnounceVisit, CancelVisit, UpdateVisit
from mitra_agreements.usecases.event_facts import ministry_party, organization_party
from mitra_agreements.usecases.msps import msp_in_force
from mitra_agreements.usecases.views import Visit, values, view
from mitra_shared.clock import jakarta_date
from mitra_shared.context import Context
from mitra_shared.contracts import agreements as contracts
from mitra_shared.errors import Conflict, NotFound
from mitra_shared.uow import UnitOfWork

_CHANGEABLE = ("visitors", "purpose", "arrives_on", "departs_on", "region_codes", "programme")


def _visit_facts(visit: Mapping[str, Any], msp: Mapping[str, Any]) -> dict[str, Any]:
    """What the announcement and every change of a visit say of it."""
    return {
        "visit_id": visit["id"],
        "msp_id": msp["id"],
        "organization": organization_party(msp),
        "ministry": ministry_party(msp),
        "visitors": visit["visitors"],
        "purpose": visit["purpose"],
        "arrives_on": visit["arrives_on"],
        "departs_on": visit["departs_on"],
        "region_codes": visit["region_codes"],
        "province_codes": visit["province_codes"],
        "programme": visit["programme"],
        "announced_on": visit["announced_on"],
        "days_notice": (visit["arrives_on"] - visit["announced_on"]).days,
        "late": visit["late"],
    }


async def _visited_regions(conn: asyncpg.Connection, codes: list[str]) -> list[Region]:
    known = await registry_facts.regions(conn, codes)
    return msp_rules.check_work_locations(codes, known, field="body.region_codes")


async def _readable_visit(
    conn: asyncpg.Connection, ctx: Context, visit_id: UUID, *, for_update: bool = False
) -> tuple[asyncpg.Record, asyncpg.Record]:
    """A visit and its MSP, unknown (404) to a caller who may not read it."""
    query = VISITS.get_visit_for_update if for_update else VISITS.get_visit
    row = await conn.fetchrow(*query(visit_id=visit_id))
    msp = None if row is None else await conn.fetchrow(*MSPS.get_msp(msp_id=row["msp_id"]))
    if row is None or msp is None or not access.may_read_visit(ctx.principal, parties(msp), row["region_codes"]):
        raise NotFound("path.visit_id", f"no visit {visit_id}")
    return row, msp


async def _locked_visit(conn: asyncpg.Connection, ctx: Context, visit_id: UUID) -> asyncpg.Record:
    """An announced visit of the calling NGO, locked for a change (a cancelled one is not changed any more)."""
    row, msp = await _readable_visit(conn, ctx, visit_id, for_update=True)
    access.check_ngo_acts_for(ctx.principal, msp["organization_id"])
    if row["status"] != "announced":
        raise Conflict("visit.status", f"the visit is {row['status']}")
    return row


async def announce_visit(uow: UnitOfWork, ctx: Context, command: AnnounceVisit, *, policy: Policy) -> Visit:
    today = jakarta_date(ctx.now)
    async with uow.change(ctx) as tx:
        msp = await msp_in_force(tx.conn, ctx, command.msp_id, field="body.msp_id", not_frozen=True)
        rules.check_announcement(arrives_on=command.arrives_on, departs_on=command.departs_on, today=today)
        regions = await _visited_regions(tx.conn, command.region_codes)
        notice = rules.visit_notice(
            announced_on=today, arrives_on=command.arrives_on, required_days=policy.visit_notice_days
        )
        row = await tx.conn.fetchrow(
            *VISITS.insert_visit(
                id=uuid.uuid4(),
                msp_id=command.msp_id,
                visitors=[visitor.model_dump() for visitor in command.visitors],
                purpose=command.purpose,
                arrives_on=command.arrives_on,
                departs_on=command.departs_on,
                region_codes=[region.code for region in regions],
                province_codes=msp_rules.provinces_of(regions),
                programme=command.programme,
                announced_on=today,
                late=notice.late,
                now=tx.now,
            )
        )
        event = contracts.VisitAnnounced.model_validate(
            {**_visit_facts(row, msp), "announced_by": tx.actor, "announced_at": tx.now}
        )
        tx.publish(event, subject=str(row["id"]))
        tx.audit("visit.announced", "visit", row["id"], before=None, after=values(Visit, row))
    return view(Visit, row)


async def update_visit(uow: UnitOfWork, ctx: Context, visit_id: UUID, command: UpdateVisit, *, policy: Policy) -> Visit:
    async with uow.change(ctx) as tx:
        current = await _locked_visit(tx.conn, ctx, visit_id)
        msp = await msp_in_force(tx.conn, ctx, current["msp_id"], field="msp.status")
        given = command.model_dump(exclude_unset=True)
        merged: dict[str, Any] = {name: current[name] for name in _CHANGEABLE} | given
        rules.check_visit_dates(merged["arrives_on"], merged["departs_on"])
        regions = await _visited_regions(tx.conn, merged["region_codes"])
        notice = rules.visit_notice(
            announced_on=current["announced_on"],
            arrives_on=merged["arrives_on"],
            required_days=policy.visit_notice_days,
        )
        row = await tx.conn.fetchrow(
            *VISITS.update_visit(
                visit_id=visit_id,
                visitors=merged["visitors"],
                purpose=merged["purpose"],
                arrives_on=merged["arrives_on"],
                departs_on=merged["departs_on"],
                region_codes=[region.code for region in regions],
                province_codes=msp_rules.provinces_of(regions),
                programme=merged["programme"],
                late=notice.late,
                now=tx.now,
            )
        )
        event = contracts.VisitUpdated.model_validate(
            {
                **_visit_facts(row, msp),
                "changed_fields": [name for name, value in given.items() if value != current[name]],
                "previous_region_codes": current["region_codes"],
                "updated_by": tx.actor,
                "updated_at": tx.now,
            }
        )
        tx.publish(event, subject=str(visit_id))
        tx.audit("visit.updated", "visit", visit_id, before=values(Visit, current), after=values(Visit, row))
    return view(Visit, row)


async def cancel_visit(uow: UnitOfWork, ctx: Context, visit_id: UUID, command: CancelVisit) -> Visit:
    async with uow.change(ctx) as tx:
        current = await _locked_visit(tx.conn, ctx, visit_id)
        msp = await tx.conn.fetchrow(*MSPS.get_msp(msp_id=current["msp_id"]))
        row = await tx.conn.fetchrow(*VISITS.cancel_visit(visit_id=visit_id, reason=command.reason, now=tx.now))
        tx.publish(
            contracts.VisitCancelled(
                visit_id=visit_id,
                msp_id=current["msp_id"],
                organization=organization_party(msp),
                region_codes=row["region_codes"],
                arrives_on=row["arrives_on"],
                reason=command.reason,
                cancelled_by=tx.actor,
                cancelled_at=tx.now,
            ),
            subject=str(visit_id),
        )
        tx.audit("visit.cancelled", "visit", visit_id, before=values(Visit, current), after=values(Visit, row))
    return view(Visit, row)


async def get_visit(uow: UnitOfWork, ctx: Context, visit_id: UUID) -> Visit:
    async with uow.read() as conn:
        row, _ = await _readable_visit(conn, ctx, visit_id)
    return view(Visit, row)
