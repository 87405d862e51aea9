"""Who may do what on reporting: every operation of its OpenAPI document, every role, own and other scope.

Two worlds side by side: A (NGO A, an MSP of KEMENSOS working in Kota Semarang, 3374, province 33) and B (NGO B, an
MSP of KEMENKES working in Kota Denpasar, 5171, province 51), each with an overdue obligation and a visit, and a draft
story each; plus a published story of B. A scoped caller of side A must see A and never B (and the other way
round); TPOA, auditors and integrations see both; admin sees nothing. And what a caller takes away as a file cannot
run as a formula in a spreadsheet program or break the XML (the MSPs' titles are hostile: A's starts with `=`, B's
holds control characters).

The shared resumable uploads (`/uploads`, tus) are in the table too; OPTIONS and HEAD, which the common table
reader leaves out, are checked against the document here. An upload is its creator's alone: each caller works on
one it made.
"""

from __future__ import annotations

import asyncio
import base64
import csv
import io
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import etree
from openpyxl import load_workbook
from support.access import assert_policies_match, public_operations
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
ROLES = ("tpoa", "ministry", "region", "ngo", "auditor", "admin", "integration")
EVERYTHING_READERS = ("tpoa", "auditor", "integration")
ALLOW, DENY, OWN, FILTERED = "ALLOW", "DENY", "OWN", "FILTERED"


def row(tpoa: str, ministry: str, region: str, ngo: str, auditor: str, admin: str, integration: str) -> dict[str, str]:
    return dict(zip(ROLES, (tpoa, ministry, region, ngo, auditor, admin, integration), strict=True))


READ = row(FILTERED, FILTERED, FILTERED, FILTERED, FILTERED, DENY, FILTERED)
EXPECTED: dict[str, dict[str, str]] = {
    "GET /summary": READ,
    "GET /organizations": READ,
    "GET /dashboard/msps": READ,
    "GET /msps": READ,
    "GET /dashboard/regions": READ,
    "GET /iati/activities.xml": READ,
    "GET /dashboard/visits": READ,
    "GET /compliance": READ,
    "GET /compliance/overdue": READ,
    "GET /risk": READ,
    "GET /dashboard/funding": READ,
    "GET /annual-summary": row(ALLOW, OWN, OWN, OWN, ALLOW, DENY, ALLOW),
    "POST /stories": row(ALLOW, OWN, OWN, OWN, DENY, DENY, DENY),
    "GET /stories": READ,
    "GET /stories/{story_id}": row(ALLOW, OWN, OWN, OWN, ALLOW, DENY, ALLOW),
    "PUT /stories/{story_id}": row(ALLOW, OWN, OWN, OWN, DENY, DENY, DENY),
    "POST /stories/{story_id}/publish": row(ALLOW, OWN, OWN, DENY, DENY, DENY, DENY),
    "GET /audit": row(ALLOW, DENY, DENY, DENY, ALLOW, DENY, DENY),
    "POST /stories/{story_id}/photos": row(ALLOW, OWN, OWN, OWN, DENY, DENY, DENY),
    "GET /documents/{document_id}": row(ALLOW, OWN, OWN, OWN, ALLOW, DENY, ALLOW),
    "GET /documents/{document_id}/thumbnail": row(ALLOW, OWN, OWN, OWN, ALLOW, DENY, ALLOW),
    "POST /annual-summary/{year}/pdf": row(ALLOW, OWN, OWN, OWN, ALLOW, DENY, ALLOW),
    # The shared resumable uploads: the roles that attach documents; each sees only the uploads it made.
    "OPTIONS /uploads": row(ALLOW, ALLOW, ALLOW, ALLOW, DENY, DENY, DENY),
    "POST /uploads": row(ALLOW, ALLOW, ALLOW, ALLOW, DENY, DENY, DENY),
    "HEAD /uploads/{upload_id}": row(ALLOW, ALLOW, ALLOW, ALLOW, DENY, DENY, DENY),
    "PATCH /uploads/{upload_id}": row(ALLOW, ALLOW, ALLOW, ALLOW, DENY, DENY, DENY),
    "DELETE /uploads/{upload_id}": row(ALLOW, ALLOW, ALLOW, ALLOW, DENY, DENY, DENY),
}
PUBLIC_OPERATIONS = {
    "GET /health/live",
    "GET /health/ready",
    "GET /asyncapi.json",
    "GET /asyncapi",
    # The open register: anyone, without a token (rate limited per client address; tests/.../test_reporting_public).
    "GET /public/organizations",
    "GET /public/organizations/{organization_id}",
    "GET /public/iati/activities.xml",
}
UNLISTED_METHODS = ("OPTIONS", "HEAD")
"""Methods the common reader of the document (support/access.py) leaves out: their rows are checked here."""
TUS = {"Tus-Resumable": "1.0.0"}

# The two sides: what each names, and the scope of a caller of that side.
NGO = {"A": uuid.UUID("0a000000-0000-4000-8000-00000000000a"), "B": uuid.UUID("0b000000-0000-4000-8000-00000000000b")}
MSP = {"A": uuid.UUID("1a000000-0000-4000-8000-00000000000a"), "B": uuid.UUID("1b000000-0000-4000-8000-00000000000b")}
COUNTRY = {"A": "GB", "B": "FR"}
MINISTRY = {"A": "KEMENSOS", "B": "KEMENKES"}
PROVINCE = {"A": "33", "B": "51"}
REGENCY = {"A": ("3374", "Kota Semarang"), "B": ("5171", "Kota Denpasar")}
REPORT = {side: uuid.uuid5(MSP[side], "annual report 2027") for side in "AB"}
SUBMISSION = {side: uuid.uuid5(MSP[side], "annual report 2027, attempt 1") for side in "AB"}
TITLE = {"A": "=SUM(1+2) Programme A", "B": "Programme B\x07\x1b"}
SCOPES: dict[str, dict[str, dict[str, object]]] = {
    "ministry": {side: {"ministry_code": MINISTRY[side]} for side in "AB"},
    "region": {side: {"region_code": PROVINCE[side]} for side in "AB"},
    "ngo": {side: {"organization_id": NGO[side]} for side in "AB"},
}
OTHER = {"A": "B", "B": "A"}
DOCUMENTS_DIR = Path(tempfile.mkdtemp(prefix="mitra-reporting-access-"))
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def headers(role: str, side: str = "A", subject: str | None = None) -> dict[str, str]:
    return as_role(role, subject=subject or f"{role}-{side}", **SCOPES.get(role, {}).get(side, {}))


# --- the worlds, seeded as the consumer projects events, and stories through the API ------------------------------


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
    code, name = REGENCY[side]
    annual_report = REPORT[side]
    report = {
        "obligation_id": str(annual_report),
        "obligation_kind": "annual_report",
        "msp_id": str(MSP[side]),
        "organization_id": str(NGO[side]),
        "organization_name": f"NGO {side}",
        "ministry_code": MINISTRY[side],
        "period": "2027",
        "due_on": "2027-03-01",
        "submission_id": str(SUBMISSION[side]),
        "attempt": 1,
    }
    return [
        (
            rg.OrganizationRegistered.kind,
            {
                "organization_id": str(NGO[side]),
                "legal_name": f"NGO {side}",
                "country_of_origin": COUNTRY[side],
                "status": "registered",
                "registered_at": "2026-01-01T00:00:00Z",
            },
        ),
        (
            rg.PermitGranted.kind,
            {
                "permit_id": str(uuid.uuid4()),
                "organization_id": str(NGO[side]),
                "permit_type": "principle",
                "number": f"IP-{side}",
                "issued_on": "2026-01-01",
                "valid_until": "2029-12-31",
            },
        ),
        (
            ag.MspSigned.kind,
            {
                "msp_id": str(MSP[side]),
                "number": f"MSP-{side}",
                "title": TITLE[side],
                "organization": organization,
                "ministry": ministry,
                "work_locations": [{"code": code, "kind": "regency", "name": name, "province_code": PROVINCE[side]}],
                "starts_on": "2027-01-01",
                "ends_on": "2028-12-31",
                "signed_on": "2026-12-20",
                "obligations": [
                    {"obligation_id": str(annual_report), "kind": "annual_report", "due_on": "2027-03-01"},
                    {
                        "obligation_id": str(uuid.uuid4()),
                        "kind": "work_plan",
                        "region_code": code,
                        "due_on": "2027-04-01",
                    },
                ],
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
                "region_codes": [code],
                "late": True,
            },
        ),
        (
            ag.ReportSubmitted.kind,
            {
                **report,
                "summary": "Laporan tahunan",
                "funding": [{"source": f"Donor {side}", "amount": 1000, "currency": "IDR", "use": "Pelatihan"}],
                "late": False,
                "submitted_by": f"ngo-{side}",
                "submitted_at": "2027-02-20T00:00:00Z",
            },
        ),
        (ag.ReportAccepted.kind, {**report, "decided_by": f"ministry-{side}", "decided_at": "2027-02-25T00:00:00Z"}),
    ]


def story(side: str, title: str = "Kisah") -> dict[str, Any]:
    return {
        "title": f"{title} {side}",
        "body": "Bersama warga.",
        "organization_id": str(NGO[side]),
        "msp_id": str(MSP[side]),
        "region_code": REGENCY[side][0],
        "story_date": "2027-05-01",
    }


async def new_story(client: httpx.AsyncClient, side: str, title: str = "Kisah") -> str:
    """A draft of that side, drafted by TPOA's seeder (so that no caller below drafted it)."""
    created = await client.post("/stories", json=story(side, title), headers=headers("tpoa", subject="seeder"))
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def seed(dsn: str) -> dict[str, str]:
    pool = await db.create_pool(dsn, min_size=1, max_size=2)
    try:
        uow = UnitOfWork(pool)
        for side in "AB":
            for kind, data in world(side):
                known = HANDLERS[kind]
                async with uow.change(Context.for_system("reporting.consumer", datetime.now(UTC))) as tx:
                    await known.apply(tx, received(kind, data), known.model.model_validate(data))
        async with api_client(spec(), pool, clock=FakeClock(AS_OF), headers={}) as client:
            stories = {f"draft {side}": await new_story(client, side) for side in "AB"}
            for side in "AB":  # a photo on each draft, attached by the seeder
                photo = await client.post(
                    f"/stories/{stories[f'draft {side}']}/photos",
                    files={"file": ("foto.png", PNG, "image/png")},
                    headers=headers("tpoa", subject="seeder"),
                )
                assert photo.status_code == 201, photo.text
                stories[f"photo {side}"] = photo.json()["id"]
            published = await new_story(client, "B", "Terbit")
            done = await client.post(f"/stories/{published}/publish", headers={**headers("tpoa"), "If-Match": '"1"'})
            assert done.status_code == 200, done.text
            stories["published"] = published
        return stories
    finally:
        await pool.close()


def spec() -> Any:
    return build_spec(ReportingSettings(environment="test", documents_dir=DOCUMENTS_DIR))


@pytest.fixture(scope="module")
def seeded() -> Iterator[tuple[str, dict[str, str]]]:
    """One database for the module: the two worlds and their stories."""
    dsn = asyncio.run(
        create_migrated_database([DOCUMENTS_MIGRATIONS, db.MigrationSource("reporting", "mitra_reporting")])
    )
    try:
        yield dsn, asyncio.run(seed(dsn))
    finally:
        asyncio.run(drop_database(dsn))


@pytest.fixture
async def client(seeded: tuple[str, dict[str, str]]) -> AsyncIterator[httpx.AsyncClient]:
    pool = await db.create_pool(seeded[0], min_size=1, max_size=4)
    try:
        async with api_client(spec(), pool, clock=FakeClock(AS_OF), headers={}) as app_client:
            yield app_client
    finally:
        await pool.close()


# --- how each operation is called, and what of A and B its answer shows ------------------------------------------

Call = Callable[[httpx.AsyncClient, dict[str, str], str, dict[str, str]], Awaitable[httpx.Response]]


def get(path: str, **params: str) -> Call:
    async def call(client: httpx.AsyncClient, h: dict[str, str], side: str, stories: dict[str, str]) -> httpx.Response:
        return await client.get(path, params=params, headers=h)

    return call


async def annual_summary(client: httpx.AsyncClient, h: dict[str, str], side: str, _: dict[str, str]) -> httpx.Response:
    return await client.get("/annual-summary", params={"year": "2027", "ministry": MINISTRY[side]}, headers=h)


async def draft(client: httpx.AsyncClient, h: dict[str, str], side: str, _: dict[str, str]) -> httpx.Response:
    return await client.post("/stories", json=story(side), headers=h)


async def read_story(client: httpx.AsyncClient, h: dict[str, str], side: str, s: dict[str, str]) -> httpx.Response:
    return await client.get(f"/stories/{s[f'draft {side}']}", headers=h)


async def revise(client: httpx.AsyncClient, h: dict[str, str], side: str, _: dict[str, str]) -> httpx.Response:
    story_id = await new_story(client, side)
    return await client.put(f"/stories/{story_id}", json=story(side, "Direvisi"), headers={**h, "If-Match": '"1"'})


async def publish(client: httpx.AsyncClient, h: dict[str, str], side: str, _: dict[str, str]) -> httpx.Response:
    story_id = await new_story(client, side)
    return await client.post(f"/stories/{story_id}/publish", headers={**h, "If-Match": '"1"'})


async def attach_photo(client: httpx.AsyncClient, h: dict[str, str], side: str, _: dict[str, str]) -> httpx.Response:
    story_id = await new_story(client, side)
    return await client.post(f"/stories/{story_id}/photos", files={"file": ("f.png", PNG, "image/png")}, headers=h)


def photo(suffix: str = "") -> Call:
    async def call(client: httpx.AsyncClient, h: dict[str, str], side: str, s: dict[str, str]) -> httpx.Response:
        return await client.get(f"/documents/{s[f'photo {side}']}{suffix}", headers=h)

    return call


async def annual_pdf(client: httpx.AsyncClient, h: dict[str, str], side: str, _: dict[str, str]) -> httpx.Response:
    return await client.post("/annual-summary/2027/pdf", json={"ministry": MINISTRY[side]}, headers=h)


async def upload_options(client: httpx.AsyncClient, h: dict[str, str], side: str, _: dict[str, str]) -> httpx.Response:
    return await client.options("/uploads", headers=h)


async def create_upload(client: httpx.AsyncClient, h: dict[str, str], side: str, _: dict[str, str]) -> httpx.Response:
    return await client.post("/uploads", headers={**h, **TUS, "Upload-Length": str(len(PNG))})


def on_an_upload(method: str, more: dict[str, str] | None = None, content: bytes | None = None) -> Call:
    """A request on a new upload of the caller's (of TPOA's for a role that makes none: refused before it is
    looked up)."""

    async def call(client: httpx.AsyncClient, h: dict[str, str], side: str, s: dict[str, str]) -> httpx.Response:
        made = await create_upload(client, h, side, s)
        if made.status_code == 403:
            made = await create_upload(client, headers("tpoa", subject="seeder"), side, s)
        assert made.status_code == 201, made.text
        return await client.request(
            method, made.headers["Location"], headers={**h, **TUS, **(more or {})}, content=content
        )

    return call


CALLS: dict[str, Call] = {
    "GET /summary": get("/summary"),
    "GET /organizations": get("/organizations"),
    "GET /dashboard/msps": get("/dashboard/msps"),
    "GET /msps": get("/msps"),
    "GET /dashboard/regions": get("/dashboard/regions"),
    "GET /iati/activities.xml": get("/iati/activities.xml"),
    "GET /dashboard/visits": get("/dashboard/visits"),
    "GET /compliance": get("/compliance"),
    "GET /compliance/overdue": get("/compliance/overdue"),
    "GET /risk": get("/risk"),
    "GET /dashboard/funding": get("/dashboard/funding", by="ministry"),
    "GET /annual-summary": annual_summary,
    "POST /stories": draft,
    "GET /stories": get("/stories", limit="500"),
    "GET /stories/{story_id}": read_story,
    "PUT /stories/{story_id}": revise,
    "POST /stories/{story_id}/publish": publish,
    "GET /audit": get("/audit"),
    "POST /stories/{story_id}/photos": attach_photo,
    "GET /documents/{document_id}": photo(),
    "GET /documents/{document_id}/thumbnail": photo("/thumbnail"),
    "POST /annual-summary/{year}/pdf": annual_pdf,
    "OPTIONS /uploads": upload_options,
    "POST /uploads": create_upload,
    "HEAD /uploads/{upload_id}": on_an_upload("HEAD"),
    "PATCH /uploads/{upload_id}": on_an_upload(
        "PATCH", {"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}, PNG
    ),
    "DELETE /uploads/{upload_id}": on_an_upload("DELETE"),
}


def sides(values: set[str], by_side: dict[str, str]) -> set[str]:
    """Which sides the values found in an answer belong to."""
    return {side for side, value in by_side.items() if value in values}


def ids(values: dict[str, uuid.UUID]) -> dict[str, str]:
    return {side: str(value) for side, value in values.items()}


def seen_in(key: str, response: httpx.Response, stories: dict[str, str]) -> set[str]:
    """The sides a list's answer shows (and "published" when the published story is in it)."""
    if key == "GET /iati/activities.xml":
        return {side for side, msp in MSP.items() if str(msp).encode() in response.content}
    body = response.json()
    found: dict[str, Callable[[], set[str]]] = {
        "GET /summary": lambda: sides({c["key"] for c in body["organizations"]["by_country"]}, COUNTRY),
        "GET /organizations": lambda: sides({i["organization_id"] for i in body["items"]}, ids(NGO)),
        "GET /dashboard/msps": lambda: sides({m["ministry_code"] for m in body["by_ministry"]}, MINISTRY),
        "GET /msps": lambda: sides({i["msp_id"] for i in body["items"]}, ids(MSP)),
        "GET /dashboard/regions": lambda: sides({p["province_code"] for p in body}, PROVINCE),
        "GET /dashboard/visits": lambda: sides({v["region_code"] for v in body}, {s: r[0] for s, r in REGENCY.items()}),
        "GET /compliance": lambda: (
            sides({c["key"] for c in body["by_organization"]}, ids(NGO))
            | sides({c["key"] for c in body["by_ministry"]}, MINISTRY)
        ),
        "GET /compliance/overdue": lambda: sides({o["organization_id"] for o in body}, ids(NGO)),
        "GET /risk": lambda: sides({r["key"] for r in body}, ids(MSP)),
        "GET /dashboard/funding": lambda: sides({r["key"] for r in body["rows"]}, MINISTRY),
        "GET /stories": lambda: (
            sides({s["id"] for s in body["items"]}, {"A": stories["draft A"], "B": stories["draft B"]})
            | ({"published"} if stories["published"] in {s["id"] for s in body["items"]} else set())
        ),
    }
    return found[key]()


def expected_seen(key: str, role: str, side: str) -> set[str]:
    shown = {"A", "B"} if role in EVERYTHING_READERS else {side}
    return shown | ({"published"} if key == "GET /stories" else set())


# --- the table against the document ---------------------------------------------------------------------------


async def test_the_table_covers_every_operation_of_the_document(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    assert public_operations(document) == PUBLIC_OPERATIONS
    assert set(CALLS) == set(EXPECTED)
    allowed = {key: [role for role, answer in row.items() if answer != DENY] for key, row in EXPECTED.items()}
    assert_policies_match(
        document, {key: roles for key, roles in allowed.items() if not key.startswith(UNLISTED_METHODS)}
    )
    unlisted = {
        f"{method.upper()} {path}": operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method.upper() in UNLISTED_METHODS
    }
    assert sorted(unlisted) == sorted(key for key in EXPECTED if key.startswith(UNLISTED_METHODS))
    for key, operation in unlisted.items():
        assert set(operation["x-mitra-access"]["roles"]) == set(allowed[key]), key
        assert "403" in operation["responses"], key


def cases() -> Iterator[Any]:
    for key, answers in EXPECTED.items():
        for role, answer in answers.items():
            if answer in (ALLOW, DENY) or role not in SCOPES:
                yield pytest.param(key, role, "A", "A", id=f"{key} | {role}")
            elif answer == OWN:
                yield pytest.param(key, role, "A", "A", id=f"{key} | {role} | own")
                yield pytest.param(key, role, "A", "B", id=f"{key} | {role} | other")
            else:
                for side in "AB":
                    yield pytest.param(key, role, side, side, id=f"{key} | {role} | scope {side}")


@pytest.mark.parametrize(("key", "role", "caller", "target"), list(cases()))
async def test_access(
    client: httpx.AsyncClient, seeded: tuple[str, dict[str, str]], key: str, role: str, caller: str, target: str
) -> None:
    stories = seeded[1]
    answer = EXPECTED[key][role]
    response = await CALLS[key](client, headers(role, caller), target, stories)
    if answer == DENY:
        assert response.status_code == 403, response.text
        return
    if answer == OWN and target != caller:
        assert response.status_code in (403, 404), response.text
        return
    assert 200 <= response.status_code < 300, response.text
    if answer == FILTERED:
        assert seen_in(key, response, stories) == expected_seen(key, role, caller)


# --- the finer points -------------------------------------------------------------------------------------------


async def test_the_open_register_answers_without_a_token(client: httpx.AsyncClient) -> None:
    listed = await client.get("/public/organizations")
    assert listed.status_code == 200, listed.text
    assert {item["organization_id"] for item in listed.json()["items"]} == {str(NGO["A"]), str(NGO["B"])}
    assert (await client.get(f"/public/organizations/{NGO['A']}")).status_code == 200


async def test_a_regency_office_sees_what_works_in_its_regency_only(client: httpx.AsyncClient) -> None:
    near = as_role("region", region_code="3374")
    far = as_role("region", region_code="3301")
    listed = (await client.get("/msps", headers=near)).json()
    assert {item["msp_id"] for item in listed["items"]} == {str(MSP["A"])}
    assert (await client.get("/msps", headers=far)).json()["items"] == []


async def test_a_ministry_asking_for_another_ministry_gets_nothing_of_it(client: httpx.AsyncClient) -> None:
    kemensos = headers("ministry", "A")
    asked = await client.get("/msps", params={"ministry": "KEMENKES"}, headers=kemensos)
    assert asked.status_code == 200
    assert asked.json()["items"] == []
    other_year = await client.get("/annual-summary", params={"year": "2027", "ministry": "KEMENKES"}, headers=kemensos)
    assert other_year.status_code == 403
    assert other_year.json()["errors"][0]["field"] == "query.ministry"


async def test_an_ngos_annual_summary_holds_only_its_own_msps(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/annual-summary", params={"year": "2027", "ministry": "KEMENSOS"}, headers=headers("ngo", "A")
    )
    assert response.status_code == 200, response.text
    numbers = {r[0] for r in load_workbook(io.BytesIO(response.content))["MSP"].iter_rows(min_row=2, values_only=True)}
    assert numbers == {"MSP-A"}
    elsewhere = await client.get(
        "/annual-summary", params={"year": "2027", "ministry": "KEMENSOS"}, headers=headers("ngo", "B")
    )
    assert elsewhere.status_code == 404


async def test_the_published_story_is_everyones_and_another_ngos_draft_is_not_found(
    client: httpx.AsyncClient, seeded: tuple[str, dict[str, str]]
) -> None:
    stories = seeded[1]
    for role in ("ministry", "region", "ngo", "auditor", "integration"):
        assert (await client.get(f"/stories/{stories['published']}", headers=headers(role, "A"))).status_code == 200
    refused = await client.get(f"/stories/{stories['draft B']}", headers=headers("ngo", "A"))
    assert refused.status_code == 404


async def test_whoever_drafted_a_story_does_not_publish_it(client: httpx.AsyncClient) -> None:
    mine = headers("ministry", "A", subject="analis@kemensos")
    created = await client.post("/stories", json=story("A"), headers=mine)
    assert created.status_code == 201, created.text
    url = f"/stories/{created.json()['id']}/publish"
    refused = await client.post(url, headers={**mine, "If-Match": '"1"'})
    assert refused.status_code == 403
    assert "four eyes" in refused.json()["detail"]
    colleague = headers("ministry", "A", subject="kepala@kemensos")
    assert (await client.post(url, headers={**colleague, "If-Match": '"1"'})).status_code == 200


async def test_an_ngo_names_only_itself_and_its_own_msps(client: httpx.AsyncClient) -> None:
    ngo = headers("ngo", "A")
    another = await client.post("/stories", json={**story("A"), "organization_id": str(NGO["B"])}, headers=ngo)
    assert (another.status_code, another.json()["errors"][0]["field"]) == (403, "body.organization_id")
    their_msp = await client.post("/stories", json={**story("A"), "msp_id": str(MSP["B"])}, headers=ngo)
    assert (their_msp.status_code, their_msp.json()["errors"][0]["field"]) == (403, "body.msp_id")
    # A revision cannot move a story out of the writer's reach either.
    created = await client.post("/stories", json=story("A"), headers=ngo)
    moved = await client.put(
        f"/stories/{created.json()['id']}",
        json={**story("A"), "organization_id": str(NGO["B"])},
        headers={**ngo, "If-Match": '"1"'},
    )
    assert moved.status_code == 403


async def test_files_hold_text_as_text_and_well_formed_xml(client: httpx.AsyncClient) -> None:
    tpoa = headers("tpoa")
    as_csv = await client.get("/msps", params={"format": "csv"}, headers=tpoa)
    titles = {row["Judul / Title"] for row in csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig")))}
    assert "'=SUM(1+2) Programme A" in titles

    as_xlsx = await client.get("/msps", params={"format": "xlsx"}, headers=tpoa)
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None
    cells = {cell.value: cell.data_type for row in sheet.iter_rows(min_row=2) for cell in row[1:2]}
    assert cells["=SUM(1+2) Programme A"] == "s"  # a string, not a formula
    assert "Programme B" in cells  # the control characters left out

    xml = await client.get("/iati/activities.xml", headers=tpoa)
    parsed = etree.fromstring(xml.content)  # well-formed
    assert {a.findtext("title/narrative") for a in parsed.findall("iati-activity")} >= {
        "Programme B",
        "=SUM(1+2) Programme A",
    }
