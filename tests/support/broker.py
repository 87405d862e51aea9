"""The local RabbitMQ as the tests use it: each test declares under a namespace of its own and removes it after;
`drain` and `collect` read a queue of the test's own (with a deadline) when a test needs the messages themselves."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable

from aio_pika.abc import AbstractIncomingMessage, AbstractQueue

from mitra_devtools import launcher
from support.polling import eventually

AMQP_URL = os.environ.get("MITRA_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
DEFAULT_RETRY_DELAYS_MS = launcher.DEFAULT_RETRY_DELAYS_MS


def new_namespace(prefix: str = "test") -> str:
    """A broker namespace nobody else uses: the prefix and 12 hex digits, joined by a dash."""
    return launcher.unique(prefix).replace("_", "-")


async def delete_namespace(namespace: str, consumers: Iterable[str], delays_ms: Iterable[int] = ()) -> None:
    """Remove what a test declared under its own namespace (deleting a missing queue is not an error)."""
    await launcher.delete_namespace(AMQP_URL, namespace, consumers, delays_ms)


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
    """The event ids the messages carry (their AMQP message id), in order."""
    ids = []
    for message in messages:
        assert message.message_id is not None
        ids.append(uuid.UUID(message.message_id))
    return ids
