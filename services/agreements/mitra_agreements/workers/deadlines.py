"""The deadline engine: reminders before each due date, overdue the day after (obligations and mitigation actions),
MSP expiry warnings, activation on the start date and the end after the end date.

It runs on the shared `PollingWorker`: at least every `MITRA_DEADLINE_TICK_SECONDS`, at once again while a batch
was full, and whenever something sends `NOTIFY agreements_deadlines`. It asks the database only for what is due
today (Asia/Jakarta, under the service's clock): each obligation and MSP carries `next_check_on`, behind a partial
index, so a pass costs what falls due, not what exists. Due rows are claimed with `FOR UPDATE SKIP LOCKED`, and
every notice is written to `deadline_notices` (unique per subject and notice) in the same transaction as its
event: any number of replicas, and restarts, send each notice once.

After downtime an obligation gets only the most urgent reminder that applies (see `domain.deadlines`), and an MSP
only the most urgent expiry warning: catching up does not flood anyone with stale notices.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import structlog

from mitra_agreements.domain import deadlines as rules
from mitra_agreements.domain.dates import day_kind
from mitra_agreements.domain.policy import DEFAULT_EXPIRY_WARNING_DAYS, DEFAULT_REMINDER_DAYS
from mitra_agreements.sql import DEADLINES, OBLIGATIONS, REVIEWS
from mitra_agreements.usecases.event_facts import ministry_party, obligation_facts, organization_party
from mitra_agreements.usecases.monitoring import action_facts
from mitra_shared.clock import Clock, jakarta_date
from mitra_shared.context import Context
from mitra_shared.contracts import agreements as contracts
from mitra_shared.db import Query
from mitra_shared.events import EventData
from mitra_shared.uow import Transaction, UnitOfWork
from mitra_shared.worker import PollingWorker

log = structlog.get_logger(__name__)
WAKE_CHANNEL = "agreements_deadlines"
COMPONENT = "agreements.deadlines"
Row = Mapping[str, Any]
LookAt = Callable[[Transaction, Row, date], Awaitable[int]]


@dataclass(frozen=True)
class Pass:
    """One pass of the engine: the rows of its last batch (a full batch means more may be due) and the notices."""

    rows: int
    notices: int


class DeadlineEngine(PollingWorker):
    name = "deadline engine"

    def __init__(
        self,
        *,
        uow: UnitOfWork,
        clock: Clock,
        listen_dsn: str,
        tick_seconds: float,
        reminder_days: Sequence[int] = DEFAULT_REMINDER_DAYS,
        expiry_warning_days: Sequence[int] = DEFAULT_EXPIRY_WARNING_DAYS,
        batch_size: int = 500,
    ) -> None:
        super().__init__(
            listen_dsn=listen_dsn, wake_channel=WAKE_CHANNEL, batch_size=batch_size, poll_interval=tick_seconds
        )
        self._uow = uow
        self._clock = clock
        self._reminder_days = tuple(reminder_days)
        self._expiry_warning_days = tuple(expiry_warning_days)

    async def run_once(self) -> int:
        done = await self._pass()
        if done.notices:
            log.info("deadline notices sent", count=done.notices)
        return done.rows

    async def tick(self) -> int:
        """Handle everything due now, batch after batch as the running worker does; return the notices sent."""
        sent = 0
        while True:
            done = await self._pass()
            sent += done.notices
            if done.rows < self._batch_size:
                return sent

    async def _pass(self) -> Pass:
        """A batch of due obligations; once none is left, a batch of due MSPs; then of due mitigation actions.
        Obligations come first, so that an MSP ending today closes only obligations already told they are
        overdue."""
        context = Context.for_system(COMPONENT, self._clock())
        rows, notices = await self._batch(context, DEADLINES.claim_due_obligations, self._look_at_obligation)
        if rows >= self._batch_size:
            return Pass(rows, notices)
        msp_rows, msp_notices = await self._batch(context, DEADLINES.claim_due_msps, self._look_at_msp)
        if msp_rows >= self._batch_size:
            return Pass(msp_rows, notices + msp_notices)
        claim = DEADLINES.claim_due_mitigation_actions
        action_rows, action_notices = await self._batch(context, claim, self._look_at_action)
        return Pass(action_rows, notices + msp_notices + action_notices)

    async def _batch(self, context: Context, claim: Query, look_at: LookAt) -> tuple[int, int]:
        """Claim a batch of what is due today and look at each, in one change; the rows and the notices sent."""
        today = jakarta_date(context.now)
        sent = 0
        async with self._uow.change(context) as tx:
            rows = await tx.conn.fetch(*claim(today=today, limit=self._batch_size))
            for row in rows:
                sent += await look_at(tx, row, today)
        return len(rows), sent

    async def _look_at_obligation(self, tx: Transaction, row: Row, today: date) -> int:
        """Today's reminder or overdue notice for an obligation, and when to look again; the notices sent."""
        step = rules.obligation_step(
            status=row["status"], due_on=row["due_on"], reminder_days=self._reminder_days, today=today
        )
        status, sent = row["status"], 0
        if isinstance(step.notice, rules.Reminder):
            reminder = {"days_before": step.notice.days_before, "days_left": step.notice.days_left}
            sent = await self._notify(tx, row, rules.DUE, rules.reminder_notice_key(step.notice.days_before), reminder)
        elif isinstance(step.notice, rules.Overdue):
            status = "overdue"
            overdue = {"days_overdue": step.notice.days_overdue}
            sent = await self._notify(tx, row, rules.OVERDUE, rules.OVERDUE_NOTICE_KEY, overdue)
        await tx.conn.execute(
            *DEADLINES.set_obligation_check(
                obligation_id=row["id"], status=status, next_check_on=step.next_check_on, now=tx.now
            )
        )
        return sent

    async def _first_time(self, tx: Transaction, subject_id: UUID, notice: str) -> bool:
        """Record that this notice goes out today; False if it already went out (then nothing is published)."""
        recorded = await tx.conn.fetchval(
            *DEADLINES.record_notice(subject_id=subject_id, notice=notice, today=jakarta_date(tx.now))
        )
        return recorded is not None

    async def _notify(
        self, tx: Transaction, row: Row, event_types: dict[str, type[EventData]], key: str, facts: dict[str, int]
    ) -> int:
        """Publish one notice about an obligation unless it was already sent; return how many were sent."""
        event_type = event_types.get(row["kind"])
        if event_type is None or not await self._first_time(tx, row["id"], key):
            return 0
        kind = day_kind(row["due_on"])
        event = event_type.model_validate(
            {
                **obligation_facts(row),
                **facts,
                "due_on_weekend": kind.weekend,
                "due_on_holiday": kind.holiday,
                "due_on_working_day": kind.working_day,
            }
        )
        tx.publish(event, subject=str(row["id"]))
        return 1

    async def _look_at_msp(self, tx: Transaction, row: Row, today: date) -> int:
        """Today's activation, expiry warning or end of an MSP, and when to look again; the notices sent."""
        step = rules.msp_step(
            status=row["status"],
            starts_on=row["starts_on"],
            ends_on=row["ends_on"],
            warning_days=self._expiry_warning_days,
            today=today,
        )
        status, sent = row["status"], 0
        parties = {
            "msp_id": row["id"],
            "number": row["number"],
            "organization": organization_party(row),
            "ministry": ministry_party(row),
        }
        if step.end:
            status = "ended"
            closed = await tx.conn.fetch(*OBLIGATIONS.close_open_obligations(msp_id=row["id"], now=tx.now))
            await tx.conn.execute(*DEADLINES.clear_pending_extension(msp_id=row["id"]))  # nothing left to extend
            await tx.conn.execute(*REVIEWS.close_review(msp_id=row["id"], now=tx.now))
            if await self._first_time(tx, row["id"], rules.ENDED_NOTICE_KEY):
                ended = contracts.MspEnded(
                    **parties, ended_on=row["ends_on"], closed_obligation_ids=[o["id"] for o in closed]
                )
                tx.publish(ended, subject=str(row["id"]))
                sent += 1
        if step.activate:
            status = "active"
        if step.expiring is not None:
            key = rules.expiry_notice_key(row["ends_on"], step.expiring)
            if await self._first_time(tx, row["id"], key):
                expiring = contracts.MspExpiring(**parties, ends_on=row["ends_on"], days_before=step.expiring)
                tx.publish(expiring, subject=str(row["id"]))
                sent += 1
        await tx.conn.execute(
            *DEADLINES.set_msp_check(msp_id=row["id"], status=status, next_check_on=step.next_check_on, now=tx.now)
        )
        return sent

    async def _look_at_action(self, tx: Transaction, row: Row, today: date) -> int:
        """Today's reminder or overdue notice for a mitigation action (open or in progress, of an MSP in force), and
        when to look again; the notices sent."""
        step = rules.action_step(
            status=row["status"],
            msp_status=row["msp_status"],
            due_on=row["due_on"],
            reminder_days=self._reminder_days,
            today=today,
        )
        facts, sent, overdue = action_facts(row, row), 0, False
        if isinstance(step.notice, rules.Reminder):
            if await self._first_time(tx, row["id"], rules.reminder_notice_key(step.notice.days_before)):
                due = contracts.MitigationActionDue(
                    **facts, days_before=step.notice.days_before, days_left=step.notice.days_left
                )
                tx.publish(due, subject=str(row["id"]))
                sent = 1
        elif isinstance(step.notice, rules.Overdue):
            overdue = True
            if await self._first_time(tx, row["id"], rules.OVERDUE_NOTICE_KEY):
                late = contracts.MitigationActionOverdue(**facts, days_overdue=step.notice.days_overdue)
                tx.publish(late, subject=str(row["id"]))
                sent = 1
        await tx.conn.execute(
            *DEADLINES.set_mitigation_action_check(
                action_id=row["id"], overdue=overdue, next_check_on=step.next_check_on
            )
        )
        return sent
