"""A permit's files through the registry's HTTP API against the real PostgreSQL, with a local store in tmp_path:
who attaches (TPOA; the NGO for its own permit), who reads and downloads (whoever reads the permit), what is
refused and what a refusal leaves behind (no row, no object, no event), the event and the audit entry."""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from support.app import api_client
from support.database import create_migrated_database, drop_database
from support.tokens import as_role

from mitra_registry.bootstrap import build_spec
from mitra_registry.settings import RegistrySettings
from mitra_shared import db
from mitra_shared.contracts.registry import PermitDocumentAttached
from mitra_shared.documents import DOCUMENTS_MIGRATIONS

pytestmark = pytest.mark.integration

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n" + b"x" * 2000
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 500
TPOA = as_role("tpoa", subject="tpoa-officer")
TABLES = "TRUNCATE outbox, documents, permit_reminders, permit_extensions, permits, partners, organizations CASCADE"


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    """The registry's tables and the documents tables, once for the module; each test empties them."""
    dsn = asyncio.run(
        create_migrated_database([DOCUMENTS_MIGRATIONS, db.MigrationSource("registry", "mitra_registry")])
    )
    yield dsn
    asyncio.run(drop_database(dsn))


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await db.create_pool(database, min_size=1, max_size=4)
    try:
        await pool.execute(TABLES)
        yield pool
    finally:
        await pool.close()


@pytest.fixture
async def client(pool: asyncpg.Pool, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    spec = build_spec(RegistrySettings(environment="test", documents_dir=tmp_path, tpoa_members=[]))
    async with api_client(spec, pool, headers=TPOA) as app_client:
        yield app_client


async def new_permit(client: httpx.AsyncClient, name: str) -> tuple[str, str]:
    """An NGO with a principle permit: (organization id, permit id)."""
    ngo = await client.post("/organizations", json={"legal_name": name, "country_of_origin": "GB"})
    assert ngo.status_code == 201, ngo.text
    permit = await client.post(
        f"/organizations/{ngo.json()['id']}/permits",
        json={
            "permit_type": "principle",
            "number": f"IP-{uuid.uuid4().hex[:8]}",
            "issued_on": date.today().isoformat(),
            "valid_until": date.today().replace(year=date.today().year + 2).isoformat(),
        },
    )
    assert permit.status_code == 201, permit.text
    return ngo.json()["id"], permit.json()["id"]


def ngo(organization_id: str) -> dict[str, str]:
    return as_role("ngo", subject=f"staff-{organization_id[:8]}", organization_id=organization_id)


async def attach(
    client: httpx.AsyncClient,
    permit_id: str,
    headers: dict[str, str],
    content: bytes = PDF,
    filename: str = "izin prinsip.pdf",
    **fields: str,
) -> httpx.Response:
    return await client.post(
        f"/permits/{permit_id}/documents",
        files={"file": (filename, content, "application/octet-stream")},
        data=fields,
        headers=headers,
    )


async def events(pool: asyncpg.Pool, routing_key: str) -> list[dict[str, Any]]:
    rows = await pool.fetch("SELECT body FROM outbox WHERE routing_key = $1 ORDER BY seq", routing_key)
    return [json.loads(row["body"]) for row in rows]


def stored_objects(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file() and "documents" in path.parts)


async def test_tpoa_attaches_a_scan_that_the_permits_readers_download(
    client: httpx.AsyncClient, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    organization_id, permit_id = await new_permit(client, "Plan International")
    response = await attach(client, permit_id, TPOA, purpose="scan")
    assert response.status_code == 201, response.text
    document = response.json()
    assert document["filename"] == "izin prinsip.pdf"
    assert document["content_type"] == "application/pdf"
    assert (document["size"], document["sha256"]) == (len(PDF), hashlib.sha256(PDF).hexdigest())
    assert (document["uploaded_by"], document["purpose"], document["generated"]) == ("tpoa-officer", "scan", False)
    assert response.headers["Location"] == f"/documents/{document['id']}"
    assert [path.name for path in stored_objects(tmp_path)] == [document["id"]]

    # The permit's view and its list name it; its readers download the same bytes.
    permit = await client.get(f"/permits/{permit_id}", headers=as_role("ministry", ministry_code="KEMENSOS"))
    assert [d["id"] for d in permit.json()["documents"]] == [document["id"]]
    listed = await client.get("/permits", params={"organization_id": organization_id})
    assert [d["id"] for d in listed.json()["items"][0]["documents"]] == [document["id"]]
    assert (await client.get(f"/permits/{permit_id}/documents", headers=ngo(organization_id))).json() == [document]
    for reader in (TPOA, ngo(organization_id), as_role("region", region_code="33"), as_role("auditor")):
        download = await client.get(f"/documents/{document['id']}", headers=reader)
        assert download.status_code == 200, download.text
        assert download.content == PDF
        assert download.headers["content-type"] == "application/pdf"
        assert download.headers["content-disposition"].startswith("attachment;")

    # The event names the file, never carries it; the change is audited.
    [event] = await events(pool, "registry.document.attached")
    attached = PermitDocumentAttached.model_validate(event["data"])
    assert (attached.owner_id, attached.organization_id) == (uuid.UUID(permit_id), uuid.UUID(organization_id))
    assert attached.document.model_dump(mode="json") == {
        key: document[key] for key in ("id", "filename", "content_type", "size", "sha256")
    }
    assert (attached.attached_by, attached.purpose, event["subject"]) == ("tpoa-officer", "scan", permit_id)
    assert "%PDF" not in json.dumps(event)
    audits = [e["data"] for e in await events(pool, "audit.registry.recorded")]
    assert [(a["action"], a["object_id"]) for a in audits if a["action"] == "permit.document_attached"] == [
        ("permit.document_attached", permit_id)
    ]


async def test_an_ngo_attaches_to_its_own_permit_and_never_sees_anothers(
    client: httpx.AsyncClient, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    own, own_permit = await new_permit(client, "NGO Sendiri")
    _other, other_permit = await new_permit(client, "NGO Lain")
    mine = await attach(client, own_permit, ngo(own))
    assert mine.status_code == 201, mine.text
    assert mine.json()["uploaded_by"] == f"staff-{own[:8]}"
    theirs = await attach(client, other_permit, TPOA)
    assert theirs.status_code == 201

    # Another NGO's permit is answered as if it did not exist: attach, list, download.
    refused = await attach(client, other_permit, ngo(own))
    assert (refused.status_code, refused.json()["errors"][0]["field"]) == (404, "path.permit_id")
    assert (await client.get(f"/permits/{other_permit}/documents", headers=ngo(own))).status_code == 404
    hidden = await client.get(f"/documents/{theirs.json()['id']}", headers=ngo(own))
    assert (hidden.status_code, hidden.json()["errors"][0]["field"]) == (404, "path.document_id")
    assert (await client.get(f"/documents/{uuid.uuid4()}")).status_code == 404

    # The refusal came before the body was read: an executable gets 404, not 415, and nothing was kept.
    assert (await attach(client, other_permit, ngo(own), content=EXECUTABLE)).status_code == 404
    assert await pool.fetchval("SELECT count(*) FROM documents") == 2
    assert len(stored_objects(tmp_path)) == 2
    assert len(await events(pool, "registry.document.attached")) == 2


@pytest.mark.parametrize(
    "caller",
    [
        as_role("ministry", ministry_code="KEMENSOS"),
        as_role("region", region_code="33"),
        as_role("auditor"),
        as_role("integration"),
        as_role("admin"),
    ],
    ids=["ministry", "region", "auditor", "integration", "admin"],
)
async def test_only_tpoa_and_the_ngo_attach(
    client: httpx.AsyncClient, pool: asyncpg.Pool, caller: dict[str, str]
) -> None:
    _, permit_id = await new_permit(client, "Plan International")
    response = await attach(client, permit_id, caller)
    assert response.status_code == 403, response.text
    assert await pool.fetchval("SELECT count(*) FROM documents") == 0


async def test_what_is_not_a_scan_of_an_allowed_type_is_refused(
    client: httpx.AsyncClient, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    _, permit_id = await new_permit(client, "Plan International")
    renamed = await attach(client, permit_id, TPOA, content=EXECUTABLE, filename="izin.pdf")
    assert (renamed.status_code, renamed.json()["errors"][0]["field"]) == (415, "file")
    purpose = await attach(client, permit_id, TPOA, purpose="signed_msp")
    assert (purpose.status_code, purpose.json()["errors"][0]["field"]) == (422, "body.purpose")
    missing = await client.post(f"/permits/{permit_id}/documents", data={"purpose": "scan"}, files={"x": b"1"})
    assert missing.status_code == 422, missing.text
    assert await pool.fetchval("SELECT count(*) FROM documents") == 0
    assert await events(pool, "registry.document.attached") == []
    assert (await attach(client, str(uuid.uuid4()), TPOA)).status_code == 404


async def test_a_scan_uploaded_in_parts_is_attached_by_its_upload_id(client: httpx.AsyncClient) -> None:
    _, permit_id = await new_permit(client, "Plan International")
    tus = {"Tus-Resumable": "1.0.0"}
    created = await client.post("/uploads", headers={**tus, "Upload-Length": str(len(PDF))})
    assert created.status_code == 201, created.text
    location = created.headers["Location"]
    half = len(PDF) // 2
    for offset, part in ((0, PDF[:half]), (half, PDF[half:])):
        patched = await client.patch(
            location,
            content=part,
            headers={**tus, "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"},
        )
        assert patched.status_code == 204, patched.text
    upload_id = location.rsplit("/", 1)[-1]
    attached = await client.post(f"/permits/{permit_id}/documents", json={"upload_id": upload_id, "purpose": "scan"})
    assert attached.status_code == 201, attached.text
    assert attached.json()["sha256"] == hashlib.sha256(PDF).hexdigest()
    download = await client.get(f"/documents/{attached.json()['id']}")
    assert download.content == PDF


async def test_a_scan_changed_behind_the_stores_back_is_not_served(client: httpx.AsyncClient, tmp_path: Path) -> None:
    _, permit_id = await new_permit(client, "Plan International")
    document = (await attach(client, permit_id, TPOA)).json()
    [stored] = stored_objects(tmp_path)
    stored.write_bytes(PDF.replace(b"Catalog", b"Catalig"))
    response = await client.get(f"/documents/{document['id']}")
    assert response.status_code == 500
    assert b"Catalig" not in response.content
