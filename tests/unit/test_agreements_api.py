"""Agreements' HTTP contract without I/O: every endpoint but the open ones (probes, event documentation, the public
documents) needs the bearer token and is documented with a summary, request examples and problem responses; the
shared resumable uploads (`/uploads`, tus) document what they answer."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mitra_agreements.bootstrap import build_spec
from mitra_agreements.settings import AgreementsSettings
from mitra_shared.service import create_app

OPEN_PATHS = ("/health/", "/asyncapi", "/public/")
UPLOADS = "/uploads"
PROBLEM = "application/problem+json"
MULTIPART = "multipart/form-data"


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    return create_app(build_spec(AgreementsSettings())).openapi()


def operations(openapi: dict[str, Any], *, open_paths: bool = False) -> list[tuple[str, str, dict[str, Any]]]:
    """Every operation behind the token (or, with `open_paths`, every open one)."""
    return [
        (method.upper(), path, operation)
        for path, item in openapi["paths"].items()
        if path.startswith(OPEN_PATHS) == open_paths
        for method, operation in item.items()
    ]


def required_problems(path: str, operation: dict[str, Any]) -> set[str]:
    """The error statuses an operation behind the token must document, from what it takes."""
    parameters = operation.get("parameters", [])
    body = operation.get("requestBody", {}).get("content", {})
    required = {"401", "403"}
    if not path.startswith(UPLOADS):
        required |= {"404", "409", "422"}  # agreements' own routes: every one names a record or a state
    if any(parameter["in"] == "path" for parameter in parameters):
        required.add("404")
    if parameters or body:
        required.add("422")
    if any(parameter["in"] == "header" and parameter["name"].lower() == "tus-resumable" for parameter in parameters):
        required.add("412")  # tus: another protocol version
    if MULTIPART in body:
        required |= {"413", "415"}  # a file too large, or of a type not allowed
    if body:
        required |= {"400", "413"}
    return required


def test_every_endpoint_needs_the_bearer_token_and_has_a_summary(openapi: dict[str, Any]) -> None:
    found = operations(openapi)
    assert len(found) >= 20
    for method, path, operation in found:
        assert operation.get("security") == [{"HTTPBearer": []}], (method, path)
        assert operation.get("summary"), (method, path)


def test_every_endpoint_documents_its_problems(openapi: dict[str, Any]) -> None:
    found = operations(openapi)
    assert {(method, path) for method, path, _ in found} >= {
        ("OPTIONS", "/uploads"),
        ("POST", "/uploads"),
        ("HEAD", "/uploads/{upload_id}"),
        ("PATCH", "/uploads/{upload_id}"),
        ("DELETE", "/uploads/{upload_id}"),
    }
    for method, path, operation in found:
        responses = operation["responses"]
        missing = required_problems(path, operation) - set(responses)
        assert not missing, (method, path, sorted(missing))
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                content = response["content"]
                assert list(content) == [PROBLEM], (method, path, status)
                assert content[PROBLEM]["schema"]["$ref"].endswith("/Problem"), (method, path, status)


def test_every_upload_of_a_document_takes_a_form_or_a_finished_upload_and_documents_both_limits(
    openapi: dict[str, Any],
) -> None:
    uploads = [
        (method, path, operation)
        for method, path, operation in operations(openapi)
        if MULTIPART in operation.get("requestBody", {}).get("content", {})
    ]
    assert {path for _, path, _ in uploads} == {
        "/submissions/{submission_id}/documents",
        "/msps/{msp_id}/documents",
        "/recommendations/{recommendation_id}/documents",
    }
    for method, path, operation in uploads:
        content = operation["requestBody"]["content"]
        assert content[MULTIPART]["schema"]["required"] == ["file"], (method, path)
        assert content["application/json"]["schema"]["required"] == ["upload_id"], (method, path)
        assert {"413", "415"} <= set(operation["responses"]), (method, path)
        assert operation["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith("/Document")


def test_the_public_download_needs_no_token_and_documents_its_problems(openapi: dict[str, Any]) -> None:
    found = {(method, path): operation for method, path, operation in operations(openapi, open_paths=True)}
    public = found[("GET", "/public/documents/{document_id}")]
    assert not public.get("security")
    assert "401" not in public["responses"]
    for status in ("404", "422", "500"):
        assert list(public["responses"][status]["content"]) == [PROBLEM], status
    assert "application/pdf" in public["responses"]["200"]["content"]


def test_every_command_has_an_example(openapi: dict[str, Any]) -> None:
    schemas = openapi["components"]["schemas"]
    commands: list[str] = []
    for method, path, operation in operations(openapi):
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" not in content:
            continue  # no JSON body (a tus PATCH carries the file's bytes)
        for media_type in ("application/json", MULTIPART):
            schema = content.get(media_type, {}).get("schema")
            if schema is None:
                continue
            if "$ref" in schema:
                name = schema["$ref"].rsplit("/", 1)[1]
                commands.append(name)
                assert schemas[name].get("examples"), name
            else:  # an inline schema (a documents upload, read by the route itself) carries its own
                assert schema.get("examples"), (method, path, media_type)
    assert {"DraftMsp", "SignMsp", "SubmitObligation", "AnnounceVisit", "RequestRecommendation"} <= set(commands)


async def test_a_request_without_a_token_is_refused_with_a_problem() -> None:
    transport = httpx.ASGITransport(app=create_app(build_spec(AgreementsSettings())))
    async with httpx.AsyncClient(transport=transport, base_url="http://agreements") as client:
        response = await client.post("/msps", json={})
        upload = await client.post("/uploads", headers={"Tus-Resumable": "1.0.0", "Upload-Length": "10"})
    for refused in (response, upload):
        assert refused.status_code == 401
        assert refused.headers["content-type"] == PROBLEM


async def test_the_public_port_does_not_serve_the_metrics(openapi: dict[str, Any]) -> None:
    # They are on the metrics listener (MITRA_METRICS_PORT) alone: tests/e2e/test_organization_flow.py reads them there.
    assert not [path for path in openapi["paths"] if "metrics" in path]
    transport = httpx.ASGITransport(app=create_app(build_spec(AgreementsSettings())))
    async with httpx.AsyncClient(transport=transport, base_url="http://agreements") as client:
        response = await client.get("/metrics")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
