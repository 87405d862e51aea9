"""The permit-expiry scheduler against the real PostgreSQL, with a clock the test moves: two replicas side by side
send each reminder and each expiry exactly once, catch up without a flood, and remind again after an extension."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta

import asyncpg
import pytest
from support import eventually
from support.clock import FakeClock

from mitra_registry.domain.permits import ExtendPermit, GrantPermit
from mitra_registry.usecases import permits
from mitra_registry.workers.permit_expiry import PermitExpiryScheduler
from mitra_shared import db
from mitra_shared.context import Context, Principal
from mitra_shared.contracts.registry import PermitExpired, PermitExpiring
from mitra_shared.uow import UnitOfWork

pytestmark = pytest.mark.integration
DAY_ONE = date(2030, 1, 1)


@pytest.fixture
async def pools(
    registry_pool: asyncpg.Pool, registry_database: str
) -> AsyncIterator[tuple[asyncpg.Pool, asyncpg.Pool]]:
    """Two pools on the same (emptied) database: one per scheduler replica, as two processes would have."""
    second = await db.create_pool(registry_database, min_size=1, max_size=3)
    try:
        yield registry_pool, second
    finally:
        await second.close()


@pytest.fixture
def clock() -> FakeClock:
    """Shared by every replica, as the wall clock would be; each test day starts at 09:00 in Jakarta."""
    return FakeClock(DAY_ONE)


def replica(
    pool: asyncpg.Pool, dsn: str, clock: FakeClock, lead_days: tuple[int, ...] = (90, 30)
) -> PermitExpiryScheduler:
    # A small batch, so that the replicas' batches interleave.
    return PermitExpiryScheduler(uow=UnitOfWork(pool), clock=clock, listen_dsn=dsn, lead_days=lead_days, batch_size=2)


def officer(clock: FakeClock) -> Context:
    """The context of an official's request at the clock's now."""
    tpoa = Principal(subject="tpoa-officer", roles=("tpoa",))
    return Context(principal=tpoa, now=clock(), request_id=str(uuid.uuid4()))


async def register_ngo(pool: asyncpg.Pool, name: str = "Islamic Relief Worldwide") -> uuid.UUID:
    organization_id = uuid.uuid4()
    await pool.execute(
        "INSERT INTO organizations (id, legal_name, country_of_origin, status, registered_at, updated_at) "
        "VALUES ($1, $2, 'GB', 'active', now(), now())",
        organization_id,
        name,
    )
    return organization_id


async def grant_principle(
    pool: asyncpg.Pool, clock: FakeClock, organization_id: uuid.UUID, number: str, days_left: int
) -> uuid.UUID:
    valid_until = clock.today + timedelta(days=days_left)
    command = GrantPermit(
        permit_type="principle", number=number, issued_on=valid_until - timedelta(days=700), valid_until=valid_until
    )
    permit = await permits.grant_permit(UnitOfWork(pool), officer(clock), organization_id, command)
    return permit.id


async def run_until_quiet(*schedulers: PermitExpiryScheduler) -> None:
    """Every replica works at once, again and again, until none of them finds anything left to do."""
    while sum(await asyncio.gather(*(scheduler.run_once() for scheduler in schedulers for _ in range(2)))) > 0:
        pass


async def reminders(pool: asyncpg.Pool) -> Counter[tuple[str, int]]:
    rows = await pool.fetch("SELECT body FROM outbox WHERE routing_key = 'registry.permit.expiring'")
    sent = [PermitExpiring.model_validate(json.loads(row["body"])["data"]) for row in rows]
    return Counter((str(event.permit_id), event.days_before) for event in sent)


async def expiries(pool: asyncpg.Pool) -> Counter[str]:
    rows = await pool.fetch("SELECT body FROM outbox WHERE routing_key = 'registry.permit.expired'")
    return Counter(str(PermitExpired.model_validate(json.loads(row["body"])["data"]).permit_id) for row in rows)


async def test_two_replicas_send_each_reminder_and_each_expiry_exactly_once(
    pools: tuple[asyncpg.Pool, asyncpg.Pool], registry_database: str, clock: FakeClock
) -> None:
    first_pool, second_pool = pools
    ngo = await register_ngo(first_pool)
    far = await grant_principle(first_pool, clock, ngo, "IP-100", days_left=100)
    near = await grant_principle(first_pool, clock, ngo, "IP-045", days_left=45)
    nearest = await grant_principle(first_pool, clock, ngo, "IP-020", days_left=20)
    untouched = await grant_principle(first_pool, clock, ngo, "IP-400", days_left=400)
    replicas = [replica(first_pool, registry_database, clock), replica(second_pool, registry_database, clock)]

    sent_on: dict[tuple[str, int], date] = {}
    for offset in range(0, 111):
        clock.set(DAY_ONE + timedelta(days=offset))
        if offset == 55:  # a replica restarts: the new process knows only what the database knows
            replicas[0] = replica(first_pool, registry_database, clock)
        await run_until_quiet(*replicas)
        for key in await reminders(first_pool):
            sent_on.setdefault(key, clock.today)

    assert await reminders(first_pool) == {
        (str(far), 90): 1,
        (str(far), 30): 1,
        (str(near), 90): 1,
        (str(near), 30): 1,
        (str(nearest), 30): 1,
    }
    # Each reminder went out on the day its lead time was reached (or at once, for a permit granted inside it).
    assert sent_on == {
        (str(far), 90): DAY_ONE + timedelta(days=10),
        (str(far), 30): DAY_ONE + timedelta(days=70),
        (str(near), 90): DAY_ONE,
        (str(near), 30): DAY_ONE + timedelta(days=15),
        (str(nearest), 30): DAY_ONE,
    }
    assert await expiries(first_pool) == {str(far): 1, str(near): 1, str(nearest): 1}
    statuses = dict(await first_pool.fetch("SELECT id, status FROM permits"))
    assert statuses == {far: "expired", near: "expired", nearest: "expired", untouched: "valid"}
    assert await first_pool.fetchval("SELECT count(*) FROM permit_reminders") == 5


async def test_the_last_valid_day_is_still_valid_and_the_next_day_expires(
    pools: tuple[asyncpg.Pool, asyncpg.Pool], registry_database: str, clock: FakeClock
) -> None:
    pool, _ = pools
    permit_id = await grant_principle(pool, clock, await register_ngo(pool), "IP-1", days_left=0)
    scheduler = replica(pool, registry_database, clock)
    await run_until_quiet(scheduler)
    assert await expiries(pool) == {}
    assert await reminders(pool) == {(str(permit_id), 30): 1}

    clock.set(DAY_ONE + timedelta(days=1))
    await run_until_quiet(scheduler)
    assert await expiries(pool) == {str(permit_id): 1}
    [row] = await pool.fetch("SELECT body FROM outbox WHERE routing_key = 'registry.permit.expired'")
    event = json.loads(row["body"])
    assert datetime.fromisoformat(event["time"]) == clock()  # the scheduler's clock, not the wall clock
    expired = PermitExpired.model_validate(event["data"])
    assert (expired.valid_until, expired.number, expired.organization_name) == (
        DAY_ONE,
        "IP-1",
        "Islamic Relief Worldwide",
    )


async def test_after_downtime_only_the_most_urgent_reminder_is_sent(
    pools: tuple[asyncpg.Pool, asyncpg.Pool], registry_database: str, clock: FakeClock
) -> None:
    pool, _ = pools
    ngo = await register_ngo(pool)
    permit_id = await grant_principle(pool, clock, ngo, "IP-1", days_left=120)
    scheduler = replica(pool, registry_database, clock, lead_days=(90, 30, 7))
    await run_until_quiet(scheduler)
    assert await reminders(pool) == {}

    # Down from day 0 to day 115: the 90- and 30-day windows passed unseen; only the 7-day reminder goes out.
    clock.set(DAY_ONE + timedelta(days=115))
    await run_until_quiet(scheduler)
    assert await reminders(pool) == {(str(permit_id), 7): 1}
    for offset in range(116, 121):
        clock.set(DAY_ONE + timedelta(days=offset))
        await run_until_quiet(scheduler)
    assert await reminders(pool) == {(str(permit_id), 7): 1}


async def test_an_extended_permit_is_reminded_again_before_its_new_end(
    pools: tuple[asyncpg.Pool, asyncpg.Pool], registry_database: str, clock: FakeClock
) -> None:
    pool, other_pool = pools
    ngo = await register_ngo(pool)
    permit_id = await grant_principle(pool, clock, ngo, "IP-1", days_left=25)
    replicas = [replica(pool, registry_database, clock), replica(other_pool, registry_database, clock)]
    await run_until_quiet(*replicas)
    assert await reminders(pool) == {(str(permit_id), 30): 1}

    new_end = DAY_ONE + timedelta(days=25 + 365)
    await permits.extend_permit(UnitOfWork(pool), officer(clock), permit_id, ExtendPermit(valid_until=new_end))
    # The old last day passes without expiry; the new term gets its own reminders, then ends.
    for day in (DAY_ONE + timedelta(days=26), *(new_end - timedelta(days=n) for n in (91, 90, 60, 31, 30, 0, -1))):
        clock.set(day)
        await run_until_quiet(*replicas)

    rows = await pool.fetch("SELECT body FROM outbox WHERE routing_key = 'registry.permit.expiring' ORDER BY seq")
    sent = [PermitExpiring.model_validate(json.loads(row["body"])["data"]) for row in rows]
    assert [(event.valid_until, event.days_before) for event in sent] == [
        (DAY_ONE + timedelta(days=25), 30),
        (new_end, 90),
        (new_end, 30),
    ]
    assert await expiries(pool) == {str(permit_id): 1}


async def test_a_running_scheduler_is_woken_by_a_grant_inside_a_reminder_window(
    pools: tuple[asyncpg.Pool, asyncpg.Pool], registry_database: str, clock: FakeClock
) -> None:
    pool, other_pool = pools
    ngo = await register_ngo(pool)
    # Ticks too rare to matter within the test: what finds the new permit is the wake-up its grant sends.
    schedulers = [
        PermitExpiryScheduler(uow=UnitOfWork(p), clock=clock, listen_dsn=registry_database, tick_seconds=60)
        for p in (pool, other_pool)
    ]
    for scheduler in schedulers:
        await scheduler.start()
    try:
        await eventually(lambda: _listening(pool, 2), description="both schedulers listening")
        permit_id = await grant_principle(pool, clock, ngo, "IP-1", days_left=10)

        async def reminded() -> Counter[tuple[str, int]]:
            return await reminders(pool)

        assert await eventually(reminded, timeout=10, description="the reminder") == {(str(permit_id), 30): 1}
    finally:
        for scheduler in schedulers:
            await scheduler.stop()
    assert await reminders(pool) == {(str(permit_id), 30): 1}


async def _listening(pool: asyncpg.Pool, count: int) -> bool:
    listeners = await pool.fetchval(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'"
    )
    return bool(listeners >= count)
