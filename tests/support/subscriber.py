"""An outside government system subscribed to the events: its own queue on `<namespace>.events`.

    async with OutsideSubscriber(namespace, ["registry.#"]) as sub:
        ...                                                   # make something happen
        event = await sub.wait_for("registry.organization.registered", where=lambda e: e["subject"] == org_id)
        sub.of("registry.organization.registered")           # every such event so far, in arrival order
        sub.message(event).headers["cloudEvents_type"]       # the AMQP message that carried it

`event` is the decoded CloudEvent (a dict: `id`, `type`, `subject`, `time`, `correlationid`, `data`, ...). A key is
a routing key (`registry.organization.registered`) or an event type (`id.go.mitra.registry.organization...v1`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from aio_pika.abc import AbstractIncomingMessage

from mitra_devtools.subscriber import EventTap
from mitra_shared.events import TYPE_PREFIX
from support.broker import AMQP_URL
from support.polling import eventually

Event = dict[str, Any]


class OutsideSubscriber(EventTap):
    def __init__(self, namespace: str, bindings: Sequence[str] = ("#",), *, amqp_url: str = AMQP_URL) -> None:
        super().__init__(amqp_url, namespace, bindings, connection_name="mitra-tests-outside-subscriber")
        self.events: list[Event] = []
        self.messages: list[AbstractIncomingMessage] = []
        self._by_id: dict[str, AbstractIncomingMessage] = {}
        self._routing_keys: list[str] = []

    async def on_message(self, message: AbstractIncomingMessage) -> None:
        event = json.loads(message.body)
        self.events.append(event)
        self.messages.append(message)
        self._routing_keys.append(message.routing_key or "")
        self._by_id[str(event.get("id"))] = message

    def of(self, key: str, where: Callable[[Event], bool] | None = None) -> list[Event]:
        """The events of that routing key or type received so far (and matching `where`), in arrival order."""
        by_type = key.startswith(f"{TYPE_PREFIX}.")
        return [
            event
            for event, routing_key in zip(self.events, self._routing_keys, strict=True)
            if (event.get("type") == key if by_type else routing_key == key) and (where is None or where(event))
        ]

    def message(self, event: Event) -> AbstractIncomingMessage:
        """The AMQP message that carried this event (its headers, content type, delivery mode)."""
        return self._by_id[str(event["id"])]

    async def wait_for(self, key: str, where: Callable[[Event], bool] | None = None, *, timeout: float = 15.0) -> Event:
        """The first event of that routing key or type (matching `where`); waits up to `timeout` seconds for it."""
        [event, *_] = await self.wait_for_count(key, 1, where, timeout=timeout)
        return event

    async def wait_for_count(
        self, key: str, count: int, where: Callable[[Event], bool] | None = None, *, timeout: float = 15.0
    ) -> list[Event]:
        """At least `count` events of that key (matching `where`), waited for; all those received so far."""

        async def enough() -> list[Event]:
            found = self.of(key, where)
            return found if len(found) >= count else []

        return await eventually(
            enough, timeout=timeout, interval=0.02, description=f"{count} x {key} at the subscriber"
        )
