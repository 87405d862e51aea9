"""Issue 15's MSP import end to end: registry, agreements (its deadline engine ticking every second) and
notifications as processes, mail caught by the test's SMTP server, an outside system subscribed to the events.

An MSP signed two years ago, imported with its past reports marked received outside Mitra, gets no overdue notice
(no event, no mail) once the deadline engine has run; the same MSP imported without the marks (another number, of
another NGO) is told its report says overdue notices follow, and they do (its overdue events and mails are the later
markers that prove the first MSP's silence). A dry run writes nothing; a second import changes nothing and
publishes nothing (proved by a later event).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from support.polling import eventually
from support.services import RunningSystem, running_services
from support.subscriber import Event, OutsideSubscriber
from support.work_loop import (
    TPOA,
    Json,
    Parties,
    get,
    mail_to,
    mentions,
    ministry_mail,
    new_tag,
    post,
    register_ministry,
    register_ngo,
    register_regions,
    text_of,
    today,
)

pytestmark = pytest.mark.e2e

HEADERS = (
    "number,title,organization_legal_name,organization_country,ministry_code,focus_areas,work_locations,starts_on,"
    "ends_on,signed_on,past_obligations_received_on,ministry_signatory_name,ministry_signatory_title"
)


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    fast = {"MITRA_TPOA_MEMBERS": "", "MITRA_DEADLINE_TICK_SECONDS": "1"}
    with running_services(
        ["registry", "agreements", "notifications"],
        log_dir=tmp_path_factory.mktemp("imports-msps-logs"),
        namespace_prefix="e2e-imports",
        smtp=True,
        extra_env={"registry": {"MITRA_TPOA_MEMBERS": ""}, "agreements": fast},
    ) as running:
        yield running


@pytest.fixture(scope="module")
def parties(system: RunningSystem) -> Parties:
    """The services, with the regions registered once (another registration of a code is refused)."""

    async def register() -> None:
        async with httpx.AsyncClient(timeout=20) as client:
            await register_regions(client, Parties(system), new_tag())

    asyncio.run(register())
    return Parties(system)


def overdue_mail_of(name: str) -> Any:
    return lambda message: "Terlambat" in text_of(message) and name in text_of(message)


async def ngo_with_an_old_permit(client: httpx.AsyncClient, parties: Parties, name: str, contact: str) -> Json:
    """An NGO in the register since before its MSP, with a principle permit issued 25 months ago (valid 3 years)."""
    ngo, _ = await register_ngo(client, parties, name, contact_email=contact, contact_language="id", permit=False)
    issued_on = today() - timedelta(days=760)
    permit = {
        "permit_type": "principle",
        "number": f"IP-{new_tag()}",
        "issued_on": issued_on.isoformat(),
        "valid_until": (issued_on + timedelta(days=1090)).isoformat(),
    }
    await post(client, f"{parties.registry}/organizations/{ngo['id']}/permits", permit)
    return dict(ngo)


def msp_csv(number: str, ngo: Json, ministry: Json, *, received_on: date | None) -> bytes:
    """An MSP signed two years ago in Kota Semarang, running ten more months."""
    signed_on = today() - timedelta(days=730)
    cells = [
        number,
        f"Perlindungan anak {number}",
        ngo["legal_name"],
        "GB",
        ministry["code"],
        "child_welfare",
        "3374",
        signed_on.isoformat(),
        (today() + timedelta(days=300)).isoformat(),
        signed_on.isoformat(),
        received_on.isoformat() if received_on else "",
        "Dra. Sri Wahyuni",
        "Direktur Jenderal",
    ]
    return f"{HEADERS}\n{','.join(cells)}\n".encode()


async def send(client: httpx.AsyncClient, parties: Parties, content: bytes, *, dry_run: bool = False) -> httpx.Response:
    return await client.post(
        f"{parties.agreements}/imports/msps?dry_run={str(dry_run).lower()}",
        content=content,
        headers={**TPOA, "Content-Type": "text/csv"},
    )


async def preview_when_known(client: httpx.AsyncClient, parties: Parties, content: bytes) -> Json:
    """The dry run's report, once agreements has learnt the NGO, its permit, the ministry and the region from
    registry's events (422 until then)."""

    async def previewed() -> Json | None:
        response = await send(client, parties, content, dry_run=True)
        if response.status_code == 422:
            return None
        assert response.status_code == 200, response.text
        return dict(response.json())

    return await eventually(previewed, timeout=30, interval=0.3, description="agreements knowing the MSP's parties")


async def import_when_known(client: httpx.AsyncClient, parties: Parties, content: bytes) -> Json:
    """The import once agreements knows the MSP's parties; its report, the same as the dry run's."""
    preview = await preview_when_known(client, parties, content)
    response = await send(client, parties, content)
    assert response.status_code == 200, response.text
    report = dict(response.json())
    assert report == preview | {"dry_run": False}
    return report


def about(msp_id: str) -> Any:
    return lambda event: event["data"].get("msp_id") == msp_id


async def test_an_msp_signed_two_years_ago_imported_with_its_past_reports_received_sends_no_overdue_notice(
    system: RunningSystem, parties: Parties
) -> None:
    tag = new_tag()
    async with (
        OutsideSubscriber(system.namespace, ["agreements.#"]) as outside,
        httpx.AsyncClient(timeout=20) as client,
    ):
        ministry = await register_ministry(client, parties, f"KI{tag.upper()}", "Kementerian Sosial")
        quiet_contact, loud_contact = f"quiet-{tag}@plan.example", f"loud-{tag}@plan.example"
        quiet = await ngo_with_an_old_permit(client, parties, f"Plan Quiet {tag}", quiet_contact)
        loud = await ngo_with_an_old_permit(client, parties, f"Plan Loud {tag}", loud_contact)

        marked = msp_csv(f"MSP/Q-{tag}", quiet, ministry, received_on=today() - timedelta(days=10))
        report = await import_when_known(client, parties, marked)
        assert (report["added"], report["overdue_notices_to_follow"]) == (1, 0)
        assert report["received_outside_mitra"] >= 4
        [quiet_msp] = (await get(client, f"{parties.agreements}/msps?organization_id={quiet['id']}"))["items"]
        assert (quiet_msp["status"], quiet_msp["imported"]) == ("active", True)
        signed = await outside.wait_for("agreements.msp.signed", about(quiet_msp["id"]))
        assert signed["data"]["imported"] is True
        marks = [o.get("received_outside_mitra_on") for o in signed["data"]["obligations"]]
        assert marks.count((today() - timedelta(days=10)).isoformat()) == report["received_outside_mitra"]

        # The contrast, imported after it: another NGO's MSP of the same dates, without the marks.
        unmarked = await import_when_known(client, parties, msp_csv(f"MSP/L-{tag}", loud, ministry, received_on=None))
        assert unmarked["overdue_notices_to_follow"] == report["received_outside_mitra"] > 0
        [loud_msp] = (await get(client, f"{parties.agreements}/msps?organization_id={loud['id']}"))["items"]

        # The engine's pass after both imports sends the contrast's overdue notices, in the outbox's order after
        # anything it would have sent of the first: once they are all here, the first MSP's silence is proved.
        overdue = [f"agreements.{kind}.overdue" for kind in ("action_plan", "work_plan", "report")]

        async def all_overdue() -> list[Event]:
            found = [event for key in overdue for event in outside.of(key, about(loud_msp["id"]))]
            return found if len(found) >= unmarked["overdue_notices_to_follow"] else []

        await eventually(all_overdue, timeout=60, interval=0.2, description="the unmarked MSP's overdue notices")
        assert [event for key in overdue for event in outside.of(key, about(quiet_msp["id"]))] == []

        # Mail: the contrast's overdue mail reaches the ministry and its NGO; then nothing overdue for the first.
        await mail_to(system, loud_contact, mentions("Terlambat"), description="the unmarked NGO's overdue mail")
        await mail_to(
            system,
            ministry_mail(ministry["code"]),
            overdue_mail_of(f"Plan Loud {tag}"),
            description="the ministry's overdue mail of the unmarked MSP",
        )
        to_ministry = system.mailbox.to(ministry_mail(ministry["code"]))
        assert not [m for m in system.mailbox.to(quiet_contact) if "Terlambat" in text_of(m)]
        assert not [m for m in to_ministry if overdue_mail_of(f"Plan Quiet {tag}")(m)]
        # Imported signings are not announced by mail (they are years old).
        assert not [m for m in to_ministry if "ditandatangani" in text_of(m)]

        obligations = await get(client, f"{parties.agreements}/msps/{quiet_msp['id']}/obligations")
        assert {o["status"] for o in obligations if o["due_on"] < today().isoformat()} == {"received_outside"}


async def test_a_dry_run_writes_nothing_and_a_second_import_changes_nothing(
    system: RunningSystem, parties: Parties
) -> None:
    tag = new_tag()
    async with (
        OutsideSubscriber(system.namespace, ["agreements.#"]) as outside,
        httpx.AsyncClient(timeout=20) as client,
    ):
        ministry = await register_ministry(client, parties, f"KD{tag.upper()}", "Kementerian Sosial")
        ngo = await ngo_with_an_old_permit(client, parties, f"Plan Twice {tag}", f"twice-{tag}@plan.example")
        content = msp_csv(f"MSP/T-{tag}", ngo, ministry, received_on=today() - timedelta(days=3))
        preview = await preview_when_known(client, parties, content)
        assert (preview["dry_run"], preview["added"]) == (True, 1)
        assert (await get(client, f"{parties.agreements}/msps?organization_id={ngo['id']}"))["total"] == 0
        first = await send(client, parties, content)
        assert first.json() == preview | {"dry_run": False}
        assert (await get(client, f"{parties.agreements}/msps?organization_id={ngo['id']}"))["total"] == 1
        await outside.wait_for("agreements.msp.signed", lambda e: e["data"]["number"] == f"MSP/T-{tag}")

        again = await send(client, parties, content)
        assert again.status_code == 200, again.text
        assert again.json() == {
            "kind": "msps",
            "dry_run": False,
            "rows": 1,
            "added": 0,
            "updated": 0,
            "unchanged": 1,
            "obligations_created": 0,
            "received_outside_mitra": 0,
            "reminders_to_follow": 0,
            "overdue_notices_to_follow": 0,
            "expiry_warnings_to_follow": 0,
        }

        # A later event (another NGO's MSP imported) arrives: the second import published nothing before it.
        other = await ngo_with_an_old_permit(client, parties, f"Plan Marker {tag}", f"marker-{tag}@plan.example")
        await import_when_known(client, parties, msp_csv(f"MSP/M-{tag}", other, ministry, received_on=None))
        await outside.wait_for("agreements.msp.signed", lambda e: e["data"]["number"] == f"MSP/M-{tag}")
        assert len(outside.of("agreements.msp.signed", lambda e: e["data"]["number"] == f"MSP/T-{tag}")) == 1
        assert (await get(client, f"{parties.agreements}/msps?organization_id={ngo['id']}"))["total"] == 1
