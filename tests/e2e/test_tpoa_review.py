"""TPOA's review as a team, end to end: registry, agreements and notifications as processes, both registry and
agreements started with two member ministries (`MITRA_TPOA_MEMBERS`) that the test registers as partners.

A submitted MSP waits for the members: TPOA's approval is refused (409 on `review`) while they are awaited and while
one objection stands (TPOA may still reject); an MSP both members clear is approved and signed. Each member is
mailed the request. In registry, an application one member objects to cannot become `registered`; one both clear
can.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import httpx
import pytest
from support.work_loop import (
    TPOA,
    Json,
    Parties,
    change_status,
    draft_when_known,
    get,
    issue14_system,
    mail_to,
    mentions,
    ministry_mail,
    ministry_officer,
    msp_draft,
    new_tag,
    ngo_staff,
    post,
    problem_field,
    register_ministry,
    register_ngo,
    register_regions,
    sign_when_known,
)

pytestmark = pytest.mark.e2e
TAG = new_tag().upper()
MEMBERS = (f"KEMENDAGRI{TAG}", f"POLRI{TAG}")
SECRETARIAT = f"sekretariat-{TAG.lower()}@tpoa.example"


@dataclass
class World:
    parties: Parties
    tag: str
    ministry: Json
    members: tuple[Json, Json]

    def member(self, index: int) -> dict[str, str]:
        return ministry_officer(MEMBERS[index], subject=f"member-{index}-{self.tag}")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with issue14_system(tmp_path_factory.mktemp("review-logs"), "e2e-review", members=",".join(MEMBERS)) as system:
        yield asyncio.run(_world(Parties(system)))


async def _world(parties: Parties) -> World:
    tag = new_tag()
    async with httpx.AsyncClient(timeout=20) as client:
        await register_regions(client, parties, tag)
        ministry = await register_ministry(client, parties, f"KS{tag.upper()}", "Kementerian Sosial")
        first = await register_ministry(client, parties, MEMBERS[0], "Kementerian Dalam Negeri")
        second = await register_ministry(client, parties, MEMBERS[1], "Kepolisian Negara Republik Indonesia")
        contact = {"name": "Sekretariat TPOA", "email": SECRETARIAT, "language": "id"}
        tpoa = {"kind": "tpoa", "code": f"TPOA{TAG}", "name": "Tim Perizinan Ormas Asing", "contacts": [contact]}
        await post(client, f"{parties.registry}/partners", tpoa)
    return World(parties, tag, ministry, (first, second))


async def submitted_msp(client: httpx.AsyncClient, world: World, ngo: Json) -> tuple[Json, str]:
    """The NGO's MSP drafted and submitted to TPOA; its URL."""
    staff = ngo_staff(ngo)
    msp = await draft_when_known(client, world.parties, msp_draft(ngo, world.ministry, ["3374"]), staff)
    base = f"{world.parties.agreements}/msps/{msp['id']}"
    submitted = await post(client, f"{base}/submit", {}, staff, expected=200)
    assert submitted["status"] == "submitted"
    return msp, base


async def approval_refused(client: httpx.AsyncClient, base: str) -> None:
    response = await client.post(f"{base}/approve", json={"note": "TPOA meeting"}, headers=TPOA)
    assert response.status_code == 409, response.text
    assert problem_field(response) == "review", response.text


async def test_one_objection_blocks_the_approval_and_an_msp_all_members_clear_is_approved(world: World) -> None:
    async with httpx.AsyncClient(timeout=20) as client:
        ngo, _ = await register_ngo(client, world.parties, f"Save the Children {world.tag}")
        staff = ngo_staff(ngo)

        # One objection blocks it.
        _, base = await submitted_msp(client, world, ngo)
        review = await get(client, f"{base}/review")
        assert review["subject"] == "msp"
        assert sorted(review["members"]) == sorted(MEMBERS)
        assert sorted(review["awaiting"]) == sorted(MEMBERS)
        assert (review["answers"], review["objected"], review["decidable"]) == ([], [], False)
        await approval_refused(client, base)  # both awaited, and the period runs

        for outsider in (ministry_officer(world.ministry["code"]), staff):
            refused = await client.post(f"{base}/review/answers", json={"verdict": "cleared"}, headers=outsider)
            assert refused.status_code in (403, 409), refused.text
        await post(client, f"{base}/review/answers", {"verdict": "cleared"}, world.member(0))
        review = await get(client, f"{base}/review")
        assert [(a["member_code"], a["verdict"]) for a in review["answers"]] == [(MEMBERS[0], "cleared")]
        assert (review["awaiting"], review["decidable"]) == ([MEMBERS[1]], False)
        await approval_refused(client, base)  # the second member is still awaited
        note = f"Kegiatan yang direncanakan menyentuh isu politik lokal ({world.tag})"
        await post(client, f"{base}/review/answers", {"verdict": "objected", "note": note}, world.member(1))
        twice = await client.post(f"{base}/review/answers", json={"verdict": "cleared"}, headers=world.member(1))
        assert twice.status_code == 409, twice.text

        review = await get(client, f"{base}/review", ministry_officer(MEMBERS[1]))
        assert (review["awaiting"], review["objected"], review["decidable"]) == ([], [MEMBERS[1]], False)
        [objection] = [a for a in review["answers"] if a["member_code"] == MEMBERS[1]]
        assert (objection["verdict"], objection["note"]) == ("objected", note)
        await approval_refused(client, base)
        assert (await get(client, base, staff))["status"] == "submitted"
        rejected = await post(client, f"{base}/reject", {"reason": "A member ministry objected"}, expected=200)
        assert rejected["status"] == "rejected"

        # Both members clear: TPOA approves and the Mitra Utama signs.
        second, base = await submitted_msp(client, world, ngo)
        for index in (0, 1):
            await post(
                client,
                f"{base}/review/answers",
                {"verdict": "cleared", "note": "Tidak ada catatan"},
                world.member(index),
            )
        review = await get(client, f"{base}/review")
        assert (review["awaiting"], review["objected"], review["decidable"]) == ([], [], True)
        approved = await post(client, f"{base}/approve", {"note": "Cleared by every member"}, expected=200)
        assert approved["status"] == "approved"
        signed = await sign_when_known(client, world.parties, second["id"], ministry_officer(world.ministry["code"]))
        assert signed["status"] in ("signed", "active")

        # TPOA's secretariat hears of the objection, with its note.
        await mail_to(world.parties.system, SECRETARIAT, mentions(note), description="the objection's e-mail to TPOA")
        # Each member ministry was asked by e-mail (its partner contact).
        for code in MEMBERS:
            await mail_to(
                world.parties.system,
                ministry_mail(code),
                lambda m: ngo["legal_name"] in m["Subject"] and "MSP" in m["Subject"],  # not the application's
                description=f"the review request's e-mail to {code}",
            )


async def test_an_application_a_member_objects_to_cannot_be_registered(world: World) -> None:
    registry = world.parties.registry
    async with httpx.AsyncClient(timeout=20) as client:
        objected, _ = await register_ngo(client, world.parties, f"Greenpeace {world.tag}", permit=False)
        review_url = f"{registry}/organizations/{objected['id']}/review"
        review = await get(client, review_url)
        assert sorted(review["members"]) == sorted(MEMBERS)
        assert (sorted(review["awaiting"]), review["decidable"]) == (sorted(MEMBERS), False)
        await change_status(client, world.parties, objected["id"], "registered", expected=409)

        await post(client, f"{review_url}/answers", {"verdict": "cleared"}, world.member(0))
        note = f"Pendirinya dalam penyelidikan ({world.tag})"
        await post(client, f"{review_url}/answers", {"verdict": "objected", "note": note}, world.member(1))
        again = await client.post(f"{review_url}/answers", json={"verdict": "cleared"}, headers=world.member(0))
        assert again.status_code == 409, again.text
        review = await get(client, review_url)
        assert (review["awaiting"], review["objected"], review["decidable"]) == ([], [MEMBERS[1]], False)
        refused = await change_status(client, world.parties, objected["id"], "registered", expected=409)
        assert refused["errors"][0]["field"] in ("review", "body.status"), refused
        await mail_to(world.parties.system, SECRETARIAT, mentions(note), description="the objection's e-mail to TPOA")
        for code in MEMBERS:  # each member was asked
            await mail_to(
                world.parties.system, ministry_mail(code), mentions(objected["legal_name"]), description=f"ask {code}"
            )

        cleared, _ = await register_ngo(client, world.parties, f"The Asia Foundation {world.tag}", permit=False)
        review_url = f"{registry}/organizations/{cleared['id']}/review"
        for index in (0, 1):
            await post(client, f"{review_url}/answers", {"verdict": "cleared"}, world.member(index))
        assert (await get(client, review_url))["decidable"] is True
        registered = await change_status(client, world.parties, cleared["id"], "registered")
        assert registered["status"] == "registered"


async def test_an_extension_goes_through_tpoa_and_its_members(world: World) -> None:
    officer = ministry_officer(world.ministry["code"])
    async with httpx.AsyncClient(timeout=20) as client:
        ngo, _ = await register_ngo(
            client, world.parties, f"Mercy Corps {world.tag}", contact_email=f"mercy-{world.tag}@ngo.example"
        )
        msp, base = await submitted_msp(client, world, ngo)
        for index in (0, 1):
            await post(client, f"{base}/review/answers", {"verdict": "cleared"}, world.member(index))
        await post(client, f"{base}/approve", {"note": "Cleared"}, expected=200)
        signed = await sign_when_known(client, world.parties, msp["id"], officer)

        # The Mitra Utama asks; the MSP keeps its dates until TPOA decides after its members.
        new_end = (date.fromisoformat(signed["ends_on"]) + timedelta(days=60)).isoformat()
        asked = await post(client, f"{base}/extend", {"ends_on": new_end, "reason": "Programme delayed"}, officer, 202)
        assert asked["ends_on"] == signed["ends_on"]
        assert asked["pending_extension"]["proposed_ends_on"] == new_end
        review = await get(client, f"{base}/review")
        assert (review["subject"], sorted(review["awaiting"]), review["decidable"]) == (
            "extension",
            sorted(MEMBERS),
            False,
        )
        early = await client.post(f"{base}/extension/approve", json={}, headers=TPOA)
        assert early.status_code == 409, early.text
        assert problem_field(early) == "review"
        for index in (0, 1):
            await post(client, f"{base}/review/answers", {"verdict": "cleared"}, world.member(index))
        extended = await post(client, f"{base}/extension/approve", {"note": "Agreed"}, expected=200)
        assert (extended["ends_on"], extended["pending_extension"]) == (new_end, None)

        # A second extension TPOA rejects: the NGO's own contact and the Mitra Utama are told.
        later = (date.fromisoformat(new_end) + timedelta(days=10)).isoformat()
        await post(client, f"{base}/extend", {"ends_on": later, "reason": "Again"}, officer, 202)
        note = f"Tidak ada dasar perpanjangan kedua ({world.tag})"
        rejected = await post(client, f"{base}/extension/reject", {"note": note}, expected=200)
        assert (rejected["ends_on"], rejected["pending_extension"]) == (new_end, None)
        for address in (f"mercy-{world.tag}@ngo.example", ministry_mail(world.ministry["code"])):
            await mail_to(
                world.parties.system, address, mentions(note), description=f"the extension's rejection to {address}"
            )
