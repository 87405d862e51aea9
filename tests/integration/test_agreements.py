"""Agreements against the real PostgreSQL, under a controllable clock: its copy of registry's facts, the MSP
lifecycle and its guards, the obligations signing creates, the deadline engine (two replicas, restarts, catching
up, the indexed query, waking up), submissions, foreign visits and recommendations; and the real app over ASGI.

Registry's events are applied with agreements' own handlers, as its consumer does; each use case's events are read
back from the outbox, where they land in the same transaction as the change.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from support import eventually
from support.agreements_world import (
    AGREEMENTS,
    foreign_staff_assigned,
    learn,
    organization_registered,
    partner,
    permit_granted,
)
from support.app import api_client
from support.clock import FakeClock, at_jakarta
from support.database import migrated_pool
from support.tokens import as_role

from mitra_agreements.bootstrap import build_spec
from mitra_agreements.domain.obligations import OPEN_OBLIGATION, ObligationRules
from mitra_agreements.domain.policy import Policy
from mitra_agreements.settings import AgreementsSettings
from mitra_agreements.sql import DEADLINES
from mitra_agreements.usecases import msps, obligations, recommendations, registry_facts, reviews, visits
from mitra_agreements.usecases.commands import (
    AnnounceVisit,
    CancelVisit,
    Decide,
    DecideSubmission,
    DraftMsp,
    ExtendMsp,
    IssueRecommendation,
    Reject,
    RequestRecommendation,
    SignMsp,
    SubmitObligation,
    TerminateMsp,
    UpdateVisit,
)
from mitra_agreements.workers.deadlines import DeadlineEngine
from mitra_shared.clock import JAKARTA
from mitra_shared.context import Context, Principal
from mitra_shared.contracts import registry as registry_contracts
from mitra_shared.documents import DOCUMENTS_MIGRATIONS, LocalDirectoryStore
from mitra_shared.errors import Conflict, NotFound, RuleBroken
from mitra_shared.events import EventData
from mitra_shared.http import refusal_status
from mitra_shared.paging import MAX_OFFSET
from mitra_shared.uow import UnitOfWork

pytestmark = pytest.mark.integration

POLICY = Policy()
Engine = Callable[..., DeadlineEngine]


@dataclass
class World:
    """Registry's facts as agreements learned them."""

    organization_id: uuid.UUID
    ministry_id: uuid.UUID
    permit_id: uuid.UUID


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(database, [DOCUMENTS_MIGRATIONS, AGREEMENTS]) as ready:
        yield ready


@pytest.fixture
def uow(pool: asyncpg.Pool) -> UnitOfWork:
    return UnitOfWork(pool, "agreements")


@pytest.fixture
def clock() -> FakeClock:
    """Nine in the morning in Jakarta on the day it is set to."""
    return FakeClock(date(2027, 1, 5))


@pytest.fixture
def engine(uow: UnitOfWork, clock: FakeClock, database: str) -> Engine:
    """A deadline engine on the test's database and clock (a new instance is a new replica, or a restarted one)."""

    def make(batch_size: int = 500, tick_seconds: float = 3600) -> DeadlineEngine:
        return DeadlineEngine(
            uow=uow, clock=clock, listen_dsn=database, tick_seconds=tick_seconds, batch_size=batch_size
        )

    return make


def ctx(clock: FakeClock, role: str = "tpoa", **scope: object) -> Context:
    """The context of a request, now, by `<role>-1` of that role and scope (TPOA, who reads everything, by
    default)."""
    principal = Principal(f"{role}-1", roles=(role,), scope={claim: str(value) for claim, value in scope.items()})
    return Context(principal=principal, now=clock(), request_id="corr-1")


def ngo(clock: FakeClock, world: World) -> Context:
    """The context of a request by the staff of the world's NGO."""
    return ctx(clock, "ngo", organization_id=world.organization_id)


def ministry(clock: FakeClock, code: str = "KEMENSOS") -> Context:
    """The context of a request by an officer of the Mitra Utama ministry."""
    return ctx(clock, "ministry", ministry_code=code)


def status_changed(organization_id: uuid.UUID, status: str, version: int = 2) -> EventData:
    return registry_contracts.OrganizationStatusChanged(
        organization_id=organization_id,
        legal_name="Plan International",
        previous_status="active",
        status=status,  # type: ignore[arg-type]
        reason="TPOA decision",
        changed_by="tpoa-1",
        version=version,
        changed_at=datetime(2027, 1, 1, tzinfo=JAKARTA),
    )


async def seed(pool: asyncpg.Pool, *, with_permit: bool = True) -> World:
    organization_id, permit_id = uuid.uuid4(), uuid.uuid4()
    await learn(pool, organization_registered(organization_id))
    if with_permit:
        await learn(pool, permit_granted(organization_id, permit_id))
    for event in (
        partner("ministry", "KEMENSOS", "Kementerian Sosial"),
        partner("province", "33", "Jawa Tengah"),
        partner("regency", "3374", "Kota Semarang", "33"),
        partner("province", "51", "Bali"),
    ):
        await learn(pool, event)
    return World(organization_id, uuid.uuid5(uuid.NAMESPACE_URL, "partner/KEMENSOS"), permit_id)


def draft_command(world: World, **overrides: Any) -> DraftMsp:
    fields: dict[str, Any] = {
        "organization_id": world.organization_id,
        "ministry_partner_id": world.ministry_id,
        "title": "Perlindungan anak dan pengurangan risiko bencana",
        "focus_areas": ["child_welfare"],
        "forms_of_cooperation": ["capacity_building"],
        "work_location_codes": ["3374", "33"],
        "starts_on": date(2027, 1, 1),
        "ends_on": date(2029, 6, 30),
    }
    fields.update(overrides)
    return DraftMsp.model_validate(fields)


def sign_command(number: str | None = None) -> SignMsp:
    return SignMsp.model_validate(
        {
            "number": number or f"MSP/{uuid.uuid4().hex[:8]}",
            "signatories": [{"name": "Dra. Sri", "title": "Director General", "party": "ministry"}],
            "signed_document_ref": "dms://msp.pdf",
        }
    )


async def approved_msp(uow: UnitOfWork, world: World, clock: FakeClock, **overrides: Any) -> uuid.UUID:
    msp = await msps.draft_msp(uow, ngo(clock, world), draft_command(world, **overrides))
    await msps.submit_msp(uow, ngo(clock, world), msp.id, policy=POLICY)
    await msps.approve_msp(uow, ctx(clock), msp.id, Decide(note="ok"))
    return msp.id


async def signed_msp(uow: UnitOfWork, world: World, clock: FakeClock, **overrides: Any) -> uuid.UUID:
    msp_id = await approved_msp(uow, world, clock, **overrides)
    await msps.sign_msp(uow, ministry(clock), msp_id, sign_command(), policy=POLICY)
    return msp_id


async def published(pool: asyncpg.Pool, routing_key: str | None = None) -> list[dict[str, Any]]:
    """The events in the outbox (what the relay will publish), oldest first, as CloudEvents; the audit entries
    only when asked for by their routing key (tests/integration/test_agreements_audit.py reads them)."""
    rows = await pool.fetch("SELECT routing_key, body FROM outbox ORDER BY seq")
    return [
        {"routing_key": row["routing_key"], **json.loads(row["body"])}
        for row in rows
        if row["routing_key"] == routing_key or (routing_key is None and not row["routing_key"].startswith("audit."))
    ]


# --- registry's facts ------------------------------------------------------------------------------------------


async def test_the_newest_state_of_an_ngo_wins_whatever_the_order_of_events(pool: asyncpg.Pool) -> None:
    organization_id = uuid.uuid4()
    # The suspension (newer) arrives before the registration (older).
    await learn(pool, status_changed(organization_id, "suspended"), at=datetime(2027, 1, 2, tzinfo=JAKARTA))
    await learn(pool, organization_registered(organization_id), at=datetime(2027, 1, 1, tzinfo=JAKARTA))
    row = await pool.fetchrow("SELECT * FROM known_organizations WHERE organization_id = $1", organization_id)
    assert (row["legal_name"], row["country_of_origin"], row["status"]) == ("Plan International", "GB", "suspended")

    await learn(pool, status_changed(organization_id, "active", 3), at=datetime(2027, 1, 3, tzinfo=JAKARTA))
    assert (
        await pool.fetchval("SELECT status FROM known_organizations WHERE organization_id = $1", organization_id)
        == "active"
    )


async def test_a_permits_validity_follows_its_extension_in_any_order(pool: asyncpg.Pool) -> None:
    organization_id, permit_id = uuid.uuid4(), uuid.uuid4()
    extended = registry_contracts.PermitExtended(
        permit_id=permit_id,
        organization_id=organization_id,
        organization_name="Plan International",
        permit_type="principle",
        number="IP-1",
        previous_valid_until=date(2028, 12, 31),
        valid_until=date(2031, 12, 31),
        requested_on=date(2028, 6, 1),
        requested_late=False,
        extended_at=datetime(2028, 7, 1, tzinfo=JAKARTA),
    )
    expired_old = registry_contracts.PermitExpired(
        permit_id=permit_id,
        organization_id=organization_id,
        organization_name="Plan International",
        permit_type="principle",
        number="IP-1",
        valid_until=date(2028, 12, 31),
    )
    await learn(pool, extended, at=datetime(2028, 7, 1, tzinfo=JAKARTA))
    await learn(
        pool, permit_granted(organization_id, permit_id, date(2028, 12, 31)), at=datetime(2026, 1, 1, tzinfo=JAKARTA)
    )
    await learn(pool, expired_old, at=datetime(2029, 1, 1, tzinfo=JAKARTA))
    async with pool.acquire() as conn:
        [permit] = await registry_facts.principle_permits(conn, organization_id)
    assert (permit.issued_on, permit.valid_until, permit.expired) == (date(2026, 1, 1), date(2031, 12, 31), False)


async def test_a_partners_newest_version_wins(pool: asyncpg.Pool) -> None:
    await learn(pool, partner("regency", "3374", "Kota Semarang (baru)", "33", version=2))
    await learn(pool, partner("regency", "3374", "Kota Semarang", "33", version=1))
    async with pool.acquire() as conn:
        regions = await registry_facts.regions(conn, ["3374"])
    assert regions["3374"].name == "Kota Semarang (baru)"


# --- the MSP lifecycle -----------------------------------------------------------------------------------------


async def test_an_msp_from_draft_to_signed_publishes_each_step_with_the_parties(
    pool: asyncpg.Pool, clock: FakeClock, uow: UnitOfWork
) -> None:
    world = await seed(pool)
    msp = await msps.draft_msp(uow, ngo(clock, world), draft_command(world))
    assert msp.status == "draft"
    assert [(loc.code, loc.province_code) for loc in msp.work_locations] == [("3374", "33"), ("33", "33")]
    await msps.submit_msp(uow, ngo(clock, world), msp.id, policy=POLICY)
    await msps.approve_msp(uow, ctx(clock), msp.id, Decide(note="TPOA 4 Jan"))
    signed = await msps.sign_msp(uow, ministry(clock), msp.id, sign_command("MSP/1/2027"), policy=POLICY)
    assert (signed.status, signed.signed_on, signed.number) == ("active", clock.today, "MSP/1/2027")

    events = await published(pool)
    assert [e["routing_key"] for e in events] == [
        "agreements.msp.drafted",
        "agreements.msp.submitted",
        "agreements.msp.approved",
        "agreements.msp.signed",
    ]
    assert {e["subject"] for e in events} == {str(msp.id)}
    assert {e["correlationid"] for e in events} == {"corr-1"}
    approved = events[2]["data"]
    assert (approved["note"], approved["approved_by"]) == ("TPOA 4 Jan", "tpoa-1")
    assert datetime.fromisoformat(approved["approved_at"]) == clock()
    data = events[-1]["data"]
    assert data["organization"] == {"organization_id": str(world.organization_id), "name": "Plan International"}
    assert data["ministry"] == {"partner_id": str(world.ministry_id), "name": "Kementerian Sosial", "code": "KEMENSOS"}
    assert (data["starts_on"], data["ends_on"], data["signed_on"]) == ("2027-01-01", "2029-06-30", "2027-01-05")
    assert data["region_codes"] == ["3374", "33"]
    assert data["province_codes"] == ["33"]
    assert data["principle_permit_valid_until"] == "2029-12-31"
    created = await msps.obligations_of(uow, ctx(clock), msp.id)
    assert len(data["obligations"]) == len(created) > 0
    kinds = {o.kind for o in created}
    assert kinds == {"action_plan", "work_plan", "semester_report", "annual_report", "extension_decision"}
    assert sum(o.kind == "work_plan" for o in created) == 3 * 2  # three years, two regions


async def test_signing_without_a_valid_principle_permit_is_refused_and_writes_nothing(
    pool: asyncpg.Pool, clock: FakeClock, uow: UnitOfWork
) -> None:
    world = await seed(pool, with_permit=False)
    msp_id = await approved_msp(uow, world, clock)
    before = await published(pool)
    with pytest.raises(Conflict) as refused:
        await msps.sign_msp(uow, ministry(clock), msp_id, sign_command(), policy=POLICY)
    assert refused.value.field == "msp.organization_id"
    assert "principle permit" in refused.value.reason
    assert (await msps.get_msp(uow, ctx(clock), msp_id)).status == "approved"
    assert await msps.obligations_of(uow, ctx(clock), msp_id) == []
    assert await published(pool) == before

    # Once registry's grant arrives, the same command succeeds: registry itself is never asked.
    await learn(pool, permit_granted(world.organization_id, uuid.uuid4()))
    assert (await msps.sign_msp(uow, ministry(clock), msp_id, sign_command(), policy=POLICY)).status == "active"


async def test_the_msp_may_not_end_after_the_principle_permit(
    pool: asyncpg.Pool, clock: FakeClock, uow: UnitOfWork
) -> None:
    world = await seed(pool)
    with pytest.raises(Conflict) as at_draft:
        await msps.draft_msp(uow, ngo(clock, world), draft_command(world, ends_on=date(2030, 6, 30)))
    assert at_draft.value.field == "body.ends_on"

    # Drafted before any permit was known; the permit granted later is shorter than the MSP.
    other = await seed(pool, with_permit=False)
    msp_id = await approved_msp(uow, other, clock, ends_on=date(2030, 6, 30))
    await learn(pool, permit_granted(other.organization_id, uuid.uuid4(), date(2029, 12, 31)))
    with pytest.raises(Conflict) as at_signing:
        await msps.sign_msp(uow, ministry(clock), msp_id, sign_command(), policy=POLICY)
    assert at_signing.value.field == "msp.ends_on"
    assert "2029-12-31" in at_signing.value.reason


@pytest.mark.parametrize("status", ["suspended", "revoked"])
async def test_a_suspended_or_revoked_ngo_gets_no_new_msp(
    pool: asyncpg.Pool, clock: FakeClock, uow: UnitOfWork, status: str
) -> None:
    world = await seed(pool)
    msp_id = await approved_msp(uow, world, clock)
    await learn(pool, status_changed(world.organization_id, status))
    with pytest.raises(Conflict) as at_draft:
        await msps.draft_msp(uow, ngo(clock, world), draft_command(world))
    assert at_draft.value.field == "body.organization_id"
    assert status in at_draft.value.reason
    with pytest.raises(Conflict) as at_signing:
        await msps.sign_msp(uow, ministry(clock), msp_id, sign_command(), policy=POLICY)
    assert status in at_signing.value.reason


async def test_a_rejected_msp_keeps_the_reason_and_is_not_signed(
    pool: asyncpg.Pool, clock: FakeClock, uow: UnitOfWork
) -> None:
    world = await seed(pool)
    msp = await msps.draft_msp(uow, ngo(clock, world), draft_command(world))
    await msps.submit_msp(uow, ngo(clock, world), msp.id, policy=POLICY)
    rejected = await msps.reject_msp(uow, ctx(clock), msp.id, Reject(reason="Scope overlaps"))
    assert (rejected.status, rejected.decision_note, rejected.version) == ("rejected", "Scope overlaps", 3)
    [event] = await published(pool, "agreements.msp.rejected")
    assert (event["data"]["reason"], event["data"]["rejected_by"]) == ("Scope overlaps", "tpoa-1")
    with pytest.raises(Conflict) as signing:
        await msps.sign_msp(uow, ministry(clock), msp.id, sign_command(), policy=POLICY)
    assert "rejected" in signing.value.reason


async def test_unknown_parties_and_steps_out_of_order_are_refused(
    pool: asyncpg.Pool, clock: FakeClock, uow: UnitOfWork
) -> None:
    world = await seed(pool)
    for overrides, field in (
        ({"organization_id": uuid.uuid4()}, "body.organization_id"),
        ({"ministry_partner_id": uuid.uuid4()}, "body.ministry_partner_id"),
        ({"work_location_codes": ["3374", "9999"]}, "body.work_location_codes.1"),
        ({"ends_on": date(2026, 12, 31)}, "body.ends_on"),
    ):
        command = draft_command(world, **overrides)
        # An NGO agreements has not learned of yet drafts for itself: refused as unknown, not as someone else's.
        with pytest.raises(RuleBroken) as refused:
            await msps.draft_msp(uow, ctx(clock, "ngo", organization_id=command.organization_id), command)
        assert refusal_status(refused.value)[0] == 422
        assert refused.value.field == field
    assert await published(pool) == []

    msp = await msps.draft_msp(uow, ngo(clock, world), draft_command(world))
    with pytest.raises(Conflict) as out_of_order:
        await msps.sign_msp(uow, ministry(clock), msp.id, sign_command(), policy=POLICY)
    assert out_of_order.value.field == "msp.status"
    with pytest.raises(NotFound):
        await msps.submit_msp(uow, ngo(clock, world), uuid.uuid4(), policy=POLICY)


async def test_extension_adds_the_extra_periods_obligations_and_termination_closes_them(
    pool: asyncpg.Pool, clock: FakeClock, uow: UnitOfWork
) -> None:
    world = await seed(pool)
    msp_id = await signed_msp(uow, world, clock)
    before = {(o.kind, o.period, o.region_code) for o in await msps.obligations_of(uow, ctx(clock), msp_id)}
    with pytest.raises(Conflict) as past_permit:
        await reviews.request_extension(
            uow, ministry(clock), msp_id, ExtendMsp(ends_on=date(2030, 12, 31), reason="TPOA"), policy=POLICY
        )
    assert past_permit.value.field == "body.ends_on"

    # The Mitra Utama asks; the MSP keeps its dates until TPOA approves.
    pending = await reviews.request_extension(
        uow, ministry(clock), msp_id, ExtendMsp(ends_on=date(2029, 12, 31), reason="TPOA agreed"), policy=POLICY
    )
    assert (pending.ends_on, pending.pending_extension is not None) == (date(2029, 6, 30), True)
    extended = await reviews.approve_extension(uow, ctx(clock), msp_id, Decide(note=None), policy=POLICY)
    assert (extended.status, extended.ends_on, extended.pending_extension) == ("extended", date(2029, 12, 31), None)
    after = await msps.obligations_of(uow, ctx(clock), msp_id)
    added = {(o.kind, o.period, o.region_code) for o in after} - before
    assert added == {("semester_report", "2029-S2", None), ("extension_decision", "2029-12-31", None)}
    assert {o.status for o in after if o.kind == "extension_decision" and o.period == "2029-06-30"} == {"closed"}
    [event] = await published(pool, "agreements.msp.extended")
    assert event["data"]["previous_ends_on"] == "2029-06-30"
    assert len(event["data"]["new_obligations"]) == 2

    await msps.terminate_msp(uow, ministry(clock), msp_id, TerminateMsp(reason="Permit revoked"))
    assert {o.status for o in await msps.obligations_of(uow, ctx(clock), msp_id)} == {"closed"}
    [terminated] = await published(pool, "agreements.msp.terminated")
    assert terminated["data"]["reason"] == "Permit revoked"


# --- the deadline engine -----------------------------------------------------------------------------------------


async def notices(pool: asyncpg.Pool) -> list[tuple[str, str, int | None]]:
    """(routing key, subject, lead days) of every deadline event in the outbox."""
    return [
        (e["routing_key"], e["subject"], e["data"].get("days_before"))
        for e in await published(pool)
        if e["routing_key"].endswith((".due", ".overdue", ".expiring", ".ended"))
    ]


async def test_two_replicas_and_a_restart_send_each_reminder_once(
    pool: asyncpg.Pool, clock: FakeClock, uow: UnitOfWork, engine: Engine
) -> None:
    world = await seed(pool)
    for _ in range(6):
        await signed_msp(uow, world, clock)
    first, second = engine(batch_size=3), engine(batch_size=3)
    day = date(2027, 1, 5)
    counted = {"first": 0, "second": 0}
    while day <= date(2027, 9, 5):
        clock.set(day)
        # Two replicas tick at the same moment; a third instance (a restarted replica) ticks after them.
        by_first, by_second = await asyncio.gather(first.tick(), second.tick())
        counted["first"] += by_first
        counted["second"] += by_second
        assert await engine().tick() == 0
        day += timedelta(days=1)
    sent = await notices(pool)
    assert len(sent) == len(set(sent)), "a notice was sent twice"
    assert counted["first"] + counted["second"] == len(sent)
    per_obligation: dict[str, list[int | None]] = {}
    for routing_key, subject, lead in sent:
        if routing_key != "agreements.msp.expiring":
            per_obligation.setdefault(subject, []).append(lead)
    # Each of the six MSPs' Action Plans (due 5 July) and 2027-S1 reports (due 31 July), and two regions' 2027 work
    # plans (due 31 March): 30, 7 and 1 day before, then overdue.
    assert len(per_obligation) == 6 * 4
    assert all(leads == [30, 7, 1, None] for leads in per_obligation.values())
    kinds = {routing_key for routing_key, _, _ in sent}
    assert kinds == {
        "agreements.action_plan.due",
        "agreements.action_plan.overdue",
        "agreements.work_plan.due",
        "agreements.work_plan.overdue",
        "agreements.report.due",
        "agreements.report.overdue",
    }
    statuses = await pool.fetch("SELECT kind, status FROM obligations WHERE due_on <= '2027-09-04'")
    assert {row["status"] for row in statuses} == {"overdue"}


async def test_catching_up_after_downtime_sends_only_the_most_urgent_notice(
    pool: asyncpg.Pool, clock: FakeClock, uow: UnitOfWork, engine: Engine
) -> None:
    world = await seed(pool)
    msp_id = await signed_msp(uow, world, clock, work_location_codes=[])
    # Down from signing until 28 July: the 2027-S1 report (due 31 July) missed its 30- and 7-day reminders, the
    # Action Plan (due 5 July) its whole schedule.
    clock.set(date(2027, 7, 28))
    assert await engine().tick() == 2
    [report, action_plan] = sorted(await published(pool, "agreements.report.due"), key=str) + await published(
        pool, "agreements.action_plan.overdue"
    )
    assert report["data"]["days_before"] == 7
    assert report["data"]["days_left"] == 3
    assert report["data"]["period"] == "2027-S1"
    assert report["data"]["msp_id"] == str(msp_id)
    assert action_plan["data"]["days_overdue"] == 23
    # The engine acts as the system, at the moment of its clock: both notices carry that time, one correlation id.
    assert {datetime.fromisoformat(e["time"]) for e in (report, action_plan)} == {clock()}
    assert report["correlationid"] == action_plan["correlationid"]
    assert await published(pool, "agreements.action_plan.due") == []


async def test_due_dates_on_weekends_and_holidays_are_flagged(
    pool: asyncpg.Pool, clock: FakeClock, uow: UnitOfWork, engine: Engine
) -> None:
    world = await seed(pool)
    await signed_msp(uow, world, clock, work_location_codes=[])
    clock.set(date(2027, 7, 2))  # 29 days before the 2027-S1 report, due Saturday 31 July 2027
    await engine().tick()
    [due] = await published(pool, "agreements.report.due")
    assert due["data"]["due_on"] == "2027-07-31"
    assert due["data"]["due_on_weekend"] is True
    assert due["data"]["due_on_working_day"] is False
    assert due["data"].get("due_on_holiday") is None

    clock.set(date(2027, 2, 17))  # an Action Plan six months later falls on Independence Day
    await signed_msp(uow, world, clock, work_location_codes=[])
    clock.set(date(2027, 7, 20))
    await engine().tick()
    [holiday] = [e for e in await published(pool, "agreements.action_plan.due") if e["data"]["due_on"] == "2027-08-17"]
    assert holiday["data"]["due_on_holiday"] == "Hari Kemerdekaan Republik Indonesia"
    assert holiday["data"]["due_on_weekend"] is False
    assert holiday["data"]["due_on_working_day"] is False


async def test_msp_activation_expiry_warnings_and_end(
    pool: asyncpg.Pool, clock: FakeClock, uow: UnitOfWork, engine: Engine
) -> None:
    world = await seed(pool)
    clock.set(date(2026, 12, 20))
    msp_id = await signed_msp(uow, world, clock, work_location_codes=[], ends_on=date(2027, 12, 31))
    tick = engine().tick
    await tick()
    assert (await msps.get_msp(uow, ctx(clock), msp_id)).status == "signed"
    clock.set(date(2027, 1, 1))
    await tick()
    assert (await msps.get_msp(uow, ctx(clock), msp_id)).status == "active"
    clock.set(date(2027, 11, 15))  # within 90 days of the end, the 180-day warning long missed
    await tick()
    await tick()
    clock.set(date(2028, 1, 1))
    await tick()
    msp = await msps.get_msp(uow, ctx(clock), msp_id)
    assert msp.status == "ended"
    assert [
        (e["routing_key"], e["data"].get("days_before")) for e in await published(pool) if "msp.e" in e["routing_key"]
    ] == [
        ("agreements.msp.expiring", 90),
        ("agreements.msp.ended", None),
    ]
    assert {o.status for o in await msps.obligations_of(uow, ctx(clock), msp_id)} <= {"closed", "overdue"}


async def test_the_engine_ticks_on_its_own_schedule(
    pool: asyncpg.Pool, clock: FakeClock, uow: UnitOfWork, engine: Engine
) -> None:
    world = await seed(pool)
    await signed_msp(uow, world, clock, work_location_codes=[])
    clock.set(date(2027, 6, 10))  # the Action Plan (due 5 July) is within 30 days
    running = engine(tick_seconds=0.05)
    await running.start()
    try:

        async def reminded() -> list[dict[str, Any]]:
            return await published(pool, "agreements.action_plan.due")

        await eventually(reminded, timeout=10, description="the engine's own tick sending the reminder")
        assert running.running
    finally:
        await running.stop()
    [due] = await published(pool, "agreements.action_plan.due")
    assert due["data"]["days_before"] == 30
    assert not running.running


async def test_the_running_engine_looks_again_when_woken(
    pool: asyncpg.Pool, clock: FakeClock, uow: UnitOfWork, engine: Engine
) -> None:
    """Between its ticks (an hour here) the engine sleeps until `NOTIFY agreements_deadlines` wakes it."""
    world = await seed(pool)
    await signed_msp(uow, world, clock, work_location_codes=[])
    clock.set(date(2027, 6, 10))
    running = engine(tick_seconds=3600)
    await running.start()
    try:

        async def reminded(days_before: int) -> list[dict[str, Any]]:
            return [
                e
                for e in await published(pool, "agreements.action_plan.due")
                if e["data"]["days_before"] == days_before
            ]

        await eventually(lambda: reminded(30), timeout=10, description="the first pass at start")
        clock.set(date(2027, 6, 28))  # within 7 days now
        await asyncio.sleep(0.2)
        assert await reminded(7) == [], "the engine looked again before its tick or a wake-up"
        await pool.execute("NOTIFY agreements_deadlines")
        [week] = await eventually(lambda: reminded(7), timeout=10, description="the pass after the wake-up")
        assert week["time"].startswith("2027-06-28T09:00:00")
    finally:
        await running.stop()


async def test_the_engine_reads_what_is_due_through_the_index(pool: asyncpg.Pool) -> None:
    """20,000 obligations over three years, a year and a half of them past (accepted or overdue, a few late and not
    marked yet): a tick's queries (what changes today, who is owed a reminder) must use the indexes, not scan them
    all or walk every past due date."""
    async with pool.acquire() as conn:
        await conn.execute(
            """
            INSERT INTO msps (id, organization_id, organization_name, ministry_partner_id, ministry_name,
                              ministry_code, title, starts_on, ends_on, status, obligation_rules, number,
                              next_check_on, created_at, updated_at)
            SELECT gen_random_uuid(), gen_random_uuid(), 'NGO ' || n, gen_random_uuid(), 'Kementerian', 'K',
                   'MSP ' || n, date '2027-01-01', date '2029-12-31', 'active', '{}', 'MSP/' || n,
                   date '2027-01-01' + (n % 1000), now(), now()
            FROM generate_series(1, 2000) AS n
            """
        )
        await conn.execute(
            """
            INSERT INTO obligations (id, msp_id, kind, period, due_on, status, next_check_on, created_at, updated_at)
            SELECT gen_random_uuid(), m.id, 'semester_report', 'S' || k, date '2027-01-01' + due_on_day,
                   CASE WHEN due_on_day >= 540 THEN 'pending' WHEN (k + n) % 10 = 0 THEN 'overdue' ELSE 'accepted'
                   END,
                   CASE WHEN n % 500 = 0 THEN date '2028-06-01' END, now(), now()
            FROM (SELECT id, (row_number() OVER ())::int AS n FROM msps) AS m, generate_series(1, 10) AS k,
                 LATERAL (SELECT (k * 97 + n) % 1095 AS due_on_day) AS d
            """
        )
        await conn.execute("ANALYZE obligations; ANALYZE msps")
        assert await conn.fetchval("SELECT count(*) FROM obligations") == 20_000
        today = date(2028, 6, 26)  # day 542: the pending ones of days 540 and 541 are late
        common = {"today": today, "limit": 500}
        changes = DEADLINES.claim_due_obligations(**common, overdue_kinds=["semester_report"])
        leads = {"leads": [1, 7, 30], "lead_keys": ["due:1", "due:7", "due:30"]}
        due_dates = [today + timedelta(days=lead) for lead in (1, 7, 30)]
        reminders = DEADLINES.due_reminders(**common, **leads, due_kinds=["semester_report"], due_dates=due_dates)
        plans = [
            await conn.fetchval(f"EXPLAIN (FORMAT JSON) {query}", *arguments)
            for query, *arguments in (changes, reminders, DEADLINES.claim_due_msps(today=date(2027, 1, 5), limit=500))
        ]
        predicate = await conn.fetchval("SELECT indexdef FROM pg_indexes WHERE indexname = 'obligations_open_due'")
    change_nodes, reminder_nodes, msp_nodes = (plan_nodes(plan[0]["Plan"]) for plan in plans)
    indexes = {node.get("Index Name") for node in change_nodes}
    assert {"obligations_next_check", "obligations_open_due"} <= indexes, json.dumps(plans[0], indent=1)
    assert "obligations_open_due" in {node.get("Index Name") for node in reminder_nodes}, plans[1]
    for nodes in (change_nodes, reminder_nodes):
        assert not [n for n in nodes if n["Node Type"] == "Seq Scan" and n.get("Relation Name") == "obligations"]
    assert any(node.get("Index Name") == "msps_next_check" for node in msp_nodes)
    # The queries and the index name the open statuses as written; they must be the domain's.
    assert set(re.findall(r"'(\w+)'::text", predicate)) == OPEN_OBLIGATION


def plan_nodes(node: dict[str, Any]) -> list[dict[str, Any]]:
    return [node, *(child for sub in node.get("Plans", []) for child in plan_nodes(sub))]


# --- submissions --------------------------------------------------------------------------------------------------


async def test_a_report_submitted_returned_and_submitted_again_then_accepted(
    pool: asyncpg.Pool, clock: FakeClock, uow: UnitOfWork, engine: Engine
) -> None:
    world = await seed(pool)
    msp_id = await signed_msp(uow, world, clock)
    [report] = [o for o in await msps.obligations_of(uow, ctx(clock), msp_id) if o.period == "2027-S1"]
    command = SubmitObligation.model_validate(
        {
            "summary": "Semester I",
            "document_ref": "dms://r1.pdf",
            "funding": [{"source": "Plan UK", "amount": 1000000, "currency": "IDR", "use": "Training"}],
        }
    )
    clock.set(date(2027, 7, 20))
    first = await obligations.submit_obligation(uow, ngo(clock, world), report.id, command)
    assert (first.attempt, first.late) == (1, False)
    with pytest.raises(Conflict) as twice:
        await obligations.submit_obligation(uow, ngo(clock, world), report.id, command)
    assert twice.value.field == "obligation.status"
    await obligations.decide_submission(
        uow, ministry(clock), first.id, DecideSubmission(comments="Add regions"), accept=False
    )
    clock.set(date(2027, 8, 3))
    second = await obligations.submit_obligation(uow, ngo(clock, world), report.id, command)
    assert (second.attempt, second.late) == (2, True)
    await obligations.decide_submission(uow, ministry(clock), second.id, DecideSubmission(), accept=True)
    with pytest.raises(Conflict):
        await obligations.decide_submission(uow, ministry(clock), second.id, DecideSubmission(), accept=False)

    assert [e["routing_key"] for e in await published(pool) if e["subject"] == str(report.id)] == [
        "agreements.report.submitted",
        "agreements.report.returned",
        "agreements.report.submitted",
        "agreements.report.accepted",
    ]
    [returned] = await published(pool, "agreements.report.returned")
    assert returned["data"]["comments"] == "Add regions"
    submitted = await published(pool, "agreements.report.submitted")
    assert submitted[0]["data"]["funding"][0]["amount"] == 1000000
    assert [s.status for s in await obligations.submissions_of(uow, ctx(clock), report.id)] == ["returned", "accepted"]
    # An accepted report needs no reminder nor overdue notice.
    clock.set(date(2027, 8, 10))
    await engine().tick()
    assert not [n for n in await notices(pool) if n[1] == str(report.id)]


# --- foreign visits ---------------------------------------------------------------------------------------------


async def test_visits_are_announced_late_or_in_time_updated_and_cancelled(
    pool: asyncpg.Pool, clock: FakeClock, uow: UnitOfWork
) -> None:
    world = await seed(pool)
    msp_id = await signed_msp(uow, world, clock)

    def announce(arrives_on: date, regions: list[str]) -> AnnounceVisit:
        return AnnounceVisit.model_validate(
            {
                "msp_id": msp_id,
                "visitors": [{"name": "John Smith", "nationality": "GB", "role": "Adviser"}],
                "purpose": "Monitoring",
                "arrives_on": arrives_on,
                "departs_on": arrives_on + timedelta(days=3),
                "region_codes": regions,
            }
        )

    in_time = await visits.announce_visit(
        uow, ngo(clock, world), announce(date(2027, 1, 19), ["3374", "51"]), policy=POLICY
    )
    late = await visits.announce_visit(uow, ngo(clock, world), announce(date(2027, 1, 10), ["33"]), policy=POLICY)
    assert (in_time.late, late.late) == (False, True)
    announced = await published(pool, "agreements.visit.announced")
    assert [(e["data"]["region_codes"], e["data"]["province_codes"], e["data"]["late"]) for e in announced] == [
        (["3374", "51"], ["33", "51"], False),
        (["33"], ["33"], True),
    ]
    assert (announced[0]["data"]["arrives_on"], announced[0]["data"]["departs_on"]) == ("2027-01-19", "2027-01-22")

    with pytest.raises(RuleBroken) as unknown_region:
        await visits.announce_visit(uow, ngo(clock, world), announce(date(2027, 2, 1), ["3374", "0000"]), policy=POLICY)
    assert unknown_region.value.field == "body.region_codes.1"

    updated = await visits.update_visit(
        uow, ngo(clock, world), in_time.id, UpdateVisit(region_codes=["3374"]), policy=POLICY
    )
    assert updated.province_codes == ["33"]
    [change] = await published(pool, "agreements.visit.updated")
    assert change["data"]["changed_fields"] == ["region_codes"]
    assert change["data"]["previous_region_codes"] == ["3374", "51"]

    await visits.cancel_visit(uow, ngo(clock, world), in_time.id, CancelVisit(reason="Flight cancelled"))
    with pytest.raises(Conflict):
        await visits.update_visit(uow, ngo(clock, world), in_time.id, UpdateVisit(purpose="Again"), policy=POLICY)
    [cancelled] = await published(pool, "agreements.visit.cancelled")
    assert cancelled["data"]["region_codes"] == ["3374"]


# --- recommendations ----------------------------------------------------------------------------------------------


async def test_a_recommendation_is_requested_and_issued_once_under_a_unique_reference(
    pool: asyncpg.Pool, clock: FakeClock, uow: UnitOfWork, tmp_path: Path
) -> None:
    world = await seed(pool)
    store = LocalDirectoryStore(tmp_path)
    msp_id = await signed_msp(uow, world, clock)
    with pytest.raises(RuleBroken) as no_expert:
        await recommendations.request_recommendation(
            uow, ngo(clock, world), RequestRecommendation(msp_id=msp_id, kind="visa", purpose="Adviser")
        )
    assert no_expert.value.field == "body.staff_assignment_id"
    expert = foreign_staff_assigned(world.organization_id)
    await learn(pool, expert)
    visa = await recommendations.request_recommendation(
        uow,
        ngo(clock, world),
        RequestRecommendation(msp_id=msp_id, kind="visa", staff_assignment_id=expert.assignment_id, purpose="DRR"),
    )
    assert (visa.expert_name, visa.expert_nationality) == ("Maria", "DK")
    tax = await recommendations.request_recommendation(
        uow, ngo(clock, world), RequestRecommendation(msp_id=msp_id, kind="tax_exemption", purpose="Imported goods")
    )
    issued = await recommendations.issue_recommendation(
        uow, ministry(clock), visa.id, IssueRecommendation(granted=True, reference_number="B-1/REK"), store=store
    )
    assert (issued.status, issued.granted, issued.reference_number) == ("issued", True, "B-1/REK")
    # The decision's letter: a generated PDF of the recommendation, in the store under the key its row names.
    [letter] = issued.documents
    assert (letter.purpose, letter.generated, letter.content_type) == ("letter", True, "application/pdf")
    key = await pool.fetchval("SELECT storage_key FROM documents WHERE id = $1", letter.id)
    content = store.path_of(key).read_bytes()
    assert content.startswith(b"%PDF-")
    assert (len(content), hashlib.sha256(content).hexdigest()) == (letter.size, letter.sha256)
    with pytest.raises(Conflict):
        await recommendations.issue_recommendation(
            uow, ministry(clock), visa.id, IssueRecommendation(granted=False, reference_number="B-2/REK"), store=store
        )
    with pytest.raises(Conflict) as reused:
        await recommendations.issue_recommendation(
            uow, ministry(clock), tax.id, IssueRecommendation(granted=True, reference_number="B-1/REK"), store=store
        )
    assert reused.value.field == "body.reference_number"
    assert [e["routing_key"] for e in await published(pool) if "recommendation" in e["routing_key"]] == [
        "agreements.recommendation.requested",
        "agreements.recommendation.requested",
        "agreements.recommendation.issued",
    ]
    [event] = await published(pool, "agreements.recommendation.issued")
    assert event["data"]["reference_number"] == "B-1/REK"
    assert event["data"]["ministry"]["code"] == "KEMENSOS"
    assert event["data"]["letter"]["id"] == str(letter.id)
    assert await pool.fetchval("SELECT count(*) FROM documents") == 1, "the refused decisions stored no letter row"


async def test_obligation_rules_stay_with_the_msp(pool: asyncpg.Pool, clock: FakeClock, uow: UnitOfWork) -> None:
    world = await seed(pool)
    rules = ObligationRules(action_plan_months_after_signing=None, work_plans=False, annual_reports=False)
    msp_id = await signed_msp(uow, world, clock, obligation_rules=rules)
    assert (await msps.get_msp(uow, ctx(clock), msp_id)).obligation_rules == rules
    assert {o.kind for o in await msps.obligations_of(uow, ctx(clock), msp_id)} == {
        "semester_report",
        "extension_decision",
    }


async def test_a_replica_skips_what_another_holds_and_a_crashed_tick_is_redone_once(
    pool: asyncpg.Pool, clock: FakeClock, uow: UnitOfWork, engine: Engine
) -> None:
    world = await seed(pool)
    for _ in range(4):
        await signed_msp(uow, world, clock, work_location_codes=[])
    clock.set(date(2027, 7, 6))  # each MSP's Action Plan (due 5 July) is overdue today
    due = await pool.fetch("SELECT id FROM obligations WHERE kind = 'action_plan' ORDER BY id")
    held = [row["id"] for row in due[:2]]

    async def overdue() -> list[str]:
        return sorted(e["subject"] for e in await published(pool, "agreements.action_plan.overdue"))

    # A replica is in the middle of its tick: it holds two of the overdue obligations and has not committed.
    async with pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        await conn.execute("SELECT 1 FROM obligations WHERE id = ANY($1::uuid[]) FOR UPDATE", held)
        await engine().tick()  # the other replica does not wait; it takes the other two
        assert await overdue() == sorted(str(row["id"]) for row in due[2:])
        await transaction.rollback()  # the first replica dies before committing
    await engine().tick()  # what it held is done on the next tick, once
    assert await overdue() == sorted(str(row["id"]) for row in due)


async def test_a_reminder_another_replica_is_sending_is_waited_for_and_sent_once(
    pool: asyncpg.Pool, clock: FakeClock, uow: UnitOfWork, engine: Engine
) -> None:
    """Reminders lock no obligation: two replicas may read the same ones. The notice's key decides: a replica
    that meets a notice another has recorded but not committed waits for it, and sends it only if the other
    died."""
    world = await seed(pool)
    for _ in range(4):
        await signed_msp(uow, world, clock, work_location_codes=[])
    clock.set(date(2027, 6, 10))  # each MSP's Action Plan (due 5 July) is within 30 days
    due = await pool.fetch("SELECT id FROM obligations WHERE kind = 'action_plan' ORDER BY id")
    held = [row["id"] for row in due[:2]]
    async with pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        await conn.execute(
            """INSERT INTO deadline_notices (subject_id, notice, sent_on)
               SELECT id, 'due:30', $2 FROM unnest($1::uuid[]) AS id""",
            held,
            date(2027, 6, 10),
        )
        ticking = asyncio.create_task(engine().tick())

        async def waiting_on_the_notices() -> bool:
            return bool(
                await pool.fetchval(
                    """SELECT count(*) FROM pg_stat_activity
                       WHERE wait_event_type = 'Lock' AND datname = current_database()"""
                )
            )

        await eventually(waiting_on_the_notices, description="the engine waiting on the held notices")
        assert not ticking.done()
        await transaction.rollback()  # the first replica dies before committing
    await ticking
    sent = await published(pool, "agreements.action_plan.due")
    assert sorted(e["subject"] for e in sent) == sorted(str(row["id"]) for row in due)
    assert await engine().tick() == 0


async def test_an_obligation_submitted_after_its_reminder_was_read_gets_none(
    pool: asyncpg.Pool, clock: FakeClock, uow: UnitOfWork
) -> None:
    """Reminders are read without a lock: a submission committed between the read and the sending takes the
    obligation out of the reminder's batch."""
    world = await seed(pool)
    for _ in range(2):
        await signed_msp(uow, world, clock, work_location_codes=[])
    clock.set(date(2027, 6, 10))  # each MSP's Action Plan (due 5 July) is within 30 days
    due = await pool.fetch("SELECT id FROM obligations WHERE kind = 'action_plan' ORDER BY id")

    class SubmittedMeanwhile(DeadlineEngine):
        async def _remind(self, context: Any, rows: Any, today: date) -> int:
            await pool.execute("UPDATE obligations SET status = 'submitted' WHERE id = $1", due[0]["id"])
            return await super()._remind(context, rows, today)

    await SubmittedMeanwhile(uow=uow, clock=clock, listen_dsn="unused", tick_seconds=3600).tick()
    sent = await published(pool, "agreements.action_plan.due")
    assert [e["subject"] for e in sent] == [str(due[1]["id"])]


# --- over HTTP ----------------------------------------------------------------------------------------------------


async def test_the_api_runs_each_command_in_the_context_of_its_request(
    pool: asyncpg.Pool, clock: FakeClock, uow: UnitOfWork, tmp_path: Path
) -> None:
    """The real app over ASGI: the caller, the service's clock and the correlation id reach the events; the
    service's settings reach the rules; refusals are problem documents; no page offset is too large."""
    world = await seed(pool)
    settings = AgreementsSettings(environment="test", visit_notice_days=30, documents_dir=tmp_path, tpoa_members=[])
    spec = build_spec(settings, clock=clock)
    the_ngo = as_role("ngo", subject="ngo-staff", organization_id=world.organization_id)
    async with api_client(spec, pool, headers=as_role("tpoa")) as client:
        response = await client.post(
            "/msps",
            json=draft_command(world).model_dump(mode="json"),
            headers={"X-Correlation-ID": "corr-http", **the_ngo},
        )
        assert response.status_code == 201, response.text
        msp_id = response.json()["id"]
        assert response.headers["Location"] == f"/msps/{msp_id}"
        [drafted] = await published(pool, "agreements.msp.drafted")
        assert (drafted["correlationid"], drafted["data"]["drafted_by"]) == ("corr-http", "ngo-staff")
        assert datetime.fromisoformat(drafted["time"]) == clock() == at_jakarta(date(2027, 1, 5))

        stranger = uuid.uuid4()
        unknown = await client.post(
            "/msps",
            json=draft_command(world, organization_id=stranger).model_dump(mode="json"),
            headers=as_role("ngo", organization_id=stranger),
        )
        assert unknown.status_code == 422
        assert unknown.headers["content-type"] == "application/problem+json"
        assert unknown.json()["errors"] == [{"field": "body.organization_id", "reason": unknown.json()["detail"]}]

        await msps.submit_msp(uow, ngo(clock, world), uuid.UUID(msp_id), policy=POLICY)
        await msps.approve_msp(uow, ctx(clock), uuid.UUID(msp_id), Decide(note="ok"))
        signed = await client.post(
            f"/msps/{msp_id}/sign",
            json=sign_command().model_dump(mode="json"),
            headers=as_role("ministry", ministry_code="KEMENSOS"),
        )
        assert signed.status_code == 200, signed.text
        visit = {
            "msp_id": msp_id,
            "visitors": [{"name": "John Smith", "nationality": "GB", "role": "Adviser"}],
            "purpose": "Monitoring",
            "arrives_on": "2027-01-25",  # 20 days' notice: in time under the default 14, late under the service's 30
            "departs_on": "2027-01-27",
            "region_codes": ["3374"],
        }
        announced = await client.post("/visits", json=visit, headers=the_ngo)
        assert announced.status_code == 201, announced.text
        assert announced.json()["late"] is True
        emptied = await client.patch(f"/visits/{announced.json()['id']}", json={"arrives_on": None}, headers=the_ngo)
        assert emptied.status_code == 422, emptied.text

        for path in ("/msps", "/organizations"):
            page = await client.get(path, params={"offset": 10**30})
            assert page.status_code == 422, page.text
            assert page.json()["errors"][0]["field"] == "query.offset"
            beyond = await client.get(path, params={"offset": MAX_OFFSET})
            assert beyond.status_code == 200, beyond.text
            assert beyond.json()["items"] == []
        assert (await client.get("/organizations")).json()["total"] == 1
