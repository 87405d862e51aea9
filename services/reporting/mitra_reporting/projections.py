"""Reporting's read model: every event is appended to the log, then applied to the projections.

Projections are a function of the log alone: the same projector serves live consumption and a rebuild, which
replays the log in arrival order. A rebuild holds an exclusive advisory lock while live consumption takes the
shared one, so events arriving meanwhile wait for the rebuild rather than interleave with it; readers of the API
keep seeing the previous projections until the rebuild commits.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg
from pydantic import BaseModel, ConfigDict

from mitra_reporting import agreement_projections
from mitra_shared.contracts import registry as registry_contracts
from mitra_shared.db import Queries
from mitra_shared.events import EventKind, ReceivedEvent
from mitra_shared.inbox import Handler, handler

QUERIES = Queries.from_package("mitra_reporting", "queries.sql")
# Any constant shared by the consumer and the rebuild of one database; "proj" in ASCII.
PROJECTION_LOCK = 0x70726F6A
# In the order a rebuild empties them.
PROJECTION_TABLES = ("organizations", "permits", "foreign_staff", "msps", "msp_regions", "obligations", "visits")


class _Slim(BaseModel):
    model_config = ConfigDict(extra="ignore")


class OrganizationRegistered(_Slim):
    organization_id: UUID
    legal_name: str
    acronym: str | None = None
    country_of_origin: str
    status: str
    focus_areas: list[str] = []
    registered_at: datetime


class OrganizationUpdated(_Slim):
    organization_id: UUID
    legal_name: str
    acronym: str | None = None
    country_of_origin: str
    status: str
    focus_areas: list[str] = []
    version: int


class OrganizationStatusChanged(_Slim):
    organization_id: UUID
    status: str
    version: int
    changed_at: datetime


class PermitGranted(_Slim):
    permit_id: UUID
    organization_id: UUID
    permit_type: str
    number: str
    issued_on: date
    valid_until: date


class PermitExtended(_Slim):
    permit_id: UUID
    valid_until: date


class PermitExpired(_Slim):
    permit_id: UUID


class ForeignStaffAssigned(_Slim):
    assignment_id: UUID
    organization_id: UUID
    nationality: str
    starts_on: date
    ends_on: date


class ForeignStaffEnded(_Slim):
    assignment_id: UUID
    ended_on: date


async def _organization_registered(conn: asyncpg.Connection, event: ReceivedEvent, d: OrganizationRegistered) -> None:
    await conn.execute(
        QUERIES.project_organization_registered,
        d.organization_id,
        d.legal_name,
        d.acronym,
        d.country_of_origin,
        d.status,
        d.focus_areas,
        d.registered_at,
    )


async def _organization_updated(conn: asyncpg.Connection, event: ReceivedEvent, d: OrganizationUpdated) -> None:
    await conn.execute(
        QUERIES.project_organization_updated,
        d.organization_id,
        d.legal_name,
        d.acronym,
        d.country_of_origin,
        d.status,
        d.focus_areas,
        d.version,
        event.time,
    )


async def _status_changed(conn: asyncpg.Connection, event: ReceivedEvent, d: OrganizationStatusChanged) -> None:
    await conn.execute(QUERIES.project_status_changed, d.organization_id, d.status, d.version, d.changed_at)


async def _permit_granted(conn: asyncpg.Connection, event: ReceivedEvent, d: PermitGranted) -> None:
    await conn.execute(
        QUERIES.project_permit_granted,
        d.permit_id,
        d.organization_id,
        d.permit_type,
        d.number,
        d.issued_on,
        d.valid_until,
    )


async def _permit_extended(conn: asyncpg.Connection, event: ReceivedEvent, d: PermitExtended) -> None:
    await conn.execute(QUERIES.project_permit_extended, d.permit_id, d.valid_until)


async def _permit_expired(conn: asyncpg.Connection, event: ReceivedEvent, d: PermitExpired) -> None:
    await conn.execute(QUERIES.project_permit_expired, d.permit_id)


async def _staff_assigned(conn: asyncpg.Connection, event: ReceivedEvent, d: ForeignStaffAssigned) -> None:
    await conn.execute(
        QUERIES.project_staff_assigned, d.assignment_id, d.organization_id, d.nationality, d.starts_on, d.ends_on
    )


async def _staff_ended(conn: asyncpg.Connection, event: ReceivedEvent, d: ForeignStaffEnded) -> None:
    await conn.execute(QUERIES.project_staff_ended, d.assignment_id, d.ended_on)


# What each event does to the projections; the same `Handler` shape the consumer takes (model + apply).
PROJECTORS: dict[EventKind, Handler[Any]] = {
    registry_contracts.OrganizationRegistered.kind: handler(OrganizationRegistered, _organization_registered),
    registry_contracts.OrganizationUpdated.kind: handler(OrganizationUpdated, _organization_updated),
    registry_contracts.OrganizationStatusChanged.kind: handler(OrganizationStatusChanged, _status_changed),
    registry_contracts.PermitGranted.kind: handler(PermitGranted, _permit_granted),
    registry_contracts.PermitExtended.kind: handler(PermitExtended, _permit_extended),
    registry_contracts.PermitExpired.kind: handler(PermitExpired, _permit_expired),
    registry_contracts.ForeignStaffAssigned.kind: handler(ForeignStaffAssigned, _staff_assigned),
    registry_contracts.ForeignStaffEnded.kind: handler(ForeignStaffEnded, _staff_ended),
    **{kind: handler(model, apply) for kind, (model, apply) in agreement_projections.projectors().items()},
}


def _live(projector: Handler[Any]) -> Handler[Any]:
    async def record_and_project(conn: asyncpg.Connection, event: ReceivedEvent, data: Any) -> None:
        await conn.execute(QUERIES.projection_lock_shared, PROJECTION_LOCK)
        await conn.execute(
            QUERIES.append_event, event.id, event.type, event.source, event.subject, event.time, event.data
        )
        await projector.apply(conn, event, data)

    return handler(projector.model, record_and_project)


HANDLERS: dict[EventKind, Handler[Any]] = {kind: _live(projector) for kind, projector in PROJECTORS.items()}


@dataclass(frozen=True)
class RebuildReport:
    events: int
    applied: int
    not_projected: int
    seconds: float

    def __str__(self) -> str:
        rate = self.events / self.seconds if self.seconds else 0.0
        return (
            f"rebuilt projections from {self.events} logged events in {self.seconds:.2f}s ({rate:,.0f} events/s): "
            f"{self.applied} applied, {self.not_projected} of types no projection uses"
        )


async def rebuild(conn: asyncpg.Connection, *, batch: int = 2000) -> RebuildReport:
    """Empty the projections and replay the whole log into them, in one transaction."""
    started = time.perf_counter()
    by_type = {kind.type: projector for kind, projector in PROJECTORS.items()}
    events = applied = 0
    async with conn.transaction():
        await conn.execute(QUERIES.projection_lock_exclusive, PROJECTION_LOCK)
        for table in PROJECTION_TABLES:
            await conn.execute(f"DELETE FROM {table}")  # noqa: S608 - names from the constant above
        async for row in conn.cursor(QUERIES.replay_log, prefetch=batch):
            events += 1
            projector = by_type.get(row["event_type"])
            if projector is None:
                continue
            event = ReceivedEvent(
                id=row["event_id"],
                source=row["source"],
                type=row["event_type"],
                subject=row["subject"],
                time=row["occurred_at"],
                data=row["data"],
            )
            await projector.apply(conn, event, projector.model.model_validate(row["data"]))
            applied += 1
    return RebuildReport(events, applied, events - applied, time.perf_counter() - started)
