"""HTTP API of the regions import: one CSV file per call, provinces first, then regencies and cities."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from mitra_registry.domain.access import KEEPER
from mitra_registry.domain.regions import ImportReport, RegionLevel
from mitra_registry.usecases import regions
from mitra_shared.errors import RuleBroken
from mitra_shared.http import Problem, RequestContext, Work, require_principal
from mitra_shared.policy import allow

router = APIRouter(dependencies=[Depends(require_principal)], tags=["partners"])
MAX_BYTES = 5 * 1024 * 1024
CSV_TYPES = ("text/csv", "application/csv", "text/plain")

_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "text/csv": {
            "schema": {"type": "string"},
            "examples": {
                "provinces": {
                    "summary": "level=provinces: code,name",
                    "value": "code,name\n11,ACEH\n33,JAWA TENGAH\n95,PAPUA SELATAN\n",
                },
                "regencies": {
                    "summary": "level=regencies: code,province_code,name",
                    "value": "code,province_code,name\n3374,33,KOTA SEMARANG\n3375,33,KOTA PEKALONGAN\n",
                },
            },
        }
    },
}


@router.post(
    "/partners/regions/import",
    response_model=ImportReport,
    summary="Import provinces or regencies/cities from a CSV file",
    description="Send one file per call as `text/csv`, with `level=provinces` (`code,name`) or "
    "`level=regencies` (`code,province_code,name`), shaped like BPS's lists; import the provinces first. "
    "Regions not yet known are registered (`registry.partner.registered`), known ones the file names differently "
    "are renamed (`registry.partner.updated`), the rest are left alone: a second import of the same file changes "
    "and publishes nothing. Regions beyond the file (e.g. Papua's 2022 provinces) are kept; contacts and "
    "activity are never touched. A file with a malformed row is refused whole with 422, each bad row named by "
    "its line number (the header is line 1); nothing is imported.",
    responses={
        409: {"model": Problem, "description": "A region in the file was registered meanwhile; import again"},
        415: {"model": Problem, "description": "The body is not `text/csv`"},
        422: {"model": Problem, "description": "A malformed row (its line in `errors`), or a bad `level`"},
    },
    openapi_extra={"requestBody": _BODY},
    dependencies=[allow(KEEPER, note="TPOA keeps the partners and regions")],
)
async def import_regions(
    request: Request,
    uow: Work,
    ctx: RequestContext,
    level: Annotated[RegionLevel, Query(description="`provinces` or `regencies` (regencies and cities).")],
) -> Any:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in CSV_TYPES:
        raise HTTPException(415, f"send the file as text/csv, not {media_type or 'no content type'}")
    content = await request.body()
    if len(content) > MAX_BYTES:
        raise RuleBroken("body", f"the file is larger than {MAX_BYTES} bytes")
    return await regions.import_regions(uow, ctx, level, content)
