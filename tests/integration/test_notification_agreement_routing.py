"""Agreements' events reach the offices they concern: the regions (and their provinces) and the Mitra Utama."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import asyncpg
import pytest
from support.database import migrated_pool
from test_notification_delivery import NOTIFICATIONS, consume

from mitra_shared.contracts import agreements, registry

pytestmark = pytest.mark.integration
KEMENSOS = uuid.uuid4()
PLAN = agreements.OrganizationParty(organization_id=uuid.uuid4(), name="Plan International")
MINISTRY = agreements.MinistryParty(partner_id=KEMENSOS, name="Kementerian Sosial", code="KEMENSOS")


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(database, [NOTIFICATIONS], max_size=4) as ready:
        await _partners(ready)
        yield ready


async def _partners(pool: asyncpg.Pool) -> None:
    """The directory as registry's partner events build it."""
    partners = [
        (uuid.uuid4(), "province", "33", None, "Kesbangpol Provinsi Jawa Tengah", "jateng"),
        (uuid.uuid4(), "regency", "3374", "33", "Kesbangpol Kota Semarang", "semarang"),
        (uuid.uuid4(), "regency", "3471", "34", "Kesbangpol Kota Yogyakarta", "jogja"),
        (KEMENSOS, "ministry", "KEMENSOS", None, "Biro Kerja Sama Kemensos", "kemensos"),
        (uuid.uuid4(), "ministry", "KEMENDAGRI", None, "Kemendagri", "kemendagri"),
        (uuid.uuid4(), "tpoa", "TPOA", None, "Sekretariat TPOA", "tpoa"),
    ]
    for partner_id, kind, code, parent, name, mailbox in partners:
        await consume(
            pool,
            registry.PartnerRegistered(
                partner_id=partner_id,
                partner_kind=kind,  # type: ignore[arg-type]
                name=name,
                code=code,
                parent_code=parent,
                contacts=[registry.PartnerContact(name=name, email=f"{mailbox}@pemda.example")],
                registered_at=datetime.now(UTC),
            ),
        )


async def _emailed(pool: asyncpg.Pool, event_id: uuid.UUID) -> set[str]:
    rows = await pool.fetch("SELECT address FROM notifications WHERE event_id = $1 AND channel = 'email'", event_id)
    return {row["address"].split("@")[0] for row in rows}


async def test_a_visit_to_a_city_reaches_the_city_its_province_and_the_mitra_utama(pool: asyncpg.Pool) -> None:
    visit = agreements.VisitAnnounced(
        visit_id=uuid.uuid4(),
        msp_id=uuid.uuid4(),
        organization=PLAN,
        ministry=MINISTRY,
        visitors=[agreements.Visitor(name="Jane Doe", nationality="GB", role="Regional director")],
        purpose="Monitoring of the child protection programme",
        arrives_on=date(2027, 3, 1),
        departs_on=date(2027, 3, 4),
        region_codes=["3374"],
        province_codes=["33"],
        programme=None,
        announced_on=date(2027, 2, 1),
        days_notice=28,
        late=False,
        announced_by="plan-liaison",
        announced_at=datetime.now(UTC),
    )
    event = await consume(pool, visit)
    assert await _emailed(pool, event.id) == {"semarang", "jateng", "kemensos"}
    subject = await pool.fetchval("SELECT subject FROM notifications WHERE address = 'semarang@pemda.example'")
    assert subject == "Pemberitahuan kunjungan tamu asing: Plan International, 1 Maret 2027 – 4 Maret 2027"


async def test_a_signed_msp_reaches_its_regions_tpoa_and_ministry_and_is_remembered(pool: asyncpg.Pool) -> None:
    msp_id = uuid.uuid4()
    signed = agreements.MspSigned.model_validate(
        {
            "msp_id": msp_id,
            "number": "MSP-12/2026",
            "title": "Perlindungan anak",
            "organization": PLAN.model_dump(),
            "ministry": MINISTRY.model_dump(),
            "starts_on": "2026-12-01",
            "ends_on": "2029-11-30",
            "signed_on": "2026-11-22",
            "focus_areas": ["child_welfare"],
            "forms_of_cooperation": ["capacity_building"],
            "work_locations": [{"code": "3471", "kind": "regency", "name": "Kota Yogyakarta", "province_code": "34"}],
            "region_codes": ["3471"],
            "province_codes": ["34"],
            "signatories": [],
            "principle_permit_id": str(uuid.uuid4()),
            "principle_permit_valid_until": "2029-12-31",
            "obligations": [],
            "signed_by": "kemensos-officer",
            "signed_at": datetime.now(UTC).isoformat(),
        }
    )
    event = await consume(pool, signed)
    assert await _emailed(pool, event.id) == {"jogja", "tpoa", "kemensos"}

    # An overdue report of that MSP names no region: notifications knows the MSP's regions from the signing.
    overdue = agreements.ReportOverdue(
        obligation_id=uuid.uuid4(),
        obligation_kind="semester_report",
        msp_id=msp_id,
        organization_id=PLAN.organization_id,
        organization_name=PLAN.name,
        ministry_code="KEMENSOS",
        period="2027-S1",
        due_on=date(2027, 7, 31),
        due_on_weekend=True,
        due_on_holiday=None,
        due_on_working_day=False,
        days_overdue=1,
    )
    late = await consume(pool, overdue)
    assert await _emailed(pool, late.id) == {"jogja", "tpoa", "kemensos"}


async def test_an_expiring_permit_reaches_tpoa_and_the_mitra_utama_of_the_ngos_msps(pool: asyncpg.Pool) -> None:
    signed = agreements.MspSigned.model_validate(
        {
            "msp_id": uuid.uuid4(),
            "number": "MSP-7/2026",
            "title": "Bencana",
            "organization": PLAN.model_dump(),
            "ministry": MINISTRY.model_dump(),
            "starts_on": "2026-12-01",
            "ends_on": "2029-11-30",
            "signed_on": "2026-11-22",
            "focus_areas": [],
            "forms_of_cooperation": [],
            "work_locations": [],
            "region_codes": [],
            "province_codes": [],
            "signatories": [],
            "principle_permit_id": str(uuid.uuid4()),
            "principle_permit_valid_until": "2029-12-31",
            "obligations": [],
            "signed_by": "x",
            "signed_at": datetime.now(UTC).isoformat(),
        }
    )
    await consume(pool, signed)
    expiring = registry.PermitExpiring(
        permit_id=uuid.uuid4(),
        organization_id=PLAN.organization_id,
        organization_name=PLAN.name,
        permit_type="principle",
        number="IP-1",
        valid_until=date(2027, 3, 31),
        days_before=90,
    )
    event = await consume(pool, expiring)
    assert await _emailed(pool, event.id) == {"tpoa", "kemensos"}
