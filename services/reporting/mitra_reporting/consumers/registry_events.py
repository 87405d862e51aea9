"""Projections of registry's events: NGOs, their permits and their foreign staff.

Each slim model reads only what the projection keeps, under the names of its query's parameters.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from mitra_reporting.sql import ORGANIZATIONS
from mitra_shared.contracts import registry as contracts
from mitra_shared.db import Query
from mitra_shared.events import ConsumedData, EventKind, ReceivedEvent
from mitra_shared.inbox import Apply, Handler, handler
from mitra_shared.uow import Transaction


class _Organization(ConsumedData):
    organization_id: UUID
    legal_name: str
    acronym: str | None = None
    country_of_origin: str
    status: str
    focus_areas: list[str] = []


class OrganizationRegistered(_Organization):
    registered_at: datetime


class OrganizationUpdated(_Organization):
    version: int


class OrganizationStatusChanged(ConsumedData):
    organization_id: UUID
    status: str
    version: int
    changed_at: datetime


class PermitGranted(ConsumedData):
    permit_id: UUID
    organization_id: UUID
    permit_type: str
    number: str
    issued_on: date
    valid_until: date


class PermitExtended(ConsumedData):
    permit_id: UUID
    valid_until: date


class PermitExpired(ConsumedData):
    permit_id: UUID


class ForeignStaffAssigned(ConsumedData):
    assignment_id: UUID
    organization_id: UUID
    nationality: str
    starts_on: date
    ends_on: date


class ForeignStaffEnded(ConsumedData):
    assignment_id: UUID
    ended_on: date


def _write(query: Query) -> Apply[Any]:
    """The projection that writes the event's data as it is: the model's fields are the query's parameters."""

    async def apply(tx: Transaction, event: ReceivedEvent, data: BaseModel) -> None:
        await tx.conn.execute(*query(**data.model_dump()))

    return apply


async def _organization_updated(tx: Transaction, event: ReceivedEvent, data: OrganizationUpdated) -> None:
    # An update that arrives before the registration makes the row; the registration's time replaces the event's.
    await tx.conn.execute(*ORGANIZATIONS.project_organization_updated(**data.model_dump(), event_time=event.time))


PROJECTORS: dict[EventKind, Handler[Any]] = {
    contracts.OrganizationRegistered.kind: handler(
        OrganizationRegistered, _write(ORGANIZATIONS.project_organization_registered)
    ),
    contracts.OrganizationUpdated.kind: handler(OrganizationUpdated, _organization_updated),
    contracts.OrganizationStatusChanged.kind: handler(
        OrganizationStatusChanged, _write(ORGANIZATIONS.project_status_changed)
    ),
    contracts.PermitGranted.kind: handler(PermitGranted, _write(ORGANIZATIONS.project_permit_granted)),
    contracts.PermitExtended.kind: handler(PermitExtended, _write(ORGANIZATIONS.project_permit_extended)),
    contracts.PermitExpired.kind: handler(PermitExpired, _write(ORGANIZATIONS.project_permit_expired)),
    contracts.ForeignStaffAssigned.kind: handler(ForeignStaffAssigned, _write(ORGANIZATIONS.project_staff_assigned)),
    contracts.ForeignStaffEnded.kind: handler(ForeignStaffEnded, _write(ORGANIZATIONS.project_staff_ended)),
}
