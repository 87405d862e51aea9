"""The open register over HTTP, without a token: the foreign NGOs as anyone may see them, as JSON or CSV, and the
open IATI activity file.

Every answer carries a weak ETag (from its content) and `Cache-Control: public, max-age=300`; a request whose
`If-None-Match` names the current tag gets 304 without a body. Every `/public/*` request is rate limited per client
address (an in-process token bucket: `MITRA_PUBLIC_RATE_LIMIT_PER_MINUTE`, default 120, in a burst and refilled at
that rate); past it, 429 with `Retry-After` in a problem document.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field

from mitra_reporting.domain import spreadsheets
from mitra_reporting.domain.public import TokenBuckets, none_match, weak_etag
from mitra_reporting.domain.spreadsheets import Column
from mitra_reporting.http.files import CSV_TYPE, XML_TYPE, Delimiter
from mitra_reporting.http.filters import Offset
from mitra_reporting.settings import ReportingSettings
from mitra_reporting.usecases.msps import public_iati_activities
from mitra_reporting.usecases.public import RegisterQuery, list_register, register_entry
from mitra_shared.clock import jakarta_today
from mitra_shared.http import Work, problems
from mitra_shared.policy import PUBLIC

CACHE_CONTROL = "public, max-age=300"
RATE_LIMIT_NOTE = (
    " Without a token. Rate limited per client address (`MITRA_PUBLIC_RATE_LIMIT_PER_MINUTE`, default 120 a minute): "
    "past it, 429 with `Retry-After`. Weak ETag and `Cache-Control: public, max-age=300`; `If-None-Match` → 304."
)


async def rate_limited(request: Request) -> None:
    """The per-client token bucket of this app (made on first use, from the settings)."""
    buckets: TokenBuckets | None = getattr(request.app.state, "public_rate_limit", None)
    if buckets is None:
        settings: ReportingSettings = request.app.state.resources.settings
        buckets = TokenBuckets(settings.public_rate_limit_per_minute)
        request.app.state.public_rate_limit = buckets
    client = request.client.host if request.client else "unknown"
    wait = buckets.take(client, time.monotonic())
    if wait:
        raise HTTPException(
            429,
            f"more than {buckets.per_minute} requests a minute from {client}; retry in {wait} s",
            headers={"Retry-After": str(wait)},
        )


NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not Modified: `If-None-Match` names the current ETag", "content": {}},
    429: {**problems(429)[429], "description": "Too Many Requests: see `Retry-After`"},
}
router = APIRouter(
    tags=["open register"],
    dependencies=[PUBLIC, Depends(rate_limited)],
    responses={**problems(422), **NOT_MODIFIED},
)

Format = Literal["json", "csv"]
IfNoneMatch = Annotated[str | None, Header(description="An ETag you hold: 304 if it is still current.")]


class Region(BaseModel):
    code: str
    name: str


class PublicOrganization(BaseModel):
    organization_id: UUID
    name: str
    acronym: str | None
    country: str = Field(description="Country of origin (ISO 3166-1 alpha-2).")
    focus_areas: list[str]
    status: str = Field(description="Register status: registered, active, suspended, revoked or closed.")
    principle_permit: Literal["valid", "expired", "revoked", "none"]
    principle_permit_valid_until: date | None
    partners: list[str] = Field(description="The ministries (Mitra Utama) of its signed MSPs.")
    regions: list[Region] = Field(description="Regions of work of its signed MSPs.")
    overdue: bool = Field(description="An obligation (report, work plan) is overdue today.")


class PublicOrganizationList(BaseModel):
    items: list[PublicOrganization]
    total: int
    limit: int
    offset: int


COLUMNS = [
    Column("organization_id", "Id"),
    Column("name", "Nama / Name"),
    Column("acronym", "Singkatan / Acronym"),
    Column("country", "Negara asal / Country"),
    Column("focus_areas", "Bidang / Focus areas"),
    Column("status", "Status"),
    Column("principle_permit", "Izin prinsip / Principle permit"),
    Column("principle_permit_valid_until", "Berlaku s.d. / Valid until"),
    Column("partners", "Mitra Utama / Partners"),
    Column("regions", "Wilayah kerja / Regions of work"),
    Column("overdue", "Terlambat / Overdue"),
]
AS_JSON_OR_CSV: dict[int | str, dict[str, Any]] = {200: {"content": {CSV_TYPE: {}}}}


def _wants_csv(request: Request, format: Format | None) -> bool:
    if format is not None:
        return format == "csv"
    return "text/csv" in request.headers.get("accept", "")


def _csv_row(item: dict[str, Any]) -> dict[str, Any]:
    regions = [f"{r['code']} {r['name']}" for r in item["regions"]]
    return {**item, "regions": regions, "overdue": "yes" if item["overdue"] else "no"}


def _answer(body: bytes, media_type: str, if_none_match: str | None, filename: str | None = None) -> Response:
    tag = weak_etag(body)
    headers = {"ETag": tag, "Cache-Control": CACHE_CONTROL, "Vary": "Accept"}
    if none_match(if_none_match, tag):
        return Response(status_code=304, headers=headers)
    if filename:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return Response(body, media_type=media_type, headers=headers)


@router.get(
    "/public/organizations",
    response_model=PublicOrganizationList,
    summary="The open register of foreign NGOs, as JSON or CSV",
    description="Name, country, focus areas, status, principle permit, MSP partners, regions of work and the "
    "overdue flag; no personal data. CSV with `format=csv` or `Accept: text/csv`." + RATE_LIMIT_NOTE,
    responses=AS_JSON_OR_CSV,
)
async def public_organizations(
    request: Request,
    uow: Work,
    if_none_match: IfNoneMatch = None,
    status: Annotated[str | None, Query(pattern="^(registered|active|suspended|revoked|closed)$")] = None,
    country: Annotated[str | None, Query(pattern="^[A-Za-z]{2}$")] = None,
    focus_area: Annotated[str | None, Query(max_length=100)] = None,
    province: Annotated[str | None, Query(pattern=r"^\d{2}$", description="Province code, e.g. `33`")] = None,
    sort: Annotated[Literal["name", "-name"], Query(description="By name, A to Z (`-name`: Z to A)")] = "name",
    format: Format | None = None,
    delimiter: Delimiter = "comma",
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Offset = 0,
) -> Response:
    query = RegisterQuery(status, country, focus_area, province, sort == "-name", limit, offset)
    items, total = await list_register(uow, query, jakarta_today(request.app.state.clock))
    if _wants_csv(request, format):
        body = spreadsheets.to_csv([_csv_row(item) for item in items], COLUMNS, delimiter=delimiter)
        return _answer(body, CSV_TYPE, if_none_match, "register.csv")
    page = PublicOrganizationList.model_validate({"items": items, "total": total, "limit": limit, "offset": offset})
    return _answer(page.model_dump_json().encode(), "application/json", if_none_match)


@router.get(
    "/public/organizations/{organization_id}",
    response_model=PublicOrganization,
    summary="One foreign NGO of the open register, as JSON or CSV",
    description="What the list shows of it; an applicant or an unknown id is not found (404)." + RATE_LIMIT_NOTE,
    responses={**AS_JSON_OR_CSV, **problems(404)},
)
async def public_organization(
    organization_id: UUID,
    request: Request,
    uow: Work,
    if_none_match: IfNoneMatch = None,
    format: Format | None = None,
    delimiter: Delimiter = "comma",
) -> Response:
    item = await register_entry(uow, organization_id, jakarta_today(request.app.state.clock))
    if _wants_csv(request, format):
        return _answer(
            spreadsheets.to_csv([_csv_row(item)], COLUMNS, delimiter=delimiter),
            CSV_TYPE,
            if_none_match,
            "organization.csv",
        )
    body = PublicOrganization.model_validate(item).model_dump_json().encode()
    return _answer(body, "application/json", if_none_match)


@router.get(
    "/public/iati/activities.xml",
    summary="The open IATI 2.03 activity file: signed MSPs of NGOs in the register, with their money",
    description="What `/iati/activities.xml` holds for TPOA, limited to what is public: the signed MSPs of NGOs in "
    "the open register (not applicants), their ministries, regions of work, focus areas, documents an office marked "
    "public, and the budgets and incoming-funds transactions of their accepted reports (source, amount, currency, "
    "date; not what the money was used for). No person is named (no signatory, no contact). `generated-datetime` is "
    "the newest change of what it holds, so that the file (and its ETag) changes only when the facts do (or the day, "
    "which moves activities' status); the ETag is known before the file is built." + RATE_LIMIT_NOTE,
    response_class=Response,
    responses={200: {"content": {XML_TYPE: {}}}},
)
async def public_iati_file(request: Request, uow: Work, if_none_match: IfNoneMatch = None) -> Response:
    settings: ReportingSettings = request.app.state.resources.settings
    clock = request.app.state.clock
    tag, body = await public_iati_activities(
        uow,
        prefix=settings.iati_organisation_prefix,
        today=jakarta_today(clock),
        current=lambda tag: none_match(if_none_match, tag),
    )
    headers = {"ETag": tag, "Cache-Control": CACHE_CONTROL, "Vary": "Accept"}
    if body is None:
        return Response(status_code=304, headers=headers)
    headers["Content-Disposition"] = 'attachment; filename="mitra-iati-activities.xml"'
    return Response(body, media_type=XML_TYPE, headers=headers)
