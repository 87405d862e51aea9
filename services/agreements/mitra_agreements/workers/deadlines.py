"""The deadline engine: reminders before each due date, overdue the day after (obligations and mitigation actions),
MSP expiry warnings, activation on the start date and the end after the end date.

It runs on the shared `PollingWorker`: at least every `MITRA_DEADLINE_TICK_SECONDS`, at once again while a batch
was full, and whenever something sends `NOTIFY agreements_deadlines`. It asks the database only for what is due
today (Asia/Jakarta, under the service's clock), so a pass costs what falls due, not what exists. Every notice is
written to `deadline_notices` (unique per subject and notice) in the same transaction as its event: any number of
replicas, and restarts, send each notice once.

Obligations are by far the most numerous, and a reminder changes nothing of its obligation, so a reminder writes
no obligation row (each write would write the row's five indexes too). The engine reads who is owed one by due
date: a reminder day ahead of each day since its last complete look at reminders (`deadline_looks`), not yet
reminded (`due_reminders`). What changes an obligation is claimed with `FOR UPDATE SKIP LOCKED`: one past its due
date becomes overdue, and one created inside its reminder window (the calendar's day for it had passed) or
returned for revision is owed a look (`next_check_on`). MSPs and mitigation actions, fewer, carry their next look
in `next_check_on`, behind a partial index. Replicas may read the same reminders; one that meets a notice another
has recorded but not committed waits for it and sends it only if the other's change is undone.

A batch costs a few statements, not a few per row: one claims or reads it, the pure rules decide each row in one
pass, one records the batch's notices (only those never sent come back, and only those are published), and one
writes the rows that change. Only an MSP that ends does more of its own (closing its obligations and review).
While the database records the notices and writes the rows, the engine builds the notices' events: neither waits
for the other. Obligations are claimed, and reminders read, in `lanes` batches at once, each in its own
transaction on its own connection (`SKIP LOCKED` keeps claims apart as it keeps replicas apart; reminders are
read once and split): while the database works on one batch, the engine builds another's events.

After downtime an obligation gets only the most urgent reminder that applies (see `domain.deadlines`), and an MSP
only the most urgent expiry warning: catching up does not flood anyone with stale notices.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date
from functools import partial
from typing import Any
from uuid import UUID

import structlog

from mitra_agreements.domain import deadlines as rules
from mitra_agreements.domain.dates import ONE_DAY, day_kind
from mitra_agreements.domain.policy import DEFAULT_EXPIRY_WARNING_DAYS, DEFAULT_REMINDER_DAYS
from mitra_agreements.sql import DEADLINES, OBLIGATIONS, REVIEWS
from mitra_agreements.usecases.event_facts import ministry_party, obligation_facts, organization_party
from mitra_agreements.usecases.monitoring import action_facts
from mitra_agreements.workers.passes import Checks, Notice, Pass, all_lanes
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
YIELD_EVERY = 25  # events built between two turns of the event loop
Row = Mapping[str, Any]
LookAt = Callable[[Transaction, Sequence[Row], date], Awaitable[int]]


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
        lanes: int = 2,
    ) -> None:
        super().__init__(
            listen_dsn=listen_dsn, wake_channel=WAKE_CHANNEL, batch_size=batch_size, poll_interval=tick_seconds
        )
        self._uow = uow
        self._clock = clock
        self._reminder_days = tuple(reminder_days)
        self._expiry_warning_days = tuple(expiry_warning_days)
        self._lanes = lanes
        self._reminded_on: date | None = None  # the last day whose reminders all went out, as last read or done

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
            if not done.full:
                return sent

    async def _pass(self) -> Pass:
        """Batches of obligations to change; once none is left, of reminders; then a batch of due MSPs; then of due
        mitigation actions. Obligations come first, so that an MSP ending today closes only obligations already
        told they are overdue."""
        context = Context.for_system(COMPONENT, self._clock())
        lanes = await self._obligation_lanes(context)
        rows, notices = sum(rows for rows, _ in lanes), sum(sent for _, sent in lanes)
        if any(lane_rows >= self._batch_size for lane_rows, _ in lanes):
            return Pass(rows, notices, full=True)
        reminded = await self._reminders(context)
        rows, notices = rows + reminded.rows, notices + reminded.notices
        if reminded.full:
            return Pass(rows, notices, full=True)
        today, limit = jakarta_date(context.now), self._batch_size
        claim_msps = DEADLINES.claim_due_msps(today=today, limit=limit)
        msp_rows, msp_notices = await self._batch(context, claim_msps, self._look_at_msps)
        rows, notices = rows + msp_rows, notices + msp_notices
        if msp_rows >= self._batch_size:
            return Pass(rows, notices, full=True)
        claim_actions = DEADLINES.claim_due_mitigation_actions(today=today, limit=limit)
        action_rows, action_notices = await self._batch(context, claim_actions, self._look_at_actions)
        return Pass(rows + action_rows, notices + action_notices, full=action_rows >= self._batch_size)

    async def _obligation_lanes(self, context: Context) -> list[tuple[int, int]]:
        """A batch of obligations to change in each lane at once; each commits or fails alone."""
        claim = DEADLINES.claim_due_obligations(
            today=jakarta_date(context.now), overdue_kinds=sorted(rules.OVERDUE), limit=self._batch_size
        )
        return await all_lanes(self._batch(context, claim, self._look_at_obligations) for _ in range(self._lanes))

    async def _reminders(self, context: Context) -> Pass:
        """The reminders owed today that have not gone out: up to a batch per lane, read in one statement (nothing
        is claimed: no row changes), each lane's batch sent in its own change. Once fewer than the lanes' batches
        were left, today's look at reminders is complete, and later passes today read nothing."""
        today = jakarta_date(context.now)
        if self._reminded_on is None or self._reminded_on < today:
            async with self._uow.read() as conn:
                self._reminded_on = await conn.fetchval(DEADLINES.reminders_looked_on) or today - ONE_DAY
        due_dates = rules.reminder_calendar(self._reminded_on, today, self._reminder_days)
        if not due_dates:
            self._reminded_on = today  # nothing to remind of up to today (no reminder days, say)
            return Pass(0, 0, full=False)
        leads = sorted(self._reminder_days)
        limit = self._batch_size * self._lanes
        async with self._uow.read() as conn:
            rows = await conn.fetch(
                *DEADLINES.due_reminders(
                    today=today,
                    due_kinds=sorted(rules.DUE),
                    due_dates=due_dates,
                    leads=leads,
                    lead_keys=[rules.reminder_notice_key(lead) for lead in leads],
                    limit=limit,
                )
            )
        batches = [rows[start : start + self._batch_size] for start in range(0, len(rows), self._batch_size)]
        lanes = await all_lanes(self._remind(context, batch, today) for batch in batches)
        if len(rows) < limit:
            async with self._uow.change(context) as tx:
                await tx.conn.execute(*DEADLINES.record_reminders_look(today=today))
            self._reminded_on = today
        return Pass(len(rows), sum(lanes), full=len(rows) >= limit)

    async def _remind(self, context: Context, rows: Sequence[Row], today: date) -> int:
        """Send a batch of reminders in one change: their notices recorded (for obligations still open) and their
        events; no obligation is written, as none was locked."""
        async with self._uow.change(context) as tx:
            notices, _ = self._obligation_notices(rows, today)
            return await self._settle(tx, notices, today, None, DEADLINES.record_reminders)

    async def _batch(self, context: Context, claim: tuple[Any, ...], look_at: LookAt) -> tuple[int, int]:
        """Claim a batch of what is due today and look at it, in one change; the rows and the notices sent."""
        today = jakarta_date(context.now)
        async with self._uow.change(context) as tx:
            rows = await tx.conn.fetch(*claim)
            sent = await look_at(tx, rows, today) if rows else 0
        return len(rows), sent

    async def _settle(
        self,
        tx: Transaction,
        notices: Sequence[Notice],
        today: date,
        checks: tuple[Any, ...] | None,
        record: Query = DEADLINES.record_notices,
    ) -> int:
        """Record the batch's notices, write its rows' next checks, and publish, in the batch's order, the notices
        that had not gone out before (the others are already in the outbox, from an earlier change); the notices
        sent. The statements run one after the other on the change's connection while this builds the events: the
        events' data while the notices are recorded, their envelopes while the checks are written (each about as
        long as the other), so that neither waits for the other."""
        recorded: asyncio.Future[set[tuple[UUID, str]]] = asyncio.get_running_loop().create_future()
        writing = asyncio.ensure_future(self._record_and_check(tx, notices, today, checks, recorded, record))
        try:
            events = []
            for built, notice in enumerate(notices, start=1):
                events.append(notice.event())
                if built % YIELD_EVERY == 0:
                    await asyncio.sleep(0)  # let the loop carry the statements' round trips
            await asyncio.wait((recorded, writing), return_when=asyncio.FIRST_COMPLETED)
            if not recorded.done():
                await writing  # it ended before recording: raises why
            first = recorded.result()
            sent = 0
            for notice, event in zip(notices, events, strict=True):
                if (notice.subject_id, notice.key) in first:
                    tx.publish(event, subject=str(notice.subject_id))
                    sent += 1
            await writing
        finally:
            if not writing.done():
                writing.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await writing
        return sent

    async def _record_and_check(
        self,
        tx: Transaction,
        notices: Sequence[Notice],
        today: date,
        checks: tuple[Any, ...] | None,
        recorded: asyncio.Future[set[tuple[UUID, str]]],
        record: Query = DEADLINES.record_notices,
    ) -> None:
        """Record the notices in one statement and hand over those never sent before, then write the checks (if
        any row changes)."""
        first: set[tuple[UUID, str]] = set()
        if notices:
            rows = await tx.conn.fetch(
                *record(
                    subject_ids=[notice.subject_id for notice in notices],
                    notices=[notice.key for notice in notices],
                    today=today,
                )
            )
            first = {(row["subject_id"], row["notice"]) for row in rows}
        recorded.set_result(first)
        if checks is not None:
            await tx.conn.execute(*checks)

    async def _look_at_obligations(self, tx: Transaction, rows: Sequence[Row], today: date) -> int:
        """Today's reminder or overdue notice for each claimed obligation, and the rows that change (overdue now, or
        a look owed done); the notices sent."""
        notices, changed = self._obligation_notices(rows, today)
        writes = None
        if changed:
            writes = DEADLINES.set_obligation_checks(ids=list(changed), statuses=list(changed.values()), now=tx.now)
        return await self._settle(tx, notices, today, writes)

    def _obligation_notices(self, rows: Sequence[Row], today: date) -> tuple[list[Notice], dict[UUID, str]]:
        """Today's reminder or overdue notice for each obligation, and the status of each row that changes (overdue
        now, or a look owed done). A reminder alone changes nothing."""
        notices: list[Notice] = []
        changed: dict[UUID, str] = {}
        steps: dict[tuple[str, date], rules.ObligationStep] = {}  # a batch's rows share few due dates
        for row in rows:
            status = row["status"]
            step = steps.get((status, row["due_on"]))
            if step is None:
                step = rules.obligation_step(
                    status=status, due_on=row["due_on"], reminder_days=self._reminder_days, today=today
                )
                steps[status, row["due_on"]] = step
            if isinstance(step.notice, rules.Reminder):
                reminder = {"days_before": step.notice.days_before, "days_left": step.notice.days_left}
                key = rules.reminder_notice_key(step.notice.days_before)
                notices += _obligation_notice(row, rules.DUE, key, reminder)
            elif isinstance(step.notice, rules.Overdue):
                status = "overdue"
                overdue = {"days_overdue": step.notice.days_overdue}
                notices += _obligation_notice(row, rules.OVERDUE, rules.OVERDUE_NOTICE_KEY, overdue)
            if status != row["status"] or row["next_check_on"] is not None:
                changed[row["id"]] = status
        return notices, changed

    async def _look_at_msps(self, tx: Transaction, rows: Sequence[Row], today: date) -> int:
        """Today's activation, expiry warning or end of each MSP, and when to look again; the notices sent."""
        notices: list[Notice] = []
        checks = Checks()
        for row in rows:
            step = rules.msp_step(
                status=row["status"],
                starts_on=row["starts_on"],
                ends_on=row["ends_on"],
                warning_days=self._expiry_warning_days,
                today=today,
            )
            status = row["status"]
            parties = {
                "msp_id": row["id"],
                "number": row["number"],
                "organization": organization_party(row),
                "ministry": ministry_party(row),
            }
            if step.end:
                status = "ended"
                closed = await self._end(tx, row["id"])
                ended = partial(contracts.MspEnded, **parties, ended_on=row["ends_on"], closed_obligation_ids=closed)
                notices.append(Notice(row["id"], rules.ENDED_NOTICE_KEY, ended))
            if step.activate:
                status = "active"
            if step.expiring is not None:
                key = rules.expiry_notice_key(row["ends_on"], step.expiring)
                expiring = partial(contracts.MspExpiring, **parties, ends_on=row["ends_on"], days_before=step.expiring)
                notices.append(Notice(row["id"], key, expiring))
            checks.add(row["id"], status, step.next_check_on)
        writes = DEADLINES.set_msp_checks(
            ids=checks.ids, statuses=checks.states, next_check_ons=checks.next_check_ons, now=tx.now
        )
        return await self._settle(tx, notices, today, writes)

    async def _end(self, tx: Transaction, msp_id: UUID) -> list[UUID]:
        """Close what an ending MSP leaves open (rare: a few MSPs a day, so one by one); the obligations closed."""
        closed = await tx.conn.fetch(*OBLIGATIONS.close_open_obligations(msp_id=msp_id, now=tx.now))
        await tx.conn.execute(*DEADLINES.clear_pending_extension(msp_id=msp_id))  # nothing left to extend
        await tx.conn.execute(*REVIEWS.close_review(msp_id=msp_id, now=tx.now))
        return [obligation["id"] for obligation in closed]

    async def _look_at_actions(self, tx: Transaction, rows: Sequence[Row], today: date) -> int:
        """Today's reminder or overdue notice for each mitigation action (open or in progress, of an MSP in force),
        and when to look again; the notices sent."""
        notices: list[Notice] = []
        checks = Checks()
        for row in rows:
            step = rules.action_step(
                status=row["status"],
                msp_status=row["msp_status"],
                due_on=row["due_on"],
                reminder_days=self._reminder_days,
                today=today,
            )
            overdue = False
            if isinstance(step.notice, rules.Reminder):
                key = rules.reminder_notice_key(step.notice.days_before)
                due = partial(
                    contracts.MitigationActionDue,
                    **action_facts(row, row),
                    days_before=step.notice.days_before,
                    days_left=step.notice.days_left,
                )
                notices.append(Notice(row["id"], key, due))
            elif isinstance(step.notice, rules.Overdue):
                overdue = True
                late = partial(
                    contracts.MitigationActionOverdue, **action_facts(row, row), days_overdue=step.notice.days_overdue
                )
                notices.append(Notice(row["id"], rules.OVERDUE_NOTICE_KEY, late))
            checks.add(row["id"], overdue, step.next_check_on)
        writes = DEADLINES.set_mitigation_action_checks(
            ids=checks.ids, overdue=checks.states, next_check_ons=checks.next_check_ons
        )
        return await self._settle(tx, notices, today, writes)


def _obligation_notice(
    row: Row, event_types: Mapping[str, type[EventData]], key: str, facts: dict[str, int]
) -> list[Notice]:
    """The notice an obligation is owed, if its kind has an event for it (an extension decision has none)."""
    event_type = event_types.get(row["kind"])
    if event_type is None:
        return []
    return [Notice(row["id"], key, partial(_obligation_event, event_type, row, facts))]


def _obligation_event(event_type: type[EventData], row: Row, facts: dict[str, int]) -> EventData:
    kind = day_kind(row["due_on"])
    return event_type.model_validate(
        {
            **obligation_facts(row),
            **facts,
            "due_on_weekend": kind.weekend,
            "due_on_holiday": kind.holiday,
            "due_on_working_day": kind.working_day,
        }
    )
