"""Funding on reporting against the real PostgreSQL, fed through reporting's consumers (the event log included).

The world: MSP X of KEMENSOS (NGO A; Jawa Tengah province-wide (33) and Kota Semarang (3374); education and health)
and MSP Y of KEMENKES (NGO B; Kota Semarang (3374) and Kota Denpasar (5171); health).
- X's 2027-S1 report: attempt 1 (250M IDR from "Plan International UK") returned; attempt 2 (250M IDR from
  "plan international uk." and 10,000 USD from "Gates Foundation") accepted on 2027-08-10, its acceptance
  delivered BEFORE its submission.
- Y's 2027-S1 report (40M IDR, "Yayasan Lain") accepted on 2027-08-01, then Y's 2027 annual report (60M + 40M IDR
  from "Plan International UK") accepted on 2028-03-15: from then on the annual report is the year's money and the
  semester's line is no longer counted.
- Y's 2028-S1 report submitted, not decided: not counted.
- X's 2026 annual report was received outside Mitra (imported history) on 2026-03-20, before its due date.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
import httpx
import pytest
from lxml import etree
from openpyxl import load_workbook
from support.app import api_client, asgi_client, prepared_app
from support.clock import FakeClock
from support.database import emptied_pool, module_database
from support.paths import DATA
from support.tokens import as_role

from mitra_reporting.bootstrap import build_spec
from mitra_reporting.consumers.projections import HANDLERS, PROJECTION_TABLES
from mitra_reporting.settings import ReportingSettings
from mitra_reporting.usecases.rebuild import rebuild
from mitra_shared import db
from mitra_shared.context import Context
from mitra_shared.contracts import agreements as ag
from mitra_shared.contracts import registry as rg
from mitra_shared.documents import DOCUMENTS_MIGRATIONS
from mitra_shared.events import EventKind, ReceivedEvent
from mitra_shared.uow import UnitOfWork

pytestmark = pytest.mark.integration

AS_OF = date(2028, 6, 30)
M = 1_000_000
SECRET_USE = f"Pelatihan internal {uuid.uuid4().hex[:8]}"


class World:
    def __init__(self) -> None:
        self.ngo = {"A": uuid.uuid4(), "B": uuid.uuid4()}
        self.msp = {"X": uuid.uuid4(), "Y": uuid.uuid4()}
        self.obligation = {name: uuid.uuid4() for name in ("X-S1", "Y-S1", "Y-2027", "Y-2028-S1", "X-2026")}
        self.submission = {name: uuid.uuid4() for name in ("X1", "X2", "Y-S1", "Y-2027", "Y-2028")}

    def events(self) -> list[tuple[EventKind, dict[str, Any]]]:
        return [
            self.organization("A"),
            self.organization("B"),
            self.signed(
                "X",
                "A",
                "KEMENSOS",
                [("33", "province", "Jawa Tengah"), ("3374", "regency", "Kota Semarang")],
                ["education", "health"],
            ),
            self.signed(
                "Y",
                "B",
                "KEMENKES",
                [("3374", "regency", "Kota Semarang"), ("5171", "regency", "Denpasar")],
                ["health"],
            ),
            self.submitted("X1", "X", "X-S1", "2027-S1", [("Plan International UK", 250 * M, "IDR", "Pelatihan")]),
            self.decided("X1", "X", "X-S1", "2027-S1", returned=True, at="2027-07-20"),
            self.decided("X2", "X", "X-S1", "2027-S1", at="2027-08-10"),  # before its submission
            self.submitted(
                "X2",
                "X",
                "X-S1",
                "2027-S1",
                [("plan international uk.", 250 * M, "IDR", SECRET_USE), ("Gates Foundation", 10_000, "usd", "Gizi")],
                attempt=2,
            ),
            self.submitted("Y-S1", "Y", "Y-S1", "2027-S1", [("Yayasan Lain", 40 * M, "IDR", "Air bersih")]),
            self.decided("Y-S1", "Y", "Y-S1", "2027-S1", at="2027-08-01"),
            self.submitted(
                "Y-2027",
                "Y",
                "Y-2027",
                "2027",
                [("Plan International UK", 60 * M, "IDR", "Klinik"), ("Plan International UK", 40 * M, "IDR", "Obat")],
                kind="annual_report",
            ),
            self.decided("Y-2027", "Y", "Y-2027", "2027", at="2028-03-15", kind="annual_report"),
            self.submitted("Y-2028", "Y", "Y-2028-S1", "2028-S1", [("Donor Baru", 999 * M, "IDR", "Belum")]),
        ]

    def organization(self, side: str) -> tuple[EventKind, dict[str, Any]]:
        return (
            rg.OrganizationRegistered.kind,
            {
                "organization_id": str(self.ngo[side]),
                "legal_name": f"NGO {side}",
                "country_of_origin": "GB",
                "focus_areas": ["health"],
                "status": "registered",
                "registered_at": "2026-01-01T00:00:00Z",
            },
        )

    def signed(
        self, msp: str, side: str, ministry: str, regions: list[tuple[str, str, str]], areas: list[str]
    ) -> tuple[EventKind, dict[str, Any]]:
        obligations = [
            {"obligation_id": str(self.obligation[key]), "kind": kind, "period": period, "due_on": due}
            for key, kind, period, due in (
                ("X-S1", "semester_report", "2027-S1", "2027-07-31"),
                ("Y-S1", "semester_report", "2027-S1", "2027-07-31"),
                ("Y-2027", "annual_report", "2027", "2028-03-31"),
                ("Y-2028-S1", "semester_report", "2028-S1", "2028-07-31"),
            )
            if key.startswith(msp)
        ]
        if msp == "X":
            obligations.append(
                {
                    "obligation_id": str(self.obligation["X-2026"]),
                    "kind": "annual_report",
                    "period": "2026",
                    "due_on": "2026-03-31",
                    "received_outside_mitra_on": "2026-03-20",
                }
            )
        return (
            ag.MspSigned.kind,
            {
                "msp_id": str(self.msp[msp]),
                "number": f"MSP-{msp}",
                "title": f"Programme {msp}",
                "organization": {"organization_id": str(self.ngo[side]), "name": f"NGO {side}"},
                "ministry": {"code": ministry, "name": f"Kementerian {ministry}"},
                "focus_areas": areas,
                "work_locations": [
                    {"code": code, "kind": kind, "name": name, "province_code": code[:2]}
                    for code, kind, name in regions
                ],
                "starts_on": "2025-01-01",
                "ends_on": "2029-12-31",
                "signed_on": "2024-12-20",
                "obligations": obligations,
            },
        )

    def _facts(self, submission: str, msp: str, obligation: str, period: str, kind: str) -> dict[str, Any]:
        side = "A" if msp == "X" else "B"
        return {
            "obligation_id": str(self.obligation[obligation]),
            "obligation_kind": kind,
            "msp_id": str(self.msp[msp]),
            "organization_id": str(self.ngo[side]),
            "organization_name": f"NGO {side}",
            "ministry_code": "KEMENSOS" if msp == "X" else "KEMENKES",
            "period": period,
            "due_on": "2027-07-31",
            "submission_id": str(self.submission[submission]),
        }

    def submitted(
        self,
        submission: str,
        msp: str,
        obligation: str,
        period: str,
        lines: list[tuple[str, int, str, str]],
        *,
        attempt: int = 1,
        kind: str = "semester_report",
    ) -> tuple[EventKind, dict[str, Any]]:
        return (
            ag.ReportSubmitted.kind,
            {
                **self._facts(submission, msp, obligation, period, kind),
                "attempt": attempt,
                "summary": "Laporan",
                "funding": [{"source": s, "amount": a, "currency": c, "use": u} for s, a, c, u in lines],
                "late": False,
                "submitted_by": "ngo",
                "submitted_at": "2027-07-15T03:00:00Z",
            },
        )

    def decided(
        self,
        submission: str,
        msp: str,
        obligation: str,
        period: str,
        *,
        at: str,
        returned: bool = False,
        kind: str = "semester_report",
    ) -> tuple[EventKind, dict[str, Any]]:
        return (
            ag.ReportReturned.kind if returned else ag.ReportAccepted.kind,
            {
                **self._facts(submission, msp, obligation, period, kind),
                "attempt": 1,
                "decided_by": "ministry",
                "decided_at": f"{at}T03:00:00Z",
            },
        )


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    with module_database([DOCUMENTS_MIGRATIONS, db.MigrationSource("reporting", "mitra_reporting")]) as dsn:
        yield dsn


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    async with emptied_pool(database, f"TRUNCATE event_log, {', '.join(PROJECTION_TABLES)}") as pool:
        yield pool


async def feed(pool: asyncpg.Pool, events: list[tuple[EventKind, dict[str, Any]]]) -> None:
    """Deliver the events to reporting's projections, in this order."""
    uow = UnitOfWork(pool, service="reporting")
    for kind, data in events:
        event = ReceivedEvent(
            id=uuid.uuid4(),
            source=kind.source,
            type=kind.type,
            subject=str(uuid.uuid4()),
            time=datetime(2028, 1, 1, tzinfo=UTC),
            data=data,
        )
        known = HANDLERS[kind]
        async with uow.change(Context.for_system("reporting.consumer", datetime.now(UTC))) as tx:
            await known.apply(tx, event, known.model.model_validate(event.data))


@pytest.fixture
async def world(pool: asyncpg.Pool) -> World:
    made = World()
    await feed(pool, made.events())
    return made


def spec() -> Any:
    return build_spec(ReportingSettings(environment="test"))


@pytest.fixture
async def tpoa(pool: asyncpg.Pool) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(spec(), pool, FakeClock(AS_OF), headers=as_role("tpoa")) as client:
        yield client


async def dashboard(client: httpx.AsyncClient, by: str, **params: str) -> dict[str, Any]:
    answer = await client.get("/dashboard/funding", params={"by": by, "as_of": AS_OF.isoformat(), **params})
    assert answer.status_code == 200, answer.text
    return answer.json()


def amounts(body: dict[str, Any]) -> dict[tuple[str, str], float]:
    return {(row["key"], row["currency"]): row["amount"] for row in body["rows"]}


def totals(body: dict[str, Any]) -> dict[str, tuple[float, int, int]]:
    return {t["currency"]: (t["amount"], t["reports"], t["msps"]) for t in body["totals"]}


async def test_the_accepted_lines_are_summed_per_group_and_currency(tpoa: httpx.AsyncClient, world: World) -> None:
    by_province = await dashboard(tpoa, "province")
    # X works in province 33 only (province-wide and Semarang): all of it there; Y's 100M is split over 33 and 51.
    assert amounts(by_province) == {("33", "IDR"): 300 * M, ("51", "IDR"): 50 * M, ("33", "USD"): 10_000}
    assert [row["key"] for row in by_province["rows"]] == ["33", "51", "33"]  # largest amount first
    assert by_province["rows"][0] | {"amount": 0} == {
        "key": "33",
        "label": "Jawa Tengah",
        "currency": "IDR",
        "amount": 0,
        "reports": 2,
        "msps": 2,
    }
    # The national total counts each line once: the returned attempt, the superseded semester and the undecided
    # 2028 report are not in it.
    assert totals(by_province) == {"IDR": (350 * M, 2, 2), "USD": (10_000, 1, 1)}

    by_regency = await dashboard(tpoa, "regency")
    # X's province-wide location keeps its share as the province, and says so.
    assert {r["key"]: r["label"] for r in by_regency["rows"]}["33"] == "Jawa Tengah (seluruh provinsi / province-wide)"
    assert amounts(by_regency) == {
        ("3374", "IDR"): 175 * M,
        ("33", "IDR"): 125 * M,
        ("5171", "IDR"): 50 * M,
        ("3374", "USD"): 5_000,
        ("33", "USD"): 5_000,
    }
    assert amounts(await dashboard(tpoa, "year")) == {("2027", "IDR"): 350 * M, ("2027", "USD"): 10_000}
    assert amounts(await dashboard(tpoa, "focus_area")) == {
        ("health", "IDR"): 225 * M,
        ("education", "IDR"): 125 * M,
        ("health", "USD"): 5_000,
        ("education", "USD"): 5_000,
    }
    assert amounts(await dashboard(tpoa, "ministry")) == {
        ("KEMENSOS", "IDR"): 250 * M,
        ("KEMENKES", "IDR"): 100 * M,
        ("KEMENSOS", "USD"): 10_000,
    }
    by_source = await dashboard(tpoa, "source")
    assert {(r["key"], r["label"], r["currency"], r["amount"]) for r in by_source["rows"]} == {
        ("plan international uk", "Plan International UK", "IDR", 350 * M),
        ("gates foundation", "Gates Foundation", "USD", 10_000),
    }


async def test_filters_reach_and_the_day_counted(tpoa: httpx.AsyncClient, pool: asyncpg.Pool, world: World) -> None:
    assert totals(await dashboard(tpoa, "province", region="51")) == {"IDR": (50 * M, 1, 1)}
    assert totals(await dashboard(tpoa, "province", ministry="KEMENSOS")) == {
        "IDR": (250 * M, 1, 1),
        "USD": (10_000, 1, 1),
    }
    # X works in education and health: half of its money is education's, whatever the grouping.
    education = {"IDR": (125 * M, 1, 1), "USD": (5_000, 1, 1)}
    for by in ("province", "focus_area", "source", "regency"):
        assert totals(await dashboard(tpoa, by, focus_area="education")) == education, by
    assert amounts(await dashboard(tpoa, "focus_area", focus_area="education")) == {
        ("education", "IDR"): 125 * M,
        ("education", "USD"): 5_000,
    }
    assert totals(await dashboard(tpoa, "year", **{"from": "2028-01-01"})) == {}
    # Before Y's annual report was accepted, its semester line counted, and X's report not yet accepted did not.
    assert totals(await dashboard(tpoa, "province", as_of="2027-08-05")) == {"IDR": (40 * M, 1, 1)}
    async with api_client(spec(), pool, FakeClock(AS_OF), headers=as_role("ministry", ministry_code="KEMENKES")) as c:
        assert amounts(await dashboard(c, "province")) == {("33", "IDR"): 50 * M, ("51", "IDR"): 50 * M}
    async with api_client(spec(), pool, FakeClock(AS_OF), headers=as_role("region", region_code="51")) as c:
        assert totals(await dashboard(c, "province")) == {"IDR": (50 * M, 1, 1)}
    bad = await tpoa.get("/dashboard/funding", params={"by": "planet"})
    assert bad.status_code == 422


async def test_files_exports_and_the_annual_summary(tpoa: httpx.AsyncClient, world: World) -> None:
    as_xlsx = await tpoa.get("/dashboard/funding", params={"by": "province", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[0][:4] == ("33", "Jawa Tengah", "IDR", 300 * M)
    # Summing the amount column of the rows gives the totals: the totals are on their own sheet.
    assert sum(row[3] for row in rows if row[2] == "IDR") == 350 * M
    total_rows = list(load_workbook(io.BytesIO(as_xlsx.content))["Jumlah - Total"].iter_rows(values_only=True))
    assert ("Jumlah seluruhnya / Total", "Jumlah seluruhnya / Total", "IDR", 350 * M, 2, 2) in total_rows
    as_csv = await tpoa.get("/dashboard/funding", params={"by": "source", "format": "csv", "delimiter": "semicolon"})
    lines = as_csv.content.decode("utf-8-sig").splitlines()
    # Excel in Indonesian settings: a decimal comma, no grouping; the totals after a blank row, labelled.
    assert lines[1] == "plan international uk;Plan International UK;IDR;350000000,00;2;2"
    assert lines[3:] == [
        ";;;;;",
        "Jumlah seluruhnya / Total;Jumlah seluruhnya / Total;IDR;350000000,00;2;2",
        "Jumlah seluruhnya / Total;Jumlah seluruhnya / Total;USD;10000,00;1;1",
    ]

    msps = await tpoa.get("/msps", params={"as_of": AS_OF.isoformat(), "format": "xlsx"})
    table = list(load_workbook(io.BytesIO(msps.content)).active.iter_rows(values_only=True))
    header = list(table[0])
    by_number = {row[0]: dict(zip(header, row, strict=True)) for row in table[1:]}
    assert by_number["MSP-X"]["Pendanaan IDR / Funding IDR"] == 250 * M
    assert by_number["MSP-X"]["Pendanaan mata uang lain / Funding in other currencies"] == "USD 10,000.00"
    assert by_number["MSP-Y"]["Pendanaan IDR / Funding IDR"] == 100 * M
    listed = (await tpoa.get("/msps", params={"as_of": AS_OF.isoformat()})).json()["items"]
    assert {i["number"]: i["funding"] for i in listed}["MSP-X"] == [
        {"currency": "IDR", "amount": 250 * M},
        {"currency": "USD", "amount": 10_000},
    ]

    params = {"year": "2027", "ministry": "KEMENKES", "as_of": AS_OF.isoformat()}
    figures = (await tpoa.get("/annual-summary", params={**params, "format": "json"})).json()
    assert [(r["key"], r["amount"]) for r in figures["funding_by_province"]] == [("33", 50 * M), ("51", 50 * M)]
    assert [(r["label"], r["amount"]) for r in figures["funding_by_source"]] == [("Plan International UK", 100 * M)]
    assert ["Pendanaan diterima / Funding received (IDR)", 100 * M] in figures["key_figures"]
    workbook = load_workbook(io.BytesIO((await tpoa.get("/annual-summary", params=params)).content))
    assert [r[:4] for r in workbook["Pendanaan sumber"].iter_rows(min_row=2, values_only=True)] == [
        ("plan international uk", "Plan International UK", "IDR", 100 * M),
        (None, None, None, None),
        (f"Pendanaan per tanggal / as of {AS_OF.isoformat()}", None, None, None),
    ]
    as_pdf = await tpoa.get("/annual-summary", params={**params, "format": "pdf"})
    assert as_pdf.content.startswith(b"%PDF")
    # Made on AS_OF (2028-06-30) without `as_of`: the MSPs as of the year's end, the funding as of today, so that
    # the annual report accepted in March 2028 is in it.
    today = (
        await tpoa.get("/annual-summary", params={"year": "2027", "ministry": "KEMENKES", "format": "json"})
    ).json()
    assert (today["as_of"], today["funding_as_of"]) == ("2027-12-31", AS_OF.isoformat())
    assert [(r["label"], r["amount"]) for r in today["funding_by_source"]] == [("Plan International UK", 100 * M)]


def parsed_iati(body: bytes) -> etree._Element:
    schema = etree.XMLSchema(etree.parse(str(DATA / "iati" / "iati-activities-schema.xsd")))
    root = etree.fromstring(body)
    schema.assertValid(root)
    return root


def activity(root: etree._Element, msp_id: uuid.UUID) -> etree._Element:
    [found] = [a for a in root.findall("iati-activity") if a.findtext("iati-identifier", "").endswith(str(msp_id))]
    return found


async def test_iati_budgets_and_transactions_and_the_public_file(
    tpoa: httpx.AsyncClient, pool: asyncpg.Pool, world: World
) -> None:
    answer = await tpoa.get("/iati/activities.xml", params={"as_of": AS_OF.isoformat()})
    x = activity(parsed_iati(answer.content), world.msp["X"])
    transactions = [
        (
            t.find("transaction-type").get("code"),
            t.find("transaction-date").get("iso-date"),
            t.find("value").get("currency"),
            t.find("value").get("value-date"),
            t.findtext("value"),
            t.findtext("provider-org/narrative"),
            t.findtext("description/narrative"),
        )
        for t in x.findall("transaction")
    ]
    assert transactions == [
        ("1", "2027-06-30", "IDR", "2027-06-30", "250000000.00", "plan international uk.", SECRET_USE),
        ("1", "2027-06-30", "USD", "2027-06-30", "10000.00", "Gates Foundation", "Gizi"),
    ]
    budgets = [
        (
            b.get("type"),
            b.get("status"),
            b.find("period-start").get("iso-date"),
            b.find("value").get("currency"),
            b.findtext("value"),
        )
        for b in x.findall("budget")
    ]
    assert budgets == [("1", "2", "2027-01-01", "IDR", "250000000.00"), ("1", "2", "2027-01-01", "USD", "10000.00")]
    y = activity(parsed_iati(answer.content), world.msp["Y"])
    assert [t.findtext("value") for t in y.findall("transaction")] == ["60000000.00", "40000000.00"]

    async with asgi_client(prepared_app(spec(), pool, FakeClock(AS_OF)), base_url="http://reporting") as anyone:
        public = await anyone.get("/public/iati/activities.xml")
        assert public.status_code == 200, public.text
        assert public.headers["Cache-Control"] == "public, max-age=300"
        again = await anyone.get("/public/iati/activities.xml", headers={"If-None-Match": public.headers["ETag"]})
        assert again.status_code == 304
        await pool.execute(
            "UPDATE organizations SET ever_registered = false WHERE organization_id = $1", world.ngo["B"]
        )
        changed = await anyone.get("/public/iati/activities.xml", headers={"If-None-Match": public.headers["ETag"]})
    assert changed.status_code == 200
    root = parsed_iati(public.content)
    public_x = activity(root, world.msp["X"])
    # The source may be a private person: not in the public file; the NGO received it.
    assert [t.find("provider-org") for t in public_x.findall("transaction")] == [None, None]
    assert {t.find("receiver-org").get("ref") for t in public_x.findall("transaction")} == {
        f"ID-MITRA-NGO-{world.ngo['A']}"
    }
    assert SECRET_USE not in public.text
    assert "Gizi" not in public.text
    assert len(parsed_iati(changed.content).findall("iati-activity")) == 1  # B is no longer in the register


async def test_received_outside_mitra_counts_as_received(tpoa: httpx.AsyncClient, world: World) -> None:
    params = {"as_of": "2026-06-30", "ministry": "KEMENSOS"}
    [line] = (await tpoa.get("/compliance", params=params)).json()["by_ministry"]
    assert (line["due"], line["on_time"], line["late"], line["overdue"]) == (1, 1, 0, 0)
    overdue = (await tpoa.get("/compliance/overdue", params=params)).json()
    assert overdue == []


async def rows_of(pool: asyncpg.Pool, table: str) -> list[str]:
    return sorted(map(repr, await pool.fetch(f"SELECT * FROM {table}")))  # noqa: S608 - fixed names


async def test_a_rebuild_reproduces_the_funding(tpoa: httpx.AsyncClient, pool: asyncpg.Pool, world: World) -> None:
    before = {by: await dashboard(tpoa, by) for by in ("province", "source", "year")}
    tables = {t: await rows_of(pool, t) for t in ("funding_reports", "funding_lines")}
    await rebuild(UnitOfWork(pool, service="reporting"), Context.for_system("reporting.rebuild", datetime.now(UTC)))
    assert {by: await dashboard(tpoa, by) for by in before} == before
    assert {t: await rows_of(pool, t) for t in tables} == tables


def msp_basis_events(world: World) -> list[tuple[EventKind, dict[str, Any]]]:
    """MSP Z of KEMENAG on the MSP basis, from 2026-07-01 (S1 to 2026-12-31, S2 to 2027-06-30, Y1 the two, S3 from
    2027-07-01): S2 (30M) and Y1 (100M) accepted, so Y1 replaces S2, which lies within it; S3 (7M) accepted, after
    Y1's period, counts on its own."""
    z, ngo = uuid.uuid4(), world.ngo["A"]
    reports = {label: (uuid.uuid4(), uuid.uuid4()) for label in ("S2", "Y1", "S3")}
    signed = (
        ag.MspSigned.kind,
        {
            "msp_id": str(z),
            "number": "MSP-Z",
            "title": "Programme Z",
            "organization": {"organization_id": str(ngo), "name": "NGO A"},
            "ministry": {"code": "KEMENAG", "name": "Kementerian Agama"},
            "focus_areas": ["education"],
            "work_locations": [{"code": "51", "kind": "province", "name": "Bali", "province_code": "51"}],
            "starts_on": "2026-07-01",
            "ends_on": "2028-06-30",
            "signed_on": "2026-06-20",
            "obligations": [],
        },
    )
    events: list[tuple[EventKind, dict[str, Any]]] = [signed]
    for label, amount, kind, accepted in (
        ("S2", 30, "semester_report", "2027-07-20"),
        ("Y1", 100, "annual_report", "2027-09-20"),
        ("S3", 7, "semester_report", "2028-01-20"),
    ):
        obligation, submission = reports[label]
        facts = {
            "obligation_id": str(obligation),
            "obligation_kind": kind,
            "msp_id": str(z),
            "organization_id": str(ngo),
            "organization_name": "NGO A",
            "ministry_code": "KEMENAG",
            "period": label,
            "due_on": accepted,
            "submission_id": str(submission),
        }
        events.append(
            (
                ag.ReportSubmitted.kind,
                {
                    **facts,
                    "attempt": 1,
                    "summary": "Laporan",
                    "funding": [{"source": "Donor Z", "amount": amount * M, "currency": "IDR", "use": ""}],
                    "late": False,
                    "submitted_by": "ngo",
                    "submitted_at": f"{accepted[:8]}01T03:00:00Z",
                },
            )
        )
        events.append(
            (
                ag.ReportAccepted.kind,
                {**facts, "attempt": 1, "decided_by": "ministry", "decided_at": f"{accepted}T03:00:00Z"},
            )
        )
    return events


async def test_msp_basis_periods_count_from_the_msps_start_in_any_order(
    tpoa: httpx.AsyncClient, pool: asyncpg.Pool, world: World
) -> None:
    events = msp_basis_events(world)
    await feed(pool, events[::-1])  # every report before its MSP, every decision before its submission
    by_year = await dashboard(tpoa, "year", ministry="KEMENAG")
    # Y1 (from 2026-07-01) is 2026's, the year its period starts; S2 lies within it and no longer counts.
    assert [(r["key"], r["amount"]) for r in by_year["rows"]] == [("2026", 100 * M), ("2027", 7 * M)]
    assert totals(by_year) == {"IDR": (107 * M, 2, 1)}
    # Before Y1 was accepted, S2 counted (in 2027, where its period starts).
    early = await dashboard(tpoa, "year", ministry="KEMENAG", as_of="2027-08-01")
    assert [(r["key"], r["amount"]) for r in early["rows"]] == [("2027", 30 * M)]
    # The period filters read the days: S3 (2027-07-01 to 2027-12-31) only.
    late = await dashboard(tpoa, "year", ministry="KEMENAG", **{"from": "2027-07-01"})
    assert totals(late) == {"IDR": (7 * M, 1, 1)}
    await rebuild(UnitOfWork(pool, service="reporting"), Context.for_system("reporting.rebuild", datetime.now(UTC)))
    assert await dashboard(tpoa, "year", ministry="KEMENAG") == by_year


async def test_the_public_files_etag_is_known_before_it_is_built_and_stays_when_empty(pool: asyncpg.Pool) -> None:
    clock = FakeClock(datetime(2028, 6, 30, 1, 0, tzinfo=UTC))
    async with asgi_client(prepared_app(spec(), pool, clock), base_url="http://reporting") as anyone:
        first = await anyone.get("/public/iati/activities.xml")
        clock.advance(hours=5)  # the same day in Jakarta
        second = await anyone.get("/public/iati/activities.xml")
        assert (first.status_code, second.status_code) == (200, 200)
        assert second.headers["ETag"] == first.headers["ETag"]
        assert second.content == first.content
        unchanged = await anyone.get("/public/iati/activities.xml", headers={"If-None-Match": first.headers["ETag"]})
        assert (unchanged.status_code, unchanged.content) == (304, b"")
        await feed(pool, World().events())
        changed = await anyone.get("/public/iati/activities.xml", headers={"If-None-Match": first.headers["ETag"]})
        assert changed.status_code == 200
        assert changed.headers["ETag"] != first.headers["ETag"]
        clock.advance(days=1)  # a new day may move an activity's status: a new tag
        tomorrow = await anyone.get("/public/iati/activities.xml", headers={"If-None-Match": changed.headers["ETag"]})
        assert tomorrow.status_code == 200
