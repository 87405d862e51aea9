"""Visits of foreign guests in the read model."""

from __future__ import annotations

from typing import Any

from mitra_reporting.domain.filters import Filters
from mitra_reporting.sql import VISITS
from mitra_shared.uow import UnitOfWork


async def count_visits(uow: UnitOfWork, chosen: Filters) -> list[dict[str, Any]]:
    """Announced visits (and those announced late) per region and month of arrival; the "as of" day does not limit
    them, as visits count in the month they arrive, past or announced ahead."""
    async with uow.read() as conn:
        return [dict(row) for row in await conn.fetch(*VISITS.visits_by_region_and_month(**chosen.scope()))]
