"""Notifications' rules without a database: whom an event reaches, on which channels, and what an attempt means."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from mitra_notifications.domain import deliveries, recipients, routing
from mitra_notifications.domain.digest import digest_day
from mitra_shared.errors import RuleBroken

NGO, MINISTRY = uuid.uuid4(), uuid.uuid4()
NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)


def _candidate(**overrides: object) -> routing.Candidate:
    fields: dict[str, object] = {
        "id": uuid.uuid4(),
        "language": "id",
        "email": "kesbangpol@pemda.example",
        "webhook_url": "https://pemda.example/hook",
        "webhook_disabled_at": None,
        "digest": False,
    }
    fields.update(overrides)
    return routing.Candidate(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("audience", "facts", "expected"),
    [
        ("tpoa", routing.EventFacts(), routing.ByRole("tpoa")),
        ("ministries", routing.EventFacts(), routing.ByRole("ministry")),
        (
            "mitra_utama",
            routing.EventFacts(organization_id=NGO, ministry_partner_id=MINISTRY),
            routing.OfMinistry(MINISTRY, None),
        ),
        ("mitra_utama", routing.EventFacts(organization_id=NGO), routing.OfOrganizationMinistries(NGO)),
        ("regions_visited", routing.EventFacts(region_codes=("3374", "33")), routing.OfRegions(("3374", "33"))),
        ("regions_of_work", routing.EventFacts(organization_id=NGO), None),
        ("ngo", routing.EventFacts(organization_id=NGO), routing.OfOrganization(NGO)),
        ("ngo", routing.EventFacts(), None),
    ],
)
def test_an_audience_stands_for_a_role_or_for_the_events_facts(
    audience: str, facts: routing.EventFacts, expected: routing.Lookup | None
) -> None:
    assert routing.audience_lookup(audience, facts) == expected


def test_a_regency_brings_its_province_along_once() -> None:
    assert routing.with_provinces(["3374", "3471"], ["33"]) == ("3374", "3471", "33", "34")


def test_a_recipient_picked_twice_is_notified_once_per_channel_it_has() -> None:
    city = _candidate()
    no_mail = _candidate(email=None, webhook_disabled_at=NOW)  # its endpoint answered 410
    digest = _candidate(digest=True, webhook_url=None)
    planned = routing.plan(
        [
            (city, ["email"]),
            (city, ["inbox", "webhook", "email"]),
            (no_mail, ["email", "webhook", "inbox"]),
            (digest, ["email", "webhook"]),
        ]
    )
    assert [(p.recipient.id, p.channel, p.address, p.status) for p in planned] == [
        (city.id, "inbox", "inbox", "delivered"),
        (city.id, "email", "kesbangpol@pemda.example", "pending"),
        (city.id, "webhook", "https://pemda.example/hook", "pending"),
        (no_mail.id, "inbox", "inbox", "delivered"),
        (digest.id, "email", "kesbangpol@pemda.example", "held"),
    ]


def test_an_attempt_is_retried_within_the_period_then_given_up() -> None:
    created = NOW - timedelta(hours=1)
    period = timedelta(hours=48)
    assert deliveries.judge(None, created_at=created, now=NOW, give_up_after=period).outcome == "delivered"
    assert deliveries.judge(OSError("refused"), created_at=created, now=NOW, give_up_after=period).outcome == "retry"
    late = deliveries.judge(OSError("refused"), created_at=NOW - period, now=NOW, give_up_after=period)
    assert late == deliveries.Verdict("failed", disable_webhook=False)
    gone = deliveries.judge(deliveries.WebhookGone("410"), created_at=created, now=NOW, give_up_after=period)
    assert gone == deliveries.Verdict("failed", disable_webhook=True)


def test_the_message_id_is_the_notifications_own() -> None:
    notification_id = str(uuid.uuid4())
    assert deliveries.message_id(notification_id, "kemlu.go.id") == f"<{notification_id}@kemlu.go.id>"


def test_digests_are_due_from_the_send_hour_in_jakarta() -> None:
    assert digest_day(datetime(2026, 11, 23, 23, 59, tzinfo=UTC), send_hour=7) is None  # 06:59 WIB
    assert str(digest_day(datetime(2026, 11, 24, 0, 0, tzinfo=UTC), send_hour=7)) == "2026-11-24"  # 07:00 WIB


def test_a_recipient_needs_an_address_and_subscriptions_name_routing_keys() -> None:
    with pytest.raises(RuleBroken) as no_address:
        recipients.require_an_address(None, None)
    assert no_address.value.field == "body.email"
    with pytest.raises(RuleBroken) as bad_key:
        recipients.check_routing_keys(["registry.organization.registered", "Registry.Organization"])
    assert bad_key.value.field == "body.routing_keys.1"


def test_a_partner_contacts_bad_webhook_is_left_out_not_fatal() -> None:
    assert recipients.contact_webhook("https://tpoa.example.go.id/hook").url == "https://tpoa.example.go.id/hook"
    refused = recipients.contact_webhook("ftp://tpoa.example.go.id/hook")
    assert refused.url is None
    assert refused.refused is not None
    assert "http" in refused.refused
    assert recipients.is_stale(known_version=3, version=2)
    assert not recipients.is_stale(known_version=None, version=1)


def test_a_recipients_audit_values_never_carry_its_webhook_secret() -> None:
    row = {"id": NGO, "name": "Kesbangpol", "webhook_url": "https://pemda.example/hook", "webhook_secret": "whsec_x"}
    assert recipients.audit_values(row) == {
        "id": NGO,
        "name": "Kesbangpol",
        "webhook_url": "https://pemda.example/hook",
    }
    assert recipients.audit_values(None) is None
    assert "webhook_secret" not in recipients.AUDITED_FIELDS
