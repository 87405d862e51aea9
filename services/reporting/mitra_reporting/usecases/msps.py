"""MSPs in the read model: counted by ministry, listed, by region of work, and as IATI activities."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Literal

from asyncpg import Connection

from mitra_reporting.domain import funding, iati
from mitra_reporting.domain.access import reach_of
from mitra_reporting.domain.filters import Filters
from mitra_reporting.domain.public import weak_etag
from mitra_reporting.sql import MSPS
from mitra_reporting.usecases import funding as funding_usecases
from mitra_shared.clock import JAKARTA
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
        money = await funding_usecases.per_msp(conn, [row["msp_id"] for row in rows], chosen)
    items = [
        {
            **{k: v for k, v in row.items() if k != "total"},
            "region_codes": row["region_codes"] or [],
            **funding_columns(money.get(row["msp_id"], {})),
        }
        for row in rows
    ]
    return items, rows[0]["total"] if rows else 0


def funding_columns(amounts: dict[str, Decimal]) -> dict[str, Any]:
    """An MSP's counted funding: per currency (`funding`), and for files the rupiah apart (`funding_idr`) and any
    other currency in one cell (`funding_other`, e.g. `USD 20,000.00`), so that the IDR column sums in a sheet."""
    return {
        "funding": [{"currency": currency, "amount": amount} for currency, amount in sorted(amounts.items())],
        "funding_idr": amounts.get("IDR", Decimal(0)),
        "funding_other": funding.per_currency_text(amounts, leave_out="IDR"),
    }


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
    """Signed MSPs within the caller's reach as an IATI 2.03 activity file, with the money of their accepted
    reports."""
    async with uow.read() as conn:
        return await _iati_file(conn, chosen.within(reach_of(ctx.principal)), prefix, generated_at, public=False)


async def public_iati_activities(
    uow: UnitOfWork, *, prefix: str, today: date, current: Callable[[str], bool]
) -> tuple[str, bytes | None]:
    """The open IATI file (no token): the signed MSPs of NGOs in the open register as of `today`, without what
    each funding line was used for nor who gave it, dated at its newest change (the start of `today` if none) so that
    the same facts give the same bytes; with its ETag, from a fingerprint of what it holds and `today`, and no file
    when `current(etag)` says the caller has it already (nothing built)."""
    chosen = Filters(None, None, None, None, today)
    async with uow.read() as conn:
        fingerprint = await conn.fetchval(MSPS.public_iati_fingerprint)
        tag = weak_etag(f"{prefix}|{today.isoformat()}|{fingerprint}".encode())
        if current(tag):
            return tag, None
        start_of_today = datetime.combine(today, time(), JAKARTA)
        return tag, await _iati_file(conn, chosen, prefix, start_of_today, public=True)


async def _iati_file(conn: Connection, chosen: Filters, prefix: str, generated_at: datetime, *, public: bool) -> bytes:
    rows = await conn.fetch(*MSPS.iati_activities(**chosen.scope(), registered_only=public))
    money = await funding_usecases.transactions(conn, [row["msp_id"] for row in rows], chosen)
    activities = [_activity(row, money.get(row["msp_id"], [])) for row in rows]
    if public:
        generated_at = max((activity.updated_at for activity in activities), default=generated_at)
    return iati.document(activities, prefix=prefix, generated_at=generated_at, today=chosen.as_of, public=public)


def _activity(row: Any, lines: list[dict[str, Any]]) -> iati.Activity:
    """An MSP's activity; its last update is the MSP's own or the newest acceptance of a report it counts."""
    return iati.Activity(
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
            "updated_at": max([row["updated_at"], *(line["decided_at"] for line in lines)]),
            "funding": [
                iati.Funding(
                    source=line["source"],
                    amount=line["amount"],
                    currency=line["currency"],
                    use=line["use"],
                    year=line["year"],
                    period_end=line["period_end"],
                    accepted_on=line["accepted_on"],
                )
                for line in lines
            ],
        }
    )
