"""Documents in the console's pages, in-process (the console's real app over ASGI, a real database for its sessions),
the services stood in for by stubs that answer as their APIs do and keep what they were sent (as in
test_console_web_msps.py): an obligation's submission files listed and downloaded (streamed through with the
service's headers), a file attached without JavaScript (multipart passed on with the person's token) or by a
finished resumable upload's id (JSON), the service's 413 and 415 shown in the error summary at the file input, a body
over the limit refused before anything is read or sent, a report submitted with its file, the resumable-upload
proxy (tus headers both ways, the Location rewritten, the CSRF header required, only the three services), the
recommendation letter first as "Surat rekomendasi" for the ministry and the NGO, the MSP's documents made public
by its Mitra Utama, and the forms shown only to those who may use them."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import asyncpg
import httpx
import pytest
from support.app import asgi_client, prepared_app
from support.clock import FakeClock
from test_console_web_msps import (  # noqa: F401 - fixtures
    MSP_ID,
    PLAN,
    REPORT_ID,
    SUBMISSION_ID,
    console_database,
    console_pool_fixture,
    csrf_of,
    log_in_as,
    msp,
    obligation,
    page_of,
    queue_item,
    submission,
    text_of,
)

from mitra_console.bootstrap import build_spec
from mitra_console.settings import ConsoleSettings

pytestmark = pytest.mark.integration

LIMIT = 200_000  # MITRA_DOCUMENTS_MAX_BYTES of these tests
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 400 + b"\n%%EOF\n"  # ~100 KB, every byte value
DOCUMENT_ID = "d0c00000-0000-4000-8000-000000000001"
LETTER_ID = "d0c00000-0000-4000-8000-000000000002"
SUPPORTING_ID = "d0c00000-0000-4000-8000-000000000003"
RECOMMENDATION_ID = "7ec00000-0000-4000-8000-000000000001"
UPLOAD_ID = "0b1d0000-0000-4000-8000-000000000001"


def document(doc_id: str = DOCUMENT_ID, **changes: Any) -> dict[str, Any]:
    return {
        "id": doc_id,
        "filename": "laporan-semester-1.pdf",
        "content_type": "application/pdf",
        "size": len(PDF),
        "sha256": "0" * 64,
        "uploaded_by": "plan-staff",
        "uploaded_at": "2026-07-20T02:05:00Z",
        "purpose": "main",
        "public": False,
        "generated": False,
        "has_thumbnail": False,
        **changes,
    }


@dataclass
class Sent:
    method: str
    service: str
    path: str
    headers: httpx.Headers
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, tuple[str | None, bytes]]:
        """The multipart form's parts: name -> (filename, content)."""
        raw = b"Content-Type: " + self.headers["content-type"].encode() + b"\r\n\r\n" + self.body
        message = BytesParser(policy=HTTP).parsebytes(raw)
        parts: dict[str, tuple[str | None, bytes]] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            parts[str(name)] = (part.get_filename(), part.get_payload(decode=True) or b"")
        return parts


Handler = Callable[[Sent], httpx.Response]


@dataclass
class FileServices:
    """Stubs of the four services: `routes[(method, service, path)]` is a JSON value (200) or a function of the
    request giving an `httpx.Response`; everything sent is kept, bodies read whole."""

    routes: dict[tuple[str, str, str], Any] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)

    def transport(self, service: str) -> httpx.MockTransport:
        async def handle(request: httpx.Request) -> httpx.Response:
            body = await request.aread()
            call = Sent(request.method, service, request.url.path, request.headers, body)
            self.sent.append(call)
            answer = self.routes.get((request.method, service, request.url.path))
            if answer is None:
                return httpx.Response(404, json={"title": "Not Found", "status": 404})
            return answer(call) if callable(answer) else httpx.Response(200, json=answer)

        return httpx.MockTransport(handle)

    def calls(self, method: str, path: str) -> list[Sent]:
        return [call for call in self.sent if call.method == method and call.path == path]


def problem(status: int, title: str, detail: str, field_name: str | None = "file") -> httpx.Response:
    errors = [{"field": field_name, "reason": detail}] if field_name else []
    return httpx.Response(status, json={"title": title, "status": status, "detail": detail, "errors": errors})


def the_report_world(services: FileServices, *, status: str = "submitted", files: list[Any] | None = None) -> None:
    """Plan's semester report with one submission (awaiting review unless `status`), its files as its view has them."""
    report = obligation(status="submitted" if status == "submitted" else status)
    services.routes.update(
        {
            ("GET", "agreements", "/obligations"): page_of([queue_item(report)]),
            ("GET", "agreements", f"/obligations/{REPORT_ID}/submissions"): [
                {**submission(status), "documents": [document()] if files is None else files}
            ],
        }
    )


@pytest.fixture(name="services")
def services_fixture() -> FileServices:
    return FileServices()


@pytest.fixture(name="web")
async def web_fixture(
    console_pool: asyncpg.Pool, clock: FakeClock, services: FileServices
) -> AsyncIterator[httpx.AsyncClient]:
    settings = ConsoleSettings(environment="test", documents_max_bytes=LIMIT)
    app = prepared_app(build_spec(settings), console_pool, clock)
    app.state.web_transports = {
        name: services.transport(name) for name in ("registry", "agreements", "notifications", "reporting")
    }
    async with asgi_client(app, headers={}) as client:
        yield client


async def attach(web: httpx.AsyncClient, url: str, page: httpx.Response, data: dict[str, str], **files: Any):
    return await web.post(url, data={**data, "csrf_token": csrf_of(page)}, files=files or None)


# --- listing and downloading -----------------------------------------------------------------------------------------


async def test_the_reviewer_sees_the_files_of_the_submission_and_downloads_them_streamed_through(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: FileServices
) -> None:
    await log_in_as(web, console_pool, clock, "ministry", ministry_code="KEMENSOS")
    the_report_world(services)
    disposition = "attachment; filename=\"laporan-semester-1.pdf\"; filename*=UTF-8''laporan-semester-1.pdf"
    services.routes[("GET", "agreements", f"/documents/{DOCUMENT_ID}")] = lambda call: httpx.Response(
        200,
        content=PDF,
        headers={"Content-Type": "application/pdf", "Content-Disposition": disposition, "ETag": '"abc"'},
    )
    page = await web.get(f"/obligations/{REPORT_ID}", params={"msp": MSP_ID})
    assert page.status_code == 200, page.text
    text = text_of(page)
    assert "laporan-semester-1.pdf (PDF)" in text
    assert "Dokumen utama" in text  # its purpose, in Bahasa Indonesia
    assert "100 KB" in text
    assert "plan-staff" in text
    link = f'href="/documents/agreements/{DOCUMENT_ID}"'
    assert page.text.count(link) == 2  # in the review section and in the submission's history
    assert "upload-doc" not in page.text  # the ministry attaches nothing to the NGO's submission

    download = await web.get(f"/documents/agreements/{DOCUMENT_ID}")
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"] == disposition
    assert download.headers["content-length"] == str(len(PDF))
    assert download.headers["cache-control"] == "private, no-store"
    asked = services.calls("GET", f"/documents/{DOCUMENT_ID}")[-1]
    assert asked.headers["authorization"].startswith("Bearer ")
    assert asked.headers["accept-encoding"] == "identity"

    assert (await web.get(f"/documents/notifications/{DOCUMENT_ID}")).status_code == 404  # no documents there
    assert (await web.get("/documents/agreements/not-an-id")).status_code == 404
    missing = await web.get(f"/documents/agreements/{uuid.uuid4()}")  # the service answers 404
    assert missing.status_code == 404
    assert "Halaman tidak ditemukan" in text_of(missing)


async def test_a_download_without_a_session_goes_to_the_login_page(web: httpx.AsyncClient) -> None:
    answer = await web.get(f"/documents/agreements/{DOCUMENT_ID}")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=")


# --- attaching without JavaScript ------------------------------------------------------------------------------------


async def test_the_ngo_attaches_a_file_to_its_submission_passed_on_as_multipart_with_its_token(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: FileServices
) -> None:
    await log_in_as(web, console_pool, clock, "ngo", organization_id=PLAN)
    the_report_world(services)
    services.routes[("POST", "agreements", f"/submissions/{SUBMISSION_ID}/documents")] = lambda call: httpx.Response(
        201, json=document(str(uuid.uuid4()), filename="lampiran.pdf", purpose="annex")
    )
    page = await web.get(f"/obligations/{REPORT_ID}", params={"msp": MSP_ID})
    assert 'data-testid="upload-doc"' in page.text
    assert 'enctype="multipart/form-data"' in page.text
    assert "PDF, DOCX, XLSX, ODT, JPEG, atau PNG, paling besar 195 KB." in text_of(page)
    url = f"/obligations/{REPORT_ID}/submissions/{SUBMISSION_ID}/documents"
    answer = await attach(
        web, url, page, {"msp": MSP_ID, "purpose": "annex"}, file=("lampiran.pdf", PDF, "application/pdf")
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"/obligations/{REPORT_ID}?msp={MSP_ID}"
    sent = services.calls("POST", f"/submissions/{SUBMISSION_ID}/documents")[-1]
    assert sent.headers["authorization"].startswith("Bearer ")
    assert sent.headers["content-type"].startswith("multipart/form-data")
    form = sent.form()
    assert form["file"] == ("lampiran.pdf", PDF)
    assert form["purpose"] == (None, b"annex")
    assert "csrf_token" not in form  # the console's token stays with the console
    shown = await web.get(answer.headers["location"])
    assert "Berkas lampiran.pdf telah dilampirkan." in text_of(shown)


async def test_a_finished_resumable_upload_is_attached_by_its_id(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: FileServices
) -> None:
    await log_in_as(web, console_pool, clock, "ngo", organization_id=PLAN)
    the_report_world(services)
    services.routes[("POST", "agreements", f"/submissions/{SUBMISSION_ID}/documents")] = lambda call: httpx.Response(
        201, json=document(str(uuid.uuid4()))
    )
    page = await web.get(f"/obligations/{REPORT_ID}")
    url = f"/obligations/{REPORT_ID}/submissions/{SUBMISSION_ID}/documents"
    answer = await attach(web, url, page, {"purpose": "main", "upload_id": UPLOAD_ID})
    assert answer.status_code == 303, answer.text
    sent = services.calls("POST", f"/submissions/{SUBMISSION_ID}/documents")[-1]
    assert sent.headers["content-type"] == "application/json"
    assert sent.json() == {"upload_id": UPLOAD_ID, "purpose": "main"}

    not_an_id = await attach(web, url, page, {"purpose": "main", "upload_id": "../../etc"})
    assert not_an_id.status_code == 422
    assert "Unggahan belum selesai. Pilih berkas itu lagi." in text_of(not_an_id)
    assert len(services.calls("POST", f"/submissions/{SUBMISSION_ID}/documents")) == 1


@pytest.mark.parametrize(
    ("status", "said"),
    [
        (415, "Berkas ini bukan berkas PDF, DOCX, XLSX, ODT, JPEG, atau PNG (yang diperiksa isinya, bukan namanya)."),
        (413, "Berkas terlalu besar: ukuran berkas paling besar 195 KB."),
    ],
)
async def test_the_services_refusal_of_a_file_is_shown_in_the_error_summary_at_the_file_input(
    web: httpx.AsyncClient,
    console_pool: asyncpg.Pool,
    clock: FakeClock,
    services: FileServices,
    status: int,
    said: str,
) -> None:
    await log_in_as(web, console_pool, clock, "ngo", organization_id=PLAN)
    the_report_world(services)
    services.routes[("POST", "agreements", f"/submissions/{SUBMISSION_ID}/documents")] = lambda call: problem(
        status, "Refused", "not allowed"
    )
    page = await web.get(f"/obligations/{REPORT_ID}")
    url = f"/obligations/{REPORT_ID}/submissions/{SUBMISSION_ID}/documents"
    answer = await attach(
        web, url, page, {"purpose": "main"}, file=("setup.pdf", b"MZ\x90\x00" * 100, "application/pdf")
    )
    assert answer.status_code == 422
    summary = re.search(r'<div class="error-summary".*?</div>', answer.text, re.S)
    assert summary, answer.text[:2000]
    assert 'href="#f-doc-file"' in summary.group(0)
    assert said in text_of(answer)
    assert 'id="f-doc-file-error"' in answer.text
    assert 'aria-invalid="true"' in answer.text


async def test_the_english_page_says_it_in_english(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: FileServices
) -> None:
    await log_in_as(web, console_pool, clock, "ngo", organization_id=PLAN)
    the_report_world(services)
    services.routes[("POST", "agreements", f"/submissions/{SUBMISSION_ID}/documents")] = lambda call: problem(
        415, "Unsupported", "not allowed"
    )
    page = await web.get(f"/obligations/{REPORT_ID}")
    await web.post("/language", data={"language": "en", "next": "/", "csrf_token": csrf_of(page)})
    page = await web.get(f"/obligations/{REPORT_ID}")
    url = f"/obligations/{REPORT_ID}/submissions/{SUBMISSION_ID}/documents"
    answer = await attach(web, url, page, {"purpose": "main"}, file=("a.pdf", b"MZ" * 10, "application/pdf"))
    assert "The file is not a PDF, DOCX, XLSX, ODT, JPEG or PNG file" in text_of(answer)


async def test_a_body_over_the_limit_is_refused_before_it_is_read_and_nothing_is_sent(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: FileServices
) -> None:
    await log_in_as(web, console_pool, clock, "ngo", organization_id=PLAN)
    the_report_world(services)
    page = await web.get(f"/obligations/{REPORT_ID}")
    url = f"/obligations/{REPORT_ID}/submissions/{SUBMISSION_ID}/documents"
    big = b"%PDF-1.7\n" + b"0" * (LIMIT + 100_000)
    answer = await attach(web, url, page, {"purpose": "main"}, file=("big.pdf", big, "application/pdf"))
    assert answer.status_code == 413
    assert answer.headers["connection"] == "close"  # the body is left unread
    assert "Ukuran berkas paling besar 195 KB. Tidak ada yang dikirim." in text_of(answer)
    # just over the limit, within the form's margin: read, then refused at the input
    over = b"%PDF-1.7\n" + b"0" * LIMIT
    answer = await attach(web, url, page, {"purpose": "main"}, file=("over.pdf", over, "application/pdf"))
    assert answer.status_code == 422
    assert "Berkas terlalu besar: ukuran berkas paling besar 195 KB." in text_of(answer)
    nothing = await attach(web, url, page, {"purpose": "main"})
    assert "Pilih berkas yang akan dilampirkan." in text_of(nothing)
    assert not services.calls("POST", f"/submissions/{SUBMISSION_ID}/documents")


async def test_an_attachment_needs_the_forms_csrf_token(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: FileServices
) -> None:
    await log_in_as(web, console_pool, clock, "ngo", organization_id=PLAN)
    the_report_world(services)
    url = f"/obligations/{REPORT_ID}/submissions/{SUBMISSION_ID}/documents"
    answer = await web.post(url, data={"purpose": "main"}, files={"file": ("a.pdf", PDF, "application/pdf")})
    assert answer.status_code == 403
    assert not services.calls("POST", f"/submissions/{SUBMISSION_ID}/documents")


async def test_a_report_is_submitted_with_its_file(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: FileServices
) -> None:
    await log_in_as(web, console_pool, clock, "ngo", organization_id=PLAN)
    the_report_world(services, status="returned", files=[])
    new_id = str(uuid.uuid4())
    services.routes[("POST", "agreements", f"/obligations/{REPORT_ID}/submissions")] = lambda call: httpx.Response(
        201, json={**submission("submitted", attempt=2), "id": new_id}
    )
    services.routes[("POST", "agreements", f"/submissions/{new_id}/documents")] = lambda call: httpx.Response(
        201, json=document(str(uuid.uuid4()))
    )
    page = await web.get(f"/obligations/{REPORT_ID}")
    assert "Lampirkan rencana atau laporan (opsional)" in text_of(page)
    answer = await attach(
        web,
        f"/obligations/{REPORT_ID}/submit",
        page,
        {"summary": "Laporan semester I", "funding_rows": "1", "action": "send"},
        file=("laporan.pdf", PDF, "application/pdf"),
    )
    assert answer.status_code == 303, answer.text
    created = services.calls("POST", f"/obligations/{REPORT_ID}/submissions")[-1]
    assert created.json()["summary"] == "Laporan semester I"
    attached = services.calls("POST", f"/submissions/{new_id}/documents")[-1]
    assert attached.form()["file"] == ("laporan.pdf", PDF)
    assert attached.form()["purpose"] == (None, b"main")


# --- the resumable-upload proxy ---------------------------------------------------------------------------------------


async def test_the_resumable_upload_proxy_passes_the_tus_requests_on_with_the_persons_token(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: FileServices
) -> None:
    await log_in_as(web, console_pool, clock, "ngo", organization_id=PLAN)
    the_report_world(services)
    tus = {"Tus-Resumable": "1.0.0"}
    services.routes[("POST", "agreements", "/uploads")] = lambda call: httpx.Response(
        201, headers={**tus, "Location": f"/uploads/{UPLOAD_ID}", "Upload-Expires": "Fri, 04 Dec 2026 18:00:00 GMT"}
    )
    services.routes[("PATCH", "agreements", f"/uploads/{UPLOAD_ID}")] = lambda call: httpx.Response(
        204, headers={**tus, "Upload-Offset": str(len(call.body))}
    )
    services.routes[("HEAD", "agreements", f"/uploads/{UPLOAD_ID}")] = lambda call: httpx.Response(
        200, headers={**tus, "Upload-Offset": "5", "Upload-Length": str(len(PDF)), "Cache-Control": "no-store"}
    )
    services.routes[("DELETE", "agreements", f"/uploads/{UPLOAD_ID}")] = lambda call: httpx.Response(204, headers=tus)
    page = await web.get(f"/obligations/{REPORT_ID}")
    csrf = {"X-CSRF-Token": csrf_of(page)}

    created = await web.post(
        "/uploads/agreements",
        headers={**tus, **csrf, "Upload-Length": str(len(PDF)), "Upload-Metadata": "filename bGFwb3Jhbi5wZGY="},
    )
    assert created.status_code == 201, created.text
    assert created.headers["location"] == f"/uploads/agreements/{UPLOAD_ID}"
    assert created.headers["tus-resumable"] == "1.0.0"
    assert created.headers["upload-expires"]
    sent = services.calls("POST", "/uploads")[-1]
    assert sent.headers["upload-length"] == str(len(PDF))
    assert sent.headers["upload-metadata"] == "filename bGFwb3Jhbi5wZGY="
    assert sent.headers["authorization"].startswith("Bearer ")
    assert "x-csrf-token" not in sent.headers

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(PDF), 16384):
            yield PDF[start : start + 16384]

    patched = await web.patch(
        f"/uploads/agreements/{UPLOAD_ID}",
        headers={**tus, **csrf, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
        content=chunks(),
    )
    assert patched.status_code == 204, patched.text
    assert patched.headers["upload-offset"] == str(len(PDF))
    body = services.calls("PATCH", f"/uploads/{UPLOAD_ID}")[-1]
    assert body.body == PDF
    assert body.headers["upload-offset"] == "0"
    assert body.headers["content-type"] == "application/offset+octet-stream"

    offset = await web.head(f"/uploads/agreements/{UPLOAD_ID}", headers=tus)
    assert offset.status_code == 200
    assert offset.headers["upload-offset"] == "5"
    assert (await web.delete(f"/uploads/agreements/{UPLOAD_ID}", headers={**tus, **csrf})).status_code == 204


async def test_the_proxy_needs_the_csrf_header_a_session_and_one_of_the_three_services(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: FileServices
) -> None:
    tus = {"Tus-Resumable": "1.0.0", "Upload-Length": "10"}
    without_session = await web.post("/uploads/agreements", headers=tus)
    assert without_session.status_code == 303
    await log_in_as(web, console_pool, clock, "ngo", organization_id=PLAN)
    the_report_world(services)
    page = await web.get(f"/obligations/{REPORT_ID}")
    assert (await web.post("/uploads/agreements", headers=tus)).status_code == 403
    wrong = await web.post("/uploads/agreements", headers={**tus, "X-CSRF-Token": "x" * 43})
    assert wrong.status_code == 403
    for service in ("notifications", "console", "evil.example"):
        refused = await web.post(f"/uploads/{service}", headers={**tus, "X-CSRF-Token": csrf_of(page)})
        assert refused.status_code == 404
    assert not services.calls("POST", "/uploads")


# --- recommendations, MSPs, permits -----------------------------------------------------------------------------------


def the_recommendation_world(services: FileServices, status: str = "issued") -> None:
    letter = document(
        LETTER_ID,
        filename="surat-rekomendasi-B-123-REK-2027.pdf",
        purpose="letter",
        generated=True,
        uploaded_by="kemensos",
        uploaded_at="2027-01-10T03:00:00Z",
    )
    supporting = document(
        SUPPORTING_ID, filename="cv-jane.pdf", purpose="supporting", uploaded_at="2027-01-02T03:00:00Z"
    )
    services.routes.update(
        {
            ("GET", "agreements", f"/recommendations/{RECOMMENDATION_ID}"): {
                "id": RECOMMENDATION_ID,
                "msp_id": MSP_ID,
                "kind": "visa",
                "expert_name": "Jane Doe",
                "expert_nationality": "GB",
                "purpose": "Pelatihan guru",
                "status": status,
                "granted": True if status == "issued" else None,
                "reference_number": "B-123/REK/2027" if status == "issued" else None,
                "note": None,
                "requested_at": "2027-01-02T03:00:00Z",
                "issued_at": "2027-01-10T03:00:00Z" if status == "issued" else None,
                "documents": [supporting, letter] if status == "issued" else [supporting],
            },
            ("GET", "agreements", f"/msps/{MSP_ID}"): msp(),
        }
    )


async def test_the_recommendation_letter_is_shown_first_to_the_ministry_which_may_attach_its_signed_scan(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: FileServices
) -> None:
    await log_in_as(web, console_pool, clock, "ministry", ministry_code="KEMENSOS")
    the_recommendation_world(services)
    services.routes[("POST", "agreements", f"/recommendations/{RECOMMENDATION_ID}/documents")] = lambda call: (
        httpx.Response(201, json=document(str(uuid.uuid4()), purpose="letter"))
    )
    page = await web.get(f"/ministry/recommendations/{RECOMMENDATION_ID}")
    assert page.status_code == 200, page.text
    text = text_of(page)
    assert text.index("Surat rekomendasi") < text.index("cv-jane.pdf")  # the letter first
    assert text.index("surat-rekomendasi-B-123-REK-2027.pdf") < text.index("cv-jane.pdf")
    assert "dibuat oleh Mitra" in text
    assert f'href="/documents/agreements/{LETTER_ID}"' in page.text
    assert 'data-testid="upload-letter"' in page.text
    answer = await attach(
        web,
        f"/ministry/recommendations/{RECOMMENDATION_ID}/documents",
        page,
        {},
        file=("scan.pdf", PDF, "application/pdf"),
    )
    assert answer.status_code == 303, answer.text
    sent = services.calls("POST", f"/recommendations/{RECOMMENDATION_ID}/documents")[-1]
    assert sent.form()["purpose"] == (None, b"letter")


async def test_the_ngo_sees_its_request_with_the_letter_first_and_attaches_supporting_documents_before_it(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: FileServices
) -> None:
    await log_in_as(web, console_pool, clock, "ngo", organization_id=PLAN)
    the_recommendation_world(services)
    page = await web.get(f"/recommendations/{RECOMMENDATION_ID}")
    assert page.status_code == 200, page.text
    text = text_of(page)
    assert "B-123/REK/2027" in text
    assert text.index("Surat rekomendasi") < text.index("Dokumen pendukung")
    assert f'href="/documents/agreements/{LETTER_ID}"' in page.text
    assert "upload-supporting" not in page.text  # decided: nothing more to support it with

    the_recommendation_world(services, status="requested")
    services.routes[("POST", "agreements", f"/recommendations/{RECOMMENDATION_ID}/documents")] = lambda call: (
        httpx.Response(201, json=document(str(uuid.uuid4()), purpose="supporting"))
    )
    page = await web.get(f"/recommendations/{RECOMMENDATION_ID}")
    assert 'data-testid="upload-supporting"' in page.text
    answer = await attach(
        web, f"/recommendations/{RECOMMENDATION_ID}/documents", page, {}, file=("cv.pdf", PDF, "application/pdf")
    )
    assert answer.status_code == 303, answer.text
    sent = services.calls("POST", f"/recommendations/{RECOMMENDATION_ID}/documents")[-1]
    assert sent.form()["purpose"] == (None, b"supporting")
    services.routes[("GET", "agreements", "/msps")] = page_of([msp()])
    assert "Permohonan rekomendasi" not in text_of(await web.get("/recommendations/new"))  # still the request form


def the_msp_documents(services: FileServices, *, public: bool = False) -> None:
    services.routes.update(
        {
            ("GET", "agreements", f"/msps/{MSP_ID}"): msp(
                documents=[
                    document(DOCUMENT_ID, filename="msp-ditandatangani.pdf", purpose="signed_msp", public=public)
                ]
            ),
            ("GET", "agreements", f"/msps/{MSP_ID}/obligations"): [],
        }
    )


async def test_the_mitra_utama_makes_an_msp_document_public(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: FileServices
) -> None:
    await log_in_as(web, console_pool, clock, "ministry", ministry_code="KEMENSOS")
    the_msp_documents(services)
    services.routes[("PUT", "agreements", f"/documents/{DOCUMENT_ID}/publication")] = lambda call: httpx.Response(
        200, json=document(DOCUMENT_ID, public=call.json()["public"])
    )
    page = await web.get(f"/msps/{MSP_ID}")
    text = text_of(page)
    assert "msp-ditandatangani.pdf (PDF)" in text
    assert "MSP yang ditandatangani" in text
    assert "Jadikan publik" in text
    assert 'data-testid="upload-msp"' in page.text  # a party attaches
    answer = await attach(
        web, f"/documents/agreements/{DOCUMENT_ID}/publication", page, {"public": "true", "next": f"/msps/{MSP_ID}"}
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/msps/{MSP_ID}"
    assert services.calls("PUT", f"/documents/{DOCUMENT_ID}/publication")[-1].json() == {"public": True}
    shown = await web.get(answer.headers["location"])
    assert "Dokumen kini publik" in text_of(shown)


async def test_the_msp_documents_are_read_only_for_those_who_are_not_its_parties(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: FileServices
) -> None:
    await log_in_as(web, console_pool, clock, "region", region_code="3374")
    the_msp_documents(services, public=True)
    page = await web.get(f"/msps/{MSP_ID}")
    assert "msp-ditandatangani.pdf" in text_of(page)
    assert "upload-msp" not in page.text
    assert "Jadikan tertutup" not in text_of(page)
    refused = await attach(web, f"/documents/agreements/{DOCUMENT_ID}/publication", page, {"public": "false"})
    assert refused.status_code == 403
    attach_refused = await attach(web, f"/msps/{MSP_ID}/documents", page, {}, file=("a.pdf", PDF, "application/pdf"))
    assert attach_refused.status_code == 403
    assert not [call for call in services.sent if call.method in ("POST", "PUT")]


async def test_tpoa_attaches_a_permit_scan_on_the_organizations_page(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: FileServices
) -> None:
    await log_in_as(web, console_pool, clock, "tpoa")
    permit_id = "7a000000-0000-4000-8000-000000000001"
    scan = document(str(uuid.uuid4()), filename="izin-prinsip.png", content_type="image/png", purpose="scan")
    services.routes.update(
        {
            ("GET", "registry", f"/organizations/{PLAN}"): {
                "id": PLAN,
                "legal_name": "Plan International",
                "acronym": "Plan",
                "country_of_origin": "GB",
                "status": "active",
                "focus_areas": [],
                "version": 3,
                "registered_at": "2026-11-01T02:00:00Z",
                "updated_at": "2026-11-01T02:00:00Z",
            },
            ("GET", "registry", "/permits"): page_of(
                [
                    {
                        "id": permit_id,
                        "organization_id": PLAN,
                        "permit_type": "principle",
                        "number": "IP/123/2025",
                        "issued_on": "2025-01-01",
                        "valid_until": "2028-01-01",
                        "status": "valid",
                        "documents": [scan],
                    }
                ]
            ),
            ("GET", "registry", f"/organizations/{PLAN}/foreign-staff"): page_of([]),
            ("GET", "registry", f"/organizations/{PLAN}/status-history"): [],
            ("GET", "registry", "/focus-areas"): [],
            ("POST", "registry", f"/permits/{permit_id}/documents"): lambda call: httpx.Response(201, json=scan),
        }
    )
    page = await web.get(f"/organizations/{PLAN}")
    assert page.status_code == 200, page.text
    assert "Pindaian izin IP/123/2025" in text_of(page)
    assert f'href="/documents/registry/{scan["id"]}"' in page.text
    no_permit = await attach(web, f"/organizations/{PLAN}/permit-scans", page, {}, file=("s.png", PDF, "image/png"))
    assert no_permit.status_code == 422
    assert "Pilih izin yang dipindai." in text_of(no_permit)
    finished = await attach(web, f"/organizations/{PLAN}/permit-scans", page, {"upload_id": UPLOAD_ID})
    assert finished.status_code == 422  # no permit chosen: its finished upload is kept for the next try
    assert hidden_upload_ids(finished.text) == [UPLOAD_ID]
    answer = await attach(
        web,
        f"/organizations/{PLAN}/permit-scans",
        page,
        {"scan.permit_id": permit_id},
        file=("s.png", PDF, "image/png"),
    )
    assert answer.status_code == 303, answer.text
    assert services.calls("POST", f"/permits/{permit_id}/documents")[-1].form()["purpose"] == (None, b"scan")


async def test_an_annual_reports_documents_are_made_public_by_the_mitra_utama_and_a_semester_reports_are_not(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: FileServices
) -> None:
    await log_in_as(web, console_pool, clock, "ministry", ministry_code="KEMENSOS")
    the_report_world(services)
    semester = await web.get(f"/obligations/{REPORT_ID}", params={"msp": MSP_ID})
    assert "laporan-semester-1.pdf" in text_of(semester)
    assert "Jadikan publik" not in text_of(semester)

    annual = obligation(kind="annual_report", status="submitted", period="2026")
    services.routes[("GET", "agreements", "/obligations")] = page_of([queue_item(annual)])
    page = await web.get(f"/obligations/{REPORT_ID}", params={"msp": MSP_ID})
    assert "Jadikan publik" in text_of(page)
    assert f'action="/documents/agreements/{DOCUMENT_ID}/publication"' in page.text
    assert f'name="next" value="/obligations/{REPORT_ID}?msp={MSP_ID}"' in page.text


async def test_a_report_sent_with_a_refused_file_says_so_and_offers_to_attach_it_again(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: FileServices
) -> None:
    await log_in_as(web, console_pool, clock, "ngo", organization_id=PLAN)
    the_report_world(services, status="returned", files=[])
    services.routes[("POST", "agreements", f"/obligations/{REPORT_ID}/submissions")] = lambda call: httpx.Response(
        201, json=submission("submitted")
    )
    services.routes[("POST", "agreements", f"/submissions/{SUBMISSION_ID}/documents")] = lambda call: problem(
        415, "Unsupported Media Type", "not allowed"
    )
    page = await web.get(f"/obligations/{REPORT_ID}")
    services.routes[("GET", "agreements", f"/obligations/{REPORT_ID}/submissions")] = [
        {**submission("submitted"), "documents": []}
    ]
    answer = await attach(
        web,
        f"/obligations/{REPORT_ID}/submit",
        page,
        {"summary": "Laporan semester I", "funding_rows": "1", "action": "send"},
        file=("laporan.pdf", b"MZ" * 50, "application/pdf"),
    )
    assert answer.status_code == 422
    text = text_of(answer)
    assert text.index("Pengajuan terkirim, tetapi berkasnya tidak dilampirkan:") < text.index("bukan berkas PDF")
    assert 'data-testid="upload-doc"' in answer.text  # attach it again to the submission now awaiting review


async def test_an_upload_the_service_no_longer_has_is_asked_for_again(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: FileServices
) -> None:
    await log_in_as(web, console_pool, clock, "ngo", organization_id=PLAN)
    the_report_world(services)
    page = await web.get(f"/obligations/{REPORT_ID}")
    url = f"/obligations/{REPORT_ID}/submissions/{SUBMISSION_ID}/documents"
    answer = await attach(web, url, page, {"purpose": "main", "upload_id": UPLOAD_ID})  # the stub: 404
    assert answer.status_code == 422
    assert "Unggahan tidak ditemukan. Pilih berkas itu lagi." in text_of(answer)
    assert services.calls("POST", f"/submissions/{SUBMISSION_ID}/documents")[-1].json()["upload_id"] == UPLOAD_ID


# --- after review: chunked bodies, refused uploads, a sent submission whose file fails -----------------------------

BOUNDARY = "mitra-test-boundary"
CHUNK = 16 * 1024


def multipart(fields: dict[str, str], filename: str, content: bytes) -> bytes:
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    return b"".join(parts) + head + content + f"\r\n--{BOUNDARY}--\r\n".encode()


async def post_chunked(web: httpx.AsyncClient, url: str, body: bytes, given: list[int]) -> httpx.Response:
    """POSTs `body` with no Content-Length (a generator: chunked), counting in `given` what the console read."""

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), CHUNK):
            given.append(len(body[start : start + CHUNK]))
            yield body[start : start + CHUNK]

    headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    return await web.post(url, content=chunks(), headers=headers)


async def test_a_chunked_body_over_the_limit_is_refused_as_it_is_read_whoever_sends_it(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: FileServices
) -> None:
    await log_in_as(web, console_pool, clock, "ministry", ministry_code="KEMENSOS")  # not even allowed to attach
    the_report_world(services)
    page = await web.get(f"/obligations/{REPORT_ID}")
    url = f"/obligations/{REPORT_ID}/submissions/{SUBMISSION_ID}/documents"
    body = multipart({"csrf_token": csrf_of(page), "purpose": "main"}, "big.pdf", b"0" * (LIMIT * 5))
    given: list[int] = []
    answer = await post_chunked(web, url, body, given)
    assert answer.status_code == 413, answer.text[:500]
    assert answer.headers["connection"] == "close"
    assert "Ukuran berkas paling besar 195 KB. Tidak ada yang dikirim." in text_of(answer)
    assert sum(given) <= LIMIT + 64 * 1024 + CHUNK  # read up to the limit, not whole
    assert not services.calls("POST", f"/submissions/{SUBMISSION_ID}/documents")


async def test_a_chunked_body_within_the_limit_is_attached(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: FileServices
) -> None:
    await log_in_as(web, console_pool, clock, "ngo", organization_id=PLAN)
    the_report_world(services)
    services.routes[("POST", "agreements", f"/submissions/{SUBMISSION_ID}/documents")] = lambda call: httpx.Response(
        201, json=document(str(uuid.uuid4()))
    )
    page = await web.get(f"/obligations/{REPORT_ID}")
    url = f"/obligations/{REPORT_ID}/submissions/{SUBMISSION_ID}/documents"
    given: list[int] = []
    answer = await post_chunked(
        web, url, multipart({"csrf_token": csrf_of(page), "purpose": "main"}, "a.pdf", PDF), given
    )
    assert answer.status_code == 303, answer.text[:500]
    assert services.calls("POST", f"/submissions/{SUBMISSION_ID}/documents")[-1].form()["file"] == ("a.pdf", PDF)


def hidden_upload_ids(html: str) -> list[str]:
    return re.findall(r'<input type="hidden" name="upload_id" value="([^"]*)">', html)


@pytest.mark.parametrize("status", [413, 415, 422])
async def test_an_upload_the_service_refuses_is_deleted_and_asked_for_again(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: FileServices, status: int
) -> None:
    await log_in_as(web, console_pool, clock, "ngo", organization_id=PLAN)
    the_report_world(services)
    services.routes[("POST", "agreements", f"/submissions/{SUBMISSION_ID}/documents")] = lambda call: problem(
        status, "Refused", "not allowed", field_name="body.upload_id"
    )
    services.routes[("DELETE", "agreements", f"/uploads/{UPLOAD_ID}")] = lambda call: httpx.Response(204)
    page = await web.get(f"/obligations/{REPORT_ID}")
    url = f"/obligations/{REPORT_ID}/submissions/{SUBMISSION_ID}/documents"
    answer = await attach(web, url, page, {"purpose": "main", "upload_id": UPLOAD_ID})
    assert answer.status_code == 422
    deleted = services.calls("DELETE", f"/uploads/{UPLOAD_ID}")
    assert len(deleted) == 1
    assert deleted[0].headers["tus-resumable"] == "1.0.0"
    assert deleted[0].headers["authorization"].startswith("Bearer ")
    assert hidden_upload_ids(answer.text) == [""]  # the person chooses the file again
    assert "upload-kept" not in answer.text


async def test_an_attached_upload_is_not_deleted(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: FileServices
) -> None:
    await log_in_as(web, console_pool, clock, "ngo", organization_id=PLAN)
    the_report_world(services)
    services.routes[("POST", "agreements", f"/submissions/{SUBMISSION_ID}/documents")] = lambda call: httpx.Response(
        201, json=document(str(uuid.uuid4()))
    )
    page = await web.get(f"/obligations/{REPORT_ID}")
    url = f"/obligations/{REPORT_ID}/submissions/{SUBMISSION_ID}/documents"
    assert (await attach(web, url, page, {"purpose": "main", "upload_id": UPLOAD_ID})).status_code == 303
    assert not services.calls("DELETE", f"/uploads/{UPLOAD_ID}")


async def test_a_report_form_shown_again_keeps_its_finished_upload(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: FileServices
) -> None:
    await log_in_as(web, console_pool, clock, "ngo", organization_id=PLAN)
    the_report_world(services, status="returned", files=[])
    page = await web.get(f"/obligations/{REPORT_ID}")
    answer = await attach(
        web,
        f"/obligations/{REPORT_ID}/submit",
        page,
        {"summary": "x", "funding_rows": "1", "action": "send", "upload_id": UPLOAD_ID},
    )
    assert answer.status_code == 422  # the summary is too short: nothing sent, the upload still to attach
    assert UPLOAD_ID in hidden_upload_ids(answer.text)
    assert 'data-testid="upload-kept-submit"' in answer.text
    assert "Berkas Anda sudah terkirim" in text_of(answer)
    assert not services.calls("DELETE", f"/uploads/{UPLOAD_ID}")
    assert not services.calls("POST", f"/submissions/{SUBMISSION_ID}/documents")


@pytest.mark.parametrize(("status", "upload"), [(503, False), (503, True), (404, False)])
async def test_a_sent_report_whose_file_fails_says_it_is_sent(
    web: httpx.AsyncClient,
    console_pool: asyncpg.Pool,
    clock: FakeClock,
    services: FileServices,
    status: int,
    upload: bool,
) -> None:
    await log_in_as(web, console_pool, clock, "ngo", organization_id=PLAN)
    the_report_world(services, status="returned", files=[])
    services.routes[("POST", "agreements", f"/obligations/{REPORT_ID}/submissions")] = lambda call: httpx.Response(
        201, json=submission("submitted")
    )
    services.routes[("POST", "agreements", f"/submissions/{SUBMISSION_ID}/documents")] = lambda call: httpx.Response(
        status, json={"title": "Down", "status": status}
    )
    page = await web.get(f"/obligations/{REPORT_ID}")
    services.routes[("GET", "agreements", f"/obligations/{REPORT_ID}/submissions")] = [
        {**submission("submitted"), "documents": []}
    ]
    form = {"summary": "Laporan semester I", "funding_rows": "1", "action": "send"}
    if upload:
        answer = await attach(web, f"/obligations/{REPORT_ID}/submit", page, {**form, "upload_id": UPLOAD_ID})
    else:
        answer = await attach(
            web, f"/obligations/{REPORT_ID}/submit", page, form, file=("laporan.pdf", PDF, "application/pdf")
        )
    assert answer.status_code == 422, text_of(answer)
    text = text_of(answer)
    assert "Pengajuan terkirim, tetapi berkasnya tidak dilampirkan:" in text
    assert "Berkas belum dapat dilampirkan saat ini. Lampirkan lagi di bawah." in text
    assert "Tidak ada yang diubah" not in text
    assert 'data-testid="upload-doc"' in answer.text
    attach_form = re.search(r'data-testid="upload-doc".*?</form>', answer.text, re.S)
    assert attach_form
    assert hidden_upload_ids(attach_form.group(0)) == [UPLOAD_ID if upload and status == 503 else ""]


async def test_the_publication_form_comes_back_to_the_obligation_page_after_a_refused_post(
    web: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock, services: FileServices
) -> None:
    await log_in_as(web, console_pool, clock, "ministry", ministry_code="KEMENSOS")
    the_report_world(services)
    annual = obligation(kind="annual_report", status="submitted", period="2026")
    services.routes[("GET", "agreements", "/obligations")] = page_of([queue_item(annual)])
    page = await web.get(f"/obligations/{REPORT_ID}", params={"msp": MSP_ID})
    returned = await attach(
        web,
        f"/obligations/{REPORT_ID}/submissions/{SUBMISSION_ID}/return",
        page,
        {"msp": MSP_ID, "comments": ""},
    )
    assert returned.status_code == 422  # no comment: the page again, from a POST-only URL
    assert "Jadikan publik" in text_of(returned)
    forms = re.findall(r'<form[^>]*action="/documents/agreements/[^"]*/publication".*?</form>', returned.text, re.S)
    assert forms
    nexts = {value for form in forms for value in re.findall(r'name="next" value="([^"]*)"', form)}
    assert nexts == {f"/obligations/{REPORT_ID}?msp={MSP_ID}"}, nexts
