"""The events notifications consumes: registry's and agreements', each routed to the offices it concerns, and the
console's accounts, each kept as a recipient."""

from typing import Any

from mitra_notifications.consumers import agreement_events, agreement_steps, console_accounts, registry_events
from mitra_shared.inbox import Handler

HANDLERS: dict[Any, Handler[Any]] = {
    **registry_events.HANDLERS,
    **agreement_events.HANDLERS,
    **agreement_steps.HANDLERS,
    **console_accounts.HANDLERS,
}
