"""NGOs over HTTP: counted by status, country and focus area; listed as JSON, CSV or XLSX."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from mitra_reporting.domain.access import READ_NOTE, READERS
from mitra_reporting.http.files import LIST_AS_FILE, Column, Delimiter, FileFormat, FileLimit, page_or_file
from mitra_reporting.http.filters import Chosen, Offset
from mitra_reporting.usecases.organizations import Counts, count_organizations, list_organizations
from mitra_shared.http import RequestContext, Work, problems, require_principal
from mitra_shared.policy import allow

router = APIRouter(dependencies=[Depends(require_principal), allow(*READERS, note=READ_NOTE)], responses=problems(422))


class Count(BaseModel):
    key: str
    count: int


class OrganizationSummary(BaseModel):
    total: int = Field(description="Foreign NGOs in the register.")
    by_status: list[Count]
    by_country: list[Count] = Field(description="By country of origin (ISO 3166-1 alpha-2), most first.")
    by_focus_area: list[Count] = Field(description="An NGO with several focus areas counts in each.")


class Summary(BaseModel):
    organizations: OrganizationSummary


def _counts(counts: Counts) -> list[Count]:
    return [Count(key=key, count=count) for key, count in counts]


@router.get(
    "/summary",
    response_model=Summary,
    summary="NGOs by status, country and focus area; filtered by ministry, region and period through their MSPs",
    tags=["summary"],
)
async def summary(uow: Work, ctx: RequestContext, chosen: Chosen) -> Summary:
    counted = await count_organizations(uow, ctx, chosen)
    return Summary(
        organizations=OrganizationSummary(
            total=counted.total,
            by_status=_counts(counted.by_status),
            by_country=_counts(counted.by_country),
            by_focus_area=_counts(counted.by_focus_area),
        )
    )


class OrganizationRow(BaseModel):
    organization_id: UUID
    legal_name: str
    acronym: str | None
    country_of_origin: str
    status: str
    focus_areas: list[str]
    registered_at: datetime
    principle_permit_valid_until: date | None = Field(description="End of its valid principle permit, if any.")
    active_foreign_staff: int = Field(description="Foreign experts assigned today (the rule allows at most 3).")


class OrganizationList(BaseModel):
    items: list[OrganizationRow]
    total: int
    limit: int
    offset: int


ORGANIZATION_COLUMNS = [
    Column("organization_id", "Id"),
    Column("legal_name", "Nama / Legal name"),
    Column("acronym", "Singkatan / Acronym"),
    Column("country_of_origin", "Negara asal / Country"),
    Column("status", "Status"),
    Column("focus_areas", "Bidang / Focus areas"),
    Column("registered_at", "Terdaftar / Registered (UTC)"),
    Column("principle_permit_valid_until", "Izin prinsip s.d. / Principle permit until"),
    Column("active_foreign_staff", "Tenaga ahli asing / Foreign staff"),
]


@router.get(
    "/organizations",
    response_model=OrganizationList,
    tags=["lists"],
    summary="Foreign NGOs, filtered; as JSON, CSV or XLSX (`format`)",
    responses=LIST_AS_FILE,
)
async def organizations(
    uow: Work,
    ctx: RequestContext,
    chosen: Chosen,
    status: str | None = None,
    country: Annotated[str | None, Query(pattern="^[A-Za-z]{2}$")] = None,
    format: FileFormat = "json",
    delimiter: Delimiter = "comma",
    limit: FileLimit = 50,
    offset: Offset = 0,
) -> OrganizationList | Response:
    items, total = await list_organizations(
        uow, ctx, chosen, status=status, country=country, limit=limit, offset=offset
    )
    return page_or_file(
        items,
        total,
        page=OrganizationList,
        format=format,
        columns=ORGANIZATION_COLUMNS,
        name="organizations",
        limit=limit,
        offset=offset,
        delimiter=delimiter,
    )
