"""An NGO's contact address in the register is one of its recipients (e-mail, in its contact language): made when the
NGO first has one, changed with it, inactive once removed; an older record version changes nothing; a person's
console account of the NGO with the same address is not doubled (issue 14)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
import pytest
from support.database import migrated_pool
from support.notifications import NOTIFICATIONS, add_recipient, apply, consume

from mitra_notifications.usecases import recipients
from mitra_shared.context import Context
from mitra_shared.contracts import console, registry
from mitra_shared.events import ReceivedEvent, decode, encode, new_event
from mitra_shared.uow import UnitOfWork

pytestmark = pytest.mark.integration


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(database, [NOTIFICATIONS], max_size=4) as ready:
        yield ready


def _registered(organization_id: uuid.UUID, **contact: Any) -> ReceivedEvent:
    """`registry.organization.registered` as registry sends it once it carries the NGO's contact (additive fields)."""
    data = registry.OrganizationRegistered(
        organization_id=organization_id,
        legal_name="Plan International",
        country_of_origin="GB",
        status="applicant",
        registered_at=datetime.now(UTC),
    )
    event = decode(encode(new_event(data, subject=str(organization_id))))
    event.data.update(contact)
    return event


def _updated(
    organization_id: uuid.UUID, version: int, email: str | None, language: str = "en"
) -> registry.OrganizationUpdated:
    return registry.OrganizationUpdated(
        organization_id=organization_id,
        legal_name="Plan International",
        country_of_origin="GB",
        status="registered",
        contact_email=email,
        contact_language=language,
        changed_fields=["contact_email"],
        version=version,
        updated_at=datetime.now(UTC),
    )


def _warning(organization_id: uuid.UUID) -> registry.SanctionImposed:
    return registry.SanctionImposed(
        sanction_id=uuid.uuid4(),
        organization_id=organization_id,
        organization_name="Plan International",
        sanction_kind="warning",
        category="reporting_failure",
        reason="Laporan semester terlambat",
        starts_on=date(2027, 2, 1),
        organization_status="registered",
        imposed_by="tpoa-officer",
        imposed_at=datetime.now(UTC),
    )


async def _contacts(pool: asyncpg.Pool, organization_id: uuid.UUID) -> list[asyncpg.Record]:
    return await pool.fetch(
        "SELECT * FROM recipients WHERE organization_id = $1 AND source = 'registry' ORDER BY created_at",
        organization_id,
    )


async def _mails(pool: asyncpg.Pool, event_id: uuid.UUID) -> list[tuple[str, str]]:
    rows = await pool.fetch(
        "SELECT address, language FROM notifications WHERE event_id = $1 AND channel = 'email' ORDER BY address",
        event_id,
    )
    return [(row["address"], row["language"]) for row in rows]


async def test_the_contact_is_made_on_registration_changed_on_update_and_deactivated_when_removed(
    pool: asyncpg.Pool,
) -> None:
    plan = uuid.uuid4()
    await apply(pool, _registered(plan, contact_email="indonesia@plan.example", contact_language="id"))
    [made] = await _contacts(pool, plan)
    assert (made["role"], made["email"], made["language"], made["active"]) == (
        "ngo",
        "indonesia@plan.example",
        "id",
        True,
    )
    assert made["webhook_secret"].startswith("whsec_")
    warned = await consume(pool, _warning(plan))
    assert await _mails(pool, warned.id) == [("indonesia@plan.example", "id")]
    subject = await pool.fetchval("SELECT subject FROM notifications WHERE event_id = $1", warned.id)
    assert subject == "Sanksi peringatan: Plan International"

    # A new address (and language) replaces the old one in the same recipient; the event again changes nothing.
    changed = await consume(pool, _updated(plan, 2, "jakarta@plan.example", "en"))
    await apply(pool, changed)
    [kept] = await _contacts(pool, plan)
    assert (kept["id"], kept["email"], kept["language"], kept["active"]) == (
        made["id"],
        "jakarta@plan.example",
        "en",
        True,
    )
    warned = await consume(pool, _warning(plan))
    assert await _mails(pool, warned.id) == [("jakarta@plan.example", "en")]

    # An older version arriving late changes nothing.
    await consume(pool, _updated(plan, 1, "old@plan.example", "id"))
    [same] = await _contacts(pool, plan)
    assert (same["email"], same["organization_version"]) == ("jakarta@plan.example", 2)

    # The address removed: the recipient stays, inactive, and the NGO's notifications no longer mail it.
    await consume(pool, _updated(plan, 3, None))
    [removed] = await _contacts(pool, plan)
    assert (removed["id"], removed["active"], removed["email"]) == (made["id"], False, "jakarta@plan.example")
    warned = await consume(pool, _warning(plan))
    assert await _mails(pool, warned.id) == []

    # Given again: active again.
    await consume(pool, _updated(plan, 4, "Indonesia@Plan.example", "id"))
    [back] = await _contacts(pool, plan)
    assert (back["id"], back["active"], back["email"]) == (made["id"], True, "Indonesia@Plan.example")


async def test_an_update_first_makes_the_contact_and_a_registration_without_one_makes_none(pool: asyncpg.Pool) -> None:
    plan, rikolto = uuid.uuid4(), uuid.uuid4()
    await consume(pool, _updated(plan, 2, "plan@ngo.example"))
    await apply(pool, _registered(plan, contact_email="first@ngo.example"))  # version 1: older than the update
    [contact] = await _contacts(pool, plan)
    assert (contact["email"], contact["language"], contact["organization_version"]) == ("plan@ngo.example", "en", 2)

    await add_recipient(pool, "Sekretariat TPOA", "tpoa", email="tpoa@kemlu.example")
    registered = _registered(rikolto)
    await apply(pool, registered)
    await consume(pool, _updated(rikolto, 2, None))  # an NGO that never had an address gets no recipient
    assert await _contacts(pool, rikolto) == []
    assert await _mails(pool, registered.id) == [("tpoa@kemlu.example", "id")]  # TPOA hears of it as before


async def test_a_console_account_of_the_ngo_with_the_same_address_is_not_doubled(pool: asyncpg.Pool) -> None:
    plan, other = uuid.uuid4(), uuid.uuid4()
    await consume(pool, _updated(plan, 2, "Siti@Plan.example", "en"))
    account = {
        "account_id": uuid.uuid4(),
        "username": f"siti-{uuid.uuid4().hex[:6]}",
        "display_name": "Siti Rahma",
        "email": "siti@plan.example",
        "role": "ngo",
        "organization_id": plan,
        "active": True,
    }
    await consume(pool, console.AccountCreated(**account, version=1, created_at=datetime.now(UTC)))
    # The same address as another NGO's account is another NGO's business: no effect on Plan's contact.
    await consume(
        pool,
        console.AccountCreated(
            **{**account, "account_id": uuid.uuid4(), "organization_id": other},
            version=1,
            created_at=datetime.now(UTC),
        ),
    )
    warned = await consume(pool, _warning(plan))
    assert await _mails(pool, warned.id) == [("siti@plan.example", "id")]  # the person's own recipient, once

    # The account disabled: the NGO's contact address is mailed again.
    disabled = console.AccountUpdated(
        **{**account, "active": False}, version=2, changed_fields=["active"], updated_at=datetime.now(UTC)
    )
    await consume(pool, disabled)
    warned = await consume(pool, _warning(plan))
    assert await _mails(pool, warned.id) == [("Siti@Plan.example", "en")]


async def test_an_account_with_the_same_address_that_switched_e_mail_off_leaves_the_contact_mailed(
    pool: asyncpg.Pool,
) -> None:
    plan = uuid.uuid4()
    await consume(pool, _updated(plan, 2, "siti@plan.example", "en"))
    account_id = uuid.uuid4()
    await consume(
        pool,
        console.AccountCreated(
            account_id=account_id,
            username=f"siti-{uuid.uuid4().hex[:6]}",
            display_name="Siti Rahma",
            email="siti@plan.example",
            role="ngo",
            organization_id=plan,
            active=True,
            version=1,
            created_at=datetime.now(UTC),
        ),
    )
    warned = await consume(pool, _warning(plan))
    assert await _mails(pool, warned.id) == [("siti@plan.example", "id")]  # the person's own recipient, once

    # Siti switched e-mail off for herself: the NGO's contact address is still the NGO's, and is mailed.
    await pool.execute("UPDATE recipients SET email_enabled = false WHERE account_subject = $1", str(account_id))
    warned = await consume(pool, _warning(plan))
    assert await _mails(pool, warned.id) == [("siti@plan.example", "en")]
    inboxes = await pool.fetchval(
        "SELECT count(*) FROM notifications WHERE event_id = $1 AND channel = 'inbox'", warned.id
    )
    assert inboxes == 2  # her inbox and the contact's both keep it


async def test_a_contact_an_administrator_stopped_stays_stopped_until_its_address_changes_or_returns(
    pool: asyncpg.Pool,
) -> None:
    plan = uuid.uuid4()
    await consume(pool, _updated(plan, 2, "plan@ngo.example", "en"))
    [contact] = await _contacts(pool, plan)
    admin = Context.for_system("test.admin", datetime.now(UTC))
    await recipients.deactivate_recipient(UnitOfWork(pool), admin, contact["id"])

    # Another field of the NGO changed (the same address, in another case too): the recipient stays stopped.
    await consume(pool, _updated(plan, 3, "plan@ngo.example", "id"))
    await consume(pool, _updated(plan, 4, "Plan@NGO.example", "id"))
    [stopped] = await _contacts(pool, plan)
    assert (stopped["active"], stopped["organization_version"], stopped["language"]) == (False, 4, "id")
    warned = await consume(pool, _warning(plan))
    assert await _mails(pool, warned.id) == []

    # A removal while stopped is not what stopped it: the address given back leaves it stopped.
    await consume(pool, _updated(plan, 5, None))
    await consume(pool, _updated(plan, 6, "plan@ngo.example", "id"))
    assert [row["active"] for row in await _contacts(pool, plan)] == [False]

    # A new address is a new contact: active again.
    await consume(pool, _updated(plan, 7, "jakarta@plan.example", "en"))
    [changed] = await _contacts(pool, plan)
    assert (changed["id"], changed["active"], changed["contact_removed"]) == (contact["id"], True, False)

    # Removed by registry, then the same address given back: active again.
    await consume(pool, _updated(plan, 8, None))
    assert [row["contact_removed"] for row in await _contacts(pool, plan)] == [True]
    await consume(pool, _updated(plan, 9, "jakarta@plan.example", "en"))
    [back] = await _contacts(pool, plan)
    assert (back["active"], back["contact_removed"]) == (True, False)
    warned = await consume(pool, _warning(plan))
    assert await _mails(pool, warned.id) == [("jakarta@plan.example", "en")]
