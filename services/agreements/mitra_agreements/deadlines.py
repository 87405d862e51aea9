"""The deadline engine: reminders before each due date, overdue the day after, MSP expiry warnings, activation on
the start date and the end after the end date.

It wakes every `MITRA_DEADLINE_TICK_SECONDS` and asks the database only for what is due today (Asia/Jakarta,
under the injected clock): each obligation and MSP carries `next_check_on`, behind a partial index, so a tick
costs what falls due, not what exists. Due rows are claimed with `FOR UPDATE SKIP LOCKED`, and every notice is
written to `deadline_notices` (unique per subject and notice) in the same transaction as its outbox event: any
number of replicas, and restarts, send each notice once.

After downtime an obligation gets only the most urgent reminder that applies (see `domain.obligation_step`), and
an MSP only the most urgent expiry warning: catching up does not flood anyone with stale notices.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from datetime import date, datetime

import asyncpg
import structlog

from mitra_agreements import domain
from mitra_agreements.dates import day_kind
from mitra_agreements.services import QUERIES, ministry_party, obligation_facts, organization_party
from mitra_shared import outbox
from mitra_shared.clock import Clock, jakarta_date
from mitra_shared.contracts import agreements as contracts
from mitra_shared.events import EventData, new_event

log = structlog.get_logger(__name__)

_DUE: dict[str, type[EventData]] = {
    "action_plan": contracts.ActionPlanDue,
    "work_plan": contracts.WorkPlanDue,
    "semester_report": contracts.ReportDue,
    "annual_report": contracts.ReportDue,
}
_OVERDUE: dict[str, type[EventData]] = {
    "action_plan": contracts.ActionPlanOverdue,
    "work_plan": contracts.WorkPlanOverdue,
    "semester_report": contracts.ReportOverdue,
    "annual_report": contracts.ReportOverdue,
}


class DeadlineEngine:
    name = "deadline engine"

    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        clock: Clock,
        tick_seconds: float,
        reminder_days: Sequence[int] = domain.DEFAULT_REMINDER_DAYS,
        expiry_warning_days: Sequence[int] = domain.DEFAULT_EXPIRY_WARNING_DAYS,
        batch_size: int = 500,
    ) -> None:
        self._pool = pool
        self._clock = clock
        self._tick_seconds = tick_seconds
        self._reminder_days = tuple(reminder_days)
        self._expiry_warning_days = tuple(expiry_warning_days)
        self._batch_size = batch_size
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.last_error: str | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        """Finish the tick in hand, then stop."""
        self._stopping.set()
        if self._task is not None:
            await self._task

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.tick()
                self.last_error = None
            except Exception as error:  # a broken database must not end the loop: log and try next tick
                self.last_error = f"{type(error).__name__}: {error}"
                log.error("deadline engine tick failed; retrying next tick", error=self.last_error)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self._tick_seconds)

    async def tick(self) -> int:
        """Handle everything due today; return how many notices were sent."""
        now = self._clock()
        today = jakarta_date(now)
        sent = 0
        while True:
            handled, notices = await self._obligations_batch(today, now)
            sent += notices
            if handled < self._batch_size:
                break
        while True:
            handled, notices = await self._msps_batch(today, now)
            sent += notices
            if handled < self._batch_size:
                break
        if sent:
            log.info("deadline notices sent", count=sent, today=today.isoformat())
        return sent

    async def _obligations_batch(self, today: date, now: datetime) -> tuple[int, int]:
        sent = 0
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(QUERIES.claim_due_obligations, today, self._batch_size)
            for row in rows:
                step = domain.obligation_step(
                    status=row["status"], due_on=row["due_on"], reminder_days=self._reminder_days, today=today
                )
                status = row["status"]
                if isinstance(step.notice, domain.Reminder):
                    reminder = {"days_before": step.notice.days_before, "days_left": step.notice.days_left}
                    key = domain.reminder_notice_key(step.notice.days_before)
                    sent += await self._notify(conn, row, _DUE, key, reminder, today, now)
                elif isinstance(step.notice, domain.Overdue):
                    status = "overdue"
                    overdue = {"days_overdue": step.notice.days_overdue}
                    sent += await self._notify(conn, row, _OVERDUE, domain.OVERDUE_NOTICE_KEY, overdue, today, now)
                await conn.execute(QUERIES.set_obligation_check, row["id"], status, step.next_check_on, now)
        return len(rows), sent

    async def _notify(
        self,
        conn: asyncpg.Connection,
        row: asyncpg.Record,
        event_types: dict[str, type[EventData]],
        key: str,
        facts: dict[str, int],
        today: date,
        now: datetime,
    ) -> int:
        """Publish one notice about an obligation unless it was already sent; return how many were sent."""
        event_type = event_types.get(row["kind"])
        if event_type is None or not await conn.fetchval(QUERIES.record_notice, row["id"], key, today):
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
        await outbox.record(conn, new_event(event, subject=str(row["id"]), time=now))
        return 1

    async def _msps_batch(self, today: date, now: datetime) -> tuple[int, int]:
        sent = 0
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(QUERIES.claim_due_msps, today, self._batch_size)
            for row in rows:
                step = domain.msp_step(
                    status=row["status"],
                    starts_on=row["starts_on"],
                    ends_on=row["ends_on"],
                    warning_days=self._expiry_warning_days,
                    today=today,
                )
                status = row["status"]
                if step.end:
                    status = "ended"
                    await conn.execute(QUERIES.close_open_obligations, row["id"], now)
                    if await conn.fetchval(QUERIES.record_notice, row["id"], domain.ENDED_NOTICE_KEY, today):
                        ended = contracts.MspEnded(
                            msp_id=row["id"],
                            number=row["number"],
                            organization=organization_party(row),
                            ministry=ministry_party(row),
                            ended_on=row["ends_on"],
                        )
                        await outbox.record(conn, new_event(ended, subject=str(row["id"]), time=now))
                        sent += 1
                if step.activate:
                    status = "active"
                if step.expiring is not None:
                    key = domain.expiry_notice_key(row["ends_on"], step.expiring)
                    if await conn.fetchval(QUERIES.record_notice, row["id"], key, today):
                        expiring = contracts.MspExpiring(
                            msp_id=row["id"],
                            number=row["number"],
                            organization=organization_party(row),
                            ministry=ministry_party(row),
                            ends_on=row["ends_on"],
                            days_before=step.expiring,
                        )
                        await outbox.record(conn, new_event(expiring, subject=str(row["id"]), time=now))
                        sent += 1
                await conn.execute(QUERIES.set_msp_check, row["id"], status, step.next_check_on, now)
        return len(rows), sent
