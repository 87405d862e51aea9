"""Funding in the read model: the counted lines of accepted reports summed per group and currency, per MSP, and
one by one for the IATI export (`domain/funding.py` says what is counted)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any
from uuid import UUID

from asyncpg import Connection

from mitra_reporting.domain import funding
from mitra_reporting.domain.access import reach_of
from mitra_reporting.domain.filters import Filters
from mitra_reporting.sql import FUNDING
from mitra_shared.context import Context
from mitra_shared.uow import UnitOfWork


async def grouped(
    conn: Connection, chosen: Filters, by: funding.Grouping
) -> tuple[list[funding.FundingRow], list[funding.FundingTotal]]:
    """Sums per group and currency, and per currency, of the lines `chosen` counts (already within a reach)."""
    rows = await conn.fetch(*FUNDING.funding_by(**chosen.named(), grouping=by))
    return funding.arrange(by, rows)


async def funding_by(
    uow: UnitOfWork, ctx: Context, chosen: Filters, by: funding.Grouping
) -> tuple[list[funding.FundingRow], list[funding.FundingTotal]]:
    """The funding dashboard within the caller's reach: rows by amount, largest first, and totals per currency."""
    chosen = chosen.within(reach_of(ctx.principal))
    async with uow.read() as conn:
        return await grouped(conn, chosen, by)


async def per_msp(conn: Connection, msp_ids: list[UUID], chosen: Filters) -> dict[UUID, dict[str, Decimal]]:
    """Each MSP's counted funding per currency (its whole lines: an MSP's own money is not split)."""
    if not msp_ids:
        return {}
    rows = await conn.fetch(
        *FUNDING.funding_of_msps(
            msp_ids=msp_ids, as_of=chosen.as_of, period_from=chosen.period_from, period_to=chosen.period_to
        )
    )
    found: dict[UUID, dict[str, Decimal]] = defaultdict(dict)
    for row in rows:
        found[row["msp_id"]][row["currency"]] = row["amount"]
    return found


async def transactions(conn: Connection, msp_ids: list[UUID], chosen: Filters) -> dict[UUID, list[dict[str, Any]]]:
    """Each MSP's counted lines, one by one, with their report's period and day of acceptance."""
    if not msp_ids:
        return {}
    found: dict[UUID, list[dict[str, Any]]] = defaultdict(list)
    for row in await conn.fetch(*FUNDING.funding_transactions(msp_ids=msp_ids, as_of=chosen.as_of)):
        found[row["msp_id"]].append(dict(row))
    return found
