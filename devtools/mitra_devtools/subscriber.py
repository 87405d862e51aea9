"""An outside system's view of the events: a queue of its own on `<namespace>.events`, bound to the routing keys it
wants, consumed as the messages arrive. The tests read the events from it; the benchmark times their arrival.

    async with EventTap(amqp_url, "mitra", ["registry.#"]) as tap:   # a subclass says what to do with each message
        ...

The queue (uuid-named) is exclusive and auto-deleted: it lives as long as the connection, and nobody else reads it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from types import TracebackType
from typing import Self

import aio_pika
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection

from mitra_shared.topology import Names


class EventTap:
    """Consumes a queue of its own bound to `<namespace>.events`; `on_message` is called with every message."""

    def __init__(
        self,
        amqp_url: str,
        namespace: str,
        routing_keys: Sequence[str] = ("#",),
        *,
        prefetch: int = 1000,
        connection_name: str = "mitra-outside-subscriber",
        queue_name: str | None = None,
    ) -> None:
        self.amqp_url = amqp_url
        self.exchange = Names(namespace).events_exchange
        self.routing_keys = list(routing_keys)
        self._prefetch = prefetch
        self._connection_name = connection_name
        self.queue_name = queue_name or f"{namespace}.outside-{uuid.uuid4().hex[:12]}"
        self._connection: AbstractRobustConnection | None = None

    async def on_message(self, message: AbstractIncomingMessage) -> None:
        """What to do with one message (acknowledged already: the queue is consumed with no_ack)."""
        raise NotImplementedError

    async def start(self) -> None:
        """Connect, declare the queue and its bindings, and start consuming: events published after this arrive."""
        self._connection = await aio_pika.connect_robust(
            self.amqp_url, client_properties={"connection_name": self._connection_name}
        )
        channel = await self._connection.channel()
        await channel.set_qos(prefetch_count=self._prefetch)
        exchange = await channel.get_exchange(self.exchange, ensure=True)
        queue = await channel.declare_queue(self.queue_name, exclusive=True, auto_delete=True)
        for routing_key in self.routing_keys:
            await queue.bind(exchange, routing_key=routing_key)
        await queue.consume(self.on_message, no_ack=True)

    async def stop(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self.stop()
