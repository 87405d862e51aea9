"""Agreements' copy of registry's facts: what the other use cases read of it (inside their transaction), and the
known NGOs as the API lists them. The copy is written by `consumers.registry_facts` from registry's events."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

import asyncpg

from mitra_agreements.domain import access
from mitra_agreements.domain.registry_facts import KnownOrganization, KnownPartner, KnownPermit
from mitra_agreements.sql import MSPS, REGISTRY_FACTS
from mitra_agreements.usecases import views
from mitra_agreements.usecases.access import parties, scope_parameters
from mitra_shared.context import Context
from mitra_shared.errors import NotFound
from mitra_shared.uow import UnitOfWork

# --- for the use cases, inside their transaction ------------------------------------------------------------


async def organization(conn: asyncpg.Connection, organization_id: UUID) -> KnownOrganization | None:
    row = await conn.fetchrow(*REGISTRY_FACTS.get_known_organization(organization_id=organization_id))
    if row is None:
        return None
    return KnownOrganization(row["organization_id"], row["legal_name"], row["status"])


async def principle_permits(conn: asyncpg.Connection, organization_id: UUID) -> list[KnownPermit]:
    rows = await conn.fetch(*REGISTRY_FACTS.principle_permits_of(organization_id=organization_id))
    return [
        KnownPermit(r["permit_id"], r["organization_id"], r["number"], r["issued_on"], r["valid_until"], r["expired"])
        for r in rows
    ]


def _partner(row: Mapping[str, Any]) -> KnownPartner:
    return KnownPartner(
        row["partner_id"], row["partner_kind"], row["name"], row["code"], row["parent_code"], row["active"]
    )


async def known_partner(conn: asyncpg.Connection, partner_id: UUID) -> KnownPartner | None:
    row = await conn.fetchrow(*REGISTRY_FACTS.get_known_partner(partner_id=partner_id))
    return None if row is None else _partner(row)


async def regions(conn: asyncpg.Connection, codes: list[str]) -> dict[str, KnownPartner]:
    return {row["code"]: _partner(row) for row in await conn.fetch(*REGISTRY_FACTS.regions_by_code(codes=codes))}


# --- for the API ------------------------------------------------------------------------------------------


async def list_known_organizations(
    uow: UnitOfWork, ctx: Context, *, limit: int, offset: int
) -> tuple[list[views.KnownOrganization], int]:
    """A page of the NGOs agreements knows that the caller's scope covers, by name, and how many there are."""
    scope = scope_parameters(ctx)
    async with uow.read() as conn:
        rows = await conn.fetch(*REGISTRY_FACTS.list_known_organizations(limit=limit, offset=offset, **scope))
    return [views.view(views.KnownOrganization, row) for row in rows], (rows[0]["total"] if rows else 0)


async def get_known_organization(uow: UnitOfWork, ctx: Context, organization_id: UUID) -> views.KnownOrganization:
    """One NGO, unknown (404) to a caller whose scope does not cover it (`domain/access.py`)."""
    async with uow.read() as conn:
        row = await conn.fetchrow(*REGISTRY_FACTS.get_known_organization(organization_id=organization_id))
        msps = [parties(msp) for msp in await conn.fetch(*MSPS.msps_of_organization(organization_id=organization_id))]
    if row is None or not access.may_read_organization(ctx.principal, organization_id, msps):
        raise NotFound("path.organization_id", f"agreements has not learned of organization {organization_id}")
    return views.view(views.KnownOrganization, row)
