"""Agreements end to end: registry and agreements as separate processes over HTTP and AMQP, with the deadline
engine ticking every second, and an outside system's queue on the events exchange.

An NGO registered with a principle permit in registry (by TPOA) becomes known to agreements through events only; an
MSP is drafted and submitted by the NGO, approved by TPOA and signed by its Mitra Utama ministry; the NGO announces a
visit; the first report of an MSP falls due within 30 days and its
reminder is on the exchange within one engine tick; and with registry stopped, agreements still takes commands.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from support import eventually
from support.services import RunningSystem, running_services, stop_service
from support.subscriber import Event, OutsideSubscriber
from support.tokens import as_role

from mitra_shared.clock import add_months, jakarta_date, system_clock

pytestmark = pytest.mark.e2e
TICK_SECONDS = 1.0
TPOA = as_role("tpoa", subject="tpoa-e2e")


class Services:
    def __init__(self, system: RunningSystem) -> None:
        self.system = system
        self.namespace = system.namespace
        self.registry = system.services["registry"]
        self.agreements = system.services["agreements"]


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    with running_services(
        ["registry", "agreements"],
        log_dir=tmp_path_factory.mktemp("agreements-logs"),
        namespace_prefix="e2e-agreements",
        extra_env={"agreements": {"MITRA_DEADLINE_TICK_SECONDS": str(TICK_SECONDS)}},
    ) as system:
        yield Services(system)


@pytest.fixture
async def subscriber(running: Services) -> AsyncIterator[OutsideSubscriber]:
    """An outside government system reading `<ns>.events` through its own queue."""
    async with OutsideSubscriber(running.namespace, ["agreements.#"]) as outside:
        yield outside


def ngo_staff(facts: dict[str, Any]) -> dict[str, str]:
    """The headers of the NGO's own staff."""
    return as_role("ngo", subject="ngo-e2e", organization_id=facts["ngo"]["id"])


def mitra_utama(facts: dict[str, Any]) -> dict[str, str]:
    """The headers of an officer of the NGO's Mitra Utama ministry."""
    return as_role("ministry", subject="ministry-e2e", ministry_code=facts["ministry"]["code"])


def of_msp(msp_id: str) -> Callable[[Event], bool]:
    """Matches the events about one MSP."""
    return lambda event: bool(event["data"]["msp_id"] == msp_id)


async def post(
    client: httpx.AsyncClient,
    url: str,
    body: dict[str, Any],
    expected: int = 201,
    headers: dict[str, str] = TPOA,
) -> dict[str, Any]:
    response = await client.post(url, json=body, headers=headers)
    assert response.status_code == expected, response.text
    return response.json()  # type: ignore[no-any-return]


async def registered_ngo(client: httpx.AsyncClient, running: Services, today: date) -> dict[str, Any]:
    """An NGO with a principle permit, its Mitra Utama ministry, and the regions it works in, all in registry."""
    suffix = uuid.uuid4().hex[:6]
    registry = running.registry.url
    ngo = await post(
        client,
        f"{registry}/organizations",
        {"legal_name": f"Plan International {suffix}", "country_of_origin": "GB", "focus_areas": ["child_welfare"]},
    )
    issued_on = today - timedelta(days=300)
    permit = await post(
        client,
        f"{registry}/organizations/{ngo['id']}/permits",
        {
            "permit_type": "principle",
            "number": f"IP-{suffix}",
            "issued_on": issued_on.isoformat(),
            "valid_until": (add_months(issued_on, 36) - timedelta(days=1)).isoformat(),
        },
    )
    code = f"KS{suffix.upper()}"
    ministry = await post(
        client, f"{registry}/partners", {"kind": "ministry", "code": code, "name": "Kementerian Sosial"}
    )
    return {"ngo": ngo, "permit": permit, "ministry": ministry}


async def ensure_regions(client: httpx.AsyncClient, running: Services) -> None:
    registry = running.registry.url
    for body in (
        {"kind": "province", "code": "33", "name": "Jawa Tengah"},
        {"kind": "regency", "code": "3374", "name": "Kota Semarang", "parent_code": "33"},
    ):
        response = await client.post(f"{registry}/partners", json=body, headers=TPOA)
        assert response.status_code in (201, 409), response.text


async def draft_when_known(
    client: httpx.AsyncClient, running: Services, body: dict[str, Any], facts: dict[str, Any]
) -> dict[str, Any]:
    """Agreements learns of the NGO, ministry and regions from registry's events: until then the NGO's draft is
    refused (422, nothing written); then it is taken."""

    async def drafted() -> dict[str, Any] | None:
        response = await client.post(f"{running.agreements.url}/msps", json=body, headers=ngo_staff(facts))
        if response.status_code == 422:
            return None
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    return await eventually(drafted, interval=0.2, description="agreements taking the draft")


async def approve_and_sign(
    client: httpx.AsyncClient, running: Services, msp_id: str, number: str, facts: dict[str, Any]
) -> dict[str, Any]:
    """The NGO submits, TPOA approves, the Mitra Utama signs (once agreements knows of the NGO's permit)."""
    base = f"{running.agreements.url}/msps/{msp_id}"
    await post(client, f"{base}/submit", {}, expected=200, headers=ngo_staff(facts))
    await post(client, f"{base}/approve", {"note": "TPOA review"}, expected=200)

    async def signed() -> dict[str, Any] | None:
        response = await client.post(
            f"{base}/sign",
            json={
                "number": number,
                "signatories": [{"name": "Dra. Sri", "title": "Director General", "party": "ministry"}],
                "signed_document_ref": f"dms://{number}.pdf",
            },
            headers=mitra_utama(facts),
        )
        if response.status_code == 409 and response.json()["errors"][0]["field"] == "msp.organization_id":
            return None  # the permit's event has not arrived yet
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    return await eventually(signed, interval=0.2, description="the MSP signed")


async def test_msp_signed_visit_announced_and_first_report_reminded_within_a_tick(
    running: Services, subscriber: OutsideSubscriber
) -> None:
    today = jakarta_date(system_clock())
    # The MSP's own semesters: the first one ended about two weeks ago, so its report is due within 30 days.
    starts_on = add_months(today, -7) + timedelta(days=15)
    report_due_on = add_months(add_months(starts_on, 6), 1) - timedelta(days=1)
    assert today <= report_due_on <= today + timedelta(days=30)
    async with httpx.AsyncClient(timeout=10) as client:
        await ensure_regions(client, running)
        facts = await registered_ngo(client, running, today)
        ngo, ministry = facts["ngo"], facts["ministry"]
        draft = {
            "organization_id": ngo["id"],
            "ministry_partner_id": ministry["id"],
            "title": "Perlindungan anak di Jawa Tengah",
            "focus_areas": ["child_welfare"],
            "forms_of_cooperation": ["capacity_building"],
            "work_location_codes": ["3374"],
            "starts_on": starts_on.isoformat(),
            "ends_on": (today + timedelta(days=700)).isoformat(),
            "obligation_rules": {"report_periods": "msp"},
        }
        msp = await draft_when_known(client, running, draft, facts)
        assert msp["status"] == "draft"

        # Steps out of order and bad input are refused with the field named.
        early = await client.post(
            f"{running.agreements.url}/msps/{msp['id']}/sign",
            json={"number": "X", "signatories": [{"name": "A", "title": "B", "party": "ministry"}]},
            headers=mitra_utama(facts),
        )
        assert early.status_code == 409
        assert early.headers["content-type"] == "application/problem+json"
        assert early.json()["errors"][0]["field"] == "msp.status"
        unknown_region = await client.post(
            f"{running.agreements.url}/msps", json={**draft, "work_location_codes": ["9999"]}, headers=ngo_staff(facts)
        )
        assert unknown_region.status_code == 422
        assert unknown_region.json()["errors"][0]["field"] == "body.work_location_codes.0"

        number = f"MSP/{uuid.uuid4().hex[:6]}/KEMENSOS"
        signed = await approve_and_sign(client, running, msp["id"], number, facts)
        signed_at = time.monotonic()
        assert signed["status"] == "active"

        event = await subscriber.wait_for("agreements.msp.signed", of_msp(msp["id"]))
        data = event["data"]
        assert event["type"] == "id.go.mitra.agreements.msp.signed.v1"
        assert data["organization"] == {"organization_id": ngo["id"], "name": ngo["legal_name"]}
        assert data["ministry"] == {
            "partner_id": ministry["id"],
            "name": "Kementerian Sosial",
            "code": ministry["code"],
        }
        assert (data["starts_on"], data["ends_on"], data["signed_on"]) == (
            starts_on.isoformat(),
            draft["ends_on"],
            today.isoformat(),
        )
        assert data["region_codes"] == ["3374"]
        assert data["province_codes"] == ["33"]
        assert data["work_locations"] == [
            {"code": "3374", "kind": "regency", "name": "Kota Semarang", "province_code": "33"}
        ]
        assert data["principle_permit_id"] == facts["permit"]["id"]

        # The first semester's report falls due within 30 days: its 30-day reminder goes out on the next tick.
        due = await subscriber.wait_for("agreements.report.due", of_msp(msp["id"]), timeout=TICK_SECONDS + 5)
        assert time.monotonic() - signed_at < TICK_SECONDS + 5
        assert due["data"]["due_on"] == report_due_on.isoformat()
        assert due["data"]["days_before"] == 30
        assert due["data"]["period"] == "S1"
        assert due["data"]["organization_id"] == ngo["id"]
        assert isinstance(due["data"]["due_on_weekend"], bool)

        arrives_on = today + timedelta(days=20)
        visit = await post(
            client,
            f"{running.agreements.url}/visits",
            {
                "msp_id": msp["id"],
                "visitors": [{"name": "John Smith", "nationality": "GB", "role": "Regional adviser"}],
                "purpose": "Monitoring of the child protection programme",
                "arrives_on": arrives_on.isoformat(),
                "departs_on": (arrives_on + timedelta(days=4)).isoformat(),
                "region_codes": ["3374", "33"],
            },
            headers=ngo_staff(facts),
        )
        assert visit["late"] is False
        announced = await subscriber.wait_for(
            "agreements.visit.announced", lambda e: e["data"]["visit_id"] == visit["id"]
        )
        assert announced["data"]["region_codes"] == ["3374", "33"]
        assert announced["data"]["province_codes"] == ["33"]
        assert (announced["data"]["arrives_on"], announced["data"]["departs_on"]) == (
            arrives_on.isoformat(),
            (arrives_on + timedelta(days=4)).isoformat(),
        )


async def test_agreements_keeps_taking_commands_with_registry_stopped(
    running: Services, subscriber: OutsideSubscriber
) -> None:
    today = jakarta_date(system_clock())
    async with httpx.AsyncClient(timeout=10) as client:
        await ensure_regions(client, running)
        facts = await registered_ngo(client, running, today)
        draft = {
            "organization_id": facts["ngo"]["id"],
            "ministry_partner_id": facts["ministry"]["id"],
            "title": "Pengurangan risiko bencana",
            "work_location_codes": ["33"],
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=365)).isoformat(),
        }
        first = await draft_when_known(client, running, draft, facts)
        await approve_and_sign(client, running, first["id"], f"MSP/{uuid.uuid4().hex[:6]}", facts)

        assert stop_service(running.registry) == 0
        with pytest.raises(httpx.TransportError):
            await client.get(f"{running.registry.url}/health/live")

        second = await post(client, f"{running.agreements.url}/msps", draft, headers=ngo_staff(facts))
        signed = await approve_and_sign(client, running, second["id"], f"MSP/{uuid.uuid4().hex[:6]}", facts)
        assert signed["status"] == "active"
        event = await subscriber.wait_for("agreements.msp.signed", of_msp(second["id"]))
        assert event["data"]["organization"]["organization_id"] == facts["ngo"]["id"]
        ready = await client.get(f"{running.agreements.url}/health/ready")
        assert ready.status_code == 200
