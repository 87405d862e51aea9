"""Reaching a RabbitMQ cluster (mitra_shared.amqp_nodes): `MITRA_AMQP_NODES` parsed and refused with the entry
named; the transport tries the node that answered last, then the others, and says which nodes failed when none
answers. The nodes here are TCP listeners of the test's own (a refused port stands for a stopped node); the real
three-node cluster is chaos's (tests/e2e/test_chaos_short.py)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import re
from collections.abc import AsyncIterator

import pytest
from aio_pika import RobustConnection
from aiormq.exceptions import AMQPConnectionError
from pydantic import ValidationError
from support.polling import eventually
from yarl import URL

from mitra_devtools.launcher import free_port
from mitra_shared.amqp_nodes import (
    ClusterConnection,
    ClusterOnceConnection,
    ClusterTransportFactory,
    connection_options,
    parse_nodes,
)
from mitra_shared.settings import ServiceSettings


def test_nodes_are_host_and_optional_port_the_scheme_giving_the_default() -> None:
    assert parse_nodes("rabbitmq-2:5672, rabbitmq-3") == (("rabbitmq-2", 5672), ("rabbitmq-3", 5672))
    assert parse_nodes("rabbitmq-2", scheme="amqps") == (("rabbitmq-2", 5671),)
    assert parse_nodes("") == parse_nodes(" , ") == ()


@pytest.mark.parametrize("entry", ["rabbitmq-2:port", "rabbitmq-2:0", "rabbitmq-2:70000", ":5672", "amqp://x@y"])
def test_an_entry_that_is_no_host_and_port_is_refused_by_name(entry: str) -> None:
    with pytest.raises(ValueError, match=re.escape(repr(entry))):
        parse_nodes(f"rabbitmq-3,{entry}")
    with pytest.raises(ValidationError, match="amqp_nodes"):
        ServiceSettings(environment="test", amqp_nodes=f"rabbitmq-3,{entry}")


def test_settings_add_the_urls_node_first_and_one_node_needs_nothing() -> None:
    settings = ServiceSettings(
        environment="test", amqp_url="amqp://u:p@rabbitmq:5672/", amqp_nodes="rabbitmq-2:5672,rabbitmq-3:5672"
    )
    assert settings.amqp_other_nodes == (("rabbitmq-2", 5672), ("rabbitmq-3", 5672))
    assert connection_options("amqp://u:p@rabbitmq:5672/", ()) == {}
    options = connection_options(settings.amqp_url.get_secret_value(), settings.amqp_other_nodes)
    factory = options["connection_class"].keywords["transport_factory"]
    assert options["connection_class"].func is ClusterConnection
    assert factory.nodes == (("rabbitmq", 5672), ("rabbitmq-2", 5672), ("rabbitmq-3", 5672))
    # The operators' commands take a plain connection: one lost ends the command rather than being made again.
    once = connection_options(settings.amqp_url.get_secret_value(), settings.amqp_other_nodes, robust=False)
    assert once["connection_class"].func is ClusterOnceConnection
    assert not issubclass(ClusterOnceConnection, RobustConnection)


@contextlib.asynccontextmanager
async def listener() -> AsyncIterator[tuple[int, list[int]]]:
    """A node that accepts connections: its port, and a list that grows by one per connection it accepted."""
    accepted: list[int] = []

    async def on_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(1)
        writer.close()

    server = await asyncio.start_server(on_connection, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1], accepted
    finally:
        server.close()
        await server.wait_closed()


async def connect_once(factory: ClusterTransportFactory) -> None:
    _, writer = await factory.create(URL("amqp://guest:guest@cluster:5672/"))
    writer.close()


async def test_a_stopped_node_is_passed_over_and_the_answering_one_kept() -> None:
    async with listener() as (live_port, accepted):
        dead_port = free_port()  # nothing listens there: a stopped node
        factory = ClusterTransportFactory([("127.0.0.1", dead_port), ("127.0.0.1", live_port)])
        for attempt in range(1, 6):
            await connect_once(factory)
            assert factory.connected_to == ("127.0.0.1", live_port)
            await eventually(functools.partial(_accepted_at_least, accepted, attempt), description=f"take {attempt}")


async def test_after_losing_its_node_it_goes_to_another() -> None:
    async with contextlib.AsyncExitStack() as nodes:
        listeners = {}
        for _ in range(3):
            stack = contextlib.AsyncExitStack()
            port, _accepted = await stack.enter_async_context(listener())
            listeners[("127.0.0.1", port)] = await nodes.enter_async_context(stack)
        factory = ClusterTransportFactory(list(listeners))
        await connect_once(factory)
        lost = factory.connected_to
        assert lost is not None
        await listeners[lost].aclose()  # that node stops
        await connect_once(factory)
        assert factory.connected_to in set(listeners) - {lost}


async def test_no_node_answering_names_every_node_tried() -> None:
    one, two = free_port(), free_port()
    factory = ClusterTransportFactory([("127.0.0.1", one), ("127.0.0.1", two)], connect_timeout=2)
    with pytest.raises(AMQPConnectionError) as raised:
        await connect_once(factory)
    assert f"127.0.0.1:{one}" in str(raised.value)
    assert f"127.0.0.1:{two}" in str(raised.value)
    assert factory.connected_to is None


async def _accepted_at_least(accepted: list[int], count: int) -> bool:
    return len(accepted) >= count
