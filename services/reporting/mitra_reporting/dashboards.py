"""Dashboards over HTTP: MSPs by ministry, cooperation by region, visits by month, compliance, risk.

Every answer can be filtered by ministry (its code), region (a province's code also covers its regencies) and
period, and is computed "as of" a day (today in Asia/Jakarta unless given), so that figures can be reproduced.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from mitra_reporting import annual, exports, iati, risk
from mitra_reporting.settings import ReportingSettings
from mitra_shared.db import Queries
from mitra_shared.http import DatabasePool, DomainError, NotFound, Problem, require_principal

QUERIES = Queries.from_package("mitra_reporting", "dashboards.sql")
JAKARTA = ZoneInfo("Asia/Jakarta")
router = APIRouter(dependencies=[Depends(require_principal)], responses={422: {"model": Problem}})
FileFormat = Literal["json", "csv", "xlsx"]


@dataclass(frozen=True)
class Filters:
    ministry: str | None
    region: str | None
    period_from: date | None
    period_to: date | None
    as_of: date

    def params(self) -> tuple[Any, ...]:
        return (self.ministry, self.region, self.period_from, self.period_to, self.as_of)


def filters(
    ministry: Annotated[str | None, Query(description="Code of the Mitra Utama ministry, e.g. KEMENSOS")] = None,
    region: Annotated[
        str | None, Query(pattern=r"^\d{2}(\d{2})?$", description="Province (`33`) or regency/city (`3374`) code")
    ] = None,
    period_from: Annotated[date | None, Query(alias="from", description="Start of the period")] = None,
    period_to: Annotated[date | None, Query(alias="to", description="End of the period")] = None,
    as_of: Annotated[date | None, Query(description="Compute the figures as of this day (default today)")] = None,
) -> Filters:
    if period_from and period_to and period_from > period_to:
        raise DomainError("the period ends before it starts", field="query.to")
    return Filters(ministry, region, period_from, period_to, as_of or datetime.now(JAKARTA).date())


Chosen = Annotated[Filters, Depends(filters)]


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
    pool: DatabasePool, chosen: Chosen, expiring_within_days: Annotated[int, Query(ge=1, le=3650)] = 90
) -> MspDashboard:
    rows = [dict(row) for row in await pool.fetch(QUERIES.msps_by_ministry, *chosen.params(), expiring_within_days)]
    counts = ("active", "expiring", "ended", "signed_not_started", "in_preparation", "rejected", "total")
    totals = {key: sum(row[key] for row in rows) for key in counts}
    return MspDashboard(
        as_of=chosen.as_of,
        expiring_within_days=expiring_within_days,
        totals=MinistryMsps(ministry_code="*", ministry_name="all ministries", **totals),
        by_ministry=[MinistryMsps.model_validate(row) for row in rows],
    )


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


class MspList(BaseModel):
    items: list[MspRow]
    total: int
    limit: int
    offset: int


MSP_COLUMNS = [
    exports.Column("number", "Nomor MSP / MSP number"),
    exports.Column("title", "Judul / Title"),
    exports.Column("organization_name", "Ormas Asing / NGO"),
    exports.Column("ministry_name", "Mitra Utama"),
    exports.Column("status", "Status"),
    exports.Column("starts_on", "Mulai / Starts"),
    exports.Column("ends_on", "Berakhir / Ends"),
    exports.Column("region_codes", "Wilayah / Regions"),
    exports.Column("focus_areas", "Bidang / Focus areas"),
    exports.Column("msp_id", "Id"),
]


@router.get(
    "/msps",
    response_model=MspList,
    tags=["lists"],
    summary="MSPs: active, expiring within N days, ended; as JSON, CSV or XLSX",
    responses={200: {"content": {exports.CSV_TYPE: {}, exports.XLSX_TYPE: {}}}},
)
async def msp_list(
    pool: DatabasePool,
    chosen: Chosen,
    state: Literal["active", "ended", "in_preparation"] | None = None,
    expiring_within_days: Annotated[int | None, Query(ge=1, le=3650)] = None,
    format: FileFormat = "json",
    limit: Annotated[int, Query(ge=1, le=100_000)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> MspList | Response:
    rows = await pool.fetch(QUERIES.msp_list, *chosen.params(), expiring_within_days, state, limit, offset)
    items = [
        {**{k: v for k, v in row.items() if k != "total"}, "region_codes": row["region_codes"] or []} for row in rows
    ]
    if format != "json":
        return exports.file_response(items, MSP_COLUMNS, kind=format, name="msps")
    return MspList(
        items=[MspRow.model_validate(item) for item in items],
        total=rows[0]["total"] if rows else 0,
        limit=limit,
        offset=offset,
    )


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
async def cooperation_by_region(pool: DatabasePool, chosen: Chosen) -> list[ProvinceCooperation]:
    async with pool.acquire() as conn:
        provinces = await conn.fetch(QUERIES.cooperation_by_province, *chosen.params())
        regions = await conn.fetch(QUERIES.cooperation_by_region, *chosen.params())
    by_province: dict[str, list[RegionCooperation]] = {}
    for row in regions:
        by_province.setdefault(row["province_code"], []).append(RegionCooperation.model_validate(dict(row)))
    return [
        ProvinceCooperation(
            province_code=row["province_code"],
            active_msps=row["active_msps"],
            organizations=row["organizations"],
            regions=by_province.get(row["province_code"], []),
        )
        for row in provinces
    ]


class VisitCount(BaseModel):
    region_code: str
    month: str = Field(examples=["2027-03"])
    visits: int
    announced_late: int


@router.get(
    "/dashboard/visits", response_model=list[VisitCount], tags=["dashboards"], summary="Visits by region and month"
)
async def visits_by_region_and_month(pool: DatabasePool, chosen: Chosen) -> list[VisitCount]:
    # Visits count in the month they arrive, past or announced ahead: `as_of` does not limit them.
    rows = await pool.fetch(QUERIES.visits_by_region_and_month, *chosen.params()[:4])
    return [VisitCount.model_validate(dict(row)) for row in rows]


class Compliance(BaseModel):
    key: str = Field(description="The NGO's id or the ministry's code.")
    name: str
    due: int = Field(description="Obligations whose due date passed by `as_of`.")
    on_time: int
    late: int = Field(description="Submitted after the due date.")
    overdue: int = Field(description="Not submitted by `as_of`.")
    upcoming: int = Field(description="Not yet due.")
    on_time_rate: float | None = Field(description="on_time / due; none when nothing was due.")


class ComplianceReport(BaseModel):
    as_of: date
    by_organization: list[Compliance]
    by_ministry: list[Compliance]


def _compliance(key: str, name: str, row: asyncpg.Record) -> Compliance:
    return Compliance(
        key=key,
        name=name,
        due=row["due"],
        on_time=row["on_time"],
        late=row["late"],
        overdue=row["overdue"],
        upcoming=row["upcoming"],
        on_time_rate=round(row["on_time"] / row["due"], 4) if row["due"] else None,
    )


@router.get(
    "/compliance",
    response_model=ComplianceReport,
    tags=["compliance"],
    summary="Obligations due, submitted on time, late and overdue, per NGO and per ministry",
)
async def compliance(pool: DatabasePool, chosen: Chosen) -> ComplianceReport:
    rows = await pool.fetch(QUERIES.compliance, *chosen.params())
    return ComplianceReport(
        as_of=chosen.as_of,
        by_organization=[
            _compliance(str(r["organization_id"]), r["organization_name"], r) for r in rows if r["organization_id"]
        ],
        by_ministry=[_compliance(r["ministry_code"], r["ministry_name"], r) for r in rows if r["ministry_code"]],
    )


class OverdueObligation(BaseModel):
    obligation_id: UUID
    kind: str
    period: str
    region_code: str | None
    due_on: date
    days_overdue: int
    msp_id: UUID
    msp_number: str | None
    organization_id: UUID
    organization_name: str
    ministry_code: str
    ministry_name: str


OVERDUE_COLUMNS = [
    exports.Column("organization_name", "Ormas Asing / NGO"),
    exports.Column("msp_number", "MSP"),
    exports.Column("kind", "Kewajiban / Obligation"),
    exports.Column("period", "Periode / Period"),
    exports.Column("region_code", "Wilayah / Region"),
    exports.Column("due_on", "Jatuh tempo / Due"),
    exports.Column("days_overdue", "Hari terlambat / Days overdue"),
    exports.Column("ministry_name", "Mitra Utama"),
]


@router.get(
    "/compliance/overdue",
    response_model=list[OverdueObligation],
    tags=["compliance"],
    summary="What is overdue now; as JSON, CSV or XLSX",
    responses={200: {"content": {exports.CSV_TYPE: {}, exports.XLSX_TYPE: {}}}},
)
async def overdue_now(
    pool: DatabasePool, chosen: Chosen, format: FileFormat = "json"
) -> list[OverdueObligation] | Response:
    rows = [dict(row) for row in await pool.fetch(QUERIES.overdue_now, *chosen.params())]
    if format != "json":
        return exports.file_response(rows, OVERDUE_COLUMNS, kind=format, name="overdue")
    return [OverdueObligation.model_validate(row) for row in rows]


class RiskReason(BaseModel):
    code: str
    points: int
    detail: str


class RiskEntry(BaseModel):
    key: str = Field(description="The MSP's or the NGO's id.")
    name: str
    organization_id: UUID
    ministry_codes: list[str]
    score: int = Field(ge=0, le=100)
    level: risk.Level
    reasons: list[RiskReason]


@router.get(
    "/risk",
    response_model=list[RiskEntry],
    tags=["compliance"],
    summary="Compliance-risk score per MSP or per NGO, highest first, with the reasons",
    description=(risk.__doc__ or "").strip(),
)
async def risk_scores(
    pool: DatabasePool, chosen: Chosen, per: Literal["msp", "organization"] = "msp"
) -> list[RiskEntry]:
    rows = await pool.fetch(QUERIES.risk_facts, *chosen.params())
    entries: list[RiskEntry] = []
    if per == "msp":
        for row in rows:
            assessed = risk.assess(_facts([row]), chosen.as_of)
            entries.append(
                _entry(
                    str(row["msp_id"]),
                    f"{row['number'] or row['title']} ({row['organization_name']})",
                    row["organization_id"],
                    [row["ministry_code"]],
                    assessed,
                )
            )
    else:
        grouped: dict[UUID, list[asyncpg.Record]] = {}
        for row in rows:
            grouped.setdefault(row["organization_id"], []).append(row)
        for organization_id, msps in grouped.items():
            assessed = risk.assess(_facts(msps), chosen.as_of)
            entries.append(
                _entry(
                    str(organization_id),
                    msps[0]["organization_name"],
                    organization_id,
                    sorted({m["ministry_code"] for m in msps}),
                    assessed,
                )
            )
    return sorted(entries, key=lambda entry: (-entry.score, entry.name))


def _facts(msps: list[asyncpg.Record]) -> risk.RiskFacts:
    return risk.RiskFacts(
        overdue_obligations=sum(m["overdue_obligations"] for m in msps),
        late_submissions=sum(m["late_submissions"] for m in msps),
        principle_permit_valid_until=msps[0]["principle_permit_valid_until"],
        active_foreign_staff=msps[0]["active_foreign_staff"],
        late_visits=sum(m["late_visits"] for m in msps),
        msp_ends_on=min(m["ends_on"] for m in msps),
    )


def _entry(key: str, name: str, organization_id: UUID, ministries: list[str], assessed: risk.Risk) -> RiskEntry:
    return RiskEntry(
        key=key,
        name=name,
        organization_id=organization_id,
        ministry_codes=ministries,
        score=assessed.score,
        level=assessed.level,
        reasons=[RiskReason(code=r.code, points=r.points, detail=r.detail) for r in assessed.reasons],
    )


@router.get(
    "/iati/activities.xml",
    tags=["open data"],
    summary="Signed MSPs as an IATI 2.03 activity file",
    description=(iati.__doc__ or "").strip(),
    response_class=Response,
    responses={200: {"content": {"application/xml": {}}}},
)
async def iati_activities(pool: DatabasePool, chosen: Chosen, request: Request) -> Response:
    settings: ReportingSettings = request.app.state.resources.settings
    rows = await pool.fetch(QUERIES.iati_activities, *chosen.params()[:4])
    activities = [
        iati.Activity(
            msp_id=str(row["msp_id"]),
            number=row["number"],
            title=row["title"],
            organization_id=str(row["organization_id"]),
            organization_name=row["organization_name"],
            ministry_code=row["ministry_code"],
            ministry_name=row["ministry_name"],
            status=row["status"],
            starts_on=row["starts_on"],
            ends_on=row["ends_on"],
            closed_on=row["closed_on"],
            focus_areas=list(row["focus_areas"]),
            regions=[iati.Region(**region) for region in row["regions"]],
            signed_document_ref=row["signed_document_ref"],
            updated_at=row["updated_at"],
        )
        for row in rows
    ]
    body = iati.document(
        activities, prefix=settings.iati_organisation_prefix, generated_at=datetime.now(UTC), today=chosen.as_of
    )
    return Response(
        body,
        media_type="application/xml",
        headers={"Content-Disposition": 'attachment; filename="mitra-iati-activities.xml"'},
    )


@router.get(
    "/annual-summary",
    tags=["dashboards"],
    summary="A ministry's year: key figures, MSPs, compliance per NGO, MSPs by province, with charts (XLSX or PDF)",
    response_class=Response,
    responses={200: {"content": {exports.XLSX_TYPE: {}, "application/pdf": {}}}},
)
async def annual_summary(
    pool: DatabasePool,
    year: Annotated[int, Query(ge=2000, le=2100)],
    ministry: Annotated[str, Query(min_length=2, description="Code of the ministry, e.g. KEMENSOS")],
    format: Literal["xlsx", "pdf"] = "xlsx",
    as_of: Annotated[
        date | None, Query(description="Figures as of this day (default: the year's end, or today)")
    ] = None,
) -> Response:
    year_end = date(year, 12, 31)
    chosen = Filters(ministry, None, date(year, 1, 1), year_end, as_of or min(year_end, datetime.now(JAKARTA).date()))
    async with pool.acquire() as conn:
        by_ministry = await conn.fetch(QUERIES.msps_by_ministry, *chosen.params(), 90)
        msps = await conn.fetch(QUERIES.msp_list, *chosen.params(), None, None, 10_000, 0)
        compliance_rows = await conn.fetch(QUERIES.compliance, *chosen.params())
        provinces = await conn.fetch(QUERIES.cooperation_by_province, *chosen.params())
        visits = await conn.fetchrow(QUERIES.visit_totals, *chosen.params()[:4])
    if not by_ministry and not msps:
        raise NotFound(f"no MSP of {ministry} runs in {year}")
    counts = by_ministry[0] if by_ministry else None
    per_ngo = [row for row in compliance_rows if row["organization_id"]]
    due = sum(row["due"] for row in per_ngo)
    on_time = sum(row["on_time"] for row in per_ngo)
    figures = annual.AnnualFigures(
        year=year,
        ministry_code=ministry,
        ministry_name=counts["ministry_name"] if counts else ministry,
        as_of=chosen.as_of,
        key_figures=[
            ("MSP berlaku / MSPs in force", counts["active"] if counts else 0),
            ("MSP berakhir / MSPs ended", counts["ended"] if counts else 0),
            ("MSP dalam persiapan / MSPs in preparation", counts["in_preparation"] if counts else 0),
            ("Ormas Asing / NGOs", len({row["organization_id"] for row in msps})),
            ("Kewajiban jatuh tempo / Obligations due", due),
            ("Tepat waktu / On time", on_time),
            ("Terlambat / Late", sum(row["late"] for row in per_ngo)),
            ("Lewat tenggat / Overdue", sum(row["overdue"] for row in per_ngo)),
            ("Tingkat ketepatan / On-time rate", f"{on_time / due:.0%}" if due else "-"),
            ("Kunjungan tamu asing / Foreign visits", visits["visits"]),
            ("Kunjungan diberitahukan terlambat / Announced late", visits["announced_late"]),
        ],
        msps=[
            annual.MspLine(
                row["number"] or "-",
                row["organization_name"],
                row["starts_on"],
                row["ends_on"],
                row["status"],
                ", ".join(row["region_codes"] or []),
            )
            for row in msps
        ],
        compliance=[
            annual.ComplianceLine(row["organization_name"], row["due"], row["on_time"], row["late"], row["overdue"])
            for row in per_ngo
        ],
        provinces=[annual.ProvinceLine(r["province_code"], r["active_msps"], r["organizations"]) for r in provinces],
    )
    render = annual.to_pdf if format == "pdf" else annual.to_xlsx
    body = await asyncio.to_thread(render, figures)  # drawing charts is CPU work: keep the event loop free
    media = "application/pdf" if format == "pdf" else exports.XLSX_TYPE
    name = f"mitra-annual-{ministry}-{year}.{format}"
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})
