"""Projections of registry's sanctions: the sanctions on each NGO (in force, lifted, expired), the NGO's status in the
register after each, and the permits a revocation revoked. The risk score weighs them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from mitra_reporting.sql import SANCTIONS
from mitra_shared.contracts import registry as contracts
from mitra_shared.events import ConsumedData, EventKind, ReceivedEvent
from mitra_shared.inbox import Handler, handler
from mitra_shared.uow import Transaction


class _Sanction(ConsumedData):
    sanction_id: UUID
    organization_id: UUID
    sanction_kind: str
    category: str
    reason: str
    organization_status: str


class SanctionImposed(_Sanction):
    starts_on: date
    ends_on: date | None = None
    imposed_at: datetime


class SanctionLifted(_Sanction):
    expired: bool = False
    lifted_at: datetime


class PermitRevoked(ConsumedData):
    permit_id: UUID
    revoked_on: date


async def _project(tx: Transaction, d: _Sanction, query: Any, at: datetime, **more: Any) -> None:
    """Project a sanction imposed or lifted (`query` takes its fields and `more`), then the NGO's status after it."""
    await tx.conn.execute(
        *query(
            sanction_id=d.sanction_id,
            organization_id=d.organization_id,
            sanction_kind=d.sanction_kind,
            category=d.category,
            reason=d.reason,
            **more,
        )
    )
    await tx.conn.execute(
        *SANCTIONS.project_organization_status(
            organization_id=d.organization_id, organization_status=d.organization_status, at=at
        )
    )


async def sanction_imposed(tx: Transaction, event: ReceivedEvent, d: SanctionImposed) -> None:
    await _project(
        tx,
        d,
        SANCTIONS.project_sanction_imposed,
        d.imposed_at,
        starts_on=d.starts_on,
        ends_on=d.ends_on,
        imposed_at=d.imposed_at,
    )


async def sanction_lifted(tx: Transaction, event: ReceivedEvent, d: SanctionLifted) -> None:
    await _project(tx, d, SANCTIONS.project_sanction_lifted, d.lifted_at, expired=d.expired, lifted_at=d.lifted_at)


async def permit_revoked(tx: Transaction, event: ReceivedEvent, d: PermitRevoked) -> None:
    await tx.conn.execute(*SANCTIONS.project_permit_revoked(permit_id=d.permit_id, revoked_on=d.revoked_on))


PROJECTORS: dict[EventKind, Handler[Any]] = {
    contracts.SanctionImposed.kind: handler(SanctionImposed, sanction_imposed),
    contracts.SanctionLifted.kind: handler(SanctionLifted, sanction_lifted),
    contracts.PermitRevoked.kind: handler(PermitRevoked, permit_revoked),
}
