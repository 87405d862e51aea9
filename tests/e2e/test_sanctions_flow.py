"""Sanctions end to end: registry, agreements and notifications as processes, mail caught by the test's SMTP server.

TPOA freezes an NGO in registry: once the event reaches agreements, the NGO may not draft an MSP or announce a
visit (409 naming the organization); lifting the freeze restores both and the NGO's status. A revocation revokes
the NGO's permits, terminates its MSP in force and closes that MSP's open obligations, rejects its MSP not yet
signed, and is told by e-mail to the NGO's own contact, its Mitra Utama and the region of the MSP.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import httpx
import pytest
from support.polling import eventually
from support.work_loop import (
    TPOA,
    Json,
    Parties,
    change_status,
    draft_when_known,
    get,
    issue14_system,
    mail_to,
    ministry_mail,
    ministry_officer,
    msp_draft,
    new_tag,
    ngo_staff,
    obligations_of,
    post,
    problem_field,
    register_ministry,
    register_ngo,
    register_regions,
    signed_msp,
    visit_body,
)

pytestmark = pytest.mark.e2e
SANCTION = ("sanction", "sanksi")  # the subject of a sanction's e-mail, in English or Bahasa Indonesia


@dataclass
class World:
    parties: Parties
    tag: str
    ministry: Json
    regions: dict[str, str]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with issue14_system(tmp_path_factory.mktemp("sanctions-logs"), "e2e-sanctions") as system:
        yield asyncio.run(_world(Parties(system)))


async def _world(parties: Parties) -> World:
    tag = new_tag()
    async with httpx.AsyncClient(timeout=20) as client:
        regions = await register_regions(client, parties, tag)
        ministry = await register_ministry(client, parties, f"KS{tag.upper()}", "Kementerian Sosial")
    return World(parties, tag, ministry, regions)


async def registered_ngo(client: httpx.AsyncClient, world: World, name: str) -> tuple[Json, Json, str]:
    """An NGO with its own contact and a principle permit, moved by TPOA to `registered`; and its contact."""
    contact = f"{name.lower()}-{new_tag()}@ngo.example"
    ngo, permit = await register_ngo(
        client, world.parties, f"{name} {new_tag()}", contact_email=contact, contact_language="en"
    )
    assert permit is not None
    await change_status(client, world.parties, ngo["id"], "registered")
    return ngo, permit, contact


async def draft_answer(client: httpx.AsyncClient, world: World, ngo: Json) -> httpx.Response:
    return await client.post(
        f"{world.parties.agreements}/msps", json=msp_draft(ngo, world.ministry, ["3374"]), headers=ngo_staff(ngo)
    )


async def test_a_freeze_stops_new_msps_and_visits_until_it_is_lifted(world: World) -> None:
    registry, agreements = world.parties.registry, world.parties.agreements
    async with httpx.AsyncClient(timeout=20) as client:
        ngo, _, _ = await registered_ngo(client, world, "Winrock")
        msp = await signed_msp(client, world.parties, ngo, world.ministry, ["3374"])
        sanctions_url = f"{registry}/organizations/{ngo['id']}/sanctions"
        freeze = {"kind": "freeze", "category": "fundraising", "reason": f"Fundraising in Semarang ({world.tag})"}

        refused = await client.post(sanctions_url, json=freeze, headers=ministry_officer(world.ministry["code"]))
        assert refused.status_code == 403, refused.text
        sanction = await post(client, sanctions_url, freeze)
        assert (sanction["kind"], sanction["status"], sanction["organization_id"]) == ("freeze", "active", ngo["id"])
        assert sanction["imposed_by"] == "tpoa-e2e"
        assert (await get(client, f"{registry}/organizations/{ngo['id']}"))["status"] == "suspended"
        again = await client.post(sanctions_url, json=freeze, headers=TPOA)
        assert again.status_code == 409, again.text
        listed = await get(client, sanctions_url)
        assert listed["total"] == 1
        assert [item["id"] for item in listed["items"]] == [sanction["id"]]

        async def frozen() -> httpx.Response | None:
            response = await draft_answer(client, world, ngo)
            assert response.status_code in (201, 409), response.text
            # Until the sanction's own event has arrived, a refusal may name only the NGO's suspended status.
            return response if response.status_code == 409 and freeze["reason"] in response.json()["detail"] else None

        refusal = await eventually(frozen, timeout=30, interval=0.2, description="agreements refusing the draft")
        assert (problem_field(refusal) or "").endswith("organization_id"), refusal.text
        assert ngo["legal_name"] in refusal.json()["detail"]
        visit = await client.post(f"{agreements}/visits", json=visit_body(msp["id"], ["3374"]), headers=ngo_staff(ngo))
        assert visit.status_code == 409, visit.text
        assert (problem_field(visit) or "").endswith("organization_id"), visit.text
        assert freeze["reason"] in visit.json()["detail"]  # the sanction's reason
        extension = {"ends_on": (date.fromisoformat(msp["ends_on"]) + timedelta(days=30)).isoformat(), "reason": "More"}
        extend = await client.post(
            f"{agreements}/msps/{msp['id']}/extend", json=extension, headers=ministry_officer(world.ministry["code"])
        )
        assert extend.status_code == 409, extend.text
        assert (problem_field(extend) or "").endswith("organization_id"), extend.text
        assert freeze["reason"] in extend.json()["detail"]

        lifted = await post(
            client, f"{registry}/sanctions/{sanction['id']}/lift", {"reason": "Funds returned"}, expected=200
        )
        assert (lifted["status"], lifted["lifted_by"], lifted["lift_reason"]) == (
            "lifted",
            "tpoa-e2e",
            "Funds returned",
        )
        assert (await get(client, f"{registry}/organizations/{ngo['id']}"))["status"] == "registered"
        assert (await get(client, f"{registry}/sanctions/{sanction['id']}"))["status"] == "lifted"

        async def thawed() -> Json | None:
            response = await draft_answer(client, world, ngo)
            assert response.status_code in (201, 409), response.text
            return response.json() if response.status_code == 201 else None

        draft = await eventually(thawed, timeout=30, interval=0.2, description="agreements taking drafts again")
        assert draft["status"] == "draft"
        visit = await client.post(f"{agreements}/visits", json=visit_body(msp["id"], ["3374"]), headers=ngo_staff(ngo))
        assert visit.status_code == 201, visit.text


async def test_a_revocation_ends_the_ngos_msps_and_everyone_concerned_hears_of_it(world: World) -> None:
    registry, agreements = world.parties.registry, world.parties.agreements
    async with httpx.AsyncClient(timeout=20) as client:
        ngo, permit, contact = await registered_ngo(client, world, "Oxfam")
        staff = ngo_staff(ngo)
        msp = await signed_msp(client, world.parties, ngo, world.ministry, ["3374"])
        assert msp["status"] in ("signed", "active")
        unsigned = await draft_when_known(client, world.parties, msp_draft(ngo, world.ministry, ["3374"]), staff)
        before = await obligations_of(client, world.parties, msp["id"], staff)
        open_before = {o["id"] for o in before if o["status"] in ("pending", "returned", "overdue")}
        assert open_before

        reason = f"Political activity during the regional elections ({world.tag})"
        revocation = await post(
            client,
            f"{registry}/organizations/{ngo['id']}/sanctions",
            {"kind": "revocation", "category": "political_activity", "reason": reason},
        )
        assert (revocation["kind"], revocation["status"]) == ("revocation", "active")
        assert (await get(client, f"{registry}/organizations/{ngo['id']}"))["status"] == "revoked"
        assert (await get(client, f"{registry}/permits/{permit['id']}"))["status"] == "revoked"
        cannot = await client.post(
            f"{registry}/sanctions/{revocation['id']}/lift", json={"reason": "Appeal"}, headers=TPOA
        )
        assert cannot.status_code == 409, cannot.text
        frozen_too = await client.post(
            f"{registry}/organizations/{ngo['id']}/sanctions",
            json={"kind": "freeze", "category": "other", "reason": "After the revocation"},
            headers=TPOA,
        )
        assert frozen_too.status_code == 409, frozen_too.text

        async def terminated() -> Json | None:
            found = await get(client, f"{agreements}/msps/{msp['id']}", staff)
            return found if found["status"] == "terminated" else None

        ended = await eventually(terminated, timeout=30, interval=0.2, description="the MSP terminated")
        assert ended["terminated_on"] is not None
        after = {o["id"]: o["status"] for o in await obligations_of(client, world.parties, msp["id"], staff)}
        assert {after[i] for i in open_before} == {"closed"}, after
        rejected = await get(client, f"{agreements}/msps/{unsigned['id']}", staff)
        assert rejected["status"] == "rejected"

        async def refused() -> bool:
            response = await draft_answer(client, world, ngo)
            assert response.status_code in (201, 409), response.text
            return response.status_code == 409

        await eventually(refused, timeout=30, interval=0.2, description="agreements refusing the revoked NGO's draft")

        # The NGO's own contact, its Mitra Utama and the region of its MSP are told.
        for address, who in (
            (contact, "the NGO's contact"),
            (ministry_mail(world.ministry["code"]), "the Mitra Utama"),
            (world.regions["3374"], "Kota Semarang"),
        ):
            mails = await mail_to(
                world.parties.system,
                address,
                lambda m: ngo["legal_name"] in m["Subject"] and any(w in m["Subject"].lower() for w in SANCTION),
                description=f"the revocation's e-mail to {who}",
            )
            assert mails
        # ... and the Mitra Utama and the region also hear that the MSP ended early.
        for address in (ministry_mail(world.ministry["code"]), world.regions["3374"]):
            await mail_to(
                world.parties.system,
                address,
                lambda m: any(w in m["Subject"] for w in ("diakhiri lebih awal", "terminated early")),
                description=f"the termination's e-mail to {address}",
            )
