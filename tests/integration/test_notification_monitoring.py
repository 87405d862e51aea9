"""Monitoring visits, mitigation actions, comments on submissions, Action Plans decided and published stories reach
the offices migration 013's default rules name (issue 14)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from support.database import migrated_pool
from support.notifications import (
    NOTIFICATIONS,
    Parties,
    apply,
    consume,
    emailed,
    message,
    plan_and_kemensos,
    sign,
)

from mitra_shared.clock import jakarta_date
from mitra_shared.contracts import agreements, reporting
from mitra_shared.events import decode, encode, new_event

pytestmark = pytest.mark.integration


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(database, [NOTIFICATIONS], max_size=4) as ready:
        yield ready


@pytest.fixture
async def parties(pool: asyncpg.Pool) -> Parties:
    return await plan_and_kemensos(pool, language="en")


async def test_a_monitoring_visit_reaches_the_ngo_and_its_mitra_utama(pool: asyncpg.Pool, parties: Parties) -> None:
    plan, kemensos = parties
    visit = agreements.MonitoringVisitRecorded(
        monitoring_visit_id=uuid.uuid4(),
        msp_id=uuid.uuid4(),
        organization=plan,
        ministry=kemensos,
        office_kind="region",
        office_code="3374",
        region_code="3374",
        province_code="33",
        visited_on=date(2027, 4, 12),
        aspects=["administration", "field_implementation"],
        rating="needs_improvement",
        findings="Daftar hadir pelatihan tidak lengkap",
        recorded_by="semarang-officer",
        recorded_at=datetime.now(UTC),
    )
    event = await consume(pool, visit)
    assert await emailed(pool, event.id) == {"plan", "kemensos"}
    english = await message(pool, event.id, "plan")
    assert english["subject"] == "Monitoring visit 12 April 2027: Plan International (needs improvement)"
    assert "The regional government 3374 recorded a monitoring visit" in english["body_text"]
    assert "Aspects: administration, field implementation" in english["body_text"]
    indonesian = await message(pool, event.id, "kemensos")
    assert "Aspek: administrasi, pelaksanaan lapangan" in indonesian["body_text"]


def _action(event_type: type[Any], plan: agreements.OrganizationParty, kemensos: Any, **fields: Any) -> Any:
    return event_type(
        action_id=uuid.uuid4(),
        msp_id=uuid.uuid4(),
        organization=plan,
        ministry=kemensos,
        description="Lengkapi daftar hadir pelatihan",
        **({"due_on": date(2027, 5, 31)} | fields),
    )


async def test_a_due_reminder_says_the_days_its_event_counted_one_day_in_the_singular(
    pool: asyncpg.Pool, parties: Parties
) -> None:
    plan, kemensos = parties
    due = _action(agreements.MitigationActionDue, plan, kemensos, owner="ngo", days_before=7)
    event = decode(encode(new_event(due, subject=str(plan.organization_id))))
    event.data["days_left"] = 1  # the reminder went out late: one day left, whatever its lead time was
    await apply(pool, event)
    assert (await message(pool, event.id, "plan"))["subject"] == "Mitigation action due in 1 day: Plan International"
    assert (await message(pool, event.id, "kemensos"))["subject"] == (
        "Tindakan mitigasi jatuh tempo dalam 1 hari: Plan International"
    )


async def test_a_mitigation_action_reaches_its_owner_and_the_mitra_utama(pool: asyncpg.Pool, parties: Parties) -> None:
    plan, kemensos = parties
    now = datetime.now(UTC)
    by_region = _action(
        agreements.MitigationActionOpened,
        plan,
        kemensos,
        owner="region",
        owner_region_code="3374",
        opened_by="kemensos-officer",
        opened_at=now,
    )
    event = await consume(pool, by_region)
    assert await emailed(pool, event.id) == {"semarang", "kemensos"}  # exactly that region's office, not its province
    told = await message(pool, event.id, "semarang")
    assert told["subject"] == "Tindakan mitigasi baru: Plan International"
    assert "Penanggung jawab: Pemerintah daerah 3374" in told["body_text"]

    moved = _action(
        agreements.MitigationActionStatusChanged,
        plan,
        kemensos,
        owner="ngo",
        previous_status="open",
        status="in_progress",
        note="Sedang dikumpulkan",
        changed_by="plan-liaison",
        changed_at=now,
    )
    event = await consume(pool, moved)
    assert await emailed(pool, event.id) == {"plan", "kemensos"}
    assert (await message(pool, event.id, "plan"))["subject"] == "Mitigation action in progress: Plan International"

    for contract, fields, subject in (
        (agreements.MitigationActionDue, {"days_before": 7}, "Tindakan mitigasi jatuh tempo dalam 7 hari"),
        (agreements.MitigationActionOverdue, {"days_overdue": 3}, "Tindakan mitigasi terlambat 3 hari"),
    ):
        # A due reminder without `days_left` (sent before the field was added) counts from the day it was sent.
        due_on = jakarta_date(datetime.now(UTC)) + timedelta(days=7)
        event = await consume(pool, _action(contract, plan, kemensos, owner="ministry", due_on=due_on, **fields))
        # The owner is the Mitra Utama: told once.
        assert await pool.fetchval("SELECT count(*) FROM notifications WHERE event_id = $1", event.id) == 2
        assert await emailed(pool, event.id) == {"kemensos"}
        assert (await message(pool, event.id, "kemensos"))["subject"] == f"{subject}: Plan International"


async def test_a_comment_on_a_work_plan_reaches_the_ngo_and_the_region_and_an_action_plan_decision_the_ngo(
    pool: asyncpg.Pool, parties: Parties
) -> None:
    plan, _ = parties
    facts = {
        "obligation_id": uuid.uuid4(),
        "msp_id": uuid.uuid4(),
        "organization_id": plan.organization_id,
        "organization_name": plan.name,
        "ministry_code": "KEMENSOS",
        "due_on": date(2027, 1, 31),
        "submission_id": uuid.uuid4(),
        "attempt": 1,
    }
    commented = agreements.SubmissionCommented(
        **facts,
        obligation_kind="work_plan",
        period="2027",
        region_code="3374",
        province_code="33",
        comment="Sesuaikan target dengan RPJMD",
        office_kind="ministry",
        office_code="KEMENSOS",
        commented_by="kemensos-officer",
        commented_at=datetime.now(UTC),
    )
    event = await consume(pool, commented)
    assert await emailed(pool, event.id) == {"plan", "semarang", "jateng"}
    english = await message(pool, event.id, "plan")
    assert english["subject"] == "Comment on Plan International's annual work plan (RKT) 2027 (3374)"
    assert "KEMENSOS commented on" in english["body_text"]
    assert "Sesuaikan target dengan RPJMD" in english["body_text"]

    for contract, subject in (
        (agreements.ActionPlanAccepted, "Accepted: Plan International's Action Plan 2027"),
        (agreements.ActionPlanReturned, "Returned with comments: Plan International's Action Plan 2027"),
    ):
        decided = contract(
            **facts,
            obligation_kind="action_plan",
            period="2027",
            comments="Tambahkan indikator",
            decided_by="kemensos-officer",
            decided_at=datetime.now(UTC),
        )
        event = await consume(pool, decided)
        assert await emailed(pool, event.id) == {"plan"}
        assert (await message(pool, event.id, "plan"))["subject"] == subject


async def test_a_story_reaches_its_region_and_the_mitra_utama_of_its_msp(pool: asyncpg.Pool, parties: Parties) -> None:
    plan, kemensos = parties
    msp_id = await sign(pool, plan, kemensos, "3471")
    common = {
        "title": "Sekolah ramah anak di Semarang",
        "summary": "Tiga puluh sekolah kini memiliki mekanisme perlindungan anak.",
        "organization_id": plan.organization_id,
        "msp_id": msp_id,
        "story_date": date(2027, 6, 1),
        "published_by": "reporting-editor",
        "published_at": datetime.now(UTC),
    }
    story = reporting.StoryPublished(**common, story_id=uuid.uuid4(), region_code="3374")
    event = await consume(pool, story)
    assert await emailed(pool, event.id) == {"semarang", "jateng", "kemensos"}
    told = await message(pool, event.id, "semarang")
    assert told["subject"] == "Praktik baik dan kisah sukses diterbitkan: Sekolah ramah anak di Semarang"

    # A story that names no region: the regions of its MSP.
    story = reporting.StoryPublished(**common, story_id=uuid.uuid4())
    event = await consume(pool, story)
    assert await emailed(pool, event.id) == {"jogja", "kemensos"}
