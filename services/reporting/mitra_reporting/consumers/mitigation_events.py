"""Projections of agreements' mitigation actions per MSP (opened, and each change of status), which the risk score
weighs while they are open, more once overdue."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from mitra_reporting.sql import MITIGATION
from mitra_shared.contracts import agreements as contracts
from mitra_shared.events import ConsumedData, EventKind, ReceivedEvent
from mitra_shared.inbox import Handler, handler
from mitra_shared.uow import Transaction


class Organization(ConsumedData):
    organization_id: UUID


class Ministry(ConsumedData):
    code: str


class _Action(ConsumedData):
    action_id: UUID
    msp_id: UUID
    organization: Organization
    ministry: Ministry
    monitoring_visit_id: UUID | None = None
    description: str
    owner: str
    owner_region_code: str | None = None
    due_on: date


class ActionOpened(_Action):
    opened_at: datetime


class ActionStatusChanged(_Action):
    status: str
    changed_at: datetime


def _facts(d: _Action) -> dict[str, Any]:
    return {
        "action_id": d.action_id,
        "msp_id": d.msp_id,
        "organization_id": d.organization.organization_id,
        "ministry_code": d.ministry.code,
        "monitoring_visit_id": d.monitoring_visit_id,
        "description": d.description,
        "owner": d.owner,
        "owner_region_code": d.owner_region_code,
        "due_on": d.due_on,
    }


async def action_opened(tx: Transaction, event: ReceivedEvent, d: ActionOpened) -> None:
    await tx.conn.execute(*MITIGATION.project_mitigation_opened(**_facts(d), opened_at=d.opened_at))


async def action_status_changed(tx: Transaction, event: ReceivedEvent, d: ActionStatusChanged) -> None:
    await tx.conn.execute(*MITIGATION.project_mitigation_status(**_facts(d), status=d.status, changed_at=d.changed_at))


PROJECTORS: dict[EventKind, Handler[Any]] = {
    contracts.MitigationActionOpened.kind: handler(ActionOpened, action_opened),
    contracts.MitigationActionStatusChanged.kind: handler(ActionStatusChanged, action_status_changed),
}
