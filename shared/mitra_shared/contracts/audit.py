"""The audit trail's wire contract: one entry per change, from the service that made it to reporting's log.

Entries travel on the events exchange under routing keys `audit.<service>.recorded`, which only the service's own
broker user may publish and which outside subscribers' users may not bind (their topic permissions name the
services' routing keys, never `audit.`); reporting keeps them in an append-only, hash-chained log.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from mitra_shared.events import EventData, EventKind

AUDIT_ROUTING_PREFIX = "audit"


class AuditActor(BaseModel):
    subject: str = Field(description="The token's `sub`: an account id, a client id, or `system:<component>`.")
    name: str | None = None
    role: str = Field(description="`tpoa`, `ministry`, `region`, `ngo`, `auditor`, `admin`, `integration` or `system`.")
    scope: dict[str, str] = Field(default_factory=dict, description="The role's scope claim, if it has one.")


class AuditRecorded(EventData):
    """One change: who made it, when, in which request, what on which object, and the values before and after."""

    entry_id: UUID
    at: datetime
    actor: AuditActor
    action: str = Field(
        description="What was done, e.g. `msp.signed`, `organization.updated`.", examples=["msp.signed"]
    )
    object_type: str = Field(examples=["msp"])
    object_id: str
    before: dict[str, Any] | None = Field(None, description="The object's values before the change (None: created).")
    after: dict[str, Any] | None = Field(None, description="Its values after the change (None: deleted).")
    request_id: str = Field(description="The request's correlation id, or the event or worker pass that caused it.")
    service: str


class AuditKind(EventKind):
    """`audit.<service>.recorded`: the service that made the change is its source (`/mitra/<service>`)."""

    @property
    def source(self) -> str:
        return f"/mitra/{self.aggregate}"


@cache
def audit_kind_of(service: str) -> type[AuditRecorded]:
    """The audit entry type of one service (its routing key `audit.<service>.recorded`)."""
    kind = AuditKind(AUDIT_ROUTING_PREFIX, service, "recorded", 1)
    doc = (
        f"One change made in {service}: who, when, in which request, what on which object, and the values before "
        "and after. For reporting's audit trail only: outside subscribers may not bind it."
    )
    return type(
        f"AuditRecorded{service.title()}", (AuditRecorded,), {"kind": kind, "__module__": __name__, "__doc__": doc}
    )
