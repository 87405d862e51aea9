"""Monitoring per MSP over agreements' real API: monitoring visits recorded by the Mitra Utama or a region's office,
mitigation actions with an owner, a due date and a status, their queue held to the caller's scope, and the deadline
engine's reminders (at the reminder days) and overdue notice (once).

The world: NGO A's MSP with KEMENSOS working in Kota Semarang (3374, Jawa Tengah 33) and Bali (51), signed through the
API by the roles that really do it; registry's facts learned through agreements' own event handlers.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from support.agreements_world import (
    MITRA_UTAMA,
    SEMARANG_PARTNERS,
    TPOA,
    AgreementsWorld,
    agreements_world,
    published,
)
from support.tokens import as_role

from mitra_agreements.workers.deadlines import DeadlineEngine
from mitra_shared.uow import UnitOfWork

pytestmark = pytest.mark.integration

TODAY = date(2027, 1, 5)
KEMENSOS = MITRA_UTAMA
KEMENLU = as_role("ministry", subject="kemenlu-officer", ministry_code="KEMENLU")
JATENG = as_role("region", subject="jateng-officer", region_code="33")
SEMARANG = as_role("region", subject="semarang-officer", region_code="3374")
BALI = as_role("region", subject="bali-officer", region_code="51")
PARTNERS = (*SEMARANG_PARTNERS, ("province", "51", "Bali", None), ("province", "52", "Nusa Tenggara Barat", None))


@dataclass
class World(AgreementsWorld):
    """NGO A's MSP with KEMENSOS in Kota Semarang and Bali, signed."""

    msp: dict[str, Any] = field(default_factory=dict)


def ngo_of(organization_id: uuid.UUID) -> dict[str, str]:
    return as_role("ngo", subject="ngo-staff", organization_id=organization_id)


async def new_msp(world: World, *, sign: bool = True) -> dict[str, Any]:
    return await (world.signed() if sign else world.draft())


@pytest.fixture
async def world(database: str, tmp_path: Path) -> AsyncIterator[World]:
    # TPOA decides alone here (no member review): these tests are about what follows signing.
    async with agreements_world(World, database, tmp_path, today=TODAY, name="NGO A", partners=PARTNERS) as made:
        made.places = ["3374", "51"]
        made.msp = await new_msp(made)
        yield made


def visit_body(**overrides: Any) -> dict[str, Any]:
    return {
        "visited_on": "2027-01-04",
        "aspects": ["administration", "field_implementation", "administration"],
        "rating": "needs_improvement",
        "findings": "Attendance lists incomplete",
        **overrides,
    }


def action_body(**overrides: Any) -> dict[str, Any]:
    return {"description": "Complete the attendance lists", "owner": "ngo", "due_on": "2027-02-15", **overrides}


# --- monitoring visits ---------------------------------------------------------------------------------------------


async def test_monitoring_visits_are_recorded_by_the_mitra_utama_or_a_region_and_read_in_scope(world: World) -> None:
    msp_id = world.msp["id"]
    path = f"/msps/{msp_id}/monitoring-visits"
    msp_wide = await world.call(KEMENSOS, "POST", path, visit_body(), 201)
    assert (msp_wide["office_kind"], msp_wide["office_code"], msp_wide["region_code"]) == ("ministry", "KEMENSOS", None)
    assert msp_wide["aspects"] == ["administration", "field_implementation"]
    in_jateng = await world.call(JATENG, "POST", path, visit_body(rating="satisfactory"), 201)
    assert (in_jateng["office_kind"], in_jateng["region_code"], in_jateng["province_code"]) == ("region", "33", "33")
    in_semarang = await world.call(JATENG, "POST", path, visit_body(region_code="3374"), 201)
    assert in_semarang["province_code"] == "33"
    in_bali = await world.call(BALI, "POST", path, visit_body(), 201)

    [event, *_] = await published(world.pool, "agreements.monitoring_visit.recorded")
    data = event["data"]
    assert (data["monitoring_visit_id"], data["office_kind"], data["rating"]) == (
        msp_wide["id"],
        "ministry",
        "needs_improvement",
    )
    assert (data["organization"]["name"], data["ministry"]["code"]) == ("NGO A", "KEMENSOS")
    assert len(await published(world.pool, "audit.agreements.recorded")) >= 4

    everything = {visit["id"] for visit in await world.call(world.ngo, "GET", path)}
    assert everything == {msp_wide["id"], in_jateng["id"], in_semarang["id"], in_bali["id"]}
    seen_by_jateng = {visit["id"] for visit in await world.call(JATENG, "GET", path)}
    assert seen_by_jateng == {msp_wide["id"], in_jateng["id"], in_semarang["id"]}, "Bali's visit is not Jawa Tengah's"
    assert (await world.client.get(f"/monitoring-visits/{in_bali['id']}", headers=JATENG)).status_code == 404
    assert (await world.client.get(f"/monitoring-visits/{in_bali['id']}", headers=BALI)).status_code == 200
    assert (await world.client.get(f"/monitoring-visits/{msp_wide['id']}", headers=TPOA)).status_code == 200
    stranger = ngo_of(uuid.uuid4())
    assert (await world.client.get(path, headers=stranger)).status_code == 404
    assert (await world.client.get(f"/monitoring-visits/{msp_wide['id']}", headers=stranger)).status_code == 404


async def test_a_monitoring_visit_is_refused_outside_the_rules(world: World) -> None:
    path = f"/msps/{world.msp['id']}/monitoring-visits"
    before = await world.pool.fetchval("SELECT count(*) FROM outbox")
    assert await world.refused(world.ngo, "POST", path, visit_body(), 403) is None  # the route's policy
    assert await world.refused(KEMENLU, "POST", path, visit_body(), 404) == "path.msp_id"  # not its MSP
    outside = as_role("region", region_code="52")
    assert await world.refused(outside, "POST", path, visit_body(), 404) == "path.msp_id"
    assert await world.refused(JATENG, "POST", path, visit_body(region_code="51"), 403) == "body.region_code"
    assert await world.refused(KEMENSOS, "POST", path, visit_body(region_code="52"), 422) == "body.region_code"
    assert await world.refused(KEMENSOS, "POST", path, visit_body(visited_on="2027-01-06"), 422) == "body.visited_on"
    assert await world.refused(KEMENSOS, "POST", path, visit_body(aspects=[]), 422) == "body.aspects"
    draft = await new_msp(world, sign=False)
    draft_path = f"/msps/{draft['id']}/monitoring-visits"
    assert await world.refused(KEMENSOS, "POST", draft_path, visit_body(), 409) == "msp.status"
    assert await world.pool.fetchval("SELECT count(*) FROM outbox") == before + 2, "only the draft was written"


# --- mitigation actions ---------------------------------------------------------------------------------------------


async def test_a_mitigation_action_is_opened_and_moved_on_by_its_owner(world: World) -> None:
    msp_id = world.msp["id"]
    visit = await world.call(BALI, "POST", f"/msps/{msp_id}/monitoring-visits", visit_body(), 201)
    path = f"/msps/{msp_id}/mitigation-actions"
    for_ngo = await world.call(KEMENSOS, "POST", path, action_body(monitoring_visit_id=visit["id"]), 201)
    assert (for_ngo["status"], for_ngo["owner"], for_ngo["region_code"], for_ngo["overdue"]) == (
        "open",
        "ngo",
        "51",
        False,
    )
    [opened] = await published(world.pool, "agreements.mitigation_action.opened")
    assert (opened["data"]["action_id"], opened["data"]["monitoring_visit_id"]) == (for_ngo["id"], visit["id"])
    assert opened["data"]["opened_by"] == "kemensos-officer"

    # Refused: the region code rules, the due date, a visit of another MSP, and an office outside its area.
    assert await world.refused(KEMENSOS, "POST", path, action_body(owner="region"), 422) == "body.owner_region_code"
    owned_ngo = action_body(owner_region_code="3374")
    assert await world.refused(KEMENSOS, "POST", path, owned_ngo, 422) == "body.owner_region_code"
    assert await world.refused(KEMENSOS, "POST", path, action_body(due_on="2027-01-04"), 422) == "body.due_on"
    unknown_visit = action_body(monitoring_visit_id=str(uuid.uuid4()))
    assert await world.refused(KEMENSOS, "POST", path, unknown_visit, 422) == "body.monitoring_visit_id"
    jateng_for_bali = action_body(owner="region", owner_region_code="51")
    assert await world.refused(JATENG, "POST", path, jateng_for_bali, 403) == "body.owner_region_code"
    assert await world.refused(world.ngo, "POST", path, action_body(), 403) is None

    for_semarang = await world.call(
        JATENG, "POST", path, action_body(owner="region", owner_region_code="3374", due_on="2027-03-01"), 201
    )
    for_ministry = await world.call(KEMENSOS, "POST", path, action_body(owner="ministry"), 201)

    # The owner moves its action on; the ministry may cancel any; nobody moves a finished one.
    status = f"/mitigation-actions/{for_ngo['id']}/status"
    assert await world.refused(KEMENSOS, "POST", status, {"status": "done"}, 403) is None
    assert await world.refused(JATENG, "POST", status, {"status": "done"}, 404) == "path.action_id"  # Bali's
    # The owner moves its action on but never cancels it, even while it is open: that is the Mitra Utama's.
    assert await world.refused(world.ngo, "POST", status, {"status": "cancelled"}, 403) is None
    moved = await world.call(world.ngo, "POST", status, {"status": "in_progress", "note": "started"})
    assert (moved["status"], moved["status_note"], moved["status_changed_by"]) == (
        "in_progress",
        "started",
        "ngo-staff",
    )
    assert (await world.call(world.ngo, "POST", status, {"status": "done"}))["status"] == "done"
    assert await world.refused(world.ngo, "POST", status, {"status": "in_progress"}, 409) == "body.status"
    semarang_status = f"/mitigation-actions/{for_semarang['id']}/status"
    assert await world.refused(world.ngo, "POST", semarang_status, {"status": "done"}, 403) is None
    assert (await world.call(SEMARANG, "POST", semarang_status, {"status": "in_progress"}))["status"] == "in_progress"
    # A region owner is exactly that region's office: the province does not move Semarang's action.
    assert await world.refused(JATENG, "POST", semarang_status, {"status": "done"}, 403) is None
    assert (await world.call(SEMARANG, "POST", semarang_status, {"status": "done"}))["status"] == "done"
    ministry_status = f"/mitigation-actions/{for_ministry['id']}/status"
    assert (await world.call(KEMENSOS, "POST", ministry_status, {"status": "cancelled"}))["status"] == "cancelled"

    changes = [e["data"] for e in await published(world.pool, "agreements.mitigation_action.status_changed")]
    assert [(c["previous_status"], c["status"]) for c in changes] == [
        ("open", "in_progress"),
        ("in_progress", "done"),
        ("open", "in_progress"),
        ("in_progress", "done"),
        ("open", "cancelled"),
    ]
    assert changes[2]["owner_region_code"] == "3374"
    by_jateng = {a["id"] for a in await world.call(JATENG, "GET", path)}
    assert by_jateng == {for_semarang["id"], for_ministry["id"]}, "MSP-wide and Semarang's, not Bali's"
    assert {a["id"] for a in await world.call(world.ngo, "GET", path)} == {
        for_ngo["id"],
        for_semarang["id"],
        for_ministry["id"],
    }
    assert (await world.call(TPOA, "GET", f"/mitigation-actions/{for_ngo['id']}"))["status"] == "done"


async def test_the_queue_of_mitigation_actions_is_filtered_and_held_to_the_callers_scope(world: World) -> None:
    path = f"/msps/{world.msp['id']}/mitigation-actions"
    early = await world.call(KEMENSOS, "POST", path, action_body(due_on="2027-01-20"), 201)
    late = await world.call(KEMENSOS, "POST", path, action_body(owner="ministry", due_on="2027-04-01"), 201)
    bali = await world.call(
        BALI, "POST", path, action_body(owner="region", owner_region_code="51", due_on="2027-02-01"), 201
    )
    await world.call(KEMENSOS, "POST", f"/mitigation-actions/{late['id']}/status", {"status": "in_progress"})

    async def queue(who: dict[str, str], **params: Any) -> list[str]:
        response = await world.client.get("/mitigation-actions", params=params, headers=who)
        assert response.status_code == 200, response.text
        page = response.json()
        assert page["total"] == len(page["items"])
        return [item["id"] for item in page["items"]]

    assert await queue(TPOA) == [early["id"], bali["id"], late["id"]]
    assert await queue(TPOA, sort="-due_on") == [late["id"], bali["id"], early["id"]]
    assert await queue(TPOA, status=["open"]) == [early["id"], bali["id"]]
    assert await queue(TPOA, owner=["ministry", "region"]) == [bali["id"], late["id"]]
    assert await queue(TPOA, due_before="2027-02-01") == [early["id"]]
    assert await queue(TPOA, due_after="2027-01-20", msp_id=world.msp["id"]) == [bali["id"], late["id"]]
    assert await queue(TPOA, region_code="33") == [early["id"], late["id"]]
    assert await queue(JATENG) == [early["id"], late["id"]]
    assert await queue(BALI) == [early["id"], bali["id"], late["id"]]
    assert await queue(KEMENSOS) == [early["id"], bali["id"], late["id"]]
    assert await queue(KEMENLU) == []
    assert await queue(ngo_of(uuid.uuid4())) == []
    [item] = (await world.client.get("/mitigation-actions", params={"owner": "region"}, headers=TPOA)).json()["items"]
    assert (item["msp_title"], item["organization_name"], item["ministry_code"]) == (
        world.msp["title"],
        "NGO A",
        "KEMENSOS",
    )
    window = await world.client.get(
        "/mitigation-actions", params={"due_after": "2027-02-01", "due_before": "2027-02-01"}
    )
    assert window.status_code == 401  # no token
    window = await world.client.get(
        "/mitigation-actions", params={"due_after": "2027-02-01", "due_before": "2027-02-01"}, headers=TPOA
    )
    assert (window.status_code, window.json()["errors"][0]["field"]) == (422, "query.due_before")
    unknown = await world.client.get("/mitigation-actions", params={"colour": "red"}, headers=TPOA)
    assert unknown.status_code == 422


# --- the deadline engine -------------------------------------------------------------------------------------------


async def test_the_engine_reminds_of_open_actions_at_the_reminder_days_and_tells_overdue_once(
    world: World, database: str
) -> None:
    path = f"/msps/{world.msp['id']}/mitigation-actions"
    kept = await world.call(KEMENSOS, "POST", path, action_body(due_on="2027-02-15"), 201)
    started = await world.call(KEMENSOS, "POST", path, action_body(owner="ministry", due_on="2027-02-15"), 201)
    finished = await world.call(KEMENSOS, "POST", path, action_body(owner="ministry", due_on="2027-02-15"), 201)
    await world.call(KEMENSOS, "POST", f"/mitigation-actions/{started['id']}/status", {"status": "in_progress"})
    await world.call(KEMENSOS, "POST", f"/mitigation-actions/{finished['id']}/status", {"status": "done"})
    ended = await new_msp(world)  # an action of an MSP terminated since: nobody is reminded of it
    await world.call(KEMENSOS, "POST", f"/msps/{ended['id']}/mitigation-actions", action_body(due_on="2027-02-15"), 201)
    await world.call(KEMENSOS, "POST", f"/msps/{ended['id']}/terminate", {"reason": "Ended by agreement"})
    uow = UnitOfWork(world.pool, "agreements")

    def engine() -> DeadlineEngine:  # a new instance: another replica, or one restarted
        return DeadlineEngine(uow=uow, clock=world.clock, listen_dsn=database, tick_seconds=3600)

    async def due() -> list[tuple[str, int]]:
        return [
            (e["data"]["action_id"], e["data"]["days_before"])
            for e in await published(world.pool, "agreements.mitigation_action.due")
        ]

    await engine().tick()
    assert await due() == []
    world.clock.set(date(2027, 1, 20))  # 26 days before: the 30-day reminder
    await engine().tick()
    await engine().tick()
    assert sorted(await due()) == sorted([(kept["id"], 30), (started["id"], 30)])
    reminders = await published(world.pool, "agreements.mitigation_action.due")
    assert {e["data"]["days_left"] for e in reminders} == {26}, "from the reminder's day to the due date"
    world.clock.set(date(2027, 2, 14))  # a day before; the 7-day reminder was missed (downtime): only this one
    await engine().tick()
    assert sorted(await due()) == sorted([(kept["id"], 30), (started["id"], 30), (kept["id"], 1), (started["id"], 1)])
    assert [e["data"]["days_left"] for e in await published(world.pool, "agreements.mitigation_action.due")][2:] == [
        1,
        1,
    ]
    world.clock.set(date(2027, 2, 18))
    await engine().tick()
    await engine().tick()
    overdue = [e["data"] for e in await published(world.pool, "agreements.mitigation_action.overdue")]
    assert sorted((o["action_id"], o["days_overdue"]) for o in overdue) == sorted([(kept["id"], 3), (started["id"], 3)])
    assert overdue[0]["organization"]["name"] == "NGO A"
    assert (await world.call(TPOA, "GET", f"/mitigation-actions/{kept['id']}"))["overdue"] is True
    assert (await world.call(TPOA, "GET", f"/mitigation-actions/{finished['id']}"))["overdue"] is False
    remaining = await world.pool.fetchval("SELECT count(*) FROM mitigation_actions WHERE next_check_on IS NOT NULL")
    assert remaining == 0, "nothing more to look at"
