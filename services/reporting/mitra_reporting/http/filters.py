"""The filters every dashboard takes from the query string, and the page of a list."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query

from mitra_reporting.domain.filters import Filters
from mitra_shared.clock import jakarta_date
from mitra_shared.http import RequestContext
from mitra_shared.paging import MAX_OFFSET

# An offset beyond what PostgreSQL counts in (bigint) is refused as invalid rather than failing in the database.


async def chosen_filters(
    ctx: RequestContext,
    ministry: Annotated[str | None, Query(description="Code of the Mitra Utama ministry, e.g. KEMENSOS")] = None,
    region: Annotated[
        str | None, Query(pattern=r"^\d{2}(\d{2})?$", description="Province (`33`) or regency/city (`3374`) code")
    ] = None,
    focus_area: Annotated[
        str | None,
        Query(
            max_length=100,
            description="A focus area, e.g. `education`: an MSP's own focus areas on MSP-based figures, the NGO's on "
            "NGO-based ones (summary and list of NGOs)",
        ),
    ] = None,
    period_from: Annotated[date | None, Query(alias="from", description="Start of the period")] = None,
    period_to: Annotated[date | None, Query(alias="to", description="End of the period")] = None,
    as_of: Annotated[date | None, Query(description="Compute the figures as of this day (default today)")] = None,
) -> Filters:
    return Filters.chosen(
        ministry=ministry,
        region=region,
        focus_area=focus_area,
        period_from=period_from,
        period_to=period_to,
        as_of=as_of,
        today=jakarta_date(ctx.now),
    )


Chosen = Annotated[Filters, Depends(chosen_filters)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
