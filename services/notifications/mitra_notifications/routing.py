"""Which events notify whom: consumed events become pending notifications, in the same transaction."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from pydantic import BaseModel, ConfigDict

from mitra_notifications import messages
from mitra_shared.contracts import registry as registry_contracts
from mitra_shared.db import Queries
from mitra_shared.events import ReceivedEvent
from mitra_shared.inbox import Handler, handler

QUERIES = Queries.from_package("mitra_notifications", "queries.sql")


class OrganizationRegistered(BaseModel):
    """Notifications' slim copy of `registry.organization.registered`."""

    model_config = ConfigDict(extra="ignore")

    organization_id: UUID
    legal_name: str
    acronym: str | None = None
    country_of_origin: str
    focus_areas: list[str] = []
    registered_at: datetime


async def organization_registered(conn: asyncpg.Connection, event: ReceivedEvent, data: OrganizationRegistered) -> None:
    facts = messages.OrganizationRegisteredFacts(
        legal_name=data.legal_name,
        acronym=data.acronym,
        country_of_origin=data.country_of_origin,
        focus_areas=data.focus_areas,
        registered_at=data.registered_at,
    )
    recipients = await conn.fetch(QUERIES.active_email_recipients_by_role, "tpoa")
    for recipient in recipients:
        message = messages.organization_registered(facts, recipient["language"])
        await conn.execute(
            QUERIES.insert_notification,
            uuid.uuid4(),
            event.id,
            event.type,
            recipient["id"],
            "email",
            recipient["email"],
            recipient["language"],
            message.subject,
            message.text,
            message.html,
        )
    if recipients:
        await conn.execute(QUERIES.wake_delivery)


HANDLERS: dict[Any, Handler[Any]] = {
    registry_contracts.OrganizationRegistered.kind: handler(OrganizationRegistered, organization_registered),
}
