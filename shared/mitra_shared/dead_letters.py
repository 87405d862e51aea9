"""Looking at and replaying what a consumer gave up on: `python -m mitra_<service> dead-letters [replay]`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage

from mitra_shared.amqp_nodes import Node, connection_options
from mitra_shared.inbox import (
    CONSUMER_HEADER,
    DEAD_LETTERED_AT_HEADER,
    ORIGINAL_ROUTING_KEY_HEADER,
    REASON_HEADER,
    RETRY_HEADER,
    republished,
)
from mitra_shared.topology import ConsumerTopology, user_of


@dataclass(frozen=True)
class DeadLetter:
    message_id: str | None
    event_type: str | None
    routing_key: str
    reason: str
    dead_lettered_at: str | None
    retries: int

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def describe(message: AbstractIncomingMessage) -> DeadLetter:
    headers = message.headers or {}
    reason = headers.get(REASON_HEADER)
    if reason is None and headers.get("x-death"):
        # Dead-lettered by the broker itself (delivery limit reached while the consumer kept dying).
        reason = f"broker: {_as_text(headers.get('x-first-death-reason', 'dead-lettered'))}"
    return DeadLetter(
        message_id=message.message_id,
        event_type=message.type or str(headers.get("cloudEvents_type", "")) or None,
        routing_key=str(headers.get(ORIGINAL_ROUTING_KEY_HEADER, message.routing_key or "")),
        reason=str(reason or "unknown"),
        dead_lettered_at=str(headers[DEAD_LETTERED_AT_HEADER]) if DEAD_LETTERED_AT_HEADER in headers else None,
        retries=_as_int(headers.get(RETRY_HEADER)),
    )


def _as_text(value: object) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def _as_int(value: object) -> int:
    try:
        return int(str(value)) if value is not None else 0
    except ValueError:
        return 0


async def peek(channel: AbstractChannel, topology: ConsumerTopology, limit: int) -> list[DeadLetter]:
    """Read up to `limit` dead letters without removing them (they are returned to the queue)."""
    queue = await channel.declare_queue(topology.dead_letter_queue, passive=True)
    taken: list[AbstractIncomingMessage] = []
    try:
        while len(taken) < limit and (message := await queue.get(no_ack=False, fail=False)) is not None:
            taken.append(message)
        return [describe(message) for message in taken]
    finally:
        for message in taken:
            await message.nack(requeue=True)


async def replay(
    channel: AbstractChannel, topology: ConsumerTopology, limit: int, *, user_id: str | None = None
) -> int:
    """Send up to `limit` dead letters back to the consumer's queue with a fresh retry budget."""
    queue = await channel.declare_queue(topology.dead_letter_queue, passive=True)
    replayed = 0
    while replayed < limit and (message := await queue.get(no_ack=False, fail=False)) is not None:
        headers = {
            key: value
            for key, value in (message.headers or {}).items()
            if key not in (REASON_HEADER, DEAD_LETTERED_AT_HEADER, RETRY_HEADER, CONSUMER_HEADER)
            and not key.startswith(("x-death", "x-first-death", "x-last-death"))
        }
        await channel.default_exchange.publish(
            # As the replaying connection's own user: a letter the broker dead-lettered still names its publisher.
            republished(message, headers, user_id=user_id),
            routing_key=topology.queue,
            mandatory=True,
        )
        await message.ack()
        replayed += 1
    return replayed


async def run(
    amqp_url: str, topology: ConsumerTopology, *, action: str, limit: int, other_nodes: Sequence[Node] = ()
) -> str:
    connection = await aio_pika.connect(amqp_url, **connection_options(amqp_url, other_nodes, robust=False))
    try:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        if action == "replay":
            count = await replay(channel, topology, limit, user_id=user_of(amqp_url))
            return f"{count} message(s) sent back to {topology.queue}"
        letters = await peek(channel, topology, limit)
        return "\n".join(json.dumps(letter.as_dict(), ensure_ascii=False) for letter in letters)
    finally:
        await connection.close()
