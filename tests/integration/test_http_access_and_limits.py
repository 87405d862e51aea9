"""The HTTP guard rails every service gets from `create_app`: deny by default, the role check, the policy in
OpenAPI, JSON bodies over 1 MB refused with 413 before parsing, and settings errors that never print a value."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter, Request
from support.tokens import as_role, auth_headers

from mitra_shared.body_limit import MAX_JSON_BODY_BYTES
from mitra_shared.db import SHARED_MIGRATIONS
from mitra_shared.policy import allow
from mitra_shared.service import ServiceSpec, create_app
from mitra_shared.settings import ServiceSettings

router = APIRouter()


@router.get("/for-tpoa", dependencies=[allow("tpoa", note="the register")])
async def for_tpoa() -> dict[str, str]:
    return {"ok": "yes"}


@router.get("/forgotten")
async def forgotten() -> dict[str, str]:
    return {"ok": "should never answer"}


@router.post("/echo", dependencies=[allow("tpoa")])
async def echo(request: Request) -> dict[str, int]:
    return {"bytes": len(await request.body())}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    spec = ServiceSpec(
        name="guarded",
        title="Guarded",
        description="a service of the test's own",
        version="1",
        settings=ServiceSettings(environment="test"),
        migrations=SHARED_MIGRATIONS,
        routers=[router],
    )
    app = create_app(spec)  # not started: these checks need no database or broker
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://guarded") as found:
        yield found


async def test_the_named_roles_pass_and_the_others_get_403(client: httpx.AsyncClient) -> None:
    assert (await client.get("/for-tpoa", headers=as_role("tpoa"))).status_code == 200
    refused = await client.get("/for-tpoa", headers=as_role("ngo", organization_id=uuid.uuid4()))
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert "ngo" in refused.json()["detail"]
    assert (await client.get("/for-tpoa")).status_code == 401
    assert (await client.get("/for-tpoa", headers=auth_headers(roles=[]))).status_code == 401


async def test_an_operation_without_a_policy_is_refused_to_everyone(client: httpx.AsyncClient) -> None:
    for role, scope in (("tpoa", {}), ("admin", {}), ("auditor", {}), ("ministry", {"ministry_code": "KEMENSOS"})):
        answer = await client.get("/forgotten", headers=as_role(role, **scope))
        assert answer.status_code == 403, (role, answer.text)
        assert "no access policy" in answer.json()["detail"]
    assert (await client.get("/health/live")).status_code == 200


async def test_the_policy_is_in_the_openapi_document(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert paths["/for-tpoa"]["get"]["x-mitra-access"] == {"roles": ["tpoa"], "note": "the register"}
    assert "403" in paths["/for-tpoa"]["get"]["responses"]
    assert paths["/forgotten"]["get"]["x-mitra-access"] == {"roles": []}
    assert paths["/health/live"]["get"]["x-mitra-access"] == {"public": True}
    assert "403" not in paths["/health/live"]["get"]["responses"]


async def test_a_json_body_over_one_megabyte_is_refused_before_parsing(client: httpx.AsyncClient) -> None:
    headers = {**as_role("tpoa"), "Content-Type": "application/json"}
    fits = b'"' + b"a" * (MAX_JSON_BODY_BYTES - 2) + b'"'
    assert (await client.post("/echo", content=fits, headers=headers)).json() == {"bytes": MAX_JSON_BODY_BYTES}
    too_large = fits + b" "
    refused = await client.post("/echo", content=too_large, headers=headers)
    assert refused.status_code == 413
    assert refused.headers["content-type"] == "application/problem+json"

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(3):
            yield b" " * (MAX_JSON_BODY_BYTES // 2)

    assert (await client.post("/echo", content=chunked(), headers=headers)).status_code == 413
    csv_headers = {**as_role("tpoa"), "Content-Type": "text/csv"}
    assert (await client.post("/echo", content=too_large, headers=csv_headers)).status_code == 200


def test_invalid_settings_are_named_without_their_values() -> None:
    secret = "postgresql://mitra:Sup3r-S3cret-Passw0rd@db:5432/mitra_registry"
    run = subprocess.run(
        [sys.executable, "-m", "mitra_registry", "migrate"],
        env={"MITRA_ENVIRONMENT": "production", "MITRA_DATABASE_URL": secret, "MITRA_HTTP_PORT": "99999",
             "MITRA_JWT_SECRET": "short-Sup3r-S3cret", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 2
    assert "MITRA_HTTP_PORT" in run.stderr
    assert "Sup3r" not in run.stderr + run.stdout
