"""The documents store, the same tests on a local directory and on S3 (moto's server), then the records on a real
PostgreSQL and the HTTP answers of documents' refusals."""

from __future__ import annotations

import asyncio
import hashlib
import io
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import asyncpg
import boto3
import httpx
import pytest
from fastapi import FastAPI
from PIL import Image
from prometheus_client import REGISTRY
from pydantic import ValidationError
from support.database import migrated_pool
from support.s3 import S3Server, moto_s3_server

from mitra_shared.contracts.documents import document_ref
from mitra_shared.documents import (
    DOCUMENTS_MIGRATIONS,
    DocumentStore,
    LocalDirectoryStore,
    ReceivedFile,
    S3Store,
    StoredDocument,
    StoredDocumentCorrupted,
    StoredObjectMissing,
    document_row,
    documents_of,
    documents_of_many,
    insert_document,
    serve_document,
    set_document_public,
    store_from_settings,
    store_generated,
    store_received,
)
from mitra_shared.errors import ContentTooLarge, NotFound, UnsupportedContent
from mitra_shared.http import install_problem_handlers
from mitra_shared.service import ServiceRuntime, ServiceSpec
from mitra_shared.settings import ServiceSettings

pytestmark = pytest.mark.integration

PDF_BYTES = b"%PDF-1.7\n" + b"0123456789abcdef" * 10_000 + b"\n%%EOF\n"  # 160 KB: several chunks, spooled to disk


@pytest.fixture(scope="module")
def s3_server() -> Iterator[S3Server]:
    with moto_s3_server() as server:
        yield server


def s3_store(server: S3Server, bucket: str | None = None) -> S3Store:
    return S3Store(
        server.endpoint_url,
        bucket or server.new_bucket(),
        server.region,
        server.access_key_id,
        server.secret_access_key,
    )


@pytest.fixture(params=["local", "s3"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> DocumentStore:
    made: DocumentStore
    if request.param == "local":
        made = LocalDirectoryStore(tmp_path / "documents")
    else:
        made = s3_store(request.getfixturevalue("s3_server"))
    assert await made.check() is None
    return made


def tamper(store: DocumentStore, key: str, data: bytes) -> None:
    """Change an object behind the store's back (a disk error, a hand on the bucket)."""
    if isinstance(store, LocalDirectoryStore):
        store.path_of(key).write_bytes(data)
    else:
        assert isinstance(store, S3Store)
        store._client.put_object(Bucket=store.bucket, Key=key, Body=data)


async def read_all(store: DocumentStore, key: str, chunk_size: int = 65536) -> bytes:
    return b"".join([chunk async for chunk in store.read_chunks(key, chunk_size)])


async def body_of(response: Any) -> bytes:
    return b"".join([chunk async for chunk in response.body_iterator])


def integrity_failures() -> float:
    return REGISTRY.get_sample_value("mitra_documents_integrity_failures_total") or 0.0


def row_of(stored: StoredDocument) -> dict[str, Any]:
    """The documents row `insert_document` would write, for serving without a database."""
    return {
        "id": stored.id,
        "filename": stored.filename,
        "content_type": stored.content_type,
        "size": stored.size,
        "sha256": stored.sha256,
        "storage_key": stored.storage_key,
        "thumbnail_key": stored.thumbnail_key,
        "thumbnail_sha256": stored.thumbnail_sha256,
        "thumbnail_size": stored.thumbnail_size,
    }


# --- the store ----------------------------------------------------------------------------------------------------


async def test_put_read_list_delete(store: DocumentStore, tmp_path: Path) -> None:
    source = tmp_path / "upload.pdf"
    source.write_bytes(PDF_BYTES)
    before = datetime.now(UTC) - timedelta(minutes=1)
    await store.put_file("svc/documents/a", source, content_type="application/pdf")
    await store.put_bytes("svc/documents/b", b"second", content_type="application/pdf")
    await store.put_bytes("svc/thumbnails/a", b"thumb", content_type="image/png")
    await store.put_bytes("other/documents/c", b"someone else's", content_type="application/pdf")

    assert await read_all(store, "svc/documents/a", chunk_size=4096) == PDF_BYTES
    assert await read_all(store, "svc/documents/b") == b"second"

    listed = [stored async for stored in store.list("svc/documents/")]
    assert [(stored.key, stored.size) for stored in listed] == [
        ("svc/documents/a", len(PDF_BYTES)),
        ("svc/documents/b", 6),
    ]
    assert all(before < stored.modified < datetime.now(UTC) + timedelta(minutes=1) for stored in listed)
    assert sorted([stored.key async for stored in store.list("svc/")]) == [
        "svc/documents/a",
        "svc/documents/b",
        "svc/thumbnails/a",
    ]
    assert [stored.key async for stored in store.list("nobody/")] == []

    # Written again under the same key: the new bytes, whole.
    await store.put_bytes("svc/documents/b", b"replaced", content_type="application/pdf")
    assert await read_all(store, "svc/documents/b") == b"replaced"

    await store.delete("svc/documents/a")
    await store.delete("svc/documents/a")  # absent is fine
    await store.delete("svc/documents/never-there")
    with pytest.raises(StoredObjectMissing):
        await read_all(store, "svc/documents/a")
    assert [stored.key async for stored in store.list("svc/documents/")] == ["svc/documents/b"]
    assert await store.check() is None


@pytest.mark.parametrize("key", ["../escape", "/absolute", "svc/../../escape", "svc//double", "svc\\back"])
async def test_keys_that_leave_the_store_are_refused(store: DocumentStore, key: str) -> None:
    with pytest.raises(ValueError, match="not a storage key"):
        await store.put_bytes(key, b"x", content_type="application/pdf")


async def test_check_makes_the_missing_directory_or_bucket(tmp_path: Path, s3_server: S3Server) -> None:
    local = LocalDirectoryStore(tmp_path / "not" / "yet")
    assert await local.check() is None
    assert (tmp_path / "not" / "yet").is_dir()

    bucket = s3_server.new_bucket()
    remote = s3_store(s3_server, bucket)
    client = boto3.client(
        "s3",
        endpoint_url=s3_server.endpoint_url,
        region_name=s3_server.region,
        aws_access_key_id=s3_server.access_key_id,
        aws_secret_access_key=s3_server.secret_access_key,
    )
    assert bucket not in [found["Name"] for found in client.list_buckets()["Buckets"]]
    assert await remote.check() is None
    assert bucket in [found["Name"] for found in client.list_buckets()["Buckets"]]
    assert await remote.check() is None  # again: it is there now
    assert "testing" not in repr(remote)


async def test_the_readiness_probe_makes_nothing(tmp_path: Path, s3_server: S3Server) -> None:
    local = LocalDirectoryStore(tmp_path / "absent")
    assert "missing" in (await local.probe() or "")
    assert not (tmp_path / "absent").exists()
    assert await local.check() is None
    assert await local.probe() is None

    remote = s3_store(s3_server, s3_server.new_bucket())
    problem = await remote.probe()
    assert problem is not None
    assert remote.bucket in problem
    assert await remote.probe() is not None, "the probe did not make the bucket"
    assert await remote.check() is None
    assert await remote.probe() is None
    await remote.close()


@contextmanager
def silent_server() -> Iterator[str]:
    """An endpoint that takes connections and never answers (a blackholed S3); closing it drops them all."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    taken: list[socket.socket] = []
    stopping = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stopping.is_set():
            try:
                taken.append(listener.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stopping.set()
        thread.join()
        for connection in taken:
            connection.close()
        listener.close()


async def test_a_silent_s3_neither_holds_readiness_nor_starves_other_threads() -> None:
    with silent_server() as endpoint:
        store = S3Store(endpoint, "mitra-documents", "us-east-1", "key", "secret")
        runtime = ServiceRuntime(
            ServiceSpec(
                name="docstest",
                title="Documents test",
                description="A service of the test's own with documents.",
                version="0",
                settings=ServiceSettings(environment="test"),
                migrations=DOCUMENTS_MIGRATIONS,
                documents=True,
            )
        )
        runtime.resources = SimpleNamespace(store=store)  # type: ignore[assignment]
        try:
            # Far more calls than the store has threads hang on the silent endpoint...
            hanging = [
                asyncio.create_task(store.put_bytes(f"svc/documents/{n}", b"x", content_type="x")) for n in range(40)
            ]
            started = time.monotonic()
            # ...yet asyncio's default threads (files, the local store, everything else) are free,
            assert await asyncio.wait_for(asyncio.to_thread(lambda: "free"), timeout=2) == "free"
            # and the readiness check answers within its time limit, with a reason.
            problem = await runtime.check_documents()
            assert time.monotonic() - started < 6
            assert problem is not None
            assert "did not answer" in problem
        finally:
            for task in hanging:
                task.cancel()
            await store.close()


async def test_a_local_store_on_a_file_is_not_ready(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    problem = await LocalDirectoryStore(blocker / "documents").check()
    assert problem is not None
    assert "documents directory" in problem


def test_the_settings_build_the_store_they_name(tmp_path: Path, s3_server: S3Server) -> None:
    local = store_from_settings(ServiceSettings(environment="test", documents_dir=tmp_path))
    assert isinstance(local, LocalDirectoryStore)
    assert local.root == tmp_path
    remote = store_from_settings(
        ServiceSettings(
            environment="test",
            documents_store="s3",
            s3_endpoint_url=s3_server.endpoint_url,
            s3_bucket="some-bucket",
            s3_access_key_id="testing",
            s3_secret_access_key="testing",
        )
    )
    assert isinstance(remote, S3Store)
    assert remote.bucket == "some-bucket"


@pytest.mark.parametrize("missing", ["s3_access_key_id", "s3_secret_access_key"])
def test_an_s3_store_without_keys_is_refused(missing: str) -> None:
    values: dict[str, Any] = {"s3_access_key_id": "key", "s3_secret_access_key": "secret"}
    values[missing] = ""
    with pytest.raises(ValidationError, match=f"MITRA_DOCUMENTS_STORE=s3 needs MITRA_{missing.upper()}"):
        ServiceSettings(environment="test", documents_store="s3", s3_endpoint_url="http://127.0.0.1:9000", **values)
    with pytest.raises(ValidationError, match="MITRA_S3_ENDPOINT_URL or MITRA_S3_REGION"):
        ServiceSettings(
            environment="test",
            documents_store="s3",
            s3_region="",
            s3_access_key_id="key",
            s3_secret_access_key="secret",
        )


# --- storing and serving ----------------------------------------------------------------------------------------


async def test_a_generated_document_is_served_with_its_headers(store: DocumentStore) -> None:
    stored = await store_generated(
        store, "svc", filename='Surat "rekomendasi" 2025', content_type="application/pdf", data=PDF_BYTES
    )
    assert stored.storage_key == f"svc/documents/{stored.id}"
    assert stored.filename == "Surat _rekomendasi_ 2025.pdf"
    assert stored.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert stored.size == len(PDF_BYTES)

    response = await serve_document(store, row_of(stored))
    assert await body_of(response) == PDF_BYTES
    assert response.media_type == "application/pdf"
    assert response.headers["content-length"] == str(len(PDF_BYTES))
    assert response.headers["etag"] == f'"{stored.sha256}"'
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "private, no-store"
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"Surat _rekomendasi_ 2025.pdf\"; filename*=UTF-8''Surat%20_rekomendasi_%202025.pdf"
    )
    inline = await serve_document(store, row_of(stored), inline=True)
    assert inline.headers["content-disposition"].startswith("inline; ")
    assert await body_of(inline) == PDF_BYTES

    ref = document_ref(stored)
    assert (ref.id, ref.size, ref.sha256) == (stored.id, stored.size, stored.sha256)


async def test_a_changed_object_is_not_served_and_is_counted(store: DocumentStore) -> None:
    stored = await store_generated(store, "svc", filename="a.pdf", content_type="application/pdf", data=PDF_BYTES)
    damaged = bytearray(PDF_BYTES)
    damaged[5000] ^= 0x01  # one bit, same size
    tamper(store, stored.storage_key, bytes(damaged))
    counted = integrity_failures()
    with pytest.raises(StoredDocumentCorrupted, match="SHA-256 differs"):
        await serve_document(store, row_of(stored))
    assert integrity_failures() == counted + 1

    tamper(store, stored.storage_key, PDF_BYTES + b"more")
    with pytest.raises(StoredDocumentCorrupted, match="larger than"):
        await serve_document(store, row_of(stored))
    tamper(store, stored.storage_key, PDF_BYTES[:-1])
    with pytest.raises(StoredDocumentCorrupted, match="bytes,"):
        await serve_document(store, row_of(stored))
    assert integrity_failures() == counted + 3

    tamper(store, stored.storage_key, PDF_BYTES)  # put right again: served again
    assert await body_of(await serve_document(store, row_of(stored))) == PDF_BYTES


async def test_a_missing_object_is_not_served_and_is_counted(store: DocumentStore) -> None:
    stored = await store_generated(store, "svc", filename="a.pdf", content_type="application/pdf", data=PDF_BYTES)
    await store.delete(stored.storage_key)
    counted = integrity_failures()
    with pytest.raises(StoredDocumentCorrupted, match="missing"):
        await serve_document(store, row_of(stored))
    assert integrity_failures() == counted + 1


def picture(size: tuple[int, int], format_name: str, *, exif_orientation: int | None = None) -> bytes:
    image = Image.new("RGB", size, (20, 120, 200))
    image.paste((250, 250, 0), (0, 0, size[0] // 2, size[1] // 4))
    out = io.BytesIO()
    if exif_orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        image.save(out, format=format_name, exif=exif)
    else:
        image.save(out, format=format_name)
    return out.getvalue()


def received(tmp_path: Path, data: bytes, content_type: str, filename: str) -> ReceivedFile:
    path = tmp_path / f"received-{uuid4().hex}"
    path.write_bytes(data)
    return ReceivedFile(
        path=path,
        filename=filename,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        fields={},
    )


@pytest.mark.parametrize(("format_name", "content_type"), [("JPEG", "image/jpeg"), ("PNG", "image/png")])
async def test_an_image_gets_a_thumbnail_turned_upright(
    store: DocumentStore, tmp_path: Path, format_name: str, content_type: str
) -> None:
    # 1200x800 stored with EXIF orientation 6 ("turn 90° clockwise to view"): upright it is 800 wide, 1200 high.
    data = picture((1200, 800), format_name, exif_orientation=6)
    stored = await store_received(store, "svc", received(tmp_path, data, content_type, "foto.bin"), thumbnail=True)
    assert stored.filename == ("foto.bin.jpg" if content_type == "image/jpeg" else "foto.bin.png")
    assert stored.thumbnail_key == f"svc/thumbnails/{stored.id}"
    assert await read_all(store, stored.storage_key) == data

    response = await serve_document(store, row_of(stored), thumbnail=True, inline=True)
    small = await body_of(response)
    assert hashlib.sha256(small).hexdigest() == stored.thumbnail_sha256
    assert len(small) == stored.thumbnail_size
    assert response.media_type == content_type
    with Image.open(io.BytesIO(small)) as thumbnail:
        assert thumbnail.format == format_name
        assert thumbnail.size == (213, 320)

    without = await store_received(store, "svc", received(tmp_path, data, content_type, "foto"), thumbnail=False)
    assert without.thumbnail_key is None
    with pytest.raises(NotFound):
        await serve_document(store, row_of(without), thumbnail=True)


async def test_a_pdf_gets_no_thumbnail(store: DocumentStore, tmp_path: Path) -> None:
    stored = await store_received(
        store, "svc", received(tmp_path, PDF_BYTES, "application/pdf", "x.pdf"), thumbnail=True
    )
    assert (stored.thumbnail_key, stored.thumbnail_sha256, stored.thumbnail_size) == (None, None, None)


async def test_a_decompression_bomb_is_refused_and_nothing_is_stored(store: DocumentStore, tmp_path: Path) -> None:
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, format="PNG")  # 144 million pixels in a few kilobytes
    bomb = out.getvalue()
    assert len(bomb) < 100_000
    with pytest.raises(UnsupportedContent, match="pixels"):
        await store_received(store, "svc", received(tmp_path, bomb, "image/png", "bomb.png"), thumbnail=True)
    assert [stored.key async for stored in store.list("svc/")] == []


async def test_a_damaged_image_is_refused(store: DocumentStore, tmp_path: Path) -> None:
    damaged = picture((400, 300), "PNG")[:200]
    with pytest.raises(UnsupportedContent, match="cannot be read"):
        await store_received(store, "svc", received(tmp_path, damaged, "image/png", "x.png"), thumbnail=True)


# --- records ------------------------------------------------------------------------------------------------------


@pytest.fixture
async def documents_pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(database, [DOCUMENTS_MIGRATIONS]) as pool:
        yield pool


async def test_documents_are_recorded_listed_and_published(documents_pool: asyncpg.Pool, tmp_path: Path) -> None:
    store = LocalDirectoryStore(tmp_path / "documents")
    owner, other_owner, nobody = uuid4(), uuid4(), uuid4()
    at = datetime(2030, 1, 2, 9, 0, tzinfo=UTC)
    first = await store_generated(store, "svc", filename="first.pdf", content_type="application/pdf", data=PDF_BYTES)
    second = await store_received(
        store, "svc", received(tmp_path, picture((640, 480), "PNG"), "image/png", "plan.png"), thumbnail=True
    )
    third = await store_generated(store, "svc", filename="other.pdf", content_type="application/pdf", data=b"%PDF-")
    async with documents_pool.acquire() as conn:
        # Inserted newest first: listed oldest first all the same.
        row = await insert_document(
            conn, second, owner_type="permit", owner_id=owner, purpose="scan", uploaded_by="ngo-1", uploaded_at=at
        )
        assert row["thumbnail_key"] == second.thumbnail_key
        await insert_document(
            conn,
            first,
            owner_type="permit",
            owner_id=owner,
            purpose="letter",
            uploaded_by="system:svc",
            uploaded_at=at - timedelta(hours=1),
            generated=True,
        )
        await insert_document(
            conn, third, owner_type="permit", owner_id=other_owner, purpose="scan", uploaded_by="x", uploaded_at=at
        )
        with pytest.raises(asyncpg.UniqueViolationError):
            await insert_document(
                conn, first, owner_type="permit", owner_id=owner, purpose="x", uploaded_by="y", uploaded_at=at
            )

        listed = await documents_of(conn, "permit", owner)
        assert [view.id for view in listed] == [first.id, second.id]
        assert [(view.generated, view.has_thumbnail, view.public) for view in listed] == [
            (True, False, False),
            (False, True, False),
        ]
        assert listed[1].model_dump(mode="json") == {
            "id": str(second.id),
            "filename": "plan.png",
            "content_type": "image/png",
            "size": second.size,
            "sha256": second.sha256,
            "uploaded_by": "ngo-1",
            "uploaded_at": "2030-01-02T09:00:00Z",
            "purpose": "scan",
            "public": False,
            "generated": False,
            "has_thumbnail": True,
        }
        assert await documents_of(conn, "story", owner) == []
        many = await documents_of_many(conn, "permit", [owner, other_owner, nobody])
        assert {key: [view.id for view in views] for key, views in many.items()} == {
            owner: [first.id, second.id],
            other_owner: [third.id],
            nobody: [],
        }
        assert await documents_of_many(conn, "permit", []) == {}

        published = await set_document_public(conn, second.id, public=True, now=at + timedelta(days=1))
        assert (published["public"], published["published_at"]) == (True, at + timedelta(days=1))
        again = await set_document_public(conn, second.id, public=True, now=at + timedelta(days=2))
        assert again["published_at"] == at + timedelta(days=1)  # public since the first time
        withdrawn = await set_document_public(conn, second.id, public=False, now=at + timedelta(days=3))
        assert (withdrawn["public"], withdrawn["published_at"]) == (False, None)
        with pytest.raises(NotFound):
            await set_document_public(conn, uuid4(), public=True, now=at)

        found = await document_row(conn, second.id)
        assert found is not None
        assert await document_row(conn, uuid4()) is None
        # A row read back serves its file, checked.
        response = await serve_document(store, found, thumbnail=True)
        assert hashlib.sha256(await body_of(response)).hexdigest() == second.thumbnail_sha256
        assert document_ref(found).sha256 == second.sha256


# --- over HTTP ------------------------------------------------------------------------------------------------------


async def test_documents_refusals_read_as_problems(tmp_path: Path) -> None:
    store = LocalDirectoryStore(tmp_path / "documents")
    stored = await store_generated(store, "svc", filename="a.pdf", content_type="application/pdf", data=PDF_BYTES)
    tamper(store, stored.storage_key, b"%PDF-changed")
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/too-large")
    async def too_large() -> None:
        raise ContentTooLarge("file", "a file may be at most 25 MB")

    @app.get("/unsupported")
    async def unsupported() -> None:
        raise UnsupportedContent("file", "allowed: PDF, DOCX, XLSX, ODT, JPEG, PNG")

    @app.get("/document")
    async def document() -> Any:
        return await serve_document(store, row_of(stored))

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        response = await client.get("/too-large")
        assert response.status_code == 413
        assert response.headers["connection"] == "close"
        assert response.json()["errors"] == [{"field": "file", "reason": "a file may be at most 25 MB"}]
        response = await client.get("/unsupported")
        assert response.status_code == 415
        assert response.headers["content-type"] == "application/problem+json"
        assert "connection" not in response.headers
        response = await client.get("/document")
        assert response.status_code == 500
        problem = response.json()
        assert problem["title"] == "the stored file failed its integrity check and is not served"
        assert str(stored.id) in problem["detail"]
        assert "%PDF" not in response.text


def test_the_documents_migration_source_is_shipped() -> None:
    assert [migration.name for migration in DOCUMENTS_MIGRATIONS.load()] == [
        "001_documents.sql",
        "002_upload_chunks.sql",
    ]
    assert DOCUMENTS_MIGRATIONS.component == "mitra_documents"


# --- a service with documents -----------------------------------------------------------------------------------


def service_spec(settings: ServiceSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, documents: bool) -> Any:
    """A small service of the test's own, with one table of its own in a throw-away package."""
    from mitra_shared.db import MigrationSource
    from mitra_shared.service import ServiceSpec

    package = f"docs_service_{uuid4().hex[:10]}"
    folder = tmp_path / "packages" / package / "sql" / "migrations"
    folder.mkdir(parents=True)
    (tmp_path / "packages" / package / "__init__.py").write_text("")
    (folder / "001_things.sql").write_text("CREATE TABLE things (id uuid PRIMARY KEY);")
    monkeypatch.syspath_prepend(str(tmp_path / "packages"))
    return ServiceSpec(
        name="docsvc",
        title="Documents test service",
        description="A service of the test's own.",
        version="0.0.1",
        settings=settings,
        migrations=MigrationSource("docsvc", package),
        documents=documents,
    )


async def test_a_service_with_documents_migrates_builds_its_store_and_serves_uploads(
    database: str, namespace: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from support.broker import delete_namespace

    from mitra_shared.documents import DocumentSweeper
    from mitra_shared.service import ServiceRuntime, create_app

    settings = ServiceSettings(
        environment="test", database_url=database, amqp_namespace=namespace, documents_dir=tmp_path / "store"
    )
    spec = service_spec(settings, tmp_path, monkeypatch, documents=True)
    app = create_app(spec)
    paths = set(app.openapi()["paths"])
    assert "/uploads" in paths
    assert any(path.startswith("/uploads/{") for path in paths)

    runtime = ServiceRuntime(spec)
    assert [source.component for source in runtime.migration_sources()] == ["mitra_shared", "mitra_documents", "docsvc"]
    assert await runtime.check_documents() == "not started"
    resources = await runtime.start()
    try:
        assert isinstance(resources.store, LocalDirectoryStore)
        assert resources.store.root == tmp_path / "store"
        assert (tmp_path / "store").is_dir()
        assert await runtime.check_documents() is None
        assert any(isinstance(worker, DocumentSweeper) for worker in runtime._workers)
        async with resources.pool.acquire() as conn:
            assert await conn.fetchval("SELECT to_regclass('documents') IS NOT NULL")
            assert await conn.fetchval("SELECT to_regclass('document_uploads') IS NOT NULL")
            assert await conn.fetchval("SELECT to_regclass('things') IS NOT NULL")
    finally:
        await runtime.stop()
        await delete_namespace(namespace, [])


async def test_a_service_without_documents_has_none_of_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mitra_shared.service import ServiceRuntime, create_app

    spec = service_spec(ServiceSettings(environment="test"), tmp_path, monkeypatch, documents=False)
    app = create_app(spec)
    assert not any(path.startswith("/uploads") for path in app.openapi()["paths"])
    assert [source.component for source in ServiceRuntime(spec).migration_sources()] == ["mitra_shared", "docsvc"]


async def test_a_store_that_cannot_be_used_stops_the_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mitra_shared.service import ServiceRuntime

    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    # Nothing else is reached: the database and the broker named here do not exist.
    settings = ServiceSettings(
        environment="test",
        database_url="postgresql://nobody@127.0.0.1:1/none",
        amqp_url="amqp://nobody:nobody@127.0.0.1:1/",
        documents_dir=blocker / "store",
    )
    with pytest.raises(RuntimeError, match=r"the documents store \(local\) cannot be used"):
        await ServiceRuntime(service_spec(settings, tmp_path, monkeypatch, documents=True)).start()
