"""A subscribing system declared `<ns>.events` before Mitra started, as a plain durable topic exchange without
Mitra's alternate exchange, and bound its queue: every service still becomes ready, and the subscriber receives the
events."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import aio_pika
import httpx
import pytest
from aio_pika.abc import ExchangeType
from support.broker import AMQP_URL, collect, new_namespace
from support.services import RunningSystem, running_services
from support.tokens import as_role

from mitra_shared.events import decode

pytestmark = pytest.mark.e2e


async def declare_as_a_subscriber_would(namespace: str) -> None:
    """The exchange, plain, and the subscriber's durable queue bound to it, from a connection of its own."""
    connection = await aio_pika.connect(AMQP_URL, client_properties={"connection_name": "outside-first"})
    async with connection:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(f"{namespace}.events", ExchangeType.TOPIC, durable=True)
        queue = await channel.declare_queue(f"{namespace}.outside-system", durable=True)
        await queue.bind(exchange, routing_key="registry.#")


async def delete_subscriber_queue(namespace: str) -> None:
    connection = await aio_pika.connect(AMQP_URL)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(f"{namespace}.outside-system")


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    """Every service, started after the subscriber declared the exchange (it raises unless each becomes ready)."""
    namespace = new_namespace("e2e-plain")
    asyncio.run(declare_as_a_subscriber_would(namespace))
    log_dir = tmp_path_factory.mktemp("plain-exchange-logs")
    try:
        with running_services(log_dir=log_dir, namespace=namespace) as running:
            yield running
    finally:
        asyncio.run(delete_subscriber_queue(namespace))


async def test_mitra_starts_over_an_events_exchange_a_subscriber_declared_first(system: RunningSystem) -> None:
    name = f"Plan International {uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(base_url=system.url("registry"), timeout=10, headers=as_role("tpoa")) as client:
        created = await client.post(
            "/organizations", json={"legal_name": name, "country_of_origin": "GB", "focus_areas": ["poverty"]}
        )
    assert created.status_code == 201, created.text
    connection = await aio_pika.connect(AMQP_URL)
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(f"{system.namespace}.outside-system", ensure=True)
        (message,) = await collect(queue, 1)
    event = decode(message.body)
    assert message.routing_key == "registry.organization.registered"
    assert (event.subject, event.data["legal_name"]) == (created.json()["id"], name)
