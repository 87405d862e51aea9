"""Reporting's answers over HTTP."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from mitra_reporting import exports, stories
from mitra_reporting.dashboards import Chosen
from mitra_reporting.projections import QUERIES
from mitra_shared.http import CurrentPrincipal, DatabasePool, ExpectedVersion, Problem, etag, require_principal

router = APIRouter(dependencies=[Depends(require_principal)])
_problems: dict[int | str, dict[str, object]] = {
    404: {"model": Problem},
    409: {"model": Problem},
    412: {"model": Problem},
    422: {"model": Problem},
    428: {"model": Problem},
}
JAKARTA = ZoneInfo("Asia/Jakarta")
FileFormat = Literal["json", "csv", "xlsx"]


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


@router.get(
    "/summary",
    response_model=Summary,
    summary="NGOs by status, country and focus area; filtered by ministry, region and period through their MSPs",
    tags=["summary"],
)
async def summary(pool: DatabasePool, chosen: Chosen) -> Summary:
    rows = await pool.fetch(QUERIES.organization_summary, *chosen.params()[:4])
    counts: dict[str, list[Count]] = {"total": [], "status": [], "country": [], "focus_area": []}
    for row in rows:
        counts[row["dimension"]].append(Count(key=row["key"], count=row["count"]))
    return Summary(
        organizations=OrganizationSummary(
            total=counts["total"][0].count,
            by_status=sorted(counts["status"], key=lambda c: c.key),
            by_country=sorted(counts["country"], key=lambda c: (-c.count, c.key)),
            by_focus_area=sorted(counts["focus_area"], key=lambda c: (-c.count, c.key)),
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
    exports.Column("organization_id", "Id"),
    exports.Column("legal_name", "Nama / Legal name"),
    exports.Column("acronym", "Singkatan / Acronym"),
    exports.Column("country_of_origin", "Negara asal / Country"),
    exports.Column("status", "Status"),
    exports.Column("focus_areas", "Bidang / Focus areas"),
    exports.Column("registered_at", "Terdaftar / Registered (UTC)"),
    exports.Column("principle_permit_valid_until", "Izin prinsip s.d. / Principle permit until"),
    exports.Column("active_foreign_staff", "Tenaga ahli asing / Foreign staff"),
]


@router.get(
    "/organizations",
    response_model=OrganizationList,
    tags=["lists"],
    summary="Foreign NGOs, filtered; as JSON, CSV or XLSX (`format`)",
    responses={200: {"content": {exports.CSV_TYPE: {}, exports.XLSX_TYPE: {}}}, **_problems},
)
async def organizations(
    pool: DatabasePool,
    chosen: Chosen,
    status: str | None = None,
    country: Annotated[str | None, Query(pattern="^[A-Za-z]{2}$")] = None,
    focus_area: str | None = None,
    format: FileFormat = "json",
    limit: Annotated[int, Query(ge=1, le=100_000)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> OrganizationList | Response:
    rows = await pool.fetch(
        QUERIES.list_organizations,
        *(status, country.upper() if country else None, focus_area, limit, chosen.as_of, offset),
        *chosen.params()[:4],
    )
    items = [{k: v for k, v in row.items() if k != "total"} for row in rows]
    if format != "json":
        return exports.file_response(items, ORGANIZATION_COLUMNS, kind=format, name="organizations")
    return OrganizationList(
        items=[OrganizationRow.model_validate(item) for item in items],
        total=rows[0]["total"] if rows else 0,
        limit=limit,
        offset=offset,
    )


class StoryPage(BaseModel):
    items: list[stories.Story]
    total: int
    limit: int
    offset: int


@router.post(
    "/stories",
    status_code=201,
    response_model=stories.Story,
    tags=["stories"],
    summary="Draft a good practice or success story",
    responses=_problems,
)
async def draft_story(
    body: stories.StoryDraft, pool: DatabasePool, principal: CurrentPrincipal, response: Response
) -> stories.Story:
    story = await stories.draft(pool, body, principal.subject)
    response.headers["Location"] = f"/stories/{story.id}"
    response.headers["ETag"] = etag(story.version)
    return story


@router.get(
    "/stories",
    response_model=StoryPage,
    tags=["stories"],
    summary="Stories, by status, NGO or region (a province covers its regencies)",
    responses=_problems,
)
async def list_stories(
    pool: DatabasePool,
    status: Literal["draft", "published"] | None = None,
    organization_id: UUID | None = None,
    region_code: Annotated[str | None, Query(pattern=r"^\d{2}(\d{2})?$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> StoryPage:
    rows = await pool.fetch(QUERIES.list_stories, status, organization_id, region_code, limit, offset)
    return StoryPage(
        items=[stories.Story.model_validate({k: v for k, v in r.items() if k != "total"}) for r in rows],
        total=rows[0]["total"] if rows else 0,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/stories/{story_id}", response_model=stories.Story, tags=["stories"], summary="One story", responses=_problems
)
async def get_story(story_id: UUID, pool: DatabasePool, response: Response) -> stories.Story:
    story = await stories.get(pool, story_id)
    response.headers["ETag"] = etag(story.version)
    return story


@router.put(
    "/stories/{story_id}",
    response_model=stories.Story,
    tags=["stories"],
    summary="Revise a draft (If-Match: the ETag you read)",
    responses=_problems,
)
async def revise_story(
    story_id: UUID, body: stories.StoryDraft, pool: DatabasePool, version: ExpectedVersion, response: Response
) -> stories.Story:
    story = await stories.revise(pool, story_id, body, version)
    response.headers["ETag"] = etag(story.version)
    return story


@router.post(
    "/stories/{story_id}/publish",
    response_model=stories.Story,
    tags=["stories"],
    summary="Publish a story (If-Match); publishes `reporting.story.published`",
    responses=_problems,
)
async def publish_story(
    story_id: UUID, pool: DatabasePool, principal: CurrentPrincipal, version: ExpectedVersion, response: Response
) -> stories.Story:
    story = await stories.publish(pool, story_id, version, principal.subject)
    response.headers["ETag"] = etag(story.version)
    return story
