"""Reporting's documents against the real PostgreSQL, with a local store in tmp_path: story photos (who attaches,
who downloads them and their thumbnails, a PDF is no photo), the annual summary kept as a PDF document, and the IATI
export's links to the documents an office marked public (projected from agreements' events, replayed by a rebuild).

The world: NGO A with an MSP of KEMENSOS in Kota Semarang (3374, province 33), NGO B with an MSP of KEMENKES in Kota
Denpasar (5171, province 51), projected from the events as the consumer applies them.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from lxml import etree
from PIL import Image
from support.app import api_client
from support.clock import FakeClock
from support.database import create_migrated_database, drop_database
from support.paths import DATA
from support.tokens import as_role

from mitra_reporting.bootstrap import build_spec
from mitra_reporting.consumers.projections import HANDLERS
from mitra_reporting.settings import ReportingSettings
from mitra_reporting.usecases.rebuild import rebuild
from mitra_shared import db
from mitra_shared.context import Context
from mitra_shared.contracts import agreements as ag
from mitra_shared.contracts.reporting import StoryPhotoAttached, StoryPublished
from mitra_shared.documents import DOCUMENTS_MIGRATIONS
from mitra_shared.events import EventData, EventKind, ReceivedEvent
from mitra_shared.uow import UnitOfWork

pytestmark = pytest.mark.integration

AS_OF = date(2027, 6, 15)
NGO = {"A": uuid.UUID("0a000000-0000-4000-8000-00000000000a"), "B": uuid.UUID("0b000000-0000-4000-8000-00000000000b")}
MSP = {"A": uuid.UUID("1a000000-0000-4000-8000-00000000000a"), "B": uuid.UUID("1b000000-0000-4000-8000-00000000000b")}
MINISTRY = {"A": "KEMENSOS", "B": "KEMENKES"}
REGENCY = {"A": ("3374", "Kota Semarang", "33"), "B": ("5171", "Kota Denpasar", "51")}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TABLES = "TRUNCATE outbox, documents, stories, annual_summaries, public_documents, event_log"
SIDES = "AB"


def png(width: int = 1200, height: int = 800) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def caller(role: str, side: str = "A", subject: str | None = None) -> dict[str, str]:
    scope: dict[str, object] = {
        "ministry": {"ministry_code": MINISTRY[side]},
        "region": {"region_code": REGENCY[side][2]},
        "ngo": {"organization_id": NGO[side]},
    }.get(role, {})
    return as_role(role, subject=subject or f"{role}-{side}", **scope)


def msp_signed(side: str) -> tuple[EventKind, dict[str, Any]]:
    """The signature of a side's MSP, with what reporting reads of it."""
    code, name, province = REGENCY[side]
    return (
        ag.MspSigned.kind,
        {
            "msp_id": str(MSP[side]),
            "number": f"MSP-{side}",
            "title": f"Programme {side}",
            "organization": {"organization_id": str(NGO[side]), "name": f"NGO {side}"},
            "ministry": {"code": MINISTRY[side], "name": f"Kementerian {side}"},
            "work_locations": [{"code": code, "kind": "regency", "name": name, "province_code": province}],
            "starts_on": "2027-01-01",
            "ends_on": "2028-12-31",
            "signed_on": "2026-12-20",
            "signed_document_ref": f"https://arsip.example.go.id/msp/{side}.pdf",
            "obligations": [{"obligation_id": str(uuid.uuid4()), "kind": "annual_report", "due_on": "2027-03-01"}],
        },
    )


SIGNED_AT = datetime(2027, 1, 1, tzinfo=UTC)


def received(kind: EventKind, data: dict[str, Any], at: datetime) -> ReceivedEvent:
    return ReceivedEvent(
        id=uuid.uuid4(), source=kind.source, type=kind.type, subject=str(uuid.uuid4()), time=at, data=data
    )


async def consume(
    pool: asyncpg.Pool, *facts: EventData | tuple[EventKind, dict[str, Any]], at: datetime = SIGNED_AT
) -> None:
    """Apply the events (a contract's model, or its kind and data), made at `at`, as the consumer does: logged,
    then projected."""
    uow = UnitOfWork(pool, service="reporting")
    for fact in facts:
        kind, data = fact if isinstance(fact, tuple) else (type(fact).kind, fact.model_dump(mode="json"))
        event = received(kind, data, at)
        known = HANDLERS[kind]
        async with uow.change(Context.for_system("reporting.consumer", datetime.now(UTC))) as tx:
            await known.apply(tx, event, known.model.model_validate(event.data))


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    dsn = asyncio.run(
        create_migrated_database([DOCUMENTS_MIGRATIONS, db.MigrationSource("reporting", "mitra_reporting")])
    )
    yield dsn
    asyncio.run(drop_database(dsn))


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await db.create_pool(database, min_size=1, max_size=4)
    try:
        await pool.execute(TABLES)
        await pool.execute("TRUNCATE organizations, permits, foreign_staff, msps, msp_regions, obligations, visits")
        await consume(pool, msp_signed("A"), msp_signed("B"))
        yield pool
    finally:
        await pool.close()


@pytest.fixture
async def client(pool: asyncpg.Pool, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    spec = build_spec(ReportingSettings(environment="test", documents_dir=tmp_path))
    async with api_client(spec, pool, clock=FakeClock(AS_OF), headers={}) as app_client:
        yield app_client


async def draft(client: httpx.AsyncClient, side: str = "A") -> str:
    story = {
        "title": f"Kisah {side}",
        "body": "Bersama warga.",
        "organization_id": str(NGO[side]),
        "msp_id": str(MSP[side]),
        "region_code": REGENCY[side][0],
        "story_date": "2027-05-01",
    }
    created = await client.post("/stories", json=story, headers=caller("tpoa", subject="seeder"))
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def attach(
    client: httpx.AsyncClient, story_id: str, headers: dict[str, str], content: bytes, name: str = "foto.png"
) -> httpx.Response:
    return await client.post(
        f"/stories/{story_id}/photos", files={"file": (name, content, "image/png")}, headers=headers
    )


async def events(pool: asyncpg.Pool, routing_key: str) -> list[dict[str, Any]]:
    rows = await pool.fetch("SELECT body FROM outbox WHERE routing_key = $1 ORDER BY seq", routing_key)
    return [json.loads(row["body"]) for row in rows]


def objects(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


# --- story photos ---------------------------------------------------------------------------------------------------


async def test_the_ngo_attaches_a_photo_that_the_storys_readers_download_with_its_thumbnail(
    client: httpx.AsyncClient, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    story_id = await draft(client)
    picture = png()
    response = await attach(client, story_id, caller("ngo"), picture)
    assert response.status_code == 201, response.text
    photo = response.json()
    assert (photo["content_type"], photo["purpose"], photo["has_thumbnail"]) == ("image/png", "photo", True)
    assert photo["sha256"] == hashlib.sha256(picture).hexdigest()
    assert response.headers["Location"] == f"/documents/{photo['id']}"
    assert {path.parent.name for path in objects(tmp_path)} == {"documents", "thumbnails"}

    story = await client.get(f"/stories/{story_id}", headers=caller("ministry"))
    assert [p["id"] for p in story.json()["photos"]] == [photo["id"]]
    listed = await client.get("/stories", headers=caller("region"))
    assert [s["photos"] for s in listed.json()["items"] if s["id"] == story_id] == [[photo]]

    download = await client.get(f"/documents/{photo['id']}", headers=caller("region"))
    assert (download.status_code, download.content) == (200, picture)
    thumbnail = await client.get(f"/documents/{photo['id']}/thumbnail", headers=caller("ngo"))
    assert thumbnail.status_code == 200, thumbnail.text
    assert thumbnail.headers["content-type"] == "image/png"
    assert max(Image.open(io.BytesIO(thumbnail.content)).size) <= 320

    [event] = await events(pool, "reporting.story_photo.attached")
    attached = StoryPhotoAttached.model_validate(event["data"])
    assert (attached.story_id, attached.organization_id, attached.attached_by) == (
        uuid.UUID(story_id),
        NGO["A"],
        "ngo-A",
    )
    assert attached.document.id == uuid.UUID(photo["id"])
    audits = [e["data"]["action"] for e in await events(pool, "audit.reporting.recorded")]
    assert "story.photo_attached" in audits


async def test_a_pdf_is_no_photo(client: httpx.AsyncClient, pool: asyncpg.Pool, tmp_path: Path) -> None:
    story_id = await draft(client)
    response = await attach(client, story_id, caller("ngo"), PDF, name="foto.png")
    assert response.status_code == 415, response.text
    assert response.json()["errors"][0] == {"field": "file", "reason": "a photo is JPEG or PNG"}
    assert await pool.fetchval("SELECT count(*) FROM documents") == 0
    assert await events(pool, "reporting.story_photo.attached") == []


@pytest.mark.parametrize(
    ("role", "side", "status"),
    [
        ("tpoa", "A", 201),
        ("ministry", "A", 201),
        ("region", "A", 201),
        ("ngo", "B", 404),  # another NGO's draft does not exist for it
        ("ministry", "B", 404),
        ("region", "B", 404),
        ("auditor", "A", 403),  # reads the draft, never changes it
        ("integration", "A", 403),
        ("admin", "A", 403),
    ],
)
async def test_whoever_may_revise_the_story_attaches(
    client: httpx.AsyncClient, pool: asyncpg.Pool, role: str, side: str, status: int
) -> None:
    story_id = await draft(client, "A")
    response = await attach(client, story_id, caller(role, side), png(40, 30))
    assert response.status_code == status, response.text
    assert await pool.fetchval("SELECT count(*) FROM documents") == (1 if status == 201 else 0)


async def test_a_drafts_photos_are_its_readers_and_a_published_storys_everyones(
    client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    story_id = await draft(client, "A")
    attached = await attach(client, story_id, caller("ngo"), png(64, 48))
    photo = attached.json()
    assert attached.headers["ETag"] == '"2"'  # the photo puts the story one version up
    for other in (caller("ngo", "B"), caller("ministry", "B"), caller("region", "B")):
        for path in (f"/documents/{photo['id']}", f"/documents/{photo['id']}/thumbnail"):
            hidden = await client.get(path, headers=other)
            assert (hidden.status_code, hidden.json()["errors"][0]["field"]) == (404, "path.document_id")

    # Publishing the story as read before the photo came is refused: the publisher has not seen the photo.
    stale = await client.post(f"/stories/{story_id}/publish", headers={**caller("tpoa"), "If-Match": '"1"'})
    assert stale.status_code == 412, stale.text
    assert await events(pool, "reporting.story.published") == []
    seen = await client.get(f"/stories/{story_id}", headers=caller("tpoa"))
    assert (seen.headers["ETag"], [p["id"] for p in seen.json()["photos"]]) == ('"2"', [photo["id"]])
    published = await client.post(
        f"/stories/{story_id}/publish", headers={**caller("tpoa"), "If-Match": seen.headers["ETag"]}
    )
    assert published.status_code == 200, published.text
    assert published.json()["version"] == 3
    assert [p["id"] for p in published.json()["photos"]] == [photo["id"]]
    [announced] = await events(pool, "reporting.story.published")
    assert [str(ref.id) for ref in StoryPublished.model_validate(announced["data"]).photos] == [photo["id"]]
    for reader in (caller("ngo", "B"), caller("ministry", "B"), caller("integration")):
        assert (await client.get(f"/documents/{photo['id']}/thumbnail", headers=reader)).status_code == 200
    assert (await client.get(f"/documents/{photo['id']}", headers=caller("admin"))).status_code == 403

    # A published story is not changed: no more photos.
    late = await attach(client, story_id, caller("tpoa"), png(20, 20))
    assert late.status_code == 409, late.text


async def test_a_photo_has_a_thumbnail_and_other_documents_none(client: httpx.AsyncClient) -> None:
    made = await client.post("/annual-summary/2027/pdf", json={"ministry": "KEMENSOS"}, headers=caller("tpoa"))
    assert made.status_code == 201, made.text
    assert made.json()["has_thumbnail"] is False
    missing = await client.get(f"/documents/{made.json()['id']}/thumbnail", headers=caller("tpoa"))
    assert missing.status_code == 404


# --- the annual summary kept as a PDF ---------------------------------------------------------------------------------


async def test_a_ministry_keeps_its_annual_summary_as_a_pdf(
    client: httpx.AsyncClient, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    response = await client.post(
        "/annual-summary/2027/pdf", json={"ministry": "KEMENSOS", "as_of": "2027-06-15"}, headers=caller("ministry")
    )
    assert response.status_code == 201, response.text
    document = response.json()
    assert (document["content_type"], document["generated"], document["purpose"]) == (
        "application/pdf",
        True,
        "annual_summary",
    )
    assert document["filename"] == "mitra-annual-KEMENSOS-2027.pdf"
    download = await client.get(response.headers["Location"], headers=caller("ministry"))
    assert download.status_code == 200
    assert download.content.startswith(b"%PDF")
    assert hashlib.sha256(download.content).hexdigest() == document["sha256"]
    row = await pool.fetchrow("SELECT * FROM annual_summaries")
    assert (row["year"], row["ministry_code"], row["as_of"], row["scope_ministry"]) == (
        2027,
        "KEMENSOS",
        date(2027, 6, 15),
        "KEMENSOS",
    )
    audits = [e["data"] for e in await events(pool, "audit.reporting.recorded")]
    assert [a["action"] for a in audits] == ["annual_summary.generated"]

    # Whoever would count the same figures reads it; the other ministry and a region do not.
    assert (await client.get(f"/documents/{document['id']}", headers=caller("tpoa"))).status_code == 200
    for other in (caller("ministry", "B"), caller("region", "A"), caller("ngo", "A")):
        assert (await client.get(f"/documents/{document['id']}", headers=other)).status_code == 404


async def test_an_annual_summary_pdf_is_counted_within_the_callers_reach(
    client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    everything = await client.post("/annual-summary/2027/pdf", json={"ministry": "KEMENSOS"}, headers=caller("tpoa"))
    assert everything.status_code == 201, everything.text
    # The ministry reads its own year counted over everything (the same MSPs); a region does not.
    assert (await client.get(f"/documents/{everything.json()['id']}", headers=caller("ministry"))).status_code == 200
    assert (await client.get(f"/documents/{everything.json()['id']}", headers=caller("region"))).status_code == 404

    regional = await client.post("/annual-summary/2027/pdf", json={"ministry": "KEMENSOS"}, headers=caller("region"))
    assert regional.status_code == 201, regional.text
    assert (await client.get(f"/documents/{regional.json()['id']}", headers=caller("region"))).status_code == 200
    assert (await client.get(f"/documents/{regional.json()['id']}", headers=caller("region", "B"))).status_code == 404

    another = await client.post("/annual-summary/2027/pdf", json={"ministry": "KEMENKES"}, headers=caller("ministry"))
    assert (another.status_code, another.json()["errors"][0]["field"]) == (403, "query.ministry")
    outside = await client.post("/annual-summary/2027/pdf", json={"ministry": "KEMENSOS"}, headers=caller("ngo", "B"))
    assert outside.status_code == 404
    assert (await client.post("/annual-summary/2027/pdf", json={}, headers=caller("tpoa"))).status_code == 422
    assert await pool.fetchval("SELECT count(*) FROM documents") == 2


# --- IATI document links ------------------------------------------------------------------------------------------


def published(
    side: str, owner_type: str, obligation_kind: str | None, filename: str, **extra: Any
) -> ag.DocumentPublished:
    document_id = extra.pop("document_id", uuid.uuid4())
    return ag.DocumentPublished.model_validate(
        {
            "document": {
                "id": document_id,
                "filename": filename,
                "content_type": "application/pdf",
                "size": 1234,
                "sha256": "a" * 64,
            },
            "owner_type": owner_type,
            "owner_id": MSP[side] if owner_type == "msp" else uuid.uuid4(),
            "msp_id": MSP[side],
            "organization_id": NGO[side],
            "obligation_kind": obligation_kind,
            "year": 2027 if obligation_kind == "annual_report" else None,
            "public_url": f"https://agreements.mitra.go.id/public/documents/{document_id}",
            "published_by": "kemensos-officer",
            "published_at": datetime(2027, 3, 1, 20, 0, tzinfo=UTC),  # 2 March in Jakarta
            **extra,
        }
    )


async def iati_activities(client: httpx.AsyncClient) -> list[Any]:
    """The export's activities, after checking the file against the IATI 2.03 schema."""
    response = await client.get("/iati/activities.xml", params={"as_of": AS_OF.isoformat()}, headers=caller("tpoa"))
    assert response.status_code == 200, response.text
    parsed = etree.fromstring(response.content)
    etree.XMLSchema(etree.parse(str(DATA / "iati" / "iati-activities-schema.xsd"))).assertValid(parsed)
    return list(parsed.findall("iati-activity"))


def ministry_of(activity: Any) -> str:
    return str(activity.findtext("iati-identifier")).rsplit("-", 5)[0]


async def last_updated(client: httpx.AsyncClient) -> dict[str, str]:
    return {ministry_of(a): a.get("last-updated-datetime") for a in await iati_activities(client)}


async def iati_links(client: httpx.AsyncClient) -> dict[str, list[dict[str, Any]]]:
    """The export's document links per reporting ministry (one MSP each)."""
    return {
        ministry_of(activity): [
            {
                "url": link.get("url"),
                "format": link.get("format"),
                "title": link.findtext("title/narrative"),
                "category": link.find("category").get("code"),
                "date": link.find("document-date").get("iso-date"),
            }
            for link in activity.findall("document-link")
        ]
        for activity in await iati_activities(client)
    }


async def test_the_iati_export_links_the_public_documents_and_nothing_else(
    client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    # Before anything is public: no link, not even the signed MSP's old `signed_document_ref`.
    assert await iati_links(client) == {"ID-MITRA-KEMENSOS": [], "ID-MITRA-KEMENKES": []}

    signed = published("A", "msp", None, "msp-a-signed.pdf")
    annual = published(
        "A",
        "submission",
        "annual_report",
        "laporan-tahunan-2027.pdf",
        published_at=datetime(2027, 3, 5, 2, 0, tzinfo=UTC),  # three days after the MSP's: linked after it
    )
    semester = published("A", "submission", "semester_report", "laporan-semester.pdf")
    not_http = published("B", "msp", None, "msp-b.pdf", public_url="dms://msp-b.pdf")
    published_at = datetime(2027, 3, 6, tzinfo=UTC)
    await consume(pool, signed, annual, semester, not_http, at=published_at)

    # The activity whose links changed was updated then; the other's links did not change.
    assert await last_updated(client) == {
        "ID-MITRA-KEMENSOS": published_at.isoformat(),
        "ID-MITRA-KEMENKES": SIGNED_AT.isoformat(),
    }
    links = await iati_links(client)
    assert links["ID-MITRA-KEMENKES"] == []
    assert links["ID-MITRA-KEMENSOS"] == [
        {
            "url": signed.public_url,
            "format": "application/pdf",
            "title": "msp-a-signed.pdf",
            "category": "A09",
            "date": "2027-03-02",
        },
        {
            "url": annual.public_url,
            "format": "application/pdf",
            "title": "laporan-tahunan-2027.pdf",
            "category": "B01",
            "date": "2027-03-05",
        },
    ]

    # Made private again: the link goes; a rebuild from the log gives the same links.
    unpublished_at = datetime(2027, 4, 1, tzinfo=UTC)
    await consume(
        pool,
        ag.DocumentUnpublished(
            document_id=signed.document.id,
            msp_id=MSP["A"],
            unpublished_by="kemensos-officer",
            unpublished_at=unpublished_at,
        ),
        at=unpublished_at,
    )
    assert (await last_updated(client))["ID-MITRA-KEMENSOS"] == unpublished_at.isoformat()
    after = await iati_links(client)
    assert [link["category"] for link in after["ID-MITRA-KEMENSOS"]] == ["B01"]
    await pool.execute("DELETE FROM public_documents")
    report = await rebuild(UnitOfWork(pool, service="reporting"), Context.for_system("test.rebuild", datetime.now(UTC)))
    assert report.applied == 2 + 5  # the two MSPs signed, the four published and the one unpublished
    assert await iati_links(client) == after
    assert (await last_updated(client))["ID-MITRA-KEMENSOS"] == unpublished_at.isoformat()


def unpublished(document: ag.DocumentPublished, at: datetime) -> ag.DocumentUnpublished:
    return ag.DocumentUnpublished(
        document_id=document.document.id, msp_id=document.msp_id, unpublished_by="kemensos-officer", unpublished_at=at
    )


async def test_publication_and_withdrawal_apply_in_the_order_they_happened_whatever_order_they_arrive_in(
    client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    t1, t2, t3 = (datetime(2027, 3, day, tzinfo=UTC) for day in (1, 2, 3))
    # A: published at t1, made private at t2; the publication arrives last. It stays private.
    late_publication = published("A", "msp", None, "msp-a.pdf", published_at=t1)
    await consume(pool, unpublished(late_publication, t2), at=t2)
    await consume(pool, late_publication, at=t3)
    # B: published at t1, private at t2, public again at t3; the withdrawal arrives after the second publication.
    first = published("B", "msp", None, "msp-b.pdf", published_at=t1)
    again = published("B", "msp", None, "msp-b-v2.pdf", document_id=first.document.id, published_at=t3)
    await consume(pool, first, at=t1)
    await consume(pool, again, at=t3)
    await consume(pool, unpublished(first, t2), at=t3)
    # And an in-order pair, for comparison: published at t1, private at t2.
    in_order = published("A", "submission", "annual_report", "laporan.pdf", published_at=t1)
    await consume(pool, in_order, at=t1)
    await consume(pool, unpublished(in_order, t2), at=t2)

    links = await iati_links(client)
    assert links["ID-MITRA-KEMENSOS"] == []
    assert [(link["url"], link["title"]) for link in links["ID-MITRA-KEMENKES"]] == [(again.public_url, "msp-b-v2.pdf")]
    assert await pool.fetchval("SELECT count(*) FROM public_documents WHERE NOT public") == 2  # the tombstones

    # A rebuild replays the log in the order it was received: the same links.
    await pool.execute("DELETE FROM public_documents")
    await rebuild(UnitOfWork(pool, service="reporting"), Context.for_system("test.rebuild", datetime.now(UTC)))
    assert await iati_links(client) == links
