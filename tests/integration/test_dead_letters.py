"""The operator's view of dead letters: list them without losing them, replay them with a fresh retry budget."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import aio_pika
import pytest
from aio_pika.abc import AbstractChannel
from support.broker import AMQP_URL, delete_namespace
from support.polling import eventually
from yarl import URL

from mitra_devtools.launcher import free_port
from mitra_shared import dead_letters
from mitra_shared.inbox import REASON_HEADER, RETRY_HEADER
from mitra_shared.topology import ConsumerTopology, Names, declare_consumer

pytestmark = pytest.mark.integration
DELAYS = [100, 200]


@pytest.fixture
async def channel(namespace: str) -> AsyncIterator[AbstractChannel]:
    connection = await aio_pika.connect(AMQP_URL)
    try:
        yield await connection.channel(publisher_confirms=True)
    finally:
        await connection.close()
        await delete_namespace(namespace, ["operator"], DELAYS)


async def test_listing_leaves_them_and_replay_sends_them_back_fresh(channel: AbstractChannel, namespace: str) -> None:
    topology = ConsumerTopology(Names(namespace), "operator", ["test.thing.happened"], DELAYS)
    await declare_consumer(channel, topology)
    exchange = await channel.get_exchange(topology.names.dead_letter_exchange)
    for number in range(3):
        await exchange.publish(
            aio_pika.Message(
                f'{{"n": {number}}}'.encode(),
                message_id=f"event-{number}",
                headers={REASON_HEADER: f"failed after 2 retries: boom {number}", RETRY_HEADER: 2},
            ),
            routing_key=topology.queue,
        )

    async def listed() -> list[dead_letters.DeadLetter]:
        found = await dead_letters.peek(channel, topology, limit=10)
        return found if len(found) == 3 else []

    letters = await eventually(listed, description="three dead letters")
    assert {letter.reason for letter in letters} == {f"failed after 2 retries: boom {n}" for n in range(3)}
    assert all(letter.retries == 2 for letter in letters)
    # Listing twice sees them again: nothing was taken away.
    assert len(await dead_letters.peek(channel, topology, limit=10)) == 3

    assert await dead_letters.replay(channel, topology, limit=2) == 2
    assert len(await dead_letters.peek(channel, topology, limit=10)) == 1

    queue = await channel.declare_queue(topology.queue, passive=True)

    returned: list[aio_pika.abc.AbstractIncomingMessage] = []

    async def both_back_in_queue() -> bool:
        while (message := await queue.get(no_ack=True, fail=False)) is not None:
            returned.append(message)
        return len(returned) >= 2

    await eventually(both_back_in_queue, description="replayed messages on the consumer queue")
    assert len(returned) == 2
    for message in returned:
        assert REASON_HEADER not in (message.headers or {})
        assert RETRY_HEADER not in (message.headers or {})
        assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT


async def test_the_command_reaches_the_dead_letters_through_another_node_of_the_cluster(
    channel: AbstractChannel, namespace: str
) -> None:
    """`dead-letters` of a service given `MITRA_AMQP_NODES` whose URL's node is down: it lists through another."""
    topology = ConsumerTopology(Names(namespace), "operator", ["test.thing.happened"], DELAYS)
    await declare_consumer(channel, topology)
    await (await channel.get_exchange(topology.names.dead_letter_exchange)).publish(
        aio_pika.Message(b'{"n": 1}', message_id="event-on-node", headers={REASON_HEADER: "boom", RETRY_HEADER: 2}),
        routing_key=topology.queue,
    )
    broker = URL(AMQP_URL)
    stopped_node = str(broker.with_port(free_port()))
    other_nodes = [(broker.host or "127.0.0.1", broker.port or 5672)]

    async def listed() -> str:
        return await dead_letters.run(stopped_node, topology, action="peek", limit=10, other_nodes=other_nodes)

    output = await eventually(listed, description="the dead letter listed through the other node")
    assert json.loads(output)["message_id"] == "event-on-node"
    with pytest.raises(ConnectionError):
        await dead_letters.run(stopped_node, topology, action="peek", limit=10)
