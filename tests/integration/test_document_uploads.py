"""Resumable uploads (tus at /uploads), attaching a finished upload through the intake, and the documents sweeper,
against the real PostgreSQL and each store: the local directory and an S3 API server (moto's).

The app is a small service of the test's own (`ServiceSpec(documents=True)`, so the runtime's wiring adds the
/uploads router) with one documents route that attaches whatever the intake receives, as the services' routes do.
The connection cut in the middle of a PATCH runs over real TCP: uvicorn in the test's loop, a raw socket that
closes after part of the body.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import hashlib
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn
from fastapi import APIRouter, FastAPI, Request
from starlette.types import Message, Receive, Scope, Send
from support.app import asgi_client, prepared_app
from support.clock import FakeClock
from support.database import create_migrated_database, drop_database
from support.polling import eventually
from support.s3 import S3Server, moto_s3_server
from support.tokens import as_role

from mitra_devtools.launcher import free_port
from mitra_shared import db
from mitra_shared.documents import (
    DOCUMENTS_MIGRATIONS,
    DocumentStore,
    Intake,
    LocalDirectoryStore,
    S3Store,
    StoredDocument,
    insert_document,
    store_received,
)
from mitra_shared.documents.receiving import DocumentIntake
from mitra_shared.documents.sweeper import DocumentSweeper
from mitra_shared.documents.wiring import get_intake
from mitra_shared.errors import Conflict
from mitra_shared.http import RequestContext
from mitra_shared.policy import allow
from mitra_shared.service import ServiceSpec
from mitra_shared.settings import ServiceSettings

SERVICE = "docstest"
TUS = {"Tus-Resumable": "1.0.0"}
NGO = as_role("ngo", subject="ngo-one", organization_id=uuid.uuid4())
OTHER_NGO = as_role("ngo", subject="ngo-two", organization_id=uuid.uuid4())
MAX_BYTES = 2 * 1024 * 1024
CONTENT = b"%PDF-1.7\n" + bytes(range(256)) * 2000 + b"\n%%EOF\n"  # ~512 KB, a PDF by its first bytes

# --- the app -------------------------------------------------------------------------------------------------------

things = APIRouter(tags=["things"])


@things.post("/things/{thing_id}/documents", dependencies=[allow("ngo", "tpoa")], status_code=201)
async def attach(thing_id: uuid.UUID, request: Request, intake: Intake, ctx: RequestContext) -> dict[str, Any]:
    """Attach the file (multipart, or JSON naming a finished upload); `fail` in the fields fails after receiving."""
    async with intake.receive(request, ctx) as received:
        if received.fields.get("fail"):
            raise Conflict("body.fail", "failing as asked, after the file was received")
        stored = await store_received(intake.store, intake.service, received)
        async with intake.pool.acquire() as conn:
            await insert_document(
                conn,
                stored,
                owner_type="thing",
                owner_id=thing_id,
                purpose=received.fields.get("purpose", "annex"),
                uploaded_by=ctx.actor,
                uploaded_at=ctx.now,
            )
    return {"sha256": stored.sha256, "size": stored.size, "filename": stored.filename, "key": stored.storage_key}


@pytest.fixture(scope="module")
def documents_database() -> Iterator[str]:
    dsn = asyncio.run(create_migrated_database([DOCUMENTS_MIGRATIONS]))
    yield dsn
    asyncio.run(drop_database(dsn))


@pytest.fixture
async def pool(documents_database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await db.create_pool(documents_database, min_size=1, max_size=6)
    try:
        await pool.execute("TRUNCATE documents, document_uploads")
        yield pool
    finally:
        await pool.close()


@pytest.fixture(scope="module")
def s3_server() -> Iterator[S3Server]:
    with moto_s3_server() as server:
        yield server


@pytest.fixture(params=["local", "s3"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> DocumentStore:
    made: DocumentStore
    if request.param == "local":
        made = LocalDirectoryStore(tmp_path / "documents")
    else:
        s3: S3Server = request.getfixturevalue("s3_server")
        made = S3Store(s3.endpoint_url, s3.new_bucket(), s3.region, s3.access_key_id, s3.secret_access_key)
    assert await made.check() is None
    return made


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.now(UTC))


@pytest.fixture
def app(pool: asyncpg.Pool, store: DocumentStore, clock: FakeClock) -> FastAPI:
    settings = ServiceSettings(environment="test", documents_max_bytes=MAX_BYTES, documents_upload_expiry_hours=24)
    spec = ServiceSpec(
        name=SERVICE,
        title="Documents test",
        description="A service of the test's own with documents.",
        version="0",
        settings=settings,
        migrations=DOCUMENTS_MIGRATIONS,
        routers=[things],
        documents=True,
    )
    made = prepared_app(spec, pool, clock)
    made.state.resources.store = store
    return made


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app, headers=NGO) as made:
        yield made


def sweeper(app: FastAPI) -> DocumentSweeper:
    return DocumentSweeper(app.state.resources, SERVICE)


async def create_upload(client: httpx.AsyncClient, length: int, filename: str = "laporan.pdf") -> str:
    metadata = f"filename {base64.b64encode(filename.encode()).decode()}"
    response = await client.post("/uploads", headers={**TUS, "Upload-Length": str(length), "Upload-Metadata": metadata})
    assert response.status_code == 201, response.text
    assert response.headers["Tus-Resumable"] == "1.0.0"
    assert response.headers["Upload-Expires"].endswith("GMT")
    location = response.headers["Location"]
    assert location.startswith("/uploads/")
    return location


async def patch(client: httpx.AsyncClient, location: str, offset: int, data: bytes) -> httpx.Response:
    headers = {**TUS, "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"}
    return await client.patch(location, headers=headers, content=data)


async def offset_of(client: httpx.AsyncClient, location: str) -> int:
    response = await client.head(location, headers=TUS)
    assert response.status_code == 200, response.status_code
    assert response.headers["Upload-Length"] == str(len(CONTENT))
    return int(response.headers["Upload-Offset"])


async def chunk_keys(store: DocumentStore, location: str) -> list[str]:
    return [stored.key async for stored in store.list(f"{SERVICE}{location}/")]


# --- tus ----------------------------------------------------------------------------------------------------------


async def test_options_tell_the_protocol_and_every_other_request_must_speak_it(client: httpx.AsyncClient) -> None:
    options = await client.options("/uploads")
    assert options.status_code == 204
    assert options.headers["Tus-Version"] == "1.0.0"
    assert options.headers["Tus-Extension"] == "creation,termination,expiration"
    assert options.headers["Tus-Max-Size"] == str(MAX_BYTES)

    refused = await client.post("/uploads", headers={"Upload-Length": "10"})
    assert refused.status_code == 412
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"][0]["field"] == "header.tus-resumable"


async def test_an_upload_is_created_patched_in_parts_and_attached_with_the_same_bytes(
    client: httpx.AsyncClient, store: DocumentStore, pool: asyncpg.Pool
) -> None:
    location = await create_upload(client, len(CONTENT))
    assert await offset_of(client, location) == 0

    first = await patch(client, location, 0, CONTENT[:200_000])
    assert first.status_code == 204, first.text
    assert first.headers["Upload-Offset"] == "200000"
    assert await offset_of(client, location) == 200_000

    stale = await patch(client, location, 0, CONTENT[:1000])
    assert stale.status_code == 409
    assert stale.json()["errors"][0]["field"] == "header.upload-offset"

    attach_early = await client.post(f"/things/{uuid.uuid4()}/documents", json={"upload_id": location[9:]})
    assert attach_early.status_code == 409, "an unfinished upload cannot be attached"

    too_much = await patch(client, location, 200_000, CONTENT[200_000:] + b"more")
    assert too_much.status_code == 413
    assert await offset_of(client, location) == 200_000, "a refused PATCH keeps nothing"

    rest = await patch(client, location, 200_000, CONTENT[200_000:])
    assert rest.status_code == 204
    assert rest.headers["Upload-Offset"] == str(len(CONTENT))
    assert len(await chunk_keys(store, location)) == 2

    attached = await client.post(
        f"/things/{uuid.uuid4()}/documents", json={"upload_id": location[9:], "purpose": "report"}
    )
    assert attached.status_code == 201, attached.text
    assert attached.json()["sha256"] == hashlib.sha256(CONTENT).hexdigest()
    assert attached.json()["size"] == len(CONTENT)
    assert attached.json()["filename"] == "laporan.pdf"
    chunks = b"".join([data async for data in store.read_chunks(attached.json()["key"])])
    assert chunks == CONTENT

    # The upload became a document: its row and chunks are gone.
    assert (await client.head(location, headers=TUS)).status_code == 404
    assert await chunk_keys(store, location) == []
    assert await pool.fetchval("SELECT count(*) FROM document_uploads") == 0


async def test_of_two_patches_at_one_offset_one_wins_and_only_its_chunk_is_joined(
    client: httpx.AsyncClient, store: DocumentStore
) -> None:
    location = await create_upload(client, len(CONTENT))
    answers = await asyncio.gather(
        patch(client, location, 0, CONTENT[:300_000]), patch(client, location, 0, CONTENT[:100_000])
    )
    assert sorted(answer.status_code for answer in answers) == [204, 409]
    won = next(answer for answer in answers if answer.status_code == 204)
    offset = int(won.headers["Upload-Offset"])
    assert await offset_of(client, location) == offset
    assert len(await chunk_keys(store, location)) == 1, "the losing PATCH deleted its chunk"

    # An object a PATCH left behind (cut by a crash after its write) is never part of the file.
    stray = f"{SERVICE}{location}/{0:012d}-0123456789abcdef"
    await store.put_bytes(stray, b"not part of the file", content_type="application/offset+octet-stream")
    assert (await patch(client, location, offset, CONTENT[offset:])).status_code == 204
    attached = await client.post(f"/things/{uuid.uuid4()}/documents", json={"upload_id": location[9:]})
    assert attached.status_code == 201, attached.text
    assert attached.json()["sha256"] == hashlib.sha256(CONTENT).hexdigest()
    assert await chunk_keys(store, location) == [], "the stray object went with the upload"


async def test_the_same_file_by_multipart_gives_the_same_sha256(client: httpx.AsyncClient) -> None:
    response = await client.post(
        f"/things/{uuid.uuid4()}/documents",
        files={"file": ("laporan.pdf", CONTENT, "application/pdf")},
        data={"purpose": "report"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["sha256"] == hashlib.sha256(CONTENT).hexdigest()


async def test_an_attach_that_fails_keeps_the_upload_for_another_try(
    client: httpx.AsyncClient, store: DocumentStore
) -> None:
    location = await create_upload(client, len(CONTENT))
    assert (await patch(client, location, 0, CONTENT)).status_code == 204
    failed = await client.post(f"/things/{uuid.uuid4()}/documents", json={"upload_id": location[9:], "fail": "yes"})
    assert failed.status_code == 409
    assert await offset_of(client, location) == len(CONTENT)
    assert len(await chunk_keys(store, location)) == 1

    again = await client.post(f"/things/{uuid.uuid4()}/documents", json={"upload_id": location[9:]})
    assert again.status_code == 201, again.text


async def test_an_attach_that_cannot_make_its_temporary_file_keeps_the_upload(
    app: FastAPI, client: httpx.AsyncClient, store: DocumentStore, tmp_path: Path
) -> None:
    location = await create_upload(client, len(CONTENT))
    assert (await patch(client, location, 0, CONTENT)).status_code == 204
    resources = app.state.resources
    no_room = DocumentIntake(store, resources.pool, MAX_BYTES, SERVICE, temp_dir=tmp_path / "missing")
    app.dependency_overrides[get_intake] = lambda: no_room
    try:
        try:
            failed = await client.post(f"/things/{uuid.uuid4()}/documents", json={"upload_id": location[9:]})
            assert failed.status_code == 500
        except FileNotFoundError:
            pass  # the app's error, raised through the test transport
    finally:
        app.dependency_overrides.clear()
    assert await offset_of(client, location) == len(CONTENT), "the upload is still there"
    again = await client.post(f"/things/{uuid.uuid4()}/documents", json={"upload_id": location[9:]})
    assert again.status_code == 201, again.text


async def test_an_upload_attached_twice_at_once_makes_one_document(
    client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    location = await create_upload(client, len(CONTENT))
    assert (await patch(client, location, 0, CONTENT)).status_code == 204
    thing = uuid.uuid4()
    answers = await asyncio.gather(
        *(client.post(f"/things/{thing}/documents", json={"upload_id": location[9:]}) for _ in range(2))
    )
    assert sorted(answer.status_code for answer in answers)[0] == 201
    assert sorted(answer.status_code for answer in answers)[1] == 404  # the first took it
    assert await pool.fetchval("SELECT count(*) FROM documents WHERE owner_id = $1", thing) == 1


async def test_another_principal_sees_no_upload_of_someone_else(app: FastAPI, client: httpx.AsyncClient) -> None:
    location = await create_upload(client, len(CONTENT))
    assert (await patch(client, location, 0, CONTENT)).status_code == 204
    async with asgi_client(app, headers=OTHER_NGO) as other:
        assert (await other.head(location, headers=TUS)).status_code == 404
        assert (await patch(other, location, len(CONTENT), b"x")).status_code == 404
        assert (await other.delete(location, headers=TUS)).status_code == 404
        attach = await other.post(f"/things/{uuid.uuid4()}/documents", json={"upload_id": location[9:]})
        assert attach.status_code == 404
        assert attach.json()["errors"][0]["field"] == "body.upload_id"
    assert await offset_of(client, location) == len(CONTENT)


async def test_roles_that_never_upload_are_refused(app: FastAPI) -> None:
    async with asgi_client(app, headers=as_role("auditor")) as auditor:
        response = await auditor.post("/uploads", headers={**TUS, "Upload-Length": "10"})
    assert response.status_code == 403


async def test_creation_refuses_a_length_over_the_limit_and_a_patch_of_another_type(client: httpx.AsyncClient) -> None:
    too_large = await client.post("/uploads", headers={**TUS, "Upload-Length": str(MAX_BYTES + 1)})
    assert too_large.status_code == 413
    assert too_large.json()["errors"][0]["field"] == "header.upload-length"
    no_length = await client.post("/uploads", headers=TUS)
    assert no_length.status_code == 422

    location = await create_upload(client, len(CONTENT))
    wrong_type = await client.patch(
        location, headers={**TUS, "Upload-Offset": "0", "Content-Type": "application/pdf"}, content=CONTENT
    )
    assert wrong_type.status_code == 415


async def test_one_caller_has_at_most_twenty_uploads_in_progress(app: FastAPI, client: httpx.AsyncClient) -> None:
    locations = await asyncio.gather(*(create_upload(client, 10) for _ in range(20)))
    refused = await client.post("/uploads", headers={**TUS, "Upload-Length": "10"})
    assert refused.status_code == 409
    async with asgi_client(app, headers=OTHER_NGO) as other:
        assert (await other.post("/uploads", headers={**TUS, "Upload-Length": "10"})).status_code == 201
    assert (await client.delete(locations[0], headers=TUS)).status_code == 204
    assert (await client.post("/uploads", headers={**TUS, "Upload-Length": "10"})).status_code == 201


async def test_a_deleted_upload_loses_its_chunks(client: httpx.AsyncClient, store: DocumentStore) -> None:
    location = await create_upload(client, len(CONTENT))
    assert (await patch(client, location, 0, CONTENT[:1000])).status_code == 204
    deleted = await client.delete(location, headers=TUS)
    assert deleted.status_code == 204
    assert (await client.head(location, headers=TUS)).status_code == 404
    assert await chunk_keys(store, location) == []


async def test_a_patch_cut_in_the_middle_keeps_what_arrived_and_resumes(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """Over real TCP: uvicorn serves the app; a raw socket sends the headers and part of the body, waits until the
    app has taken at least `part` bytes of it, then closes. HEAD tells exactly the bytes the app took; a second
    PATCH from there finishes the file, which attaches with the original's SHA-256."""
    location = await create_upload(client, len(CONTENT))
    part = 300_000
    counted = CountedBody(app)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(counted, host="127.0.0.1", port=port, lifespan="off", log_level="warning"))
    serving = asyncio.create_task(server.serve())
    try:
        await eventually(lambda: _started(server), description="uvicorn started")
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        head = (
            f"PATCH {location} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {NGO['Authorization']}\r\n"
            f"Tus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\n"
            f"Content-Length: {len(CONTENT)}\r\n\r\n"
        )
        writer.write(head.encode() + CONTENT[:part])
        await writer.drain()
        await eventually(lambda: _at_least(counted, part), description="the app took the bytes sent")
        writer.close()  # the line drops: the rest of the body never comes
        await writer.wait_closed()

        async def kept() -> int:
            return await offset_of(client, location)

        offset = await eventually(kept, description="the bytes that arrived are kept")
        assert offset == counted.taken, "exactly what the app took before the line dropped"
        assert 0 < offset < len(CONTENT)
    finally:
        server.should_exit = True
        await serving

    resumed = await patch(client, location, offset, CONTENT[offset:])
    assert resumed.status_code == 204, resumed.text
    attached = await client.post(f"/things/{uuid.uuid4()}/documents", json={"upload_id": location[9:]})
    assert attached.status_code == 201, attached.text
    assert attached.json()["sha256"] == hashlib.sha256(CONTENT).hexdigest()


class CountedBody:
    """ASGI middleware counting the request body bytes the app has taken from the server (`taken`)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.taken = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def counting() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                self.taken += len(message.get("body", b""))
            return message

        await self.app(scope, counting if scope["type"] == "http" else receive, send)


async def _started(server: uvicorn.Server) -> bool:
    return server.started


async def _at_least(counted: CountedBody, size: int) -> bool:
    return counted.taken >= size


# --- the sweeper --------------------------------------------------------------------------------------------------


async def test_the_sweeper_deletes_old_orphans_only(app: FastAPI, store: DocumentStore, pool: asyncpg.Pool) -> None:
    orphan = f"{SERVICE}/documents/{uuid.uuid4()}"
    orphan_thumbnail = f"{SERVICE}/thumbnails/{uuid.uuid4()}"
    named_id = uuid.uuid4()
    named = f"{SERVICE}/documents/{named_id}"
    named_thumbnail = f"{SERVICE}/thumbnails/{named_id}"
    someone_elses = f"otherservice/documents/{uuid.uuid4()}"
    for key in (orphan, orphan_thumbnail, named, named_thumbnail, someone_elses):
        await store.put_bytes(key, CONTENT[:100], content_type="application/pdf")
    digest = hashlib.sha256(CONTENT[:100]).hexdigest()
    async with pool.acquire() as conn:
        await insert_document(
            conn,
            StoredDocument(named_id, named, "a.pdf", "application/pdf", 100, digest, named_thumbnail, digest, 100),
            owner_type="thing",
            owner_id=uuid.uuid4(),
            purpose="annex",
            uploaded_by="ngo-one",
            uploaded_at=datetime.now(UTC),
        )

    fresh = await sweeper(app).sweep_once(datetime.now(UTC))
    assert fresh.ran
    assert fresh.orphans_deleted == 0, "within the grace nothing goes, named or not"

    later = await sweeper(app).sweep_once(datetime.now(UTC) + timedelta(hours=25))
    assert later.orphans_deleted == 2
    left = {stored.key async for stored in store.list("")}
    assert left == {named, named_thumbnail, someone_elses}


async def test_the_sweeper_removes_expired_uploads_and_loose_chunks(
    app: FastAPI, client: httpx.AsyncClient, store: DocumentStore, pool: asyncpg.Pool, clock: FakeClock
) -> None:
    expiring = await create_upload(client, len(CONTENT))
    assert (await patch(client, expiring, 0, CONTENT[:1000])).status_code == 204
    clock.advance(hours=23)
    young = await create_upload(client, len(CONTENT))
    assert (await patch(client, young, 0, CONTENT[:1000])).status_code == 204
    loose = f"{SERVICE}/uploads/{uuid.uuid4()}/000000000000"  # an attached upload's chunk left behind
    await store.put_bytes(loose, b"x", content_type="application/offset+octet-stream")

    fresh = await sweeper(app).sweep_once(datetime.now(UTC))
    assert fresh.uploads_expired == 0
    assert fresh.chunks_deleted == 0
    assert [key async for key in _keys(store, loose)] == [loose], "within the grace a loose chunk stays"

    # 24.5 h after the first upload began, 1.5 h after the second: the first expired; the loose chunk is not yet
    # older than an upload may live (24 h) and an hour more.
    result = await sweeper(app).sweep_once(clock.advance(hours=1, minutes=30))
    assert result.uploads_expired == 1
    assert result.chunks_deleted == 1  # the expired upload's chunk
    assert await chunk_keys(store, expiring) == []
    assert [key async for key in _keys(store, loose)] == [loose]

    later = await sweeper(app).sweep_once(clock.advance(hours=1))  # 25.5 h
    assert later.chunks_deleted == 1  # the loose one
    assert [key async for key in _keys(store, loose)] == []
    assert await pool.fetchval("SELECT count(*) FROM document_uploads") == 1
    assert await offset_of(client, young) == 1000, "an upload in progress keeps its chunks, however old"
    assert len(await chunk_keys(store, young)) == 1


async def test_the_sweeper_spares_the_chunks_of_an_upload_being_attached(
    app: FastAPI, client: httpx.AsyncClient, store: DocumentStore, pool: asyncpg.Pool, clock: FakeClock
) -> None:
    # A short orphan grace and a long upload expiry: an upload may be attached when its chunks are far older than
    # the grace, and while it is attached its row is gone (taken). Its chunks must outlive any upload.
    settings = app.state.resources.settings.model_copy(update={"documents_orphan_grace_hours": 1})
    resources = copy.copy(app.state.resources)
    resources.settings = settings
    worker = DocumentSweeper(resources, SERVICE)
    location = await create_upload(client, len(CONTENT))
    assert (await patch(client, location, 0, CONTENT)).status_code == 204
    await pool.execute("DELETE FROM document_uploads")  # as the attach's take does, for the moment of the join

    during = await worker.sweep_once(clock.advance(hours=23))
    assert during.chunks_deleted == 0
    assert len(await chunk_keys(store, location)) == 1

    after = await worker.sweep_once(clock.advance(hours=2, minutes=1))  # older than the expiry and an hour
    assert after.chunks_deleted == 1
    assert await chunk_keys(store, location) == []


async def _keys(store: DocumentStore, key: str) -> AsyncIterator[str]:
    async for stored in store.list(key.rsplit("/", 1)[0] + "/"):
        if stored.key == key:
            yield stored.key


async def test_only_one_replica_sweeps_at_a_time(app: FastAPI, pool: asyncpg.Pool) -> None:
    from mitra_shared.documents.sweeper import lock_key

    async with pool.acquire() as holder:
        assert await holder.fetchval("SELECT pg_try_advisory_lock($1)", lock_key(SERVICE))
        try:
            skipped = await sweeper(app).sweep_once(datetime.now(UTC))
        finally:
            await holder.fetchval("SELECT pg_advisory_unlock($1)", lock_key(SERVICE))
    assert not skipped.ran
    assert (await sweeper(app).sweep_once(datetime.now(UTC))).ran


async def test_the_sweeper_runs_in_the_background_until_stopped(app: FastAPI, store: DocumentStore) -> None:
    runs = []
    worker = sweeper(app)
    original = worker.sweep_once

    async def counted(now: datetime) -> Any:
        result = await original(now)
        runs.append(result)
        return result

    worker.sweep_once = counted  # type: ignore[method-assign]
    await worker.start()
    try:
        await eventually(lambda: _ran(runs), description="a first sweep at start")
        assert worker.running
    finally:
        await worker.stop()
    assert not worker.running
    assert runs[0].ran


async def _ran(runs: list[Any]) -> bool:
    return bool(runs)
