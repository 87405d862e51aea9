"""People's accounts as recipients, the links of inbox entries, the texts of the work loop's steps, and the console's
account events: the pure rules, no I/O."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from mitra_console.domain.accounts import Account, created_event, updated_event
from mitra_notifications.domain import step_texts
from mitra_notifications.domain.accounts import AccountRecipient, AccountState, recipient_of
from mitra_notifications.domain.inbox_links import link_of, routing_key_of
from mitra_shared.contracts import console

PLAN = uuid.UUID("6f1c2d3e-0000-4000-8000-00000000abcd")


def _state(role: str, **scope: Any) -> AccountState:
    values: dict[str, Any] = {"ministry_code": None, "region_code": None, "organization_id": None, **scope}
    return AccountState(uuid.uuid4(), "Siti Rahma", "siti@example.go.id", role, active=True, version=1, **values)


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (_state("tpoa"), AccountRecipient("tpoa")),
        (_state("ministry", ministry_code="KEMENSOS"), AccountRecipient("ministry", partner_code="KEMENSOS")),
        (_state("region", region_code="33"), AccountRecipient("province", region_code="33")),
        (
            _state("region", region_code="3374"),
            AccountRecipient("regency", region_code="3374", parent_region_code="33"),
        ),
        (_state("ngo", organization_id=PLAN), AccountRecipient("ngo", organization_id=PLAN)),
        (_state("auditor"), AccountRecipient("account")),
        (_state("admin"), AccountRecipient("account")),
        (_state("ministry"), AccountRecipient("account")),  # a scope the role needs is missing: no audience
        (_state("a_role_added_later"), AccountRecipient("account")),
    ],
)
def test_an_account_is_the_recipient_its_role_and_scope_make_it(
    state: AccountState, expected: AccountRecipient
) -> None:
    assert recipient_of(state) == expected


def test_an_inbox_entry_links_to_the_object_of_its_event() -> None:
    obligation, msp = uuid.uuid4(), uuid.uuid4()
    payload = {
        "subject": str(obligation),
        "data": {"obligation_id": str(obligation), "msp_id": str(msp), "organization_id": str(PLAN)},
    }
    link = link_of("id.go.mitra.agreements.report.returned.v1", payload)
    assert link.routing_key == "agreements.report.returned"
    assert (link.object_type, link.object_id, link.msp_id, link.organization_id) == (
        "obligation",
        str(obligation),
        msp,
        PLAN,
    )
    approved = link_of(
        "id.go.mitra.agreements.msp.approved.v1",
        {"subject": str(msp), "data": {"msp_id": str(msp), "organization": {"organization_id": str(PLAN)}}},
    )
    assert (approved.object_type, approved.object_id, approved.msp_id, approved.organization_id) == (
        "msp",
        str(msp),
        msp,
        PLAN,
    )
    # An event of an aggregate it does not know, or without a stored event: the subject, or nothing.
    assert link_of("id.go.mitra.reporting.story.published.v2", {"subject": "s-1", "data": {}}).object_id == "s-1"
    assert link_of("id.go.mitra.registry.permit.expired.v1", None).object_id is None
    assert routing_key_of("id.go.mitra.registry.permit.expired.v1") == "registry.permit.expired"


def test_a_returned_report_carries_the_reviewers_comments_in_both_languages() -> None:
    facts = step_texts.SubmissionFacts(
        kind="semester_report",
        organization_name="Plan International",
        period="2027-S1",
        attempt=1,
        comments="Lampirkan rincian dana per kabupaten.",
    )
    indonesian = step_texts.submission(facts, "returned", "id")
    assert indonesian.subject == "Dikembalikan dengan catatan: laporan semester 2027-S1 dari Plan International"
    assert "Catatan peninjau: Lampirkan rincian dana per kabupaten." in indonesian.text
    english = step_texts.submission(facts, "returned", "en")
    assert english.subject == "Returned with comments: Plan International's semester report 2027-S1"
    assert "Reviewer's comments: Lampirkan rincian dana per kabupaten." in english.text
    assert "Lampirkan rincian dana per kabupaten." in english.html


def test_a_submitted_work_plan_names_its_region_and_asks_for_a_review() -> None:
    facts = step_texts.SubmissionFacts(
        kind="work_plan",
        organization_name="Plan International",
        period="2027",
        attempt=2,
        region_code="3374",
        late=True,
    )
    message = step_texts.submission(facts, "submitted", "id")
    assert message.subject == "Diajukan: Rencana Kerja Tahunan (RKT) 2027 (3374) dari Plan International"
    assert "pengajuan ke-2" in message.text
    assert "diajukan setelah tanggal jatuh tempo" in message.text
    assert "Catatan peninjau" not in message.text


@pytest.mark.parametrize("language", ["id", "en"])
def test_msp_and_recommendation_steps_have_texts(language: str) -> None:
    msp = step_texts.MspStepFacts("Perlindungan anak", "Plan International", "Kementerian Sosial", note="Lokasi kurang")
    rejected = step_texts.msp_step(msp, "rejected", language)  # type: ignore[arg-type]
    assert "Plan International – Kementerian Sosial" in rejected.subject
    assert "Lokasi kurang" in rejected.text
    decided = step_texts.RecommendationFacts(
        "visa", "Plan International", "Kementerian Sosial", expert_name="Jane Doe", granted=True, reference_number="R-1"
    )
    issued = step_texts.recommendation(decided, True, language)  # type: ignore[arg-type]
    assert "Jane Doe" in issued.subject
    assert "R-1" in issued.text
    assert ("diberikan" if language == "id" else "granted") in issued.subject


def _account(**changes: Any) -> Account:
    now = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "username": "siti.rahma",
        "display_name": "Siti Rahma",
        "email": "siti@plan.example",
        "role": "ngo",
        "organization_id": PLAN,
        "active": True,
        "password_changed_at": now,
        "version": 1,
        "created_at": now,
        "created_by": "admin",
        "updated_at": now,
        "updated_by": "admin",
    }
    return Account.model_validate({**values, **changes})


def test_the_consoles_account_events_carry_the_facts_and_no_password() -> None:
    account = _account()
    created = created_event(account)
    assert isinstance(created, console.AccountCreated)
    assert (created.account_id, created.organization_id, created.version) == (account.id, PLAN, 1)
    assert "password" not in created.model_dump_json()
    updated = updated_event(_account(active=False, version=2), {"active": False})
    assert updated is not None
    assert (updated.active, updated.version, updated.changed_fields) == (False, 2, ["active"])
    assert updated_event(account, {}) is None, "a change of no fact (an unlock, a new password) publishes nothing"
    assert console.AccountUpdated.kind.routing_key == "console.account.updated"


@pytest.mark.parametrize("language", ["id", "en"])
def test_an_msp_decision_without_a_title_names_the_parties_not_an_id(language: str) -> None:
    # TPOA's approval and rejection events carry no title: the text must not quote a missing one.
    untitled = step_texts.MspStepFacts(None, "Plan International", "Kementerian Sosial")
    approved = step_texts.msp_step(untitled, "approved", language)  # type: ignore[arg-type]
    assert '""' not in approved.text
    assert "None" not in approved.text
    assert "MSP (Plan International – Kementerian Sosial)" in approved.text
    titled = step_texts.MspStepFacts("Perlindungan anak", "Plan International", "Kementerian Sosial")
    assert 'MSP "Perlindungan anak" (Plan International' in step_texts.msp_step(titled, "approved", language).text  # type: ignore[arg-type]
