"""A ministry's annual summary over HTTP, as XLSX, PDF or JSON."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from mitra_reporting.domain.access import READ_NOTE, READERS
from mitra_reporting.domain.filters import Filters
from mitra_reporting.http.files import PDF_TYPE, XLSX_TYPE, attachment
from mitra_reporting.usecases.annual_summary import annual_figures, make_annual_summary
from mitra_shared.clock import jakarta_date
from mitra_shared.http import RequestContext, Work, problems, require_principal
from mitra_shared.policy import allow

router = APIRouter(dependencies=[Depends(require_principal)], responses=problems(422))
NOTE = f"{READ_NOTE}; a ministry asks for its own ministry's year only"


@router.get(
    "/annual-summary",
    tags=["dashboards"],
    summary="A ministry's year: key figures, MSPs, compliance per NGO, MSPs by province, funding by province and by "
    "source, with charts (XLSX or PDF), or its figures as JSON",
    response_class=Response,
    dependencies=[allow(*READERS, note=NOTE)],
    responses={200: {"content": {XLSX_TYPE: {}, PDF_TYPE: {}, "application/json": {}}}, **problems(404)},
)
async def annual_summary(
    uow: Work,
    ctx: RequestContext,
    year: Annotated[int, Query(ge=2000, le=2100)],
    ministry: Annotated[str, Query(min_length=2, description="Code of the ministry, e.g. KEMENSOS")],
    format: Literal["xlsx", "pdf", "json"] = "xlsx",
    as_of: Annotated[
        date | None, Query(description="Figures as of this day (default: the year's end, or today; the funding: today)")
    ] = None,
) -> Response:
    chosen = Filters.of_year(ministry, year, as_of=as_of, today=jakarta_date(ctx.now))
    if format == "json":
        figures = await annual_figures(uow, ctx, chosen, year, funding_as_of=as_of)
        return JSONResponse(jsonable_encoder({"title": figures.title, **asdict(figures)}))
    body = await make_annual_summary(uow, ctx, chosen, year, file_format=format, funding_as_of=as_of)
    media = PDF_TYPE if format == "pdf" else XLSX_TYPE
    return attachment(body, media, f"mitra-annual-{ministry}-{year}.{format}")
