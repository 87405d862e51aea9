"""A ministry's annual summary as a file: its year's figures from the read model, drawn as XLSX or PDF."""

from __future__ import annotations

import asyncio
from typing import Literal

from mitra_reporting.domain import annual_files, annual_summary
from mitra_reporting.domain.access import check_annual_summary, reach_of
from mitra_reporting.domain.filters import Filters
from mitra_reporting.sql import MSPS, OBLIGATIONS, VISITS
from mitra_shared.context import Context
from mitra_shared.uow import UnitOfWork

ALL_MSPS = 10_000  # the MSP sheet lists every MSP of the year
EXPIRING_WITHIN_DAYS = 90  # not shown: the counts of MSPs by ministry need a horizon


async def make_annual_summary(
    uow: UnitOfWork, ctx: Context, chosen: Filters, year: int, *, file_format: Literal["xlsx", "pdf"]
) -> bytes:
    """The file of `chosen.ministry`'s year, counted within the caller's reach (a ministry asks only for its own);
    refused (not found) if no MSP of the ministry within that reach runs in it."""
    check_annual_summary(ctx.principal, chosen.ministry or "")
    chosen = chosen.within(reach_of(ctx.principal))
    async with uow.read() as conn:
        by_ministry = await conn.fetch(*MSPS.msps_by_ministry(**chosen.named(), within_days=EXPIRING_WITHIN_DAYS))
        msps = await conn.fetch(
            *MSPS.msp_list(**chosen.named(), within_days=None, state=None, limit=ALL_MSPS, offset=0)
        )
        compliance_rows = await conn.fetch(*OBLIGATIONS.compliance(**chosen.named()))
        provinces = await conn.fetch(*MSPS.cooperation_by_province(**chosen.named()))
        visits = await conn.fetchrow(*VISITS.visit_totals(**chosen.scope()))
    figures = annual_summary.compose(
        chosen,
        year,
        by_ministry=by_ministry,
        msps=msps,
        compliance_rows=compliance_rows,
        provinces=provinces,
        visits=visits,
    )
    render = annual_files.to_pdf if file_format == "pdf" else annual_files.to_xlsx
    return await asyncio.to_thread(render, figures)  # drawing charts is CPU work: keep the event loop free
