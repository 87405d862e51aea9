"""A rebuild's bulk replay: the events whose projection is one row of one table, applied many at a time in SQL.

The events of one family (`FAMILIES`) each touch the row of the event's key in the family's tables and nothing
else; `sql/replay.sql` applies the events of one key in log order. So a family's events may be gathered while the
log is read and applied together later, as long as nothing that reads or writes the family's tables is applied in
between: before any other event is projected, the families whose tables it touches (`TOUCHES`; every family, for
a type not listed there) apply what they gathered. Every logged event passed its model when it was consumed
(`consumers/projections.py` logs it in the transaction that validates and projects it), so the SQL reads the
fields of the logged data without checking them again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mitra_reporting.sql import REPLAY
from mitra_shared.contracts import agreements as ag
from mitra_shared.contracts import registry as rg
from mitra_shared.db import Query
from mitra_shared.uow import Transaction


@dataclass(frozen=True)
class Family:
    """Event types whose projections write one row of the event's key, and the statement that replays them."""

    name: str
    tables: frozenset[str]
    query: Query
    types: dict[str, tuple[str, ...]]  # each of the statement's parameters: the CloudEvents types it stands for


FAMILIES = (
    Family(
        "organizations",
        frozenset({"organizations"}),
        REPLAY.replay_organizations,
        {
            "registered": (rg.OrganizationRegistered.kind.type,),
            "updated": (rg.OrganizationUpdated.kind.type,),
            "status_changed": (rg.OrganizationStatusChanged.kind.type,),
        },
    ),
    Family(
        "permits",
        frozenset({"permits"}),
        REPLAY.replay_permits,
        {
            "granted": (rg.PermitGranted.kind.type,),
            "extended": (rg.PermitExtended.kind.type,),
            "expired": (rg.PermitExpired.kind.type,),
            "revoked": (rg.PermitRevoked.kind.type,),
        },
    ),
    Family(
        "foreign_staff",
        frozenset({"foreign_staff"}),
        REPLAY.replay_foreign_staff,
        {"assigned": (rg.ForeignStaffAssigned.kind.type,), "ended": (rg.ForeignStaffEnded.kind.type,)},
    ),
    Family(
        "msp_steps",
        frozenset({"msps"}),
        REPLAY.replay_msp_steps,
        {
            "submitted": (ag.MspSubmitted.kind.type,),
            "approved": (ag.MspApproved.kind.type,),
            "rejected": (ag.MspRejected.kind.type,),
        },
    ),
    Family(
        "obligation_steps",
        frozenset({"obligations"}),
        REPLAY.replay_obligation_steps,
        {
            # A report's submission and decision also keep its funding (consumers/funding_events.py): not here.
            "submitted": (ag.ActionPlanSubmitted.kind.type, ag.WorkPlanSubmitted.kind.type),
            "accepted": (ag.ActionPlanAccepted.kind.type, ag.WorkPlanAccepted.kind.type),
            "returned": (ag.ActionPlanReturned.kind.type, ag.WorkPlanReturned.kind.type),
            "overdue": (ag.ActionPlanOverdue.kind.type, ag.WorkPlanOverdue.kind.type, ag.ReportOverdue.kind.type),
        },
    ),
    Family(
        "visits",
        frozenset({"visits"}),
        REPLAY.replay_visits,
        {
            "visited": (ag.VisitAnnounced.kind.type, ag.VisitUpdated.kind.type),
            "cancelled": (ag.VisitCancelled.kind.type,),
        },
    ),
    Family(
        "mitigation",
        frozenset({"mitigation_actions"}),
        REPLAY.replay_mitigation,
        {
            "opened": (ag.MitigationActionOpened.kind.type,),
            "status_changed": (ag.MitigationActionStatusChanged.kind.type,),
        },
    ),
)
FAMILY_OF: dict[str, Family] = {
    event_type: family for family in FAMILIES for types in family.types.values() for event_type in types
}

# The projection tables each other projected type reads or writes (a test runs each projector and checks).
_MSP_CHANGE = frozenset({"msps", "obligations"})
_REPORT = frozenset({"obligations", "funding_reports", "funding_lines"})
_DOCUMENT = frozenset({"public_documents", "msps"})
TOUCHES: dict[str, frozenset[str]] = {
    rg.SanctionImposed.kind.type: frozenset({"sanctions", "organizations"}),
    rg.SanctionLifted.kind.type: frozenset({"sanctions", "organizations"}),
    ag.MspDrafted.kind.type: frozenset({"msps", "msp_regions"}),
    ag.MspSigned.kind.type: frozenset({"msps", "msp_regions", "obligations"}),
    ag.MspExtended.kind.type: _MSP_CHANGE,
    ag.MspTerminated.kind.type: _MSP_CHANGE,
    ag.MspEnded.kind.type: _MSP_CHANGE,
    ag.ReportSubmitted.kind.type: _REPORT,
    ag.ReportAccepted.kind.type: _REPORT,
    ag.ReportReturned.kind.type: _REPORT,
    ag.DocumentPublished.kind.type: _DOCUMENT,
    ag.DocumentUnpublished.kind.type: _DOCUMENT,
}


@dataclass
class BulkReplay:
    """The gathered events of each family, applied before an event that touches its tables, when `flush_at` of
    them wait, and at the end (`flush`)."""

    tx: Transaction
    flush_at: int = 20_000
    pending: dict[str, list[int]] = field(default_factory=dict)  # a family's name: its seqs, in log order

    async def add(self, family: Family, seq: int) -> None:
        seqs = self.pending.setdefault(family.name, [])
        seqs.append(seq)
        if len(seqs) >= self.flush_at:
            await self._apply(family)

    async def before(self, event_type: str) -> None:
        """Apply what the families that `event_type`'s projector touches gathered."""
        touched = TOUCHES.get(event_type)
        for family in FAMILIES:
            if family.name in self.pending and (touched is None or family.tables & touched):
                await self._apply(family)

    async def flush(self) -> None:
        for family in FAMILIES:
            await self._apply(family)

    async def _apply(self, family: Family) -> None:
        seqs: list[Any] = self.pending.pop(family.name, [])
        types = {name: list(kinds) for name, kinds in family.types.items()}
        while seqs:
            seqs = await self.tx.conn.fetchval(*family.query(seqs=seqs, **types))
