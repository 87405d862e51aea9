"""TPOA's review as a team (issue 14): an application, an MSP or an extension sent for review reaches the member
ministries the event names (and no other ministry); each answer reaches TPOA; an extension asked for reaches TPOA, and
one refused the NGO and its Mitra Utama."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import asyncpg
import pytest
from support.database import migrated_pool
from support.notifications import (
    NOTIFICATIONS,
    Parties,
    consume,
    emailed,
    message,
    plan_and_kemensos,
)

from mitra_shared.contracts import agreements, registry

pytestmark = pytest.mark.integration


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(database, [NOTIFICATIONS], max_size=4) as ready:
        yield ready


@pytest.fixture
async def parties(pool: asyncpg.Pool) -> Parties:
    return await plan_and_kemensos(pool)


async def test_an_application_review_reaches_the_members_named_and_each_answer_reaches_tpoa(
    pool: asyncpg.Pool, parties: Parties
) -> None:
    plan, _ = parties
    requested = registry.ApplicationReviewRequested(
        organization_id=plan.organization_id,
        organization_name=plan.name,
        country_of_origin="GB",
        members=["KEMENDAGRI", "BAPPENAS", "BIN"],  # BIN has no recipient: nobody to tell
        answer_by=date(2027, 2, 15),
        requested_by="tpoa-officer",
        requested_at=datetime.now(UTC),
    )
    event = await consume(pool, requested)
    assert await emailed(pool, event.id) == {"kemendagri", "bappenas"}
    told = await message(pool, event.id, "kemendagri")
    assert told["subject"] == "Mohon telaah TPOA: permohonan pendaftaran Plan International (GB)"
    assert "paling lambat 15 Februari 2027" in told["body_text"]
    assert "Anggota yang diminta: KEMENDAGRI, BAPPENAS, BIN" in told["body_text"]

    answered = registry.ApplicationReviewAnswered(
        organization_id=plan.organization_id,
        organization_name=plan.name,
        member_code="KEMENDAGRI",
        verdict="objected",
        note="Kegiatan politik di daerah",
        awaiting=["BAPPENAS", "BIN"],
        objected=["KEMENDAGRI"],
        answered_by="kemendagri-officer",
        answered_at=datetime.now(UTC),
    )
    event = await consume(pool, answered)
    assert await emailed(pool, event.id) == {"tpoa"}
    told = await message(pool, event.id, "tpoa")
    assert told["subject"] == "Jawaban telaah KEMENDAGRI (keberatan): permohonan pendaftaran Plan International"
    assert "Belum menjawab: BAPPENAS, BIN" in told["body_text"]
    assert "Selama ada keberatan, TPOA belum dapat menyetujui." in told["body_text"]


async def test_an_msp_review_and_an_extension_review_reach_the_members_and_answers_reach_tpoa(
    pool: asyncpg.Pool, parties: Parties
) -> None:
    plan, kemensos = parties
    msp_id = uuid.uuid4()
    common = {
        "review_id": uuid.uuid4(),
        "msp_id": msp_id,
        "organization": plan,
        "ministry": kemensos,
        "title": "Perlindungan anak",
    }
    requested = agreements.MspReviewRequested(
        **common,
        subject="msp",
        members=["KEMENDAGRI"],
        answer_by=date(2027, 2, 15),
        requested_by="plan-liaison",
        requested_at=datetime.now(UTC),
    )
    event = await consume(pool, requested)
    assert await emailed(pool, event.id) == {"kemendagri"}
    told = await message(pool, event.id, "kemendagri")
    assert told["subject"] == (
        'Mohon telaah TPOA: rancangan MSP "Perlindungan anak" (Plan International – Kementerian Sosial)'
    )

    extension = agreements.MspReviewRequested(
        **{**common, "review_id": uuid.uuid4()},
        subject="extension",
        proposed_ends_on=date(2031, 11, 30),
        members=["KEMENDAGRI", "BAPPENAS"],
        answer_by=date(2027, 6, 1),
        requested_by="kemensos-officer",
        requested_at=datetime.now(UTC),
    )
    event = await consume(pool, extension)
    assert await emailed(pool, event.id) == {"kemendagri", "bappenas"}
    assert "sampai 30 November 2031" in (await message(pool, event.id, "bappenas"))["subject"]

    answered = agreements.MspReviewAnswered(
        **common,
        subject="msp",
        member_code="KEMENDAGRI",
        verdict="cleared",
        awaiting=[],
        objected=[],
        answered_by="kemendagri-officer",
        answered_at=datetime.now(UTC),
    )
    event = await consume(pool, answered)
    assert await emailed(pool, event.id) == {"tpoa"}
    assert "TPOA dapat memutuskan" in (await message(pool, event.id, "tpoa"))["body_text"]


async def test_an_extension_asked_for_reaches_tpoa_and_one_refused_the_ngo_and_its_mitra_utama(
    pool: asyncpg.Pool, parties: Parties
) -> None:
    plan, kemensos = parties
    common = {"msp_id": uuid.uuid4(), "organization": plan, "ministry": kemensos, "title": "Perlindungan anak"}
    asked = agreements.MspExtensionRequested(
        **common,
        ends_on=date(2029, 11, 30),
        proposed_ends_on=date(2031, 11, 30),
        reason="Program lanjutan",
        requested_by="kemensos-officer",
        requested_at=datetime.now(UTC),
    )
    event = await consume(pool, asked)
    assert await emailed(pool, event.id) == {"tpoa"}
    told = await message(pool, event.id, "tpoa")
    assert told["subject"] == "Permohonan perpanjangan MSP: Plan International – Kementerian Sosial"
    assert "sampai 30 November 2031 (berakhir saat ini: 30 November 2029)" in told["body_text"]

    refused = agreements.MspExtensionRejected(
        **common,
        proposed_ends_on=date(2031, 11, 30),
        note="Laporan tahunan belum diterima",
        rejected_by="tpoa-officer",
        rejected_at=datetime.now(UTC),
    )
    event = await consume(pool, refused)
    assert await emailed(pool, event.id) == {"plan", "kemensos"}
    told = await message(pool, event.id, "plan")
    assert told["subject"] == "Perpanjangan MSP ditolak TPOA: Plan International – Kementerian Sosial"
    assert "Catatan: Laporan tahunan belum diterima" in told["body_text"]
