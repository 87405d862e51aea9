"""Wire contracts: the `data` of every event a Mitra service publishes, one module per producing service.

A contract only grows within a version: fields are added (optional or with a default), never renamed, retyped or
removed. A breaking change is a new class with `version` raised, published beside the old one for a while.
Consumers read these events with their own slim models that name only the fields they use.
"""

from mitra_shared.contracts import agreements, console, notifications, registry, reporting
from mitra_shared.events import EventData

ALL_EVENTS: tuple[type[EventData], ...] = (
    *registry.EVENTS,
    *agreements.EVENTS,
    *notifications.EVENTS,
    *reporting.EVENTS,
    *console.EVENTS,
)

__all__ = ["ALL_EVENTS", "agreements", "console", "notifications", "registry", "reporting"]
