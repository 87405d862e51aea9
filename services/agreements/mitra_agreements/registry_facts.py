"""What agreements learns from registry's events, kept in its own tables: NGOs with their status, principle
permits with their validity, and government partners (ministries, and regions with their province).

Each handler reads the event with agreements' own slim model (only the fields it uses, `extra="ignore"`), so
registry can add fields freely. Events arrive out of order: the newest state wins (by event time for NGOs and
permits, by version for partners).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg
from pydantic import BaseModel, ConfigDict

from mitra_agreements.domain import KnownOrganization, KnownPartner, KnownPermit
from mitra_shared.contracts import registry as registry_contracts
from mitra_shared.db import Queries
from mitra_shared.events import ReceivedEvent
from mitra_shared.inbox import Handler, handler

QUERIES = Queries.from_package("mitra_agreements", "queries.sql")


class _Slim(BaseModel):
    model_config = ConfigDict(extra="ignore")


class OrganizationParticulars(_Slim):
    """Agreements' copy of `registry.organization.registered` and `.updated`."""

    organization_id: UUID
    legal_name: str
    acronym: str | None = None
    country_of_origin: str
    status: str


class OrganizationStatusChanged(_Slim):
    organization_id: UUID
    legal_name: str
    status: str


class PermitGranted(_Slim):
    permit_id: UUID
    organization_id: UUID
    permit_type: str
    number: str
    issued_on: date
    valid_until: date


class PermitValidity(_Slim):
    """Agreements' copy of `registry.permit.extended` and `.expired`."""

    permit_id: UUID
    organization_id: UUID
    permit_type: str
    number: str
    valid_until: date


class Partner(_Slim):
    """Agreements' copy of `registry.partner.registered` and `.updated`."""

    partner_id: UUID
    partner_kind: str
    name: str
    code: str
    parent_code: str | None = None
    active: bool = True
    version: int = 1


async def organization_particulars(
    conn: asyncpg.Connection, event: ReceivedEvent, data: OrganizationParticulars
) -> None:
    await conn.execute(
        QUERIES.learn_organization,
        data.organization_id,
        data.legal_name,
        data.acronym,
        data.country_of_origin,
        data.status,
        event.time,
    )


async def organization_status_changed(
    conn: asyncpg.Connection, event: ReceivedEvent, data: OrganizationStatusChanged
) -> None:
    await conn.execute(
        QUERIES.learn_organization_status, data.organization_id, data.legal_name, data.status, event.time
    )


async def permit_granted(conn: asyncpg.Connection, event: ReceivedEvent, data: PermitGranted) -> None:
    await conn.execute(
        QUERIES.learn_permit_granted,
        data.permit_id,
        data.organization_id,
        data.permit_type,
        data.number,
        data.issued_on,
        data.valid_until,
        event.time,
    )


def _permit_validity(query: str) -> Callable[[asyncpg.Connection, ReceivedEvent, PermitValidity], Awaitable[None]]:
    """An extension or an expiry: the permit's validity as the event states it."""

    async def apply(conn: asyncpg.Connection, event: ReceivedEvent, data: PermitValidity) -> None:
        await conn.execute(
            query, data.permit_id, data.organization_id, data.permit_type, data.number, data.valid_until, event.time
        )

    return apply


permit_extended = _permit_validity(QUERIES.learn_permit_extended)
permit_expired = _permit_validity(QUERIES.learn_permit_expired)


async def partner(conn: asyncpg.Connection, event: ReceivedEvent, data: Partner) -> None:
    await conn.execute(
        QUERIES.learn_partner,
        data.partner_id,
        data.partner_kind,
        data.name,
        data.code,
        data.parent_code,
        data.active,
        data.version,
    )


HANDLERS: dict[Any, Handler[Any]] = {
    registry_contracts.OrganizationRegistered.kind: handler(OrganizationParticulars, organization_particulars),
    registry_contracts.OrganizationUpdated.kind: handler(OrganizationParticulars, organization_particulars),
    registry_contracts.OrganizationStatusChanged.kind: handler(OrganizationStatusChanged, organization_status_changed),
    registry_contracts.PermitGranted.kind: handler(PermitGranted, permit_granted),
    registry_contracts.PermitExtended.kind: handler(PermitValidity, permit_extended),
    registry_contracts.PermitExpired.kind: handler(PermitValidity, permit_expired),
    registry_contracts.PartnerRegistered.kind: handler(Partner, partner),
    registry_contracts.PartnerUpdated.kind: handler(Partner, partner),
}


# --- reading the copies, for the use cases ----------------------------------------------------------------


async def organization(conn: asyncpg.Connection, organization_id: UUID) -> KnownOrganization | None:
    row = await conn.fetchrow(QUERIES.get_known_organization, organization_id)
    if row is None:
        return None
    return KnownOrganization(row["organization_id"], row["legal_name"], row["status"])


async def principle_permits(conn: asyncpg.Connection, organization_id: UUID) -> list[KnownPermit]:
    rows = await conn.fetch(QUERIES.principle_permits_of, organization_id)
    return [
        KnownPermit(r["permit_id"], r["organization_id"], r["number"], r["issued_on"], r["valid_until"], r["expired"])
        for r in rows
    ]


def _partner(row: asyncpg.Record) -> KnownPartner:
    return KnownPartner(
        row["partner_id"], row["partner_kind"], row["name"], row["code"], row["parent_code"], row["active"]
    )


async def known_partner(conn: asyncpg.Connection, partner_id: UUID) -> KnownPartner | None:
    row = await conn.fetchrow(QUERIES.get_known_partner, partner_id)
    return None if row is None else _partner(row)


async def regions(conn: asyncpg.Connection, codes: list[str]) -> dict[str, KnownPartner]:
    return {row["code"]: _partner(row) for row in await conn.fetch(QUERIES.regions_by_code, codes)}
