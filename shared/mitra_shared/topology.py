"""The broker topology, declared identically by every service (declarations are idempotent).

    <ns>.events                  topic exchange, every event, routing key <service>.<aggregate>.<event>
    <ns>.unrouted                fanout exchange, alternate exchange of <ns>.events
    <ns>.unrouted.kept           quorum queue: events no service is bound to yet are kept here, not dropped (a
                                 name of its own, so that reading the exchange, which binding needs, is not
                                 reading the queue: no service user may consume it)
    <ns>.dead-letter             direct exchange for messages given up on
    <ns>.<consumer>              a consuming service's quorum queue, bound to the routing keys it handles
    <ns>.<consumer>.retry.<N>ms  quorum queue per retry delay; its messages expire back into <ns>.<consumer>
    <ns>.<consumer>.dead-letter  quorum queue of what <ns>.<consumer> gave up on, with the reason in headers

Retries do not rely on the broker's redelivery count: the consumer acknowledges a failed message and republishes
it, with a retry counter header, to the retry queue of the next delay. That behaves the same on RabbitMQ 3.x and
4.x (in 4.3 a nack no longer counts toward `x-delivery-limit`). The delivery limit stays only as a safety net
for a message that kills the consumer before it can decide (each such redelivery still counts).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import aio_pika
import aiormq
import structlog
from aio_pika.abc import AbstractChannel, ExchangeType
from pamqp.common import FieldTable
from yarl import URL

from mitra_shared.amqp_nodes import Node, connection_options

log = structlog.get_logger(__name__)

# Redeliveries without a decision (the consumer process died holding the message) before the broker gives up.
DELIVERY_LIMIT = 20
UNROUTED_MAX_LENGTH = 1_000_000
# Routing keys `audit.<service>.recorded` belong to <service> (see mitra_shared.contracts.audit).
AUDIT_PREFIX = "audit"


@dataclass(frozen=True)
class Names:
    namespace: str = "mitra"

    @property
    def events_exchange(self) -> str:
        return f"{self.namespace}.events"

    @property
    def unrouted_exchange(self) -> str:
        return f"{self.namespace}.unrouted"

    @property
    def unrouted_queue(self) -> str:
        return f"{self.namespace}.unrouted.kept"

    @property
    def dead_letter_exchange(self) -> str:
        return f"{self.namespace}.dead-letter"

    def consumer_queue(self, consumer: str) -> str:
        return f"{self.namespace}.{consumer}"

    def retry_queue(self, consumer: str, delay_ms: int) -> str:
        return f"{self.consumer_queue(consumer)}.retry.{delay_ms}ms"

    def dead_letter_queue(self, consumer: str) -> str:
        return f"{self.consumer_queue(consumer)}.dead-letter"


@dataclass(frozen=True)
class ConsumerTopology:
    """One consuming service's queue, what it is bound to, and its retry delays."""

    names: Names
    consumer: str
    routing_keys: Sequence[str]
    retry_delays_ms: Sequence[int] = field(default_factory=lambda: [1000, 5000, 30000, 120000, 600000])
    # Each service's broker user (`MITRA_AMQP_PUBLISHERS`): a routing key of a service named here is believed only
    # from that user. Empty (local runs and tests, one account for all) turns the publisher check off.
    publishers: Mapping[str, str] = field(default_factory=dict)
    # How far an event's `time` may lie ahead of this consumer's clock before it is refused as forged.
    max_clock_skew_seconds: float = 120.0

    @property
    def queue(self) -> str:
        return self.names.consumer_queue(self.consumer)

    @property
    def dead_letter_queue(self) -> str:
        return self.names.dead_letter_queue(self.consumer)

    def retry_queue(self, attempt: int) -> str:
        """Queue for the `attempt`-th retry (1-based)."""
        return self.names.retry_queue(self.consumer, self.retry_delays_ms[attempt - 1])

    @property
    def max_retries(self) -> int:
        return len(self.retry_delays_ms)


def owner_of(routing_key: str) -> str:
    """The service a routing key belongs to: `registry` for `registry.*`, `<svc>` for `audit.<svc>.*`."""
    first, _, rest = routing_key.partition(".")
    if first == AUDIT_PREFIX:
        return rest.partition(".")[0]
    return first


def broker_user(connection: Any) -> str:
    """The user a connection authenticated as, from its AMQP URL (RabbitMQ's default, `guest`, when it names none).

    Publishers put it in the `user_id` property, which RabbitMQ refuses unless it is the connection's own user."""
    url = getattr(connection, "url", None)
    return user_of(url) if url is not None else "guest"


def user_of(amqp_url: str | URL) -> str:
    return URL(amqp_url).user or "guest"


def delays_ms(seconds: Iterable[float]) -> list[int]:
    return [max(1, round(value * 1000)) for value in seconds]


async def declare_backbone(channel: AbstractChannel, names: Names) -> None:
    unrouted = await channel.declare_exchange(names.unrouted_exchange, ExchangeType.FANOUT, durable=True)
    await declare_events_exchange(channel, names)
    unrouted_queue = await channel.declare_queue(
        names.unrouted_queue,
        durable=True,
        arguments={
            "x-queue-type": "quorum",
            "x-max-length": UNROUTED_MAX_LENGTH,
            "x-overflow": "drop-head",
        },
    )
    await unrouted_queue.bind(unrouted)
    await channel.declare_exchange(names.dead_letter_exchange, ExchangeType.DIRECT, durable=True)


async def declare_events_exchange(channel: AbstractChannel, names: Names) -> None:
    """The events exchange, with `<ns>.unrouted` as its alternate exchange when Mitra is the first to declare it.
    Another client (a subscribing system, say) may have declared it first as a plain durable topic exchange, as any
    AMQP client may: RabbitMQ then refuses a declaration with other arguments (PRECONDITION_FAILED, closing the
    channel), so the exchange is taken as it is, and the relay itself sends what no queue took to `<ns>.unrouted`
    (`OutboxRelay`: mandatory publishing, a returned event goes there). Either way no event is lost and none stops
    a service from starting.

    The declaration that may be refused goes over a plain channel of its own, opened on the same connection: the
    refusal closes that channel only. On `channel` itself (a robust channel) the refusal would start aio-pika's own
    restore in the background, racing any reopen here, and a later declaration could meet a channel closed under
    it."""
    arguments: FieldTable = {"alternate-exchange": names.unrouted_exchange}
    underlay = await channel.get_underlay_channel()
    probe = await underlay.connection.channel(publisher_confirms=False)
    try:
        await probe.exchange_declare(
            names.events_exchange, exchange_type=ExchangeType.TOPIC.value, durable=True, arguments=arguments
        )
    except aiormq.exceptions.ChannelPreconditionFailed:
        log.warning(
            "the events exchange exists without Mitra's alternate exchange; using it as it is",
            exchange=names.events_exchange,
        )
        await channel.declare_exchange(names.events_exchange, ExchangeType.TOPIC, passive=True)
        return
    finally:
        if not probe.is_closed:
            await probe.close()
    # Declared on `channel` too, so that the robust channel declares it again after a reconnection, as it does the
    # queues bound to it.
    await channel.declare_exchange(names.events_exchange, ExchangeType.TOPIC, durable=True, arguments=arguments)


async def declare_consumer(channel: AbstractChannel, topology: ConsumerTopology) -> None:
    names = topology.names
    await declare_backbone(channel, names)
    events = await channel.get_exchange(names.events_exchange, ensure=False)
    dead_letter = await channel.get_exchange(names.dead_letter_exchange, ensure=False)

    dead_letter_queue = await channel.declare_queue(
        topology.dead_letter_queue, durable=True, arguments={"x-queue-type": "quorum"}
    )
    await dead_letter_queue.bind(dead_letter, routing_key=topology.queue)

    queue = await channel.declare_queue(
        topology.queue,
        durable=True,
        arguments={
            "x-queue-type": "quorum",
            "x-delivery-limit": DELIVERY_LIMIT,
            "x-dead-letter-exchange": names.dead_letter_exchange,
            "x-dead-letter-routing-key": topology.queue,
        },
    )
    for routing_key in topology.routing_keys:
        await queue.bind(events, routing_key=routing_key)

    for delay in sorted(set(topology.retry_delays_ms)):
        await channel.declare_queue(
            names.retry_queue(topology.consumer, delay),
            durable=True,
            arguments={
                "x-queue-type": "quorum",
                "x-message-ttl": delay,
                # Back to the consumer's own queue through the default exchange, whatever the original key was.
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": topology.queue,
                # at-least-once dead-lettering needs reject-publish overflow; it keeps an expiring retry from being
                # lost if the broker restarts while moving it back.
                "x-dead-letter-strategy": "at-least-once",
                "x-overflow": "reject-publish",
            },
        )


async def queue_depth(channel: AbstractChannel, queue: str) -> int:
    """The messages waiting in `queue`, from a passive declaration (nothing declared or changed): for the gauges of
    dead letters and unrouted events (`mitra_shared.gauges`). On the underlying channel: a robust channel answers a
    passive declaration of a queue it knows from its cache, with the count of then."""
    declared = await (await channel.get_underlay_channel()).queue_declare(queue, passive=True)
    return int(declared.message_count or 0)


async def connect(url: str, other_nodes: Sequence[Node] = ()) -> aio_pika.abc.AbstractRobustConnection:
    """A robust connection to the URL's node, or to any of `other_nodes` of its cluster (mitra_shared.amqp_nodes)."""
    return await aio_pika.connect_robust(
        url, client_properties={"connection_name": "mitra"}, **connection_options(url, other_nodes)
    )
