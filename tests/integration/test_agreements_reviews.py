"""TPOA's review as a team, extensions through TPOA, work plans decided by exactly their region's office, offices'
comments and the Action Plan's decision: agreements' real app over ASGI against the real PostgreSQL, under a
controllable clock, with registry's facts learned as its consumer learns them.

The member ministries are set explicitly (MITRA_TPOA_MEMBERS=KEMENDAGRI,POLRI; 14 days to answer)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from support.agreements_world import MIGRATIONS, MITRA_UTAMA, TPOA, AgreementsWorld, agreements_world, published
from support.app import api_client
from support.clock import FakeClock
from support.database import migrated_pool
from support.tokens import as_role

from mitra_agreements.bootstrap import build_spec
from mitra_agreements.settings import AgreementsSettings
from mitra_agreements.workers.deadlines import DeadlineEngine
from mitra_shared.uow import UnitOfWork

pytestmark = pytest.mark.integration

TODAY = date(2027, 1, 5)
MEMBERS = ["KEMENDAGRI", "POLRI"]


def member(code: str) -> dict[str, str]:
    return as_role("ministry", subject=f"{code.lower()}-officer", ministry_code=code)


class World(AgreementsWorld):
    """The member ministries answer between the submission and TPOA's approval."""

    async def clear_all(self, msp_id: str) -> None:
        for code in MEMBERS:
            await self.call(member(code), "POST", f"/msps/{msp_id}/review/answers", {"verdict": "cleared"}, 201)

    async def before_approval(self, msp_id: str) -> None:
        await self.clear_all(msp_id)


@pytest.fixture
async def world(database: str, tmp_path: Path) -> AsyncIterator[World]:
    settings = {"tpoa_members": MEMBERS, "tpoa_review_days": 14}
    async with agreements_world(World, database, tmp_path, today=TODAY, **settings) as made:
        yield made


async def test_an_msp_waits_for_the_members_or_for_the_end_of_the_review_period(world: World) -> None:
    msp = await world.submitted()
    review = await world.call(TPOA, "GET", f"/msps/{msp['id']}/review")
    assert (review["subject"], review["members"], review["awaiting"], review["objected"]) == (
        "msp",
        MEMBERS,
        MEMBERS,
        [],
    )
    assert (review["answer_by"], review["decidable"]) == (str(TODAY + timedelta(days=14)), False)
    [requested] = await published(world.pool, "agreements.msp.review_requested")
    assert (requested["data"]["members"], requested["data"]["subject"]) == (MEMBERS, "msp")

    refused = await world.call(TPOA, "POST", f"/msps/{msp['id']}/approve", {}, 409)
    assert refused["errors"][0]["field"] == "review"
    # The Mitra Utama is not a member; a member reads the MSP it was asked about, another ministry does not.
    await world.call(MITRA_UTAMA, "POST", f"/msps/{msp['id']}/review/answers", {"verdict": "cleared"}, 403)
    assert (await world.call(member("KEMENDAGRI"), "GET", f"/msps/{msp['id']}"))["id"] == msp["id"]
    await world.call(as_role("ministry", ministry_code="KEMENLU"), "GET", f"/msps/{msp['id']}", None, 404)

    answered = await world.call(
        member("KEMENDAGRI"), "POST", f"/msps/{msp['id']}/review/answers", {"verdict": "cleared", "note": "ok"}, 201
    )
    assert (answered["awaiting"], answered["answers"][0]["answered_by"]) == (["POLRI"], "kemendagri-officer")
    again = await world.call(
        member("KEMENDAGRI"), "POST", f"/msps/{msp['id']}/review/answers", {"verdict": "objected"}, 409
    )
    assert again["errors"][0]["field"] == "review"
    [told] = await published(world.pool, "agreements.msp.review_answered")
    assert (told["data"]["member_code"], told["data"]["awaiting"]) == ("KEMENDAGRI", ["POLRI"])

    world.clock.set(TODAY + timedelta(days=14))  # the last day to answer: still awaited
    await world.call(TPOA, "POST", f"/msps/{msp['id']}/approve", {}, 409)
    world.clock.set(TODAY + timedelta(days=15))
    assert (await world.call(TPOA, "GET", f"/msps/{msp['id']}/review"))["decidable"] is True
    approved = await world.call(TPOA, "POST", f"/msps/{msp['id']}/approve", {"note": "POLRI did not answer"})
    assert approved["status"] == "approved"
    closed = await world.call(TPOA, "GET", f"/msps/{msp['id']}/review")
    assert (closed["status"], closed["decidable"]) == ("closed", False)
    late = await world.call(member("POLRI"), "POST", f"/msps/{msp['id']}/review/answers", {"verdict": "cleared"}, 409)
    assert late["errors"][0]["field"] == "review"


async def test_one_objection_blocks_the_approval_but_not_a_rejection(world: World) -> None:
    msp = await world.submitted()
    await world.call(member("KEMENDAGRI"), "POST", f"/msps/{msp['id']}/review/answers", {"verdict": "cleared"}, 201)
    objection = {"verdict": "objected", "note": "Activities near a border area"}
    review = await world.call(member("POLRI"), "POST", f"/msps/{msp['id']}/review/answers", objection, 201)
    assert (review["awaiting"], review["objected"], review["decidable"]) == ([], ["POLRI"], False)
    world.clock.set(TODAY + timedelta(days=30))
    refused = await world.call(TPOA, "POST", f"/msps/{msp['id']}/approve", {}, 409)
    assert "POLRI" in refused["detail"]
    rejected = await world.call(TPOA, "POST", f"/msps/{msp['id']}/reject", {"reason": "POLRI objected"})
    assert rejected["status"] == "rejected"


async def test_an_extension_goes_through_tpoa_and_its_members(world: World) -> None:
    msp = await world.signed()
    path = f"/msps/{msp['id']}"
    await world.call(TPOA, "POST", f"{path}/extension/approve", {}, 409)  # nothing waits
    asked = await world.call(MITRA_UTAMA, "POST", f"{path}/extend", {"ends_on": "2029-12-31", "reason": "Phase 2"}, 202)
    assert (asked["ends_on"], asked["status"]) == ("2029-06-30", msp["status"])
    pending = asked["pending_extension"]
    assert (pending["proposed_ends_on"], pending["reason"], pending["requested_by"]) == (
        "2029-12-31",
        "Phase 2",
        "kemensos-officer",
    )
    twice = await world.call(MITRA_UTAMA, "POST", f"{path}/extend", {"ends_on": "2029-11-30", "reason": "again"}, 409)
    assert twice["errors"][0]["field"] == "msp.pending_extension"
    [requested] = await published(world.pool, "agreements.msp.extension_requested")
    assert (requested["data"]["ends_on"], requested["data"]["proposed_ends_on"]) == ("2029-06-30", "2029-12-31")
    review = await world.call(TPOA, "GET", f"{path}/review")
    assert (review["subject"], review["awaiting"]) == ("extension", MEMBERS)
    [_, extension_review] = await published(world.pool, "agreements.msp.review_requested")
    assert (extension_review["data"]["subject"], extension_review["data"]["proposed_ends_on"]) == (
        "extension",
        "2029-12-31",
    )

    await world.call(MITRA_UTAMA, "POST", f"{path}/extension/approve", {}, 403)
    assert (await world.call(TPOA, "POST", f"{path}/extension/approve", {}, 409))["errors"][0]["field"] == "review"
    await world.clear_all(msp["id"])
    extended = await world.call(TPOA, "POST", f"{path}/extension/approve", {"note": "TPOA meeting 3"})
    assert (extended["status"], extended["ends_on"], extended["pending_extension"]) == ("extended", "2029-12-31", None)
    [event] = await published(world.pool, "agreements.msp.extended")
    assert (event["data"]["previous_ends_on"], event["data"]["extended_by"]) == ("2029-06-30", "tpoa-secretary")

    await world.call(MITRA_UTAMA, "POST", f"{path}/extend", {"ends_on": "2029-12-30", "reason": "x"}, 422)  # earlier
    await world.call(MITRA_UTAMA, "POST", f"{path}/extend", {"ends_on": "2030-06-30", "reason": "Phase 3"}, 409)
    # The principle permit ends 2029-12-31: asking for more is refused before TPOA sees it.
    refused = await world.call(TPOA, "POST", f"{path}/extension/reject", {"note": "not now"}, 409)
    assert refused["errors"][0]["field"] == "msp.pending_extension"


async def test_tpoa_refuses_an_extension_any_time(world: World) -> None:
    msp = await world.signed()
    path = f"/msps/{msp['id']}"
    await world.call(MITRA_UTAMA, "POST", f"{path}/extend", {"ends_on": "2029-12-31", "reason": "Phase 2"}, 202)
    await world.call(member("POLRI"), "POST", f"{path}/review/answers", {"verdict": "cleared"}, 201)
    refused = await world.call(TPOA, "POST", f"{path}/extension/reject", {"note": "Evaluate phase 1 first"})
    assert (refused["ends_on"], refused["pending_extension"], refused["decision_note"]) == (
        "2029-06-30",
        None,
        "Evaluate phase 1 first",
    )
    [event] = await published(world.pool, "agreements.msp.extension_rejected")
    assert (event["data"]["proposed_ends_on"], event["data"]["note"]) == ("2029-12-31", "Evaluate phase 1 first")
    assert (await world.call(TPOA, "GET", f"{path}/review"))["status"] == "closed"
    # It may be asked again.
    await world.call(MITRA_UTAMA, "POST", f"{path}/extend", {"ends_on": "2029-12-31", "reason": "Phase 2 again"}, 202)


async def test_a_work_plan_is_decided_by_exactly_its_region_and_commented_on_by_the_ministry(world: World) -> None:
    msp = await world.signed(["3374"])
    obligations = await world.call(TPOA, "GET", f"/msps/{msp['id']}/obligations")
    [plan] = [o for o in obligations if o["kind"] == "work_plan" and o["period"] == "2027"]
    [action_plan] = [o for o in obligations if o["kind"] == "action_plan"]
    submitted = await world.call(world.ngo, "POST", f"/obligations/{plan['id']}/submissions", {"summary": "RKT"}, 201)
    base = f"/submissions/{submitted['id']}"
    for refused in (MITRA_UTAMA, as_role("region", region_code="33")):
        await world.call(refused, "POST", f"{base}/accept", {}, 403)
    await world.call(as_role("region", region_code="51"), "POST", f"{base}/accept", {}, 404)

    said = await world.call(MITRA_UTAMA, "POST", f"{base}/comments", {"comment": "Align with the RPJMD"}, 201)
    assert (said["office_kind"], said["office_code"], said["commented_by"]) == (
        "ministry",
        "KEMENSOS",
        "kemensos-officer",
    )
    world.clock.advance(minutes=5)
    await world.call(as_role("region", region_code="33"), "POST", f"{base}/comments", {"comment": "Noted"}, 201)
    await world.call(world.ngo, "POST", f"{base}/comments", {"comment": "Thanks"}, 403)
    detail = await world.call(as_role("region", region_code="3374"), "GET", base)
    assert [(c["office_kind"], c["office_code"], c["comment"]) for c in detail["comments"]] == [
        ("ministry", "KEMENSOS", "Align with the RPJMD"),
        ("region", "33", "Noted"),
    ]
    [commented, _] = await published(world.pool, "agreements.submission.commented")
    assert (commented["data"]["submission_id"], commented["data"]["region_code"]) == (submitted["id"], "3374")

    semarang = as_role("region", subject="semarang-officer", region_code="3374")
    accepted = await world.call(semarang, "POST", f"{base}/accept", {"comments": "Sesuai"})
    assert accepted["status"] == "accepted"
    assert (await world.call(TPOA, "GET", base))["decision_comments"] == "Sesuai"

    # The Action Plan: the ministry returns or accepts it (a region's office does not).
    filed = await world.call(
        world.ngo, "POST", f"/obligations/{action_plan['id']}/submissions", {"summary": "Action Plan"}, 201
    )
    await world.call(semarang, "POST", f"/submissions/{filed['id']}/return", {"comments": "x"}, 403)
    returned = await world.call(MITRA_UTAMA, "POST", f"/submissions/{filed['id']}/return", {"comments": "Add targets"})
    assert returned["status"] == "returned"
    [event] = await published(world.pool, "agreements.action_plan.returned")
    assert event["data"]["comments"] == "Add targets"
    again = await world.call(
        world.ngo, "POST", f"/obligations/{action_plan['id']}/submissions", {"summary": "Action Plan 2"}, 201
    )
    await world.call(MITRA_UTAMA, "POST", f"/submissions/{again['id']}/accept", {})
    assert len(await published(world.pool, "agreements.action_plan.accepted")) == 1


async def test_without_members_tpoa_decides_alone(database: str, tmp_path: Path) -> None:
    settings = AgreementsSettings(environment="test", documents_dir=tmp_path, tpoa_members=[])
    assert settings.policy().tpoa_members == ()
    async with migrated_pool(database, MIGRATIONS) as pool:
        clock = FakeClock(TODAY)
        async with api_client(build_spec(settings, clock=clock), pool, clock=clock, headers={}) as client:
            msp_id = uuid.uuid4()
            response = await client.get(f"/msps/{msp_id}/review", headers=TPOA)
            assert response.status_code == 404, response.text
        assert await published(pool, "agreements.msp.review_requested") == []


# --- review fixes: the end of an MSP, the queue of reviews, the decidable submissions ------------------------------


async def test_the_end_of_an_msp_drops_its_pending_extension_and_closes_its_review(world: World, database: str) -> None:
    msp = await world.signed()
    path = f"/msps/{msp['id']}"
    await world.call(MITRA_UTAMA, "POST", f"{path}/extend", {"ends_on": "2029-12-31", "reason": "Phase 2"}, 202)
    await world.call(member("POLRI"), "POST", f"{path}/review/answers", {"verdict": "cleared"}, 201)
    world.clock.set(date(2029, 7, 1))  # the day after its end date
    engine = DeadlineEngine(
        uow=UnitOfWork(world.pool, "agreements"), clock=world.clock, listen_dsn=database, tick_seconds=3600
    )
    await engine.tick()

    ended = await world.call(TPOA, "GET", path)
    assert (ended["status"], ended["ends_on"], ended["pending_extension"]) == ("ended", "2029-06-30", None)
    assert (await world.call(TPOA, "GET", f"{path}/review"))["status"] == "closed"
    for decision, body in (("approve", {}), ("reject", {"note": "too late"})):
        refused = await world.call(TPOA, "POST", f"{path}/extension/{decision}", body, 409)
        assert refused["errors"][0]["field"] == "msp.pending_extension"
    late = await world.call(member("KEMENDAGRI"), "POST", f"{path}/review/answers", {"verdict": "cleared"}, 409)
    assert late["errors"][0]["field"] == "review"
    assert (await world.call(TPOA, "GET", "/reviews"))["items"] == []


async def test_no_decision_nor_answer_once_the_msp_left_the_state_its_review_is_about(world: World) -> None:
    extended, submitted = await world.signed(), await world.submitted()
    path = f"/msps/{extended['id']}"
    await world.call(MITRA_UTAMA, "POST", f"{path}/extend", {"ends_on": "2029-12-31", "reason": "Phase 2"}, 202)
    await world.clear_all(extended["id"])
    # An MSP over while its extension and its review were left waiting (as before the engine dropped them).
    await world.pool.execute("UPDATE msps SET status = 'ended' WHERE id = $1", uuid.UUID(extended["id"]))
    for decision, body in (("approve", {}), ("reject", {"note": "too late"})):
        refused = await world.call(TPOA, "POST", f"{path}/extension/{decision}", body, 409)
        assert (refused["errors"][0]["field"], "no longer in force" in refused["detail"]) == ("msp.status", True)
    await world.pool.execute("UPDATE msps SET status = 'terminated' WHERE id = $1", uuid.UUID(submitted["id"]))
    refused = await world.call(
        member("POLRI"), "POST", f"/msps/{submitted['id']}/review/answers", {"verdict": "cleared"}, 409
    )
    assert (refused["errors"][0]["field"], "no longer submitted" in refused["detail"]) == ("msp.status", True)


async def test_the_queue_of_reviews_shows_each_member_what_awaits_its_answer(world: World) -> None:
    first = await world.submitted()
    world.clock.advance(minutes=5)
    extended = await world.signed()
    await world.call(
        MITRA_UTAMA, "POST", f"/msps/{extended['id']}/extend", {"ends_on": "2029-12-31", "reason": "Phase 2"}, 202
    )
    world.clock.set(TODAY + timedelta(days=1))  # a day later: its review answers a day later too
    second = await world.submitted()
    await world.call(member("KEMENDAGRI"), "POST", f"/msps/{first['id']}/review/answers", {"verdict": "cleared"}, 201)
    objection = {"verdict": "objected", "note": "Border area"}
    await world.call(member("POLRI"), "POST", f"/msps/{second['id']}/review/answers", objection, 201)

    async def queue(who: dict[str, str], **params: Any) -> list[dict[str, Any]]:
        response = await world.client.get("/reviews", params=params, headers=who)
        assert response.status_code == 200, response.text
        page = response.json()
        assert page["total"] == len(page["items"])
        return list(page["items"])

    def ids(items: list[dict[str, Any]]) -> list[str]:
        return [item["msp_id"] for item in items]

    # KEMENDAGRI answered the first; POLRI the second; by answer_by, then by when it was asked.
    assert ids(await queue(member("KEMENDAGRI"))) == [extended["id"], second["id"]]
    assert ids(await queue(member("KEMENDAGRI"), awaiting="false")) == [first["id"]]
    assert ids(await queue(member("POLRI"))) == [first["id"], extended["id"]]
    assert ids(await queue(TPOA)) == [first["id"], extended["id"], second["id"]]
    assert await queue(TPOA, awaiting="false") == []
    assert await queue(MITRA_UTAMA) == [], "the Mitra Utama is not a member"
    assert await queue(as_role("auditor")) == await queue(TPOA)
    [extension] = [item for item in await queue(TPOA) if item["subject"] == "extension"]
    assert extension["review_id"] == (await world.call(TPOA, "GET", f"/msps/{extended['id']}/review"))["review_id"]
    assert (extension["proposed_ends_on"], extension["title"], extension["ministry_code"]) == (
        "2029-12-31",
        extended["title"],
        "KEMENSOS",
    )
    assert extension["organization"] == {"organization_id": str(world.organization_id), "name": "Plan International"}
    assert (extension["members"], extension["awaiting"], extension["objected"], extension["decidable"]) == (
        MEMBERS,
        MEMBERS,
        [],
        False,
    )
    [objected] = [item for item in await queue(TPOA) if item["msp_id"] == second["id"]]
    assert (objected["proposed_ends_on"], objected["awaiting"], objected["objected"]) == (
        None,
        ["KEMENDAGRI"],
        ["POLRI"],
    )
    assert objected["answer_by"] == str(TODAY + timedelta(days=15))

    await world.call(member("POLRI"), "POST", f"/msps/{first['id']}/review/answers", {"verdict": "cleared"}, 201)
    [answered] = await queue(TPOA, awaiting="false")
    assert (answered["msp_id"], answered["decidable"]) == (first["id"], True)
    await world.call(TPOA, "POST", f"/msps/{first['id']}/approve", {})
    assert await queue(TPOA, awaiting="false") == [], "a decided review leaves the queue"
    for refused in (world.ngo, as_role("region", region_code="33"), as_role("admin")):
        assert (await world.client.get("/reviews", headers=refused)).status_code == 403
    unknown = await world.client.get("/reviews", params={"colour": "red"}, headers=TPOA)
    assert unknown.status_code == 422


async def test_the_submissions_a_caller_decides_are_filtered_with_decidable(world: World) -> None:
    msp = await world.signed(["3374", "33"])
    obligations = await world.call(TPOA, "GET", f"/msps/{msp['id']}/obligations")
    semarang_plan, jateng_plan = (
        next(o for o in obligations if o["kind"] == "work_plan" and o["period"] == "2027" and o["region_code"] == code)
        for code in ("3374", "33")
    )
    [action_plan] = [o for o in obligations if o["kind"] == "action_plan"]
    submitted = {}
    for name, obligation in (("semarang", semarang_plan), ("jateng", jateng_plan), ("action_plan", action_plan)):
        path = f"/obligations/{obligation['id']}/submissions"
        submitted[name] = (await world.call(world.ngo, "POST", path, {"summary": name}, 201))["id"]
        world.clock.advance(minutes=1)

    async def queue(who: dict[str, str], decidable: str | None = None) -> list[str]:
        params = {"msp_id": msp["id"], **({"decidable": decidable} if decidable else {})}
        response = await world.client.get("/submissions", params=params, headers=who)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    names = {value: key for key, value in submitted.items()}
    semarang, jateng = as_role("region", region_code="3374"), as_role("region", region_code="33")
    assert [names[i] for i in await queue(MITRA_UTAMA, "true")] == ["action_plan"]
    assert [names[i] for i in await queue(MITRA_UTAMA, "false")] == ["semarang", "jateng"]
    assert [names[i] for i in await queue(MITRA_UTAMA)] == ["semarang", "jateng", "action_plan"]
    assert [names[i] for i in await queue(semarang, "true")] == ["semarang"], "exactly its region's"
    assert [names[i] for i in await queue(jateng, "true")] == ["jateng"], "not its regencies' work plans"
    assert [names[i] for i in await queue(jateng, "false")] == ["semarang", "action_plan"]
    assert await queue(TPOA, "true") == []
    assert len(await queue(TPOA, "false")) == 3
    assert await queue(world.ngo, "true") == []
    # What the filter keeps is what the caller may really decide.
    await world.call(jateng, "POST", f"/submissions/{submitted['jateng']}/accept", {})
    await world.call(MITRA_UTAMA, "POST", f"/submissions/{submitted['action_plan']}/accept", {})
    assert await queue(jateng, "true") == []
    assert await queue(MITRA_UTAMA, "true") == []
