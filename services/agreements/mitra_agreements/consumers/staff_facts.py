"""What agreements learns of registry's foreign-staff register (a visa recommendation names an assignment): each
assignment with its expert's name and nationality, and its early end. No passport numbers: registry's events carry
none.

Read with agreements' own slim models (only the fields used). Events may arrive out of order or twice: the
assignment's particulars and its end are kept apart (`sql/recommendations.sql`), so either order gives the same row.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from mitra_agreements.sql import RECOMMENDATIONS
from mitra_shared.contracts import registry as registry_contracts
from mitra_shared.events import ConsumedData, ReceivedEvent
from mitra_shared.inbox import Handler, handler
from mitra_shared.uow import Transaction


class StaffAssigned(ConsumedData):
    """Agreements' copy of `registry.foreign_staff.assigned`."""

    assignment_id: UUID
    organization_id: UUID
    full_name: str
    nationality: str
    role: str
    starts_on: date
    ends_on: date


class StaffEnded(ConsumedData):
    """Agreements' copy of `registry.foreign_staff.ended`."""

    assignment_id: UUID
    organization_id: UUID
    ended_on: date


async def staff_assigned(tx: Transaction, event: ReceivedEvent, data: StaffAssigned) -> None:
    await tx.conn.execute(*RECOMMENDATIONS.learn_staff_assigned(**data.model_dump(), as_of=event.time))


async def staff_ended(tx: Transaction, event: ReceivedEvent, data: StaffEnded) -> None:
    await tx.conn.execute(*RECOMMENDATIONS.learn_staff_ended(**data.model_dump(), as_of=event.time))


HANDLERS: dict[Any, Handler[Any]] = {
    registry_contracts.ForeignStaffAssigned.kind: handler(StaffAssigned, staff_assigned),
    registry_contracts.ForeignStaffEnded.kind: handler(StaffEnded, staff_ended),
}
