"""Agreements' documents against the real PostgreSQL and a local directory store, through the real app over ASGI:
the files of submissions, MSPs and recommendations attached by who may, listed and downloaded by who reads their
record (the same bytes), refused to anyone else as the record's own routes refuse it; publication of an MSP's and an
annual report's documents only; the letter made when a ministry decides a recommendation; the events that name the
documents (never their content) and the audit entries, written with the change.

Registry's facts are applied with agreements' own handlers; everything else is done over HTTP by the role that
really does it.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from support.app import api_client
from support.clock import FakeClock
from support.database import migrated_pool
from support.tokens import as_role

from mitra_agreements.bootstrap import build_spec
from mitra_agreements.consumers import staff_facts
from mitra_agreements.consumers.registry_facts import HANDLERS
from mitra_agreements.domain.letters import Letterhead
from mitra_agreements.settings import AgreementsSettings
from mitra_agreements.usecases import documents as document_usecases
from mitra_shared import events as ev
from mitra_shared.clock import JAKARTA
from mitra_shared.context import Context, Principal
from mitra_shared.contracts import registry as registry_contracts
from mitra_shared.db import MigrationSource
from mitra_shared.documents import DOCUMENTS_MIGRATIONS, LocalDirectoryStore, ReceivedFile
from mitra_shared.errors import Refused
from mitra_shared.events import EventData, new_event
from mitra_shared.uow import UnitOfWork

pytestmark = pytest.mark.integration

AGREEMENTS = MigrationSource("agreements", "mitra_agreements")
PUBLIC_BASE = "https://agreements.mitra.example"
PDF = b"%PDF-1.4\n% a report\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
DOCUMENT_FIELDS = {
    "id",
    "filename",
    "content_type",
    "size",
    "sha256",
    "uploaded_by",
    "uploaded_at",
    "purpose",
    "public",
    "generated",
    "has_thumbnail",
}
REF_FIELDS = {"id", "filename", "content_type", "size", "sha256"}
TPOA = as_role("tpoa", subject="tpoa-officer")
ADMIN = as_role("admin")
REGION = as_role("region", subject="kesbangpol-33", region_code="33")
KEMENSOS = as_role("ministry", subject="kemensos-officer", ministry_code="KEMENSOS")
KEMENLU = as_role("ministry", subject="kemenlu-officer", ministry_code="KEMENLU")


@dataclass
class World:
    """Two NGOs and the ministries known to agreements, and a client on its app that sends no token of its own
    (each request names its caller)."""

    client: httpx.AsyncClient
    pool: asyncpg.Pool
    store_dir: Path
    organization_id: uuid.UUID
    other_organization_id: uuid.UUID
    clock: FakeClock

    @property
    def ngo(self) -> dict[str, str]:
        return as_role("ngo", subject="ngo-staff", organization_id=self.organization_id)

    @property
    def other_ngo(self) -> dict[str, str]:
        return as_role("ngo", subject="other-ngo-staff", organization_id=self.other_organization_id)

    async def call(
        self, method: str, path: str, who: dict[str, str], body: Any = None, expected: int = 200
    ) -> dict[str, Any]:
        response = await self.client.request(method, path, json=body, headers=who)
        assert response.status_code == expected, f"{method} {path}: {response.status_code} {response.text}"
        return response.json()  # type: ignore[no-any-return]

    async def attach(
        self,
        path: str,
        who: dict[str, str],
        content: bytes = PDF,
        *,
        filename: str = "laporan.pdf",
        purpose: str | None = None,
        expected: int = 201,
    ) -> dict[str, Any]:
        data = {} if purpose is None else {"purpose": purpose}
        self.clock.advance(minutes=1)  # documents are listed oldest first
        response = await self.client.post(
            path, files={"file": (filename, content, "application/pdf")}, data=data, headers=who
        )
        assert response.status_code == expected, f"POST {path}: {response.status_code} {response.text}"
        answer: dict[str, Any] = response.json()
        if expected == 201:
            assert response.headers["Location"] == f"/documents/{answer['id']}"
        return answer

    async def download(self, document_id: str, who: dict[str, str] | None) -> httpx.Response:
        return await self.client.get(f"/documents/{document_id}", headers=who or {})


async def learn(pool: asyncpg.Pool, data: EventData) -> None:
    """Apply one of registry's events the way agreements' consumer does."""
    received = ev.decode(ev.encode(new_event(data, subject="registry")))
    known = {**HANDLERS, **staff_facts.HANDLERS}[type(data).kind]
    context = Context.for_system("agreements.consumer", received.time, causation_id=received.id)
    async with UnitOfWork(pool).change(context) as tx:
        await known.apply(tx, received, ev.read_data(received, known.model))


async def learn_ngo(pool: asyncpg.Pool, organization_id: uuid.UUID, name: str) -> None:
    at = datetime(2026, 1, 1, tzinfo=JAKARTA)
    await learn(
        pool,
        registry_contracts.OrganizationRegistered(
            organization_id=organization_id, legal_name=name, country_of_origin="GB", status="active", registered_at=at
        ),
    )
    await learn(
        pool,
        registry_contracts.PermitGranted(
            permit_id=uuid.uuid4(),
            organization_id=organization_id,
            organization_name=name,
            permit_type="principle",
            number=f"IP-{organization_id.hex[:6]}",
            issued_on=date(2026, 1, 1),
            valid_until=date(2029, 12, 31),
            granted_at=at,
        ),
    )


def partner_id(code: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"partner/{code}")


async def learn_partners(pool: asyncpg.Pool) -> None:
    for kind, code, name, parent in (
        ("ministry", "KEMENSOS", "Kementerian Sosial", None),
        ("ministry", "KEMENLU", "Kementerian Luar Negeri", None),
        ("province", "33", "Jawa Tengah", None),
        ("regency", "3374", "Kota Semarang", "33"),
        ("province", "51", "Bali", None),
    ):
        await learn(
            pool,
            registry_contracts.PartnerUpdated(
                partner_id=partner_id(code),
                partner_kind=kind,  # type: ignore[arg-type]
                name=name,
                code=code,
                parent_code=parent,
                version=1,
                updated_at=datetime(2026, 1, 1, tzinfo=JAKARTA),
            ),
        )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(date(2027, 1, 5))


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(database, [DOCUMENTS_MIGRATIONS, AGREEMENTS]) as ready:
        yield ready


@pytest.fixture
async def world(pool: asyncpg.Pool, clock: FakeClock, tmp_path: Path) -> AsyncIterator[World]:
    settings = AgreementsSettings(
        environment="test",
        tpoa_members=[],  # no member review: TPOA approves right after the submission
        documents_dir=tmp_path / "documents",
        public_base_url=PUBLIC_BASE,
        letterheads={
            "KEMENSOS": Letterhead(
                name="Kementerian Sosial Republik Indonesia", address="Jl. Salemba Raya No. 28", city="Jakarta"
            )
        },
    )
    await learn_partners(pool)
    organization_id, other = uuid.uuid4(), uuid.uuid4()
    await learn_ngo(pool, organization_id, "Plan International")
    await learn_ngo(pool, other, "Oxfam")
    async with api_client(build_spec(settings, clock=clock), pool, clock=clock, headers={}) as client:
        yield World(client, pool, tmp_path / "documents", organization_id, other, clock)


async def signed_msp(world: World, *, places: list[str] | None = None) -> dict[str, Any]:
    """An MSP of the world's NGO with KEMENSOS, drafted and submitted by the NGO, approved by TPOA, signed by the
    ministry."""
    draft = {
        "organization_id": str(world.organization_id),
        "ministry_partner_id": str(partner_id("KEMENSOS")),
        "title": "Perlindungan anak di Jawa Tengah",
        "work_location_codes": places if places is not None else ["3374"],
        "starts_on": "2027-01-01",
        "ends_on": "2029-06-30",
    }
    msp = await world.call("POST", "/msps", world.ngo, draft, expected=201)
    await world.call("POST", f"/msps/{msp['id']}/submit", world.ngo)
    await world.call("POST", f"/msps/{msp['id']}/approve", TPOA, {"note": "ok"})
    signatories = [{"name": "Dra. Sri", "title": "Director General", "party": "ministry"}]
    number = f"MSP/{uuid.uuid4().hex[:6]}/KEMENSOS/2027"
    body = {"number": number, "signatories": signatories}
    return await world.call("POST", f"/msps/{msp['id']}/sign", KEMENSOS, body)


async def submitted(world: World, msp_id: str, kind: str) -> dict[str, Any]:
    """The NGO's submission for the MSP's first obligation of that kind."""
    obligations = await world.call("GET", f"/msps/{msp_id}/obligations", world.ngo)
    obligation = next(o for o in obligations if o["kind"] == kind)
    body = {"summary": f"The {kind} of {obligation['period']}", "document_ref": "dms://elsewhere.pdf"}
    return await world.call("POST", f"/obligations/{obligation['id']}/submissions", world.ngo, body, expected=201)


async def outbox(pool: asyncpg.Pool, routing_key: str) -> list[dict[str, Any]]:
    rows = await pool.fetch("SELECT body FROM outbox WHERE routing_key = $1 ORDER BY seq", routing_key)
    return [json.loads(row["body"]) for row in rows]


async def audited(pool: asyncpg.Pool, action: str) -> list[dict[str, Any]]:
    entries = await outbox(pool, "audit.agreements.recorded")
    return [entry["data"] for entry in entries if entry["data"]["action"] == action]


async def document_count(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM documents"))


def problem_field(response: httpx.Response) -> str | None:
    errors = response.json().get("errors") or [{}]
    return errors[0].get("field")  # type: ignore[no-any-return]


# --- submissions ------------------------------------------------------------------------------------------------


async def test_the_ngo_attaches_its_report_and_whoever_reads_it_downloads_the_same_bytes(world: World) -> None:
    msp = await signed_msp(world)
    submission = await submitted(world, msp["id"], "semester_report")
    path = f"/submissions/{submission['id']}/documents"

    main = await world.attach(path, world.ngo, filename="Laporan Semester 1.pdf")
    assert set(main) == DOCUMENT_FIELDS
    assert (main["purpose"], main["content_type"], main["size"], main["uploaded_by"]) == (
        "main",
        "application/pdf",
        len(PDF),
        "ngo-staff",
    )
    assert (main["public"], main["generated"], main["has_thumbnail"]) == (False, False, False)
    assert main["filename"].endswith(".pdf")
    assert "/" not in main["filename"]
    assert main["sha256"] == hashlib.sha256(PDF).hexdigest()
    annex = await world.attach(path, world.ngo, PNG, filename="foto.png")
    assert (annex["purpose"], annex["content_type"]) == ("annex", "image/png")
    wrong = await world.attach(path, world.ngo, purpose="signed_msp", expected=422)
    assert wrong["errors"][0]["field"] == "body.purpose"

    # The list, the submission's own view and its obligation's list of submissions, oldest first.
    listed = await world.call("GET", path, KEMENSOS)
    assert [d["id"] for d in listed] == [main["id"], annex["id"]]
    one = await world.call("GET", f"/submissions/{submission['id']}", KEMENSOS)
    assert [d["id"] for d in one["documents"]] == [main["id"], annex["id"]]
    assert one["document_ref"] == "dms://elsewhere.pdf"  # the reference to another system stays
    [attempt] = await world.call("GET", f"/obligations/{submission['obligation_id']}/submissions", world.ngo)
    assert [d["id"] for d in attempt["documents"]] == [main["id"], annex["id"]]

    # Its ministry, TPOA and the region's office (a semester report is MSP-wide) download the same bytes.
    for who in (KEMENSOS, TPOA, REGION, world.ngo):
        response = await world.download(main["id"], who)
        assert response.status_code == 200, response.text
        assert response.content == PDF
        assert response.headers["content-type"].startswith("application/pdf")
        assert response.headers["etag"].strip('"') == main["sha256"]
        assert response.headers["content-disposition"].startswith("attachment;")

    # Another NGO, another ministry: the submission and its documents do not exist for them.
    for who in (world.other_ngo, KEMENLU):
        assert (await world.download(main["id"], who)).status_code == 404
        assert (await world.client.get(path, headers=who)).status_code == 404
        assert (await world.client.get(f"/submissions/{submission['id']}", headers=who)).status_code == 404
    refused = await world.attach(path, world.other_ngo, expected=404)
    assert refused["errors"][0]["field"] == "path.submission_id"
    # Roles that read nothing here, or never attach to a submission: 403.
    assert (await world.download(main["id"], ADMIN)).status_code == 403
    await world.attach(path, KEMENSOS, expected=403)
    await world.attach(path, TPOA, expected=403)
    assert (await world.download(main["id"], None)).status_code == 401
    assert (await world.download(str(uuid.uuid4()), TPOA)).status_code == 404

    # Once decided, the submission takes no more documents.
    await world.call("POST", f"/submissions/{submission['id']}/accept", KEMENSOS, {"comments": "Baik"})
    late = await world.attach(path, world.ngo, expected=409)
    assert late["errors"][0]["field"] == "submission.status"
    assert await document_count(world.pool) == 2


async def test_an_executable_named_pdf_is_refused_and_nothing_is_recorded(world: World) -> None:
    msp = await signed_msp(world)
    submission = await submitted(world, msp["id"], "semester_report")
    refused = await world.attach(f"/submissions/{submission['id']}/documents", world.ngo, EXE, expected=415)
    assert refused["status"] == 415
    no_file = await world.client.post(
        f"/submissions/{submission['id']}/documents", files={"other": ("x.pdf", PDF)}, headers=world.ngo
    )
    assert no_file.status_code == 422
    assert problem_field(no_file) is not None
    assert await document_count(world.pool) == 0
    assert await outbox(world.pool, "agreements.document.attached") == []
    assert not [p for p in world.store_dir.rglob("*") if p.is_file() and "/documents/" in str(p)]


async def test_the_attached_event_names_the_document_and_carries_no_content(world: World) -> None:
    msp = await signed_msp(world, places=["3374", "51"])
    submission = await submitted(world, msp["id"], "annual_report")
    document = await world.attach(f"/submissions/{submission['id']}/documents", world.ngo)
    [event] = await outbox(world.pool, "agreements.document.attached")
    data = event["data"]
    assert event["subject"] == document["id"]
    assert set(data["document"]) == REF_FIELDS
    assert data["document"] == {key: document[key] for key in REF_FIELDS}
    assert {key: data[key] for key in data if key not in ("document", "attached_at")} == {
        "owner_type": "submission",
        "owner_id": submission["id"],
        "purpose": "main",
        "generated": False,
        "msp_id": msp["id"],
        "organization_id": str(world.organization_id),
        "ministry_code": "KEMENSOS",
        "obligation_kind": "annual_report",
        "region_codes": ["3374", "51"],
        "attached_by": "ngo-staff",
    }
    assert "%PDF" not in json.dumps(event)
    [entry] = await audited(world.pool, "document.attached")
    assert (entry["object_type"], entry["object_id"], entry.get("before")) == ("document", document["id"], None)
    assert entry["after"]["sha256"] == document["sha256"]
    assert entry["after"]["owner_id"] == submission["id"]


# --- MSPs -------------------------------------------------------------------------------------------------------


async def test_the_parties_and_tpoa_attach_to_an_msp_until_it_is_over(world: World) -> None:
    msp = await signed_msp(world)
    path = f"/msps/{msp['id']}/documents"
    no_purpose = await world.attach(path, world.ngo, expected=422)
    assert no_purpose["errors"][0]["field"] == "body.purpose"
    signed = await world.attach(path, KEMENSOS, purpose="signed_msp")
    amendment = await world.attach(path, world.ngo, purpose="amendment")
    annex = await world.attach(path, TPOA, purpose="annex")
    assert [d["uploaded_by"] for d in (signed, amendment, annex)] == ["kemensos-officer", "ngo-staff", "tpoa-officer"]

    await world.attach(path, world.other_ngo, purpose="annex", expected=404)
    await world.attach(path, KEMENLU, purpose="annex", expected=404)
    await world.attach(path, REGION, purpose="annex", expected=403)

    view = await world.call("GET", f"/msps/{msp['id']}", REGION)
    assert [d["purpose"] for d in view["documents"]] == ["signed_msp", "amendment", "annex"]
    assert (await world.download(signed["id"], REGION)).content == PDF
    assert (await world.download(signed["id"], world.other_ngo)).status_code == 404

    await world.call("POST", f"/msps/{msp['id']}/terminate", KEMENSOS, {"reason": "Izin dicabut"})
    over = await world.attach(path, KEMENSOS, purpose="amendment", expected=409)
    assert over["errors"][0]["field"] == "msp.status"
    assert len(await world.call("GET", path, world.ngo)) == 3


# --- publication ------------------------------------------------------------------------------------------------


async def test_an_msps_document_is_published_by_its_ministry_and_served_publicly(world: World) -> None:
    msp = await signed_msp(world)
    signed = await world.attach(f"/msps/{msp['id']}/documents", world.ngo, purpose="signed_msp")
    publication = f"/documents/{signed['id']}/publication"
    public_path = f"/public/documents/{signed['id']}"

    assert (await world.client.get(public_path, headers={})).status_code == 404
    await world.call("PUT", publication, world.ngo, {"public": True}, expected=403)
    await world.call("PUT", publication, KEMENLU, {"public": True}, expected=404)
    made_public = await world.call("PUT", publication, KEMENSOS, {"public": True})
    assert made_public["public"] is True
    again = await world.call("PUT", publication, KEMENSOS, {"public": True})
    assert again["public"] is True

    anyone = await world.client.get(public_path, headers={})
    assert anyone.status_code == 200
    assert anyone.content == PDF
    [event] = await outbox(world.pool, "agreements.document.published")  # once, though asked twice
    data = event["data"]
    assert data["document"] == {key: signed[key] for key in REF_FIELDS}
    assert (data["owner_type"], data["owner_id"], data["msp_id"], data["organization_id"]) == (
        "msp",
        msp["id"],
        msp["id"],
        str(world.organization_id),
    )
    assert (data.get("obligation_kind"), data.get("year"), data["published_by"]) == (None, None, "kemensos-officer")
    assert data["public_url"] == f"{PUBLIC_BASE}/public/documents/{signed['id']}"
    [entry] = await audited(world.pool, "document.published")
    assert (entry["before"]["public"], entry["after"]["public"]) == (False, True)

    await world.call("PUT", publication, TPOA, {"public": False})
    assert (await world.client.get(public_path, headers={})).status_code == 404
    [unpublished] = await outbox(world.pool, "agreements.document.unpublished")
    assert unpublished["data"]["document_id"] == signed["id"]
    assert (unpublished["data"]["msp_id"], unpublished["data"]["unpublished_by"]) == (msp["id"], "tpoa-officer")
    assert await audited(world.pool, "document.unpublished")
    assert (await world.client.get(f"/public/documents/{uuid.uuid4()}", headers={})).status_code == 404


async def test_only_an_annual_reports_documents_are_published_among_submissions(world: World) -> None:
    msp = await signed_msp(world)
    annual = await submitted(world, msp["id"], "annual_report")
    semester = await submitted(world, msp["id"], "semester_report")
    report = await world.attach(f"/submissions/{annual['id']}/documents", world.ngo)
    other = await world.attach(f"/submissions/{semester['id']}/documents", world.ngo)

    refused = await world.call("PUT", f"/documents/{other['id']}/publication", TPOA, {"public": True}, expected=422)
    assert refused["errors"][0]["field"] == "path.document_id"
    assert "semester report" in refused["errors"][0]["reason"]
    await world.call("PUT", f"/documents/{report['id']}/publication", TPOA, {"public": True})
    [event] = await outbox(world.pool, "agreements.document.published")
    # The MSP counts calendar years: its first annual report is the year 2027's.
    assert (event["data"]["owner_type"], event["data"]["obligation_kind"], event["data"]["year"]) == (
        "submission",
        "annual_report",
        2027,
    )
    assert (event["data"]["owner_id"], event["data"]["msp_id"]) == (annual["id"], msp["id"])
    assert (await world.client.get(f"/public/documents/{report['id']}", headers={})).content == PDF
    assert (await world.client.get(f"/public/documents/{other['id']}", headers={})).status_code == 404


# --- recommendations and their letters ----------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    parts = re.findall(rb"\(((?:[^()\\]|\\.)*)\)\s*Tj", data)
    return re.sub(r"\s+", " ", " ".join(re.sub(rb"\\(.)", rb"\1", p).decode("latin-1") for p in parts))


async def test_deciding_a_recommendation_makes_its_letter_for_both_sides(world: World) -> None:
    msp = await signed_msp(world)
    expert = registry_contracts.ForeignStaffAssigned(
        assignment_id=uuid.uuid4(),
        organization_id=world.organization_id,
        organization_name="NGO",
        full_name="Maria Jensen",
        nationality="DK",
        role="Adviser",
        starts_on=date(2026, 6, 1),
        ends_on=date(2028, 5, 31),
        active_assignments=1,
    )
    await learn(world.pool, expert)
    request = {
        "msp_id": msp["id"],
        "kind": "visa",
        "staff_assignment_id": str(expert.assignment_id),
        "purpose": "Penasihat teknis pengurangan risiko bencana",
    }
    recommendation = await world.call("POST", "/recommendations", world.ngo, request, expected=201)
    path = f"/recommendations/{recommendation['id']}/documents"
    supporting = await world.attach(path, world.ngo, filename="cv.pdf")
    assert supporting["purpose"] == "supporting"
    early = await world.attach(path, KEMENSOS, expected=409)
    assert early["errors"][0]["field"] == "recommendation.status"
    await world.attach(path, REGION, expected=403)

    decision = {"granted": True, "reference_number": "B-77/REK/2027", "note": "Berlaku 12 bulan"}
    world.clock.advance(minutes=1)
    issued = await world.call("POST", f"/recommendations/{recommendation['id']}/issue", KEMENSOS, decision)
    assert issued["status"] == "issued"
    letter = issued["documents"][-1]
    assert (letter["purpose"], letter["generated"], letter["content_type"]) == ("letter", True, "application/pdf")
    assert letter["filename"] == "surat-rekomendasi-B-77-REK-2027.pdf"
    assert letter["uploaded_by"] == "kemensos-officer"

    downloads = [await world.download(letter["id"], who) for who in (world.ngo, KEMENSOS)]
    assert [d.status_code for d in downloads] == [200, 200]
    assert downloads[0].content == downloads[1].content
    text = pdf_text(downloads[0].content)
    for expected in (
        "Kementerian Sosial Republik Indonesia",
        "Jl. Salemba Raya No. 28",
        "Jakarta, 5 Januari 2027",
        "Nomor: B-77/REK/2027",
        "Kepada Yth. Plan International",
        "Nama tenaga ahli: Maria Jensen",
        "Kewarganegaraan: DK",
        "Keputusan: DIBERIKAN.",
        "Catatan: Berlaku 12 bulan",
    ):
        assert expected in text, expected
    for who in (world.other_ngo, KEMENLU, REGION):
        assert (await world.download(letter["id"], who)).status_code == 404

    view = await world.call("GET", f"/recommendations/{recommendation['id']}", world.ngo)
    assert [d["purpose"] for d in view["documents"]] == ["supporting", "letter"]
    [issued_event] = await outbox(world.pool, "agreements.recommendation.issued")
    assert issued_event["data"]["letter"] == {key: letter[key] for key in REF_FIELDS}
    attached = [e["data"] for e in await outbox(world.pool, "agreements.document.attached")]
    assert [(e["purpose"], e["generated"], e["owner_type"]) for e in attached] == [
        ("supporting", False, "recommendation"),
        ("letter", True, "recommendation"),
    ]
    stored = [p for p in world.store_dir.rglob("*") if p.is_file() and p.name == letter["id"]]
    assert [p.read_bytes() for p in stored] == [downloads[0].content]

    # After the decision: no more supporting documents; the ministry uploads its signed scan.
    await world.attach(path, world.ngo, expected=409)
    scan = await world.attach(path, KEMENSOS, filename="surat-bertanda-tangan.pdf")
    assert (scan["purpose"], scan["generated"]) == ("letter", False)
    not_public = await world.call("PUT", f"/documents/{letter['id']}/publication", KEMENSOS, {"public": True}, 422)
    assert not_public["errors"][0]["field"] == "path.document_id"


async def test_a_refused_recommendation_of_a_ministry_without_letterhead_gets_its_name_only(
    world: World, pool: asyncpg.Pool
) -> None:
    msp = await signed_msp(world)
    body = {"msp_id": msp["id"], "kind": "tax_exemption", "purpose": "Impor perahu karet"}
    recommendation = await world.call("POST", "/recommendations", world.ngo, body, expected=201)
    # The MSP's Mitra Utama as agreements knows it has no letterhead in these settings once renamed.
    await pool.execute("UPDATE msps SET ministry_code = 'KEMENLU', ministry_name = 'Kementerian Luar Negeri'")
    decision = {"granted": False, "reference_number": "B-78/REK/2027"}
    issued = await world.call("POST", f"/recommendations/{recommendation['id']}/issue", KEMENLU, decision)
    [letter] = issued["documents"]
    text = pdf_text((await world.download(letter["id"], KEMENLU)).content)
    assert "Kementerian Luar Negeri" in text
    assert "Keputusan: TIDAK DIBERIKAN." in text
    assert "Barang dan keperluan: Impor perahu karet" in text
    assert "Salemba" not in text
    assert "Jakarta," not in text


# --- the store ----------------------------------------------------------------------------------------------------


async def test_a_file_changed_in_the_store_is_refused_not_served(world: World) -> None:
    msp = await signed_msp(world)
    document = await world.attach(f"/msps/{msp['id']}/documents", world.ngo, purpose="signed_msp")
    [stored] = [p for p in world.store_dir.rglob("*") if p.is_file() and p.name == document["id"]]
    stored.write_bytes(PDF.replace(b"report", b"REPORT"))  # same size, other bytes
    response = await world.download(document["id"], KEMENSOS)
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "integrity" in response.json()["title"]
    assert b"REPORT" not in response.content
    stored.unlink()
    assert (await world.download(document["id"], KEMENSOS)).status_code == 500


class LockProbingStore(LocalDirectoryStore):
    """A local store that, as it writes a file, tries to lock the MSP's row from a connection of its own (NOWAIT):
    it notes whether the row was locked then, and how many of the pool's connections were in use."""

    def __init__(self, root: Path, pool: asyncpg.Pool, msp_id: uuid.UUID) -> None:
        super().__init__(root)
        self.pool, self.msp_id = pool, msp_id
        self.seen: list[tuple[bool, int]] = []

    async def put_file(self, key: str, path: Path, *, content_type: str) -> None:
        in_use = self.pool.get_size() - self.pool.get_idle_size()
        async with self.pool.acquire() as conn, conn.transaction():
            try:
                await conn.execute("SELECT 1 FROM msps WHERE id = $1 FOR UPDATE NOWAIT", self.msp_id)
                locked = False
            except asyncpg.LockNotAvailableError:
                locked = True
        self.seen.append((locked, in_use))
        await super().put_file(key, path, content_type=content_type)


async def test_the_file_is_written_before_the_owner_is_locked_and_a_refused_change_leaves_an_orphan(
    world: World, tmp_path: Path
) -> None:
    msp = await signed_msp(world)
    msp_id = uuid.UUID(msp["id"])
    store = LockProbingStore(tmp_path / "probed", world.pool, msp_id)
    upload = tmp_path / "signed.pdf"
    upload.write_bytes(PDF)
    ngo = Principal("ngo-staff", roles=("ngo",), scope={"organization_id": str(world.organization_id)})
    ctx = Context(principal=ngo, now=world.clock(), request_id="lock-probe")

    def received(purpose: str) -> ReceivedFile:
        sha = hashlib.sha256(PDF).hexdigest()
        return ReceivedFile(upload, "signed.pdf", "application/pdf", len(PDF), sha, {"purpose": purpose})

    uow = UnitOfWork(world.pool)
    document = await document_usecases.attach(uow, ctx, store, "msp", msp_id, received("signed_msp"))
    # While the file was copied, the MSP's row was free and the change held no connection of the pool.
    assert store.seen == [(False, 0)]
    assert [p.read_bytes() for p in (tmp_path / "probed").rglob("*") if p.name == str(document.id)] == [PDF]

    # A purpose the owner does not take is refused in the change: the file already written is an orphan, no row
    # names it (the sweeper removes it after the grace period).
    with pytest.raises(Refused):
        await document_usecases.attach(uow, ctx, store, "msp", msp_id, received("letter"))
    assert len(store.seen) == 2
    written = {p.name for p in (tmp_path / "probed").rglob("*") if p.is_file()}
    recorded = {str(r["id"]) for r in await world.pool.fetch("SELECT id FROM documents")}
    assert len(written) == 2
    assert written - recorded != set()
    assert recorded & written == {str(document.id)}
