"""The event envelope: CloudEvents 1.0 in structured JSON mode, with the attributes copied to AMQP headers.

An event type is declared once, as a pydantic model of its `data`, with the producing service, the aggregate,
the past-tense name and the major version. Everything on the wire (type, routing key, headers) derives from that
declaration, so a producer and a subscriber cannot disagree on spelling.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, TypeVar, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError

TYPE_PREFIX = "id.go.mitra"
SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/cloudevents+json"
DATA_CONTENT_TYPE = "application/json"
HEADER_PREFIX = "cloudEvents_"
CORRELATION_EXTENSION = "correlationid"


@dataclass(frozen=True)
class EventKind:
    """Where an event type sits on the wire."""

    service: str
    aggregate: str
    name: str
    version: int

    @property
    def routing_key(self) -> str:
        return f"{self.service}.{self.aggregate}.{self.name}"

    @property
    def type(self) -> str:
        return f"{TYPE_PREFIX}.{self.routing_key}.v{self.version}"

    @property
    def source(self) -> str:
        return f"/mitra/{self.service}"


class EventData(BaseModel):
    """Base of every event's `data`. Subclasses set `kind`; fields only ever get added within a version."""

    model_config = ConfigDict(frozen=True)

    kind: ClassVar[EventKind]


class ConsumedData(BaseModel):
    """A consumer's own slim model of an event's data: only the fields it reads. Whatever else the producer sends,
    now or in later additive changes of the same version, is ignored."""

    model_config = ConfigDict(extra="ignore")


DataT = TypeVar("DataT", bound=BaseModel)
PayloadT = TypeVar("PayloadT")


class CloudEvent(BaseModel, Generic[PayloadT]):
    """A CloudEvents 1.0 envelope as it travels in the message body (structured content mode)."""

    model_config = ConfigDict(populate_by_name=True)

    specversion: str = Field(SPEC_VERSION, description="CloudEvents specification version.")
    id: uuid.UUID = Field(description="Unique id of this event; consumers deduplicate on it.")
    source: str = Field(description="The producing service, e.g. `/mitra/registry`.", examples=["/mitra/registry"])
    type: str = Field(
        description="Reverse-DNS event type with its major version.",
        examples=["id.go.mitra.registry.organization.registered.v1"],
    )
    subject: str = Field(description="Id of the aggregate the event is about.")
    time: datetime = Field(description="When the change was committed (UTC).")
    datacontenttype: str = Field(DATA_CONTENT_TYPE, description="Media type of `data`.")
    correlationid: str | None = Field(
        None, description="CloudEvents extension: id of the request or event that caused this one, for tracing."
    )
    data: PayloadT


ReceivedEvent = CloudEvent[dict[str, Any]]
"""An event as a consumer first reads it: the envelope checked, `data` left for the consumer's own model."""


class MalformedEvent(ValueError):
    """A message that is not a CloudEvent this system can read; retrying it cannot help."""


@functools.cache
def _envelope(data_type: type[EventData]) -> type[CloudEvent[Any]]:
    """The envelope parametrised with the concrete class (pydantic serialises by the declared type, and the base has
    no fields). Kept here for good: pydantic keeps parametrised classes only weakly, and rebuilding one after a
    garbage collection costs tens of milliseconds."""
    return cast(type[CloudEvent[Any]], CloudEvent[data_type])  # type: ignore[valid-type]


def new_event(
    data: EventData,
    *,
    subject: str,
    correlation_id: str | None = None,
    event_id: uuid.UUID | None = None,
    time: datetime | None = None,
) -> CloudEvent[EventData]:
    kind = type(data).kind
    return _envelope(type(data))(
        id=event_id or uuid.uuid4(),
        source=kind.source,
        type=kind.type,
        subject=subject,
        time=time or datetime.now(UTC),
        correlationid=correlation_id,
        data=data,
    )


def encode(event: CloudEvent[Any]) -> bytes:
    return event.model_dump_json(exclude_none=True).encode()


def amqp_headers(event: CloudEvent[Any]) -> dict[str, str]:
    """The AMQP binding of CloudEvents: every attribute but `data` as a `cloudEvents_`-prefixed header."""
    attributes = event.model_dump(mode="json", exclude={"data"}, exclude_none=True)
    return {f"{HEADER_PREFIX}{name}": str(value) for name, value in attributes.items()}


def decode(body: bytes) -> ReceivedEvent:
    """Parse the envelope of any event; `data` stays a dict for the consumer's own model to read."""
    # One pass of pydantic's own JSON parser for the envelope a publisher wrote right. Anything it refuses, or a
    # `specversion` that is absent or other, goes the step-by-step way, which also says what is wrong.
    try:
        event = ReceivedEvent.model_validate_json(body)
    except ValidationError:
        return _decode_step_by_step(body)
    if "specversion" not in event.model_fields_set or event.specversion != SPEC_VERSION:
        return _decode_step_by_step(body)
    return event


def _decode_step_by_step(body: bytes) -> ReceivedEvent:
    try:
        raw = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MalformedEvent(f"body is not JSON: {error}") from error
    if not isinstance(raw, Mapping):
        raise MalformedEvent("body is not a JSON object")
    if raw.get("specversion") != SPEC_VERSION:
        raise MalformedEvent(f"specversion must be {SPEC_VERSION!r}, got {raw.get('specversion')!r}")
    try:
        return ReceivedEvent.model_validate(raw)
    except ValidationError as error:
        raise MalformedEvent(f"invalid CloudEvents envelope: {_describe(error)}") from error


def read_data(event: ReceivedEvent, model: type[DataT]) -> DataT:
    try:
        return model.model_validate(event.data)
    except ValidationError as error:
        raise MalformedEvent(f"invalid data for {event.type}: {_describe(error)}") from error


def _describe(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in item['loc']) or '(root)'}: {item['msg']}" for item in error.errors()
    )
