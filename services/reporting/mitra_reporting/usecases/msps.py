"""MSPs in the read model: counted by ministry, listed, by region of work, and as IATI activities."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from mitra_reporting.domain import iati
from mitra_reporting.domain.access import reach_of
from mitra_reporting.domain.filters import Filters
from mitra_reporting.sql import MSPS
from mitra_shared.context import Context
from mitra_shared.uow import UnitOfWork

MSP_COUNTS = ("active", "expiring", "ended", "signed_not_started", "in_preparation", "rejected", "total")
State = Literal["active", "ended", "in_preparation"]


async def count_msps(
    uow: UnitOfWork, ctx: Context, chosen: Filters, *, expiring_within_days: int
) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """The counts of every ministry together, and each ministry's (by its code), within the caller's reach."""
    chosen = chosen.within(reach_of(ctx.principal))
    async with uow.read() as conn:
        rows = await conn.fetch(*MSPS.msps_by_ministry(**chosen.named(), within_days=expiring_within_days))
    by_ministry = [dict(row) for row in rows]
    return {key: sum(row[key] for row in by_ministry) for key in MSP_COUNTS}, by_ministry


async def list_msps(
    uow: UnitOfWork,
    ctx: Context,
    chosen: Filters,
    *,
    state: State | None,
    expiring_within_days: int | None,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    """A page of MSPs (those ending first first) within the caller's reach, and how many there are in all."""
    chosen = chosen.within(reach_of(ctx.principal))
    async with uow.read() as conn:
        rows = await conn.fetch(
            *MSPS.msp_list(**chosen.named(), within_days=expiring_within_days, state=state, limit=limit, offset=offset)
        )
    items = [
        {**{k: v for k, v in row.items() if k != "total"}, "region_codes": row["region_codes"] or []} for row in rows
    ]
    return items, rows[0]["total"] if rows else 0


async def cooperation_by_region(uow: UnitOfWork, ctx: Context, chosen: Filters) -> list[dict[str, Any]]:
    """Per province: MSPs in force and their NGOs, each counted once, with the province and its regencies/cities
    (within the caller's reach: a region's office sees the regions touching its area)."""
    chosen = chosen.within(reach_of(ctx.principal))
    async with uow.read() as conn:
        provinces = await conn.fetch(*MSPS.cooperation_by_province(**chosen.named()))
        regions = await conn.fetch(*MSPS.cooperation_by_region(**chosen.named()))
    by_province: dict[str, list[dict[str, Any]]] = {}
    for row in regions:
        by_province.setdefault(row["province_code"], []).append(dict(row))
    return [{**dict(row), "regions": by_province.get(row["province_code"], [])} for row in provinces]


async def iati_activities(
    uow: UnitOfWork, ctx: Context, chosen: Filters, *, prefix: str, generated_at: datetime
) -> bytes:
    """Signed MSPs within the caller's reach as an IATI 2.03 activity file."""
    chosen = chosen.within(reach_of(ctx.principal))
    async with uow.read() as conn:
        rows = await conn.fetch(*MSPS.iati_activities(**chosen.scope()))
    activities = [
        iati.Activity(
            **{
                **dict(row),
                "msp_id": str(row["msp_id"]),
                "organization_id": str(row["organization_id"]),
                "focus_areas": list(row["focus_areas"]),
                "regions": [iati.Region(**region) for region in row["regions"]],
                "documents": [
                    iati.DocumentLink(**{**link, "published_on": date.fromisoformat(link["published_on"])})
                    for link in row["documents"]
                ],
            }
        )
        for row in rows
    ]
    return iati.document(activities, prefix=prefix, generated_at=generated_at, today=chosen.as_of)
