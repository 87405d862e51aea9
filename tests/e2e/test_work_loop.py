"""Issue 14's work loop end to end: registry, agreements and notifications as processes, mail caught by the test's
SMTP server, TPOA deciding MSPs alone (no member review here: test_tpoa_review.py has it).

A report goes from the NGO to its ministry (mailed), back to the NGO with a comment (mailed to the NGO's own contact
from the register, in its language, not to any console account), and is accepted when submitted again. A work plan
(RKT) for Kota Semarang is decided by the Semarang office only: the Jawa Tengah office that reads it is refused
(403), an RKT of Kota Yogyakarta does not exist for it (404), and the ministry is refused deciding it but comments
on it. A visit to Semarang is in Jawa Tengah's queue of visits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from support.services import RunningSystem
from support.work_loop import (
    ADMIN,
    TPOA,
    Json,
    Parties,
    first,
    get,
    issue14_system,
    mail_to,
    mentions,
    ministry_mail,
    ministry_officer,
    new_tag,
    ngo_staff,
    obligations_of,
    post,
    region_officer,
    register_ministry,
    register_ngo,
    register_regions,
    signed_msp,
    text_of,
    visit_body,
)

pytestmark = pytest.mark.e2e


@dataclass
class World:
    """An NGO with its own contact (written to in Bahasa Indonesia), its Mitra Utama, an MSP in Kota Semarang and
    one in Kota Yogyakarta, both signed."""

    parties: Parties
    tag: str
    ngo: Json
    ministry: Json
    semarang_msp: Json
    yogyakarta_msp: Json
    regions: dict[str, str]

    @property
    def system(self) -> RunningSystem:
        return self.parties.system

    @property
    def contact(self) -> str:
        return f"kantor-{self.tag}@plan.example"

    @property
    def staff(self) -> dict[str, str]:
        return ngo_staff(self.ngo)

    @property
    def officer(self) -> dict[str, str]:
        return ministry_officer(self.ministry["code"])


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with issue14_system(tmp_path_factory.mktemp("work-loop-logs"), "e2e-loop") as system:
        yield asyncio.run(_world(Parties(system)))


async def _world(parties: Parties) -> World:
    tag = new_tag()
    async with httpx.AsyncClient(timeout=20) as client:
        regions = await register_regions(client, parties, tag)
        ministry = await register_ministry(client, parties, f"KS{tag.upper()}", "Kementerian Sosial")
        ngo, _ = await register_ngo(
            client,
            parties,
            f"Plan International {tag}",
            contact_email=f"kantor-{tag}@plan.example",
            contact_language="id",
        )
        semarang = await signed_msp(client, parties, ngo, ministry, ["3374"])
        yogyakarta = await signed_msp(client, parties, ngo, ministry, ["3471"])
    return World(parties, tag, ngo, ministry, semarang, yogyakarta, regions)


async def test_a_returned_report_reaches_the_ngos_own_contact_and_is_accepted_when_resubmitted(world: World) -> None:
    agreements = world.parties.agreements
    summary = f"Laporan semester pertama {world.tag}: 12 pelatihan di Semarang"
    comment = f"Mohon tambahkan rincian dana per kegiatan ({world.tag})"
    async with httpx.AsyncClient(timeout=20) as client:
        report = first(
            await obligations_of(client, world.parties, world.semarang_msp["id"], world.staff), "semester_report"
        )
        submitted = await post(
            client, f"{agreements}/obligations/{report['id']}/submissions", {"summary": summary}, world.staff
        )
        assert (submitted["attempt"], submitted["status"]) == (1, "submitted")

        # The ministry is told (its partner contact in registry), with the summary.
        await mail_to(
            world.system,
            ministry_mail(world.ministry["code"]),
            mentions(summary),
            description="the ministry's e-mail of the submitted report",
        )

        returned = await post(
            client, f"{agreements}/submissions/{submitted['id']}/return", {"comments": comment}, world.officer, 200
        )
        assert returned["status"] == "returned"

        # The NGO's own contact in the register hears of it, in Bahasa Indonesia, with the comment.
        [mail] = await mail_to(
            world.system, world.contact, mentions(comment), description="the NGO contact's e-mail of the return"
        )
        assert mail["Subject"].startswith("Dikembalikan"), mail["Subject"]
        assert world.ngo["legal_name"] in mail["Subject"]
        recipients = await get(client, f"{world.parties.notifications}/recipients", ADMIN)
        [recipient] = [r for r in recipients if r["email"] == world.contact]
        # It is the NGO's contact from the register (no console account exists in this system).
        assert (recipient["source"], recipient["role"], recipient["language"]) == ("registry", "ngo", "id")
        detail = await get(client, f"{agreements}/submissions/{submitted['id']}", world.staff)
        assert (detail["status"], detail["decision_comments"]) == ("returned", comment)

        again = await post(
            client,
            f"{agreements}/obligations/{report['id']}/submissions",
            {"summary": f"{summary}, dengan rincian dana"},
            world.staff,
        )
        assert (again["attempt"], again["status"]) == (2, "submitted")
        accepted = await post(client, f"{agreements}/submissions/{again['id']}/accept", {}, world.officer, 200)
        assert accepted["status"] == "accepted"
        obligations = await obligations_of(client, world.parties, world.semarang_msp["id"], world.staff)
        assert next(o for o in obligations if o["id"] == report["id"])["status"] == "accepted"
        await mail_to(
            world.system,
            world.contact,
            lambda m: m["Subject"].startswith("Diterima") and report["period"] in m["Subject"],
            description="the NGO contact's e-mail of the acceptance",
        )


async def test_a_work_plan_is_decided_by_exactly_its_regions_office(world: World) -> None:
    agreements = world.parties.agreements
    semarang_office, central_java_office = region_officer("3374"), region_officer("33")
    async with httpx.AsyncClient(timeout=20) as client:
        rkt = first(
            await obligations_of(client, world.parties, world.semarang_msp["id"], world.staff), "work_plan", "3374"
        )
        submitted = await post(
            client,
            f"{agreements}/obligations/{rkt['id']}/submissions",
            {"summary": f"RKT Kota Semarang {world.tag}"},
            world.staff,
        )
        base = f"{agreements}/submissions/{submitted['id']}"

        # Jawa Tengah reads the RKT of its city but does not decide it; nor does the ministry.
        assert (await get(client, base, central_java_office))["id"] == submitted["id"]
        for decision in ("accept", "return"):
            for refused in (central_java_office, world.officer):
                response = await client.post(f"{base}/{decision}", json={"comments": "x"}, headers=refused)
                assert response.status_code == 403, response.text

        # The ministry comments instead; the Semarang office sees the comment and decides.
        comment = f"Sesuaikan anggaran dengan RPJMD Kota Semarang ({world.tag})"
        await post(client, f"{base}/comments", {"comment": comment}, world.officer)
        detail = await get(client, base, semarang_office)
        [said] = [c for c in detail["comments"] if c["comment"] == comment]
        assert (said["office_kind"], said["office_code"]) == ("ministry", world.ministry["code"])
        assert said["commented_by"] == f"ministry-{world.ministry['code']}"
        # The province, which reads the RKT, may comment too; a region that does not read it may not.
        await post(
            client, f"{base}/comments", {"comment": f"Selaraskan dengan provinsi ({world.tag})"}, central_java_office
        )
        stranger = await client.post(
            f"{base}/comments", json={"comment": "Bukan wilayah kami"}, headers=region_officer("3471")
        )
        assert stranger.status_code == 404, stranger.text
        offices = [(c["office_kind"], c["office_code"]) for c in (await get(client, base, world.staff))["comments"]]
        assert offices == [("ministry", world.ministry["code"]), ("region", "33")]
        # The NGO's own contact and the city's office hear of the ministry's comment.
        for address in (world.contact, world.regions["3374"]):
            await mail_to(world.system, address, mentions(comment), description=f"the comment's e-mail to {address}")
        accepted = await post(client, f"{base}/accept", {"comments": "Sesuai"}, semarang_office, 200)
        assert accepted["status"] == "accepted"

        # An RKT of Kota Yogyakarta (another MSP, outside Jawa Tengah) does not exist for Jawa Tengah's office.
        yogya = first(
            await obligations_of(client, world.parties, world.yogyakarta_msp["id"], world.staff), "work_plan", "3471"
        )
        elsewhere = await post(
            client,
            f"{agreements}/obligations/{yogya['id']}/submissions",
            {"summary": f"RKT Kota Yogyakarta {world.tag}"},
            world.staff,
        )
        other = f"{agreements}/submissions/{elsewhere['id']}"
        assert (await client.get(other, headers=central_java_office)).status_code == 404
        refused = await client.post(f"{other}/accept", json={}, headers=central_java_office)
        assert refused.status_code == 404, refused.text
        accepted = await post(client, f"{other}/accept", {}, region_officer("3471"), 200)
        assert accepted["status"] == "accepted"


async def test_a_visit_to_a_city_is_in_its_provinces_queue(world: World) -> None:
    agreements = world.parties.agreements
    async with httpx.AsyncClient(timeout=20) as client:
        visit = await post(client, f"{agreements}/visits", visit_body(world.semarang_msp["id"], ["3374"]), world.staff)
        for reader in (region_officer("33"), TPOA):
            central_java = await get(client, f"{agreements}/visits?region_code=33&limit=100", reader)
            assert visit["id"] in [item["id"] for item in central_java["items"]]
        yogyakarta = await get(client, f"{agreements}/visits?region_code=34&limit=100")
        assert visit["id"] not in [item["id"] for item in yogyakarta["items"]]
        # The province's Kesbangpol is told of the visit as well as the city's.
        for code in ("3374", "33"):
            await mail_to(
                world.system,
                world.regions[code],
                lambda m: "kunjungan" in text_of(m).lower(),
                description=f"the visit's e-mail to {code}",
            )
