"""Foreign NGOs in the read model: counted by status, country and focus area, and listed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mitra_reporting.domain.access import reach_of
from mitra_reporting.domain.filters import Filters
from mitra_reporting.sql import ORGANIZATIONS
from mitra_shared.context import Context
from mitra_shared.uow import UnitOfWork

Counts = list[tuple[str, int]]


@dataclass(frozen=True)
class OrganizationCounts:
    total: int
    by_status: Counts
    by_country: Counts
    by_focus_area: Counts


async def count_organizations(uow: UnitOfWork, ctx: Context, chosen: Filters) -> OrganizationCounts:
    """NGOs in all, by status (by name), by country and by focus area (most first); through their MSPs when a
    ministry, region or period is chosen; within the caller's reach."""
    chosen = chosen.within(reach_of(ctx.principal))
    async with uow.read() as conn:
        rows = await conn.fetch(*ORGANIZATIONS.organization_summary(**chosen.scope()))
    counts: dict[str, Counts] = {"total": [], "status": [], "country": [], "focus_area": []}
    for row in rows:
        counts[row["dimension"]].append((row["key"], row["count"]))
    return OrganizationCounts(
        total=counts["total"][0][1],
        by_status=sorted(counts["status"]),
        by_country=sorted(counts["country"], key=lambda c: (-c[1], c[0])),
        by_focus_area=sorted(counts["focus_area"], key=lambda c: (-c[1], c[0])),
    )


async def list_organizations(
    uow: UnitOfWork,
    ctx: Context,
    chosen: Filters,
    *,
    status: str | None,
    country: str | None,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    """A page of NGOs (by name) within the caller's reach, and how many there are in all."""
    chosen = chosen.within(reach_of(ctx.principal))
    async with uow.read() as conn:
        rows = await conn.fetch(
            *ORGANIZATIONS.list_organizations(
                **chosen.named(),
                status=status,
                country=country.upper() if country else None,
                limit=limit,
                offset=offset,
            )
        )
    return [{k: v for k, v in row.items() if k != "total"} for row in rows], rows[0]["total"] if rows else 0
