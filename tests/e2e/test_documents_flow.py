"""Documents end to end: registry and agreements as processes over HTTP and AMQP, agreements keeping its files in a
local directory or in an S3 bucket (moto's S3 API server), one system per store for the module.

The NGO attaches a PDF to its report and its ministry downloads the same bytes, while another NGO is told nothing
exists; an executable renamed `.pdf` gets 415; a 60 MB upload gets 413 without the server reading the body; a
resumable (tus) upload whose PATCH connection breaks in the middle resumes where the server stopped and is attached
by its id; a stored file changed behind agreements' back is refused (500), never served; a recommendation the
ministry decides comes with a letter both the NGO and the ministry download.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import httpx
import pytest
from support import eventually
from support.s3 import S3Server, moto_s3_server
from support.services import RunningSystem, running_services
from support.tokens import as_role

from mitra_shared.clock import add_months, jakarta_date, system_clock

pytestmark = pytest.mark.e2e
TPOA = as_role("tpoa", subject="tpoa-e2e")
MiB = 1024 * 1024
PDF = b"%PDF-1.7\n" + b"% laporan semester\n" * 4000 + b"%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + os.urandom(4096)


@dataclass
class Store:
    """Where this system's agreements keeps its files, and how a test reaches behind its back."""

    kind: str
    directory: Path | None = None
    s3: S3Server | None = None
    bucket: str | None = None

    def overwrite(self, key: str, data: bytes) -> None:
        if self.directory is not None:
            (self.directory / key).write_bytes(data)
            return
        assert self.s3 is not None
        client = boto3.client(
            "s3",
            endpoint_url=self.s3.endpoint_url,
            region_name=self.s3.region,
            aws_access_key_id=self.s3.access_key_id,
            aws_secret_access_key=self.s3.secret_access_key,
        )
        client.put_object(Bucket=self.bucket, Key=key, Body=data)


@dataclass
class System:
    running: RunningSystem
    store: Store

    @property
    def registry(self) -> str:
        return self.running.url("registry")

    @property
    def agreements(self) -> str:
        return self.running.url("agreements")


@pytest.fixture(scope="module", params=["local", "s3"])
def system(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    with ExitStack() as stack:
        if request.param == "s3":
            s3 = stack.enter_context(moto_s3_server())
            bucket = s3.new_bucket()
            store = Store("s3", s3=s3, bucket=bucket)
            env = s3.environment(bucket)
        else:
            directory = tmp_path_factory.mktemp("documents")
            store = Store("local", directory=directory)
            env = {"MITRA_DOCUMENTS_STORE": "local", "MITRA_DOCUMENTS_DIR": str(directory)}
        running = stack.enter_context(
            running_services(
                ["registry", "agreements"],
                log_dir=tmp_path_factory.mktemp(f"documents-{request.param}-logs"),
                namespace_prefix="e2e-documents",
                extra_env={"agreements": env},
            )
        )
        yield System(running, store)


@dataclass
class World:
    """An NGO with a signed MSP and a report awaiting review, its ministry, and a stranger NGO."""

    ngo: dict[str, str]
    ministry: dict[str, str]
    stranger: dict[str, str]
    msp_id: str
    submission_id: str


async def post(
    client: httpx.AsyncClient, url: str, body: dict[str, Any], headers: dict[str, str], expected: int = 201
) -> dict[str, Any]:
    response = await client.post(url, json=body, headers=headers)
    assert response.status_code == expected, response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def world(system: System) -> World:
    return asyncio.run(_world(system))


async def _world(system: System) -> World:
    """Registry registers the NGO, its permit and its ministry; agreements learns of them by events; the NGO drafts
    and submits, TPOA approves, the ministry signs; the NGO submits its first semester report."""
    today = jakarta_date(system_clock())
    suffix = uuid.uuid4().hex[:6]
    async with httpx.AsyncClient(timeout=20) as client:
        ngo = await post(
            client,
            f"{system.registry}/organizations",
            {"legal_name": f"Plan {suffix}", "country_of_origin": "GB"},
            TPOA,
        )
        issued_on = today - timedelta(days=300)
        permit = {
            "permit_type": "principle",
            "number": f"IP-{suffix}",
            "issued_on": issued_on.isoformat(),
            "valid_until": (add_months(issued_on, 36) - timedelta(days=1)).isoformat(),
        }
        await post(client, f"{system.registry}/organizations/{ngo['id']}/permits", permit, TPOA)
        code = f"KS{suffix.upper()}"
        ministry = await post(
            client,
            f"{system.registry}/partners",
            {"kind": "ministry", "code": code, "name": "Kementerian Sosial"},
            TPOA,
        )
        staff = as_role("ngo", subject=f"ngo-{suffix}", organization_id=ngo["id"])
        officer = as_role("ministry", subject=f"ministry-{suffix}", ministry_code=code)
        draft = {
            "organization_id": ngo["id"],
            "ministry_partner_id": ministry["id"],
            "title": "Perlindungan anak",
            "starts_on": (today - timedelta(days=30)).isoformat(),
            "ends_on": (today + timedelta(days=700)).isoformat(),
        }

        async def drafted() -> dict[str, Any] | None:
            response = await client.post(f"{system.agreements}/msps", json=draft, headers=staff)
            if response.status_code == 422:
                return None  # agreements has not learned of the NGO or the ministry yet
            assert response.status_code == 201, response.text
            return response.json()  # type: ignore[no-any-return]

        msp = await eventually(drafted, interval=0.2, description="agreements taking the draft")
        base = f"{system.agreements}/msps/{msp['id']}"
        await post(client, f"{base}/submit", {}, staff, expected=200)
        await post(client, f"{base}/approve", {"note": "ok"}, TPOA, expected=200)
        signing = {
            "number": f"MSP/{suffix}",
            "signatories": [{"name": "Dra. Sri", "title": "Director General", "party": "ministry"}],
        }

        async def signed() -> bool:
            response = await client.post(f"{base}/sign", json=signing, headers=officer)
            if response.status_code == 409:
                return False  # the permit's event has not arrived yet
            assert response.status_code == 200, response.text
            return True

        await eventually(signed, interval=0.2, description="the MSP signed")
        obligations = (await client.get(f"{base}/obligations", headers=staff)).json()
        report = next(o for o in obligations if o["kind"] == "semester_report")
        submission = await post(
            client,
            f"{system.agreements}/obligations/{report['id']}/submissions",
            {"summary": "Laporan semester: 12 pelatihan"},
            staff,
        )
    stranger = as_role("ngo", subject=f"stranger-{suffix}", organization_id=uuid.uuid4())
    return World(staff, officer, stranger, msp["id"], submission["id"])


async def attach(
    client: httpx.AsyncClient, url: str, who: dict[str, str], content: bytes, filename: str = "laporan.pdf"
) -> httpx.Response:
    return await client.post(url, files={"file": (filename, content, "application/pdf")}, headers=who)


async def test_the_ngo_attaches_its_report_and_its_ministry_downloads_the_same_bytes(
    system: System, world: World
) -> None:
    async with httpx.AsyncClient(base_url=system.agreements, timeout=20) as client:
        attached = await attach(client, f"/submissions/{world.submission_id}/documents", world.ngo, PDF)
        assert attached.status_code == 201, attached.text
        document = attached.json()
        assert attached.headers["location"] == f"/documents/{document['id']}"
        assert (document["sha256"], document["size"]) == (hashlib.sha256(PDF).hexdigest(), len(PDF))

        download = await client.get(f"/documents/{document['id']}", headers=world.ministry)
        assert download.status_code == 200, download.text
        assert download.content == PDF
        assert download.headers["content-type"].startswith("application/pdf")
        listed = await client.get(f"/submissions/{world.submission_id}/documents", headers=world.ministry)
        assert [d["id"] for d in listed.json()] == [document["id"]]

        assert (await client.get(f"/documents/{document['id']}", headers=world.stranger)).status_code in (403, 404)
        stranger_attach = await attach(client, f"/submissions/{world.submission_id}/documents", world.stranger, PDF)
        assert stranger_attach.status_code in (403, 404)


async def test_an_executable_renamed_pdf_is_refused_with_415(system: System, world: World) -> None:
    async with httpx.AsyncClient(base_url=system.agreements, timeout=20) as client:
        refused = await attach(client, f"/submissions/{world.submission_id}/documents", world.ngo, EXE, "setup.pdf")
        assert refused.status_code == 415, refused.text
        assert refused.headers["content-type"] == "application/problem+json"


async def _raw_request(url: str, head: bytes, body_part: bytes, *, close_after: bool = False) -> bytes:
    """Send a request's head and part of its body over a plain socket; unless `close_after`, read the answer
    (everything until the server closes the connection, within 15 s)."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        writer.write(head + body_part)
        await writer.drain()
        if close_after:
            return b""
        return await asyncio.wait_for(reader.read(-1), timeout=15)
    finally:
        writer.close()
        with suppress(ConnectionError, OSError):
            await writer.wait_closed()


async def test_a_60_mb_file_gets_413_and_a_stranger_404_before_the_body_is_read(system: System, world: World) -> None:
    boundary = "mitra-e2e-boundary"
    preamble = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="besar.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    authority = urlsplit(system.agreements).netloc
    head = (
        f"POST /submissions/{world.submission_id}/documents HTTP/1.1\r\n"
        f"Host: {authority}\r\n"
        f"Authorization: {world.ngo['Authorization']}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {60 * MiB}\r\n\r\n"
    ).encode()
    # 4 KiB of the 60 MB: the answer comes (and the connection closes) without the rest being sent.
    answer = await _raw_request(system.agreements, head, preamble + PDF[:4096])
    status_line = answer.split(b"\r\n", 1)[0]
    assert status_line.startswith(b"HTTP/1.1 413"), answer[:500]
    assert b"application/problem+json" in answer.lower()

    # Another NGO is told the submission does not exist, before its body is read either.
    stranger = head.replace(world.ngo["Authorization"].encode(), world.stranger["Authorization"].encode())
    answer = await _raw_request(system.agreements, stranger, preamble + PDF[:4096])
    assert answer.split(b"\r\n", 1)[0].startswith(b"HTTP/1.1 404"), answer[:500]


async def test_a_broken_resumable_upload_resumes_and_is_attached(system: System, world: World) -> None:
    original = b"%PDF-1.7\n" + os.urandom(3 * MiB) + b"\n%%EOF\n"
    tus = {"Tus-Resumable": "1.0.0"}
    async with httpx.AsyncClient(base_url=system.agreements, timeout=30) as client:
        metadata = "filename " + base64.b64encode(b"laporan lengkap.pdf").decode()
        created = await client.post(
            "/uploads", headers={**world.ngo, **tus, "Upload-Length": str(len(original)), "Upload-Metadata": metadata}
        )
        assert created.status_code == 201, created.text
        location = created.headers["location"]
        assert (await client.head(location, headers={**world.stranger, **tus})).status_code == 404

        # The first PATCH says it carries the whole file, sends half of it and the line drops.
        half = len(original) // 2
        head = (
            f"PATCH {location} HTTP/1.1\r\nHost: {urlsplit(system.agreements).netloc}\r\n"
            f"Authorization: {world.ngo['Authorization']}\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n"
            f"Content-Type: application/offset+octet-stream\r\nContent-Length: {len(original)}\r\n\r\n"
        ).encode()
        await _raw_request(system.agreements, head, original[:half], close_after=True)

        async def kept() -> int:
            state = await client.head(location, headers={**world.ngo, **tus})
            assert state.status_code == 200, state.text
            return int(state.headers["upload-offset"])

        offset = await eventually(kept, description="the bytes of the broken PATCH kept")
        assert 0 < offset <= half
        rest = await client.patch(
            location,
            content=original[offset:],
            headers={
                **world.ngo,
                **tus,
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
            },
        )
        assert rest.status_code == 204, rest.text
        assert int(rest.headers["upload-offset"]) == len(original)

        upload_id = location.rsplit("/", 1)[1]
        body = {"upload_id": upload_id, "purpose": "annex"}
        attached = await client.post(f"/submissions/{world.submission_id}/documents", json=body, headers=world.ngo)
        assert attached.status_code == 201, attached.text
        document = attached.json()
        assert (document["purpose"], document["size"]) == ("annex", len(original))
        download = await client.get(f"/documents/{document['id']}", headers=world.ministry)
        assert download.status_code == 200
        assert hashlib.sha256(download.content).hexdigest() == hashlib.sha256(original).hexdigest()
        # The upload is gone once attached.
        assert (await client.head(location, headers={**world.ngo, **tus})).status_code == 404


async def test_a_stored_file_changed_behind_agreements_back_is_refused_not_served(system: System, world: World) -> None:
    original = b"%PDF-1.7\n% the signed MSP\n" + os.urandom(2048) + b"\n%%EOF\n"
    async with httpx.AsyncClient(base_url=system.agreements, timeout=20) as client:
        response = await client.post(
            f"/msps/{world.msp_id}/documents",
            files={"file": ("msp.pdf", original, "application/pdf")},
            data={"purpose": "signed_msp"},
            headers=world.ministry,
        )
        assert response.status_code == 201, response.text
        document = response.json()
        assert (await client.get(f"/documents/{document['id']}", headers=world.ngo)).content == original

        tampered = original[:-20] + b"tampered tampered!!\n"
        assert len(tampered) == len(original)
        system.store.overwrite(f"agreements/documents/{document['id']}", tampered)
        refused = await client.get(f"/documents/{document['id']}", headers=world.ngo)
        assert refused.status_code == 500
        assert refused.headers["content-type"] == "application/problem+json"
        assert "integrity" in refused.json()["title"]
        assert b"tampered" not in refused.content


async def test_a_decided_recommendation_comes_with_a_letter_both_sides_download(system: System, world: World) -> None:
    async with httpx.AsyncClient(base_url=system.agreements, timeout=20) as client:
        # A tax exemption: its letter is made as a visa's is, and it needs no foreign-staff assignment (an applicant
        # NGO has none; visas tied to the staff register: tests/integration/test_agreements_recommendations_staff.py).
        request = {"msp_id": world.msp_id, "kind": "tax_exemption", "purpose": "Pembebasan bea masuk peralatan"}
        recommendation = await post(client, "/recommendations", request, world.ngo)
        reference = f"B-{uuid.uuid4().hex[:6]}/REK/{date.today().year}"
        issued = await post(
            client,
            f"/recommendations/{recommendation['id']}/issue",
            {"granted": True, "reference_number": reference},
            world.ministry,
            expected=200,
        )
        [letter] = [d for d in issued["documents"] if d["purpose"] == "letter"]
        assert letter["generated"] is True
        by_ngo = await client.get(f"/documents/{letter['id']}", headers=world.ngo)
        by_ministry = await client.get(f"/documents/{letter['id']}", headers=world.ministry)
        assert (by_ngo.status_code, by_ministry.status_code) == (200, 200)
        assert by_ngo.content == by_ministry.content
        assert by_ngo.content.startswith(b"%PDF-")
        assert reference.encode() in by_ngo.content
        assert hashlib.sha256(by_ngo.content).hexdigest() == letter["sha256"]
        assert (await client.get(f"/documents/{letter['id']}", headers=world.stranger)).status_code == 404
        seen = await client.get(f"/recommendations/{recommendation['id']}", headers=world.ngo)
        assert [d["id"] for d in seen.json()["documents"]] == [letter["id"]]
