"""The set-based deadline tick against the engine as it was before (one statement per notice and per row, every
obligation looked at on the day its `next_check_on` named, the next look written back), on copies of one database:
over a year of days (with downtime in it), obligations with reminders 30, 7 and 1 days before and overdue, due
dates on a weekend and on a holiday, work plans per region, MSPs activated, warned of their end and ended,
mitigation actions open, in progress and done. The new tick, which finds reminders by due date and writes no
obligation for one, publishes exactly the events the old one did (the same types, subjects, times and payloads,
on the same days) and leaves every status as it did; two replicas racing with small batches, and a restarted one,
send each notice once, and the same notices.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import date, timedelta
from typing import Any

import asyncpg
import pytest
from support.agreements_world import AGREEMENTS
from support.clock import FakeClock
from support.database import ADMIN_DSN, drop_database, migrated_pool
from test_agreements import published, seed, signed_msp

from mitra_agreements.domain import deadlines as rules
from mitra_agreements.domain import obligations
from mitra_agreements.domain.dates import day_kind
from mitra_agreements.domain.policy import DEFAULT_REMINDER_DAYS
from mitra_agreements.sql import DEADLINES, OBLIGATIONS, REVIEWS
from mitra_agreements.usecases.event_facts import ministry_party, obligation_facts, organization_party
from mitra_agreements.usecases.monitoring import action_facts
from mitra_agreements.workers.deadlines import DeadlineEngine, Pass, Row
from mitra_shared import db
from mitra_shared.clock import jakarta_date
from mitra_shared.context import Context
from mitra_shared.contracts import agreements as contracts
from mitra_shared.documents import DOCUMENTS_MIGRATIONS
from mitra_shared.events import EventData
from mitra_shared.uow import Transaction, UnitOfWork

pytestmark = pytest.mark.integration

FIRST_DAY, LAST_DAY = date(2026, 12, 20), date(2028, 1, 5)
LATE_DAY = date(2027, 3, 3)  # a report is added, due in ten days: inside its reminder window from the start
DOWN = (date(2027, 6, 20), date(2027, 7, 27))  # the engine does not run on these days, then catches up
MIGRATIONS = [DOCUMENTS_MIGRATIONS, AGREEMENTS]

# The statements of the engine before the set-based tick, one per notice and one per row.
RECORD_NOTICE = """INSERT INTO deadline_notices (subject_id, notice, sent_on) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING RETURNING subject_id"""
SET_OBLIGATION = "UPDATE obligations SET status = $2, next_check_on = $3, updated_at = $4 WHERE id = $1"
CLAIM_OBLIGATIONS = """SELECT o.*, m.organization_id, m.organization_name, m.ministry_code
FROM obligations o JOIN msps m ON m.id = o.msp_id
WHERE o.next_check_on IS NOT NULL AND o.next_check_on <= $1
ORDER BY o.next_check_on LIMIT $2 FOR UPDATE OF o SKIP LOCKED"""
# Where the engine before looked at each open obligation first: its first reminder day.
FIRST_LOOKS = """UPDATE obligations SET next_check_on = due_on - $1::int
WHERE status IN ('pending', 'returned') AND kind <> 'extension_decision'"""
SET_MSP = """UPDATE msps SET status = $2, next_check_on = $3, updated_at = $4,
    version = version + (CASE WHEN status = $2 THEN 0 ELSE 1 END) WHERE id = $1"""
SET_ACTION = "UPDATE mitigation_actions SET overdue = overdue OR $2, next_check_on = $3 WHERE id = $1"


class PerRowEngine(DeadlineEngine):
    """The engine as it was before the set-based tick (its code, with its statements inline): each row of a batch
    on its own, each notice recorded and published on its own, each row's next check written on its own."""

    async def _obligation_lanes(self, context: Context) -> list[tuple[int, int]]:
        today = jakarta_date(context.now)
        async with self._uow.change(context) as tx:
            rows = await tx.conn.fetch(CLAIM_OBLIGATIONS, today, self._batch_size)
            sent = await self._look_at_obligations(tx, rows, today)
        return [(len(rows), sent)]

    async def _reminders(self, context: Context) -> Pass:
        return Pass(0, 0, full=False)  # each reminder came from its obligation's next check

    async def _look_at_obligations(self, tx: Transaction, rows: Sequence[Row], today: date) -> int:
        return sum([await self._look_at_obligation(tx, row, today) for row in rows])

    async def _look_at_msps(self, tx: Transaction, rows: Sequence[Row], today: date) -> int:
        return sum([await self._look_at_msp(tx, row, today) for row in rows])

    async def _look_at_actions(self, tx: Transaction, rows: Sequence[Row], today: date) -> int:
        return sum([await self._look_at_action(tx, row, today) for row in rows])

    async def _look_at_obligation(self, tx: Transaction, row: Row, today: date) -> int:
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
        await tx.conn.execute(SET_OBLIGATION, row["id"], status, step.next_check_on, tx.now)
        return sent

    async def _first_time(self, tx: Transaction, subject_id: uuid.UUID, notice: str) -> bool:
        return await tx.conn.fetchval(RECORD_NOTICE, subject_id, notice, jakarta_date(tx.now)) is not None

    async def _notify(
        self, tx: Transaction, row: Row, event_types: dict[str, type[EventData]], key: str, facts: dict[str, int]
    ) -> int:
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
            await tx.conn.execute(*DEADLINES.clear_pending_extension(msp_id=row["id"]))
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
        await tx.conn.execute(SET_MSP, row["id"], status, step.next_check_on, tx.now)
        return sent

    async def _look_at_action(self, tx: Transaction, row: Row, today: date) -> int:
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
        await tx.conn.execute(SET_ACTION, row["id"], overdue, step.next_check_on)
        return sent


async def build_world(pool: asyncpg.Pool, clock: FakeClock, uow: UnitOfWork) -> None:
    world = await seed(pool)
    clock.set(FIRST_DAY)
    ending = await signed_msp(uow, world, clock, ends_on=date(2027, 12, 31))  # activated, warned, ended
    running = await signed_msp(uow, world, clock)  # work plans for Kota Semarang and Jawa Tengah
    clock.set(date(2027, 2, 17))
    await signed_msp(uow, world, clock, work_location_codes=[])  # its Action Plan falls on Independence Day
    actions = [
        (ending, "ngo", None, date(2027, 3, 10), "open"),
        (running, "region", "33", date(2027, 2, 1), "in_progress"),
        (ending, "ngo", None, date(2028, 2, 15), "open"),  # after its MSP ended: nothing more is asked
        (running, "ministry", None, date(2027, 4, 1), "done"),
        (running, "ngo", None, date(2027, 7, 10), "open"),  # its reminders fall in the downtime
    ]
    for msp_id, owner, region, due_on, status in actions:
        await pool.execute(
            """INSERT INTO mitigation_actions (id, msp_id, description, owner, owner_region_code, region_code, due_on,
                                               status, opened_by, opened_at, next_check_on, updated_at)
               VALUES ($1, $2, 'Perbaiki laporan keuangan', $3, $4, $4, $5, $6, 'tpoa-1', now(), $7, now())""",
            uuid.uuid4(),
            msp_id,
            owner,
            region,
            due_on,
            status,
            rules.first_check(due_on, DEFAULT_REMINDER_DAYS),
        )


@asynccontextmanager
async def copy_of(template: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on a new database copied from `template` (nobody may be connected to it meanwhile)."""
    name = f"mitra_test_copy_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(ADMIN_DSN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{db.database_name(template)}"')
    finally:
        await admin.close()
    dsn = db.with_database(ADMIN_DSN, name)
    try:
        pool = await db.create_pool(dsn, min_size=1, max_size=4)
        try:
            yield pool
        finally:
            await pool.close()
    finally:
        await drop_database(dsn)


async def add_late_report(pool: asyncpg.Pool, day: date, first_look: date) -> None:
    """The same report in each copy (one id), made on `day` and due ten days later, its first look on
    `first_look`: the engine before looked first on its first reminder day, the new one owes it a look today."""
    await pool.execute(
        """INSERT INTO obligations (id, msp_id, kind, period, due_on, status, next_check_on, created_at, updated_at)
           SELECT $1, id, 'semester_report', 'late', $2::date + 10, 'pending', $3, $2, $2 FROM msps
           WHERE status = 'active' ORDER BY id LIMIT 1""",
        uuid.UUID(int=LATE_DAY.toordinal()),
        day,
        first_look,
    )


def days() -> list[date]:
    day, every = FIRST_DAY, []
    while day <= LAST_DAY:
        if not DOWN[0] <= day <= DOWN[1]:
            every.append(day)
        day += timedelta(days=1)
    return every


async def events(pool: asyncpg.Pool) -> list[tuple[Any, ...]]:
    """Each deadline event in the outbox, oldest first, without what is new in every run (its id, its correlation
    id)."""
    found = []
    for event in await published(pool):
        if not event["routing_key"].endswith((".due", ".overdue", ".expiring", ".ended")):
            continue
        data = dict(event["data"])
        if "closed_obligation_ids" in data:
            data["closed_obligation_ids"] = sorted(data["closed_obligation_ids"])
        found.append((event["routing_key"], event["type"], event["subject"], event["time"], json.dumps(data)))
    return found


async def rows(pool: asyncpg.Pool) -> dict[str, list[tuple[Any, ...]]]:
    """What the engine writes, table by table."""
    statements = {
        "obligations": "SELECT id, status FROM obligations ORDER BY id",
        "msps": "SELECT id, status, next_check_on, version, pending_extension, updated_at FROM msps ORDER BY id",
        "actions": "SELECT id, overdue, next_check_on FROM mitigation_actions ORDER BY id",
        "notices": "SELECT subject_id, notice, sent_on FROM deadline_notices ORDER BY subject_id, notice",
        "reviews": "SELECT id, status, closed_at FROM msp_reviews ORDER BY id",
    }
    return {name: [tuple(row) for row in await pool.fetch(sql)] for name, sql in statements.items()}


def engine(kind: type[DeadlineEngine], pool: asyncpg.Pool, clock: FakeClock, batch_size: int) -> DeadlineEngine:
    uow = UnitOfWork(pool, "agreements")
    return kind(uow=uow, clock=clock, listen_dsn="unused", tick_seconds=3600, batch_size=batch_size)


async def test_the_set_based_tick_sends_what_the_per_row_tick_sent(database: str) -> None:
    clock = FakeClock(FIRST_DAY)
    async with migrated_pool(database, MIGRATIONS) as pool:
        await build_world(pool, clock, UnitOfWork(pool, "agreements"))
    async with copy_of(database) as before, copy_of(database) as after, copy_of(database) as racing:
        await before.execute(FIRST_LOOKS, max(DEFAULT_REMINDER_DAYS))
        old, new = engine(PerRowEngine, before, clock, 500), engine(DeadlineEngine, after, clock, 500)
        first, second = engine(DeadlineEngine, racing, clock, 2), engine(DeadlineEngine, racing, clock, 2)
        counted = {"old": 0, "new": 0, "racing": 0}
        for day in days():
            clock.set(day)
            if day == LATE_DAY:
                report = obligations.PlannedObligation("semester_report", "late", day + timedelta(days=10))
                await add_late_report(before, day, rules.first_check(report.due_on, DEFAULT_REMINDER_DAYS))
                for copy in (after, racing):
                    await add_late_report(copy, day, rules.first_check_of(report, DEFAULT_REMINDER_DAYS, day))
            counted["old"] += await old.tick()
            counted["new"] += await new.tick()
            by_first, by_second = await asyncio.gather(first.tick(), second.tick())
            counted["racing"] += by_first + by_second
            assert await engine(DeadlineEngine, racing, clock, 2).tick() == 0  # a restarted replica: nothing left
        sent_before, sent_after, sent_racing = await events(before), await events(after), await events(racing)
        # Each event carries its day's time: the same events on the same days (within a day, reminders are now
        # sent in due-date order, not in the order of the old next checks).
        assert sorted(sent_after) == sorted(sent_before)
        assert sorted(sent_racing) == sorted(sent_before)
        assert counted == {"old": len(sent_before), "new": len(sent_before), "racing": len(sent_before)}
        assert await rows(after) == await rows(before)
        assert await rows(racing) == await rows(before)
        # Every look owed was done; only the calendar is left.
        assert await after.fetchval("SELECT count(*) FROM obligations WHERE next_check_on IS NOT NULL") == 0
    kinds = {routing_key for routing_key, *_ in sent_before}
    assert kinds >= {
        "agreements.action_plan.due",
        "agreements.action_plan.overdue",
        "agreements.work_plan.due",
        "agreements.work_plan.overdue",
        "agreements.report.due",
        "agreements.report.overdue",
        "agreements.msp.expiring",
        "agreements.msp.ended",
        "agreements.mitigation_action.due",
        "agreements.mitigation_action.overdue",
    }
    payloads = [json.loads(data) for *_, data in sent_before]
    assert {p.get("days_before") for p in payloads} >= {30, 7, 1, 90, 180}
    late = [p for p in payloads if p.get("obligation_id") == str(uuid.UUID(int=LATE_DAY.toordinal()))]
    assert [(p.get("days_before"), p.get("days_left")) for p in late] == [(30, 10), (7, 7), (1, 1), (None, None)]
    assert any(p.get("due_on_holiday") for p in payloads)
    assert any(p.get("due_on_weekend") for p in payloads)
    assert {p.get("region_code") for p in payloads} >= {"3374", "33"}
