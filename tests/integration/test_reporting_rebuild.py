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

from mitra_reporting import projections
from mitra_shared import db
from mitra_shared.contracts import registry as contracts
from mitra_shared.events import EventData, decode, encode, new_event

pytestmark = pytest.mark.integration
START = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)


@pytest.fixture
async def conn(database: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await db.connect(database)
    await db.apply_migrations(connection, [db.SHARED_MIGRATIONS, db.MigrationSource("reporting", "mitra_reporting")])
    try:
        yield connection
    finally:
        await connection.close()


def history() -> list[EventData]:
    """A year of the register: NGOs registered, changed, suspended; permits granted, extended, expired; staff."""
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


async def consume(conn: asyncpg.Connection, data: EventData) -> None:
    """What the consumer does with one event (the inbox around it is the shared consumer's)."""
    event = decode(encode(new_event(data, subject=str(uuid.uuid4()))))
    known = projections.HANDLERS[type(data).kind]
    async with conn.transaction():
        await known.apply(conn, event, known.model.model_validate(event.data))


async def snapshot(conn: asyncpg.Connection) -> dict[str, list[dict[str, Any]]]:
    tables = {}
    for table in projections.PROJECTION_TABLES:
        rows = await conn.fetch(f"SELECT * FROM {table}")  # noqa: S608 - fixed names
        tables[table] = sorted((dict(row) for row in rows), key=repr)
    return tables


async def test_a_rebuild_gives_the_projections_live_consumption_gave(conn: asyncpg.Connection) -> None:
    for data in history():
        await consume(conn, data)
    live = await snapshot(conn)
    assert len(live["organizations"]) == 40
    assert sum(1 for row in live["organizations"] if row["status"] == "suspended") == 4

    report = await projections.rebuild(conn)
    assert report.events == len(history())
    assert report.not_projected == 0
    assert await snapshot(conn) == live

    # Something done to a projection by hand is undone by the next rebuild.
    await conn.execute("UPDATE organizations SET status = 'closed'")
    await projections.rebuild(conn)
    assert await snapshot(conn) == live


async def test_the_rebuild_command(conn: asyncpg.Connection, database: str) -> None:
    for data in history()[:10]:
        await consume(conn, data)
    before = await snapshot(conn)
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "mitra_reporting", "rebuild"),
        env={"PATH": "/usr/bin:/bin", "MITRA_DATABASE_URL": database, "MITRA_LOG_FORMAT": "console"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, stderr.decode()
    assert "rebuilt projections from 10 logged events" in stdout.decode()
    assert await snapshot(conn) == before
