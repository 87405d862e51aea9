"""Announcements of foreign guests' visits."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Query, Response
from pydantic import BaseModel

from mitra_agreements.domain.queues import VisitQuery
from mitra_agreements.http.dependencies import NGO_FOR_ITSELF, READ, CurrentPolicy
from mitra_agreements.http.dependencies import router as make_router
from mitra_agreements.usecases import queues, visits
from mitra_agreements.usecases.commands import AnnounceVisit, CancelVisit, UpdateVisit
from mitra_agreements.usecases.views import Visit, VisitItem
from mitra_shared.http import RequestContext, Work

router = make_router("visits")


class VisitPage(BaseModel):
    items: list[VisitItem]
    total: int
    limit: int
    offset: int


@router.post(
    "/visits",
    status_code=201,
    response_model=Visit,
    summary="Announce a visit of foreign guests",
    dependencies=[NGO_FOR_ITSELF],
    description="Announces the visit to the regions it goes to (`agreements.visit.announced`). An announcement "
    "fewer than `MITRA_VISIT_NOTICE_DAYS` (14) days before arrival is accepted and flagged `late`.",
)
async def announce_visit(
    command: AnnounceVisit, uow: Work, ctx: RequestContext, policy: CurrentPolicy, response: Response
) -> Visit:
    visit = await visits.announce_visit(uow, ctx, command, policy=policy)
    response.headers["Location"] = f"/visits/{visit.id}"
    return visit


@router.get(
    "/visits",
    response_model=VisitPage,
    summary="The queue of announced visits, soonest arrival first",
    description="Filters combine; `status` may be repeated. `from`/`to` keep the visits under way at some time "
    "between those days (both included). `region_code` keeps the visits going to a region touching it (a province "
    "includes its regencies). Each item carries its MSP's title, NGO and Mitra Utama. Only what the caller's scope "
    "covers: an NGO's own, a ministry's MSPs', for a region's office the visits to its area. An unknown parameter "
    "is refused with 422 naming it.",
    dependencies=[READ],
)
async def list_visits(query: Annotated[VisitQuery, Query()], uow: Work, ctx: RequestContext) -> VisitPage:
    items, total = await queues.list_visits(uow, ctx, query)
    return VisitPage(items=items, total=total, limit=query.limit, offset=query.offset)


@router.get(
    "/visits/{visit_id}",
    response_model=Visit,
    summary="One announced visit",
    description="A region's officer reads the visits that go to its area.",
    dependencies=[READ],
)
async def get_visit(visit_id: UUID, uow: Work, ctx: RequestContext) -> Visit:
    return await visits.get_visit(uow, ctx, visit_id)


@router.patch(
    "/visits/{visit_id}",
    response_model=Visit,
    summary="Change an announced visit",
    dependencies=[NGO_FOR_ITSELF],
    description="Only the fields given change; publishes `agreements.visit.updated` with the whole new state.",
)
async def update_visit(
    visit_id: UUID, command: UpdateVisit, uow: Work, ctx: RequestContext, policy: CurrentPolicy
) -> Visit:
    return await visits.update_visit(uow, ctx, visit_id, command, policy=policy)


@router.post(
    "/visits/{visit_id}/cancel",
    response_model=Visit,
    summary="Cancel an announced visit",
    dependencies=[NGO_FOR_ITSELF],
    description="Publishes `agreements.visit.cancelled`.",
)
async def cancel_visit(visit_id: UUID, command: CancelVisit, uow: Work, ctx: RequestContext) -> Visit:
    return await visits.cancel_visit(uow, ctx, visit_id, command)
