"""Reporting's risk score and compliance views with issue 14's events, against the real PostgreSQL: registry's
sanctions (in force, lifted, expired) and revoked permits, the NGO's status after them, agreements' mitigation
actions (open, overdue, done; in any order), and the obligations an MSP's termination closed. Every projection is
replayed by a rebuild.

The world: NGO A with an MSP of KEMENSOS in Kota Semarang (3374), NGO B with an MSP of KEMENKES in Kota Denpasar
(5171), both active with a principle permit valid to 2030, each MSP in force on AS_OF with one annual report due
2027-03-01 (not submitted: overdue on AS_OF).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
import httpx
import pytest
from support.app import api_client
from support.clock import FakeClock
from support.database import emptied_pool, module_database
from support.tokens import as_role

from mitra_reporting.bootstrap import build_spec
from mitra_reporting.consumers.projections import HANDLERS, PROJECTION_TABLES
from mitra_reporting.settings import ReportingSettings
from mitra_reporting.usecases.rebuild import rebuild
from mitra_shared import db
from mitra_shared.context import Context
from mitra_shared.contracts import agreements as ag
from mitra_shared.contracts import registry as rg
from mitra_shared.documents import DOCUMENTS_MIGRATIONS
from mitra_shared.events import EventData, EventKind, ReceivedEvent
from mitra_shared.uow import UnitOfWork

pytestmark = pytest.mark.integration

AS_OF = date(2027, 6, 15)
AT = datetime(2027, 1, 1, tzinfo=UTC)
SIDES = "AB"
MINISTRY = {"A": "KEMENSOS", "B": "KEMENKES"}
REGENCY = {"A": ("3374", "Kota Semarang", "33"), "B": ("5171", "Kota Denpasar", "51")}


def at(day: date, hour: int = 3) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


class World:
    """Fresh ids per test: the NGOs, their MSPs, permits and obligations."""

    def __init__(self) -> None:
        self.ngo = {side: uuid.uuid4() for side in SIDES}
        self.msp = {side: uuid.uuid4() for side in SIDES}
        self.permit = {side: uuid.uuid4() for side in SIDES}
        self.report = {side: uuid.uuid4() for side in SIDES}

    def registered(self, side: str) -> list[EventData | tuple[EventKind, dict[str, Any]]]:
        return [
            rg.OrganizationRegistered(
                organization_id=self.ngo[side],
                legal_name=f"NGO {side}",
                country_of_origin="GB",
                status="active",
                registered_at=AT,
            ),
            rg.PermitGranted(
                permit_id=self.permit[side],
                organization_id=self.ngo[side],
                organization_name=f"NGO {side}",
                permit_type="principle",
                number=f"IP-{side}",
                issued_on=date(2025, 1, 1),
                valid_until=date(2030, 12, 31),
                granted_at=AT,
            ),
            (ag.MspSigned.kind, self.signed(side)),
        ]

    def signed(self, side: str) -> dict[str, Any]:
        code, name, province = REGENCY[side]
        return {
            "msp_id": str(self.msp[side]),
            "number": f"MSP-{side}",
            "title": f"Programme {side}",
            "organization": {"organization_id": str(self.ngo[side]), "name": f"NGO {side}"},
            "ministry": {"partner_id": str(uuid.uuid4()), "code": MINISTRY[side], "name": f"Kementerian {side}"},
            "work_locations": [{"code": code, "kind": "regency", "name": name, "province_code": province}],
            "starts_on": "2027-01-01",
            "ends_on": "2029-12-31",
            "signed_on": "2026-12-20",
            "obligations": [{"obligation_id": str(self.report[side]), "kind": "annual_report", "due_on": "2027-03-01"}],
        }

    def parties(self, side: str) -> dict[str, Any]:
        return {
            "msp_id": self.msp[side],
            "organization": ag.OrganizationParty(organization_id=self.ngo[side], name=f"NGO {side}"),
            "ministry": ag.MinistryParty(partner_id=uuid.uuid4(), name=f"Kementerian {side}", code=MINISTRY[side]),
        }

    def sanction(
        self,
        kind: rg.SanctionKind,
        side: str = "A",
        *,
        on: date,
        ends_on: date | None = None,
        status: rg.OrganizationStatus = "active",
    ) -> rg.SanctionImposed:
        return rg.SanctionImposed(
            sanction_id=uuid.uuid4(),
            organization_id=self.ngo[side],
            organization_name=f"NGO {side}",
            sanction_kind=kind,
            category="fundraising",
            reason="Raised funds from the public",
            starts_on=on,
            ends_on=ends_on,
            organization_status=status,
            imposed_by="tpoa-1",
            imposed_at=at(on),
        )

    def lifted(
        self, imposed: rg.SanctionImposed, *, on: date, status: rg.OrganizationStatus = "active", expired: bool = False
    ) -> rg.SanctionLifted:
        return rg.SanctionLifted(
            sanction_id=imposed.sanction_id,
            organization_id=imposed.organization_id,
            organization_name=imposed.organization_name,
            sanction_kind=imposed.sanction_kind,
            category=imposed.category,
            reason="The funds were returned",
            expired=expired,
            organization_status=status,
            lifted_by="tpoa-1",
            lifted_at=at(on),
        )

    def action(self, side: str, *, due_on: date, action_id: uuid.UUID | None = None) -> dict[str, Any]:
        return {
            "action_id": action_id or uuid.uuid4(),
            **self.parties(side),
            "description": "Register the volunteers with the regency",
            "owner": "ngo",
            "due_on": due_on,
        }


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    with module_database([DOCUMENTS_MIGRATIONS, db.MigrationSource("reporting", "mitra_reporting")]) as dsn:
        yield dsn


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    async with emptied_pool(database, f"TRUNCATE event_log, {', '.join(PROJECTION_TABLES)}") as pool:
        yield pool


@pytest.fixture
async def world(pool: asyncpg.Pool) -> World:
    made = World()
    await consume(pool, *made.registered("A"), *made.registered("B"))
    return made


@pytest.fixture
async def client(pool: asyncpg.Pool) -> AsyncIterator[httpx.AsyncClient]:
    spec = build_spec(ReportingSettings(environment="test"))
    async with api_client(spec, pool, clock=FakeClock(AS_OF), headers=as_role("tpoa")) as app_client:
        yield app_client


async def consume(pool: asyncpg.Pool, *facts: EventData | tuple[EventKind, dict[str, Any]]) -> None:
    """Apply the events as the consumer does: logged, then projected."""
    uow = UnitOfWork(pool, service="reporting")
    for fact in facts:
        kind, data = fact if isinstance(fact, tuple) else (type(fact).kind, fact.model_dump(mode="json"))
        event = ReceivedEvent(
            id=uuid.uuid4(), source=kind.source, type=kind.type, subject=str(uuid.uuid4()), time=AT, data=data
        )
        known = HANDLERS[kind]
        async with uow.change(Context.for_system("reporting.consumer", datetime.now(UTC))) as tx:
            await known.apply(tx, event, known.model.model_validate(event.data))


async def risks(client: httpx.AsyncClient, **params: str) -> dict[str, dict[str, Any]]:
    response = await client.get("/risk", params=params)
    assert response.status_code == 200, response.text
    return {entry["key"]: entry for entry in response.json()}


def reasons(entry: dict[str, Any]) -> dict[str, int]:
    return {reason["code"]: reason["points"] for reason in entry["reasons"]}


async def snapshot(pool: asyncpg.Pool) -> dict[str, list[dict[str, Any]]]:
    tables = {}
    for table in PROJECTION_TABLES:
        rows = await pool.fetch(f"SELECT * FROM {table}")  # noqa: S608 - fixed names
        tables[table] = sorted((dict(row) for row in rows), key=repr)
    return tables


async def replays(pool: asyncpg.Pool) -> None:
    """A rebuild from the log gives what live consumption gave, every event projected."""
    live = await snapshot(pool)
    report = await rebuild(UnitOfWork(pool), Context.for_system("reporting.rebuild", AT))
    assert report.not_projected == 0
    assert await snapshot(pool) == live


# --- sanctions -------------------------------------------------------------------------------------------------------


async def test_a_freeze_and_warnings_weigh_while_in_force(
    client: httpx.AsyncClient, pool: asyncpg.Pool, world: World
) -> None:
    freeze = world.sanction("freeze", on=date(2027, 5, 2), status="suspended")
    warnings = [world.sanction("warning", on=date(2027, 4, day)) for day in (1, 2, 3)]
    ended_warning = world.sanction("warning", on=date(2027, 2, 1), ends_on=date(2027, 6, 14))
    await consume(pool, ended_warning, *warnings, freeze)
    assert await pool.fetchval("SELECT status FROM organizations WHERE organization_id = $1", world.ngo["A"]) == (
        "suspended"
    )

    scored = await risks(client)
    a, b = scored[str(world.msp["A"])], scored[str(world.msp["B"])]
    # The report due 2027-03-01 is overdue for both (25); A is frozen (40) and warned three times (capped at 30).
    assert reasons(a) == {"overdue_obligations": 25, "active_freeze": 40, "active_warnings": 30}
    assert (a["score"], a["level"]) == (95, "high")
    assert "the NGO is frozen since 2027-05-02 (fundraising)" in [r["detail"] for r in a["reasons"]]
    assert reasons(b) == {"overdue_obligations": 25}
    # As of a day before the freeze the NGO's present suspension does not count: it had not happened yet.
    assert reasons((await risks(client, as_of="2027-04-30"))[str(world.msp["A"])]) == {
        "overdue_obligations": 25,
        "active_warnings": 30,
    }

    # Lifted on 2027-06-10 (the NGO active again): as of that day it no longer weighs; the day before it did.
    await consume(pool, world.lifted(freeze, on=date(2027, 6, 10)))
    assert reasons((await risks(client))[str(world.msp["A"])]) == {"overdue_obligations": 25, "active_warnings": 30}
    assert "active_freeze" in reasons((await risks(client, as_of="2027-06-09"))[str(world.msp["A"])])
    # The warning whose last day was 2027-06-14 still counts that day; before the others started, it alone did.
    details = [r["detail"] for r in (await risks(client, as_of="2027-06-14"))[str(world.msp["A"])]["reasons"]]
    assert "4 warning(s) in force (fundraising)" in details
    assert reasons((await risks(client, as_of="2027-03-31"))[str(world.msp["A"])]) == {
        "overdue_obligations": 25,
        "active_warnings": 15,
    }
    assert await pool.fetchval("SELECT status FROM organizations WHERE organization_id = $1", world.ngo["A"]) == (
        "active"
    )
    # The registry's worker ends the warning the day after its last day.
    await consume(pool, world.lifted(ended_warning, on=AS_OF, expired=True))
    statuses = await pool.fetch("SELECT kind, status FROM sanctions WHERE organization_id = $1", world.ngo["A"])
    assert sorted((r["kind"], r["status"]) for r in statuses) == [
        ("freeze", "lifted"),
        ("warning", "active"),
        ("warning", "active"),
        ("warning", "active"),
        ("warning", "expired"),
    ]
    assert reasons((await risks(client))[str(world.msp["A"])])["active_warnings"] == 30
    await replays(pool)


async def test_a_suspension_without_a_freeze_weighs_as_much(
    client: httpx.AsyncClient, pool: asyncpg.Pool, world: World
) -> None:
    await consume(
        pool,
        rg.OrganizationStatusChanged(
            organization_id=world.ngo["B"],
            legal_name="NGO B",
            previous_status="active",
            status="suspended",
            reason="TPOA decision",
            changed_by="tpoa-1",
            version=2,
            changed_at=at(date(2027, 6, 1)),
        ),
    )
    assert reasons((await risks(client))[str(world.msp["B"])]) == {
        "overdue_obligations": 25,
        "organization_suspended": 40,
    }
    # It counts from the day (Jakarta) it was suspended, not before.
    assert "organization_suspended" in reasons((await risks(client, as_of="2027-06-01"))[str(world.msp["B"])])
    assert reasons((await risks(client, as_of="2027-05-31"))[str(world.msp["B"])]) == {"overdue_obligations": 25}


async def test_a_lift_that_arrives_before_its_imposition_is_kept(
    client: httpx.AsyncClient, pool: asyncpg.Pool, world: World
) -> None:
    warning = world.sanction("warning", on=date(2027, 5, 1))
    await consume(pool, world.lifted(warning, on=date(2027, 5, 20)), warning)
    row = await pool.fetchrow("SELECT * FROM sanctions WHERE sanction_id = $1", warning.sanction_id)
    assert (row["status"], row["starts_on"], row["lifted_on"]) == ("lifted", date(2027, 5, 1), date(2027, 5, 20))
    assert reasons((await risks(client))[str(world.msp["A"])]) == {"overdue_obligations": 25}
    assert "active_warnings" in reasons((await risks(client, as_of="2027-05-10"))[str(world.msp["A"])])


async def test_a_revocation_scores_100_and_its_permits_are_no_longer_valid(
    client: httpx.AsyncClient, pool: asyncpg.Pool, world: World
) -> None:
    revocation = world.sanction("revocation", side="B", on=date(2027, 6, 1), status="revoked")
    revoked = rg.PermitRevoked(
        permit_id=world.permit["B"],
        organization_id=world.ngo["B"],
        organization_name="NGO B",
        permit_type="principle",
        number="IP-B",
        revoked_on=date(2027, 6, 1),
        reason="Revoked with the NGO",
        sanction_id=revocation.sanction_id,
        revoked_at=at(date(2027, 6, 1)),
    )
    # An extension or an expiry arriving after the revocation does not make the permit valid again.
    extended = rg.PermitExtended(
        permit_id=world.permit["B"],
        organization_id=world.ngo["B"],
        organization_name="NGO B",
        permit_type="principle",
        number="IP-B",
        previous_valid_until=date(2030, 12, 31),
        valid_until=date(2033, 12, 31),
        requested_on=date(2027, 1, 1),
        requested_late=False,
        extended_at=AT,
    )
    await consume(pool, revocation, revoked, extended)
    permit = await pool.fetchrow("SELECT status, revoked_on FROM permits WHERE permit_id = $1", world.permit["B"])
    assert tuple(permit) == ("revoked", date(2027, 6, 1))

    b = (await risks(client))[str(world.msp["B"])]
    assert (b["score"], b["level"]) == (100, "high")
    assert reasons(b) == {"organization_revoked": 100, "no_valid_principle_permit": 30, "overdue_obligations": 25}
    per_ngo = await risks(client, per="organization")
    assert per_ngo[str(world.ngo["B"])]["score"] == 100
    assert per_ngo[str(world.ngo["A"])]["score"] == 25
    # As of a day before the revocation neither the NGO's status nor its permit's count: it was still in good standing.
    assert reasons((await risks(client, as_of="2027-05-31"))[str(world.msp["B"])]) == {"overdue_obligations": 25}
    assert (await risks(client, as_of="2027-05-31", per="organization"))[str(world.ngo["B"])]["score"] == 25
    await replays(pool)


# --- mitigation actions ----------------------------------------------------------------------------------------------


async def test_open_and_overdue_mitigation_actions_weigh_until_done(
    client: httpx.AsyncClient, pool: asyncpg.Pool, world: World
) -> None:
    opened = at(date(2027, 5, 1))
    soon = world.action("A", due_on=date(2027, 7, 1))
    late = world.action("A", due_on=date(2027, 6, 1))
    finished = world.action("A", due_on=date(2027, 6, 1))
    done = ag.MitigationActionStatusChanged(
        **finished, previous_status="in_progress", status="done", changed_by="ngo-A", changed_at=at(date(2027, 6, 5))
    )
    started = ag.MitigationActionStatusChanged(
        **finished, previous_status="open", status="in_progress", changed_by="ngo-A", changed_at=at(date(2027, 5, 20))
    )
    # The action done arrives before its opening and before the step that preceded it: done it stays.
    await consume(
        pool,
        ag.MitigationActionOpened(**soon, opened_by="ministry-A", opened_at=opened),
        ag.MitigationActionOpened(**late, opened_by="ministry-A", opened_at=opened),
        done,
        ag.MitigationActionOpened(**finished, opened_by="ministry-A", opened_at=opened),
        started,
    )
    row = await pool.fetchrow("SELECT * FROM mitigation_actions WHERE action_id = $1", finished["action_id"])
    assert (row["status"], row["opened_on"], row["closed_on"]) == ("done", date(2027, 5, 1), date(2027, 6, 5))

    a = (await risks(client))[str(world.msp["A"])]
    assert reasons(a) == {"overdue_obligations": 25, "overdue_mitigation_actions": 15, "open_mitigation_actions": 5}
    # On 2027-06-03 the finished one was still open, and overdue; before any was opened, none counts.
    assert reasons((await risks(client, as_of="2027-06-03"))[str(world.msp["A"])])["overdue_mitigation_actions"] == 30
    assert reasons((await risks(client, as_of="2027-04-30"))[str(world.msp["A"])]) == {"overdue_obligations": 25}

    # The overdue one in progress still weighs; cancelled, it does not.
    await consume(
        pool,
        ag.MitigationActionStatusChanged(
            **late, previous_status="open", status="in_progress", changed_by="ngo-A", changed_at=at(date(2027, 6, 7))
        ),
    )
    assert reasons((await risks(client))[str(world.msp["A"])])["overdue_mitigation_actions"] == 15
    await consume(
        pool,
        ag.MitigationActionStatusChanged(
            **late, previous_status="in_progress", status="cancelled", changed_by="ministry-A", changed_at=at(AS_OF)
        ),
    )
    assert reasons((await risks(client))[str(world.msp["A"])]) == {
        "overdue_obligations": 25,
        "open_mitigation_actions": 5,
    }
    assert reasons((await risks(client))[str(world.msp["B"])]) == {"overdue_obligations": 25}
    await replays(pool)


# --- obligations closed by a termination -----------------------------------------------------------------------------


async def test_obligations_a_termination_closed_are_no_longer_owed(
    client: httpx.AsyncClient, pool: asyncpg.Pool, world: World
) -> None:
    overdue = await client.get("/compliance/overdue")
    assert {row["obligation_id"] for row in overdue.json()} == {str(world.report[side]) for side in SIDES}

    revocation = world.sanction("revocation", side="B", on=date(2027, 5, 1), status="revoked")
    await consume(
        pool,
        revocation,
        ag.MspTerminated(
            **world.parties("B"),
            terminated_on=date(2027, 5, 1),
            reason="The NGO was revoked",
            sanction_id=revocation.sanction_id,
            closed_obligation_ids=[world.report["B"]],
            terminated_by="system:agreements",
            terminated_at=at(date(2027, 5, 1)),
        ),
    )
    assert await pool.fetchval("SELECT status FROM obligations WHERE obligation_id = $1", world.report["B"]) == (
        "closed"
    )
    overdue = await client.get("/compliance/overdue")
    assert [row["obligation_id"] for row in overdue.json()] == [str(world.report["A"])]
    # Before the termination it was still owed, and overdue.
    earlier = await client.get("/compliance/overdue", params={"as_of": "2027-04-30"})
    assert {row["obligation_id"] for row in earlier.json()} == {str(world.report[side]) for side in SIDES}

    compliance = (await client.get("/compliance")).json()
    by_ngo = {line["key"]: line for line in compliance["by_organization"]}
    assert (by_ngo[str(world.ngo["A"])]["due"], by_ngo[str(world.ngo["A"])]["overdue"]) == (1, 1)
    assert str(world.ngo["B"]) not in by_ngo
    # The terminated MSP is no longer in force: it leaves the risk list.
    assert set(await risks(client)) == {str(world.msp["A"])}
    await replays(pool)


# --- the Action Plan decided by the ministry -------------------------------------------------------------------------


async def test_an_action_plan_accepted_or_returned_is_projected_like_a_report(pool: asyncpg.Pool, world: World) -> None:
    plan = uuid.uuid4()
    signed = world.signed("A")
    signed["obligations"] = [{"obligation_id": str(plan), "kind": "action_plan", "due_on": "2027-02-01"}]
    facts = {
        "obligation_id": plan,
        "obligation_kind": "action_plan",
        "msp_id": world.msp["A"],
        "organization_id": world.ngo["A"],
        "organization_name": "NGO A",
        "ministry_code": "KEMENSOS",
        "period": "",
        "due_on": date(2027, 2, 1),
        "submission_id": uuid.uuid4(),
        "attempt": 1,
    }
    submitted = ag.ActionPlanSubmitted(
        **facts, summary="Plan", late=False, submitted_by="ngo-A", submitted_at=at(date(2027, 1, 20))
    )
    returned = ag.ActionPlanReturned(**facts, decided_by="ministry-A", decided_at=at(date(2027, 1, 25)))
    await consume(pool, (ag.MspSigned.kind, signed), submitted, returned)
    assert await pool.fetchval("SELECT status FROM obligations WHERE obligation_id = $1", plan) == "returned"
    accepted = ag.ActionPlanAccepted(**facts, decided_by="ministry-A", decided_at=at(date(2027, 1, 30)))
    await consume(pool, accepted)
    row = await pool.fetchrow("SELECT status, accepted_on FROM obligations WHERE obligation_id = $1", plan)
    assert tuple(row) == ("accepted", date(2027, 1, 30))
    await replays(pool)
