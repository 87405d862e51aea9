"""Sanctions and revoked permits reach the NGO, the Mitra Utama of its MSPs, the regions of work of its MSPs (with
their provinces) and TPOA; other NGOs' offices hear nothing (issue 14, migration 013's default rules)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import asyncpg
import pytest
from support.database import migrated_pool
from support.notifications import (
    NOTIFICATIONS,
    add_recipient,
    apply,
    consume,
    directory,
    emailed,
    message,
    sign,
)

from mitra_shared.contracts import agreements, registry

pytestmark = pytest.mark.integration


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(database, [NOTIFICATIONS], max_size=4) as ready:
        yield ready


def _freeze(organization: agreements.OrganizationParty, **overrides: object) -> registry.SanctionImposed:
    fields: dict[str, object] = {
        "sanction_id": uuid.uuid4(),
        "organization_id": organization.organization_id,
        "organization_name": organization.name,
        "sanction_kind": "freeze",
        "category": "political_activity",
        "reason": "Kampanye politik di Semarang",
        "starts_on": date(2027, 2, 1),
        "ends_on": date(2027, 5, 1),
        "organization_status": "suspended",
        "imposed_by": "tpoa-officer",
        "imposed_at": datetime.now(UTC),
    }
    fields.update(overrides)
    return registry.SanctionImposed.model_validate(fields)


async def test_a_freeze_reaches_the_ngo_its_ministry_its_regions_with_provinces_and_tpoa(pool: asyncpg.Pool) -> None:
    plan, ministry = await directory(pool)
    other = agreements.OrganizationParty(organization_id=uuid.uuid4(), name="Rikolto")
    await sign(pool, plan, ministry, "3374")
    await sign(pool, other, ministry, "3471")  # another NGO's MSP: its region hears nothing of Plan's sanction
    await add_recipient(
        pool, "Plan Indonesia", "ngo", email="plan@ngo.example", organization_id=plan.organization_id, language="en"
    )
    await add_recipient(pool, "Rikolto", "ngo", email="rikolto@ngo.example", organization_id=other.organization_id)

    event = await consume(pool, _freeze(plan))
    assert await emailed(pool, event.id) == {"plan", "kemensos", "semarang", "jateng", "tpoa"}
    english = await message(pool, event.id, "plan")
    assert english["subject"] == "Sanction (freeze): Plan International"
    assert "Breach: political activity" in english["body_text"]
    assert "Until: 1 May 2027" in english["body_text"]
    assert "no new MSP, MSP extension or foreign visit" in english["body_text"]
    indonesian = await message(pool, event.id, "tpoa")
    assert indonesian["subject"] == "Sanksi pembekuan kegiatan: Plan International"
    assert "Pelanggaran: kegiatan politik" in indonesian["body_text"]
    assert "Status dalam register: dibekukan" in indonesian["body_text"]

    # A redelivered event notifies nobody twice.
    count = await pool.fetchval("SELECT count(*) FROM notifications WHERE event_id = $1", event.id)
    await apply(pool, event)
    assert await pool.fetchval("SELECT count(*) FROM notifications WHERE event_id = $1", event.id) == count


async def test_a_lifted_or_expired_sanction_is_told_as_such(pool: asyncpg.Pool) -> None:
    plan, ministry = await directory(pool)
    await sign(pool, plan, ministry, "3471")
    lifted = registry.SanctionLifted(
        sanction_id=uuid.uuid4(),
        organization_id=plan.organization_id,
        organization_name=plan.name,
        sanction_kind="freeze",
        category="fundraising",
        reason="End date reached",
        expired=True,
        organization_status="active",
        lifted_by="system:registry",
        lifted_at=datetime.now(UTC),
    )
    event = await consume(pool, lifted)
    assert await emailed(pool, event.id) == {"kemensos", "jogja", "tpoa"}
    told = await message(pool, event.id, "tpoa")
    assert told["subject"] == "Sanksi pembekuan kegiatan berakhir: Plan International"
    assert "Status dalam register: aktif" in told["body_text"]


async def test_a_revoked_permit_reaches_the_same_offices_and_an_ngo_without_msps_reaches_tpoa(
    pool: asyncpg.Pool,
) -> None:
    plan, ministry = await directory(pool)
    await sign(pool, plan, ministry, "3374")
    revoked = registry.PermitRevoked(
        permit_id=uuid.uuid4(),
        organization_id=plan.organization_id,
        organization_name=plan.name,
        permit_type="principle",
        number="IP-77/2026",
        revoked_on=date(2027, 3, 1),
        reason="Pencabutan izin (sanksi)",
        sanction_id=uuid.uuid4(),
        revoked_at=datetime.now(UTC),
    )
    event = await consume(pool, revoked)
    assert await emailed(pool, event.id) == {"kemensos", "semarang", "jateng", "tpoa"}
    told = await message(pool, event.id, "kemensos")
    assert told["subject"] == "Izin prinsip Plan International dicabut"
    assert "Izin prinsip nomor IP-77/2026 milik Plan International dicabut pada 1 Maret 2027." in told["body_text"]

    newcomer = agreements.OrganizationParty(organization_id=uuid.uuid4(), name="Winrock")
    warning = await consume(
        pool, _freeze(newcomer, sanction_kind="warning", ends_on=None, organization_status="active")
    )
    assert await emailed(pool, warning.id) == {"tpoa"}


async def test_a_terminated_msp_counts_the_obligations_it_closed(pool: asyncpg.Pool) -> None:
    plan, ministry = await directory(pool)
    msp_id = await sign(pool, plan, ministry, "3374")
    terminated = agreements.MspTerminated.model_validate(
        {
            "msp_id": msp_id,
            "organization": plan.model_dump(),
            "ministry": ministry.model_dump(),
            "terminated_on": "2027-03-01",
            "reason": "Izin dicabut",
            "sanction_id": str(uuid.uuid4()),
            "closed_obligation_ids": [str(uuid.uuid4()), str(uuid.uuid4())],
            "terminated_by": "system:agreements",
            "terminated_at": datetime.now(UTC).isoformat(),
        }
    )
    event = await consume(pool, terminated)
    assert await emailed(pool, event.id) == {"kemensos", "semarang", "jateng", "tpoa"}
    told = await message(pool, event.id, "kemensos")
    assert "Kewajiban yang belum dipenuhi dan kini ditutup: 2" in told["body_text"]
