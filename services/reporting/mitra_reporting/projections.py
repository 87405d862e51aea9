"""Reporting's read model: each event is appended to the log, then applied to the projections.

Projections are a function of the log alone, so the same `apply` serves live consumption and a rebuild.
"""

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

QUERIES = Queries.from_package("mitra_reporting", "queries.sql")


class OrganizationRegistered(BaseModel):
    """Reporting's slim copy of `registry.organization.registered`: only what it counts."""

    model_config = ConfigDict(extra="ignore")

    organization_id: UUID
    legal_name: str
    country_of_origin: str
    status: str
    focus_areas: list[str] = []
    registered_at: datetime


async def append_to_log(conn: asyncpg.Connection, event: ReceivedEvent) -> None:
    await conn.execute(QUERIES.append_event, event.id, event.type, event.source, event.subject, event.time, event.data)


async def organization_registered(conn: asyncpg.Connection, event: ReceivedEvent, data: OrganizationRegistered) -> None:
    await append_to_log(conn, event)
    await conn.execute(
        QUERIES.upsert_organization,
        data.organization_id,
        data.legal_name,
        data.country_of_origin,
        data.status,
        data.focus_areas,
        data.registered_at,
    )


HANDLERS: dict[Any, Handler[Any]] = {
    registry_contracts.OrganizationRegistered.kind: handler(OrganizationRegistered, organization_registered),
}
