"""MSPs over HTTP: by ministry, listed (JSON, CSV or XLSX), by region of work, and as IATI 2.03 open data."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from mitra_reporting.domain import funding, iati
from mitra_reporting.domain.access import READ_NOTE, READERS
from mitra_reporting.http.files import (
    LIST_AS_FILE,
    XML_TYPE,
    Column,
    Delimiter,
    FileFormat,
    FileLimit,
    attachment,
    page_or_file,
)
from mitra_reporting.http.filters import Chosen, Offset
from mitra_reporting.settings import ReportingSettings
from mitra_reporting.usecases.msps import State, count_msps, list_msps
from mitra_reporting.usecases.msps import cooperation_by_region as cooperation
from mitra_reporting.usecases.msps import iati_activities as iati_file
from mitra_shared.http import RequestContext, Work, problems, require_principal
from mitra_shared.policy import allow

router = APIRouter(dependencies=[Depends(require_principal), allow(*READERS, note=READ_NOTE)], responses=problems(422))


class MinistryMsps(BaseModel):
    ministry_code: str
    ministry_name: str
    active: int = Field(description="Signed or extended, in force on `as_of`.")
    expiring: int = Field(description="In force and ending within `expiring_within_days`.")
    ended: int = Field(description="Ended, terminated, or past their end date.")
    signed_not_started: int
    in_preparation: int = Field(description="Drafted, submitted to TPOA or approved, not yet signed.")
    rejected: int
    total: int


class MspDashboard(BaseModel):
    as_of: date
    expiring_within_days: int
    totals: MinistryMsps
    by_ministry: list[MinistryMsps]


@router.get("/dashboard/msps", response_model=MspDashboard, tags=["dashboards"], summary="MSPs by ministry")
async def msps_by_ministry(
    uow: Work,
    ctx: RequestContext,
    chosen: Chosen,
    expiring_within_days: Annotated[int, Query(ge=1, le=3650)] = 90,
) -> MspDashboard:
    totals, by_ministry = await count_msps(uow, ctx, chosen, expiring_within_days=expiring_within_days)
    return MspDashboard(
        as_of=chosen.as_of,
        expiring_within_days=expiring_within_days,
        totals=MinistryMsps(ministry_code="*", ministry_name="all ministries", **totals),
        by_ministry=[MinistryMsps.model_validate(row) for row in by_ministry],
    )


class Money(BaseModel):
    currency: str
    amount: float


class MspRow(BaseModel):
    msp_id: UUID
    number: str | None
    title: str
    organization_id: UUID
    organization_name: str
    ministry_code: str
    ministry_name: str
    status: str
    starts_on: date
    ends_on: date
    signed_on: date | None
    focus_areas: list[str]
    region_codes: list[str]
    funding: list[Money] = Field(
        default_factory=list,
        description="Funding of its accepted reports (as on `/dashboard/funding`), per currency, as of `as_of`.",
    )


class MspList(BaseModel):
    items: list[MspRow]
    total: int
    limit: int
    offset: int


MSP_COLUMNS = [
    Column("number", "Nomor MSP / MSP number"),
    Column("title", "Judul / Title"),
    Column("organization_name", "Ormas Asing / NGO"),
    Column("ministry_name", "Mitra Utama"),
    Column("status", "Status"),
    Column("starts_on", "Mulai / Starts"),
    Column("ends_on", "Berakhir / Ends"),
    Column("region_codes", "Wilayah / Regions"),
    Column("focus_areas", "Bidang / Focus areas"),
    Column("funding_idr", "Pendanaan IDR / Funding IDR"),
    Column("funding_other", "Pendanaan mata uang lain / Funding in other currencies"),
    Column("msp_id", "Id"),
]


@router.get(
    "/msps",
    response_model=MspList,
    tags=["lists"],
    summary="MSPs: active, expiring within N days, ended; as JSON, CSV or XLSX",
    responses=LIST_AS_FILE,
)
async def msp_list(
    uow: Work,
    ctx: RequestContext,
    chosen: Chosen,
    state: State | None = None,
    expiring_within_days: Annotated[int | None, Query(ge=1, le=3650)] = None,
    format: FileFormat = "json",
    delimiter: Delimiter = "comma",
    limit: FileLimit = 50,
    offset: Offset = 0,
) -> MspList | Response:
    items, total = await list_msps(
        uow, ctx, chosen, state=state, expiring_within_days=expiring_within_days, limit=limit, offset=offset
    )
    if format == "csv" and delimiter == "semicolon":
        items = [{**item, "funding_other": _other_currencies(item["funding"])} for item in items]
    return page_or_file(
        items,
        total,
        page=MspList,
        format=format,
        columns=MSP_COLUMNS,
        name="msps",
        limit=limit,
        offset=offset,
        delimiter=delimiter,
    )


def _other_currencies(money: list[dict[str, Any]]) -> str:
    """The cell of currencies other than rupiah with a `,` decimal mark, as the semicolon CSV's other amounts."""
    amounts = {line["currency"]: line["amount"] for line in money}
    return funding.per_currency_text(amounts, leave_out="IDR", decimal_comma=True)


class RegionCooperation(BaseModel):
    region_code: str
    region_kind: str
    region_name: str
    active_msps: int
    organizations: int


class ProvinceCooperation(BaseModel):
    province_code: str
    active_msps: int = Field(description="MSPs in force with work in the province (each counted once).")
    organizations: int = Field(description="NGOs working in the province (each counted once).")
    regions: list[RegionCooperation] = Field(description="The province itself and its regencies/cities named in MSPs.")


@router.get(
    "/dashboard/regions",
    response_model=list[ProvinceCooperation],
    tags=["dashboards"],
    summary="Cooperation by province and regency/city, ready for a map (region codes are Kemendagri/BPS codes)",
)
async def cooperation_by_region(uow: Work, ctx: RequestContext, chosen: Chosen) -> list[ProvinceCooperation]:
    return [ProvinceCooperation.model_validate(province) for province in await cooperation(uow, ctx, chosen)]


@router.get(
    "/iati/activities.xml",
    tags=["open data"],
    summary="Signed MSPs as an IATI 2.03 activity file",
    description=(iati.__doc__ or "").strip(),
    response_class=Response,
    responses={200: {"content": {XML_TYPE: {}}}},
)
async def iati_activities(uow: Work, chosen: Chosen, ctx: RequestContext, request: Request) -> Response:
    settings: ReportingSettings = request.app.state.resources.settings
    body = await iati_file(uow, ctx, chosen, prefix=settings.iati_organisation_prefix, generated_at=ctx.now)
    return attachment(body, XML_TYPE, "mitra-iati-activities.xml")
