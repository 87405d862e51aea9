"""Visits of foreign guests over HTTP: by region and month."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from mitra_reporting.domain.access import READ_NOTE, READERS
from mitra_reporting.http.filters import Chosen
from mitra_reporting.usecases.visits import count_visits
from mitra_shared.http import RequestContext, Work, problems, require_principal
from mitra_shared.policy import allow

router = APIRouter(dependencies=[Depends(require_principal), allow(*READERS, note=READ_NOTE)], responses=problems(422))


class VisitCount(BaseModel):
    region_code: str
    month: str = Field(examples=["2027-03"])
    visits: int
    announced_late: int


@router.get(
    "/dashboard/visits", response_model=list[VisitCount], tags=["dashboards"], summary="Visits by region and month"
)
async def visits_by_region_and_month(uow: Work, ctx: RequestContext, chosen: Chosen) -> list[VisitCount]:
    return [VisitCount.model_validate(row) for row in await count_visits(uow, ctx, chosen)]
