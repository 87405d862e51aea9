"""Rebuild every projection from the event log, in one transaction, with the projectors live consumption uses
(`PROJECTION_TABLES`: the register, MSPs, obligations, visits, the public documents the IATI export links, the
NGOs' sanctions, the MSPs' mitigation actions and the reports' funding lines).
Reporting's own records (stories, kept annual summaries, the documents table, the audit log) are not projections
and are left as they are. The events whose projection is one row of one table (NGOs, permits, staff, MSPs' and
obligations' steps, visits, mitigation actions) and the common ones of several tables (MSPs' signatures with
their regions and obligations, reports' submissions with their funding lines) are replayed in bulk, in SQL, to the
same projections (`bulk_replay.py`); a test compares the two replays table by table.

`python -m mitra_reporting rebuild` runs it; the API keeps answering from the previous projections meanwhile, and
events arriving meanwhile wait for it (see `consumers/projections.py`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from mitra_reporting.consumers.projections import PROJECTION_LOCK, PROJECTION_TABLES, PROJECTORS
from mitra_reporting.sql import EVENT_LOG, REPLAY
from mitra_reporting.usecases.bulk_replay import FAMILY_OF, PARSED, BulkReplay
from mitra_shared.context import Context
from mitra_shared.events import ReceivedEvent
from mitra_shared.uow import UnitOfWork


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


async def rebuild(
    uow: UnitOfWork, ctx: Context, *, batch: int = 2000, bulk: bool = True, flush_at: int = 20_000
) -> RebuildReport:
    """Empty the projections and replay the whole log into them: the families' events in bulk
    (`bulk_replay.py`; `flush_at` of a family at most in one go), every other one through its projector, in log
    order. `bulk=False` replays every event through its projector, one at a time."""
    started = time.perf_counter()
    by_type = {kind.type: projector for kind, projector in PROJECTORS.items()}
    families = FAMILY_OF if bulk else {}
    events = applied = 0
    async with uow.change(ctx) as tx:
        await tx.conn.execute(*EVENT_LOG.projection_lock_exclusive(lock=PROJECTION_LOCK))
        for table in PROJECTION_TABLES:
            await tx.conn.execute(f"DELETE FROM {table}")  # noqa: S608 - names from the constant
        replay = BulkReplay(tx, flush_at)
        log = REPLAY.replay_log(bulk_types=[event_type for event_type in families if event_type not in PARSED])
        async for row in tx.conn.cursor(*log, prefetch=batch):
            events += 1
            in_families = families.get(row["event_type"])
            if in_families:
                for family in in_families:
                    await replay.add(family, row["seq"], row["data"])
                applied += 1
                continue
            projector = by_type.get(row["event_type"])
            if projector is None:
                continue
            await replay.before(row["event_type"])
            event = ReceivedEvent(
                id=row["event_id"],
                source=row["source"],
                type=row["event_type"],
                subject=row["subject"],
                time=row["occurred_at"],
                data=row["data"],
            )
            await projector.apply(tx, event, projector.model.model_validate(row["data"]))
            applied += 1
        await replay.flush()
    return RebuildReport(events, applied, events - applied, time.perf_counter() - started)
