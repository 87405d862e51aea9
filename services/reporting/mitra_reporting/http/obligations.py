"""Compliance over HTTP: obligations on time, late and overdue per NGO and ministry; what is overdue; the risk score."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from mitra_reporting.domain import risk
from mitra_reporting.domain.access import READ_NOTE, READERS
from mitra_reporting.http.files import LIST_AS_FILE, Column, Delimiter, FileFormat, list_as_file
from mitra_reporting.http.filters import Chosen
from mitra_reporting.usecases.obligations import count_compliance, list_overdue, rank_risks
from mitra_shared.http import RequestContext, Work, problems, require_principal
from mitra_shared.policy import allow

router = APIRouter(dependencies=[Depends(require_principal), allow(*READERS, note=READ_NOTE)], responses=problems(422))


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


@router.get(
    "/compliance",
    response_model=ComplianceReport,
    tags=["compliance"],
    summary="Obligations due, submitted on time, late and overdue, per NGO and per ministry",
)
async def compliance(uow: Work, ctx: RequestContext, chosen: Chosen) -> ComplianceReport:
    by_organization, by_ministry = await count_compliance(uow, ctx, chosen)
    return ComplianceReport(
        as_of=chosen.as_of,
        by_organization=[Compliance.model_validate(line, from_attributes=True) for line in by_organization],
        by_ministry=[Compliance.model_validate(line, from_attributes=True) for line in by_ministry],
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
    Column("organization_name", "Ormas Asing / NGO"),
    Column("msp_number", "MSP"),
    Column("kind", "Kewajiban / Obligation"),
    Column("period", "Periode / Period"),
    Column("region_code", "Wilayah / Region"),
    Column("due_on", "Jatuh tempo / Due"),
    Column("days_overdue", "Hari terlambat / Days overdue"),
    Column("ministry_name", "Mitra Utama"),
]


@router.get(
    "/compliance/overdue",
    response_model=list[OverdueObligation],
    tags=["compliance"],
    summary="What is overdue now; as JSON, CSV or XLSX",
    responses=LIST_AS_FILE,
)
async def overdue_now(
    uow: Work, ctx: RequestContext, chosen: Chosen, format: FileFormat = "json", delimiter: Delimiter = "comma"
) -> list[OverdueObligation] | Response:
    rows = await list_overdue(uow, ctx, chosen)
    if format != "json":
        return list_as_file(rows, OVERDUE_COLUMNS, kind=format, name="overdue", delimiter=delimiter)
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
    uow: Work, ctx: RequestContext, chosen: Chosen, per: Literal["msp", "organization"] = "msp"
) -> list[RiskEntry]:
    return [
        RiskEntry(
            key=entry.key,
            name=entry.name,
            organization_id=entry.organization_id,
            ministry_codes=entry.ministry_codes,
            score=entry.risk.score,
            level=entry.risk.level,
            reasons=[RiskReason(code=r.code, points=r.points, detail=r.detail) for r in entry.risk.reasons],
        )
        for entry in await rank_risks(uow, ctx, chosen, per=per)
    ]
