"""The context of a change: who makes it, when, in which request, because of which event. Pure: no I/O.

Made once per HTTP request (from the bearer token, the service's clock and the correlation id) or per consumed
message (from the event), and handed to the use case, which stamps the same `now` on its rows and its events.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Principal:
    """A person or a system acting: the token's subject, display name, roles and scope claims."""

    subject: str
    roles: tuple[str, ...] = ()
    claims: Mapping[str, Any] = field(default_factory=dict)
    name: str | None = None
    scope: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def system(cls, component: str) -> Principal:
        """The service itself, acting on an event or a schedule (`system:agreements.deadlines`)."""
        return cls(subject=f"system:{component}", roles=("system",), name=component)

    @property
    def is_system(self) -> bool:
        return self.subject.startswith("system:")


@dataclass(frozen=True)
class Context:
    principal: Principal
    now: datetime
    request_id: str
    causation_id: uuid.UUID | None = None

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("Context.now must be an aware datetime")

    @property
    def actor(self) -> str:
        """Who to write down as having made the change."""
        return self.principal.subject

    @classmethod
    def for_system(
        cls,
        component: str,
        now: datetime,
        *,
        request_id: str | None = None,
        causation_id: uuid.UUID | None = None,
    ) -> Context:
        return cls(
            principal=Principal.system(component),
            now=now,
            request_id=request_id or str(uuid.uuid4()),
            causation_id=causation_id,
        )
