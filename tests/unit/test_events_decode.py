"""Decoding takes one pass of pydantic's JSON parser for a well-formed envelope; whatever it reads must be exactly
what the step-by-step reading (json.loads, then the checks, then the model) gives, and what it refuses keeps that
reading's reasons."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from mitra_shared import events as ev
from mitra_shared.events import MalformedEvent


def envelope(**overrides: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "specversion": "1.0",
        "id": str(uuid.UUID(int=42)),
        "source": "/mitra/registry",
        "type": "id.go.mitra.registry.organization.registered.v1",
        "subject": "ngo-1",
        "time": "2026-12-04T19:30:00.123456Z",
        "datacontenttype": "application/json",
        "data": {"legal_name": "Yayasan Ŝtelo – 慈善", "focus_areas": ["disaster"], "count": 3, "ratio": 0.5},
    }
    raw.update(overrides)
    return {key: value for key, value in raw.items() if value is not ...}


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(envelope(), id="plain"),
        pytest.param(envelope(correlationid="req-7"), id="correlation-id"),
        pytest.param(envelope(correlationid=None), id="null-correlation-id"),
        pytest.param(envelope(datacontenttype=...), id="default-content-type"),
        pytest.param(envelope(time="2026-12-04T19:30:00"), id="naive-time"),
        pytest.param(envelope(time="2026-12-05T02:30:00+07:00"), id="offset-time"),
        pytest.param(envelope(data={}), id="empty-data"),
        pytest.param(
            envelope(data={"nested": {"a": [1, 2.5, None, True, "x"]}, "big": 2**70, "neg": -1e-9}), id="nested-data"
        ),
        pytest.param(envelope(extension_we_ignore="x"), id="unknown-attribute"),
    ],
)
def test_the_one_pass_reads_exactly_what_the_step_by_step_reading_reads(raw: dict[str, Any]) -> None:
    body = json.dumps(raw, ensure_ascii=False).encode()
    fast = ev.decode(body)
    slow = ev._decode_step_by_step(body)
    assert fast == slow
    assert fast.data == slow.data
    assert [type(value) for value in fast.data.values()] == [type(value) for value in slow.data.values()]


def test_times_keep_their_offset_or_their_absence_of_one() -> None:
    assert ev.decode(json.dumps(envelope()).encode()).time == datetime(2026, 12, 4, 19, 30, 0, 123456, tzinfo=UTC)
    offset = ev.decode(json.dumps(envelope(time="2026-12-05T02:30:00+07:00")).encode()).time
    assert offset.utcoffset() == timedelta(hours=7)
    assert offset.tzinfo == timezone(timedelta(hours=7))
    assert ev.decode(json.dumps(envelope(time="2026-12-04T19:30:00")).encode()).time.tzinfo is None


def test_an_envelope_without_specversion_is_refused_though_the_model_has_a_default() -> None:
    with pytest.raises(MalformedEvent, match=re.escape("specversion must be '1.0', got None")):
        ev.decode(json.dumps(envelope(specversion=...)).encode())


def test_a_specversion_of_another_type_is_refused_with_its_value() -> None:
    with pytest.raises(MalformedEvent, match=re.escape("specversion must be '1.0', got 1.0")):
        ev.decode(json.dumps(envelope(specversion=1.0)).encode())


def test_what_only_json_loads_reads_is_still_read() -> None:
    # Python's json module takes NaN and Infinity, which pydantic's parser refuses: the step-by-step way reads them.
    body = (
        b'{"specversion": "1.0", "id": "%s", "source": "/mitra/registry", "type": "t.v1", "subject": "s", '
        % str(uuid.UUID(int=1)).encode()
        + b'"time": "2026-12-04T19:30:00Z", "data": {"x": NaN, "y": Infinity}}'
    )
    event = ev.decode(body)
    assert event.data["x"] != event.data["x"]
    assert event.data["y"] == float("inf")


def test_a_duplicated_key_takes_its_last_value_as_before() -> None:
    body = json.dumps(envelope()).encode().replace(b'"subject": "ngo-1"', b'"subject": "first", "subject": "last"')
    assert ev.decode(body).subject == ev._decode_step_by_step(body).subject == "last"
