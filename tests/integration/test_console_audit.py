"""The console's audit trail: creating and changing accounts (disabling, unlocking, new passwords) and integration
clients puts an entry in the outbox with the change, under `audit.console.recorded`, with the action, the actor and
the values before and after; no password, hash or client secret ever appears in one. Logins, failed ones and
lockouts are the account's own entries; a new signing key is the console's."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest
from support.app import asgi_client, prepared_app
from support.database import migrated_pool
from support.tokens import auth_headers

from mitra_console.bootstrap import build_spec
from mitra_console.settings import ConsoleSettings
from mitra_console.usecases import keys
from mitra_console.usecases.config import ConsoleConfig
from mitra_shared import db
from mitra_shared.context import Context
from mitra_shared.uow import UnitOfWork

pytestmark = pytest.mark.integration

CONSOLE_MIGRATIONS = db.MigrationSource("console", "mitra_console")
ROUTING_KEY = "audit.console.recorded"
PASSWORD = "kopi tubruk di pagi hari"
NEW_PASSWORD = "teh manis hangat sekali"
PLAN = "6f1c2d3e-0000-4000-8000-00000000abcd"
ADMIN = auth_headers(subject="admin-7", role="admin", name="Admin Tujuh")
TPOA = auth_headers(subject="tpoa-3", role="tpoa", name="Sekretariat Tiga")


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(database, [CONSOLE_MIGRATIONS], max_size=4) as ready:
        yield ready


@pytest.fixture
async def console(pool: asyncpg.Pool) -> AsyncIterator[httpx.AsyncClient]:
    spec = build_spec(ConsoleSettings(environment="test"))
    app = prepared_app(spec, pool)
    app.state.uow = app.state.resources.uow = UnitOfWork(pool, service=spec.name)  # as a started service's
    async with asgi_client(app, headers={}) as client:
        yield client


async def _entries(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    rows = await pool.fetch("SELECT routing_key, body FROM outbox WHERE routing_key LIKE 'audit.%' ORDER BY seq")
    assert {row["routing_key"] for row in rows} <= {ROUTING_KEY}
    return [json.loads(bytes(row["body"]))["data"] for row in rows]


async def _only_new(pool: asyncpg.Pool, seen: int) -> dict[str, Any]:
    entries = await _entries(pool)
    assert len(entries) == seen + 1, [entry["action"] for entry in entries[seen:]]
    return entries[-1]


async def _create(console: httpx.AsyncClient, caller: dict[str, str], username: str) -> dict[str, Any]:
    body = {
        "username": username,
        "display_name": "Siti Rahma",
        "email": "siti@plan.example",
        "role": "ngo",
        "organization_id": PLAN,
        "password": PASSWORD,
    }
    created = await console.post("/accounts", json=body, headers=caller)
    assert created.status_code == 201, created.text
    return dict(created.json())


async def _patch(console: httpx.AsyncClient, url: str, body: dict[str, Any], version: int) -> dict[str, Any]:
    response = await console.patch(url, json=body, headers={**ADMIN, "If-Match": f'"{version}"'})
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _no_secret_in_any_entry(pool: asyncpg.Pool, *secrets: str) -> None:
    bodies = [
        bytes(row["body"]) for row in await pool.fetch("SELECT body FROM outbox WHERE routing_key LIKE 'audit.%'")
    ]
    assert bodies
    hashes = [
        row[0]
        for row in await pool.fetch("SELECT password_hash FROM accounts UNION SELECT secret_hash FROM oauth_clients")
    ]
    for body in bodies:
        for forbidden in (*secrets, *hashes, "argon2", "password_hash", "secret_hash", "client_secret"):
            assert forbidden.encode() not in body, forbidden


async def test_account_changes_are_audited_with_actor_and_values_but_no_password(
    console: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    account = await _create(console, TPOA, "siti.rahma")
    created = await _only_new(pool, 0)
    assert (created["action"], created["object_type"], created["object_id"]) == (
        "account.created",
        "account",
        account["id"],
    )
    assert created["actor"] == {"subject": "tpoa-3", "name": "Sekretariat Tiga", "role": "tpoa", "scope": {}}
    assert created["service"] == "console"
    assert created.get("before") is None
    assert created["after"] == account

    url = f"/accounts/{account['id']}"
    renamed = await _patch(console, url, {"display_name": "Siti R."}, 1)
    updated = await _only_new(pool, 1)
    assert updated["action"] == "account.updated"
    assert updated["actor"]["subject"] == "admin-7"
    assert (updated["before"]["display_name"], updated["after"]["display_name"]) == ("Siti Rahma", "Siti R.")
    assert updated["after"] == renamed

    for _ in range(5):
        await console.post("/auth/token", data={"username": "siti.rahma", "password": "not the password"})
    await console.post("/auth/token", data={"username": "siti.rahma", "password": PASSWORD})  # locked: refused
    # Each failed login is the account's own entry (no password in it); the fifth locks the account.
    failures = (await _entries(pool))[2:]
    assert [entry["action"] for entry in failures] == ["account.login_failed"] * 4 + ["account.locked"]
    assert {entry["actor"]["subject"] for entry in failures} == {account["id"]}
    assert failures[0]["actor"]["role"] == "ngo"
    assert (failures[-1]["before"]["locked_until"], failures[-1]["before"]["recent_failures"]) == (None, 4)
    assert failures[-1]["after"]["locked_until"] is not None
    seen = 7

    await _patch(console, url, {"unlock": True}, 2)
    unlocked = await _only_new(pool, seen)
    assert unlocked["action"] == "account.unlocked"
    assert unlocked["before"]["locked_until"] is not None
    assert unlocked["after"]["locked_until"] is None

    await _patch(console, url, {"active": False}, 3)
    disabled = await _only_new(pool, seen + 1)
    assert disabled["action"] == "account.disabled"
    assert (disabled["before"]["active"], disabled["after"]["active"]) == (True, False)

    unchanged = await console.patch(url, json={"active": False}, headers={**ADMIN, "If-Match": '"4"'})
    assert unchanged.status_code == 200, unchanged.text
    assert len(await _entries(pool)) == seen + 2  # nothing changed, nothing recorded

    reset = await console.post(f"{url}/password", json={"new_password": NEW_PASSWORD}, headers=TPOA)
    assert reset.status_code == 204, reset.text
    entry = await _only_new(pool, seen + 2)
    assert entry["action"] == "account.password_reset"
    assert entry["actor"]["subject"] == "tpoa-3"
    assert entry["before"]["password_changed_at"] != entry["after"]["password_changed_at"]
    assert entry["after"]["version"] == entry["before"]["version"] + 1
    await _no_secret_in_any_entry(pool, PASSWORD, NEW_PASSWORD)


async def test_a_password_changed_by_its_owner_is_audited_as_the_owner(
    console: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    account = await _create(console, ADMIN, "dewi")
    owner = auth_headers(subject=account["id"], role="ngo", organization_id=PLAN, name="Dewi")
    changed = await console.post(
        "/accounts/me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}, headers=owner
    )
    assert changed.status_code == 204, changed.text
    entry = await _only_new(pool, 1)
    assert (entry["action"], entry["object_id"]) == ("account.password_changed", account["id"])
    assert entry["actor"] == {
        "subject": account["id"],
        "name": "Dewi",
        "role": "ngo",
        "scope": {"organization_id": PLAN},
    }
    assert entry["before"]["password_changed_at"] != entry["after"]["password_changed_at"]
    await _no_secret_in_any_entry(pool, PASSWORD, NEW_PASSWORD)


async def test_client_changes_are_audited_and_no_secret_is_recorded(
    console: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    registered = await console.post("/clients", json={"client_id": "bappenas-sipd", "name": "Bappenas"}, headers=ADMIN)
    assert registered.status_code == 201, registered.text
    first_secret = registered.json()["client_secret"]
    entry = await _only_new(pool, 0)
    assert (entry["action"], entry["object_type"], entry["object_id"]) == (
        "client.registered",
        "client",
        "bappenas-sipd",
    )
    assert entry["actor"]["role"] == "admin"
    assert entry.get("before") is None
    assert entry["after"] == {k: v for k, v in registered.json().items() if k != "client_secret"}

    url = "/clients/bappenas-sipd"
    await _patch(console, url, {"name": "Bappenas SIPD"}, 1)
    entry = await _only_new(pool, 1)
    assert entry["action"] == "client.updated"
    assert (entry["before"]["name"], entry["after"]["name"]) == ("Bappenas", "Bappenas SIPD")

    second_secret = (await _patch(console, url, {"new_secret": True}, 2))["client_secret"]
    assert second_secret
    entry = await _only_new(pool, 2)
    assert entry["action"] == "client.secret_replaced"
    assert entry["after"]["version"] == 3

    await _patch(console, url, {"active": False}, 3)
    entry = await _only_new(pool, 3)
    assert entry["action"] == "client.disabled"
    assert (entry["before"]["active"], entry["after"]["active"]) == (True, False)

    refused = await console.patch(url, json={"active": True}, headers={**TPOA, "If-Match": '"4"'})
    assert refused.status_code == 403
    missing = await console.patch(
        f"/clients/{uuid.uuid4().hex}", json={"name": "X"}, headers={**ADMIN, "If-Match": '"1"'}
    )
    assert missing.status_code == 404
    assert len(await _entries(pool)) == 4  # a refused change records nothing
    await _no_secret_in_any_entry(pool, first_secret, second_secret)


async def test_a_new_signing_key_is_audited_as_the_console_without_its_private_part(pool: asyncpg.Pool) -> None:
    config = ConsoleConfig.from_settings(ConsoleSettings(environment="test"))
    ctx = Context.for_system("console.key_rotation", datetime.now(UTC))
    assert await keys.rotate(UnitOfWork(pool, service="console"), ctx, config) >= 1
    made = [entry for entry in await _entries(pool) if entry["action"] == "signing_key.created"]
    assert made, "a key was made"
    assert made[0]["actor"] == {
        "subject": "system:console.key_rotation",
        "name": "console.key_rotation",
        "role": "system",
        "scope": {},
    }
    assert set(made[0]["after"]) == {"algorithm", "active_from", "retire_at", "publish_until"}
    stored = await pool.fetchval("SELECT kid FROM signing_keys ORDER BY active_from LIMIT 1")
    assert made[0]["object_id"] == stored
