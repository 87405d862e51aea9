"""The resumable-upload proxy (tus 1.0.0) of the console's pages: `/uploads/{service}[/{id}]` passes the person's
POST, HEAD, PATCH and DELETE on to the service's `/uploads` with their token (the PATCH body streamed through, the
`X-CSRF-Token` header checked like a form's token), and the tus headers back (see `documents` for the attach)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import Request, Response

from mitra_console.http.web.documents import UPLOADERS, checked_service, checked_uuid
from mitra_console.http.web.kit import Page, web_router

router = web_router()

# the tus headers passed on to the service, and back to the browser
TUS_REQUEST_HEADERS = (
    "tus-resumable",
    "upload-length",
    "upload-metadata",
    "upload-offset",
    "upload-defer-length",
    "content-type",
    "content-length",
)
TUS_RESPONSE_HEADERS = (
    "tus-resumable",
    "tus-version",
    "tus-extension",
    "tus-max-size",
    "upload-offset",
    "upload-length",
    "upload-expires",
    "upload-metadata",
    "cache-control",
    "content-type",
)


def _tus_headers(request: Request) -> dict[str, str]:
    return {name: request.headers[name] for name in TUS_REQUEST_HEADERS if name in request.headers}


def _tus_answer(service: str, answer: Any) -> Response:
    headers = {name: answer.headers[name] for name in TUS_RESPONSE_HEADERS if name in answer.headers}
    location = answer.headers.get("location")
    if location:  # the service's /uploads/{id} → the console's /uploads/{service}/{id}
        upload_id = urlsplit(location).path.rstrip("/").rsplit("/", 1)[-1]
        headers["location"] = f"/uploads/{service}/{upload_id}"
    headers["cache-control"] = "no-store"
    return Response(answer.content, status_code=answer.status_code, headers=headers)


@router.post("/uploads/{service}", dependencies=[UPLOADERS])
async def create_upload(page: Page, service: str) -> Response:
    """tus creation: the person's new upload on the service (its Location rewritten to this proxy)."""
    answer = await page.api.relay("POST", checked_service(service), "/uploads", headers=_tus_headers(page.request))
    return _tus_answer(service, answer)


@router.api_route("/uploads/{service}/{upload_id}", methods=["HEAD"], dependencies=[UPLOADERS])
async def upload_offset(page: Page, service: str, upload_id: str) -> Response:
    answer = await page.api.relay(
        "HEAD", checked_service(service), f"/uploads/{checked_uuid(upload_id)}", headers=_tus_headers(page.request)
    )
    return _tus_answer(service, answer)


@router.patch("/uploads/{service}/{upload_id}", dependencies=[UPLOADERS])
async def upload_chunk(page: Page, service: str, upload_id: str) -> Response:
    """A chunk of the upload, streamed through to the service as it arrives."""
    path = f"/uploads/{checked_uuid(upload_id)}"
    headers = _tus_headers(page.request)
    answer = await page.api.relay(
        "PATCH", checked_service(service), path, headers=headers, content=page.request.stream()
    )
    return _tus_answer(service, answer)


@router.delete("/uploads/{service}/{upload_id}", dependencies=[UPLOADERS])
async def cancel_upload(page: Page, service: str, upload_id: str) -> Response:
    answer = await page.api.relay(
        "DELETE", checked_service(service), f"/uploads/{checked_uuid(upload_id)}", headers=_tus_headers(page.request)
    )
    return _tus_answer(service, answer)
