"""The open register on reporting (`/public/organizations`), against the real PostgreSQL: anyone reads it without a
token, as JSON or CSV, with a weak ETag (304 on `If-None-Match`) and a rate limit per client address (429 with
`Retry-After`); and no personal data the projections were fed ever appears in it.

The world, fed through reporting's consumers: NGO A (GB, active, education) with a principle permit valid to 2030,
a KEMENSOS MSP in Kota Semarang (3374, province 33) and an annual report due 2027-03-01 never submitted (overdue on
AS_OF); NGO B (FR, suspended) whose principle permit expired, a KEMENKES MSP in Kota Denpasar (5171, province 51)
and its report submitted in time; NGO C still an applicant (not in the register). Personal data rides along: the
NGOs' contact addresses, a foreign expert's name (and a passport number slipped into the event), the report's text.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from support.app import prepared_app
from support.clock import FakeClock
from support.database import emptied_pool, module_database

from mitra_reporting.bootstrap import build_spec
from mitra_reporting.consumers.projections import HANDLERS, PROJECTION_TABLES
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
AT = datetime(2027, 1, 1, tzinfo=UTC)
PERSONAL = {
    "contact A": "direktur.rahasia.a@example.org",
    "contact B": "kontak-pribadi-b@example.fr",
    "staff": "Johanna Verysecretname",
    "passport": "P9X8Y7Z6W5",
    "report": "Ringkasan laporan yang tidak publik 4711",
    "funding use": "Pelatihan rahasia 0815",
    "signatory": "Bartholomew Signatoryname",
    "funding source": "Ibu Sri Donaturpribadi Wahyuningsih",
}


class World:
    def __init__(self) -> None:
        self.ngo = {side: uuid.uuid4() for side in "ABCD"}
        self.suffix = uuid.uuid4().hex[:6]
        self.submission = uuid.uuid4()

    def name(self, side: str) -> str:
        return f"NGO {side} {self.suffix}"

    def events(self) -> list[tuple[EventKind, dict[str, Any]]]:
        return [
            *self.organization("A", "GB", "active", PERSONAL["contact A"], ["education"]),
            *self.organization("B", "FR", "suspended", PERSONAL["contact B"], ["health"]),
            *self.organization("C", "DE", "applicant", None, ["education"]),
            *self.organization("D", "NL", "applicant", None, ["education"]),
            self.closed("D"),
            self.permit("A", date(2030, 12, 31)),
            self.permit("B", date(2027, 1, 31)),
            self.msp("A", "KEMENSOS", ("3374", "Kota Semarang", "33")),
            self.msp("B", "KEMENKES", ("5171", "Kota Denpasar", "51")),
            (
                rg.ForeignStaffAssigned.kind,
                {
                    "assignment_id": str(uuid.uuid4()),
                    "organization_id": str(self.ngo["A"]),
                    "organization_name": self.name("A"),
                    "full_name": PERSONAL["staff"],
                    "passport_number": PERSONAL["passport"],  # not in the contract: an event must not leak it either
                    "nationality": "GB",
                    "role": "Adviser",
                    "starts_on": "2027-01-01",
                    "ends_on": "2028-12-31",
                    "active_assignments": 1,
                },
            ),
            (
                ag.ReportSubmitted.kind,
                {
                    "obligation_id": str(self.report("B")),
                    "obligation_kind": "annual_report",
                    "msp_id": str(self.msp_id("B")),
                    "organization_id": str(self.ngo["B"]),
                    "organization_name": self.name("B"),
                    "ministry_code": "KEMENKES",
                    "period": "2027",
                    "due_on": "2027-03-01",
                    "submission_id": str(self.submission),
                    "attempt": 1,
                    "summary": PERSONAL["report"],
                    "funding": [
                        {
                            "source": PERSONAL["funding source"],
                            "amount": 1000,
                            "currency": "IDR",
                            "use": PERSONAL["funding use"],
                        }
                    ],
                    "late": False,
                    "submitted_by": PERSONAL["contact B"],
                    "submitted_at": "2027-02-20T03:00:00Z",
                },
            ),
            (
                ag.ReportAccepted.kind,
                {
                    "obligation_id": str(self.report("B")),
                    "obligation_kind": "annual_report",
                    "msp_id": str(self.msp_id("B")),
                    "organization_id": str(self.ngo["B"]),
                    "organization_name": self.name("B"),
                    "ministry_code": "KEMENKES",
                    "period": "2027",
                    "due_on": "2027-03-01",
                    "submission_id": str(self.submission),
                    "attempt": 1,
                    "comments": PERSONAL["report"],
                    "decided_by": "kemenkes-officer",
                    "decided_at": "2027-02-25T03:00:00Z",
                },
            ),
        ]

    def organization(
        self, side: str, country: str, status: str, email: str | None, areas: list[str]
    ) -> list[tuple[EventKind, dict[str, Any]]]:
        return [
            (
                rg.OrganizationRegistered.kind,
                {
                    "organization_id": str(self.ngo[side]),
                    "legal_name": self.name(side),
                    "acronym": f"N{side}",
                    "country_of_origin": country,
                    "focus_areas": areas,
                    "status": status,
                    "contact_email": email,
                    "registered_at": "2026-01-01T00:00:00Z",
                },
            )
        ]

    def closed(self, side: str) -> tuple[EventKind, dict[str, Any]]:
        """The applicant withdrew (or was refused): closed without ever entering the register."""
        return (
            rg.OrganizationStatusChanged.kind,
            {
                "organization_id": str(self.ngo[side]),
                "legal_name": self.name(side),
                "previous_status": "applicant",
                "status": "closed",
                "version": 2,
                "changed_at": "2026-02-01T00:00:00Z",
            },
        )

    def permit(self, side: str, valid_until: date) -> tuple[EventKind, dict[str, Any]]:
        return (
            rg.PermitGranted.kind,
            {
                "permit_id": str(uuid.uuid4()),
                "organization_id": str(self.ngo[side]),
                "organization_name": self.name(side),
                "permit_type": "principle",
                "number": f"IP-{side}",
                "issued_on": "2025-01-01",
                "valid_until": valid_until.isoformat(),
                "granted_at": "2025-01-01T00:00:00Z",
            },
        )

    def msp_id(self, side: str) -> uuid.UUID:
        return uuid.uuid5(self.ngo[side], "msp")

    def report(self, side: str) -> uuid.UUID:
        return uuid.uuid5(self.ngo[side], "report")

    def msp(self, side: str, ministry: str, region: tuple[str, str, str]) -> tuple[EventKind, dict[str, Any]]:
        code, name, province = region
        return (
            ag.MspSigned.kind,
            {
                "msp_id": str(self.msp_id(side)),
                "number": f"MSP-{side}",
                "title": f"Programme {side}",
                "organization": {"organization_id": str(self.ngo[side]), "name": self.name(side)},
                "ministry": {"partner_id": str(uuid.uuid4()), "code": ministry, "name": f"Kementerian {ministry}"},
                "work_locations": [{"code": code, "kind": "regency", "name": name, "province_code": province}],
                "starts_on": "2027-01-01",
                "ends_on": "2029-12-31",
                "signed_on": "2026-12-20",
                "signatories": [
                    {"name": PERSONAL["signatory"], "title": "Country Director", "party": "organization"},
                ],
                "obligations": [
                    {"obligation_id": str(self.report(side)), "kind": "annual_report", "due_on": "2027-03-01"}
                ],
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


@pytest.fixture
async def world(pool: asyncpg.Pool) -> World:
    made = World()
    uow = UnitOfWork(pool, service="reporting")
    for kind, data in made.events():
        event = ReceivedEvent(
            id=uuid.uuid4(), source=kind.source, type=kind.type, subject=str(uuid.uuid4()), time=AT, data=data
        )
        known = HANDLERS[kind]
        async with uow.change(Context.for_system("reporting.consumer", datetime.now(UTC))) as tx:
            await known.apply(tx, event, known.model.model_validate(event.data))
    return made


def public_app(pool: asyncpg.Pool) -> FastAPI:
    return prepared_app(build_spec(ReportingSettings(environment="test")), pool, FakeClock(AS_OF))


def anonymous(app: FastAPI, host: str = "192.0.2.10") -> httpx.AsyncClient:
    """A client without a token, calling from `host`."""
    transport = httpx.ASGITransport(app=app, client=(host, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://reporting")


@pytest.fixture
async def client(pool: asyncpg.Pool) -> AsyncIterator[httpx.AsyncClient]:
    async with anonymous(public_app(pool)) as caller:
        yield caller


async def test_anyone_reads_the_register_without_a_token(client: httpx.AsyncClient, world: World) -> None:
    listed = await client.get("/public/organizations")
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert (body["total"], [i["name"] for i in body["items"]]) == (2, [world.name("A"), world.name("B")])
    a, b = body["items"]
    assert a == {
        "organization_id": str(world.ngo["A"]),
        "name": world.name("A"),
        "acronym": "NA",
        "country": "GB",
        "focus_areas": ["education"],
        "status": "active",
        "principle_permit": "valid",
        "principle_permit_valid_until": "2030-12-31",
        "partners": ["Kementerian KEMENSOS"],
        "regions": [{"code": "3374", "name": "Kota Semarang"}],
        "overdue": True,
    }
    assert (b["status"], b["principle_permit"], b["overdue"]) == ("suspended", "expired", False)
    one = await client.get(f"/public/organizations/{world.ngo['B']}")
    assert one.status_code == 200, one.text
    assert one.json() == b
    assert (await client.get(f"/public/organizations/{world.ngo['C']}")).status_code == 404  # an applicant
    # An applicant closed (withdrawn or refused) never entered the register: not listed, not found.
    assert world.name("D") not in listed.text
    assert (await client.get(f"/public/organizations/{world.ngo['D']}")).status_code == 404
    assert (await client.get("/public/organizations", params={"status": "closed"})).json()["items"] == []
    assert (await client.get(f"/public/organizations/{uuid.uuid4()}")).status_code == 404


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sort": "-name"}, "BA"),
        ({"status": "suspended"}, "B"),
        ({"country": "gb"}, "A"),
        ({"focus_area": "education"}, "A"),
        ({"province": "51"}, "B"),
        ({"limit": "1", "offset": "1"}, "B"),
    ],
)
async def test_the_register_is_filtered_and_sorted(
    client: httpx.AsyncClient, world: World, params: dict[str, str], expected: str
) -> None:
    listed = await client.get("/public/organizations", params=params)
    assert listed.status_code == 200, listed.text
    assert [i["name"] for i in listed.json()["items"]] == [world.name(side) for side in expected]


async def test_no_personal_data_appears_in_any_public_answer(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    logged = "".join(row["data"] for row in await pool.fetch("SELECT data::text AS data FROM event_log"))
    assert all(value in logged for value in PERSONAL.values())  # the projections were fed every one of them
    answers = []
    for path in ["/public/organizations", *(f"/public/organizations/{world.ngo[s]}" for s in "AB")]:
        answers.append(await client.get(path))
        answers.append(await client.get(path, params={"format": "csv"}))
        answers.append(await client.get(path, headers={"Accept": "text/csv"}))
    iati = await client.get("/public/iati/activities.xml")
    assert b"<transaction>" in iati.content  # the accepted report's funding line is in the public file
    answers.append(iati)
    for answer in answers:
        assert answer.status_code == 200, answer.text
        text = answer.content.decode("utf-8-sig")
        assert world.name("A") in text or world.name("B") in text
        leaked = [what for what, value in PERSONAL.items() if value.lower() in text.lower()]
        assert leaked == [], f"{answer.request.url}: {leaked}"
    as_csv = answers[1]
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert [(r["Nama / Name"], r["Terlambat / Overdue"]) for r in rows] == [
        (world.name("A"), "yes"),
        (world.name("B"), "no"),
    ]
    assert rows[0]["Wilayah kerja / Regions of work"] == "3374 Kota Semarang"


async def test_a_current_etag_gets_304_and_a_change_a_new_tag(client: httpx.AsyncClient, world: World) -> None:
    first = await client.get("/public/organizations")
    tag = first.headers["ETag"]
    assert tag.startswith('W/"')
    assert first.headers["Cache-Control"] == "public, max-age=300"
    again = await client.get("/public/organizations", headers={"If-None-Match": f'"other", {tag}'})
    assert (again.status_code, again.content, again.headers["ETag"]) == (304, b"", tag)
    as_csv = await client.get("/public/organizations", params={"format": "csv"}, headers={"If-None-Match": tag})
    assert as_csv.status_code == 200  # another representation, another tag
    assert as_csv.headers["ETag"] != tag
    other_page = await client.get("/public/organizations", params={"limit": "1"}, headers={"If-None-Match": tag})
    assert other_page.status_code == 200


async def test_past_the_rate_limit_a_client_gets_429_and_others_do_not(
    pool: asyncpg.Pool, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MITRA_PUBLIC_RATE_LIMIT_PER_MINUTE", "3")
    app = public_app(pool)
    async with anonymous(app, "198.51.100.7") as busy:
        for _ in range(3):
            assert (await busy.get("/public/organizations")).status_code == 200
        refused = await busy.get(f"/public/organizations/{world.ngo['A']}")
        assert refused.status_code == 429, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["status"] == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 20
    async with anonymous(app, "203.0.113.9") as other:
        assert (await other.get("/public/organizations")).status_code == 200
