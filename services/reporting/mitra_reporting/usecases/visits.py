"""Visits of foreign guests in the read model."""

from __future__ import annotations

from typing import Any

from mitra_reporting.domain.access import reach_of
from mitra_reporting.domain.filters import Filters
from mitra_reporting.sql import VISITS
from mitra_shared.context import Context
from mitra_shared.uow import UnitOfWork


async def count_visits(uow: UnitOfWork, ctx: Context, chosen: Filters) -> list[dict[str, Any]]:
    """Announced visits (and those announced late) per region and month of arrival, within the caller's reach; the
    "as of" day does not limit them, as visits count in the month they arrive, past or announced ahead."""
    chosen = chosen.within(reach_of(ctx.principal))
    async with uow.read() as conn:
        return [dict(row) for row in await conn.fetch(*VISITS.visits_by_region_and_month(**chosen.scope()))]
