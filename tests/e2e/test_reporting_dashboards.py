"""Reporting's dashboards against counts this test computes itself from a known set of events.

The events are published to the exchange as registry and agreements would publish them; reporting runs as its own
process. The same figures must hold after every event is delivered a second time, and after a rebuild from the log.
"""

from __future__ import annotations

import asyncio
import io
import random
import sys
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import aio_pika
import httpx
import pytest
from lxml import etree
from openpyxl import load_workbook
from support import AMQP_URL, eventually
from support.paths import DATA
from support.services import RunningSystem, running_services
from support.tokens import as_role

from mitra_reporting.domain import risk
from mitra_shared.contracts import agreements as ag
from mitra_shared.contracts import registry as rg
from mitra_shared.events import EventData, amqp_headers, encode, new_event

pytestmark = pytest.mark.e2e
AS_OF = date(2027, 6, 15)
MINISTRIES = {
    "KEMENSOS": "Kementerian Sosial",
    "KEMENDAGRI": "Kementerian Dalam Negeri",
    "KEMENKES": "Kementerian Kesehatan",
}
REGIONS = [
    ("33", "province", "Jawa Tengah", "33"),
    ("3374", "regency", "Kota Semarang", "33"),
    ("34", "province", "DI Yogyakarta", "34"),
    ("3471", "regency", "Kota Yogyakarta", "34"),
    ("5171", "regency", "Kota Denpasar", "51"),
]


@dataclass
class Obligation:
    id: uuid.UUID
    msp: Msp
    kind: str
    due_on: date
    submitted_on: date | None


@dataclass
class Msp:
    id: uuid.UUID
    number: str
    organization_id: uuid.UUID
    organization_name: str
    ministry: str
    status: str
    starts_on: date
    ends_on: date
    regions: list[tuple[str, str, str, str]]
    closed_on: date | None = None
    obligations: list[Obligation] = field(default_factory=list)
    late_visits: int = 0


@dataclass
class World:
    events: list[EventData] = field(default_factory=list)
    msps: list[Msp] = field(default_factory=list)
    permits: dict[uuid.UUID, date] = field(default_factory=dict)
    staff: Counter[uuid.UUID] = field(default_factory=Counter)
    visits: list[tuple[str, str, bool]] = field(default_factory=list)  # (region, month, late), announced only


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def build_world(seed: int = 20270615, msp_count: int = 40, ministry_prefix: str = "") -> World:
    rnd = random.Random(seed)
    world = World()
    ministries = {code: uuid.uuid4() for code in MINISTRIES}
    organizations = []
    for number in range(24):
        organization_id, name = uuid.uuid4(), f"NGO {number:02d}"
        organizations.append((organization_id, name))
        world.events.append(
            rg.OrganizationRegistered(
                organization_id=organization_id,
                legal_name=name,
                country_of_origin=rnd.choice(["GB", "US", "DE"]),
                status="applicant",
                registered_at=at(date(2025, 1, 1) + timedelta(days=number)),
            )
        )
        if rnd.random() < 0.8:
            until = AS_OF + timedelta(days=rnd.randint(-60, 900))
            world.permits[organization_id] = until
            world.events.append(
                rg.PermitGranted(
                    permit_id=uuid.uuid4(),
                    organization_id=organization_id,
                    organization_name=name,
                    permit_type="principle",
                    number=f"IP-{number}",
                    issued_on=until - timedelta(days=1000),
                    valid_until=until,
                    granted_at=at(date(2025, 1, 2)),
                )
            )
        for _ in range(rnd.choice([0, 0, 1, 3])):
            world.staff[organization_id] += 1
            world.events.append(
                rg.ForeignStaffAssigned(
                    assignment_id=uuid.uuid4(),
                    organization_id=organization_id,
                    organization_name=name,
                    full_name="Expert",
                    nationality="AU",
                    role="Adviser",
                    starts_on=AS_OF - timedelta(days=100),
                    ends_on=AS_OF + timedelta(days=300),
                    active_assignments=world.staff[organization_id],
                )
            )

    for number in range(msp_count):
        organization_id, name = rnd.choice(organizations)
        ministry = ministry_prefix + rnd.choice(list(MINISTRIES))
        regions = rnd.sample(REGIONS, rnd.choice([1, 2]))
        starts = AS_OF + timedelta(days=rnd.randint(-900, 60))
        msp = Msp(
            uuid.uuid4(),
            f"MSP-{number}",
            organization_id,
            name,
            ministry,
            "draft",
            starts,
            starts + timedelta(days=rnd.choice([365, 730, 1095])),
            regions,
        )
        party = {
            "organization": ag.OrganizationParty(organization_id=organization_id, name=name),
            "ministry": ag.MinistryParty(
                partner_id=ministries[ministry.removeprefix(ministry_prefix)],
                name=MINISTRIES[ministry.removeprefix(ministry_prefix)],
                code=ministry,
            ),
        }
        locations = [ag.WorkLocation(code=c, kind=k, name=n, province_code=p) for c, k, n, p in regions]  # type: ignore[arg-type]
        world.events.append(
            ag.MspDrafted(
                msp_id=msp.id,
                title=f"Programme {number}",
                focus_areas=["poverty"],
                forms_of_cooperation=[],
                work_locations=locations,
                starts_on=msp.starts_on,
                ends_on=msp.ends_on,
                drafted_by="x",
                drafted_at=at(starts - timedelta(days=90)),
                **party,
            )
        )
        world.msps.append(msp)
        fate = rnd.choices(
            ["draft", "submitted", "approved", "rejected", "signed", "terminated", "ended"],
            weights=[1, 1, 1, 1, 8, 2, 2],
        )[0]
        if fate == "draft":
            continue
        world.events.append(
            ag.MspSubmitted(
                msp_id=msp.id, title="t", submitted_by="x", submitted_at=at(starts - timedelta(days=80)), **party
            )
        )
        msp.status = "submitted"
        if fate == "submitted":
            continue
        if fate == "rejected":
            world.events.append(
                ag.MspRejected(
                    msp_id=msp.id, reason="r", rejected_by="tpoa", rejected_at=at(starts - timedelta(days=70)), **party
                )
            )
            msp.status = "rejected"
            continue
        world.events.append(
            ag.MspApproved(msp_id=msp.id, approved_by="tpoa", approved_at=at(starts - timedelta(days=70)), **party)
        )
        msp.status = "approved"
        if fate == "approved":
            continue
        for _ in range(rnd.randint(2, 6)):
            due = starts + timedelta(days=rnd.randint(30, 700))
            submitted = None
            if due < AS_OF:
                submitted = rnd.choice([due - timedelta(days=3), due, due + timedelta(days=9), None])
                if submitted is not None and submitted > AS_OF:
                    submitted = None
            elif rnd.random() < 0.3:
                submitted = AS_OF - timedelta(days=1)
            msp.obligations.append(
                Obligation(
                    uuid.uuid4(), msp, rnd.choice(["semester_report", "annual_report", "action_plan"]), due, submitted
                )
            )
        world.events.append(
            ag.MspSigned(
                msp_id=msp.id,
                number=msp.number,
                title=f"Programme {number}",
                starts_on=msp.starts_on,
                ends_on=msp.ends_on,
                signed_on=starts - timedelta(days=10),
                focus_areas=["poverty"],
                forms_of_cooperation=[],
                work_locations=locations,
                region_codes=[r[0] for r in regions],
                province_codes=sorted({r[3] for r in regions}),
                signatories=[],
                principle_permit_id=uuid.uuid4(),
                principle_permit_valid_until=msp.ends_on,
                signed_document_ref=f"https://arsip.example.go.id/msp/{msp.number}.pdf",
                obligations=[
                    ag.ObligationSummary(obligation_id=o.id, kind=o.kind, period="p", due_on=o.due_on)  # type: ignore[arg-type]
                    for o in msp.obligations
                ],
                signed_by="x",
                signed_at=at(starts - timedelta(days=10)),
                **party,
            )
        )
        msp.status = "signed"
        for obligation in msp.obligations:
            if obligation.submitted_on is not None:
                world.events.append(
                    ag.ReportSubmitted(
                        obligation_id=obligation.id,
                        obligation_kind=obligation.kind,
                        msp_id=msp.id,  # type: ignore[arg-type]
                        organization_id=organization_id,
                        organization_name=name,
                        ministry_code=ministry,
                        period="p",
                        due_on=obligation.due_on,
                        submission_id=uuid.uuid4(),
                        attempt=1,
                        summary="s",
                        late=obligation.submitted_on > obligation.due_on,
                        submitted_by="ngo",
                        submitted_at=at(obligation.submitted_on, 5),  # 12:00 in Jakarta, the same day
                    )
                )
        if fate == "terminated":
            msp.status, msp.closed_on = "terminated", AS_OF - timedelta(days=rnd.randint(1, 200))
            msp.closed_on = max(msp.closed_on, msp.starts_on)
            world.events.append(
                ag.MspTerminated(
                    msp_id=msp.id,
                    terminated_on=msp.closed_on,
                    reason="r",
                    terminated_by="x",
                    terminated_at=at(msp.closed_on),
                    **party,
                )
            )
        elif fate == "ended":
            msp.status, msp.closed_on = "ended", min(msp.ends_on, AS_OF - timedelta(days=1))
            world.events.append(ag.MspEnded(msp_id=msp.id, number=msp.number, ended_on=msp.closed_on, **party))
        for _ in range(rnd.randint(0, 3)):
            visited = [r[0] for r in rnd.sample(regions, 1)]
            arrives = AS_OF + timedelta(days=rnd.randint(-300, 90))
            late, cancelled = rnd.random() < 0.3, rnd.random() < 0.15
            visit_id = uuid.uuid4()
            world.events.append(
                ag.VisitAnnounced(
                    visit_id=visit_id,
                    msp_id=msp.id,
                    visitors=[ag.Visitor(name="V", nationality="GB", role="r")],
                    purpose="p",
                    arrives_on=arrives,
                    departs_on=arrives + timedelta(days=2),
                    region_codes=visited,
                    province_codes=[v[:2] for v in visited],
                    announced_on=arrives - timedelta(days=20),
                    days_notice=20,
                    late=late,
                    announced_by="x",
                    announced_at=at(arrives - timedelta(days=20)),
                    **party,
                )
            )
            if cancelled:
                world.events.append(
                    ag.VisitCancelled(
                        visit_id=visit_id,
                        msp_id=msp.id,
                        organization=party["organization"],
                        region_codes=visited,
                        arrives_on=arrives,
                        reason="r",
                        cancelled_by="x",
                        cancelled_at=at(arrives - timedelta(days=5)),
                    )
                )
            else:
                world.visits += [(region, arrives.strftime("%Y-%m"), late) for region in visited]
                msp.late_visits += late
    return world


def in_force(msp: Msp) -> bool:
    return msp.status == "signed" and msp.starts_on <= AS_OF <= msp.ends_on


def expected_msps(world: World, days: int = 90) -> dict[str, dict[str, int]]:
    found: dict[str, Counter[str]] = defaultdict(Counter)
    for msp in world.msps:
        counts = found[msp.ministry]
        counts["total"] += 1
        signed = msp.status == "signed"
        counts["active"] += in_force(msp)
        counts["expiring"] += signed and AS_OF <= msp.ends_on <= AS_OF + timedelta(days=days)
        counts["ended"] += msp.status in ("ended", "terminated") or (signed and msp.ends_on < AS_OF)
        counts["signed_not_started"] += signed and msp.starts_on > AS_OF
        counts["in_preparation"] += msp.status in ("draft", "submitted", "approved")
        counts["rejected"] += msp.status == "rejected"
    return {ministry: dict(counts) for ministry, counts in found.items()}


def counted_obligations(world: World) -> Iterator[Obligation]:
    for msp in world.msps:
        for obligation in msp.obligations:
            if not (msp.status == "terminated" and msp.closed_on and msp.closed_on < obligation.due_on):
                yield obligation


def expected_compliance(world: World, key: str) -> dict[str, dict[str, int]]:
    found: dict[str, Counter[str]] = defaultdict(Counter)
    for obligation in counted_obligations(world):
        group = str(obligation.msp.organization_id) if key == "organization" else obligation.msp.ministry
        counts = found[group]
        if obligation.due_on >= AS_OF:
            counts["upcoming"] += 1
            continue
        counts["due"] += 1
        if obligation.submitted_on is None:
            counts["overdue"] += 1
        elif obligation.submitted_on <= obligation.due_on:
            counts["on_time"] += 1
        else:
            counts["late"] += 1
    return {
        group: {k: counts[k] for k in ("due", "on_time", "late", "overdue", "upcoming")}
        for group, counts in found.items()
    }


def expected_regions(world: World) -> dict[str, tuple[int, int, dict[str, tuple[int, int]]]]:
    provinces: dict[str, tuple[set[uuid.UUID], set[uuid.UUID]]] = defaultdict(lambda: (set(), set()))
    regions: dict[str, tuple[set[uuid.UUID], set[uuid.UUID]]] = defaultdict(lambda: (set(), set()))
    for msp in filter(in_force, world.msps):
        for code, _, _, province in msp.regions:
            for bucket in (provinces[province], regions[code]):
                bucket[0].add(msp.id)
                bucket[1].add(msp.organization_id)
    return {
        province: (
            len(msps),
            len(organizations),
            {code: (len(r[0]), len(r[1])) for code, r in regions.items() if code.startswith(province)},
        )
        for province, (msps, organizations) in provinces.items()
    }


def expected_risk(world: World) -> dict[str, int]:
    scores = {}
    for msp in filter(in_force, world.msps):
        obligations = [o for o in msp.obligations]
        facts = risk.RiskFacts(
            overdue_obligations=sum(o.due_on < AS_OF and o.submitted_on is None for o in obligations),
            late_submissions=sum(o.submitted_on is not None and o.submitted_on > o.due_on for o in obligations),
            principle_permit_valid_until=world.permits.get(msp.organization_id),
            active_foreign_staff=world.staff[msp.organization_id],
            late_visits=msp.late_visits,
            msp_ends_on=msp.ends_on,
        )
        scores[str(msp.id)] = risk.assess(facts, AS_OF).score
    return scores


@pytest.fixture(scope="module")
def reporting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    """Reporting alone, in a namespace of its own: the test publishes what registry and agreements would."""
    log_dir = tmp_path_factory.mktemp("reporting")
    with running_services(["reporting"], log_dir=log_dir, namespace_prefix="dash") as system:
        yield system


async def publish(namespace: str, events: list[EventData]) -> list[Any]:
    envelopes = [new_event(data, subject=str(uuid.uuid4())) for data in events]
    connection = await aio_pika.connect(AMQP_URL)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(f"{namespace}.events", ensure=True)
        for envelope in envelopes:
            await send(exchange, envelope)
    return envelopes


async def send(exchange: aio_pika.abc.AbstractExchange, envelope: Any) -> None:
    routing_key = envelope.type.removeprefix("id.go.mitra.").rsplit(".v", 1)[0]
    await exchange.publish(
        aio_pika.Message(
            encode(envelope),
            headers=amqp_headers(envelope),
            content_type="application/cloudevents+json",
            message_id=str(envelope.id),
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        ),
        routing_key=routing_key,
    )


async def consumed(client: httpx.AsyncClient, system: RunningSystem) -> float:
    text = (await client.get(system.metrics_url("reporting"))).text
    return sum(
        float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith("mitra_events_consumed_total{")
    )


async def dashboards(client: httpx.AsyncClient, url: str) -> dict[str, Any]:
    params = {"as_of": AS_OF.isoformat()}
    found = {"summary_kemensos": (await client.get(f"{url}/summary", params={**params, "ministry": "KEMENSOS"})).json()}
    return found | {
        name: (await client.get(f"{url}{path}", params=params)).json()
        for name, path in (
            ("summary", "/summary"),
            ("msps", "/dashboard/msps"),
            ("regions", "/dashboard/regions"),
            ("visits", "/dashboard/visits"),
            ("compliance", "/compliance"),
            ("overdue", "/compliance/overdue"),
            ("risk", "/risk"),
        )
    }


async def test_every_dashboard_number_matches_the_events(reporting: RunningSystem) -> None:
    world = build_world()
    namespace = reporting.namespace
    url = reporting.url("reporting")
    async with httpx.AsyncClient(timeout=30, headers=as_role("tpoa")) as client:
        envelopes = await publish(namespace, world.events)

        async def all_taken() -> bool:
            return await consumed(client, reporting) >= len(envelopes)

        await eventually(all_taken, timeout=60, description="every event consumed")
        seen = await dashboards(client, url)
        check(world, seen)

        # A ministry's officer sees the figures of its own MSPs, as TPOA sees them, and nothing of the others'.
        kemensos = as_role("ministry", ministry_code="KEMENSOS")
        params = {"as_of": AS_OF.isoformat()}
        own = (await client.get(f"{url}/dashboard/msps", params=params, headers=kemensos)).json()
        assert own["by_ministry"] == [row for row in seen["msps"]["by_ministry"] if row["ministry_code"] == "KEMENSOS"]
        overdue = (await client.get(f"{url}/compliance/overdue", params=params, headers=kemensos)).json()
        assert overdue == [row for row in seen["overdue"] if row["ministry_code"] == "KEMENSOS"]

        # The broker delivers every event a second time: no number moves.
        connection = await aio_pika.connect(AMQP_URL)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await channel.get_exchange(f"{namespace}.events", ensure=True)
            for envelope in envelopes:
                await send(exchange, envelope)

        async def all_taken_twice() -> bool:
            return await consumed(client, reporting) >= 2 * len(envelopes)

        await eventually(all_taken_twice, timeout=60, description="every duplicate consumed")
        assert await dashboards(client, url) == seen

        # A rebuild from the log gives the same answers.
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "mitra_reporting",
            "rebuild",
            env={
                "PATH": "/usr/bin:/bin",
                "MITRA_ENVIRONMENT": "test",
                "MITRA_DATABASE_URL": str(reporting.services["reporting"].database_url),
            },
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=Path(__file__).parents[2],
        )
        stdout, stderr = await asyncio.wait_for(process.communicate(), 120)
        assert process.returncode == 0, stderr.decode()
        assert f"from {len(envelopes)} logged events" in stdout.decode()
        assert await dashboards(client, url) == seen


def check(world: World, seen: dict[str, Any]) -> None:
    registered = [e for e in world.events if isinstance(e, rg.OrganizationRegistered)]
    organizations = seen["summary"]["organizations"]
    assert organizations["total"] == len(registered)
    assert {c["key"]: c["count"] for c in organizations["by_country"]} == Counter(
        e.country_of_origin for e in registered
    )
    assert {c["key"]: c["count"] for c in organizations["by_status"]} == {"applicant": len(registered)}
    # Through their MSPs: the NGOs with an MSP (not rejected) of KEMENSOS.
    with_kemensos = {m.organization_id for m in world.msps if m.ministry == "KEMENSOS" and m.status != "rejected"}
    assert seen["summary_kemensos"]["organizations"]["total"] == len(with_kemensos)

    msps = expected_msps(world)
    by_ministry = {
        row["ministry_code"]: {k: v for k, v in row.items() if k not in ("ministry_code", "ministry_name")}
        for row in seen["msps"]["by_ministry"]
    }
    assert by_ministry == {m: {k: c.get(k, 0) for k in by_ministry[m]} for m, c in msps.items()}
    assert seen["msps"]["totals"]["total"] == len(world.msps)

    for key, section in (("organization", "by_organization"), ("ministry", "by_ministry")):
        expected = expected_compliance(world, key)
        got = {
            row["key"]: {k: row[k] for k in ("due", "on_time", "late", "overdue", "upcoming")}
            for row in seen["compliance"][section]
        }
        assert got == expected, section
        for row in seen["compliance"][section]:
            rate = row["on_time"] / row["due"] if row["due"] else None
            assert row["on_time_rate"] == (round(rate, 4) if rate is not None else None)

    overdue = {
        (o.id, (AS_OF - o.due_on).days)
        for o in counted_obligations(world)
        if o.due_on < AS_OF and o.submitted_on is None
    }
    assert {(uuid.UUID(row["obligation_id"]), row["days_overdue"]) for row in seen["overdue"]} == overdue

    regions = expected_regions(world)
    got_regions = {
        p["province_code"]: (
            p["active_msps"],
            p["organizations"],
            {r["region_code"]: (r["active_msps"], r["organizations"]) for r in p["regions"]},
        )
        for p in seen["regions"]
    }
    assert got_regions == regions

    visits = Counter((region, month) for region, month, _ in world.visits)
    late = Counter((region, month) for region, month, was_late in world.visits if was_late)
    assert {(v["region_code"], v["month"]): (v["visits"], v["announced_late"]) for v in seen["visits"]} == {
        key: (count, late[key]) for key, count in visits.items()
    }

    assert {row["key"]: row["score"] for row in seen["risk"]} == expected_risk(world)
    assert [row["score"] for row in seen["risk"]] == sorted((row["score"] for row in seen["risk"]), reverse=True)


async def test_the_iati_export_validates_against_the_schema(reporting: RunningSystem) -> None:
    world = build_world(seed=7, msp_count=12)
    signed = [msp for msp in world.msps if msp.status in ("signed", "ended", "terminated")]
    namespace, url = reporting.namespace, reporting.url("reporting")
    async with httpx.AsyncClient(timeout=30, headers=as_role("tpoa")) as client:
        before = await consumed(client, reporting)
        await publish(namespace, world.events)

        async def all_taken() -> bool:
            return await consumed(client, reporting) >= before + len(world.events)

        await eventually(all_taken, timeout=60, description="every event consumed")
        response = await client.get(f"{url}/iati/activities.xml", params={"as_of": AS_OF.isoformat()})
    assert response.headers["content-type"].startswith("application/xml")
    schema = etree.XMLSchema(etree.parse(str(DATA / "iati" / "iati-activities-schema.xsd")))
    parsed = etree.fromstring(response.content)
    schema.assertValid(parsed)

    by_identifier = {activity.findtext("iati-identifier"): activity for activity in parsed.findall("iati-activity")}
    for msp in signed:
        activity = by_identifier[f"ID-MITRA-{msp.ministry}-{msp.id}"]
        roles = {org.get("role"): org.findtext("narrative") for org in activity.findall("participating-org")}
        assert roles == {"2": MINISTRIES[msp.ministry], "4": msp.organization_name}
        assert {loc.findtext("name/narrative") for loc in activity.findall("location")} == {r[2] for r in msp.regions}
        assert activity.find("recipient-country").get("code") == "ID"
        # Only the documents an office marked public are linked (tests/integration/test_reporting_documents.py), not
        # the signed MSP's `signed_document_ref`.
        assert activity.findall("document-link") == []
        expected_status = {"terminated": "5", "ended": "4"}.get(msp.status) or (
            "4" if msp.ends_on < AS_OF else "1" if msp.starts_on > AS_OF else "2"
        )
        assert activity.find("activity-status").get("code") == expected_status


async def test_the_annual_summary_of_a_ministry(reporting: RunningSystem) -> None:
    # A ministry of its own, so that the other tests' events in this reporting do not count here.
    world = build_world(seed=11, msp_count=15, ministry_prefix="ANNUAL-")
    namespace, url = reporting.namespace, reporting.url("reporting")
    async with httpx.AsyncClient(timeout=60, headers=as_role("tpoa")) as client:
        before = await consumed(client, reporting)
        await publish(namespace, world.events)

        async def all_taken() -> bool:
            return await consumed(client, reporting) >= before + len(world.events)

        await eventually(all_taken, timeout=60, description="every event consumed")
        params = {"year": "2027", "ministry": "ANNUAL-KEMENSOS", "as_of": AS_OF.isoformat()}
        as_xlsx = await client.get(f"{url}/annual-summary", params=params)
        as_pdf = await client.get(f"{url}/annual-summary", params={**params, "format": "pdf"})
        missing = await client.get(f"{url}/annual-summary", params={**params, "ministry": "NOPE"})
    assert as_xlsx.status_code == 200, as_xlsx.text
    workbook = load_workbook(io.BytesIO(as_xlsx.content))
    assert workbook.sheetnames == [
        "Ringkasan",
        "MSP",
        "Kepatuhan",
        "Provinsi",
        "Pendanaan provinsi",
        "Pendanaan sumber",
    ]
    summary = {row[0]: row[1] for row in workbook["Ringkasan"].iter_rows(min_row=4, values_only=True) if row[0]}
    year = (date(2027, 1, 1), date(2027, 12, 31))
    mine = [m for m in world.msps if m.ministry == "ANNUAL-KEMENSOS"]
    in_year = [m for m in mine if m.starts_on <= year[1] and m.ends_on >= year[0]]
    assert summary["MSP berlaku / MSPs in force"] == sum(in_force(m) for m in in_year)
    assert {row[0] for row in workbook["MSP"].iter_rows(min_row=2, values_only=True)} == {
        m.number if m.status in ("signed", "ended", "terminated") else "-" for m in in_year
    }
    obligations = [
        o for o in counted_obligations(world) if o.msp.ministry == "ANNUAL-KEMENSOS" and year[0] <= o.due_on <= year[1]
    ]
    due = [o for o in obligations if o.due_on < AS_OF]
    assert summary["Kewajiban jatuh tempo / Obligations due"] == len(due)
    assert summary["Lewat tenggat / Overdue"] == sum(o.submitted_on is None for o in due)
    assert len(workbook["Ringkasan"]._images) == 1  # the compliance chart
    assert len(workbook["Provinsi"]._images) == 1
    assert as_pdf.headers["content-type"] == "application/pdf"
    assert as_pdf.content.startswith(b"%PDF")
    assert as_pdf.content.count(b"/Type /Page") - as_pdf.content.count(b"/Type /Pages") >= 4
    assert missing.status_code == 404
