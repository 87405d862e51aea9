"""The event envelope without any I/O: encoding, decoding, AMQP headers, and where a type sits on the wire."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from mitra_shared import events as ev
from mitra_shared.contracts import ALL_EVENTS
from mitra_shared.contracts.registry import OrganizationRegistered
from mitra_shared.events import EventData, EventKind, MalformedEvent


class WidgetAssembled(EventData):
    kind = EventKind("test", "widget", "assembled", 3)

    widget_id: uuid.UUID
    label: str
    parts: list[str] = []


class WidgetReader(EventData):
    """A consumer's slim model: only the field it uses."""

    kind = EventKind("test", "widget", "assembled", 3)

    label: str


def make_event(**overrides: Any) -> ev.CloudEvent[EventData]:
    data = WidgetAssembled(widget_id=uuid.UUID(int=7), label="gear", parts=["a", "b"])
    params: dict[str, Any] = {"subject": "widget-7"}
    params.update(overrides)
    return ev.new_event(data, **params)


def envelope(**overrides: Any) -> dict[str, Any]:
    raw: dict[str, Any] = json.loads(ev.encode(make_event()))
    raw.update(overrides)
    return raw


def test_kind_derives_type_routing_key_and_source() -> None:
    kind = EventKind("registry", "organization", "registered", 1)
    assert kind.routing_key == "registry.organization.registered"
    assert kind.type == "id.go.mitra.registry.organization.registered.v1"
    assert kind.source == "/mitra/registry"


def test_new_event_fills_the_envelope_from_the_kind() -> None:
    when = datetime(2024, 5, 17, 8, 30, tzinfo=UTC)
    event_id = uuid.uuid4()
    event = make_event(event_id=event_id, time=when, correlation_id="req-1")
    assert event.id == event_id
    assert event.type == "id.go.mitra.test.widget.assembled.v3"
    assert event.source == "/mitra/test"
    assert event.subject == "widget-7"
    assert event.time == when
    assert event.specversion == "1.0"
    assert event.datacontenttype == "application/json"
    assert event.correlationid == "req-1"


def test_new_event_defaults_to_a_fresh_id_and_the_current_utc_time() -> None:
    before = datetime.now(UTC)
    first, second = make_event(), make_event()
    assert first.id != second.id
    assert first.time.tzinfo is not None
    assert before <= first.time <= datetime.now(UTC)


def test_encode_decode_round_trip() -> None:
    event = make_event(correlation_id="req-42")
    decoded = ev.decode(ev.encode(event))
    assert decoded.id == event.id
    assert decoded.type == event.type
    assert decoded.source == event.source
    assert decoded.subject == event.subject
    assert decoded.time == event.time
    assert decoded.correlationid == "req-42"
    assert decoded.data == {"widget_id": str(uuid.UUID(int=7)), "label": "gear", "parts": ["a", "b"]}
    assert ev.read_data(decoded, WidgetAssembled) == event.data
    assert ev.read_data(decoded, WidgetReader) == WidgetReader(label="gear")


def test_encode_is_structured_cloudevents_json_without_empty_attributes() -> None:
    raw = json.loads(ev.encode(make_event()))
    assert set(raw) == {"specversion", "id", "source", "type", "subject", "time", "datacontenttype", "data"}
    assert "correlationid" not in raw


def test_amqp_headers_carry_every_attribute_but_data() -> None:
    when = datetime(2024, 5, 17, 8, 30, tzinfo=UTC)
    event = make_event(time=when, correlation_id="req-9")
    headers = ev.amqp_headers(event)
    assert headers == {
        "cloudEvents_specversion": "1.0",
        "cloudEvents_id": str(event.id),
        "cloudEvents_source": "/mitra/test",
        "cloudEvents_type": "id.go.mitra.test.widget.assembled.v3",
        "cloudEvents_subject": "widget-7",
        "cloudEvents_time": "2024-05-17T08:30:00Z",
        "cloudEvents_datacontenttype": "application/json",
        "cloudEvents_correlationid": "req-9",
    }


def test_amqp_headers_omit_an_absent_correlation_id() -> None:
    assert "cloudEvents_correlationid" not in ev.amqp_headers(make_event())


def test_every_contract_has_a_distinct_well_formed_type() -> None:
    assert OrganizationRegistered in ALL_EVENTS
    types = [model.kind.type for model in ALL_EVENTS]
    assert len(types) == len(set(types))
    for model in ALL_EVENTS:
        kind = model.kind
        assert re.fullmatch(r"id\.go\.mitra\.[a-z_]+\.[a-z_]+\.[a-z_]+\.v[1-9][0-9]*", kind.type), kind.type
        assert kind.type == f"id.go.mitra.{kind.routing_key}.v{kind.version}"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        pytest.param(b"{not json", "body is not JSON", id="not-json"),
        pytest.param(b"\xff\xfe\x00", "body is not JSON", id="not-utf8"),
        pytest.param(b"", "body is not JSON", id="empty"),
        pytest.param(b"[1, 2]", "body is not a JSON object", id="array"),
        pytest.param(b'"text"', "body is not a JSON object", id="string"),
        pytest.param(b'{"hello": "world"}', "specversion must be '1.0'", id="not-an-envelope"),
        pytest.param(json.dumps(envelope(specversion="0.3")).encode(), "specversion must be '1.0'", id="old-spec"),
        pytest.param(json.dumps(envelope(id="not-a-uuid")).encode(), "invalid CloudEvents envelope: id", id="bad-id"),
        pytest.param(
            json.dumps({k: v for k, v in envelope().items() if k != "subject"}).encode(),
            "invalid CloudEvents envelope: subject",
            id="missing-subject",
        ),
        pytest.param(
            json.dumps(envelope(time="yesterday")).encode(), "invalid CloudEvents envelope: time", id="bad-time"
        ),
        pytest.param(
            json.dumps(envelope(data="not an object")).encode(), "invalid CloudEvents envelope: data", id="bad-data"
        ),
    ],
)
def test_decode_rejects_what_is_not_a_cloudevent(body: bytes, reason: str) -> None:
    with pytest.raises(MalformedEvent, match=re.escape(reason)):
        ev.decode(body)


def test_malformed_event_is_a_value_error() -> None:
    assert issubclass(MalformedEvent, ValueError)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        pytest.param({"widget_id": str(uuid.uuid4())}, "label", id="missing-field"),
        pytest.param({"widget_id": "nope", "label": "x"}, "widget_id", id="wrong-type"),
    ],
)
def test_read_data_rejects_data_that_does_not_fit_the_model(data: dict[str, Any], field: str) -> None:
    event = ev.decode(json.dumps(envelope(data=data)).encode())
    with pytest.raises(MalformedEvent, match=rf"invalid data for id\.go\.mitra\.test\.widget\.assembled\.v3: {field}"):
        ev.read_data(event, WidgetAssembled)


def test_event_data_is_immutable() -> None:
    data = WidgetAssembled(widget_id=uuid.uuid4(), label="gear")
    with pytest.raises(ValueError, match="frozen"):
        data.label = "other"  # type: ignore[misc]
