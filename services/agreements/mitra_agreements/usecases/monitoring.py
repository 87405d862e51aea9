"""Monitoring visits and mitigation actions per MSP: recorded and opened by the MSP's Mitra Utama or the office of
a region it works in, moved on by the action's owner (`domain/monitoring_access.py`), reminded of by the deadline
engine (`workers/deadlines.py`). A record the caller may not read is answered as unknown, 404."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from uuid import UUID

import asyncpg

from mitra_agreements.domain import monitoring as rules
from mitra_agreements.domain import monitoring_access as access
from mitra_agreements.domain.access import read_scope
from mitra_agreements.domain.deadlines import first_check
from mitra_agreements.domain.monitoring import (
    ChangeActionStatus,
    MitigationAction,
    MonitoringVisit,
    OpenMitigationAction,
    RecordMonitoringVisit,
)
from mitra_agreements.sql import MONITORING, MSPS
from mitra_agreements.usecases import registry_facts
from mitra_agreements.usecases.access import parties
from mitra_agreements.usecases.event_facts import ministry_party, organization_party
from mitra_agreements.usecases.views import values, view
from mitra_shared.clock import jakarta_date
from mitra_shared.context import Context
from mitra_shared.contracts import agreements as contracts
from mitra_shared.errors import NotFound, RuleBroken
from mitra_shared.uow import UnitOfWork

Row = Mapping[str, Any]
Query = Callable[..., tuple[Any, ...]]


def action_facts(action: Row, msp: Row) -> dict[str, Any]:
    """The fields every event about a mitigation action carries (its row, and its MSP's; or one row joining both)."""
    return {
        "action_id": action["id"],
        "msp_id": action["msp_id"],
        "organization": organization_party(msp),
        "ministry": ministry_party(msp),
        "monitoring_visit_id": action["monitoring_visit_id"],
        "description": action["description"],
        "owner": action["owner"],
        "owner_region_code": action["owner_region_code"],
        "due_on": action["due_on"],
    }


async def _readable_msp(conn: asyncpg.Connection, ctx: Context, msp_id: UUID) -> asyncpg.Record:
    row = await conn.fetchrow(*MSPS.get_msp(msp_id=msp_id))
    if row is None or not access.may_read(ctx.principal, parties(row), None):
        raise NotFound("path.msp_id", f"no MSP {msp_id}")
    return row


async def _province_of(conn: asyncpg.Connection, code: str, msp: Row, *, field: str) -> str:
    """The province of a region named for an MSP's monitoring: one agreements knows, that the MSP's work touches."""
    rules.check_region_of_msp(code, parties(msp).region_codes, field=field)
    known = (await registry_facts.regions(conn, [code])).get(code)
    if known is None or known.partner_kind not in ("province", "regency"):
        raise RuleBroken(field, f"{code} is not a province or regency agreements knows (from registry's partners)")
    return known.code if known.partner_kind == "province" else (known.parent_code or code[:2])


# --- monitoring visits ------------------------------------------------------------------------------------------


async def record_monitoring_visit(
    uow: UnitOfWork, ctx: Context, msp_id: UUID, command: RecordMonitoringVisit
) -> MonitoringVisit:
    today = jakarta_date(ctx.now)
    async with uow.change(ctx) as tx:
        msp = await _readable_msp(tx.conn, ctx, msp_id)
        office_kind, office_code = access.office_of(ctx.principal, parties(msp))
        rules.check_msp_in_force(msp["status"])
        rules.check_visited_on(command.visited_on, today)
        region_code = command.region_code or (office_code if office_kind == "region" else None)
        province_code = None
        if region_code is not None:
            access.check_in_own_area(ctx.principal, office_kind, region_code, field="body.region_code")
            province_code = await _province_of(tx.conn, region_code, msp, field="body.region_code")
        visit = {
            "msp_id": msp_id,
            "office_kind": office_kind,
            "office_code": office_code,
            "region_code": region_code,
            "province_code": province_code,
            "visited_on": command.visited_on,
            "aspects": list(command.aspects),
            "rating": command.rating,
            "findings": command.findings,
            "recorded_by": tx.actor,
        }
        row = await tx.conn.fetchrow(*MONITORING.insert_monitoring_visit(id=uuid.uuid4(), now=tx.now, **visit))
        tx.publish(
            contracts.MonitoringVisitRecorded(
                monitoring_visit_id=row["id"],
                organization=organization_party(msp),
                ministry=ministry_party(msp),
                recorded_at=tx.now,
                **visit,
            ),
            subject=str(row["id"]),
        )
        after = values(MonitoringVisit, row)
        tx.audit("monitoring_visit.recorded", "monitoring_visit", row["id"], before=None, after=after)
    return view(MonitoringVisit, row)


async def _of_msp(uow: UnitOfWork, ctx: Context, msp_id: UUID, query: Query) -> list[asyncpg.Record]:
    """The rows of a readable MSP that the caller's region scope covers (`query` takes the MSP and the scope)."""
    scope = read_scope(ctx.principal)
    async with uow.read() as conn:
        await _readable_msp(conn, ctx, msp_id)
        return list(await conn.fetch(*query(msp_id=msp_id, scope_region_code=scope.region_code)))


async def _readable_record(
    conn: asyncpg.Connection, ctx: Context, row: asyncpg.Record | None, *, field: str, unknown: str
) -> tuple[asyncpg.Record, asyncpg.Record]:
    """A visit's or an action's row and its MSP's, unknown (404 on `field`) unless the caller reads it there."""
    msp = None if row is None else await conn.fetchrow(*MSPS.get_msp(msp_id=row["msp_id"]))
    if row is None or msp is None or not access.may_read(ctx.principal, parties(msp), row["region_code"]):
        raise NotFound(field, unknown)
    return row, msp


async def monitoring_visits_of(uow: UnitOfWork, ctx: Context, msp_id: UUID) -> list[MonitoringVisit]:
    """An MSP's monitoring visits the caller reads, newest first."""
    rows = await _of_msp(uow, ctx, msp_id, MONITORING.monitoring_visits_of_msp)
    return [view(MonitoringVisit, row) for row in rows]


async def get_monitoring_visit(uow: UnitOfWork, ctx: Context, monitoring_visit_id: UUID) -> MonitoringVisit:
    async with uow.read() as conn:
        found = await conn.fetchrow(*MONITORING.get_monitoring_visit(monitoring_visit_id=monitoring_visit_id))
        row, _ = await _readable_record(
            conn, ctx, found, field="path.monitoring_visit_id", unknown=f"no monitoring visit {monitoring_visit_id}"
        )
    return view(MonitoringVisit, row)


# --- mitigation actions -----------------------------------------------------------------------------------------


async def _answered_visit(conn: asyncpg.Connection, ctx: Context, msp: Row, visit_id: UUID | None) -> Row | None:
    """The monitoring visit an action answers: one of this MSP's that the caller reads (else 422)."""
    if visit_id is None:
        return None
    visit = await conn.fetchrow(*MONITORING.get_monitoring_visit(monitoring_visit_id=visit_id))
    if (
        visit is None
        or visit["msp_id"] != msp["id"]
        or not access.may_read(ctx.principal, parties(msp), visit["region_code"])
    ):
        raise RuleBroken("body.monitoring_visit_id", f"no monitoring visit {visit_id} of this MSP")
    return visit


async def open_mitigation_action(
    uow: UnitOfWork, ctx: Context, msp_id: UUID, command: OpenMitigationAction, *, reminder_days: Sequence[int]
) -> MitigationAction:
    today = jakarta_date(ctx.now)
    async with uow.change(ctx) as tx:
        msp = await _readable_msp(tx.conn, ctx, msp_id)
        office_kind, _ = access.office_of(ctx.principal, parties(msp))
        rules.check_msp_in_force(msp["status"])
        rules.check_action(command, today)
        if command.owner_region_code is not None:
            field = "body.owner_region_code"
            access.check_in_own_area(ctx.principal, office_kind, command.owner_region_code, field=field)
            await _province_of(tx.conn, command.owner_region_code, msp, field=field)
        visit = await _answered_visit(tx.conn, ctx, msp, command.monitoring_visit_id)
        row = await tx.conn.fetchrow(
            *MONITORING.insert_mitigation_action(
                id=uuid.uuid4(),
                msp_id=msp_id,
                monitoring_visit_id=command.monitoring_visit_id,
                description=command.description,
                owner=command.owner,
                owner_region_code=command.owner_region_code,
                region_code=rules.action_region(command, None if visit is None else visit["region_code"]),
                due_on=command.due_on,
                opened_by=tx.actor,
                now=tx.now,
                next_check_on=first_check(command.due_on, reminder_days),
            )
        )
        tx.publish(
            contracts.MitigationActionOpened(**action_facts(row, msp), opened_by=tx.actor, opened_at=tx.now),
            subject=str(row["id"]),
        )
        after = values(MitigationAction, row)
        tx.audit("mitigation_action.opened", "mitigation_action", row["id"], before=None, after=after)
    return view(MitigationAction, row)


async def mitigation_actions_of(uow: UnitOfWork, ctx: Context, msp_id: UUID) -> list[MitigationAction]:
    """An MSP's mitigation actions the caller reads, soonest due first."""
    rows = await _of_msp(uow, ctx, msp_id, MONITORING.mitigation_actions_of_msp)
    return [view(MitigationAction, row) for row in rows]


async def _readable_action(
    conn: asyncpg.Connection, ctx: Context, action_id: UUID, *, for_update: bool = False
) -> tuple[asyncpg.Record, asyncpg.Record]:
    query = MONITORING.get_mitigation_action_for_update if for_update else MONITORING.get_mitigation_action
    row = await conn.fetchrow(*query(action_id=action_id))
    return await _readable_record(conn, ctx, row, field="path.action_id", unknown=f"no mitigation action {action_id}")


async def get_mitigation_action(uow: UnitOfWork, ctx: Context, action_id: UUID) -> MitigationAction:
    async with uow.read() as conn:
        row, _ = await _readable_action(conn, ctx, action_id)
    return view(MitigationAction, row)


async def change_action_status(
    uow: UnitOfWork, ctx: Context, action_id: UUID, command: ChangeActionStatus
) -> MitigationAction:
    """The owner moves an action to in progress or done; the Mitra Utama may also cancel it."""
    async with uow.change(ctx) as tx:
        current, msp = await _readable_action(tx.conn, ctx, action_id, for_update=True)
        access.check_status_change(
            ctx.principal,
            parties(msp),
            owner=current["owner"],
            owner_region_code=current["owner_region_code"],
            status=command.status,
        )
        rules.check_transition(current["status"], command.status)
        row = await tx.conn.fetchrow(
            *MONITORING.change_mitigation_action_status(
                action_id=action_id, status=command.status, note=command.note, changed_by=tx.actor, now=tx.now
            )
        )
        tx.publish(
            contracts.MitigationActionStatusChanged(
                **action_facts(row, msp),
                previous_status=current["status"],
                status=command.status,
                note=command.note,
                changed_by=tx.actor,
                changed_at=tx.now,
            ),
            subject=str(action_id),
        )
        before, after = values(MitigationAction, current), values(MitigationAction, row)
        tx.audit("mitigation_action.status_changed", "mitigation_action", action_id, before=before, after=after)
    return view(MitigationAction, row)
