"""Reporting's projections are a function of its event log: a rebuild gives what live consumption gave."""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from support.database import migrated_pool

from mitra_reporting.consumers.projections import HANDLERS, PROJECTION_LOCK, PROJECTION_TABLES
from mitra_reporting.usecases.rebuild import rebuild
from mitra_shared import db
from mitra_shared.context import Context
from mitra_shared.contracts import registry as contracts
from mitra_shared.events import EventData, decode, encode, new_event
from mitra_shared.uow import UnitOfWork

pytestmark = pytest.mark.integration
START = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(database, [db.MigrationSource("reporting", "mitra_reporting")]) as ready:
        yield ready


@pytest.fixture
def uow(pool: asyncpg.Pool) -> UnitOfWork:
    return UnitOfWork(pool)


def history() -> list[EventData]:
    """A year of the register: NGOs registered, changed, suspended, warned; permits granted, extended, expired,
    revoked; staff."""
    facts: list[EventData] = []
    for number in range(40):
        organization = uuid.uuid4()
        at = START + timedelta(days=number)
        facts.append(
            contracts.OrganizationRegistered(
                organization_id=organization,
                legal_name=f"NGO {number}",
                country_of_origin=["GB", "US", "DE"][number % 3],
                focus_areas=[["poverty"], ["disaster", "child_welfare"], []][number % 3],
                status="applicant",
                registered_at=at,
            )
        )
        if number % 4 == 0:
            facts.append(
                contracts.OrganizationUpdated(
                    organization_id=organization,
                    legal_name=f"NGO {number} International",
                    country_of_origin="NL",
                    status="applicant",
                    changed_fields=["legal_name", "country_of_origin"],
                    version=2,
                    updated_at=at,
                )
            )
        if number % 6 == 0:
            warning = contracts.SanctionImposed(
                sanction_id=uuid.uuid4(),
                organization_id=organization,
                organization_name=f"NGO {number}",
                sanction_kind="warning",
                category="reporting_failure",
                reason="Reports late",
                starts_on=at.date(),
                organization_status="applicant",
                imposed_by="tpoa-officer",
                imposed_at=at,
            )
            facts.append(warning)
            if number % 12 == 0:
                facts.append(
                    contracts.SanctionLifted(
                        **warning.model_dump(include={"sanction_id", "organization_id", "organization_name"}),
                        sanction_kind="warning",
                        category="reporting_failure",
                        reason="Reports in",
                        expired=False,
                        organization_status="applicant",
                        lifted_by="tpoa-officer",
                        lifted_at=at,
                    )
                )
        if number % 5 == 0:
            facts.append(
                contracts.OrganizationStatusChanged(
                    organization_id=organization,
                    legal_name=f"NGO {number}",
                    previous_status="applicant",
                    status="suspended" if number % 10 == 0 else "registered",
                    reason="TPOA decision",
                    changed_by="tpoa-officer",
                    version=3,
                    changed_at=at,
                )
            )
        permit = uuid.uuid4()
        facts.append(
            contracts.PermitGranted(
                permit_id=permit,
                organization_id=organization,
                organization_name=f"NGO {number}",
                permit_type="principle",
                number=f"IP-{number}",
                issued_on=date(2025, 1, 1),
                valid_until=date(2027, 12, 31),
                granted_at=at,
            )
        )
        if number % 3 == 0:
            facts.append(
                contracts.PermitExtended(
                    permit_id=permit,
                    organization_id=organization,
                    organization_name=f"NGO {number}",
                    permit_type="principle",
                    number=f"IP-{number}",
                    previous_valid_until=date(2027, 12, 31),
                    valid_until=date(2030, 12, 31),
                    requested_on=date(2027, 6, 1),
                    requested_late=False,
                    extended_at=at,
                )
            )
        if number % 9 == 0:
            facts.append(
                contracts.PermitRevoked(
                    permit_id=permit,
                    organization_id=organization,
                    organization_name=f"NGO {number}",
                    permit_type="principle",
                    number=f"IP-{number}",
                    revoked_on=at.date(),
                    reason="Revoked with the NGO",
                    revoked_at=at,
                )
            )
        if number % 7 == 0:
            facts.append(
                contracts.PermitExpired(
                    permit_id=permit,
                    organization_id=organization,
                    organization_name=f"NGO {number}",
                    permit_type="principle",
                    number=f"IP-{number}",
                    valid_until=date(2027, 12, 31),
                )
            )
        if number % 2 == 0:
            assignment = uuid.uuid4()
            facts.append(
                contracts.ForeignStaffAssigned(
                    assignment_id=assignment,
                    organization_id=organization,
                    organization_name=f"NGO {number}",
                    full_name="Expert",
                    nationality="AU",
                    role="Programme adviser",
                    starts_on=date(2026, 1, 1),
                    ends_on=date(2028, 1, 1),
                    active_assignments=1,
                )
            )
            if number % 8 == 0:
                facts.append(
                    contracts.ForeignStaffEnded(
                        assignment_id=assignment,
                        organization_id=organization,
                        organization_name=f"NGO {number}",
                        ended_on=date(2026, 6, 30),
                        active_assignments=0,
                    )
                )
    return facts


async def consume(uow: UnitOfWork, data: EventData) -> None:
    """What the consumer does with one event (the inbox around it is the shared consumer's)."""
    event = decode(encode(new_event(data, subject=str(uuid.uuid4()))))
    known = HANDLERS[type(data).kind]
    context = Context.for_system("reporting.consumer", START, causation_id=event.id)
    async with uow.change(context) as tx:
        await known.apply(tx, event, known.model.model_validate(event.data))


async def snapshot(pool: asyncpg.Pool) -> dict[str, list[dict[str, Any]]]:
    tables = {}
    for table in PROJECTION_TABLES:
        rows = await pool.fetch(f"SELECT * FROM {table}")  # noqa: S608 - fixed names
        tables[table] = sorted((dict(row) for row in rows), key=repr)
    return tables


async def test_a_rebuild_gives_the_projections_live_consumption_gave(uow: UnitOfWork, pool: asyncpg.Pool) -> None:
    for data in history():
        await consume(uow, data)
    live = await snapshot(pool)
    assert len(live["organizations"]) == 40
    assert sum(1 for row in live["organizations"] if row["status"] == "suspended") == 4
    assert sum(1 for row in live["permits"] if row["status"] == "revoked") == 5
    assert sorted(row["status"] for row in live["sanctions"]) == ["active"] * 3 + ["lifted"] * 4

    report = await rebuild(uow, Context.for_system("reporting.rebuild", START))
    assert report.events == len(history())
    assert report.not_projected == 0
    assert await snapshot(pool) == live

    # Something done to a projection by hand is undone by the next rebuild.
    await pool.execute("UPDATE organizations SET status = 'closed'")
    await rebuild(uow, Context.for_system("reporting.rebuild", START))
    assert await snapshot(pool) == live


async def test_the_rebuild_command(uow: UnitOfWork, pool: asyncpg.Pool, database: str) -> None:
    for data in history()[:10]:
        await consume(uow, data)
    before = await snapshot(pool)
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "mitra_reporting", "rebuild"),
        env={
            "PATH": "/usr/bin:/bin",
            "MITRA_ENVIRONMENT": "test",
            "MITRA_DATABASE_URL": database,
            "MITRA_LOG_FORMAT": "console",
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, stderr.decode()
    assert "rebuilt projections from 10 logged events" in stdout.decode()
    assert await snapshot(pool) == before


async def test_live_consumption_waits_for_a_rebuild_then_logs_and_projects_its_event(
    uow: UnitOfWork, pool: asyncpg.Pool
) -> None:
    # The shared lock and the log's row are one statement now: the row must still come after the rebuild's commit.
    registered = history()[0]
    assert isinstance(registered, contracts.OrganizationRegistered)
    async with pool.acquire() as rebuilding, rebuilding.transaction():
        await rebuilding.execute("SELECT pg_advisory_xact_lock($1)", PROJECTION_LOCK)
        arriving = asyncio.create_task(consume(uow, registered))
        while not await pool.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND mode = 'ShareLock' AND NOT granted"
        ):
            await asyncio.sleep(0.01)
        assert not arriving.done()
        assert await rebuilding.fetchval("SELECT count(*) FROM event_log") == 0
        # What the rebuild writes is committed before the waiting event is applied on top of it.
        await rebuilding.execute("TRUNCATE organizations")
    await arriving
    assert await pool.fetchval("SELECT event_type FROM event_log") == type(registered).kind.type
    assert (
        await pool.fetchval(
            "SELECT legal_name FROM organizations WHERE organization_id = $1", registered.organization_id
        )
        == registered.legal_name
    )
