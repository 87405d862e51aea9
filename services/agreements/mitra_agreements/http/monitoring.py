"""Monitoring visits and mitigation actions per MSP, and the queue of mitigation actions."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Query, Response
from pydantic import BaseModel

from mitra_agreements.domain.monitoring import (
    ChangeActionStatus,
    MitigationAction,
    MitigationActionItem,
    MonitoringVisit,
    OpenMitigationAction,
    RecordMonitoringVisit,
)
from mitra_agreements.domain.queues import MitigationActionQuery
from mitra_agreements.http.dependencies import READ, CurrentPolicy
from mitra_agreements.http.dependencies import router as make_router
from mitra_agreements.usecases import monitoring, queues
from mitra_shared.http import RequestContext, Work
from mitra_shared.policy import allow

router = make_router("monitoring")
MONITORING_OFFICE = allow(
    "ministry",
    "region",
    note="the MSP's Mitra Utama ministry, or the office of a region the MSP works in (for its own area)",
)


class MitigationActionPage(BaseModel):
    items: list[MitigationActionItem]
    total: int
    limit: int
    offset: int


@router.post(
    "/msps/{msp_id}/monitoring-visits",
    status_code=201,
    response_model=MonitoringVisit,
    summary="Record a monitoring visit to an MSP's work",
    dependencies=[MONITORING_OFFICE],
    description="The MSP must be in force. A region's office records visits in its own area (`region_code` "
    "defaults to its own); the ministry's without `region_code` is MSP-wide. Publishes "
    "`agreements.monitoring_visit.recorded`.",
)
async def record_monitoring_visit(
    msp_id: UUID, command: RecordMonitoringVisit, uow: Work, ctx: RequestContext, response: Response
) -> MonitoringVisit:
    visit = await monitoring.record_monitoring_visit(uow, ctx, msp_id, command)
    response.headers["Location"] = f"/monitoring-visits/{visit.id}"
    return visit


@router.get(
    "/msps/{msp_id}/monitoring-visits",
    response_model=list[MonitoringVisit],
    summary="An MSP's monitoring visits, newest first",
    description="Whoever reads the MSP; a region's officer the MSP-wide visits and those of a region touching its own.",
    dependencies=[READ],
)
async def list_monitoring_visits(msp_id: UUID, uow: Work, ctx: RequestContext) -> list[MonitoringVisit]:
    return await monitoring.monitoring_visits_of(uow, ctx, msp_id)


@router.get(
    "/monitoring-visits/{monitoring_visit_id}",
    response_model=MonitoringVisit,
    summary="One monitoring visit",
    dependencies=[READ],
)
async def get_monitoring_visit(monitoring_visit_id: UUID, uow: Work, ctx: RequestContext) -> MonitoringVisit:
    return await monitoring.get_monitoring_visit(uow, ctx, monitoring_visit_id)


@router.post(
    "/msps/{msp_id}/mitigation-actions",
    status_code=201,
    response_model=MitigationAction,
    summary="Open a mitigation action for an MSP",
    dependencies=[MONITORING_OFFICE],
    description="Who must act (`owner`: the NGO, the ministry, or a region's office named by `owner_region_code`) "
    "and by when; optionally the monitoring visit it answers. The deadline engine sends "
    "`agreements.mitigation_action.due` at the reminder days (`MITRA_REMINDER_DAYS`) and "
    "`agreements.mitigation_action.overdue` once, while it is open or in progress. Publishes "
    "`agreements.mitigation_action.opened`.",
)
async def open_mitigation_action(
    msp_id: UUID,
    command: OpenMitigationAction,
    uow: Work,
    ctx: RequestContext,
    policy: CurrentPolicy,
    response: Response,
) -> MitigationAction:
    action = await monitoring.open_mitigation_action(uow, ctx, msp_id, command, reminder_days=policy.reminder_days)
    response.headers["Location"] = f"/mitigation-actions/{action.id}"
    return action


@router.get(
    "/msps/{msp_id}/mitigation-actions",
    response_model=list[MitigationAction],
    summary="An MSP's mitigation actions, soonest due first",
    description="Whoever reads the MSP; a region's officer the MSP-wide actions and those of a region touching its "
    "own.",
    dependencies=[READ],
)
async def list_mitigation_actions_of_msp(msp_id: UUID, uow: Work, ctx: RequestContext) -> list[MitigationAction]:
    return await monitoring.mitigation_actions_of(uow, ctx, msp_id)


@router.get(
    "/mitigation-actions",
    response_model=MitigationActionPage,
    summary="The queue of mitigation actions across MSPs, soonest due first",
    description="Filters combine; `status` and `owner` may be repeated. Each item carries its MSP's title, NGO and "
    "Mitra Utama. Only what the caller's scope covers. An unknown parameter is refused with 422 naming it.",
    dependencies=[READ],
)
async def list_mitigation_actions(
    query: Annotated[MitigationActionQuery, Query()], uow: Work, ctx: RequestContext
) -> MitigationActionPage:
    items, total = await queues.list_mitigation_actions(uow, ctx, query)
    return MitigationActionPage(items=items, total=total, limit=query.limit, offset=query.offset)


@router.get(
    "/mitigation-actions/{action_id}",
    response_model=MitigationAction,
    summary="One mitigation action",
    dependencies=[READ],
)
async def get_mitigation_action(action_id: UUID, uow: Work, ctx: RequestContext) -> MitigationAction:
    return await monitoring.get_mitigation_action(uow, ctx, action_id)


@router.post(
    "/mitigation-actions/{action_id}/status",
    response_model=MitigationAction,
    summary="Move a mitigation action on",
    dependencies=[
        allow(
            "ngo",
            "ministry",
            "region",
            note="its owner (the NGO, the Mitra Utama, or the office covering `owner_region_code`) to in_progress or "
            "done; the MSP's Mitra Utama may also cancel it",
        )
    ],
    description="open → in_progress → done, or cancelled; done and cancelled are final (409). Publishes "
    "`agreements.mitigation_action.status_changed`.",
)
async def change_mitigation_action_status(
    action_id: UUID, command: ChangeActionStatus, uow: Work, ctx: RequestContext
) -> MitigationAction:
    return await monitoring.change_action_status(uow, ctx, action_id, command)
