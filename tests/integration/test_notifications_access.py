"""Who may do what on notifications' API: every operation of its OpenAPI document x every role x the caller's own
scope and another's, against the real app (over ASGI, no broker) on a database of this module's own.

EXPECTED holds, per operation, each role's answer: ALLOW (2xx), DENY (403), OWN (2xx on a recipient the caller owns;
404 on another's it may not see, 403 on one it may see) or FILTERED (2xx, a list of only what the caller owns). An
operation of the document without a row, a row without an operation and an operation without roles fail the test.
"""

from __future__ import annotations

import asyncio
import random
import string
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest
from support.access import assert_policies_match
from support.app import api_client
from support.database import create_migrated_database, drop_database
from support.tokens import as_role
from test_notification_delivery import NOTIFICATIONS, consume

from mitra_notifications.bootstrap import build_spec
from mitra_notifications.settings import NotificationsSettings
from mitra_notifications.usecases import recipients, routing, routing_rules, subscriptions
from mitra_shared import db
from mitra_shared.access import ROLES
from mitra_shared.context import Context
from mitra_shared.contracts import registry as contracts
from mitra_shared.uow import UnitOfWork

pytestmark = pytest.mark.integration

ALLOW, DENY, OWN, FILTERED = "ALLOW", "DENY", "OWN", "FILTERED"
ORG_A, ORG_B = uuid.UUID("0a000000-0000-4000-8000-00000000000a"), uuid.UUID("0b000000-0000-4000-8000-00000000000b")
PRINCIPALS: dict[str, dict[str, Any]] = {
    "tpoa": {},
    "ministry": {"ministry_code": "KEMENSOS"},
    "region": {"region_code": "3374"},
    "ngo": {"organization_id": ORG_A},
    "auditor": {},
    "admin": {},
    "integration": {},
}
EVERYONE: dict[str, str] = dict.fromkeys(ROLES, DENY)
READERS_OF_ALL = ("admin", "tpoa", "auditor", "integration")
PEOPLE = ("tpoa", "ministry", "region", "ngo", "auditor", "admin")


def row(**answers: str) -> dict[str, str]:
    return {**EVERYONE, **answers}


EXPECTED: dict[str, dict[str, str]] = {
    "POST /recipients": row(admin=ALLOW),
    "GET /recipients": row(**dict.fromkeys(READERS_OF_ALL, ALLOW), ngo=FILTERED, ministry=FILTERED, region=FILTERED),
    "GET /recipients/{recipient_id}": row(**dict.fromkeys(READERS_OF_ALL, ALLOW), ngo=OWN, ministry=OWN, region=OWN),
    "PATCH /recipients/{recipient_id}": row(admin=ALLOW, tpoa=OWN, ngo=OWN, ministry=OWN, region=OWN),
    "DELETE /recipients/{recipient_id}": row(admin=ALLOW),
    "GET /recipients/{recipient_id}/webhook-secret": row(admin=ALLOW),
    "GET /recipients/{recipient_id}/inbox": row(tpoa=OWN, ngo=OWN, ministry=OWN, region=OWN),
    "POST /recipients/{recipient_id}/inbox/{notification_id}/read": row(tpoa=OWN, ngo=OWN, ministry=OWN, region=OWN),
    "POST /recipients/{recipient_id}/subscriptions": row(admin=ALLOW, tpoa=OWN, ngo=OWN, ministry=OWN, region=OWN),
    "GET /recipients/{recipient_id}/subscriptions": row(admin=ALLOW, tpoa=OWN, ngo=OWN, ministry=OWN, region=OWN),
    "DELETE /recipients/{recipient_id}/subscriptions/{subscription_id}": row(
        admin=ALLOW, tpoa=OWN, ngo=OWN, ministry=OWN, region=OWN
    ),
    "GET /notifications": row(admin=ALLOW, tpoa=ALLOW, auditor=ALLOW),
    "POST /notifications/{notification_id}/resend": row(admin=ALLOW),
    "GET /routing-rules": row(**dict.fromkeys(READERS_OF_ALL, ALLOW)),
    "PUT /routing-rules": row(admin=ALLOW),
    "DELETE /routing-rules/{rule_id}": row(admin=ALLOW),
    # A person's own recipient (linked to the token's `sub`): every person's role; no other's is reachable.
    "GET /me/inbox": row(**dict.fromkeys(PEOPLE, ALLOW)),
    "GET /me/inbox/unread-count": row(**dict.fromkeys(PEOPLE, ALLOW)),
    "POST /me/inbox/{notification_id}/read": row(**dict.fromkeys(PEOPLE, ALLOW)),
    "POST /me/inbox/read-all": row(**dict.fromkeys(PEOPLE, ALLOW)),
    "GET /me/preferences": row(**dict.fromkeys(PEOPLE, ALLOW)),
    "PUT /me/preferences": row(**dict.fromkeys(PEOPLE, ALLOW)),
}


@dataclass
class Seed:
    """The recipients of each scope (`own[role]`, `other[role]`), an inbox notification and an e-mail of each."""

    dsn: str
    own: dict[str, uuid.UUID] = field(default_factory=dict)
    other: dict[str, uuid.UUID] = field(default_factory=dict)
    inbox: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)
    email: uuid.UUID | None = None


def _system() -> Context:
    return Context.for_system("tests.access", datetime.now(UTC))


async def _recipient(uow: UnitOfWork, name: str, role: str, **fields: Any) -> uuid.UUID:
    command = recipients.NewRecipient(
        **{
            "name": name,
            "role": role,
            "email": f"{name.lower().replace(' ', '.')}@example.go.id",
            "webhook_url": None,
            "region_code": None,
            "parent_region_code": None,
            "organization_id": None,
            "language": "id",
            **fields,
        }
    )
    created = await recipients.add_recipient(uow, _system(), command, allow_internal_webhooks=True)
    return uuid.UUID(str(created["id"]))


async def _seed(dsn: str) -> Seed:
    seed = Seed(dsn)
    pool = await db.create_pool(dsn, min_size=1, max_size=2)
    try:
        uow = UnitOfWork(pool)
        # The own recipients are linked to the callers' accounts (`<role>-tester`): theirs for `/me` too.
        tpoa = await _recipient(uow, "Sekretariat TPOA", "tpoa", account_subject="tpoa-tester")
        ngo_a = await _recipient(uow, "Kontak Ormas A", "ngo", organization_id=ORG_A, account_subject="ngo-tester")
        ngo_b = await _recipient(uow, "Kontak Ormas B", "ngo", organization_id=ORG_B)
        seed.own |= {
            "tpoa": tpoa,
            "ngo": ngo_a,
            "ministry": await _recipient(
                uow, "Biro Kemensos", "ministry", ministry_code="KEMENSOS", account_subject="ministry-tester"
            ),
            "region": await _recipient(
                uow, "Kesbangpol Semarang", "regency", region_code="3374", account_subject="region-tester"
            ),
            "auditor": await _recipient(uow, "Auditor", "account", account_subject="auditor-tester"),
            "admin": await _recipient(uow, "Admin", "account", account_subject="admin-tester"),
        }
        seed.other |= {
            "tpoa": ngo_a,  # tpoa sees every recipient (403 on another's inbox), owns only TPOA's
            "ngo": ngo_b,
            "ministry": await _recipient(uow, "Biro Kemenkes", "ministry", ministry_code="KEMENKES"),
            "region": await _recipient(uow, "Kesbangpol Yogyakarta", "regency", region_code="3471"),
        }
        async with uow.change(_system()) as tx:  # KEMENSOS is Mitra Utama of an MSP of NGO A
            await routing.remember_msp(
                tx, routing.SignedMsp(uuid.uuid4(), "MSP/1", ORG_A, "Ormas A", None, "KEMENSOS", "Kemensos", ["3374"])
            )
        everyone = {*seed.own.values(), *seed.other.values()}
        for recipient_id in everyone:  # an event for every inbox
            await subscriptions.subscribe(
                uow,
                _system(),
                recipient_id,
                subscriptions.NewSubscription(["registry.organization.registered"], None, None, ["inbox"]),
            )
        await consume(pool, _registered())
        for recipient_id in everyone:
            seed.inbox[recipient_id] = await pool.fetchval(
                "SELECT id FROM notifications WHERE recipient_id = $1 AND channel = 'inbox'", recipient_id
            )
        seed.email = await pool.fetchval("SELECT id FROM notifications WHERE channel = 'email' LIMIT 1")
    finally:
        await pool.close()
    return seed


def _registered() -> contracts.OrganizationRegistered:
    return contracts.OrganizationRegistered(
        organization_id=ORG_A,
        legal_name="Ormas A",
        country_of_origin="NL",
        focus_areas=["poverty"],
        status="applicant",
        registered_at=datetime.now(UTC),
    )


@pytest.fixture(scope="module")
def seed() -> Iterator[Seed]:
    dsn = asyncio.run(create_migrated_database([NOTIFICATIONS]))
    try:
        yield asyncio.run(_seed(dsn))
    finally:
        asyncio.run(drop_database(dsn))


@pytest.fixture
async def pool(seed: Seed) -> AsyncIterator[asyncpg.Pool]:
    ready = await db.create_pool(seed.dsn, min_size=1, max_size=4)
    try:
        yield ready
    finally:
        await ready.close()


@pytest.fixture
async def client(pool: asyncpg.Pool) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(build_spec(NotificationsSettings(environment="test")), pool, headers={}) as found:
        yield found


def _letters() -> str:
    return "".join(random.choices(string.ascii_lowercase, k=12))


Request = tuple[str, str, dict[str, Any] | None]
Build = Callable[[asyncpg.Pool, Seed, uuid.UUID], Awaitable[Request]]


async def _fresh_recipient(pool: asyncpg.Pool) -> uuid.UUID:
    return await _recipient(UnitOfWork(pool), f"Sementara {_letters()}", "tpoa")


async def _fresh_subscription(pool: asyncpg.Pool, recipient_id: uuid.UUID) -> uuid.UUID:
    command = subscriptions.NewSubscription(["registry.permit.expired"], None, None, ["inbox"])
    return uuid.UUID(str((await subscriptions.subscribe(UnitOfWork(pool), _system(), recipient_id, command))["id"]))


async def _fresh_rule(pool: asyncpg.Pool) -> uuid.UUID:
    rule = await routing_rules.put_rule(
        UnitOfWork(pool),
        _system(),
        routing_key=f"test.{_letters()}.done",
        audience="tpoa",
        channels=["inbox"],
        active=True,
    )
    return uuid.UUID(str(rule["id"]))


def _on(method: str, path: str, body: dict[str, Any] | None = None) -> Build:
    async def build(pool: asyncpg.Pool, seed: Seed, recipient_id: uuid.UUID) -> Request:
        return method, path.format(recipient_id=recipient_id), body

    return build


async def _delete_recipient(pool: asyncpg.Pool, seed: Seed, recipient_id: uuid.UUID) -> Request:
    return "DELETE", f"/recipients/{await _fresh_recipient(pool)}", None


async def _read(pool: asyncpg.Pool, seed: Seed, recipient_id: uuid.UUID) -> Request:
    return "POST", f"/recipients/{recipient_id}/inbox/{seed.inbox[recipient_id]}/read", None


async def _unsubscribe(pool: asyncpg.Pool, seed: Seed, recipient_id: uuid.UUID) -> Request:
    return "DELETE", f"/recipients/{recipient_id}/subscriptions/{await _fresh_subscription(pool, recipient_id)}", None


async def _resend(pool: asyncpg.Pool, seed: Seed, recipient_id: uuid.UUID) -> Request:
    return "POST", f"/notifications/{seed.email}/resend", None


async def _delete_rule(pool: asyncpg.Pool, seed: Seed, recipient_id: uuid.UUID) -> Request:
    return "DELETE", f"/routing-rules/{await _fresh_rule(pool)}", None


async def _read_mine(pool: asyncpg.Pool, seed: Seed, recipient_id: uuid.UUID) -> Request:
    return "POST", f"/me/inbox/{seed.inbox[recipient_id]}/read", None


IN_EVERY_SCOPE = {  # a subscription each subscribing role may make for its own recipient
    "routing_keys": ["registry.permit.expired"],
    "organization_ids": [str(ORG_A)],
    "region_codes": ["3374"],
    "channels": ["inbox"],
}
REQUESTS: dict[str, Build] = {
    "POST /recipients": _on("POST", "/recipients", {"name": "Kantor Baru", "role": "tpoa", "email": "baru@x.go.id"}),
    "GET /recipients": _on("GET", "/recipients"),
    "GET /recipients/{recipient_id}": _on("GET", "/recipients/{recipient_id}"),
    "PATCH /recipients/{recipient_id}": _on("PATCH", "/recipients/{recipient_id}", {"digest": False}),
    "DELETE /recipients/{recipient_id}": _delete_recipient,
    "GET /recipients/{recipient_id}/webhook-secret": _on("GET", "/recipients/{recipient_id}/webhook-secret"),
    "GET /recipients/{recipient_id}/inbox": _on("GET", "/recipients/{recipient_id}/inbox"),
    "POST /recipients/{recipient_id}/inbox/{notification_id}/read": _read,
    "POST /recipients/{recipient_id}/subscriptions": _on(
        "POST", "/recipients/{recipient_id}/subscriptions", IN_EVERY_SCOPE
    ),
    "GET /recipients/{recipient_id}/subscriptions": _on("GET", "/recipients/{recipient_id}/subscriptions"),
    "DELETE /recipients/{recipient_id}/subscriptions/{subscription_id}": _unsubscribe,
    "GET /notifications": _on("GET", "/notifications"),
    "POST /notifications/{notification_id}/resend": _resend,
    "GET /routing-rules": _on("GET", "/routing-rules"),
    "PUT /routing-rules": _on(
        "PUT", "/routing-rules", {"routing_key": "registry.permit.expired", "audience": "ngo", "channels": ["inbox"]}
    ),
    "DELETE /routing-rules/{rule_id}": _delete_rule,
    "GET /me/inbox": _on("GET", "/me/inbox"),
    "GET /me/inbox/unread-count": _on("GET", "/me/inbox/unread-count"),
    "POST /me/inbox/{notification_id}/read": _read_mine,
    "POST /me/inbox/read-all": _on("POST", "/me/inbox/read-all"),
    "GET /me/preferences": _on("GET", "/me/preferences"),
    "PUT /me/preferences": _on("PUT", "/me/preferences", {"language": "id", "email_enabled": True, "digest": False}),
}


def _cases() -> Iterator[Any]:
    for operation, answers in EXPECTED.items():
        for role, answer in answers.items():
            scopes = {OWN: ("own", "other"), FILTERED: ("own and other",)}.get(answer, ("any",))
            for scope in scopes:
                yield pytest.param(operation, role, scope, id=f"{operation} x {role} x {scope}")


@pytest.mark.parametrize(("operation", "role", "scope"), list(_cases()))
async def test_each_role_gets_what_the_table_says(
    client: httpx.AsyncClient, pool: asyncpg.Pool, seed: Seed, operation: str, role: str, scope: str
) -> None:
    answer = EXPECTED[operation][role]
    target = seed.other.get(role, seed.own["ngo"]) if scope == "other" else seed.own.get(role, seed.own["ngo"])
    method, path, body = await REQUESTS[operation](pool, seed, target)
    response = await client.request(method, path, json=body, headers=as_role(role, **PRINCIPALS[role]))
    if answer == DENY:
        assert response.status_code == 403, response.text
    elif answer == OWN and scope == "other":
        # Another's recipient: 404 if the caller may not see it, 403 if it may (tpoa sees every recipient).
        assert response.status_code == (403 if role in READERS_OF_ALL else 404), response.text
    else:
        assert 200 <= response.status_code < 300, response.text
    if answer == FILTERED:
        listed = {uuid.UUID(item["id"]) for item in response.json()}
        assert seed.own[role] in listed
        assert seed.other[role] not in listed
        assert listed <= {seed.own[role]}, "a scoped account lists only the recipients it owns"
    if answer == ALLOW and operation == "GET /recipients":
        assert {*seed.own.values(), *seed.other.values()} <= {uuid.UUID(item["id"]) for item in response.json()}
    if answer == ALLOW and operation == "GET /me/inbox":
        # The caller's own inbox and nobody else's: exactly the entry of its recipient.
        assert [item["id"] for item in response.json()["items"]] == [str(seed.inbox[seed.own[role]])]


async def test_another_persons_inbox_entry_is_not_found_through_me(client: httpx.AsyncClient, seed: Seed) -> None:
    theirs = seed.inbox[seed.own["ngo"]]
    for role in ("tpoa", "ministry", "region", "auditor", "admin"):
        response = await client.post(f"/me/inbox/{theirs}/read", headers=as_role(role, **PRINCIPALS[role]))
        assert response.status_code == 404, (role, response.text)


async def test_every_operation_of_the_document_has_a_row_and_declared_roles(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    assert set(REQUESTS) == set(EXPECTED)
    assert_policies_match(
        document, {name: [role for role, answer in row.items() if answer != DENY] for name, row in EXPECTED.items()}
    )


async def test_a_recipient_linked_to_one_account_answers_to_that_account_alone(
    client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    desk = await _recipient(UnitOfWork(pool), f"Meja {_letters()}", "tpoa", account_subject="tpoa-desk-2")
    inbox = f"/recipients/{desk}/inbox"
    assert (await client.get(inbox, headers=as_role("tpoa", subject="tpoa-desk-2"))).status_code == 200
    assert (await client.get(inbox, headers=as_role("tpoa", subject="tpoa-desk-3"))).status_code == 403
    # The same subject in a role that does not fit the recipient is not its owner.
    assert (
        await client.get(inbox, headers=as_role("ngo", subject="tpoa-desk-2", organization_id=ORG_A))
    ).status_code == 404


@pytest.mark.parametrize(
    ("role", "subscription", "field"),
    [
        ("ngo", {"organization_ids": [str(ORG_B)]}, "body.organization_ids"),
        ("ngo", {"organization_ids": None}, "body.organization_ids"),
        ("ministry", {"organization_ids": [str(ORG_B)]}, "body.organization_ids"),
        ("region", {"region_codes": ["34"]}, "body.region_codes"),
        ("region", {"region_codes": None}, "body.region_codes"),
    ],
)
async def test_an_owner_subscribes_only_to_what_its_scope_covers(
    client: httpx.AsyncClient, seed: Seed, role: str, subscription: dict[str, Any], field: str
) -> None:
    body = {**IN_EVERY_SCOPE, **subscription}
    response = await client.post(
        f"/recipients/{seed.own[role]}/subscriptions", json=body, headers=as_role(role, **PRINCIPALS[role])
    )
    assert response.status_code == 403, response.text
    assert response.json()["errors"][0]["field"] == field


async def test_no_answer_but_the_admins_carries_a_webhook_secret(client: httpx.AsyncClient, seed: Seed) -> None:
    for role in ROLES:
        headers = as_role(role, **PRINCIPALS[role])
        for path in ("/recipients", f"/recipients/{seed.own.get(role, seed.own['ngo'])}", "/notifications"):
            response = await client.get(path, headers=headers)
            assert "whsec_" not in response.text, (role, path)
            assert "webhook_secret" not in response.text, (role, path)
