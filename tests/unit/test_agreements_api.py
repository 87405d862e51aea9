"""Agreements' HTTP contract without I/O: every endpoint needs the bearer token and is documented with a summary,
request examples and problem responses."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mitra_agreements.bootstrap import build_spec
from mitra_agreements.settings import AgreementsSettings
from mitra_shared.service import create_app

OPEN_PATHS = ("/health/", "/metrics", "/asyncapi")


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    return create_app(build_spec(AgreementsSettings())).openapi()


def operations(openapi: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in openapi["paths"].items()
        if not path.startswith(OPEN_PATHS)
        for method, operation in item.items()
    ]


def test_every_endpoint_needs_the_bearer_token_and_has_a_summary(openapi: dict[str, Any]) -> None:
    found = operations(openapi)
    assert len(found) >= 20
    for method, path, operation in found:
        assert operation.get("security") == [{"HTTPBearer": []}], (method, path)
        assert operation.get("summary"), (method, path)


def test_every_endpoint_documents_its_problems(openapi: dict[str, Any]) -> None:
    for method, path, operation in operations(openapi):
        for status in ("401", "404", "409", "422"):
            content = operation["responses"][status]["content"]
            assert list(content) == ["application/problem+json"], (method, path, status)
            assert content["application/problem+json"]["schema"]["$ref"].endswith("/Problem"), (method, path, status)


def test_every_command_has_an_example(openapi: dict[str, Any]) -> None:
    schemas = openapi["components"]["schemas"]
    commands = [
        operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        for _, _, operation in operations(openapi)
        if "requestBody" in operation
    ]
    assert {"DraftMsp", "SignMsp", "SubmitObligation", "AnnounceVisit", "RequestRecommendation"} <= set(commands)
    for name in commands:
        assert schemas[name].get("examples"), name


async def test_a_request_without_a_token_is_refused_with_a_problem() -> None:
    transport = httpx.ASGITransport(app=create_app(build_spec(AgreementsSettings())))
    async with httpx.AsyncClient(transport=transport, base_url="http://agreements") as client:
        response = await client.post("/msps", json={})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
