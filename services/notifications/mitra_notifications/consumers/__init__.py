"""The events notifications consumes: registry's and agreements', each routed to the offices it concerns."""

from typing import Any

from mitra_notifications.consumers import agreement_events, registry_events
from mitra_shared.inbox import Handler

HANDLERS: dict[Any, Handler[Any]] = {**registry_events.HANDLERS, **agreement_events.HANDLERS}
