"""Broker identities on the real RabbitMQ: compose's definitions (deploy/rabbitmq/) give each service a user that
publishes only its own routing keys and a subscriber user that publishes nothing; publishers stamp the AMQP `user_id`,
which the broker validates; consumers dead-letter, changing nothing, an event whose publisher, `source`, `time` or
routing key does not fit, and apply a genuine one, also after a retry or a replay. The definitions are rendered for
throwaway users in a throwaway virtual host, imported with `rabbitmqctl` (`MITRA_TEST_RABBITMQCTL` replaces it) and
deleted after. The `intruder`, with every permission there, stands for a misused account (the administrator's, say).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import secrets
import shlex
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import aio_pika
import aiormq
import asyncpg
import pytest
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractRobustConnection
from support.broker import AMQP_URL, collect
from support.paths import REPO
from support.polling import eventually

from mitra_shared import dead_letters, inbox, outbox
from mitra_shared import events as ev
from mitra_shared.errors import RuleBroken
from mitra_shared.events import EventData, EventKind
from mitra_shared.inbox import EventConsumer
from mitra_shared.outbox import OutboxRelay
from mitra_shared.topology import ConsumerTopology, Names, broker_user, declare_backbone, declare_consumer
from mitra_shared.uow import Transaction

pytestmark = pytest.mark.integration

RABBITMQCTL = shlex.split(os.environ.get("MITRA_TEST_RABBITMQCTL", "rabbitmqctl"))
DEFINITIONS = REPO / "deploy" / "rabbitmq"
NAMES = Names("mitra")
DELAYS_MS = [200, 400]
INTRUDER = "intruder"


def _renderer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("render_definitions", DEFINITIONS / "render_definitions.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rabbitmqctl(*arguments: str, stdin: str | None = None, check: bool = True) -> None:
    result = subprocess.run(
        [*RABBITMQCTL, *arguments], input=stdin, capture_output=True, text=True, timeout=60, check=False
    )
    if check:
        assert result.returncode == 0, f"rabbitmqctl {arguments[0]} failed: {result.stdout}{result.stderr}"


@dataclass(frozen=True)
class Broker:
    """The throwaway virtual host and users: `user("mitra-registry")` is compose's registry user, renamed."""

    vhost: str
    prefix: str
    passwords: dict[str, str]

    def user(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def url(self, name: str) -> str:
        parts = urlsplit(AMQP_URL)
        host = parts.netloc.rpartition("@")[2]
        netloc = f"{quote(self.user(name), safe='')}:{quote(self.passwords[name], safe='')}@{host}"
        return urlunsplit(parts._replace(netloc=netloc, path="/" + quote(self.vhost, safe="")))

    @property
    def publishers(self) -> dict[str, str]:
        return {service: self.user(f"mitra-{service}") for service in ("registry", "agreements", "reporting")}


@pytest.fixture(scope="module")
def broker() -> Iterator[Broker]:
    renderer = _renderer()
    template = json.loads((DEFINITIONS / "definitions.json").read_text())
    names = [entry["name"] for entry in template["users"]]
    passwords = {name: secrets.token_urlsafe(18) for name in [*names, INTRUDER]}
    token = uuid.uuid4().hex[:12]
    test = Broker(vhost=f"test-identities-{token}", prefix=f"test-{token}-", passwords=passwords)
    rendered = renderer.render(
        template,
        {renderer.password_variable(name): passwords[name] for name in names},
        vhost=test.vhost,
        user_prefix=test.prefix,
    )
    intruder = {"name": test.user(INTRUDER), "hashing_algorithm": renderer.HASHING, "tags": []}
    rendered["users"].append({**intruder, "password_hash": renderer.password_hash(passwords[INTRUDER])})
    everything = {"configure": ".*", "write": ".*", "read": ".*"}
    rendered["permissions"].append({"user": test.user(INTRUDER), "vhost": test.vhost, **everything})
    try:
        _rabbitmqctl("import_definitions", stdin=json.dumps(rendered))
        yield test
    finally:
        _rabbitmqctl("delete_vhost", test.vhost, check=False)
        for name in [*names, INTRUDER]:
            _rabbitmqctl("delete_user", test.user(name), check=False)


@pytest.fixture
async def backbone(broker: Broker) -> None:
    """The shared exchanges, declared by a service user as a service declares them at start."""
    connection = await aio_pika.connect(broker.url("mitra-registry"))
    async with connection:
        await declare_backbone(await connection.channel(), NAMES)


class PermitGranted(EventData):
    """Registry's event as the test sends it; its fields tell the consumer's handler how to behave."""

    kind = EventKind("registry", "permit", "granted", 1)

    name: str
    fail_times: int = 0
    refuse: bool = False


async def _publish(
    broker: Broker,
    as_user: str,
    event: ev.CloudEvent[Any],
    *,
    routing_key: str | None = None,
    exchange: str = NAMES.events_exchange,
    user_id: str | None = "own",
    headers: dict[str, Any] | None = None,
) -> None:
    """Publish an event as a user would (CloudEvents body and headers); `user_id="own"` claims the user's own."""
    connection = await aio_pika.connect(broker.url(as_user))
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        target = channel.default_exchange if exchange == "" else await channel.get_exchange(exchange, ensure=False)
        await target.publish(
            aio_pika.Message(
                ev.encode(event),
                headers={**ev.amqp_headers(event), **(headers or {})},
                content_type=ev.CONTENT_TYPE,
                message_id=str(event.id),
                type=event.type,
                user_id=broker.user(as_user) if user_id == "own" else user_id,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            routing_key=routing_key or event.type.removeprefix(f"{ev.TYPE_PREFIX}.").rsplit(".v", 1)[0],
        )


def _permit(name: str, **fields: Any) -> ev.CloudEvent[Any]:
    return ev.new_event(PermitGranted(name=name, **fields), subject=name)


# --- what the broker enforces --------------------------------------------------------------------------------------


@pytest.mark.usefixtures("backbone")
@pytest.mark.parametrize(
    ("user", "routing_key"),
    [
        ("mitra-agreements", "registry.permit.granted"),
        ("mitra-agreements", "audit.registry.recorded"),
        ("mitra-registry", "agreements.msp.signed"),
        ("mitra-notifications", "registry.organization.registered"),
    ],
)
async def test_a_service_user_cannot_publish_another_services_routing_key(
    broker: Broker, user: str, routing_key: str
) -> None:
    with pytest.raises(aiormq.exceptions.ChannelAccessRefused, match="ACCESS_REFUSED"):
        await _publish(broker, user, _permit("forged"), routing_key=routing_key)


@pytest.mark.usefixtures("backbone")
async def test_a_service_user_publishes_its_own_routing_keys_and_audit_entries(broker: Broker) -> None:
    await _publish(broker, "mitra-registry", _permit("own"))
    await _publish(broker, "mitra-registry", _permit("own"), routing_key="audit.registry.recorded")


@pytest.mark.usefixtures("backbone")
async def test_a_publisher_cannot_claim_another_user(broker: Broker) -> None:
    with pytest.raises(aiormq.exceptions.ChannelPreconditionFailed, match="user_id"):
        await _publish(broker, "mitra-registry", _permit("claimed"), user_id=broker.user("mitra-agreements"))


@pytest.mark.usefixtures("backbone")
async def test_a_subscriber_user_cannot_publish_at_all_and_reads_only_its_own_queues(broker: Broker) -> None:
    subscriber = "mitra-subscriber-example"
    with pytest.raises(aiormq.exceptions.ChannelAccessRefused):
        await _publish(broker, subscriber, _permit("from a subscriber"))
    with pytest.raises(aiormq.exceptions.ChannelAccessRefused):
        await _publish(broker, subscriber, _permit("from a subscriber"), exchange="", routing_key="mitra.agreements")

    connection = await aio_pika.connect(broker.url(subscriber))
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue("subscriber.example.permits", auto_delete=True)
        await queue.bind(NAMES.events_exchange, routing_key="registry.#")
        with pytest.raises(aiormq.exceptions.ChannelAccessRefused):
            await queue.bind(NAMES.events_exchange, routing_key="audit.#")
    for forbidden in ("mitra.agreements", "subscriber.other.permits"):
        connection = await aio_pika.connect(broker.url(subscriber))
        async with connection:
            with pytest.raises(aiormq.exceptions.ChannelAccessRefused):
                await (await connection.channel()).declare_queue(forbidden)


@pytest.mark.usefixtures("backbone")
@pytest.mark.parametrize("user", ["mitra-agreements", "mitra-subscriber-example"])
async def test_no_service_or_subscriber_user_reads_the_events_kept_unrouted(broker: Broker, user: str) -> None:
    # Every service declares and binds the unrouted queue (the backbone fixture did, as registry); reading it is
    # the operators'.
    connection = await aio_pika.connect(broker.url(user))
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(NAMES.unrouted_queue, ensure=False)
        with pytest.raises(aiormq.exceptions.ChannelAccessRefused):
            await queue.get(no_ack=True, fail=False)


# --- what the consumer refuses -------------------------------------------------------------------------------------


@dataclass
class Consumer:
    broker: Broker
    pool: asyncpg.Pool
    amqp: AbstractRobustConnection
    topology: ConsumerTopology
    consumer: EventConsumer
    channel: AbstractChannel
    calls: dict[uuid.UUID, int] = field(default_factory=dict)
    deliveries: list[AbstractIncomingMessage] = field(default_factory=list)
    accept: set[str] = field(default_factory=set)

    async def on_message(self, message: AbstractIncomingMessage) -> None:
        self.deliveries.append(message)
        await self.consumer.handle(message)

    async def things(self, name: str) -> int:
        return int(await self.pool.fetchval("SELECT count(*) FROM things WHERE name = $1", name))

    async def inbox_rows(self, event_id: uuid.UUID) -> int:
        return int(await self.pool.fetchval("SELECT count(*) FROM inbox WHERE event_id = $1", event_id))

    async def dead_letters(self, count: int = 1) -> list[AbstractIncomingMessage]:
        return await collect(await self.channel.get_queue(self.topology.dead_letter_queue, ensure=False), count)


async def _consumer(broker: Broker, pool: asyncpg.Pool, publishers: dict[str, str]) -> AsyncIterator[Consumer]:
    await pool.execute("CREATE TABLE IF NOT EXISTS things (event_id uuid NOT NULL, name text NOT NULL)")
    # Agreements' own user declares its own queues and consumes them, as the service does.
    amqp = await aio_pika.connect_robust(broker.url("mitra-agreements"))
    topology = ConsumerTopology(NAMES, "agreements", ["registry.permit.granted"], DELAYS_MS, publishers=publishers)
    channel = await amqp.channel(publisher_confirms=True)
    await declare_consumer(channel, topology)
    await (await channel.get_queue(topology.dead_letter_queue, ensure=False)).purge()
    calls: dict[uuid.UUID, int] = {}
    accept: set[str] = set()

    async def apply(tx: Transaction, event: ev.ReceivedEvent, data: PermitGranted) -> None:
        calls[event.id] = calls.get(event.id, 0) + 1
        await tx.conn.execute("INSERT INTO things (event_id, name) VALUES ($1, $2)", event.id, data.name)
        if data.refuse and data.name not in accept:
            raise RuleBroken("data.name", f"{data.name!r} is refused until the test accepts it")
        if calls[event.id] <= data.fail_times:
            raise RuntimeError(f"failing {data.name!r} on call {calls[event.id]}")

    consumer = EventConsumer(
        pool=pool,
        amqp=amqp,
        topology=topology,
        handlers={PermitGranted.kind.type: inbox.handler(PermitGranted, apply)},
        clock=lambda: datetime.now(UTC),
    )
    test = Consumer(broker, pool, amqp, topology, consumer, channel, calls=calls, accept=accept)
    consume_channel = await amqp.channel()
    await consume_channel.set_qos(prefetch_count=1)
    tag = await (await consume_channel.get_queue(topology.queue, ensure=False)).consume(test.on_message)
    try:
        yield test
    finally:
        await (await consume_channel.get_queue(topology.queue, ensure=False)).cancel(tag)
        await consume_channel.close()
        await consumer.close()
        for queue in (topology.queue, topology.dead_letter_queue, *(topology.retry_queue(n) for n in (1, 2))):
            await (await channel.get_queue(queue, ensure=False)).purge()
        await channel.close()
        await amqp.close()


@pytest.fixture
async def agreements(broker: Broker, backbone: None, pool: asyncpg.Pool) -> AsyncIterator[Consumer]:
    async for test in _consumer(broker, pool, broker.publishers):
        yield test


@pytest.fixture
async def agreements_without_publishers(broker: Broker, backbone: None, pool: asyncpg.Pool) -> AsyncIterator[Consumer]:
    async for test in _consumer(broker, pool, {}):
        yield test


FORGED = [
    pytest.param(INTRUDER, {}, "published by broker user 'test-", id="wrong-publisher"),
    pytest.param(INTRUDER, {"user_id": None}, "published by broker user ''", id="no-publisher"),
    pytest.param(
        INTRUDER,
        {"headers": {inbox.PUBLISHER_HEADER: "REGISTRY"}},
        "published by broker user 'test-",
        id="publisher-header-forged",
    ),
    pytest.param(
        INTRUDER,
        {
            "exchange": "",
            "routing_key": "mitra.agreements.retry.200ms",
            "headers": {inbox.PUBLISHER_HEADER: "REGISTRY"},
        },
        "published by broker user 'test-",
        id="slipped-into-the-retry-queue",
    ),
    pytest.param("mitra-registry", {"source": "/mitra/agreements"}, "source '/mitra/agreements'", id="wrong-source"),
    pytest.param("mitra-registry", {"source": "/mitra/audit"}, "source '/mitra/audit'", id="audit-source"),
    pytest.param("mitra-registry", {"time": timedelta(hours=1)}, "s in the future", id="future-time"),
    pytest.param(
        "mitra-registry",
        {"type": "id.go.mitra.agreements.msp.signed.v1"},
        "routing key 'registry.permit.granted' is not",
        id="wrong-type",
    ),
]


@pytest.mark.parametrize(("sender", "forgery", "reason"), FORGED)
async def test_a_forged_event_is_dead_lettered_with_its_reason_and_changes_nothing(
    agreements: Consumer, sender: str, forgery: dict[str, Any], reason: str
) -> None:
    forgery = dict(forgery)
    event = _permit(f"forged-{uuid.uuid4().hex[:8]}")
    if "source" in forgery:
        event = event.model_copy(update={"source": forgery.pop("source")})
    if "time" in forgery:
        event = event.model_copy(update={"time": datetime.now(UTC) + forgery.pop("time")})
    if "type" in forgery:
        event = event.model_copy(update={"type": forgery.pop("type")})
        forgery["routing_key"] = "registry.permit.granted"
    headers = {
        key: (agreements.broker.user("mitra-registry") if value == "REGISTRY" else value)
        for key, value in forgery.pop("headers", {}).items()
    }
    await _publish(agreements.broker, sender, event, headers=headers, **forgery)

    [dead] = await agreements.dead_letters()
    assert dead.message_id == str(event.id)
    assert str(dead.headers[inbox.REASON_HEADER]).startswith("forged: "), dead.headers[inbox.REASON_HEADER]
    assert reason in str(dead.headers[inbox.REASON_HEADER]), dead.headers[inbox.REASON_HEADER]
    assert agreements.calls.get(event.id) is None
    assert await agreements.things(event.data.name) == 0
    assert await agreements.inbox_rows(event.id) == 0


async def test_a_genuine_event_is_applied(agreements: Consumer) -> None:
    event = _permit("genuine")
    await _publish(agreements.broker, "mitra-registry", event)

    await eventually(lambda: agreements.inbox_rows(event.id), description="genuine event applied")
    assert await agreements.things("genuine") == 1


async def test_a_genuine_event_is_applied_after_a_retry_which_keeps_its_publisher(agreements: Consumer) -> None:
    event = _permit("retried", fail_times=1)
    await _publish(agreements.broker, "mitra-registry", event)

    await eventually(lambda: agreements.inbox_rows(event.id), description="retried event applied")
    assert agreements.calls[event.id] == 2
    assert await agreements.things("retried") == 1
    first, retried = [message for message in agreements.deliveries if message.message_id == str(event.id)]
    registry, own = agreements.broker.user("mitra-registry"), agreements.broker.user("mitra-agreements")
    assert first.user_id == registry
    # The retried copy was republished by the consumer under its own user, the publisher kept in the header.
    assert (retried.user_id, retried.headers[inbox.PUBLISHER_HEADER]) == (own, registry)
    assert agreements.consumer.publisher_of(retried) == registry


async def test_a_dead_lettered_genuine_event_replayed_by_the_operator_is_applied(agreements: Consumer) -> None:
    event = _permit("replayed", refuse=True)
    await _publish(agreements.broker, "mitra-registry", event)
    channel = await agreements.amqp.channel(publisher_confirms=True, on_return_raises=True)

    async def refused() -> list[dead_letters.DeadLetter]:
        return await dead_letters.peek(channel, agreements.topology, limit=10)

    [dead] = await eventually(refused, description="the refused event dead-lettered")
    assert dead.reason.startswith("refused: ")
    agreements.accept.add("replayed")
    # The operator replays with the service's own command, hence as its own broker user.
    assert await dead_letters.replay(channel, agreements.topology, limit=10) == 1
    await channel.close()

    await eventually(lambda: agreements.inbox_rows(event.id), description="replayed event applied")
    assert await agreements.things("replayed") == 1


async def test_without_publishers_configured_the_publisher_is_not_checked_but_source_and_time_are(
    agreements_without_publishers: Consumer,
) -> None:
    test = agreements_without_publishers
    anyone = _permit("from anyone")
    await _publish(test.broker, INTRUDER, anyone)
    await eventually(lambda: test.inbox_rows(anyone.id), description="event of an unconfigured publisher applied")

    future = _permit("from the future").model_copy(update={"time": datetime.now(UTC) + timedelta(minutes=10)})
    await _publish(test.broker, INTRUDER, future)
    [dead] = await test.dead_letters()
    assert "in the future" in str(dead.headers[inbox.REASON_HEADER])
    assert await test.things("from the future") == 0


async def test_the_outbox_relay_publishes_as_its_connections_user(
    broker: Broker, backbone: None, pool: asyncpg.Pool
) -> None:
    amqp = await aio_pika.connect_robust(broker.url("mitra-registry"))
    try:
        assert broker_user(amqp) == broker.user("mitra-registry")
        channel = await amqp.channel()
        queue = await channel.declare_queue("mitra.registry.relay-test", exclusive=True)
        await queue.bind(NAMES.events_exchange, routing_key="registry.permit.granted")
        event = _permit("relayed")
        async with pool.acquire() as conn, conn.transaction():
            await outbox.record(conn, event)
        relay = OutboxRelay(pool=pool, listen_dsn="", amqp=amqp, exchange_name=NAMES.events_exchange)
        assert await relay.publish_pending() == 1
        [message] = await collect(queue, 1)
        assert (message.message_id, message.user_id) == (str(event.id), broker.user("mitra-registry"))
        await relay.stop()
    finally:
        await amqp.close()


def test_the_definitions_give_every_service_only_its_own_routing_keys_and_subscribers_no_audit() -> None:
    template = json.loads((DEFINITIONS / "definitions.json").read_text())
    services = ("console", "registry", "agreements", "notifications", "reporting")
    topics = {entry["user"]: entry for entry in template["topic_permissions"]}
    assert {entry["exchange"] for entry in topics.values()} == {NAMES.events_exchange}
    for service in services:
        write = re.compile(topics[f"mitra-{service}"]["write"])
        for other in services:
            for key in (f"{other}.thing.happened", f"audit.{other}.recorded"):
                assert bool(write.search(key)) == (other == service), (service, key)
        assert bool(re.search(topics[f"mitra-{service}"]["read"], "audit.registry.recorded")) == (
            service == "reporting"
        ), "only reporting binds the audit trail"
    subscriber = topics["mitra-subscriber-example"]
    assert re.search(subscriber["read"], "registry.permit.granted")
    assert not re.search(subscriber["read"], "audit.registry.recorded")
    assert "guest" not in {user["name"] for user in template["users"]}
    assert all(not user["password_hash"] for user in template["users"]), "no password in a committed file"
