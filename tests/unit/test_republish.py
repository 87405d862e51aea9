"""`republish` and `queues` without a broker: the time it starts from, the keys, the envelope, the refusals."""

from __future__ import annotations

import io
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aio_pika.abc import DeliveryMode
from support.paths import REPO

from mitra_reporting.bootstrap import build_spec as reporting_spec
from mitra_shared import events as ev
from mitra_shared.cli import main
from mitra_shared.contracts.registry import OrganizationRegistered
from mitra_shared.inbox import ORIGINAL_ROUTING_KEY_HEADER
from mitra_shared.republish import Outcome, Request, message_of, parse_since, read_routing_keys, retention_warning


def outbox_row() -> dict[str, Any]:
    event_id = uuid.uuid4()
    return {
        "seq": 7,
        "id": event_id,
        "event_type": OrganizationRegistered.kind.type,
        "routing_key": "registry.organization.registered",
        "headers": {
            "cloudEvents_id": str(event_id),
            "cloudEvents_source": "/mitra/registry",
            "cloudEvents_correlationid": "req-42",
        },
        "body": b'{"id": "..."}',
    }


def test_the_start_time_needs_its_zone() -> None:
    assert parse_since("2026-12-05T01:00:00Z") == datetime(2026, 12, 5, 1, tzinfo=UTC)
    assert parse_since("2026-12-05T08:00:00+07:00") == datetime(2026, 12, 5, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="no time zone"):
        parse_since("2026-12-05T01:00:00")
    with pytest.raises(ValueError, match="yesterday"):
        parse_since("yesterday")


def test_routing_keys_are_read_one_a_line() -> None:
    assert read_routing_keys(io.StringIO("registry.organization.registered\n\n  audit.registry.recorded \n")) == [
        "registry.organization.registered",
        "audit.registry.recorded",
    ]


def test_a_start_beyond_the_retention_is_warned_about() -> None:
    now = datetime(2026, 12, 5, 1, tzinfo=UTC)
    assert retention_warning(now - timedelta(days=6), now, 7) is None
    warning = retention_warning(now - timedelta(days=8), now, 7)
    assert warning is not None
    assert "MITRA_OUTBOX_RETENTION_DAYS=7" in warning
    assert "2026-11-28T01:00:00+00:00" in warning


def test_the_envelope_is_the_relays() -> None:
    row = outbox_row()
    message = message_of(row, user_id="mitra-registry", to_queue=None)
    assert message.body == row["body"]
    assert message.message_id == str(row["id"])
    assert message.type == row["event_type"]
    assert message.headers == row["headers"]
    assert message.content_type == ev.CONTENT_TYPE
    assert message.delivery_mode == DeliveryMode.PERSISTENT
    assert (message.app_id, message.correlation_id, message.user_id) == ("/mitra/registry", "req-42", "mitra-registry")


def test_an_event_sent_into_a_queue_names_its_routing_key() -> None:
    row = outbox_row()
    message = message_of(row, user_id="mitra-registry", to_queue="mitra.reporting")
    assert message.headers == {**row["headers"], ORIGINAL_ROUTING_KEY_HEADER: "registry.organization.registered"}
    assert message.message_id == str(row["id"])
    assert ORIGINAL_ROUTING_KEY_HEADER not in row["headers"], "the row is left as it was"


def test_the_outcome_says_how_many_and_where() -> None:
    request = Request(since=datetime(2026, 12, 5, 1, tzinfo=UTC), routing_keys=["a.b.c", "d.e.f"])
    assert Outcome(12, "queue mitra.reporting", dry_run=False).describe(request) == (
        "12 event(s) republished to queue mitra.reporting (published since 2026-12-05T01:00:00+00:00, 2 routing key(s))"
    )
    assert (
        Outcome(3, "exchange mitra.events", dry_run=True)
        .describe(Request(since=request.since))
        .startswith("3 event(s) would be republished to exchange mitra.events")
    )
    unrouted = Outcome(5, "exchange mitra.events", dry_run=False, unrouted=2).describe(request)
    assert unrouted.endswith("2 routing key(s)); 2 of them no queue is bound to")


def test_republish_refuses_a_time_without_zone_and_a_queue_without_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(reporting_spec, ["republish", "--since", "2026-12-05T01:00:00"]) == 2
    assert "--since" in capsys.readouterr().err
    assert main(reporting_spec, ["republish", "--since", "2026-12-05T01:00:00Z", "--to", "mitra.reporting"]) == 2
    assert "routing keys" in capsys.readouterr().err


def test_queues_prints_the_queue_and_the_keys_it_binds(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MITRA_AMQP_NAMESPACE", "ministry")
    assert main(reporting_spec, ["queues"]) == 0
    assert capsys.readouterr().out == "ministry.reporting\n"
    assert main(reporting_spec, ["queues", "--routing-keys"]) == 0
    keys = capsys.readouterr().out.split()
    assert {"registry.organization.registered", "audit.registry.recorded"} <= set(keys)
    assert keys == sorted(keys)


def test_every_service_user_may_publish_into_a_queue_through_the_default_exchange() -> None:
    """`republish --to` runs as the publishing service's broker user, and RabbitMQ asks for write permission on the
    exchange alone, `amq.default`, to publish into a queue by its name (deploy/rabbitmq/definitions.json)."""
    definitions = json.loads((REPO / "deploy" / "rabbitmq" / "definitions.json").read_text())
    writes = {entry["user"]: entry["write"] for entry in definitions["permissions"]}
    for service in ("console", "registry", "agreements", "notifications", "reporting"):
        assert re.search(writes[f"mitra-{service}"], "amq.default"), service
