"""The bulk replay (`usecases/bulk_replay.py`) gives, table by table and byte for byte, what the per-event replay
and live consumption gave, from a log of every event type reporting projects, many of them out of order."""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from support.database import migrated_pool

from mitra_reporting.consumers.projections import HANDLERS, PROJECTION_TABLES, PROJECTORS
from mitra_reporting.sql import EVENT_LOG
from mitra_reporting.usecases.bulk_replay import FAMILY_OF, TOUCHES
from mitra_reporting.usecases.rebuild import rebuild
from mitra_shared import db
from mitra_shared.context import Context
from mitra_shared.contracts import agreements as ag
from mitra_shared.contracts import registry as rg
from mitra_shared.events import EventKind, ReceivedEvent
from mitra_shared.uow import UnitOfWork

pytestmark = pytest.mark.integration
START = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)
Fact = tuple[EventKind, dict[str, Any]]


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(database, [db.MigrationSource("reporting", "mitra_reporting")]) as ready:
        yield ready


def ngo_story(rng: random.Random, number: int) -> list[Fact]:
    """One NGO's events in the order registry published them, with repeats of the same facts under new ids."""
    org, permit, staff = (str(uuid.uuid4()) for _ in range(3))
    day = f"2026-02-{1 + number % 27:02d}"
    status = rng.choice(["applicant", "registered", "suspended"])
    registered = {
        "organization_id": org,
        "legal_name": f"NGO {number}",
        "acronym": rng.choice([None, f"N{number}"]),
        "country_of_origin": rng.choice(["GB", "US", "DE"]),
        "status": status,
        "registered_at": f"{day}T10:00:00+07:00",
        **({"focus_areas": rng.sample(["poverty", "disaster", "health"], rng.randint(0, 3))} if number % 4 else {}),
    }
    facts: list[Fact] = [(rg.OrganizationRegistered.kind, registered)]
    for version in range(2, 2 + rng.randint(0, 3)):
        if rng.random() < 0.5:
            changed = {
                **registered,
                "legal_name": f"NGO {number} v{version}",
                "status": rng.choice(["applicant", status]),
            }
            facts.append((rg.OrganizationUpdated.kind, {**changed, "version": version}))
        else:
            facts.append(
                (
                    rg.OrganizationStatusChanged.kind,
                    {
                        # Another spelling of the same id: the bulk replay keys by the uuid, not the text.
                        "organization_id": org.upper() if version % 2 else org,
                        "status": rng.choice(["registered", "suspended", "revoked", "active"]),
                        "version": version,
                        "changed_at": f"{day}T1{version}:00:00Z",
                    },
                )
            )
    if rng.random() < 0.2:
        facts.append((rg.OrganizationRegistered.kind, {**registered, "legal_name": "again", "status": "registered"}))
    granted = {
        "permit_id": permit,
        "organization_id": org,
        "permit_type": rng.choice(["principle", "work"]),
        "number": f"IP-{number}",
        "issued_on": "2025-01-01",
        "valid_until": "2027-12-31",
    }
    facts.append((rg.PermitGranted.kind, granted))
    if rng.random() < 0.2:
        facts.append((rg.PermitGranted.kind, {**granted, "number": "other", "valid_until": "2031-01-01"}))
    for _ in range(rng.randint(0, 3)):
        kind = rng.choice([rg.PermitExtended.kind, rg.PermitExpired.kind, rg.PermitRevoked.kind])
        more = {"valid_until": rng.choice(["2026-06-30", "2029-12-31"]), "revoked_on": day}
        facts.append((kind, {"permit_id": permit, **more}))
    if rng.random() < 0.6:
        assigned = {"assignment_id": staff, "organization_id": org, "nationality": "AU"}
        facts.append((rg.ForeignStaffAssigned.kind, {**assigned, "starts_on": "2026-01-01", "ends_on": "2028-01-01"}))
        for ended_on in rng.sample(["2026-06-30", "2027-01-31"], rng.randint(0, 2)):
            facts.append((rg.ForeignStaffEnded.kind, {"assignment_id": staff, "ended_on": ended_on}))
    if rng.random() < 0.3:
        sanction = {
            "sanction_id": str(uuid.uuid4()),
            "organization_id": org,
            "sanction_kind": "warning",
            "category": "reporting_failure",
            "reason": "Reports late",
            "organization_status": rng.choice(["registered", "suspended"]),
        }
        facts.append(
            (rg.SanctionImposed.kind, {**sanction, "starts_on": day, "imposed_at": f"{day}T12:30:00Z"}),
        )
        if rng.random() < 0.5:
            facts.append((rg.SanctionLifted.kind, {**sanction, "lifted_at": f"{day}T13:30:00Z"}))
    if rng.random() < 0.7:
        facts.extend(msp_story(rng, number, org))
    return facts


def msp_story(rng: random.Random, number: int, org: str) -> list[Fact]:
    """One MSP of the NGO: drafted, its steps, signed with its obligations, their submissions and decisions, a
    report with its funding, visits, mitigation actions, a public document, and an extension or an end."""
    msp = str(uuid.uuid4())
    organization = {"organization_id": org, "name": f"NGO {number}"}
    ministry = {"name": "Kementerian Sosial", "code": "KEMENSOS"}
    drafted = {
        "msp_id": msp,
        "organization": organization,
        "ministry": ministry,
        "title": f"Programme {number}",
        "work_locations": [{"code": "3374", "kind": "regency", "name": "Semarang", "province_code": "33"}],
        "starts_on": "2026-01-01",
        "ends_on": "2027-12-31",
    }
    facts: list[Fact] = [(ag.MspDrafted.kind, drafted)]
    for _ in range(rng.randint(1, 3)):
        facts.append((rng.choice([ag.MspSubmitted.kind, ag.MspApproved.kind, ag.MspRejected.kind]), {"msp_id": msp}))
    obligations = {kind: str(uuid.uuid4()) for kind in ("action_plan", "work_plan", "semester_report")}
    due = [{"obligation_id": o, "kind": k, "period": "2027-S1", "due_on": "2027-07-31"} for k, o in obligations.items()]
    signed = {**drafted, "number": f"MSP-{number}", "signed_on": "2025-12-20", "obligations": due}
    facts.append((ag.MspSigned.kind, signed))
    if rng.random() < 0.3:
        # Delivered again, with other regions (one listed twice) and an obligation repeated and one received outside.
        outside = {"obligation_id": str(uuid.uuid4()), "kind": "work_plan", "due_on": "2026-01-31"}
        again = [*due, due[0], {**outside, "received_outside_mitra_on": "2026-02-03", "region_code": "33"}]
        cilacap = {"code": "3301", "kind": "regency", "name": "Cilacap", "province_code": "33"}
        regions = [{**cilacap, "code": "3374", "name": "Kota Semarang"}, cilacap, {**cilacap, "name": "other"}]
        facts.append((ag.MspSigned.kind, {**signed, "title": "again", "obligations": again, "work_locations": regions}))
    steps = {
        "action_plan": [ag.ActionPlanSubmitted.kind, ag.ActionPlanAccepted.kind, ag.ActionPlanReturned.kind],
        "work_plan": [ag.WorkPlanSubmitted.kind, ag.WorkPlanAccepted.kind, ag.WorkPlanReturned.kind],
    }
    steps["action_plan"].append(ag.ActionPlanOverdue.kind)
    steps["work_plan"].append(ag.WorkPlanOverdue.kind)
    for kind, events in steps.items():
        for hour in range(rng.randint(1, 5)):
            at = f"2027-0{1 + hour}-10T{15 + hour}:30:00Z"
            facts.append(
                (rng.choice(events), {"obligation_id": obligations[kind], "submitted_at": at, "decided_at": at})
            )
    report = {
        "obligation_id": obligations["semester_report"],
        "obligation_kind": "semester_report",
        "msp_id": msp,
        "period": "2027-S1",
        "submission_id": str(uuid.uuid4()),
    }
    funding = [{"source": "Plan International UK", "amount": 1000 * number, "currency": "idr"}]
    facts.append((ag.ReportSubmitted.kind, {**report, "funding": funding, "submitted_at": "2027-07-15T03:00:00Z"}))
    if rng.random() < 0.3:
        more = [*funding, {"source": "Plan  Internátional UK.", "amount": "12.5", "use": "x"}][rng.randint(0, 1) :]
        facts.append((ag.ReportSubmitted.kind, {**report, "funding": more, "submitted_at": "2027-07-16T03:00:00Z"}))
    facts.append(
        (
            rng.choice([ag.ReportAccepted.kind, ag.ReportReturned.kind, ag.ReportOverdue.kind]),
            {**report, "decided_at": "2027-08-01T03:00:00Z"},
        )
    )
    visit = {
        "visit_id": str(uuid.uuid4()),
        "msp_id": msp,
        "organization": organization,
        "arrives_on": "2026-03-01",
        "departs_on": "2026-03-09",
        "region_codes": ["3374", "5171", "3301"],
        **({"province_codes": ["51", "34"], "ministry": ministry, "late": True} if number % 2 else {}),
    }
    facts.append((ag.VisitAnnounced.kind, visit))
    changes = [ag.VisitUpdated.kind, ag.VisitUpdated.kind, ag.VisitCancelled.kind]
    for change in rng.sample(changes, rng.randint(0, 3)):
        facts.append((change, {**visit, "departs_on": rng.choice(["2026-03-10", "2026-03-12"])}))
    action = {
        "action_id": str(uuid.uuid4()),
        "msp_id": msp,
        "organization": organization,
        "ministry": ministry,
        "description": "Fix the books",
        "owner": "ngo",
        "due_on": "2026-09-30",
    }
    facts.append((ag.MitigationActionOpened.kind, {**action, "opened_at": "2026-04-01T20:00:00Z"}))
    for _ in range(rng.randint(0, 3)):
        changed = {"status": rng.choice(["in_progress", "done", "cancelled"]), "owner": rng.choice(["ngo", "tpoa"])}
        at = f"2026-05-0{rng.randint(1, 9)}T18:00:00Z"
        facts.append((ag.MitigationActionStatusChanged.kind, {**action, **changed, "changed_at": at}))
    document = {
        "id": str(uuid.uuid4()),
        "filename": "msp.pdf",
        "content_type": "application/pdf",
        "size": 1,
        "sha256": "0",
    }
    facts.append(
        (
            ag.DocumentPublished.kind,
            {
                "document": document,
                "owner_type": "msp",
                "owner_id": msp,
                "msp_id": msp,
                "organization_id": org,
                "public_url": "https://example.org/msp.pdf",
                "published_at": "2026-02-01T00:00:00Z",
            },
        )
    )
    if rng.random() < 0.5:
        more = [{"obligation_id": str(uuid.uuid4()), "kind": "work_plan", "period": "2028", "due_on": "2028-01-31"}]
        extended = {"msp_id": msp, "organization": organization, "ministry": ministry, "ends_on": "2028-12-31"}
        facts.append((ag.MspExtended.kind, {**extended, "new_obligations": more}))
        facts.append(
            (
                ag.WorkPlanSubmitted.kind,
                {"obligation_id": more[0]["obligation_id"], "submitted_at": "2028-01-02T00:00:00Z"},
            )
        )
    else:
        closed = {
            "msp_id": msp,
            "terminated_on": "2027-09-30",
            "reason": "Done",
            "closed_obligation_ids": list(obligations.values()),
        }
        facts.append((ag.MspTerminated.kind, closed))
    return facts


def mixed_log(seed: int, ngos: int) -> list[Fact]:
    """The NGOs' stories interleaved at random, each partly out of order (a later event delivered first)."""
    rng = random.Random(seed)
    stories = [ngo_story(rng, number) for number in range(ngos)]
    for story in stories:
        for _ in range(len(story) // 3):
            i = rng.randrange(len(story) - 1)
            story[i], story[i + 1] = story[i + 1], story[i]
    log: list[Fact] = []
    while any(stories):
        story = rng.choice([story for story in stories if story])
        log.append(story.pop(0))
    # A long run of one type (as the benchmark's log) and a run of registrations with the NGOs' updates behind it.
    log.extend(ngo_story(rng, 1000 + n)[0] for n in range(300))
    return log


async def feed(pool: asyncpg.Pool, log: list[Fact]) -> None:
    """Consume the log as reporting's consumer does, in its order; an event no projection uses is only logged."""
    uow = UnitOfWork(pool, service="reporting")
    for number, (kind, data) in enumerate(log):
        event = ReceivedEvent(
            id=uuid.uuid4(),
            source=kind.source,
            type=kind.type,
            subject=str(uuid.uuid4()),
            time=START + timedelta(minutes=number),
            data=data,
        )
        async with uow.change(Context.for_system("reporting.consumer", START)) as tx:
            known = HANDLERS[kind]
            await known.apply(tx, event, known.model.model_validate(event.data))
            if number % 50 == 0:
                unknown = {"event_id": uuid.uuid4(), "event_type": "registry.organization.noted", "data": {}}
                await tx.conn.execute(
                    *EVENT_LOG.append_event(**unknown, source="/mitra/registry", subject="x", occurred_at=START)
                )


async def tables(pool: asyncpg.Pool) -> dict[str, list[str]]:
    """Every projection table as PostgreSQL prints its rows."""
    return {
        table: [row[0] for row in await pool.fetch(f"SELECT t::text FROM {table} t ORDER BY 1")]  # noqa: S608
        for table in PROJECTION_TABLES
    }


class Recorder:
    """A transaction's connection that keeps the statements a projector runs (and finds every row it asks for)."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.conn = self

    async def execute(self, sql: str, *args: Any) -> str:
        self.statements.append(sql)
        return "UPDATE 1"

    async def fetchval(self, sql: str, *args: Any) -> Any:
        self.statements.append(sql)
        return True


def tables_named(statements: list[str]) -> set[str]:
    text = "\n".join(re.sub(r"--[^\n]*", "", statement) for statement in statements)
    return {table for table in PROJECTION_TABLES if re.search(rf"\b{table}\b", text)}


def every_field() -> dict[str, Any]:
    """Data that every projector's slim model accepts: each reads its own fields."""
    ids = {name: str(uuid.uuid4()) for name in ("org", "msp", "obligation", "document")}
    at, day = "2026-02-01T10:00:00Z", "2026-02-01"
    organization = {"organization_id": ids["org"], "name": "NGO"}
    obligation = {"obligation_id": ids["obligation"], "kind": "work_plan", "due_on": day}
    document = {"id": ids["document"], "filename": "a.pdf", "content_type": "application/pdf", "size": 1, "sha256": "0"}
    names = ("permit_id", "assignment_id", "sanction_id", "submission_id", "visit_id", "action_id", "owner_id")
    return {
        **{name: str(uuid.uuid4()) for name in names},
        **dict.fromkeys(("registered_at", "changed_at", "imposed_at", "lifted_at", "submitted_at"), at),
        **dict.fromkeys(("decided_at", "published_at", "unpublished_at", "opened_at"), at),
        **dict.fromkeys(("issued_on", "valid_until", "starts_on", "ends_on", "ended_on", "revoked_on"), day),
        **dict.fromkeys(("signed_on", "terminated_on", "arrives_on", "departs_on", "due_on"), day),
        **dict.fromkeys(("legal_name", "permit_type", "number", "sanction_kind", "category", "reason", "title"), "x"),
        **dict.fromkeys(("description", "owner", "obligation_kind", "period"), "x"),
        "organization_id": ids["org"],
        "msp_id": ids["msp"],
        "obligation_id": ids["obligation"],
        "document_id": ids["document"],
        "country_of_origin": "GB",
        "nationality": "AU",
        "status": "done",
        "organization_status": "registered",
        "version": 2,
        "organization": organization,
        "ministry": {"name": "Kementerian", "code": "KEMENSOS"},
        "work_locations": [{"code": "3374", "kind": "regency", "name": "Semarang", "province_code": "33"}],
        "obligations": [obligation],
        "new_obligations": [obligation],
        "closed_obligation_ids": [ids["obligation"]],
        "funding": [{"source": "Donor", "amount": 1}],
        "region_codes": ["3374"],
        "document": document,
        "owner_type": "msp",
        "public_url": "https://example.org/a.pdf",
    }


async def test_each_projector_touches_only_the_tables_the_bulk_replay_knows() -> None:
    """A family's events touch its tables alone, and any other event only the tables `TOUCHES` names: what lets
    the bulk replay apply a family's events later than the others between them."""
    data = every_field()
    assert set(FAMILY_OF) | set(TOUCHES) == {kind.type for kind in PROJECTORS}
    assert not set(FAMILY_OF) & set(TOUCHES)
    for kind, projector in PROJECTORS.items():
        recorder = Recorder()
        event = ReceivedEvent(id=uuid.uuid4(), source=kind.source, type=kind.type, subject="s", time=START, data=data)
        await projector.apply(recorder, event, projector.model.model_validate(data))  # type: ignore[arg-type]
        families = FAMILY_OF.get(kind.type)
        allowed = frozenset().union(*(family.tables for family in families)) if families else TOUCHES[kind.type]
        assert recorder.statements, kind
        assert tables_named(recorder.statements) <= allowed, kind


@pytest.mark.parametrize("seed", [1, 2])
async def test_the_bulk_replay_gives_what_the_per_event_replay_gave(pool: asyncpg.Pool, seed: int) -> None:
    log = mixed_log(seed, ngos=40)
    await feed(pool, log)
    live = await tables(pool)
    assert len(live["organizations"]) == 340
    assert all(live.values()), [table for table, rows in live.items() if not rows]

    uow = UnitOfWork(pool, service="reporting")
    ctx = Context.for_system("reporting.rebuild", START)
    one_by_one = await rebuild(uow, ctx, bulk=False)
    assert await tables(pool) == live
    for flush_at in (1, 2, 7, 20_000):
        await pool.execute("UPDATE organizations SET status = 'closed'")
        report = await rebuild(uow, ctx, flush_at=flush_at)
        assert (report.events, report.applied, report.not_projected) == (
            one_by_one.events,
            one_by_one.applied,
            one_by_one.not_projected,
        )
        assert report.not_projected == len(range(0, len(log), 50))
        assert await tables(pool) == live, flush_at
