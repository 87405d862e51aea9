"""The queues across MSPs on agreements' real app and database: `GET /obligations`, `/submissions`, `/visits`,
`/recommendations`, filtered, sorted, paged and held to the caller's scope.

The world: NGO A's MSP with KEMENSOS working in Kota Semarang (3374, in Jawa Tengah 33) and Bali (51), NGO B's with
KEMENLU in Bali only; registry's facts learned through agreements' own event handlers, everything else made through
the API by the role that does it (the NGO drafts and submits, TPOA approves, the ministry signs and decides). One
database for the module; a test that needs records of its own makes them and filters on their MSP.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio
from support.app import api_client
from support.clock import FakeClock
from support.database import create_migrated_database, drop_database
from support.tokens import as_role

from mitra_agreements.bootstrap import build_spec
from mitra_agreements.consumers import staff_facts
from mitra_agreements.consumers.registry_facts import HANDLERS
from mitra_agreements.settings import AgreementsSettings
from mitra_agreements.workers.deadlines import DeadlineEngine
from mitra_shared import db
from mitra_shared import events as ev
from mitra_shared.clock import JAKARTA
from mitra_shared.context import Context
from mitra_shared.contracts import registry as registry_contracts
from mitra_shared.documents import DOCUMENTS_MIGRATIONS
from mitra_shared.events import EventData, new_event
from mitra_shared.paging import MAX_OFFSET
from mitra_shared.uow import UnitOfWork

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

TODAY = date(2027, 1, 5)
TPOA = as_role("tpoa", subject="tpoa-officer")
_serial = itertools.count(1)


def partner_id(code: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"partner/{code}")


@dataclass
class World:
    client: httpx.AsyncClient
    pool: asyncpg.Pool
    dsn: str
    clock: FakeClock
    organizations: dict[str, str]  # "A", "B" -> organization id
    msps: dict[str, dict[str, Any]]  # "A", "B" -> the signed MSP of the world

    def ngo(self, name: str) -> dict[str, str]:
        return as_role("ngo", subject=f"staff-{name}", organization_id=self.organizations[name])

    async def call(self, who: dict[str, str], method: str, path: str, body: Any = None) -> Any:
        """A call to the app; a change is a minute after the one before (the queues sort on when things happen)."""
        if method != "GET":
            self.clock.advance(minutes=1)
        response = await self.client.request(method, path, json=body, headers=who)
        assert response.is_success, f"{method} {path}: {response.text}"
        return response.json()

    async def page(self, who: dict[str, str], path: str, **params: Any) -> dict[str, Any]:
        response = await self.client.get(path, params=params, headers=who)
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def signed(self, name: str, ministry: str, places: list[str]) -> dict[str, Any]:
        body = {
            "organization_id": self.organizations[name],
            "ministry_partner_id": str(partner_id(ministry)),
            "title": f"Kerja sama {name} {next(_serial)}",
            "work_location_codes": places,
            "starts_on": "2027-01-01",
            "ends_on": "2029-06-30",
        }
        msp = await self.call(self.ngo(name), "POST", "/msps", body)
        await self.call(self.ngo(name), "POST", f"/msps/{msp['id']}/submit", {})
        await self.call(TPOA, "POST", f"/msps/{msp['id']}/approve", {"note": "ok"})
        sign = {
            "number": f"MSP/QUEUE/{next(_serial)}",
            "signatories": [{"name": "Dra. Sri", "title": "Director General", "party": "ministry"}],
        }
        officer = as_role("ministry", subject="signer", ministry_code=ministry)
        return dict(await self.call(officer, "POST", f"/msps/{msp['id']}/sign", sign))

    async def obligations_of(self, msp: dict[str, Any]) -> list[dict[str, Any]]:
        return list(await self.call(TPOA, "GET", f"/msps/{msp['id']}/obligations"))

    async def obligation(self, msp: dict[str, Any], kind: str, period: str, region: str | None = None) -> Any:
        [found] = [
            o
            for o in await self.obligations_of(msp)
            if o["kind"] == kind and o["period"] == period and o["region_code"] == region
        ]
        return found

    async def submit(self, name: str, obligation: dict[str, Any], summary: str = "Submitted") -> Any:
        path = f"/obligations/{obligation['id']}/submissions"
        return await self.call(self.ngo(name), "POST", path, {"summary": summary})


async def learn(pool: asyncpg.Pool, data: EventData) -> None:
    received = ev.decode(ev.encode(new_event(data, subject="registry")))
    known = {**HANDLERS, **staff_facts.HANDLERS}[type(data).kind]
    context = Context.for_system("agreements.consumer", received.time, causation_id=received.id)
    async with UnitOfWork(pool).change(context) as tx:
        await known.apply(tx, received, ev.read_data(received, known.model))


async def learn_the_register(pool: asyncpg.Pool) -> dict[str, str]:
    at = datetime(2026, 1, 1, tzinfo=JAKARTA)
    organizations = {}
    for name in ("A", "B"):
        organization_id = uuid.uuid4()
        organizations[name] = str(organization_id)
        await learn(
            pool,
            registry_contracts.OrganizationRegistered(
                organization_id=organization_id,
                legal_name=f"NGO {name}",
                country_of_origin="GB",
                status="active",
                registered_at=at,
            ),
        )
        await learn(
            pool,
            registry_contracts.PermitGranted(
                permit_id=uuid.uuid4(),
                organization_id=organization_id,
                organization_name=f"NGO {name}",
                permit_type="principle",
                number=f"IP-{name}",
                issued_on=date(2026, 1, 1),
                valid_until=date(2029, 12, 31),
                granted_at=at,
            ),
        )
    for kind, code, name, parent in (
        ("ministry", "KEMENSOS", "Kementerian Sosial", None),
        ("ministry", "KEMENLU", "Kementerian Luar Negeri", None),
        ("province", "33", "Jawa Tengah", None),
        ("regency", "3374", "Kota Semarang", "33"),
        ("regency", "3372", "Kota Surakarta", "33"),
        ("province", "51", "Bali", None),
    ):
        await learn(
            pool,
            registry_contracts.PartnerUpdated(
                partner_id=partner_id(code),
                partner_kind=kind,
                name=name,
                code=code,
                parent_code=parent,
                version=1,
                updated_at=at,
            ),
        )
    return organizations


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    dsn = await create_migrated_database([DOCUMENTS_MIGRATIONS, db.MigrationSource("agreements", "mitra_agreements")])
    pool = await db.create_pool(dsn, min_size=1, max_size=4)
    settings = AgreementsSettings(
        environment="test", documents_dir=tmp_path_factory.mktemp("documents"), tpoa_members=[]
    )
    spec = build_spec(settings)
    clock = FakeClock(TODAY)
    try:
        organizations = await learn_the_register(pool)
        async with api_client(spec, pool, clock=clock, headers={}) as client:
            made = World(client=client, pool=pool, dsn=dsn, clock=clock, organizations=organizations, msps={})
            made.msps["A"] = await made.signed("A", "KEMENSOS", ["3374", "51"])
            made.msps["B"] = await made.signed("B", "KEMENLU", ["51"])
            yield made
    finally:
        await pool.close()
        await drop_database(dsn)


def ids(page: dict[str, Any]) -> list[str]:
    return [item["id"] for item in page["items"]]


# --- GET /obligations -------------------------------------------------------------------------------------------


async def test_the_obligations_queue_holds_every_obligation_soonest_due_first_with_what_its_row_shows(
    world: World,
) -> None:
    msp = world.msps["A"]
    expected = await world.obligations_of(msp)
    page = await world.page(TPOA, "/obligations", msp_id=msp["id"], limit=500)
    assert page["total"] == len(expected) == len(page["items"])
    assert page["limit"] == 500
    assert page["offset"] == 0
    assert set(ids(page)) == {o["id"] for o in expected}
    dues = [item["due_on"] for item in page["items"]]
    assert dues == sorted(dues)
    first = page["items"][0]
    assert first["msp_id"] == msp["id"]
    assert first["msp_title"] == msp["title"]
    assert first["msp_number"] == msp["number"]
    assert first["organization_id"] == world.organizations["A"]
    assert first["organization_name"] == "NGO A"
    assert first["ministry_code"] == "KEMENSOS"
    assert first["ministry_name"] == "Kementerian Sosial"
    assert first["latest_submission_id"] is None
    assert first["latest_submission_status"] is None

    backwards = await world.page(TPOA, "/obligations", msp_id=msp["id"], sort="-due_on", limit=500)
    assert [item["due_on"] for item in backwards["items"]] == sorted(dues, reverse=True)

    # Pages follow one another without overlap or gap, and each carries the whole total.
    pages = [await world.page(TPOA, "/obligations", msp_id=msp["id"], limit=4, offset=at) for at in (0, 4, 8)]
    assert [i for p in pages for i in ids(p)] == ids(page)[:12]
    assert {p["total"] for p in pages} == {len(expected)}


async def test_the_obligations_queue_filters_on_status_kind_due_dates_parties_and_region(world: World) -> None:
    msp = await world.signed("A", "KEMENSOS", ["3374", "51"])
    plan = await world.obligation(msp, "work_plan", "2027", "3374")
    submission = await world.submit("A", plan, "RKT 2027 Semarang")

    submitted = await world.page(TPOA, "/obligations", msp_id=msp["id"], status="submitted")
    assert ids(submitted) == [plan["id"]]
    [row] = submitted["items"]
    assert row["latest_submission_id"] == submission["id"]
    assert row["latest_submission_status"] == "submitted"
    assert row["latest_submitted_at"] is not None

    open_ones = await world.client.get(
        "/obligations", params=[("msp_id", msp["id"]), ("status", "pending"), ("status", "submitted")], headers=TPOA
    )
    assert open_ones.json()["total"] == len(await world.obligations_of(msp))

    plans = await world.page(TPOA, "/obligations", msp_id=msp["id"], kind="work_plan", limit=500)
    assert plans["items"]
    assert {item["kind"] for item in plans["items"]} == {"work_plan"}
    in_the_province = await world.page(TPOA, "/obligations", msp_id=msp["id"], kind="work_plan", region_code="33")
    assert {item["region_code"] for item in in_the_province["items"]} == {"3374"}, "a province includes its regencies"
    in_bali = await world.page(TPOA, "/obligations", msp_id=msp["id"], region_code="51", limit=500)
    assert {item["region_code"] for item in in_bali["items"]} == {None, "51"}, "Bali: MSP-wide ones and its RKTs"

    window = await world.page(TPOA, "/obligations", msp_id=msp["id"], due_after="2027-03-30", due_before="2027-04-01")
    assert {(item["kind"], item["due_on"]) for item in window["items"]} == {("work_plan", "2027-03-31")}
    assert window["total"] == 2  # the RKTs of Semarang and of Bali

    of_b = await world.page(TPOA, "/obligations", organization_id=world.organizations["B"], limit=500)
    assert of_b["items"]
    assert {item["organization_name"] for item in of_b["items"]} == {"NGO B"}
    of_kemenlu = await world.page(TPOA, "/obligations", ministry_code="KEMENLU", limit=500)
    assert ids(of_kemenlu) == ids(of_b)


# --- GET /submissions ------------------------------------------------------------------------------------------


async def test_the_submissions_queue_holds_those_awaiting_review_and_the_comments_of_a_returned_one(
    world: World,
) -> None:
    msp = await world.signed("A", "KEMENSOS", ["3374", "51"])
    semarang = await world.submit("A", await world.obligation(msp, "work_plan", "2027", "3374"), "RKT Semarang")
    bali = await world.submit("A", await world.obligation(msp, "work_plan", "2027", "51"), "RKT Bali")
    report = await world.submit("A", await world.obligation(msp, "semester_report", "2027-S1"), "Semester I")
    kemensos = as_role("ministry", subject="reviewer", ministry_code="KEMENSOS")

    awaiting = await world.page(TPOA, "/submissions", msp_id=msp["id"])
    assert ids(awaiting) == [semarang["id"], bali["id"], report["id"]], "the longest waiting first"
    row = awaiting["items"][0]
    assert row["status"] == "submitted"
    assert row["kind"] == "work_plan"
    assert row["period"] == "2027"
    assert row["region_code"] == "3374"
    assert row["due_on"] == "2027-03-31"
    assert row["summary"] == "RKT Semarang"
    assert row["msp_title"] == msp["title"]
    assert row["organization_name"] == "NGO A"
    assert row["ministry_code"] == "KEMENSOS"
    assert row["submitted_by"] == "staff-A"
    assert row["comments"] is None

    await world.call(kemensos, "POST", f"/submissions/{report['id']}/return", {"comments": "add the budget"})
    await world.call(as_role("region", region_code="51"), "POST", f"/submissions/{bali['id']}/accept", {})
    awaiting = await world.page(TPOA, "/submissions", msp_id=msp["id"])
    assert ids(awaiting) == [semarang["id"]]
    returned = await world.page(TPOA, "/submissions", msp_id=msp["id"], status="returned")
    [returned_row] = returned["items"]
    assert returned_row["id"] == report["id"]
    assert returned_row["comments"] == "add the budget"
    assert returned_row["decided_by"] == "reviewer"
    assert returned_row["kind"] == "semester_report"
    reports = await world.page(TPOA, "/submissions", msp_id=msp["id"], kind="semester_report", status="returned")
    assert ids(reports) == [report["id"]]
    every = await world.client.get(
        "/submissions",
        params=[("msp_id", msp["id"]), ("status", "submitted"), ("status", "accepted"), ("status", "returned")],
        headers=TPOA,
    )
    assert every.json()["total"] == 3

    # A region's office: the RKT of its area (a province includes its regencies), not Bali's.
    jawa_tengah = as_role("region", region_code="33")
    seen = await world.page(jawa_tengah, "/submissions", msp_id=msp["id"], status=["submitted", "accepted"])
    assert ids(seen) == [semarang["id"]]
    by_filter = await world.page(TPOA, "/submissions", msp_id=msp["id"], region_code="33")
    assert ids(by_filter) == [semarang["id"]]


# --- GET /visits --------------------------------------------------------------------------------------------------


async def visit(world: World, name: str, msp: dict[str, Any], regions: list[str], arrives: str, departs: str) -> Any:
    body = {
        "msp_id": msp["id"],
        "visitors": [{"name": "John Smith", "nationality": "GB", "role": "Adviser"}],
        "purpose": "Monitoring",
        "arrives_on": arrives,
        "departs_on": departs,
        "region_codes": regions,
    }
    return await world.call(world.ngo(name), "POST", "/visits", body)


async def test_the_visits_queue_finds_a_visit_to_a_regency_under_its_province_within_the_dates(
    world: World,
) -> None:
    msp_a, msp_b = world.msps["A"], world.msps["B"]
    semarang = await visit(world, "A", msp_a, ["3374"], "2027-03-01", "2027-03-04")
    bali = await visit(world, "B", msp_b, ["51"], "2027-02-10", "2027-02-12")
    later = await visit(world, "A", msp_a, ["51", "3374"], "2027-05-01", "2027-05-02")
    cancelled = await visit(world, "A", msp_a, ["3374"], "2027-06-01", "2027-06-02")
    await world.call(world.ngo("A"), "POST", f"/visits/{cancelled['id']}/cancel", {"reason": "flight cancelled"})

    everything = await world.page(TPOA, "/visits", limit=500)
    assert ids(everything) == [bali["id"], semarang["id"], later["id"], cancelled["id"]], "soonest arrival first"
    row = everything["items"][1]
    assert row["msp_title"] == msp_a["title"]
    assert row["organization_name"] == "NGO A"
    assert row["ministry_code"] == "KEMENSOS"
    assert row["region_codes"] == ["3374"]
    assert row["status"] == "announced"

    in_jawa_tengah = await world.page(TPOA, "/visits", region_code="33")
    assert ids(in_jawa_tengah) == [semarang["id"], later["id"], cancelled["id"]]
    announced = await world.page(TPOA, "/visits", region_code="33", status="announced")
    assert ids(announced) == [semarang["id"], later["id"]]
    # Under way at some time in the window, both days included.
    march = await world.page(TPOA, "/visits", **{"from": "2027-02-12", "to": "2027-03-01"})
    assert ids(march) == [bali["id"], semarang["id"]]
    of_a = await world.page(TPOA, "/visits", organization_id=world.organizations["A"], sort="-arrives_on")
    assert ids(of_a) == [cancelled["id"], later["id"], semarang["id"]]

    # A region's office reads the visits to its area; Surakarta (3372) is not Semarang.
    assert ids(await world.page(as_role("region", region_code="33"), "/visits", status="announced")) == [
        semarang["id"],
        later["id"],
    ]
    assert ids(await world.page(as_role("region", region_code="3374"), "/visits", status="announced")) == [
        semarang["id"],
        later["id"],
    ]
    assert ids(await world.page(as_role("region", region_code="3372"), "/visits")) == []
    assert ids(await world.page(as_role("region", region_code="51"), "/visits")) == [bali["id"], later["id"]]


# --- GET /recommendations -----------------------------------------------------------------------------------------


async def test_the_recommendations_queue_holds_the_requests_by_status_and_kind(world: World) -> None:
    msp_a, msp_b = world.msps["A"], world.msps["B"]

    async def request(name: str, msp: dict[str, Any], kind: str) -> Any:
        body: dict[str, Any] = {"msp_id": msp["id"], "kind": kind, "purpose": "Programme adviser"}
        if kind == "visa":
            expert = registry_contracts.ForeignStaffAssigned(
                assignment_id=uuid.uuid4(),
                organization_id=uuid.UUID(world.organizations[name]),
                organization_name="NGO",
                full_name="Jane Doe",
                nationality="GB",
                role="Adviser",
                starts_on=date(2026, 6, 1),
                ends_on=date(2028, 5, 31),
                active_assignments=1,
            )
            await learn(world.pool, expert)
            body |= {"staff_assignment_id": str(expert.assignment_id)}
        return await world.call(world.ngo(name), "POST", "/recommendations", body)

    visa = await request("A", msp_a, "visa")
    tax = await request("A", msp_a, "tax_exemption")
    other = await request("B", msp_b, "tax_exemption")
    kemensos = as_role("ministry", subject="decider", ministry_code="KEMENSOS")
    decision = {"granted": True, "reference_number": f"REK/Q/{next(_serial)}"}
    await world.call(kemensos, "POST", f"/recommendations/{tax['id']}/issue", decision)

    everything = await world.page(TPOA, "/recommendations", limit=500)
    assert ids(everything) == [visa["id"], tax["id"], other["id"]]
    row = everything["items"][0]
    assert row["kind"] == "visa"
    assert row["expert_name"] == "Jane Doe"
    assert row["status"] == "requested"
    assert row["msp_title"] == msp_a["title"]
    assert row["organization_id"] == world.organizations["A"]
    assert ids(await world.page(TPOA, "/recommendations", status="requested")) == [visa["id"], other["id"]]
    assert ids(await world.page(TPOA, "/recommendations", kind="tax_exemption", sort="-requested_at")) == [
        other["id"],
        tax["id"],
    ]
    assert ids(await world.page(kemensos, "/recommendations", status="requested")) == [visa["id"]]
    assert ids(await world.page(world.ngo("B"), "/recommendations")) == [other["id"]]
    refused = await world.client.get("/recommendations", headers=as_role("region", region_code="51"))
    assert refused.status_code == 403, refused.text


# --- the caller's scope -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/obligations", "/submissions", "/visits", "/recommendations"])
async def test_a_queue_holds_only_what_the_callers_scope_covers(world: World, path: str) -> None:
    a, b = world.organizations["A"], world.organizations["B"]
    if path == "/submissions":  # one awaiting review under each world MSP
        for name, region in (("A", "3374"), ("A", "51"), ("B", "51")):
            plan = await world.obligation(world.msps[name], "work_plan", "2028", region)
            if plan["status"] == "pending":
                await world.submit(name, plan)
    params: dict[str, Any] = {"limit": 500}

    def organizations(page: dict[str, Any]) -> set[str]:
        return {item["organization_id"] for item in page["items"]}

    everything = await world.page(as_role("auditor"), path, **params)
    assert organizations(everything) >= {a, b}
    assert organizations(await world.page(world.ngo("A"), path, **params)) == {a}
    assert organizations(await world.page(world.ngo("B"), path, **params)) == {b}
    kemenlu = as_role("ministry", ministry_code="KEMENLU")
    assert {item["ministry_code"] for item in (await world.page(kemenlu, path, **params))["items"]} == {"KEMENLU"}
    # A filter outside the scope narrows to nothing: the list is filtered, never refused.
    assert (await world.page(kemenlu, path, ministry_code="KEMENSOS"))["total"] == 0
    assert (await world.page(world.ngo("A"), path, organization_id=b))["total"] == 0
    assert (await world.client.get(path, headers=as_role("admin"))).status_code == 403
    if path == "/recommendations":
        return
    jawa_tengah = await world.page(as_role("region", region_code="33"), path, **params)
    assert organizations(jawa_tengah) == {a}, "NGO B works in Bali only"
    bali = await world.page(as_role("region", region_code="51"), path, **params)
    assert organizations(bali) == {a, b}
    assert all(item.get("region_code") in (None, "51") for item in bali["items"]), "not Semarang's RKT"


# --- bad input ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/obligations", {"status": "due"}, "query.status"),
        ("/obligations", {"kind": "rkt"}, "query.kind"),
        ("/obligations", {"region_code": "3"}, "query.region_code"),
        ("/obligations", {"ministry_code": "kemensos; drop"}, "query.ministry_code"),
        ("/obligations", {"due_before": "2027-13-01"}, "query.due_before"),
        ("/obligations", {"due_after": "2027-03-31", "due_before": "2027-03-31"}, "query.due_before"),
        ("/obligations", {"sort": "title"}, "query.sort"),
        ("/obligations", {"ministry": "KEMENSOS"}, "query.ministry"),
        ("/obligations", {"offset": MAX_OFFSET + 1}, "query.offset"),
        ("/obligations", {"limit": 0}, "query.limit"),
        ("/submissions", {"status": "pending"}, "query.status"),
        ("/submissions", {"organization_id": "not-a-uuid"}, "query.organization_id"),
        ("/visits", {"from": "2027-03-02", "to": "2027-03-01"}, "query.to"),
        ("/visits", {"status": "done"}, "query.status"),
        ("/recommendations", {"kind": "work_permit"}, "query.kind"),
        ("/recommendations", {"region_code": "33"}, "query.region_code"),
    ],
)
async def test_a_bad_query_is_refused_naming_the_parameter(
    world: World, path: str, params: dict[str, Any], field: str
) -> None:
    response = await world.client.get(path, params=params, headers=TPOA)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    named = [problem["field"] for problem in response.json()["errors"]]
    assert any(name == field or name.startswith(f"{field}.") for name in named), response.text  # `query.status.0`


# --- overdue (last: the deadline engine moves every obligation of the module on) ----------------------------------


async def test_an_obligation_past_its_due_date_is_in_the_overdue_queue(world: World) -> None:
    msp = await world.signed("B", "KEMENLU", ["51"])
    plan = await world.obligation(msp, "work_plan", "2027", "51")
    engine = DeadlineEngine(
        uow=UnitOfWork(world.pool, "agreements"), clock=world.clock, listen_dsn=world.dsn, tick_seconds=3600
    )
    before = await world.page(TPOA, "/obligations", msp_id=msp["id"], status="overdue")
    try:
        world.clock.set(date(2027, 4, 2))
        await engine.tick()
        overdue = await world.page(TPOA, "/obligations", msp_id=msp["id"], status="overdue")
        due_soon = await world.page(TPOA, "/obligations", msp_id=msp["id"], status="pending", due_before="2027-08-01")
    finally:
        world.clock.set(TODAY)
    assert before["total"] == 0
    assert ids(overdue) == [plan["id"]]
    assert overdue["items"][0]["status"] == "overdue"
    assert {item["kind"] for item in due_soon["items"]} == {"action_plan", "semester_report"}
