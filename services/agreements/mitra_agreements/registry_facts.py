"""What agreements learns from registry's events, kept in its own tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from pydantic import BaseModel, ConfigDict

from mitra_shared.contracts import registry as registry_contracts
from mitra_shared.db import Queries
from mitra_shared.events import ReceivedEvent
from mitra_shared.inbox import Handler, handler

QUERIES = Queries.from_package("mitra_agreements", "queries.sql")


class OrganizationRegistered(BaseModel):
    """Agreements' slim copy of `registry.organization.registered`."""

    model_config = ConfigDict(extra="ignore")

    organization_id: UUID
    legal_name: str
    acronym: str | None = None
    country_of_origin: str
    status: str
    registered_at: datetime


async def organization_registered(conn: asyncpg.Connection, event: ReceivedEvent, data: OrganizationRegistered) -> None:
    await conn.execute(
        QUERIES.learn_organization,
        data.organization_id,
        data.legal_name,
        data.acronym,
        data.country_of_origin,
        data.status,
        event.time,
    )


HANDLERS: dict[Any, Handler[Any]] = {
    registry_contracts.OrganizationRegistered.kind: handler(OrganizationRegistered, organization_registered),
}
