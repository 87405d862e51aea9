"""Obligations in the read model: compliance per NGO and per ministry, what is overdue, the risk score."""

from __future__ import annotations

from typing import Any

from mitra_reporting.domain import compliance, risk
from mitra_reporting.domain.access import reach_of
from mitra_reporting.domain.filters import Filters
from mitra_reporting.sql import OBLIGATIONS
from mitra_shared.context import Context
from mitra_shared.uow import UnitOfWork


async def count_compliance(
    uow: UnitOfWork, ctx: Context, chosen: Filters
) -> tuple[list[compliance.Compliance], list[compliance.Compliance]]:
    """Obligations due by the day, on time, late, overdue and upcoming: per NGO, and per ministry; within the
    caller's reach."""
    chosen = chosen.within(reach_of(ctx.principal))
    async with uow.read() as conn:
        rows = await conn.fetch(*OBLIGATIONS.compliance(**chosen.named()))
    return compliance.per_organization(rows), compliance.per_ministry(rows)


async def list_overdue(uow: UnitOfWork, ctx: Context, chosen: Filters) -> list[dict[str, Any]]:
    """The obligations within the caller's reach not submitted by the day although due, oldest first."""
    chosen = chosen.within(reach_of(ctx.principal))
    async with uow.read() as conn:
        return [dict(row) for row in await conn.fetch(*OBLIGATIONS.overdue_now(**chosen.named()))]


async def rank_risks(uow: UnitOfWork, ctx: Context, chosen: Filters, *, per: risk.Per) -> list[risk.Assessed]:
    """The compliance-risk score of each MSP in force (or NGO) within the caller's reach, highest first."""
    chosen = chosen.within(reach_of(ctx.principal))
    async with uow.read() as conn:
        rows = await conn.fetch(*OBLIGATIONS.risk_facts(**chosen.named()))
    return risk.rank(rows, chosen.as_of, per=per)
