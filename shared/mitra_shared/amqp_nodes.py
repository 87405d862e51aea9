"""Connecting to a RabbitMQ cluster: any node that answers, not only the one `MITRA_AMQP_URL` names.

`MITRA_AMQP_NODES` lists the cluster's other nodes (`host[:port]`, comma-separated). Every connection attempt, the
first and each reconnection after a node was lost, tries the nodes in turn until one answers: the one that answered
last first, then the others in random order (which spreads the replicas' connections over the cluster); the user,
password, virtual host and TLS of the URL apply to every node. This is what RabbitMQ's own clients call a
list of endpoints; aio-pika (under FastStream) has none, but its transport is made by aiormq through a factory,
which is the one thing replaced here.
"""

from __future__ import annotations

import asyncio
import functools
import random
from collections.abc import Sequence
from typing import Any

from aio_pika import Connection, RobustConnection
from aiormq.connection import TCPTransportFactory, TLSTransportFactory, TransportFactory
from aiormq.exceptions import AMQPConnectionError
from yarl import URL

Node = tuple[str, int]
DEFAULT_PORT = {"amqp": 5672, "amqps": 5671}
NODE_CONNECT_TIMEOUT_SECONDS = 5.0  # a node that neither answers nor refuses does not hold up the others


def parse_nodes(text: str, *, scheme: str = "amqp") -> tuple[Node, ...]:
    """`rabbitmq-2:5672, rabbitmq-3` -> (("rabbitmq-2", 5672), ("rabbitmq-3", 5672)); ValueError names the entry."""
    nodes: list[Node] = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        host, _, port_text = entry.partition(":")
        if not host or any(character in host for character in "/@ "):
            raise ValueError(f"{entry!r} is not host[:port]")
        if port_text and not (port_text.isdigit() and 0 < int(port_text) < 65536):
            raise ValueError(f"{entry!r}: the port must be a number from 1 to 65535")
        nodes.append((host, int(port_text) if port_text else DEFAULT_PORT.get(scheme, 5672)))
    return tuple(nodes)


def cluster_nodes(amqp_url: str, other_nodes: Sequence[Node]) -> tuple[Node, ...]:
    """The URL's node, then the others, each once."""
    url = URL(amqp_url)
    first = (url.host or "localhost", url.port or DEFAULT_PORT.get(url.scheme, 5672))
    return tuple(dict.fromkeys([first, *other_nodes]))


class ClusterTransportFactory(TransportFactory):
    """aiormq's transport to the first of `nodes` that accepts a connection: the one that did last, then the others
    in random order (the connections a lost node held spread over the rest rather than all moving to one)."""

    def __init__(self, nodes: Sequence[Node], *, connect_timeout: float = NODE_CONNECT_TIMEOUT_SECONDS) -> None:
        if not nodes:
            raise ValueError("a cluster needs at least one node")
        self.nodes = tuple(nodes)
        self.connect_timeout = connect_timeout
        self.connected_to: Node | None = None

    def _order(self) -> list[Node]:
        others = [node for node in self.nodes if node != self.connected_to]
        random.shuffle(others)  # spreads the replicas over the nodes; no secret in it
        return [self.connected_to, *others] if self.connected_to is not None else others

    async def create(self, url: URL, **kwargs: Any) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        transport = TLSTransportFactory() if url.scheme == "amqps" else TCPTransportFactory()
        failures: list[str] = []
        for host, port in self._order():
            try:
                # The factories take their options out of kwargs: each attempt gets its own copy.
                streams = await asyncio.wait_for(
                    transport.create(url.with_host(host).with_port(port), **dict(kwargs)), self.connect_timeout
                )
            except (AMQPConnectionError, OSError, TimeoutError) as error:
                failures.append(f"{host}:{port}: {error or type(error).__name__}")
                continue
            self.connected_to = (host, port)
            return streams
        raise AMQPConnectionError(f"no node of the cluster accepted a connection ({'; '.join(failures)})")


class ClusterConnection(RobustConnection):
    """aio-pika's robust connection whose every (re)connection goes through a `ClusterTransportFactory`. aio-pika
    hands keyword arguments of `connect_robust` to the URL's query, not to aiormq, so the factory is set here."""

    def __init__(self, url: URL, *args: Any, transport_factory: ClusterTransportFactory, **kwargs: Any) -> None:
        super().__init__(url, *args, **kwargs)
        self.kwargs["transport_factory"] = transport_factory


class ClusterOnceConnection(Connection):
    """The same for a plain connection (the operators' commands: one that is lost ends the command)."""

    def __init__(self, url: URL, *args: Any, transport_factory: ClusterTransportFactory, **kwargs: Any) -> None:
        super().__init__(url, *args, **kwargs)
        self.kwargs["transport_factory"] = transport_factory


def connection_options(amqp_url: str, other_nodes: Sequence[Node], *, robust: bool = True) -> dict[str, Any]:
    """What aio-pika's `connect_robust` (and FastStream's broker), or with `robust=False` its `connect`, take to
    reach the cluster: nothing for one node."""
    if not other_nodes:
        return {}
    factory = ClusterTransportFactory(cluster_nodes(amqp_url, other_nodes))
    connection_class = ClusterConnection if robust else ClusterOnceConnection
    return {"connection_class": functools.partial(connection_class, transport_factory=factory)}


def reach_cluster(broker: Any, amqp_url: str, other_nodes: Sequence[Node]) -> None:
    """Let a FastStream `RabbitBroker` connect to any node of the cluster. FastStream hands its connection
    arguments to aio-pika's `connect_robust` unchanged but has no parameter of its own for the connection class, so
    it joins them here, before the broker connects (tests/e2e/test_services_reach_any_rabbitmq_node.py: a service
    whose URL's node is down starts and consumes)."""
    broker._connection_kwargs.update(connection_options(amqp_url, other_nodes))
