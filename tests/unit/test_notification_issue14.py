"""Notifications for issue 14 without a database: the new audiences, the queue's bindings, and the texts of sanctions,
reviews, monitoring and mitigation in both languages."""

from __future__ import annotations

import re
import uuid
from datetime import date
from importlib import resources
from typing import Any

import pytest

from mitra_notifications.bootstrap import build_spec
from mitra_notifications.consumers import HANDLERS
from mitra_notifications.domain import monitoring_texts, review_texts, routing, sanction_texts
from mitra_notifications.settings import NotificationsSettings
from mitra_shared.service import ServiceRuntime

NGO, MINISTRY = uuid.uuid4(), uuid.uuid4()
NEW_KEYS = {
    "registry.organization.updated",
    "registry.sanction.imposed",
    "registry.sanction.lifted",
    "registry.permit.revoked",
    "registry.application.review_requested",
    "registry.application.review_answered",
    "agreements.msp.review_requested",
    "agreements.msp.review_answered",
    "agreements.msp.extension_requested",
    "agreements.msp.extension_rejected",
    "agreements.action_plan.accepted",
    "agreements.action_plan.returned",
    "agreements.submission.commented",
    "agreements.msp.terminated",
    "agreements.monitoring_visit.recorded",
    "agreements.mitigation_action.opened",
    "agreements.mitigation_action.status_changed",
    "agreements.mitigation_action.due",
    "agreements.mitigation_action.overdue",
    "reporting.story.published",
}


def action_facts(**overrides: object) -> monitoring_texts.ActionFacts:
    """A mitigation action of Plan International's MSP with Kementerian Sosial, due 31 May 2027, owned by the NGO."""
    fields: dict[str, Any] = {
        "organization_name": "Plan International",
        "ministry_name": "Kementerian Sosial",
        "description": "Perbaiki pelaporan dana",
        "owner": "ngo",
        "due_on": date(2027, 5, 31),
    }
    return monitoring_texts.ActionFacts(**(fields | overrides))


@pytest.mark.parametrize(
    ("audience", "facts", "expected"),
    [
        (
            "review_members",
            routing.EventFacts(member_codes=("KEMENDAGRI", "BIN")),
            routing.OfMinistryCodes(("KEMENDAGRI", "BIN")),
        ),
        ("review_members", routing.EventFacts(organization_id=NGO), None),
        ("action_owner", routing.EventFacts(organization_id=NGO, owner="ngo"), routing.OfOrganization(NGO)),
        (
            "action_owner",
            routing.EventFacts(
                organization_id=NGO, ministry_partner_id=MINISTRY, ministry_code="KEMENSOS", owner="ministry"
            ),
            routing.OfMinistry(MINISTRY, "KEMENSOS"),
        ),
        ("action_owner", routing.EventFacts(owner="region", owner_region_code="3374"), routing.OfRegions(("3374",))),
        ("action_owner", routing.EventFacts(owner="region"), None),
        ("action_owner", routing.EventFacts(organization_id=NGO), None),
    ],
)
def test_the_new_audiences_stand_for_the_members_named_and_the_actions_owner(
    audience: str, facts: routing.EventFacts, expected: routing.Lookup | None
) -> None:
    assert routing.audience_lookup(audience, facts) == expected


def test_the_queue_is_bound_to_every_new_routing_key_and_every_default_rule_names_a_consumed_one() -> None:
    runtime = ServiceRuntime(build_spec(NotificationsSettings(environment="test")))
    bound = set(runtime.consumer_topology.routing_keys)
    assert NEW_KEYS - bound == set()
    migrations = resources.files("mitra_notifications") / "sql" / "migrations"
    ruled = set()
    for migration in migrations.iterdir():
        if migration.name.endswith(".sql"):
            ruled |= set(re.findall(r"'((?:registry|agreements|reporting)\.[a-z_]+\.[a-z_]+)'", migration.read_text()))
    assert ruled - bound == set()
    assert len(HANDLERS) == len(bound)


def test_a_freeze_names_the_breach_its_end_and_what_it_stops_in_both_languages() -> None:
    facts = sanction_texts.SanctionFacts(
        organization_name="Plan International",
        sanction_kind="freeze",
        category="proselytising",
        reason="Laporan masyarakat",
        organization_status="suspended",
        starts_on=date(2027, 2, 1),
        ends_on=date(2027, 8, 1),
    )
    indonesian = sanction_texts.sanction_imposed(facts, "id")
    assert indonesian.subject == "Sanksi pembekuan kegiatan: Plan International"
    assert "Sanksi pembekuan kegiatan dijatuhkan kepada Plan International sejak 1 Februari 2027." in indonesian.text
    assert "Berlaku sampai: 1 Agustus 2027" in indonesian.text
    english = sanction_texts.sanction_imposed(facts, "en")
    assert "Breach: proselytising" in english.text
    assert "Status in the register: suspended" in english.text
    lifted = sanction_texts.sanction_lifted(facts, "en")
    assert lifted.subject == "Sanction (freeze) lifted: Plan International"


def test_a_review_answer_says_who_is_awaited_and_whether_tpoa_may_decide() -> None:
    what = review_texts.Reviewed("msp", "Plan International", title="Bencana", ministry_name="Kemensos")
    cleared = review_texts.Answer("BAPPENAS", "cleared", None, (), ())
    english = review_texts.review_answered(what, cleared, "en")
    assert (
        english.subject
        == 'Review answer from BAPPENAS (cleared): the draft MSP "Bencana" (Plan International – Kemensos)'
    )
    assert "Every member answered without objection: TPOA may decide." in english.text
    objected = review_texts.Answer("BIN", "objected", "Risiko keamanan", ("POLRI",), ("BIN",))
    indonesian = review_texts.review_answered(what, objected, "id")
    assert "BIN menyatakan keberatan atas rancangan MSP" in indonesian.text
    assert "Belum menjawab: POLRI" in indonesian.text
    assert "objected to" in review_texts.review_answered(what, objected, "en").text


def test_a_mitigation_action_names_its_owner_and_due_date() -> None:
    facts = action_facts(owner="region", owner_region_code="33", days_overdue=2)
    indonesian = monitoring_texts.mitigation_action(facts, "overdue", "id")
    assert indonesian.subject == "Tindakan mitigasi terlambat 2 hari: Plan International"
    assert "Penanggung jawab: Pemerintah daerah 33" in indonesian.text
    assert "Batas waktu: 31 Mei 2027" in indonesian.text
    english = monitoring_texts.mitigation_action(facts, "overdue", "en")
    assert "Owner: The regional government 33" not in english.text
    assert "Owner: the regional government 33" in english.text


@pytest.mark.parametrize(
    ("days_left", "english", "indonesian"),
    [
        (1, "Mitigation action due in 1 day", "Tindakan mitigasi jatuh tempo dalam 1 hari"),
        (7, "Mitigation action due in 7 days", "Tindakan mitigasi jatuh tempo dalam 7 hari"),
        (0, "Mitigation action due today", "Tindakan mitigasi jatuh tempo hari ini"),
    ],
)
def test_a_due_action_says_the_days_it_has_left_one_day_in_the_singular(
    days_left: int, english: str, indonesian: str
) -> None:
    facts = action_facts(days_left=days_left)
    assert monitoring_texts.mitigation_action(facts, "due", "en").subject == f"{english}: Plan International"
    assert monitoring_texts.mitigation_action(facts, "due", "id").subject == f"{indonesian}: Plan International"


def test_one_day_overdue_is_singular_in_english() -> None:
    facts = action_facts(days_overdue=1)
    assert monitoring_texts.mitigation_action(facts, "overdue", "en").subject.startswith(
        "Mitigation action 1 day overdue"
    )


def test_the_days_left_come_from_the_event_else_from_the_day_it_was_sent() -> None:
    assert monitoring_texts.days_left(date(2027, 5, 31), 3, date(2027, 5, 20)) == 3
    assert monitoring_texts.days_left(date(2027, 5, 31), None, date(2027, 5, 30)) == 1
    assert monitoring_texts.days_left(date(2027, 5, 31), None, date(2027, 5, 24)) == 7
