"""Helpers for the backbone's integration tests: reading queues until a count is reached, with a deadline."""

from __future__ import annotations

import uuid

from aio_pika.abc import AbstractIncomingMessage, AbstractQueue
from support import eventually


async def drain(queue: AbstractQueue) -> list[AbstractIncomingMessage]:
    """Take (and acknowledge) every message now in the queue."""
    messages = []
    while (message := await queue.get(no_ack=True, fail=False)) is not None:
        messages.append(message)
    return messages


async def collect(queue: AbstractQueue, count: int, *, within: float = 10.0) -> list[AbstractIncomingMessage]:
    """Take messages from the queue until there are at least `count`; return them all (the caller checks how many)."""
    taken: list[AbstractIncomingMessage] = []

    async def enough() -> bool:
        taken.extend(await drain(queue))
        return len(taken) >= count

    await eventually(enough, timeout=within, description=f"{count} message(s) on {queue.name}")
    return taken


def message_ids(messages: list[AbstractIncomingMessage]) -> list[uuid.UUID]:
    ids = []
    for message in messages:
        assert message.message_id is not None
        ids.append(uuid.UUID(message.message_id))
    return ids
