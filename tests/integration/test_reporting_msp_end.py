"""An MSP's end as reporting learns it, against the real PostgreSQL: the obligations agreements closed when an MSP
ended (one over before it was imported, or one the deadline engine ends on its last day) are named by
`agreements.msp.ended`, and reporting shows them closed, not pending or overdue. Agreements' real app and engine
publish; the events are taken from its outbox and projected by reporting's own handlers, into its own database."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from support.agreements_world import TPOA, AgreementsWorld, agreements_world
from support.app import api_client
from support.clock import FakeClock
from support.database import create_migrated_database, drop_database

from mitra_agreements.workers.deadlines import DeadlineEngine
from mitra_reporting.bootstrap import build_spec
from mitra_reporting.consumers.projections import HANDLERS
from mitra_reporting.settings import ReportingSettings
from mitra_shared import db
from mitra_shared import events as ev
from mitra_shared.context import Context
from mitra_shared.contracts.agreements import MspEnded
from mitra_shared.documents import DOCUMENTS_MIGRATIONS
from mitra_shared.uow import UnitOfWork

pytestmark = pytest.mark.integration

TODAY = date(2028, 3, 1)
HEADERS = "number,title,organization_legal_name,organization_country,ministry_code,work_locations,starts_on,ends_on,"
HEADERS += "signed_on,ministry_signatory_name,ministry_signatory_title"


@pytest.fixture
async def world(database: str, tmp_path: Path) -> AsyncIterator[AgreementsWorld]:
    async with agreements_world(AgreementsWorld, database, tmp_path, today=TODAY) as made:
        yield made


@pytest.fixture
async def reporting() -> AsyncIterator[asyncpg.Pool]:
    dsn = await create_migrated_database([DOCUMENTS_MIGRATIONS, db.MigrationSource("reporting", "mitra_reporting")])
    pool = await db.create_pool(dsn, min_size=1, max_size=2)
    try:
        yield pool
    finally:
        await pool.close()
        await drop_database(dsn)


async def project_the_outbox(agreements: asyncpg.Pool, reporting: asyncpg.Pool) -> list[str]:
    """Every event agreements published, in order, through reporting's handler of its type; the types projected."""
    by_type = {kind.type: known for kind, known in HANDLERS.items()}
    projected = []
    for row in await agreements.fetch("SELECT body FROM outbox ORDER BY seq"):
        event = ev.decode(bytes(row["body"]))
        known = by_type.get(event.type)
        if known is None:
            continue
        context = Context.for_system("reporting.consumer", event.time)
        async with UnitOfWork(reporting, "reporting").change(context) as tx:
            await known.apply(tx, event, ev.read_data(event, known.model))
        projected.append(event.type)
    return projected


async def ended_event(world: AgreementsWorld) -> dict[str, Any]:
    [ended] = await world.published("agreements.msp.ended")
    return dict(ended["data"])


async def statuses(reporting: asyncpg.Pool, msp_id: str) -> dict[uuid.UUID, tuple[str, date | None]]:
    rows = await reporting.fetch(
        "SELECT obligation_id, status, closed_on FROM obligations WHERE msp_id = $1", uuid.UUID(msp_id)
    )
    return {row["obligation_id"]: (row["status"], row["closed_on"]) for row in rows}


async def test_an_msp_imported_already_over_has_its_unreceived_obligations_closed_in_reporting(
    world: AgreementsWorld, reporting: asyncpg.Pool
) -> None:
    row = f"MSP/{uuid.uuid4().hex[:6]},Kerja sama,Plan International,GB,KEMENSOS,3374,2026-02-01,2027-12-31,2026-02-01"
    row += ",Dra. Sri Wahyuni,Direktur Jenderal"
    response = await world.client.post(
        "/imports/msps", content=f"{HEADERS}\n{row}\n".encode(), headers=TPOA | {"Content-Type": "text/csv"}
    )
    assert response.status_code == 200, response.text

    ended = await ended_event(world)
    closed = await world.pool.fetch("SELECT id FROM obligations WHERE status = 'closed'")
    assert closed, "an MSP over before it was imported owes nothing more"
    assert sorted(ended["closed_obligation_ids"]) == sorted(str(o["id"]) for o in closed)
    assert ended["imported"] is True

    assert MspEnded.kind.type in await project_the_outbox(world.pool, reporting)
    projected = await statuses(reporting, ended["msp_id"])
    assert set(projected) == {o["id"] for o in closed}
    assert set(projected.values()) == {("closed", date(2027, 12, 31))}
    spec = build_spec(ReportingSettings(environment="test"))
    async with api_client(spec, reporting, clock=FakeClock(TODAY), headers=TPOA) as client:
        overdue = await client.get("/compliance/overdue")
    assert overdue.status_code == 200, overdue.text
    assert overdue.json() == [], "an ended MSP's closed obligations are not overdue"


async def test_the_obligations_the_deadline_engine_closes_at_an_msps_end_are_closed_in_reporting(
    world: AgreementsWorld, reporting: asyncpg.Pool, database: str
) -> None:
    world.clock.set(date(2027, 1, 5))
    msp = await world.signed()
    world.clock.set(date.fromisoformat(msp["ends_on"]) + timedelta(days=1))
    engine = DeadlineEngine(
        uow=UnitOfWork(world.pool, "agreements"), clock=world.clock, listen_dsn=database, tick_seconds=3600
    )
    await engine.tick()

    ended = await ended_event(world)
    closed = await world.pool.fetch("SELECT id FROM obligations WHERE msp_id = $1 AND status = 'closed'", msp["id"])
    assert closed, "the obligations not yet due when the MSP ends are closed"
    assert sorted(ended["closed_obligation_ids"]) == sorted(str(o["id"]) for o in closed)
    assert ended.get("imported", False) is False

    await project_the_outbox(world.pool, reporting)
    projected = await statuses(reporting, msp["id"])
    ends_on = date.fromisoformat(msp["ends_on"])
    assert {key for key, value in projected.items() if value == ("closed", ends_on)} == {o["id"] for o in closed}
    assert len(projected) > len(closed), "the obligations already overdue at the end stay overdue, not closed"
