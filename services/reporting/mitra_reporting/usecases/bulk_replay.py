"""A rebuild's bulk replay: the events whose projection is one row of one table, applied many at a time in SQL.

The events of one family (`FAMILIES`) each touch the row of the event's key in the family's tables and nothing
else; `sql/replay.sql` applies the events of one key in log order. So a family's events may be gathered while the
log is read and applied together later, as long as nothing that reads or writes the family's tables is applied in
between: before any other event is projected, the families whose tables it touches (`TOUCHES`; every family, for
a type not listed there) apply what they gathered. Every logged event passed its model when it was consumed
(`consumers/projections.py` logs it in the transaction that validates and projects it), so the SQL reads the
fields of the logged data without checking them again.

An event may belong to several families, one per part of its projection (an MSP's signature: the MSP and its
regions, and each of its obligations, each obligation its key); families that share a table apply in log order
(gathering an event for one applies what the others gathered first). A report's submission keeps its funding lines
with what `consumers/funding_events.py` computes in Python (its period, its sources' keys): those are gathered
parsed, from the logged data, and written from arrays (`FUNDING`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mitra_reporting.consumers.funding_events import ReportSubmitted, report_columns
from mitra_reporting.domain.funding import source_key
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
        "msp_signatures",
        frozenset({"msps", "msp_regions"}),
        REPLAY.replay_msp_signatures,
        {"signed": (ag.MspSigned.kind.type,)},
    ),
    Family(
        "obligation_steps",
        frozenset({"obligations"}),
        REPLAY.replay_obligation_steps,
        {
            "signed": (ag.MspSigned.kind.type,),
            # A report's decision also keeps its funding (consumers/funding_events.py): not here.
            "submitted": (
                ag.ActionPlanSubmitted.kind.type,
                ag.WorkPlanSubmitted.kind.type,
                ag.ReportSubmitted.kind.type,
            ),
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
# Reports' submissions' funding: gathered parsed (`BulkReplay.gather_report`), not by seq.
FUNDING = Family(
    "report_submissions",
    frozenset({"funding_reports", "funding_lines"}),
    REPLAY.replay_report_submissions,
    {"submitted": (ag.ReportSubmitted.kind.type,)},
)
FAMILY_OF: dict[str, tuple[Family, ...]] = {}
for _family in (*FAMILIES, FUNDING):
    for _types in _family.types.values():
        for _event_type in _types:
            FAMILY_OF[_event_type] = (*FAMILY_OF.get(_event_type, ()), _family)
# The types whose logged data the replay reads in Python.
PARSED = frozenset(FUNDING.types["submitted"])

# The projection tables each other projected type reads or writes (a test runs each projector and checks).
_MSP_CHANGE = frozenset({"msps", "obligations"})
_REPORT = frozenset({"obligations", "funding_reports", "funding_lines"})
_DOCUMENT = frozenset({"public_documents", "msps"})
TOUCHES: dict[str, frozenset[str]] = {
    rg.SanctionImposed.kind.type: frozenset({"sanctions", "organizations"}),
    rg.SanctionLifted.kind.type: frozenset({"sanctions", "organizations"}),
    ag.MspDrafted.kind.type: frozenset({"msps", "msp_regions"}),
    ag.MspExtended.kind.type: _MSP_CHANGE,
    ag.MspTerminated.kind.type: _MSP_CHANGE,
    ag.MspEnded.kind.type: _MSP_CHANGE,
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
    reports: list[ReportSubmitted] = field(default_factory=list)  # reports' submissions, in log order

    async def add(self, family: Family, seq: int, data: dict[str, Any] | None) -> None:
        """Gather the logged event `seq` for `family` (its `data` read only for `FUNDING`)."""
        if family is FUNDING:
            await self.gather_report(data or {})
            return
        await self._apply_others(family)
        seqs = self.pending.setdefault(family.name, [])
        seqs.append(seq)
        if len(seqs) >= self.flush_at:
            await self._apply(family)

    async def gather_report(self, data: dict[str, Any]) -> None:
        self.reports.append(ReportSubmitted.model_validate(data))
        if len(self.reports) >= self.flush_at:
            await self._apply_reports()

    async def before(self, event_type: str) -> None:
        """Apply what the families that `event_type`'s projector touches gathered."""
        touched = TOUCHES.get(event_type)
        for family in FAMILIES:
            if family.name in self.pending and (touched is None or family.tables & touched):
                await self._apply(family)
        if touched is None or FUNDING.tables & touched:
            await self._apply_reports()

    async def flush(self) -> None:
        for family in FAMILIES:
            await self._apply(family)
        await self._apply_reports()

    async def _apply_others(self, family: Family) -> None:
        """What the other families gathered in `family`'s tables comes before `family`'s next event."""
        for other in FAMILIES:
            if other is not family and other.name in self.pending and other.tables & family.tables:
                await self._apply(other)

    async def _apply(self, family: Family) -> None:
        seqs: list[Any] = self.pending.pop(family.name, [])
        types = {name: list(kinds) for name, kinds in family.types.items()}
        while seqs:
            seqs = await self.tx.conn.fetchval(*family.query(seqs=seqs, **types))

    async def _apply_reports(self) -> None:
        """The gathered submissions, in passes of one per submission id (a later one of an id, in a later pass)."""
        waiting, self.reports = self.reports, []
        while waiting:
            firsts: dict[Any, ReportSubmitted] = {}
            later: list[ReportSubmitted] = []
            for report in waiting:
                if report.submission_id in firsts:
                    later.append(report)
                else:
                    firsts[report.submission_id] = report
            await self._write_reports(list(firsts.values()))
            waiting = later

    async def _write_reports(self, reports: list[ReportSubmitted]) -> None:
        rows = [report_columns(report) for report in reports]
        await self.tx.conn.execute(
            *REPLAY.replay_report_submissions(
                submission_ids=[row["submission_id"] for row in rows],
                obligation_ids=[row["obligation_id"] for row in rows],
                msp_ids=[row["msp_id"] for row in rows],
                report_kinds=[row["report_kind"] for row in rows],
                periods=[row["period"] for row in rows],
                period_origins=[row["period_origin"] for row in rows],
                period_offsets=[row["period_offset_months"] for row in rows],
                period_months=[row["period_months"] for row in rows],
                submitted_ats=[report.submitted_at for report in reports],
            )
        )
        lines = [
            (report.submission_id, number, line) for report in reports for number, line in enumerate(report.funding, 1)
        ]
        if not lines:
            return
        await self.tx.conn.execute(
            *REPLAY.replay_funding_lines(
                submission_ids=[submission_id for submission_id, _, _ in lines],
                line_nos=[number for _, number, _ in lines],
                sources=[line.source for _, _, line in lines],
                source_keys=[source_key(line.source) for _, _, line in lines],
                amounts=[line.amount for _, _, line in lines],
                currencies=[line.currency.upper() for _, _, line in lines],
                uses=[line.use for _, _, line in lines],
            )
        )
