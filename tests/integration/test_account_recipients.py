"""People's accounts reach notifications: the console publishes `console.account.created` and `.updated` in the
transaction of the change (its outbox), and notifications keeps one recipient per account from them, which the
routing rules find through its role and scope. Both services' real databases; the console's outbox rows are handed to
notifications' handlers as the relay and consumer would."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
import httpx
import pytest
from support.app import asgi_client, prepared_app
from support.database import create_migrated_database, drop_database, migrated_pool
from support.tokens import as_role
from test_notification_delivery import NOTIFICATIONS, apply, consume

from mitra_console.bootstrap import build_spec
from mitra_console.settings import ConsoleSettings
from mitra_shared import db
from mitra_shared.contracts import agreements, console
from mitra_shared.events import decode
from mitra_shared.uow import UnitOfWork

pytestmark = pytest.mark.integration

CONSOLE_MIGRATIONS = db.MigrationSource("console", "mitra_console")
ADMIN = as_role("admin")
PASSWORD = "kopi tubruk di pagi hari"
PLAN = uuid.UUID("6f1c2d3e-0000-4000-8000-00000000abcd")
KEMENSOS = agreements.MinistryParty(partner_id=uuid.uuid4(), name="Kementerian Sosial", code="KEMENSOS")


@pytest.fixture(scope="module")
def console_database() -> Iterator[str]:
    dsn = asyncio.run(create_migrated_database([CONSOLE_MIGRATIONS]))
    yield dsn
    asyncio.run(drop_database(dsn))


@pytest.fixture
async def console_pool(console_database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await db.create_pool(console_database, min_size=1, max_size=4)
    try:
        await pool.execute("TRUNCATE accounts, outbox CASCADE")
        yield pool
    finally:
        await pool.close()


@pytest.fixture
async def console_client(console_pool: asyncpg.Pool) -> AsyncIterator[httpx.AsyncClient]:
    spec = build_spec(ConsoleSettings(environment="test"))
    app = prepared_app(spec, console_pool)
    app.state.uow = app.state.resources.uow = UnitOfWork(console_pool, service=spec.name)
    async with asgi_client(app, headers=ADMIN) as client:
        yield client


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    """Notifications' database."""
    async with migrated_pool(database, [NOTIFICATIONS], max_size=4) as ready:
        yield ready


async def _create(client: httpx.AsyncClient, username: str, role: str, **scope: Any) -> dict[str, Any]:
    body = {
        "username": username,
        "display_name": username.title(),
        "email": f"{username}@example.go.id",
        "role": role,
        "password": PASSWORD,
        **scope,
    }
    response = await client.post("/accounts", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _patch(client: httpx.AsyncClient, account: dict[str, Any], **changes: Any) -> dict[str, Any]:
    response = await client.patch(
        f"/accounts/{account['id']}", json=changes, headers={"If-Match": f'"{account["version"]}"'}
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _relay(console_pool: asyncpg.Pool, pool: asyncpg.Pool, seen: set[uuid.UUID]) -> list[Any]:
    """Hand the console's new account events to notifications, in the order of the outbox; return them."""
    rows = await console_pool.fetch("SELECT id, body FROM outbox WHERE routing_key LIKE 'console.%' ORDER BY seq")
    events = [decode(bytes(row["body"])) for row in rows if row["id"] not in seen]
    for event in events:
        seen.add(event.id)
        await apply(pool, event)
    return events


async def _recipient(pool: asyncpg.Pool, account: dict[str, Any]) -> asyncpg.Record:
    rows = await pool.fetch("SELECT * FROM recipients WHERE account_subject = $1", account["id"])
    assert len(rows) == 1, rows
    return rows[0]


async def _inboxes(pool: asyncpg.Pool, event_id: uuid.UUID) -> set[str]:
    rows = await pool.fetch(
        "SELECT r.name FROM notifications n JOIN recipients r ON r.id = n.recipient_id "
        "WHERE n.event_id = $1 AND n.channel = 'inbox'",
        event_id,
    )
    return {row["name"] for row in rows}


def _returned(comments: str) -> agreements.ReportReturned:
    return agreements.ReportReturned(
        obligation_id=uuid.uuid4(),
        obligation_kind="semester_report",
        msp_id=uuid.uuid4(),
        organization_id=PLAN,
        organization_name="Plan International",
        ministry_code="KEMENSOS",
        period="2027-S1",
        due_on=date(2027, 7, 31),
        submission_id=uuid.uuid4(),
        attempt=1,
        comments=comments,
        decided_by="kemensos-officer",
        decided_at=datetime.now(UTC),
    )


def _work_plan_submitted(region_code: str) -> agreements.WorkPlanSubmitted:
    return agreements.WorkPlanSubmitted(
        obligation_id=uuid.uuid4(),
        obligation_kind="work_plan",
        msp_id=uuid.uuid4(),
        organization_id=PLAN,
        organization_name="Plan International",
        ministry_code="KEMENSOS",
        period="2027",
        region_code=region_code,
        province_code=region_code[:2],
        due_on=date(2027, 1, 31),
        submission_id=uuid.uuid4(),
        attempt=1,
        summary="RKT 2027 Kota Semarang",
        late=False,
        submitted_by="plan-staff",
        submitted_at=datetime.now(UTC),
    )


async def test_each_account_becomes_a_recipient_the_routing_rules_find(
    console_client: httpx.AsyncClient, console_pool: asyncpg.Pool, pool: asyncpg.Pool
) -> None:
    made = {
        "tpoa": await _create(console_client, "tpoa", "tpoa"),
        "kemensos": await _create(console_client, "kemensos", "ministry", ministry_code="KEMENSOS"),
        "jateng": await _create(console_client, "jateng", "region", region_code="33"),
        "semarang": await _create(console_client, "semarang", "region", region_code="3374"),
        "plan": await _create(console_client, "plan", "ngo", organization_id=str(PLAN)),
        "auditor": await _create(console_client, "auditor", "auditor"),
    }
    events = await _relay(console_pool, pool, set())
    assert [event.type for event in events] == ["id.go.mitra.console.account.created.v1"] * len(made)
    assert all("password" not in json.dumps(event.data) for event in events), "no password or hash leaves the console"

    kinds = {}
    for name, account in made.items():
        row = await _recipient(pool, account)
        kinds[name] = (row["role"], row["partner_code"], row["region_code"], row["parent_region_code"])
        assert (row["email"], row["language"], row["source"], row["active"]) == (
            f"{name}@example.go.id",
            "id",
            "console",
            True,
        )
        assert row["name"] == account["display_name"]
        assert row["webhook_secret"], "like every recipient, with the secret its webhook would be signed with"
    assert kinds == {
        "tpoa": ("tpoa", None, None, None),
        "kemensos": ("ministry", "KEMENSOS", None, None),
        "jateng": ("province", None, "33", None),
        "semarang": ("regency", None, "3374", "33"),
        "plan": ("ngo", None, None, None),
        "auditor": ("account", None, None, None),
    }
    assert (await _recipient(pool, made["plan"]))["organization_id"] == PLAN

    # The loop's steps reach the people who act on them: a returned report its NGO (mailed, with the comment) ...
    returned = await consume(pool, _returned("Lampirkan rincian dana per kabupaten."))
    assert await _inboxes(pool, returned.id) == {"Plan"}
    mail = await pool.fetchrow(
        "SELECT address, body_text FROM notifications WHERE event_id = $1 AND channel = 'email'", returned.id
    )
    assert mail["address"] == "plan@example.go.id"
    assert "Lampirkan rincian dana per kabupaten." in mail["body_text"]
    # ... an RKT for Kota Semarang its Mitra Utama, the city and its province; an MSP submitted TPOA.
    submitted = await consume(pool, _work_plan_submitted("3374"))
    assert await _inboxes(pool, submitted.id) == {"Kemensos", "Semarang", "Jateng"}
    msp = await consume(
        pool,
        agreements.MspSubmitted(
            msp_id=uuid.uuid4(),
            organization=agreements.OrganizationParty(organization_id=PLAN, name="Plan International"),
            ministry=KEMENSOS,
            title="Perlindungan anak",
            submitted_by="plan",
            submitted_at=datetime.now(UTC),
        ),
    )
    assert await _inboxes(pool, msp.id) == {"Tpoa"}


async def test_a_changed_account_moves_its_recipient_and_a_disabled_one_hears_nothing_more(
    console_client: httpx.AsyncClient, console_pool: asyncpg.Pool, pool: asyncpg.Pool
) -> None:
    seen: set[uuid.UUID] = set()
    officer = await _create(console_client, "dewi", "ministry", ministry_code="KEMENKES")
    await _relay(console_pool, pool, seen)
    await pool.execute("UPDATE recipients SET language = 'en' WHERE account_subject = $1", officer["id"])  # her choice

    officer = await _patch(console_client, officer, ministry_code="KEMENSOS", email="dewi@kemensos.example.go.id")
    [moved] = await _relay(console_pool, pool, seen)
    assert moved.type == "id.go.mitra.console.account.updated.v1"
    assert sorted(moved.data["changed_fields"]) == ["email", "ministry_code"]
    row = await _recipient(pool, officer)
    assert (row["partner_code"], row["email"], row["account_version"]) == ("KEMENSOS", "dewi@kemensos.example.go.id", 2)
    assert row["language"] == "en", "an account's change leaves the person's own choices alone"
    submitted = await consume(pool, _work_plan_submitted("3374"))
    assert await _inboxes(pool, submitted.id) == {"Dewi"}

    officer = await _patch(console_client, officer, active=False)
    await _relay(console_pool, pool, seen)
    assert (await _recipient(pool, officer))["active"] is False
    again = await consume(pool, _work_plan_submitted("3374"))
    assert await _inboxes(pool, again.id) == set(), "a disabled account's recipient is not notified"

    unlocked = await console_client.patch(
        f"/accounts/{officer['id']}", json={"unlock": True}, headers={"If-Match": f'"{officer["version"]}"'}
    )
    assert unlocked.status_code == 200, unlocked.text
    assert await _relay(console_pool, pool, seen) == [], "lifting a lockout changes no fact: no event"


async def test_events_out_of_order_or_twice_leave_the_newest_state(pool: asyncpg.Pool) -> None:
    account_id = uuid.uuid4()
    facts: dict[str, Any] = {
        "account_id": account_id,
        "username": "yogi",
        "display_name": "Yogi",
        "email": "yogi@example.go.id",
        "role": "region",
        "region_code": "3374",
        "active": True,
    }
    now = datetime.now(UTC)
    newest = console.AccountUpdated(
        **{**facts, "region_code": "33"}, version=3, changed_fields=["region_code"], updated_at=now
    )
    older = console.AccountUpdated(**{**facts, "active": False}, version=2, changed_fields=["active"], updated_at=now)
    first = console.AccountCreated(**facts, version=1, created_at=now)
    applied = await consume(pool, newest)
    await consume(pool, first)
    await consume(pool, older)
    await apply(pool, applied)  # the same event again
    rows = await pool.fetch("SELECT * FROM recipients WHERE account_subject = $1", str(account_id))
    assert len(rows) == 1
    assert (rows[0]["role"], rows[0]["region_code"], rows[0]["active"], rows[0]["account_version"]) == (
        "province",
        "33",
        True,
        3,
    )
