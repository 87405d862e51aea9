"""The console over its real app and database: accounts, login, lockout, tokens, client credentials, key rotation;
and a console token accepted by a service configured with the console's JWKS (the console served on a free port)."""

from __future__ import annotations

import asyncio
import base64
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from datetime import timedelta
from typing import Any

import asyncpg
import httpx
import jwt
import pytest
from fastapi import FastAPI
from support.app import asgi_client, prepared_app
from support.clock import FakeClock
from support.database import create_migrated_database, drop_database
from support.tokens import as_role
from support.webhooks import serving

from mitra_console.bootstrap import build_spec
from mitra_console.settings import ConsoleSettings
from mitra_console.usecases import keys
from mitra_console.usecases.config import ConsoleConfig
from mitra_devtools.launcher import free_port
from mitra_shared import db
from mitra_shared.clock import system_clock
from mitra_shared.context import Context
from mitra_shared.settings import console_issuer
from mitra_shared.uow import UnitOfWork

pytestmark = pytest.mark.integration

CONSOLE_MIGRATIONS = db.MigrationSource("console", "mitra_console")
PASSWORD = "kopi tubruk di pagi hari"
PLAN = "6f1c2d3e-0000-4000-8000-00000000abcd"
ADMIN = as_role("admin")


@pytest.fixture(scope="module")
def console_database() -> Iterator[str]:
    dsn = asyncio.run(create_migrated_database([CONSOLE_MIGRATIONS]))
    yield dsn
    asyncio.run(drop_database(dsn))


@pytest.fixture
async def console_pool(console_database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await db.create_pool(console_database, min_size=1, max_size=4)
    try:
        await pool.execute("TRUNCATE accounts, oauth_clients, signing_keys CASCADE")
        yield pool
    finally:
        await pool.close()


def console_app(pool: asyncpg.Pool, *, port: int = 8000, clock: Any = None, **settings: Any) -> FastAPI:
    spec = build_spec(ConsoleSettings(environment="test", http_port=port, **settings))
    return prepared_app(spec, pool, clock)


def through_asgi(app: FastAPI) -> None:
    """The console verifies its own tokens against its own JWKS: fetched over ASGI here (no server)."""

    async def fetch(url: str) -> Mapping[str, Any]:
        async with asgi_client(app, headers={}) as client:
            response = await client.get("/.well-known/jwks.json")
            response.raise_for_status()
            return response.json()  # type: ignore[no-any-return]

    for source in app.state.verifier.sources.values():
        source.fetch = fetch


@pytest.fixture
async def console(console_pool: asyncpg.Pool) -> AsyncIterator[httpx.AsyncClient]:
    app = console_app(console_pool)
    through_asgi(app)
    async with asgi_client(app, headers={}) as client:
        yield client


async def create(client: httpx.AsyncClient, caller: dict[str, str] = ADMIN, **fields: Any) -> httpx.Response:
    body = {
        "username": f"user-{uuid.uuid4().hex[:8]}",
        "display_name": "Siti Rahma",
        "email": "siti@plan.example",
        "role": "ngo",
        "organization_id": PLAN,
        "password": PASSWORD,
        **fields,
    }
    return await client.post("/accounts", json=body, headers=caller)


async def login(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    return await client.post("/auth/token", data={"username": username, "password": password})


async def test_an_account_logs_in_and_gets_a_short_lived_signed_token(console: httpx.AsyncClient) -> None:
    created = await create(console, username="siti.rahma")
    assert created.status_code == 201, created.text
    account = created.json()
    assert "password" not in account
    assert "password_hash" not in account

    response = await login(console, "Siti.Rahma")  # usernames ignore case
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    answer = response.json()
    assert answer["token_type"] == "Bearer"
    assert answer["expires_in"] == 900
    jwks = (await console.get("/.well-known/jwks.json")).json()
    header = jwt.get_unverified_header(answer["access_token"])
    assert header["alg"] == "EdDSA"
    assert [key["kid"] for key in jwks["keys"]] == [header["kid"]]
    assert all("d" not in key for key in jwks["keys"])  # public halves only
    claims = jwt.decode(answer["access_token"], jwt.PyJWK(jwks["keys"][0]), algorithms=["EdDSA"], audience="mitra")
    assert claims["iss"] == "http://127.0.0.1:8000"
    assert claims["sub"] == account["id"]
    assert claims["roles"] == ["ngo"]
    assert claims["organization_id"] == PLAN
    assert claims["name"] == "Siti Rahma"
    assert claims["exp"] - claims["iat"] == 900
    assert claims["jti"]

    as_json = await console.post("/auth/token", json={"username": "siti.rahma", "password": PASSWORD})
    assert as_json.status_code == 200, as_json.text
    discovery = (await console.get("/.well-known/openid-configuration")).json()
    assert discovery["jwks_uri"] == "http://127.0.0.1:8000/.well-known/jwks.json"
    assert discovery["token_endpoint"] == "http://127.0.0.1:8000/oauth/token"


async def test_a_refusal_does_not_tell_whether_the_account_exists(console: httpx.AsyncClient) -> None:
    await create(console, username="budi")
    wrong = await login(console, "budi", "not the password at all")
    unknown = await login(console, "nobody-here", PASSWORD)
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"] == "invalid_grant"
    assert (await console.post("/auth/token", data={"username": "budi"})).json()["error"] == "invalid_request"
    other_grant = await console.post("/auth/token", data={"grant_type": "client_credentials"})
    assert other_grant.json()["error"] == "unsupported_grant_type"


async def test_five_failures_lock_the_account_for_fifteen_minutes(console_pool: asyncpg.Pool) -> None:
    clock = FakeClock(system_clock())
    app = console_app(console_pool, clock=clock)
    async with asgi_client(app, headers={}) as client:
        await create(client, username="rina")
        refusal = (await login(client, "rina", "wrong password one")).json()
        for attempt in range(4):
            clock.advance(minutes=2)
            assert (await login(client, "rina", f"wrong password {attempt}")).status_code == 400
        locked = await login(client, "rina")
        assert locked.status_code == 400
        assert locked.json() == refusal  # the same answer as a wrong password
        clock.advance(minutes=14)
        assert (await login(client, "rina")).status_code == 400
        clock.advance(minutes=2)
        assert (await login(client, "rina")).status_code == 200


async def test_admin_unlocks_and_disables_an_account_with_if_match(console_pool: asyncpg.Pool) -> None:
    clock = FakeClock(system_clock())
    app = console_app(console_pool, clock=clock)
    async with asgi_client(app, headers={}) as client:
        account = (await create(client, username="andi")).json()
        for _ in range(5):
            await login(client, "andi", "wrong password here")
        assert (await client.get(f"/accounts/{account['id']}", headers=ADMIN)).json()["locked_until"] is not None
        url = f"/accounts/{account['id']}"
        assert (await client.patch(url, json={"unlock": True}, headers=ADMIN)).status_code == 428
        unlocked = await client.patch(url, json={"unlock": True}, headers={**ADMIN, "If-Match": '"1"'})
        assert unlocked.status_code == 200, unlocked.text
        assert unlocked.json()["locked_until"] is None
        assert (await login(client, "andi")).status_code == 200
        stale = await client.patch(url, json={"active": False}, headers={**ADMIN, "If-Match": '"1"'})
        assert stale.status_code == 412
        disabled = await client.patch(
            url, json={"active": False}, headers={**ADMIN, "If-Match": unlocked.headers["etag"]}
        )
        assert disabled.status_code == 200, disabled.text
        assert (await login(client, "andi")).status_code == 400


async def test_tpoa_manages_ngo_staff_only_and_sees_only_them(console: httpx.AsyncClient) -> None:
    tpoa = as_role("tpoa")
    admin_account = (await create(console, username="root", role="admin", organization_id=None)).json()
    made = await create(console, tpoa, username="staff.plan")
    assert made.status_code == 201, made.text
    assert made.json()["created_by"] == "tpoa-tester"
    refused = await create(console, tpoa, username="another.admin", role="admin", organization_id=None)
    assert refused.status_code == 403
    assert (await console.get(f"/accounts/{admin_account['id']}", headers=tpoa)).status_code == 404
    listed = (await console.get("/accounts", headers=tpoa)).json()
    assert [item["username"] for item in listed["items"]] == ["staff.plan"]
    assert listed["total"] == 1
    everyone = (await console.get("/accounts", headers=ADMIN)).json()
    assert {item["username"] for item in everyone["items"]} == {"root", "staff.plan"}
    to_admin = await console.patch(
        f"/accounts/{made.json()['id']}", json={"role": "admin"}, headers={**tpoa, "If-Match": '"1"'}
    )
    assert to_admin.status_code == 403
    assert (await console.get("/accounts", headers=as_role("ministry", ministry_code="KEMENSOS"))).status_code == 403


async def test_an_account_and_its_scope_follow_the_rules(console: httpx.AsyncClient) -> None:
    no_scope = await create(console, role="ministry", organization_id=None)
    assert no_scope.status_code == 422
    assert "ministry_code" in no_scope.text
    weak = await create(console, password="short")
    assert weak.status_code == 422
    assert "short" not in weak.text  # the password is never echoed
    await create(console, username="twice")
    assert (await create(console, username="TWICE")).status_code == 409
    demo = await create(console, password="mitra-demo")
    assert demo.status_code == 422  # the demo password is for local runs only


async def test_a_user_changes_their_own_password_with_a_console_token(console: httpx.AsyncClient) -> None:
    account = (
        await create(console, username="dewi", role="ministry", organization_id=None, ministry_code="KEMSOS")
    ).json()
    token = (await login(console, "dewi")).json()["access_token"]
    me = {"Authorization": f"Bearer {token}"}
    assert (await console.get("/accounts/me", headers=me)).json()["id"] == account["id"]
    wrong = await console.post(
        "/accounts/me/password",
        json={"current_password": "not it at all", "new_password": "teh manis hangat sekali"},
        headers=me,
    )
    assert wrong.status_code == 422
    changed = await console.post(
        "/accounts/me/password",
        json={"current_password": PASSWORD, "new_password": "teh manis hangat sekali"},
        headers=me,
    )
    assert changed.status_code == 204, changed.text
    assert (await login(console, "dewi")).status_code == 400
    assert (await login(console, "dewi", "teh manis hangat sekali")).status_code == 200
    stranger = as_role("ministry", ministry_code="KEMSOS")  # a token that names no account of this console
    assert (await console.get("/accounts/me", headers=stranger)).status_code == 404


async def test_a_manager_resets_a_password(console: httpx.AsyncClient) -> None:
    account = (await create(console, username="lupa")).json()
    reset = await console.post(
        f"/accounts/{account['id']}/password", json={"new_password": "sebuah kalimat baru"}, headers=as_role("tpoa")
    )
    assert reset.status_code == 204, reset.text
    assert (await login(console, "lupa", "sebuah kalimat baru")).status_code == 200


async def test_an_integration_system_gets_a_token_with_its_client_credentials(console: httpx.AsyncClient) -> None:
    registered = await console.post("/clients", json={"client_id": "bappenas-sipd", "name": "Bappenas"}, headers=ADMIN)
    assert registered.status_code == 201, registered.text
    secret = registered.json()["client_secret"]
    assert secret
    listed = (await console.get("/clients", headers=ADMIN)).json()
    assert "client_secret" not in listed[0]
    basic = base64.b64encode(f"bappenas-sipd:{secret}".encode()).decode()
    response = await console.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {basic}"}
    )
    assert response.status_code == 200, response.text
    claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
    assert claims["roles"] == ["integration"]
    assert claims["sub"] == "bappenas-sipd"
    assert response.json()["expires_in"] == 3600
    in_body = await console.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "bappenas-sipd", "client_secret": secret},
    )
    assert in_body.status_code == 200
    wrong = await console.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "bappenas-sipd", "client_secret": "guess"},
    )
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"
    disabled = await console.patch(
        "/clients/bappenas-sipd", json={"active": False}, headers={**ADMIN, "If-Match": '"1"'}
    )
    assert disabled.status_code == 200, disabled.text
    assert (
        await console.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {basic}"}
        )
    ).status_code == 401
    assert (
        await console.post("/clients", json={"client_id": "x1y", "name": "X"}, headers=as_role("tpoa"))
    ).status_code == 403


async def test_keys_rotate_the_next_is_published_ahead_and_the_old_one_goes_when_its_tokens_have_expired(
    console_pool: asyncpg.Pool,
) -> None:
    config = ConsoleConfig.from_settings(ConsoleSettings(environment="test"))
    uow = UnitOfWork(console_pool)
    clock = FakeClock(system_clock())

    def context() -> Context:
        return Context.for_system("test", clock())

    assert await keys.rotate(uow, context(), config) == 1
    assert await keys.rotate(uow, context(), config) == 0
    first = (await keys.jwks(uow, clock()))["keys"]
    assert len(first) == 1
    clock.advance(days=29, hours=1)
    assert await keys.rotate(uow, context(), config) == 1
    both = (await keys.jwks(uow, clock()))["keys"]
    assert next(key["kid"] for key in both) == first[0]["kid"]
    assert len(both) == 2
    clock.advance(days=1)  # the second signs now; the first stays published for its last tokens
    assert len((await keys.jwks(uow, clock()))["keys"]) == 2
    clock.advance(hours=1, minutes=6)
    assert await keys.rotate(uow, context(), config) == 1  # the first is deleted
    assert [key["kid"] for key in (await keys.jwks(uow, clock()))["keys"]] == [both[1]["kid"]]
    assert (
        await console_pool.fetchval(
            "SELECT count(*) FROM signing_keys WHERE private_key_encrypted::text LIKE '%PRIVATE%'"
        )
        == 0
    )
    assert timedelta(0) < config.rotation.longest_token <= timedelta(hours=1)


async def test_a_service_accepts_console_tokens_and_follows_key_rotation(
    console_pool: asyncpg.Pool, registry_pool: asyncpg.Pool
) -> None:
    from mitra_registry.bootstrap import build_spec as registry_spec
    from mitra_registry.settings import RegistrySettings

    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    app = console_app(console_pool, port=port)
    registry = prepared_app(
        registry_spec(RegistrySettings(environment="test", jwt_issuers=[console_issuer(issuer)])), registry_pool
    )
    source = registry.state.verifier.sources[issuer]
    async with (
        serving(app, port),
        asgi_client(app, headers={}) as console,
        asgi_client(registry, headers={}) as service,
    ):
        await create(console, username="tpoa.officer", role="tpoa", organization_id=None)

        async def call_registry() -> tuple[str, int]:
            token = (await login(console, "tpoa.officer")).json()["access_token"]
            response = await service.get("/organizations", headers={"Authorization": f"Bearer {token}"})
            return token, response.status_code

        old_token, status = await call_registry()
        assert status == 200
        assert source.fetches == 1

        # The console's key is retired (its time is up): the next token is signed with a new key.
        await console_pool.execute(
            "UPDATE signing_keys SET active_from = now() - interval '1 minute', retire_at = now() - interval '1 second'"
        )
        new_token, status = await call_registry()
        assert jwt.get_unverified_header(new_token)["kid"] != jwt.get_unverified_header(old_token)["kid"]
        assert status == 200
        assert source.fetches == 2  # the unknown kid fetched the keys once more
        still = await service.get("/organizations", headers={"Authorization": f"Bearer {old_token}"})
        assert still.status_code == 200  # the previous key is still published

        _header, payload, signature = new_token.split(".")
        forged_header = base64.urlsafe_b64encode(b'{"alg":"EdDSA","kid":"made-up","typ":"JWT"}').rstrip(b"=").decode()
        source.unknown_kid_fetch_at = None  # as if the last refetch was long ago
        for _ in range(3):
            response = await service.get(
                "/organizations", headers={"Authorization": f"Bearer {forged_header}.{payload}.{signature}"}
            )
            assert response.status_code == 401
        assert source.fetches == 3  # one refetch for the unknown kid, then none within the interval
