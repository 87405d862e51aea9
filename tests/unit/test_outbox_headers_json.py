"""What the outbox records of an event (outbox._encode): the headers the AMQP binding gives (events.amqp_headers)
and the body events.encode gives."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest

from mitra_shared import events as ev
from mitra_shared import outbox
from mitra_shared.events import EventData, EventKind


class GearFitted(EventData):
    kind = EventKind("test", "gear", "fitted", 1)

    gear_id: uuid.UUID
    label: str
    data: dict[str, str] = {}


def _event(subject: str, correlation_id: str | None) -> ev.CloudEvent[EventData]:
    label = 'a "{gear}", b,"data":{"x":1}'
    data = GearFitted(gear_id=uuid.uuid4(), label=label, data={"data": ',"data":', '{"': ',"'})
    return ev.new_event(data, subject=subject, correlation_id=correlation_id, time=datetime.now(UTC))


@pytest.mark.parametrize(
    ("subject", "correlation_id"),
    [
        (str(uuid.uuid4()), None),
        (str(uuid.uuid4()), "request-1"),
        ('a,"source":"x","b', '{"type":"y"},"z,"data":{'),
        ('ünïcode\\","', "\\"),
    ],
)
def test_the_outbox_records_the_amqp_headers_and_the_body(subject: str, correlation_id: str | None) -> None:
    event = _event(subject, correlation_id)
    headers, body = outbox._encode(event)
    assert json.loads(headers) == ev.amqp_headers(event)
    assert body == ev.encode(event)
