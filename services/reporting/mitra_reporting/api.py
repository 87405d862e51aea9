"""Reporting's answers over HTTP."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from mitra_reporting.projections import QUERIES
from mitra_shared.http import DatabasePool, require_principal

router = APIRouter(dependencies=[Depends(require_principal)], tags=["summary"])


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


@router.get("/summary", response_model=Summary, summary="Counts across the whole cooperation")
async def summary(pool: DatabasePool) -> Summary:
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        total = await conn.fetchval(QUERIES.organization_totals)
        by_status = await conn.fetch(QUERIES.organizations_by_status)
        by_country = await conn.fetch(QUERIES.organizations_by_country)
        by_focus = await conn.fetch(QUERIES.organizations_by_focus_area)
    return Summary(
        organizations=OrganizationSummary(
            total=total,
            by_status=[Count(key=r["key"], count=r["count"]) for r in by_status],
            by_country=[Count(key=r["key"], count=r["count"]) for r in by_country],
            by_focus_area=[Count(key=r["key"], count=r["count"]) for r in by_focus],
        )
    )
