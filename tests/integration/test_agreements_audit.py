"""Agreements' audit trail against the real PostgreSQL: every change made on a person's behalf records its entry in
the outbox with the change (`audit.agreements.recorded`): the action, the actor (subject, name, role, scope), the
object, the values before and after, the request; a refused change records nothing.

Registry's facts are applied with agreements' own handlers, as its consumer does (as system: no entry).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from support.agreements_world import AGREEMENTS, foreign_staff_assigned, learn, learn_the_register
from support.app import api_client
from support.clock import FakeClock
from support.database import migrated_pool
from support.tokens import auth_headers

from mitra_agreements.bootstrap import build_spec
from mitra_agreements.domain.policy import Policy
from mitra_agreements.settings import AgreementsSettings
from mitra_agreements.usecases import msps, obligations, recommendations, reviews, visits
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
from mitra_shared.context import Context, Principal
from mitra_shared.contracts.audit import AuditRecorded
from mitra_shared.documents import DOCUMENTS_MIGRATIONS, LocalDirectoryStore
from mitra_shared.errors import Forbidden
from mitra_shared.uow import UnitOfWork

pytestmark = pytest.mark.integration

POLICY = Policy()
AUDIT = "audit.agreements.recorded"
MSP_STEPS = ["msp.drafted", "msp.submitted", "msp.approved", "msp.signed"]


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(database, [DOCUMENTS_MIGRATIONS, AGREEMENTS]) as ready:
        yield ready


@pytest.fixture
def uow(pool: asyncpg.Pool) -> UnitOfWork:
    return UnitOfWork(pool, "agreements")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(date(2027, 1, 5))


def ctx(clock: FakeClock, role: str, **scope: object) -> Context:
    principal = Principal(
        f"{role}-1",
        roles=(role,),
        name=f"{role.title()} One",
        scope={claim: str(value) for claim, value in scope.items()},
    )
    return Context(principal=principal, now=clock(), request_id=f"req-{role}")


def ngo(clock: FakeClock, organization_id: uuid.UUID) -> Context:
    return ctx(clock, "ngo", organization_id=organization_id)


def ministry(clock: FakeClock) -> Context:
    return ctx(clock, "ministry", ministry_code="KEMENSOS")


def tpoa(clock: FakeClock) -> Context:
    return ctx(clock, "tpoa")


async def seed(pool: asyncpg.Pool) -> uuid.UUID:
    """An active NGO with a principle permit until 2029, KEMENSOS, Jawa Tengah and Semarang; the NGO's id."""
    organization_id = uuid.uuid4()
    await learn_the_register(pool, organization_id)
    return organization_id


def draft_command(organization_id: uuid.UUID, **overrides: Any) -> DraftMsp:
    fields: dict[str, Any] = {
        "organization_id": organization_id,
        "ministry_partner_id": uuid.uuid5(uuid.NAMESPACE_URL, "partner/KEMENSOS"),
        "title": "Perlindungan anak",
        "work_location_codes": ["3374"],
        "starts_on": date(2027, 2, 1),  # after the signing: signed, not yet active
        "ends_on": date(2029, 6, 30),
    }
    return DraftMsp.model_validate(fields | overrides)


SIGN = SignMsp.model_validate(
    {"number": "MSP/1/2027", "signatories": [{"name": "Dra. Sri", "title": "Director General", "party": "ministry"}]}
)


async def signed_msp(uow: UnitOfWork, clock: FakeClock, organization_id: uuid.UUID) -> uuid.UUID:
    msp = await msps.draft_msp(uow, ngo(clock, organization_id), draft_command(organization_id))
    await msps.submit_msp(uow, ngo(clock, organization_id), msp.id, policy=POLICY)
    await msps.approve_msp(uow, tpoa(clock), msp.id, Decide(note="TPOA 4 Jan"))
    await msps.sign_msp(uow, ministry(clock), msp.id, SIGN, policy=POLICY)
    return msp.id


async def entries(pool: asyncpg.Pool, object_type: str | None = None) -> list[dict[str, Any]]:
    """The audit entries in the outbox, oldest first (of one type of object if given), each with its envelope's
    subject and correlation id under `_subject` and `_correlationid`."""
    rows = await pool.fetch("SELECT routing_key, body FROM outbox WHERE routing_key LIKE 'audit.%' ORDER BY seq")
    found = []
    for row in rows:
        body = json.loads(row["body"])
        data = AuditRecorded.model_validate(body["data"]).model_dump(mode="json")  # the wire leaves out nulls
        entry = data | {"_routing_key": row["routing_key"], "_subject": body["subject"]}
        if object_type is None or entry["object_type"] == object_type:
            found.append(entry | {"_correlationid": body.get("correlationid")})
    return found


def status_of(values: dict[str, Any] | None) -> str | None:
    return None if values is None else values["status"]


# --- MSPs ---------------------------------------------------------------------------------------------------------


async def test_each_step_of_an_msp_records_its_actor_and_the_values_before_and_after(
    pool: asyncpg.Pool, clock: FakeClock, uow: UnitOfWork
) -> None:
    organization_id = await seed(pool)
    msp_id = await signed_msp(uow, clock, organization_id)

    steps = await entries(pool, "msp")
    assert [e["action"] for e in steps] == MSP_STEPS
    assert [(status_of(e["before"]), status_of(e["after"])) for e in steps] == [
        (None, "draft"),
        ("draft", "submitted"),
        ("submitted", "approved"),
        ("approved", "signed"),
    ]
    assert [e["actor"] for e in steps] == [
        {"subject": "ngo-1", "name": "Ngo One", "role": "ngo", "scope": {"organization_id": str(organization_id)}},
        {"subject": "ngo-1", "name": "Ngo One", "role": "ngo", "scope": {"organization_id": str(organization_id)}},
        {"subject": "tpoa-1", "name": "Tpoa One", "role": "tpoa", "scope": {}},
        {"subject": "ministry-1", "name": "Ministry One", "role": "ministry", "scope": {"ministry_code": "KEMENSOS"}},
    ]
    assert [e["request_id"] for e in steps] == ["req-ngo", "req-ngo", "req-tpoa", "req-ministry"]
    assert {e["_correlationid"] for e in steps} == {"req-ngo", "req-tpoa", "req-ministry"}
    assert {(e["object_id"], e["_subject"], e["service"], e["_routing_key"]) for e in steps} == {
        (str(msp_id), str(msp_id), "agreements", AUDIT)
    }
    assert {datetime.fromisoformat(e["at"]) for e in steps} == {clock()}

    drafted, submitted, approved, signed = steps
    assert drafted["after"]["id"] == str(msp_id)
    assert drafted["after"]["work_locations"][0]["code"] == "3374"
    assert drafted["after"] == submitted["before"]
    assert (approved["before"]["decision_note"], approved["after"]["decision_note"]) == (None, "TPOA 4 Jan")
    assert (signed["before"]["number"], signed["after"]["number"]) == (None, "MSP/1/2027")
    assert (signed["before"]["version"] + 1, signed["after"]["signed_on"]) == (signed["after"]["version"], "2027-01-05")

    # Signing creates the obligations: an entry each, by the ministry.
    created = await entries(pool, "obligation")
    assert created
    assert {(e["action"], e["before"] is None, status_of(e["after"])) for e in created} == {
        ("obligation.created", True, "pending")
    }
    assert {e["after"]["msp_id"] for e in created} == {str(msp_id)}
    assert {e["actor"]["role"] for e in created} == {"ministry"}
    obligations_of = {str(o.id) for o in await msps.obligations_of(uow, tpoa(clock), msp_id)}
    assert {e["object_id"] for e in created} == obligations_of


async def test_a_rejection_records_the_reason_and_a_refused_change_records_nothing(
    pool: asyncpg.Pool, clock: FakeClock, uow: UnitOfWork
) -> None:
    organization_id = await seed(pool)
    msp = await msps.draft_msp(uow, ngo(clock, organization_id), draft_command(organization_id))
    await msps.submit_msp(uow, ngo(clock, organization_id), msp.id, policy=POLICY)
    before = await entries(pool)
    with pytest.raises(Forbidden):  # the ministry does not review
        await msps.reject_msp(uow, ministry(clock), msp.id, Reject(reason="Overlaps"))
    assert await entries(pool) == before

    await msps.reject_msp(uow, tpoa(clock), msp.id, Reject(reason="Scope overlaps an existing MSP"))
    rejected = (await entries(pool, "msp"))[-1]
    assert (rejected["action"], rejected["actor"]["subject"]) == ("msp.rejected", "tpoa-1")
    assert (status_of(rejected["before"]), status_of(rejected["after"])) == ("submitted", "rejected")
    assert rejected["after"]["decision_note"] == "Scope overlaps an existing MSP"


async def test_extension_and_termination_record_the_msp_and_the_obligations_they_close_and_create(
    pool: asyncpg.Pool, clock: FakeClock, uow: UnitOfWork
) -> None:
    organization_id = await seed(pool)
    msp_id = await signed_msp(uow, clock, organization_id)
    known = {e["object_id"] for e in await entries(pool, "obligation")}

    await reviews.request_extension(
        uow, ministry(clock), msp_id, ExtendMsp(ends_on=date(2029, 12, 31), reason="TPOA agreed"), policy=POLICY
    )
    requested = (await entries(pool, "msp"))[-1]
    assert (requested["action"], requested["actor"]["role"]) == ("msp.extension_requested", "ministry")
    assert requested["after"]["pending_extension"]["proposed_ends_on"] == "2029-12-31"
    await reviews.approve_extension(uow, tpoa(clock), msp_id, Decide(note=None), policy=POLICY)
    extended = (await entries(pool, "msp"))[-1]
    assert (extended["action"], extended["actor"]["role"]) == ("msp.extended", "tpoa")
    assert (extended["before"]["ends_on"], extended["after"]["ends_on"]) == ("2029-06-30", "2029-12-31")
    assert (status_of(extended["before"]), status_of(extended["after"])) == ("signed", "extended")
    changes = [e for e in await entries(pool, "obligation") if e["object_id"] not in known or e["before"]]
    assert [(e["action"], status_of(e["before"]), status_of(e["after"])) for e in changes] == [
        ("obligation.closed", "pending", "closed"),
        ("obligation.created", None, "pending"),
        ("obligation.created", None, "pending"),
    ]
    assert (changes[0]["after"]["kind"], changes[0]["after"]["period"]) == ("extension_decision", "2029-06-30")

    open_before = [o for o in await msps.obligations_of(uow, tpoa(clock), msp_id) if o.status == "pending"]
    await msps.terminate_msp(uow, ministry(clock), msp_id, TerminateMsp(reason="Permit revoked"))
    terminated = (await entries(pool, "msp"))[-1]
    assert (terminated["action"], status_of(terminated["before"]), status_of(terminated["after"])) == (
        "msp.terminated",
        "extended",
        "terminated",
    )
    assert (terminated["before"]["termination_reason"], terminated["after"]["termination_reason"]) == (
        None,
        "Permit revoked",
    )
    closed = [e for e in await entries(pool, "obligation") if e["request_id"] == "req-ministry"][-len(open_before) :]
    assert {(e["action"], status_of(e["before"]), status_of(e["after"])) for e in closed} == {
        ("obligation.closed", "pending", "closed")
    }
    assert {e["object_id"] for e in closed} == {str(o.id) for o in open_before}
    # The engine owes none of them a look any more (closed, they are out of its calendar too).
    assert {e["after"]["next_check_on"] for e in closed} == {None}


# --- submissions ----------------------------------------------------------------------------------------------------


async def test_a_submission_and_its_decisions_record_the_submission_and_the_obligations_status(
    pool: asyncpg.Pool, clock: FakeClock, uow: UnitOfWork
) -> None:
    organization_id = await seed(pool)
    msp_id = await signed_msp(uow, clock, organization_id)
    [report] = [o for o in await msps.obligations_of(uow, tpoa(clock), msp_id) if o.period == "2027-S1"]
    command = SubmitObligation(summary="Semester I", document_ref="dms://r1.pdf")
    clock.set(date(2027, 7, 20))
    first = await obligations.submit_obligation(uow, ngo(clock, organization_id), report.id, command)
    await obligations.decide_submission(uow, ministry(clock), first.id, DecideSubmission(comments="More"), accept=False)
    second = await obligations.submit_obligation(uow, ngo(clock, organization_id), report.id, command)
    await obligations.decide_submission(uow, ministry(clock), second.id, DecideSubmission(), accept=True)

    submissions = await entries(pool, "submission")
    assert [(e["action"], e["object_id"], e["actor"]["role"]) for e in submissions] == [
        ("submission.submitted", str(first.id), "ngo"),
        ("submission.returned", str(first.id), "ministry"),
        ("submission.submitted", str(second.id), "ngo"),
        ("submission.accepted", str(second.id), "ministry"),
    ]
    assert [(status_of(e["before"]), status_of(e["after"])) for e in submissions] == [
        (None, "submitted"),
        ("submitted", "returned"),
        (None, "submitted"),
        ("submitted", "accepted"),
    ]
    assert submissions[0]["after"]["summary"] == "Semester I"
    assert (submissions[1]["after"]["comments"], submissions[1]["after"]["decided_by"]) == ("More", "ministry-1")

    of_report = [e for e in await entries(pool, "obligation") if e["object_id"] == str(report.id)]
    assert [(e["action"], status_of(e["before"]), status_of(e["after"])) for e in of_report] == [
        ("obligation.created", None, "pending"),
        ("obligation.submitted", "pending", "submitted"),
        ("obligation.returned", "submitted", "returned"),
        ("obligation.submitted", "returned", "submitted"),
        ("obligation.accepted", "submitted", "accepted"),
    ]
    assert of_report[2]["after"]["next_check_on"] == "2027-07-20"


# --- visits and recommendations -------------------------------------------------------------------------------------


async def test_a_visit_records_its_announcement_change_and_cancellation(
    pool: asyncpg.Pool, clock: FakeClock, uow: UnitOfWork
) -> None:
    organization_id = await seed(pool)
    msp_id = await signed_msp(uow, clock, organization_id)
    clock.set(date(2027, 2, 2))  # the MSP is in force from 1 February
    announce = AnnounceVisit.model_validate(
        {
            "msp_id": msp_id,
            "visitors": [{"name": "John Smith", "nationality": "GB", "role": "Adviser"}],
            "purpose": "Monitoring",
            "arrives_on": "2027-03-01",
            "departs_on": "2027-03-04",
            "region_codes": ["3374"],
        }
    )
    the_ngo = ngo(clock, organization_id)
    visit = await visits.announce_visit(uow, the_ngo, announce, policy=POLICY)
    await visits.update_visit(uow, the_ngo, visit.id, UpdateVisit(departs_on=date(2027, 3, 5)), policy=POLICY)
    await visits.cancel_visit(uow, the_ngo, visit.id, CancelVisit(reason="Flight cancelled"))

    steps = await entries(pool, "visit")
    assert [(e["action"], e["object_id"], e["actor"]["subject"]) for e in steps] == [
        ("visit.announced", str(visit.id), "ngo-1"),
        ("visit.updated", str(visit.id), "ngo-1"),
        ("visit.cancelled", str(visit.id), "ngo-1"),
    ]
    announced, updated, cancelled = steps
    assert announced["before"] is None
    assert announced["after"]["visitors"] == [{"name": "John Smith", "nationality": "GB", "role": "Adviser"}]
    assert (updated["before"]["departs_on"], updated["after"]["departs_on"]) == ("2027-03-04", "2027-03-05")
    assert (status_of(cancelled["before"]), status_of(cancelled["after"])) == ("announced", "cancelled")
    assert cancelled["after"]["cancel_reason"] == "Flight cancelled"


async def test_a_recommendation_records_its_request_and_its_issue(
    pool: asyncpg.Pool, clock: FakeClock, uow: UnitOfWork, tmp_path: Path
) -> None:
    organization_id = await seed(pool)
    msp_id = await signed_msp(uow, clock, organization_id)
    clock.set(date(2027, 2, 2))
    expert = foreign_staff_assigned(organization_id, starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31))
    await learn(pool, expert)
    requested = await recommendations.request_recommendation(
        uow,
        ngo(clock, organization_id),
        RequestRecommendation(msp_id=msp_id, kind="visa", staff_assignment_id=expert.assignment_id, purpose="DRR"),
    )
    issued = await recommendations.issue_recommendation(
        uow,
        ministry(clock),
        requested.id,
        IssueRecommendation(granted=True, reference_number="B-1/REK"),
        store=LocalDirectoryStore(tmp_path),
    )
    request, issue = await entries(pool, "recommendation")
    assert (request["action"], request["actor"]["role"], request["before"]) == ("recommendation.requested", "ngo", None)
    assert (request["after"]["expert_name"], status_of(request["after"])) == ("Maria", "requested")
    assert (issue["action"], issue["actor"]["scope"]) == ("recommendation.issued", {"ministry_code": "KEMENSOS"})
    assert (status_of(issue["before"]), status_of(issue["after"])) == ("requested", "issued")
    assert (issue["before"]["reference_number"], issue["after"]["reference_number"]) == (None, "B-1/REK")
    assert issue["after"]["granted"] is True
    assert {e["object_id"] for e in (request, issue)} == {str(requested.id)}
    # The letter the decision made is recorded in the same change, by the same actor.
    [letter] = await entries(pool, "document")
    assert (letter["action"], letter["object_id"]) == ("document.attached", str(issued.documents[0].id))
    assert (letter["after"]["purpose"], letter["after"]["generated"]) == ("letter", True)
    assert (letter["after"]["owner_type"], letter["after"]["owner_id"]) == ("recommendation", str(requested.id))
    assert (letter["actor"], letter["_correlationid"]) == (issue["actor"], issue["_correlationid"])


# --- over HTTP ------------------------------------------------------------------------------------------------------


async def test_the_api_records_the_tokens_person_and_the_requests_id(
    pool: asyncpg.Pool, clock: FakeClock, tmp_path: Path
) -> None:
    organization_id = await seed(pool)
    spec = build_spec(AgreementsSettings(environment="test", documents_dir=tmp_path, tpoa_members=[]), clock=clock)
    caller = auth_headers(subject="acc-42", name="Siti Rahma", role="ngo", organization_id=organization_id) | {
        "X-Correlation-ID": "corr-http"
    }
    async with api_client(spec, pool, headers=caller) as client:
        response = await client.post("/msps", json=draft_command(organization_id).model_dump(mode="json"))
        assert response.status_code == 201, response.text
    [drafted] = await entries(pool, "msp")
    assert drafted["action"] == "msp.drafted"
    assert drafted["actor"] == {
        "subject": "acc-42",
        "name": "Siti Rahma",
        "role": "ngo",
        "scope": {"organization_id": str(organization_id)},
    }
    assert (drafted["request_id"], drafted["object_id"]) == ("corr-http", response.json()["id"])
    assert drafted["after"] == response.json()
