"""Reporting's read model: every consumed event is appended to the log, then applied to the projections.

Projections are a function of the log alone: the same projectors serve live consumption (here) and a rebuild
(`usecases/rebuild.py`), which replays the log in the order it was applied. A rebuild holds an exclusive advisory
lock while live consumption takes the shared one, so events arriving meanwhile wait for the rebuild rather than
interleave with it; readers of the API keep seeing the previous projections until the rebuild commits.
"""

from __future__ import annotations

from typing import Any

from mitra_reporting.consumers import (
    agreement_events,
    funding_events,
    mitigation_events,
    registry_events,
    sanction_events,
)
from mitra_reporting.sql import EVENT_LOG
from mitra_shared.events import EventKind, ReceivedEvent
from mitra_shared.inbox import Handler, handler
from mitra_shared.uow import Transaction

# Any constant shared by the consumer and the rebuild of one database; "proj" in ASCII.
PROJECTION_LOCK = 0x70726F6A
# In the order a rebuild empties them.
PROJECTION_TABLES = (
    "organizations",
    "permits",
    "foreign_staff",
    "msps",
    "msp_regions",
    "obligations",
    "visits",
    "public_documents",
    "sanctions",
    "mitigation_actions",
    "funding_reports",
    "funding_lines",
)

# What each event does to the projections.
PROJECTORS: dict[EventKind, Handler[Any]] = {
    **registry_events.PROJECTORS,
    **sanction_events.PROJECTORS,
    **agreement_events.PROJECTORS,
    **mitigation_events.PROJECTORS,
    # A report's events move its obligation and keep its funding lines (after agreement_events: these win).
    **funding_events.PROJECTORS,
}


def _live(projector: Handler[Any]) -> Handler[Any]:
    async def record_and_project(tx: Transaction, event: ReceivedEvent, data: Any) -> None:
        await tx.conn.execute(
            *EVENT_LOG.append_event_live(
                lock=PROJECTION_LOCK,
                event_id=event.id,
                event_type=event.type,
                source=event.source,
                subject=event.subject,
                occurred_at=event.time,
                data=event.data,
            )
        )
        await projector.apply(tx, event, data)

    return handler(projector.model, record_and_project)


# What the consumer does with each event: log it, then project it.
HANDLERS: dict[EventKind, Handler[Any]] = {kind: _live(projector) for kind, projector in PROJECTORS.items()}
