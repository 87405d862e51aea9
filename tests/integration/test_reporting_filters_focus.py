"""The focus-area filter on every dashboard and export of reporting, and CSV for Excel in Indonesian settings.

Two NGOs side by side: E works in education (the NGO and its MSP both name `education`), H in health. Each has an
MSP in force, an overdue obligation and a visit. A dashboard asked for `focus_area=education` shows E only, for
`health` H only, for an area nobody works in nothing, and without the filter both. MSP-based figures match the MSP's
own focus areas, NGO-based ones (summary, list of NGOs) the NGO's: NGO W names `water` while its MSP names
`education`, so W counts under `water` among NGOs and under `education` among MSPs.

CSV: `delimiter=semicolon` separates cells with `;` and starts with a UTF-8 byte-order mark; by default commas.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from support.app import api_client
from support.clock import FakeClock
from support.database import create_migrated_database, drop_database
from support.tokens import as_role

from mitra_reporting.bootstrap import build_spec
from mitra_reporting.consumers.projections import HANDLERS
from mitra_reporting.settings import ReportingSettings
from mitra_shared import db
from mitra_shared.context import Context
from mitra_shared.contracts import agreements as ag
from mitra_shared.contracts import registry as rg
from mitra_shared.documents import DOCUMENTS_MIGRATIONS
from mitra_shared.events import EventKind, ReceivedEvent
from mitra_shared.uow import UnitOfWork

pytestmark = pytest.mark.integration

AS_OF = date(2027, 6, 15)
SIDES = ("E", "H", "W")
NGO = {side: uuid.uuid4() for side in SIDES}
MSP = {side: uuid.uuid4() for side in SIDES}
COUNTRY = {"E": "GB", "H": "FR", "W": "NL"}
MINISTRY = {"E": "KEMENDIKBUD", "H": "KEMENKES", "W": "KEMENPUPR"}
PROVINCE = {"E": "33", "H": "51", "W": "61"}
REGENCY = {"E": "3374", "H": "5171", "W": "6171"}
NGO_AREAS = {"E": ["education"], "H": ["health"], "W": ["water"]}
MSP_AREAS = {"E": ["education"], "H": ["health", "nutrition"], "W": ["education"]}


def received(kind: EventKind, data: dict[str, Any]) -> ReceivedEvent:
    return ReceivedEvent(
        id=uuid.uuid4(),
        source=kind.source,
        type=kind.type,
        subject=str(uuid.uuid4()),
        time=datetime(2027, 1, 1, tzinfo=UTC),
        data=data,
    )


def world(side: str) -> list[tuple[EventKind, dict[str, Any]]]:
    organization = {"organization_id": str(NGO[side]), "name": f"NGO {side}"}
    ministry = {"code": MINISTRY[side], "name": f"Kementerian {side}"}
    return [
        (
            rg.OrganizationRegistered.kind,
            {
                "organization_id": str(NGO[side]),
                "legal_name": f"NGO {side}",
                "country_of_origin": COUNTRY[side],
                "focus_areas": NGO_AREAS[side],
                "status": "registered",
                "registered_at": "2026-01-01T00:00:00Z",
            },
        ),
        (
            ag.MspSigned.kind,
            {
                "msp_id": str(MSP[side]),
                "number": f"MSP-{side}",
                "title": f"Programme {side}",
                "organization": organization,
                "ministry": ministry,
                "focus_areas": MSP_AREAS[side],
                "work_locations": [
                    {"code": REGENCY[side], "kind": "regency", "name": f"Kota {side}", "province_code": PROVINCE[side]}
                ],
                "starts_on": "2027-01-01",
                "ends_on": "2028-12-31",
                "signed_on": "2026-12-20",
                "obligations": [{"obligation_id": str(uuid.uuid4()), "kind": "annual_report", "due_on": "2027-03-01"}],
            },
        ),
        (
            ag.VisitAnnounced.kind,
            {
                "visit_id": str(uuid.uuid4()),
                "msp_id": str(MSP[side]),
                "organization": organization,
                "ministry": ministry,
                "arrives_on": "2027-05-10",
                "departs_on": "2027-05-12",
                "region_codes": [REGENCY[side]],
                "late": False,
            },
        ),
    ]


async def seed(dsn: str) -> None:
    pool = await db.create_pool(dsn, min_size=1, max_size=2)
    try:
        uow = UnitOfWork(pool)
        for side in SIDES:
            for kind, data in world(side):
                known = HANDLERS[kind]
                async with uow.change(Context.for_system("reporting.consumer", datetime.now(UTC))) as tx:
                    await known.apply(tx, received(kind, data), known.model.model_validate(data))
    finally:
        await pool.close()


def spec() -> Any:
    return build_spec(ReportingSettings(environment="test"))


@pytest.fixture(scope="module")
def seeded() -> Iterator[str]:
    dsn = asyncio.run(
        create_migrated_database([DOCUMENTS_MIGRATIONS, db.MigrationSource("reporting", "mitra_reporting")])
    )
    try:
        asyncio.run(seed(dsn))
        yield dsn
    finally:
        asyncio.run(drop_database(dsn))


@pytest.fixture
async def client(seeded: str) -> AsyncIterator[httpx.AsyncClient]:
    pool = await db.create_pool(seeded, min_size=1, max_size=4)
    try:
        async with api_client(spec(), pool, clock=FakeClock(AS_OF), headers={}) as app_client:
            yield app_client
    finally:
        await pool.close()


def by(values: set[str], by_side: dict[str, str]) -> set[str]:
    return {side for side, value in by_side.items() if value in values}


def ids(values: dict[str, uuid.UUID]) -> dict[str, str]:
    return {side: str(value) for side, value in values.items()}


# Every dashboard and export that takes the filters: which sides its answer shows, and whether it counts the NGO's
# focus areas ("ngo") or the MSP's ("msp").
SEEN: dict[str, tuple[str, Callable[[httpx.Response], set[str]]]] = {
    "/summary": ("ngo", lambda r: by({c["key"] for c in r.json()["organizations"]["by_country"]}, COUNTRY)),
    "/organizations": ("ngo", lambda r: by({i["organization_id"] for i in r.json()["items"]}, ids(NGO))),
    "/dashboard/msps": ("msp", lambda r: by({m["ministry_code"] for m in r.json()["by_ministry"]}, MINISTRY)),
    "/msps": ("msp", lambda r: by({i["msp_id"] for i in r.json()["items"]}, ids(MSP))),
    "/dashboard/regions": ("msp", lambda r: by({p["province_code"] for p in r.json()}, PROVINCE)),
    "/dashboard/visits": ("msp", lambda r: by({v["region_code"] for v in r.json()}, REGENCY)),
    "/compliance": ("msp", lambda r: by({c["key"] for c in r.json()["by_organization"]}, ids(NGO))),
    "/compliance/overdue": ("msp", lambda r: by({o["organization_id"] for o in r.json()}, ids(NGO))),
    "/risk": ("msp", lambda r: by({x["key"] for x in r.json()}, ids(MSP))),
    "/iati/activities.xml": ("msp", lambda r: {s for s, m in MSP.items() if str(m).encode() in r.content}),
}
EXPECTED = {
    ("ngo", "education"): {"E"},
    ("ngo", "health"): {"H"},
    ("ngo", "water"): {"W"},
    ("msp", "education"): {"E", "W"},
    ("msp", "health"): {"H"},
    ("msp", "nutrition"): {"H"},
    ("msp", "water"): set(),
}
TPOA = as_role("tpoa", subject="tpoa-focus")


@pytest.mark.parametrize("path", list(SEEN))
@pytest.mark.parametrize("area", ["education", "health", "nutrition", "water", "mining", None])
async def test_every_dashboard_filters_by_focus_area(client: httpx.AsyncClient, path: str, area: str | None) -> None:
    basis, seen = SEEN[path]
    params = {"focus_area": area} if area else {}
    response = await client.get(path, params=params, headers=TPOA)
    assert response.status_code == 200, response.text
    expected = set(SIDES) if area is None else EXPECTED.get((basis, area), set())
    assert seen(response) == expected


@pytest.mark.parametrize("path", list(SEEN))
async def test_the_focus_area_narrows_the_other_filters(client: httpx.AsyncClient, path: str) -> None:
    basis, seen = SEEN[path]
    response = await client.get(path, params={"focus_area": "education", "ministry": MINISTRY["W"]}, headers=TPOA)
    assert response.status_code == 200, response.text
    assert seen(response) == ({"W"} if basis == "msp" else set())


# The CSV exports and how to read their first column's titles.
CSV_ROUTES = ["/organizations", "/msps", "/compliance/overdue", "/audit"]


@pytest.mark.parametrize("path", CSV_ROUTES)
@pytest.mark.parametrize("area", ["education", None])
async def test_csv_with_semicolons_and_a_byte_order_mark_on_request(
    client: httpx.AsyncClient, path: str, area: str | None
) -> None:
    params = {"format": "csv", **({"focus_area": area} if area else {})}
    comma = await client.get(path, params=params, headers=TPOA)
    semicolon = await client.get(path, params={**params, "delimiter": "semicolon"}, headers=TPOA)
    assert comma.status_code == semicolon.status_code == 200, (comma.text, semicolon.text)
    assert semicolon.headers["content-type"].startswith("text/csv")
    assert semicolon.content.startswith(b"\xef\xbb\xbf")
    comma_lines = comma.content.decode("utf-8-sig").splitlines()
    semicolon_lines = semicolon.content.decode("utf-8-sig").splitlines()
    assert len(comma_lines) == len(semicolon_lines)
    header = semicolon_lines[0]
    assert header.count(";") >= 1
    assert header.count(",") == 0
    assert header.split(";") == comma_lines[0].split(",")


async def test_a_semicolon_file_holds_the_rows_the_filter_chose(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/msps", params={"format": "csv", "delimiter": "semicolon", "focus_area": "health"}, headers=TPOA
    )
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2
    assert str(MSP["H"]) in lines[1].split(";")


async def test_an_unknown_delimiter_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.get("/msps", params={"format": "csv", "delimiter": "tab"}, headers=TPOA)
    assert response.status_code == 422


async def test_the_document_names_the_filter_and_the_delimiter_on_every_route(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    for path, item in document["paths"].items():
        get = item.get("get")
        if not get:
            continue
        names = {p["name"] for p in get.get("parameters", [])}
        if "ministry" in names and "region" in names:
            assert "focus_area" in names, path
        if "text/csv" in str(get.get("responses", {}).get("200", {}).get("content", {})):
            assert "delimiter" in names, path
            (delimiter,) = [p for p in get["parameters"] if p["name"] == "delimiter"]
            assert "semicolon" in delimiter["description"], path
