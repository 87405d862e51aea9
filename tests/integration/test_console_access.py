"""Who may call which operation of the console, table-driven from its OpenAPI document: every operation by every
role by own/other scope → the expected answer. An operation in the document without a row, a row naming an
operation that is gone, or an operation whose policy names no role (and is not public) fails the test.

Scope in the console: `tpoa` manages NGO staff accounts only (another role's account is answered 404, and making
one 403); `/accounts/me` is the account the token names (a token naming no account: 404). The token endpoints and
the published keys are public (no token: the login itself)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest
from support.access import documented_operations as operations_of
from support.app import api_client
from support.database import create_migrated_database, drop_database
from support.tokens import as_role, auth_headers

from mitra_console.bootstrap import build_spec
from mitra_console.settings import ConsoleSettings
from mitra_shared import db
from mitra_shared.access import ROLES

pytestmark = pytest.mark.integration

ALLOW, DENY, OWN, FILTERED, PUBLIC = "ALLOW", "DENY", "OWN", "FILTERED", "PUBLIC"
PEOPLE = ("tpoa", "ministry", "region", "ngo", "auditor", "admin")
PLAN = "6f1c2d3e-0000-4000-8000-00000000abcd"
PASSWORD = "kopi tubruk di pagi hari"
SCOPES = {"ministry": {"ministry_code": "KEMENSOS"}, "region": {"region_code": "33"}, "ngo": {"organization_id": PLAN}}


def row(**answers: str) -> dict[str, str]:
    """Roles not named are refused (DENY)."""
    return {role: answers.get(role, DENY) for role in ROLES}


MANAGED = row(admin=ALLOW, tpoa=OWN)
EXPECTED: dict[str, dict[str, str] | str] = {
    "GET /health/live": PUBLIC,
    "GET /health/ready": PUBLIC,
    "GET /asyncapi.json": PUBLIC,
    "GET /asyncapi": PUBLIC,
    "POST /auth/token": PUBLIC,
    "POST /oauth/token": PUBLIC,
    "GET /.well-known/jwks.json": PUBLIC,
    "GET /.well-known/openid-configuration": PUBLIC,
    "POST /accounts": MANAGED,
    "GET /accounts": row(admin=ALLOW, tpoa=FILTERED),
    "GET /accounts/me": row(**dict.fromkeys(PEOPLE, OWN)),
    "POST /accounts/me/password": row(**dict.fromkeys(PEOPLE, OWN)),
    "GET /accounts/{account_id}": MANAGED,
    "PATCH /accounts/{account_id}": MANAGED,
    "POST /accounts/{account_id}/password": MANAGED,
    "GET /clients": row(admin=ALLOW),
    "POST /clients": row(admin=ALLOW),
    "PATCH /clients/{client_id}": row(admin=ALLOW),
}
CASES = [
    (operation, role, scope)
    for operation, answers in EXPECTED.items()
    if isinstance(answers, dict)
    for role, answer in answers.items()
    for scope in (("own", "other") if answer in (OWN, FILTERED) else ("any",))
]


@pytest.fixture(scope="module")
def console_database() -> Iterator[str]:
    dsn = asyncio.run(create_migrated_database([db.MigrationSource("console", "mitra_console")]))
    yield dsn
    asyncio.run(drop_database(dsn))


@pytest.fixture
async def console_pool(console_database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await db.create_pool(console_database, min_size=1, max_size=4)
    try:
        yield pool
    finally:
        await pool.close()


@pytest.fixture
async def console(console_pool: asyncpg.Pool) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(build_spec(ConsoleSettings(environment="test")), console_pool, headers={}) as client:
        yield client


@dataclass
class Seeded:
    """Records made once per module, through the API as the administrator: one account per role, a client."""

    accounts: dict[str, str]
    client_id: str


SEEDED: list[Seeded] = []


async def seeded(client: httpx.AsyncClient) -> Seeded:
    if SEEDED:
        return SEEDED[0]
    accounts = {}
    for role in PEOPLE:
        body = {
            "username": f"{role}-{uuid.uuid4().hex[:6]}",
            "display_name": f"The {role}",
            "email": f"{role}@example.org",
            "role": role,
            "password": PASSWORD,
            **SCOPES.get(role, {}),
        }
        response = await client.post("/accounts", json=body, headers=as_role("admin"))
        assert response.status_code == 201, response.text
        accounts[role] = response.json()["id"]
    response = await client.post(
        "/clients", json={"client_id": "seeded-system", "name": "A system"}, headers=as_role("admin")
    )
    assert response.status_code == 201, response.text
    SEEDED.append(Seeded(accounts, "seeded-system"))
    return SEEDED[0]


def caller(role: str, subject: str | None = None) -> dict[str, str]:
    return auth_headers(subject=subject or f"{role}-caller", role=role, **SCOPES.get(role, {}))


async def version_of(client: httpx.AsyncClient, path: str) -> str:
    response = await client.get(path, headers=as_role("admin"))
    assert response.status_code == 200, response.text
    return response.headers.get("etag") or f'"{response.json()["version"]}"'


Call = Callable[[httpx.AsyncClient, Seeded, str, str], Awaitable[httpx.Response]]


async def create_account(client: httpx.AsyncClient, data: Seeded, role: str, scope: str) -> httpx.Response:
    # own: an NGO staff account (what TPOA manages); other: an auditor's account.
    kind = "ngo" if scope in ("own", "any") else "auditor"
    body = {
        "username": f"new-{uuid.uuid4().hex[:8]}",
        "display_name": "New",
        "email": "new@example.org",
        "role": kind,
        "password": PASSWORD,
        **SCOPES.get(kind, {}),
    }
    return await client.post("/accounts", json=body, headers=caller(role))


def target(data: Seeded, scope: str) -> str:
    return data.accounts["ngo" if scope in ("own", "any") else "admin"]


async def read_account(client: httpx.AsyncClient, data: Seeded, role: str, scope: str) -> httpx.Response:
    return await client.get(f"/accounts/{target(data, scope)}", headers=caller(role))


async def patch_account(client: httpx.AsyncClient, data: Seeded, role: str, scope: str) -> httpx.Response:
    path = f"/accounts/{target(data, scope)}"
    version = await version_of(client, path)
    return await client.patch(path, json={"display_name": "Renamed"}, headers={**caller(role), "If-Match": version})


async def reset_password(client: httpx.AsyncClient, data: Seeded, role: str, scope: str) -> httpx.Response:
    path = f"/accounts/{target(data, scope)}/password"
    return await client.post(path, json={"new_password": PASSWORD}, headers=caller(role))


async def list_accounts(client: httpx.AsyncClient, data: Seeded, role: str, scope: str) -> httpx.Response:
    return await client.get("/accounts", params={"limit": 500}, headers=caller(role))


def me_caller(data: Seeded, role: str, scope: str) -> dict[str, str]:
    # own: a token naming the caller's own account; other: one naming no account of the console.
    subject = data.accounts.get(role) if scope in ("own", "any") else str(uuid.uuid4())
    return caller(role, subject)


async def read_me(client: httpx.AsyncClient, data: Seeded, role: str, scope: str) -> httpx.Response:
    return await client.get("/accounts/me", headers=me_caller(data, role, scope))


async def change_my_password(client: httpx.AsyncClient, data: Seeded, role: str, scope: str) -> httpx.Response:
    body = {"current_password": PASSWORD, "new_password": "teh manis hangat sekali"}
    response = await client.post("/accounts/me/password", json=body, headers=me_caller(data, role, scope))
    if response.status_code == 204:  # put it back for the next case
        back = {"current_password": body["new_password"], "new_password": PASSWORD}
        assert (
            await client.post("/accounts/me/password", json=back, headers=me_caller(data, role, scope))
        ).status_code == 204
    return response


async def list_clients(client: httpx.AsyncClient, data: Seeded, role: str, scope: str) -> httpx.Response:
    return await client.get("/clients", headers=caller(role))


async def register_client(client: httpx.AsyncClient, data: Seeded, role: str, scope: str) -> httpx.Response:
    body = {"client_id": f"system-{uuid.uuid4().hex[:8]}", "name": "A system"}
    return await client.post("/clients", json=body, headers=caller(role))


async def patch_client(client: httpx.AsyncClient, data: Seeded, role: str, scope: str) -> httpx.Response:
    listed = (await client.get("/clients", headers=as_role("admin"))).json()
    version = next(item["version"] for item in listed if item["client_id"] == data.client_id)
    return await client.patch(
        f"/clients/{data.client_id}", json={"name": "Renamed"}, headers={**caller(role), "If-Match": f'"{version}"'}
    )


CALLS: dict[str, Call] = {
    "POST /accounts": create_account,
    "GET /accounts": list_accounts,
    "GET /accounts/me": read_me,
    "POST /accounts/me/password": change_my_password,
    "GET /accounts/{account_id}": read_account,
    "PATCH /accounts/{account_id}": patch_account,
    "POST /accounts/{account_id}/password": reset_password,
    "GET /clients": list_clients,
    "POST /clients": register_client,
    "PATCH /clients/{client_id}": patch_client,
}


def documented_operations() -> dict[str, dict[str, Any]]:
    from mitra_shared.service import create_app

    return operations_of(create_app(build_spec(ConsoleSettings(environment="test"))).openapi())


def test_every_operation_has_a_row_and_a_policy() -> None:
    operations = documented_operations()
    assert sorted(set(operations) - set(EXPECTED)) == [], "operations without a row in EXPECTED"
    assert sorted(set(EXPECTED) - set(operations)) == [], "rows naming operations that are gone"
    for name, operation in operations.items():
        access = operation["x-mitra-access"]
        if EXPECTED[name] == PUBLIC:
            assert access == {"public": True}, name
        else:
            assert access.get("roles"), f"{name} names no role"
            allowed = {role for role, answer in EXPECTED[name].items() if answer != DENY}  # type: ignore[union-attr]
            assert set(access["roles"]) == allowed, name
    assert set(CALLS) == {name for name, answers in EXPECTED.items() if answers != PUBLIC}


@pytest.mark.parametrize(("operation", "role", "scope"), CASES, ids=[f"{o} | {r} | {s}" for o, r, s in CASES])
async def test_access(console: httpx.AsyncClient, operation: str, role: str, scope: str) -> None:
    data = await seeded(console)
    expected = EXPECTED[operation][role]  # type: ignore[index]
    response = await CALLS[operation](console, data, role, scope)
    if expected == DENY:
        assert response.status_code == 403, response.text
    elif expected == ALLOW or scope == "own":
        assert response.status_code < 300, response.text
    if expected == FILTERED:
        assert response.status_code == 200, response.text
        roles = {item["role"] for item in response.json()["items"]}
        if scope == "own":
            assert "ngo" in roles  # the accounts in its scope are there
        else:
            assert roles <= {"ngo"}, roles  # and no other
    elif expected == OWN and scope == "other":
        assert response.status_code in (403, 404), response.text


async def test_public_operations_answer_without_a_token(console: httpx.AsyncClient) -> None:
    assert (await console.get("/.well-known/jwks.json")).status_code == 200
    assert (await console.get("/.well-known/openid-configuration")).status_code == 200
    assert (await console.post("/auth/token", data={"username": "x", "password": "y"})).status_code == 400
    assert (await console.post("/oauth/token", data={"grant_type": "client_credentials"})).status_code == 401
    assert (await console.get("/accounts")).status_code == 401
