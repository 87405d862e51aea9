"""The open register: what anyone may read of the foreign NGOs, without a token, from reporting's projections.

Only public facts leave here: name, acronym, country, focus areas, register status, the principle permit's validity,
the MSP partners (ministry names), the regions of work and the overdue flag. Never contacts, staff, passports or
report text (the projections queried hold none of those columns, and each row is built field by field).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from mitra_reporting.sql import PUBLIC
from mitra_shared.errors import NotFound
from mitra_shared.uow import UnitOfWork


@dataclass(frozen=True)
class RegisterQuery:
    status: str | None
    country: str | None
    focus_area: str | None
    province: str | None
    descending: bool
    limit: int
    offset: int


def permit_validity(valid_until: date | None, status: str | None, today: date) -> str:
    """`valid` (until a day), `expired`, `revoked`, or `none` when no principle permit is known."""
    if valid_until is None or status is None:
        return "none"
    if status == "revoked":
        return "revoked"
    if status != "valid" or valid_until < today:
        return "expired"
    return "valid"


def _entry(row: Any, facts: Any, today: date) -> dict[str, Any]:
    validity = permit_validity(facts["permit_valid_until"], facts["permit_status"], today)
    regions = sorted(json.loads(facts["regions"]), key=lambda r: (r["code"], r["name"]))
    return {
        "organization_id": row["organization_id"],
        "name": row["legal_name"],
        "acronym": row["acronym"],
        "country": row["country_of_origin"],
        "focus_areas": list(row["focus_areas"]),
        "status": row["status"],
        "principle_permit": validity,
        "principle_permit_valid_until": facts["permit_valid_until"] if validity != "none" else None,
        "partners": list(facts["partners"]),
        "regions": [{"code": r["code"], "name": r["name"]} for r in regions],
        "overdue": bool(facts["overdue"]),
    }


async def _with_facts(uow: UnitOfWork, rows: list[Any], today: date) -> list[dict[str, Any]]:
    if not rows:
        return []
    ids = [row["organization_id"] for row in rows]
    async with uow.read() as conn:
        facts = {
            f["organization_id"]: f for f in await conn.fetch(*PUBLIC.public_facts(organization_ids=ids, as_of=today))
        }
    return [_entry(row, facts[row["organization_id"]], today) for row in rows]


async def list_register(uow: UnitOfWork, query: RegisterQuery, today: date) -> tuple[list[dict[str, Any]], int]:
    """A page of the register by name, and how many NGOs match in all."""
    async with uow.read() as conn:
        rows = await conn.fetch(
            *PUBLIC.list_public_organizations(
                status=query.status,
                country=query.country.upper() if query.country else None,
                focus_area=query.focus_area,
                province=query.province,
                descending=query.descending,
                limit=query.limit,
                offset=query.offset,
            )
        )
    return await _with_facts(uow, list(rows), today), rows[0]["total"] if rows else 0


async def register_entry(uow: UnitOfWork, organization_id: UUID, today: date) -> dict[str, Any]:
    """One NGO of the register; an applicant or an unknown id is not found (404)."""
    async with uow.read() as conn:
        row = await conn.fetchrow(*PUBLIC.public_organization(organization_id=organization_id))
    if row is None:
        raise NotFound("path.organization_id", f"no organization {organization_id} in the register")
    return (await _with_facts(uow, [row], today))[0]
