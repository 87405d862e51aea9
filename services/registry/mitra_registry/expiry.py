"""The permit-expiry scheduler: reminders before a permit ends, and the permit marked expired once it has.

Each tick (and whenever a permit is granted or extended) it works out today's date in Asia/Jakarta from its clock,
then, one batch of locked permit rows per transaction:

- marks expired every valid permit whose last valid day is past, with `registry.permit.expired`; the status
  condition of the update makes that happen once, whichever replica gets there;
- sends each valid permit the reminder it is owed (`registry.permit.expiring`; see `reminder_windows` for which),
  recording it in `permit_reminders` in the same transaction as the event. The table's key is what makes every
  reminder exactly-once with any number of replicas and across restarts: a replica that comes second finds the
  key taken, and its transaction carries no event.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import asyncpg

from mitra_registry.permits import WAKE_CHANNEL
from mitra_registry.permits_domain import reminder_windows
from mitra_shared import outbox
from mitra_shared.clock import Clock, jakarta_date, system_clock
from mitra_shared.contracts.registry import PermitExpired, PermitExpiring
from mitra_shared.db import Queries
from mitra_shared.events import new_event
from mitra_shared.worker import PollingWorker

QUERIES = Queries.from_package("mitra_registry", "expiry.sql")


class ExpiryScheduler(PollingWorker):
    name = "permit expiry scheduler"

    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        listen_dsn: str,
        lead_days: Sequence[int] = (90, 30),
        tick_seconds: float = 300.0,
        batch_size: int = 200,
        clock: Clock = system_clock,
    ) -> None:
        super().__init__(
            listen_dsn=listen_dsn, wake_channel=WAKE_CHANNEL, batch_size=batch_size, poll_interval=tick_seconds
        )
        self._pool = pool
        self._lead_days = tuple(lead_days)
        self._clock = clock

    async def run_once(self) -> int:
        today = jakarta_date(self._clock())
        return await self.expire_lapsed(today) + await self.send_due_reminders(today)

    async def expire_lapsed(self, today: date) -> int:
        """Mark one batch of permits that ended before `today` expired; return how many."""
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(QUERIES.claim_lapsed_permits, today, self._batch_size)
            expired = 0
            for row in rows:
                now = self._clock()
                if await conn.fetchval(QUERIES.mark_expired, row["id"], now) is None:
                    continue
                event = PermitExpired(
                    permit_id=row["id"],
                    organization_id=row["organization_id"],
                    organization_name=row["organization_name"],
                    permit_type=row["permit_type"],
                    number=row["number"],
                    valid_until=row["valid_until"],
                )
                await outbox.record(conn, new_event(event, subject=str(row["id"]), time=now))
                expired += 1
        return expired

    async def send_due_reminders(self, today: date) -> int:
        """Send one batch of the reminders owed today, per lead time; return how many were sent."""
        sent = 0
        for window in reminder_windows(today, self._lead_days):
            async with self._pool.acquire() as conn, conn.transaction():
                rows = await conn.fetch(
                    QUERIES.claim_due_reminders, window.first, window.last, window.days_before, self._batch_size
                )
                for row in rows:
                    now = self._clock()
                    recorded = await conn.fetchval(
                        QUERIES.record_reminder, row["id"], row["valid_until"], window.days_before, now
                    )
                    if not recorded:
                        continue
                    event = PermitExpiring(
                        permit_id=row["id"],
                        organization_id=row["organization_id"],
                        organization_name=row["organization_name"],
                        permit_type=row["permit_type"],
                        number=row["number"],
                        valid_until=row["valid_until"],
                        days_before=window.days_before,
                    )
                    await outbox.record(conn, new_event(event, subject=str(row["id"]), time=now))
                    sent += 1
        return sent
