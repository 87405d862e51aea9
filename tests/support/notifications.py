"""Notifications' world for its integration tests: events consumed as its consumer does (its handler, a unit of work
of its own), recipients added as over the API, the directory registry's partner events build, MSPs it remembers, and
what it e-mailed whom.

    await partners(pool, kemensos)
    event = await consume(pool, registry.SanctionImposed(...))
    assert await emailed(pool, event.id) == {"plan", "kemensos", "tpoa"}
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg

from mitra_notifications.consumers import HANDLERS
from mitra_notifications.usecases import recipients
from mitra_shared.clock import Clock, system_clock
from mitra_shared.context import Context
from mitra_shared.contracts import agreements, registry
from mitra_shared.db import MigrationSource
from mitra_shared.events import EventData, ReceivedEvent, decode, encode, new_event
from mitra_shared.uow import UnitOfWork

__all__ = [
    "NOTIFICATIONS",
    "Parties",
    "add_recipient",
    "apply",
    "consume",
    "context",
    "directory",
    "emailed",
    "message",
    "partners",
    "plan_and_kemensos",
    "sign",
]

NOTIFICATIONS = MigrationSource("notifications", "mitra_notifications")
Parties = tuple[agreements.OrganizationParty, agreements.MinistryParty]


def context(clock: Clock = system_clock) -> Context:
    return Context.for_system("tests", clock())


async def consume(pool: asyncpg.Pool, data: EventData, clock: Clock = system_clock) -> ReceivedEvent:
    """An event as its producer publishes it (the subject: the NGO or partner it is about), consumed."""
    subject = getattr(data, "organization_id", None) or getattr(data, "partner_id", None) or uuid.uuid4()
    event = decode(encode(new_event(data, subject=str(subject))))
    await apply(pool, event, clock)
    return event


async def apply(pool: asyncpg.Pool, event: ReceivedEvent, clock: Clock = system_clock) -> None:
    """What notifications' consumer does with an event: its handler, in a unit of work of its own."""
    [known] = [handler for kind, handler in HANDLERS.items() if kind.type == event.type]
    consumer = Context.for_system("notifications.consumer", clock(), causation_id=event.id)
    async with UnitOfWork(pool).change(consumer) as tx:
        await known.apply(tx, event, known.model.model_validate(event.data))


async def add_recipient(pool: asyncpg.Pool, name: str, role: str, **fields: Any) -> dict[str, Any]:
    """An office added as over the API (no webhook, region or NGO unless given)."""
    command = recipients.NewRecipient(
        **{
            "name": name,
            "role": role,
            "email": None,
            "webhook_url": None,
            "region_code": None,
            "parent_region_code": None,
            "organization_id": None,
            "language": "id",
            **fields,
        }
    )
    return await recipients.add_recipient(UnitOfWork(pool), context(), command, allow_internal_webhooks=True)


async def partners(pool: asyncpg.Pool, kemensos: uuid.UUID) -> None:
    """The directory as registry's partner events build it: three ministries, TPOA, three regions; each office's
    mailbox is `<name>@pemda.example` (jateng, semarang, jogja, kemensos, kemendagri, bappenas, tpoa)."""
    rows = [
        (uuid.uuid4(), "province", "33", None, "jateng"),
        (uuid.uuid4(), "regency", "3374", "33", "semarang"),
        (uuid.uuid4(), "regency", "3471", "34", "jogja"),
        (kemensos, "ministry", "KEMENSOS", None, "kemensos"),
        (uuid.uuid4(), "ministry", "KEMENDAGRI", None, "kemendagri"),
        (uuid.uuid4(), "ministry", "BAPPENAS", None, "bappenas"),
        (uuid.uuid4(), "tpoa", "TPOA", None, "tpoa"),
    ]
    for partner_id, kind, code, parent, mailbox in rows:
        await consume(
            pool,
            registry.PartnerRegistered(
                partner_id=partner_id,
                partner_kind=kind,  # type: ignore[arg-type]
                name=mailbox.capitalize(),
                code=code,
                parent_code=parent,
                contacts=[registry.PartnerContact(name=mailbox, email=f"{mailbox}@pemda.example")],
                registered_at=datetime.now(UTC),
            ),
        )


async def directory(pool: asyncpg.Pool) -> Parties:
    """The directory (`partners`), and Plan International and KEMENSOS as the parties of agreements' events."""
    kemensos = uuid.uuid4()
    await partners(pool, kemensos)
    plan = agreements.OrganizationParty(organization_id=uuid.uuid4(), name="Plan International")
    return plan, agreements.MinistryParty(partner_id=kemensos, name="Kementerian Sosial", code="KEMENSOS")


async def plan_and_kemensos(pool: asyncpg.Pool, **recipient: Any) -> Parties:
    """`directory`, with Plan's recipient `plan@ngo.example` (`recipient`: more of its fields, e.g. its language)."""
    plan, kemensos = await directory(pool)
    await add_recipient(
        pool, "Plan", "ngo", email="plan@ngo.example", organization_id=plan.organization_id, **recipient
    )
    return plan, kemensos


async def sign(
    pool: asyncpg.Pool, organization: agreements.OrganizationParty, ministry: agreements.MinistryParty, region: str
) -> uuid.UUID:
    """An MSP signed for the NGO with the ministry, working in one regency: notifications remembers it."""
    msp_id = uuid.uuid4()
    signed = agreements.MspSigned.model_validate(
        {
            "msp_id": msp_id,
            "number": f"MSP-{msp_id.hex[:4]}",
            "title": "Perlindungan anak",
            "organization": organization.model_dump(),
            "ministry": ministry.model_dump(),
            "starts_on": "2026-12-01",
            "ends_on": "2029-11-30",
            "signed_on": "2026-11-22",
            "focus_areas": [],
            "forms_of_cooperation": [],
            "work_locations": [{"code": region, "kind": "regency", "name": region, "province_code": region[:2]}],
            "region_codes": [region],
            "province_codes": [region[:2]],
            "signatories": [],
            "principle_permit_id": str(uuid.uuid4()),
            "principle_permit_valid_until": "2029-12-31",
            "obligations": [],
            "signed_by": "kemensos-officer",
            "signed_at": datetime.now(UTC).isoformat(),
        }
    )
    await consume(pool, signed)
    return msp_id


async def emailed(pool: asyncpg.Pool, event_id: uuid.UUID) -> set[str]:
    """The mailboxes (the part before the @) the event was e-mailed to."""
    rows = await pool.fetch("SELECT address FROM notifications WHERE event_id = $1 AND channel = 'email'", event_id)
    return {row["address"].split("@")[0] for row in rows}


async def message(pool: asyncpg.Pool, event_id: uuid.UUID, mailbox: str) -> asyncpg.Record:
    """The e-mail of the event to that mailbox: its subject, text and language."""
    return await pool.fetchrow(
        "SELECT subject, body_text, language FROM notifications WHERE event_id = $1 AND channel = 'email' "
        "AND address LIKE $2",
        event_id,
        f"{mailbox}@%",
    )
