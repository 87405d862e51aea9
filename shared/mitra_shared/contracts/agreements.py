"""Events published by the agreements service (MSPs, obligations, submissions, visits, recommendations)."""

from mitra_shared.events import EventData

EVENTS: tuple[type[EventData], ...] = ()
