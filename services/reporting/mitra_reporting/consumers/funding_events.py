"""Projections of reports' funding lines: each submission of a semester or annual report keeps its lines, and its
decision says whether they count (only an accepted submission's do: `domain/funding.py`).

A report's events also move its obligation (`agreement_events.submitted` and its decision): each projector here
does that first, then the funding. A decision may arrive before its submission: the row is made from the decision's
own facts (the obligation, MSP and period every report event carries) and the submission completes it. A report's
days are not written here: they come from its period's label and, for MSP-basis labels, the MSP's start
(`funding_report_periods`), so they do not depend on which event came first.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from mitra_reporting.consumers import agreement_events
from mitra_reporting.domain.funding import parse_period, source_key
from mitra_reporting.sql import FUNDING
from mitra_shared.contracts import agreements as contracts
from mitra_shared.events import ConsumedData, EventKind, ReceivedEvent
from mitra_shared.inbox import Apply, Handler, handler
from mitra_shared.uow import Transaction


class FundingLine(ConsumedData):
    source: str
    amount: Decimal
    currency: str = "IDR"
    use: str = ""


class _ReportFacts(ConsumedData):
    submission_id: UUID
    obligation_kind: str
    msp_id: UUID
    period: str = ""


class ReportSubmitted(agreement_events.Submitted, _ReportFacts):
    funding: list[FundingLine] = []


class ReportDecided(agreement_events.Decided, _ReportFacts):
    pass


def report_columns(d: ReportSubmitted | ReportDecided) -> dict[str, Any]:
    """The columns a submission and a decision both write."""
    period = parse_period(d.period)
    return {
        "submission_id": d.submission_id,
        "obligation_id": d.obligation_id,
        "msp_id": d.msp_id,
        "report_kind": d.obligation_kind,
        "period": d.period,
        "period_origin": period.origin if period else None,
        "period_offset_months": period.offset_months if period else None,
        "period_months": period.months if period else None,
    }


async def report_submitted(tx: Transaction, event: ReceivedEvent, d: ReportSubmitted) -> None:
    await agreement_events.submitted(tx, event, d)
    await tx.conn.execute(*FUNDING.project_report_submitted(**report_columns(d), submitted_at=d.submitted_at))
    await tx.conn.execute(*FUNDING.clear_funding_lines(submission_id=d.submission_id))
    if not d.funding:
        return
    await tx.conn.execute(
        *FUNDING.project_funding_lines(
            submission_id=d.submission_id,
            sources=[line.source for line in d.funding],
            source_keys=[source_key(line.source) for line in d.funding],
            amounts=[line.amount for line in d.funding],
            currencies=[line.currency.upper() for line in d.funding],
            uses=[line.use for line in d.funding],
        )
    )


def _decided(decision: str, obligation: Apply[agreement_events.Decided]) -> Apply[ReportDecided]:
    async def apply(tx: Transaction, event: ReceivedEvent, d: ReportDecided) -> None:
        await obligation(tx, event, d)
        await tx.conn.execute(
            *FUNDING.project_report_decision(**report_columns(d), decision=decision, decided_at=d.decided_at)
        )

    return apply


PROJECTORS: dict[EventKind, Handler[Any]] = {
    contracts.ReportSubmitted.kind: handler(ReportSubmitted, report_submitted),
    contracts.ReportAccepted.kind: handler(ReportDecided, _decided("accepted", agreement_events.decision("accepted"))),
    contracts.ReportReturned.kind: handler(ReportDecided, _decided("returned", agreement_events.decision("returned"))),
}
