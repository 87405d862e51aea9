"""The events notifications consumes: registry's, agreements' and reporting's, each routed to the offices it concerns,
and the console's accounts (and an NGO's contact address from registry), each kept as a recipient. The consumer's
queue is bound to exactly these routing keys (`mitra_shared.service` derives the bindings from them)."""

from typing import Any

from mitra_notifications.consumers import (
    agreement_events,
    agreement_steps,
    console_accounts,
    monitoring,
    registry_events,
    reviews,
    sanctions,
)
from mitra_shared.inbox import Handler

HANDLERS: dict[Any, Handler[Any]] = {
    **registry_events.HANDLERS,
    **agreement_events.HANDLERS,
    **agreement_steps.HANDLERS,
    **console_accounts.HANDLERS,
    **sanctions.HANDLERS,
    **reviews.HANDLERS,
    **monitoring.HANDLERS,
}
