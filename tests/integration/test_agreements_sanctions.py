"""Registry's sanctions as agreements applies them (registry.sanction.imposed / .lifted, through agreements' own
handlers in one transaction each, as its consumer does): a freeze blocks new MSPs, submissions, extensions and
visits while it lasts; a revocation ends the NGO's MSPs in force (their open obligations closed) and refuses those
not yet signed. Agreements' real app over ASGI against the real PostgreSQL, under a controllable clock."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from support.agreements_world import MITRA_UTAMA, SIGNATORIES, TPOA, AgreementsWorld, agreements_world, published

from mitra_shared.clock import JAKARTA
from mitra_shared.contracts import registry as registry_contracts
from mitra_shared.events import EventData

pytestmark = pytest.mark.integration

TODAY = date(2027, 3, 1)
FREEZE_REASON = "Political activity during the regional elections"


class World(AgreementsWorld):
    """The world's NGO, and registry's sanctions of it."""

    def imposed(self, kind: str, status: str, sanction_id: uuid.UUID | None = None) -> EventData:
        return registry_contracts.SanctionImposed(
            sanction_id=sanction_id or uuid.uuid4(),
            organization_id=self.organization_id,
            organization_name="Plan International",
            sanction_kind=kind,
            category="political_activity",
            reason=FREEZE_REASON,
            starts_on=TODAY,
            organization_status=status,
            imposed_by="tpoa-secretary",
            imposed_at=datetime(2027, 3, 1, 9, tzinfo=JAKARTA),
        )

    def lifted(self, sanction_id: uuid.UUID) -> EventData:
        return registry_contracts.SanctionLifted(
            sanction_id=sanction_id,
            organization_id=self.organization_id,
            organization_name="Plan International",
            sanction_kind="freeze",
            category="political_activity",
            reason="The NGO answered the warning",
            expired=False,
            organization_status="active",
            lifted_by="tpoa-secretary",
            lifted_at=datetime(2027, 3, 2, 9, tzinfo=JAKARTA),
        )


@pytest.fixture
async def world(database: str, tmp_path: Path) -> AsyncIterator[World]:
    async with agreements_world(World, database, tmp_path, today=TODAY) as made:
        yield made


def refused_on(problem: dict[str, Any], field: str) -> None:
    assert problem["status"] == 409
    assert problem["errors"][0]["field"] == field
    assert FREEZE_REASON in problem["detail"]


async def test_a_freeze_blocks_new_msps_submissions_extensions_and_visits_until_it_is_lifted(world: World) -> None:
    signed = await world.signed()
    draft = await world.draft()
    sanction_id = uuid.uuid4()
    await world.learn(world.imposed("freeze", "suspended", sanction_id), datetime(2027, 3, 1, 9, tzinfo=JAKARTA))

    refused_on(await world.call(world.ngo, "POST", "/msps", world.draft_body(), 409), "body.organization_id")
    refused_on(await world.call(world.ngo, "POST", f"/msps/{draft['id']}/submit", {}, 409), "msp.organization_id")
    extension = {"ends_on": "2029-12-31", "reason": "Phase 2"}
    refused = await world.call(MITRA_UTAMA, "POST", f"/msps/{signed['id']}/extend", extension, 409)
    refused_on(refused, "msp.organization_id")
    visit = {
        "msp_id": signed["id"],
        "visitors": [{"name": "John Smith", "nationality": "GB", "role": "Adviser"}],
        "purpose": "Monitoring",
        "arrives_on": "2027-04-01",
        "departs_on": "2027-04-03",
        "region_codes": ["3374"],
    }
    refused_on(await world.call(world.ngo, "POST", "/visits", visit, 409), "msp.organization_id")
    # Its obligations keep running: the NGO still submits its work plan.
    obligations = await world.call(TPOA, "GET", f"/msps/{signed['id']}/obligations")
    [plan] = [o for o in obligations if o["kind"] == "work_plan" and o["period"] == "2027"]
    await world.call(world.ngo, "POST", f"/obligations/{plan['id']}/submissions", {"summary": "RKT 2027"}, 201)

    await world.learn(world.lifted(sanction_id), datetime(2027, 3, 2, 9, tzinfo=JAKARTA))
    await world.call(world.ngo, "POST", "/msps", world.draft_body(), 201)
    await world.call(world.ngo, "POST", f"/msps/{draft['id']}/submit", {})
    await world.call(MITRA_UTAMA, "POST", f"/msps/{signed['id']}/extend", extension, 202)
    await world.call(world.ngo, "POST", "/visits", visit, 201)


async def test_a_lift_that_arrives_before_its_freeze_leaves_the_ngo_free(world: World) -> None:
    sanction_id = uuid.uuid4()
    await world.learn(world.lifted(sanction_id), datetime(2027, 3, 2, 9, tzinfo=JAKARTA))
    await world.learn(world.imposed("freeze", "suspended", sanction_id), datetime(2027, 3, 1, 9, tzinfo=JAKARTA))
    organization = await world.call(TPOA, "GET", f"/organizations/{world.organization_id}")
    assert organization["status"] == "active"
    await world.call(world.ngo, "POST", "/msps", world.draft_body(), 201)


async def test_a_revocation_ends_the_msps_in_force_and_refuses_those_not_yet_signed(world: World) -> None:
    signed = await world.signed()
    submitted = await world.submitted()
    draft = await world.draft()
    before = await world.call(TPOA, "GET", f"/msps/{signed['id']}/obligations")
    sanction_id = uuid.uuid4()
    revocation = world.imposed("revocation", "revoked", sanction_id)
    await world.learn(revocation, datetime(2027, 3, 1, 9, tzinfo=JAKARTA))

    ended = await world.call(TPOA, "GET", f"/msps/{signed['id']}")
    assert (ended["status"], ended["terminated_on"]) == ("terminated", str(TODAY))
    assert FREEZE_REASON in ended["termination_reason"]
    after = await world.call(TPOA, "GET", f"/msps/{signed['id']}/obligations")
    assert {(o["status"], o["next_check_on"]) for o in after} == {("closed", None)}
    [terminated] = await published(world.pool, "agreements.msp.terminated")
    assert terminated["data"]["sanction_id"] == str(sanction_id)
    assert sorted(terminated["data"]["closed_obligation_ids"]) == sorted(o["id"] for o in before)
    assert terminated["data"]["terminated_by"].startswith("system:agreements")
    for msp in (submitted, draft):
        assert (await world.call(TPOA, "GET", f"/msps/{msp['id']}"))["status"] == "rejected"
    rejected = await published(world.pool, "agreements.msp.rejected")
    assert sorted(event["data"]["msp_id"] for event in rejected) == sorted([submitted["id"], draft["id"]])
    audited = await world.pool.fetchval(
        "SELECT count(*) FROM outbox WHERE routing_key LIKE 'audit.%' AND body LIKE '%msp.terminated%'"
    )
    assert audited == 1

    # Nothing left to remind of, nothing open in the queues; the same news again changes nothing.
    pending = await world.call(TPOA, "GET", f"/obligations?msp_id={signed['id']}&status=pending")
    assert pending["items"] == []
    await world.learn(revocation, datetime(2027, 3, 1, 9, tzinfo=JAKARTA))
    assert len(await published(world.pool, "agreements.msp.terminated")) == 1
    assert len(await published(world.pool, "agreements.msp.rejected")) == 2
    refused = await world.call(world.ngo, "POST", "/msps", world.draft_body(), 409)
    assert refused["errors"][0]["field"] == "body.organization_id"


async def test_a_revocation_closes_the_overdue_obligations_too(world: World) -> None:
    signed = await world.signed()
    obligations = await world.call(TPOA, "GET", f"/msps/{signed['id']}/obligations")
    [late] = [o for o in obligations if o["kind"] == "action_plan"]
    # As the deadline engine leaves it once its due date passed: overdue, still waiting for a submission.
    await world.pool.execute("UPDATE obligations SET status = 'overdue' WHERE id = $1", uuid.UUID(late["id"]))
    await world.learn(world.imposed("revocation", "revoked"), datetime(2027, 3, 1, 9, tzinfo=JAKARTA))

    after = {o["id"]: o for o in await world.call(TPOA, "GET", f"/msps/{signed['id']}/obligations")}
    assert (after[late["id"]]["status"], after[late["id"]]["next_check_on"]) == ("closed", None)
    [terminated] = await published(world.pool, "agreements.msp.terminated")
    assert late["id"] in terminated["data"]["closed_obligation_ids"]
    assert sorted(terminated["data"]["closed_obligation_ids"]) == sorted(o["id"] for o in obligations)
    overdue = await world.call(TPOA, "GET", f"/obligations?msp_id={signed['id']}&status=overdue")
    assert overdue["items"] == [], "nothing the NGO could still submit"


async def test_a_revoked_permit_no_longer_lets_an_msp_be_signed_or_extended(world: World) -> None:
    signed = await world.signed()
    approved = await world.submitted()
    await world.call(TPOA, "POST", f"/msps/{approved['id']}/approve", {})
    permit_id = await world.pool.fetchval(
        "SELECT permit_id FROM known_permits WHERE organization_id = $1", world.organization_id
    )
    revoked = registry_contracts.PermitRevoked(
        permit_id=permit_id,
        organization_id=world.organization_id,
        organization_name="Plan International",
        permit_type="principle",
        number="IP-1",
        revoked_on=TODAY,
        reason="Revoked with the NGO's registration",
        revoked_at=datetime(2027, 3, 1, 9, tzinfo=JAKARTA),
    )
    await world.learn(revoked, datetime(2027, 3, 1, 9, tzinfo=JAKARTA))
    known = await world.pool.fetchrow("SELECT valid_until, expired FROM known_permits WHERE permit_id = $1", permit_id)
    assert (known["valid_until"], known["expired"]) == (date(2027, 2, 28), True)

    body = {"number": f"MSP/{uuid.uuid4().hex[:8]}", "signatories": SIGNATORIES}
    refused = await world.call(MITRA_UTAMA, "POST", f"/msps/{approved['id']}/sign", body, 409)
    assert refused["errors"][0]["field"] == "msp.organization_id"
    extension = {"ends_on": "2029-12-31", "reason": "Phase 2"}
    refused = await world.call(MITRA_UTAMA, "POST", f"/msps/{signed['id']}/extend", extension, 409)
    assert "principle permit" in refused["detail"]

    # An extension of the permit older than the revocation, arriving late, does not make it valid again.
    stale = registry_contracts.PermitExtended(
        permit_id=permit_id,
        organization_id=world.organization_id,
        organization_name="Plan International",
        permit_type="principle",
        number="IP-1",
        previous_valid_until=date(2029, 12, 31),
        valid_until=date(2030, 12, 31),
        requested_on=date(2027, 1, 15),
        requested_late=False,
        extended_at=datetime(2027, 2, 1, 9, tzinfo=JAKARTA),
    )
    await world.learn(stale, datetime(2027, 2, 1, 9, tzinfo=JAKARTA))
    await world.call(MITRA_UTAMA, "POST", f"/msps/{approved['id']}/sign", body, 409)


async def test_a_revocation_that_arrives_before_the_grant_keeps_the_permit_invalid(world: World) -> None:
    permit_id, at = uuid.uuid4(), datetime(2027, 3, 1, 9, tzinfo=JAKARTA)
    facts = {
        "permit_id": permit_id,
        "organization_id": world.organization_id,
        "organization_name": "Plan International",
        "permit_type": "principle",
        "number": "IP-2",
    }
    await world.learn(registry_contracts.PermitRevoked(**facts, revoked_on=TODAY, reason="x", revoked_at=at), at)
    granted = registry_contracts.PermitGranted(
        **facts, issued_on=date(2027, 1, 1), valid_until=date(2031, 12, 31), granted_at=at
    )
    await world.learn(granted, datetime(2027, 1, 1, 9, tzinfo=JAKARTA))
    known = await world.pool.fetchrow("SELECT * FROM known_permits WHERE permit_id = $1", permit_id)
    assert (known["issued_on"], known["valid_until"], known["expired"]) == (date(2027, 1, 1), date(2027, 2, 28), True)
