"""The run-time of a service: database, migrations, broker topology, outbox relay, consumer, HTTP app, metrics.

A service's `bootstrap.py` describes its parts (settings, migrations, the events it consumes and publishes, its routers
and background workers) and gets back a FastAPI app whose lifespan starts them in order and stops them in reverse: on
SIGTERM the broker stops consuming and lets in-flight messages finish, the relay finishes its batch, then connections
close. The metrics are served apart from the public port, on MITRA_METRICS_HOST:MITRA_METRICS_PORT.
"""

from __future__ import annotations

import gc
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import aio_pika
import asyncpg
import structlog
from fastapi import APIRouter, Depends, FastAPI
from faststream.middlewares import AckPolicy
from faststream.rabbit import Channel, ExchangeType, QueueType, RabbitBroker, RabbitExchange, RabbitQueue
from faststream.rabbit.annotations import RabbitMessage
from faststream.rabbit.subscriber import RabbitSubscriber
from faststream.specification import AsyncAPI

from mitra_shared import amqp_nodes, db, metrics, outbox, topology
from mitra_shared.auth import TokenVerifier
from mitra_shared.body_limit import JsonBodyLimit
from mitra_shared.clock import Clock, system_clock
from mitra_shared.contracts.audit import audit_kind_of
from mitra_shared.delivery_order import DeliveryOrder
from mitra_shared.events import CloudEvent, EventData, EventKind
from mitra_shared.gauges import GaugeRefresher
from mitra_shared.http import RequestContextMiddleware, install_operations_routes, install_problem_handlers
from mitra_shared.inbox import EventConsumer, Handler, as_received
from mitra_shared.openapi import install_problem_documentation
from mitra_shared.outbox import OutboxRelay
from mitra_shared.policy import PUBLIC, enforce_declared_policy, install_policy_documentation, record_policies
from mitra_shared.settings import ServiceSettings
from mitra_shared.uow import UnitOfWork

if TYPE_CHECKING:
    from mitra_shared.documents.storage import DocumentStore

log = structlog.get_logger(__name__)


@dataclass
class Resources:
    """What a started service holds; handed to workers and, through `app.state.resources`, to routes."""

    settings: ServiceSettings
    pool: asyncpg.Pool
    amqp: aio_pika.abc.AbstractRobustConnection
    uow: UnitOfWork
    clock: Clock
    # The document store of a service with `documents=True` (None otherwise), built and checked at start.
    store: DocumentStore | None = None


class Worker(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...


@dataclass(frozen=True)
class AdminCommand:
    """A service's own command line action (`python -m mitra_<service> <name>`), e.g. reporting's `rebuild`."""

    help: str
    run: Callable[[ServiceSettings], Coroutine[Any, Any, str]]


@dataclass
class ServiceSpec:
    name: str
    title: str
    description: str
    version: str
    settings: ServiceSettings
    migrations: db.MigrationSource
    routers: Sequence[APIRouter] = ()
    consumes: Mapping[EventKind, Handler[Any]] = field(default_factory=dict)
    publishes: Sequence[type[EventData]] = ()
    workers: Sequence[Callable[[Resources], Worker]] = ()
    openapi_tags: Sequence[dict[str, str]] = ()
    commands: Mapping[str, AdminCommand] = field(default_factory=dict)
    # One message at a time in delivery order, `consumer_prefetch` in flight (`delivery_order`): for a consumer whose
    # effects depend on the order of events (a read model rebuilt by replaying its log in the order it applied it).
    ordered_consumption: bool = False
    clock: Clock = system_clock  # the `now` of every request's and message's context, and the workers' time
    # Run once the pool is up, before anything is served or consumed; one raises to refuse to start.
    startup_checks: Sequence[Callable[[Resources], Awaitable[None]]] = ()
    # Files (mitra_shared.documents): the `documents` tables migrated, the store built at start and checked for
    # readiness, the resumable `/uploads` endpoints served, and the sweeper of orphaned files and expired uploads.
    documents: bool = False


class ServiceRuntime:
    def __init__(self, spec: ServiceSpec) -> None:
        self.spec = spec
        settings = spec.settings
        self.names = topology.Names(settings.amqp_namespace)
        self.consumer_topology = topology.ConsumerTopology(
            names=self.names,
            consumer=spec.name,
            routing_keys=sorted({kind.routing_key for kind in spec.consumes}),
            retry_delays_ms=topology.delays_ms(settings.retry_delays_seconds),
            publishers=settings.amqp_publishers,
            max_clock_skew_seconds=settings.amqp_max_clock_skew_seconds,
        )
        self.broker = RabbitBroker(
            settings.amqp_url.get_secret_value(),
            graceful_timeout=settings.shutdown_grace_seconds,
            default_channel=Channel(prefetch_count=settings.consumer_prefetch),
            logger=logging.getLogger(f"mitra.{spec.name}.broker"),
            log_level=logging.DEBUG,
            apply_types=False,  # no FastDepends, so no thread hop per message: see `inbox.as_received`
        )
        amqp_nodes.reach_cluster(self.broker, settings.amqp_url.get_secret_value(), settings.amqp_other_nodes)
        self.subscriber: RabbitSubscriber | None = None
        self.order = DeliveryOrder() if spec.ordered_consumption else None
        self._declare_documented_publishers()
        if spec.consumes:
            self._declare_subscriber()
        self.resources: Resources | None = None
        self.relay: OutboxRelay | None = None
        self.consumer: EventConsumer | None = None
        self._workers: list[Worker] = []

    # --- contracts, for the AsyncAPI document -------------------------------------------------------------------

    def _events_exchange(self) -> RabbitExchange:
        return RabbitExchange(self.names.events_exchange, type=ExchangeType.TOPIC, durable=True, declare=False)

    def _declare_documented_publishers(self) -> None:
        # Every service also publishes its audit entries (reporting keeps the trail; subscribers may not bind them).
        for model in (*self.spec.publishes, audit_kind_of(self.spec.name)):
            kind = model.kind
            envelope = CloudEvent[model]  # type: ignore[valid-type]
            envelope.__name__ = f"{model.__name__}V{kind.version}"
            self.broker.publisher(
                exchange=self._events_exchange(),
                routing_key=kind.routing_key,
                title=f"{kind.routing_key}:publish",
                description=f"{(model.__doc__ or '').strip()} CloudEvents type `{kind.type}`; persistent, "
                "with the CloudEvents attributes also as `cloudEvents_*` headers.",
                schema=envelope,
                persist=True,
            )

    def _declare_subscriber(self) -> None:
        kinds = sorted(self.spec.consumes, key=lambda kind: kind.routing_key)
        handled = ", ".join(f"`{kind.type}`" for kind in kinds)
        subscriber = self.broker.subscriber(
            RabbitQueue(self.consumer_topology.queue, queue_type=QueueType.QUORUM, declare=False),
            channel=Channel(prefetch_count=self.spec.settings.consumer_prefetch) if self.order is not None else None,
            ack_policy=AckPolicy.MANUAL,
            decoder=as_received,
            title=f"{self.consumer_topology.queue}:consume",
            description=(
                f"{self.spec.title} consumes {handled} from `{self.names.events_exchange}`, each at most once "
                f"per event id; failures are retried after {self.consumer_topology.retry_delays_ms} ms, then "
                f"dead-lettered to `{self.consumer_topology.dead_letter_queue}` with the reason."
            ),
        )

        async def on_event(message: RabbitMessage) -> None:
            assert self.consumer is not None, "messages arrive only after start()"
            consumer, raw = self.consumer, message.raw_message
            await (consumer.handle(raw) if self.order is None else self.order.apply_in_turn(raw, consumer.handle_many))

        subscriber(on_event)
        self.subscriber = subscriber

    def asyncapi(self) -> AsyncAPI:
        return AsyncAPI(
            self.broker,
            title=f"Mitra {self.spec.title} events",
            version=self.spec.version,
            description=self.spec.description,
            schema_version="3.0.0",
        )

    def asyncapi_json(self) -> str:
        document = self.asyncapi().to_specification().to_jsonable()
        return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)

    # --- lifecycle -------------------------------------------------------------------------------------------

    def migration_sources(self) -> list[db.MigrationSource]:
        """The shared tables', the documents tables' (if the service keeps documents), then the service's own."""
        sources = [db.SHARED_MIGRATIONS]
        if self.spec.documents:
            from mitra_shared.documents import DOCUMENTS_MIGRATIONS

            sources.append(DOCUMENTS_MIGRATIONS)
        return [*sources, self.spec.migrations]

    async def migrate(self) -> list[str]:
        """Apply the migrations as the owner role (`MITRA_MIGRATION_DATABASE_URL`, else `MITRA_DATABASE_URL`)."""
        settings = self.spec.settings
        dsn = (settings.migration_database_url or settings.database_url).get_secret_value()
        if await db.ensure_database(dsn):
            log.info("database created", database=db.database_name(dsn))
        conn = await asyncpg.connect(dsn)
        try:
            applied = await db.apply_migrations(conn, self.migration_sources())
        finally:
            await conn.close()
        for name in applied:
            log.info("migration applied", migration=name)
        return applied

    async def start(self) -> Resources:
        from mitra_shared.documents.wiring import checked_store  # the documents package imports this module

        settings = self.spec.settings
        if settings.insecure_defaults:
            log.warning("development defaults in use", problems=settings.insecure_defaults)
        # The store first: one that cannot be used stops the start before anything is opened.
        store = await checked_store(settings) if self.spec.documents else None
        dsn = settings.database_url.get_secret_value()
        if settings.migrate_on_start:
            await self.migrate()
        pool = await db.create_pool(dsn, min_size=settings.database_pool_min, max_size=settings.database_pool_max)
        amqp = await topology.connect(settings.amqp_url.get_secret_value(), settings.amqp_other_nodes)
        self.resources = Resources(
            settings=settings,
            pool=pool,
            amqp=amqp,
            uow=UnitOfWork(pool, service=self.spec.name),
            clock=self.spec.clock,
            store=store,
        )
        for check in self.spec.startup_checks:
            await check(self.resources)
        channel = await amqp.channel()
        await topology.declare_backbone(channel, self.names)
        if self.spec.consumes:
            await topology.declare_consumer(channel, self.consumer_topology)
        await channel.close()

        self.relay = OutboxRelay(
            pool=pool,
            listen_dsn=dsn,
            amqp=amqp,
            exchange_name=self.names.events_exchange,
            unrouted_exchange_name=self.names.unrouted_exchange,  # when another client declared the events exchange
            batch_size=settings.relay_batch_size,
            poll_interval=settings.relay_poll_interval_seconds,
            retention_days=settings.outbox_retention_days,
        )
        await self.relay.start()
        for make_worker in self._all_workers():
            worker = make_worker(self.resources)
            await worker.start()
            self._workers.append(worker)
        if self.spec.consumes:
            self.consumer = EventConsumer(
                pool=pool,
                amqp=amqp,
                topology=self.consumer_topology,
                handlers={kind.type: handler for kind, handler in self.spec.consumes.items()},
                clock=self.spec.clock,
            )
        await self.broker.start()
        # What exists now lives as long as the process; frozen, a full collection no longer walks it (registry's
        # stalled the loop, HTTP answers and the relay, ~120 ms a few times a minute under load; now ~1 ms).
        gc.collect()
        gc.freeze()
        log.info("service started", service=self.spec.name, url=settings.base_url)
        return self.resources

    def _all_workers(self) -> list[Callable[[Resources], Worker]]:
        workers = [*self.spec.workers, lambda resources: GaugeRefresher.of(resources, self)]
        if self.spec.documents:
            from mitra_shared.documents.sweeper import DocumentSweeper

            service = self.spec.name
            workers.append(lambda resources: DocumentSweeper(resources, service))
        return workers

    async def stop(self) -> None:
        log.info("service stopping: no more messages taken, finishing those in hand")
        await self.broker.stop()
        if self.consumer is not None:
            await self.consumer.close()
        for worker in reversed(self._workers):
            await worker.stop()
        if self.relay is not None:
            await self.relay.stop()
        if self.resources is not None:
            await self.resources.amqp.close()
            await self.resources.pool.close()
            if self.resources.store is not None:
                await self.resources.store.close()
        log.info("service stopped")

    # --- readiness ----------------------------------------------------------------------------------------------

    async def check_database(self) -> str | None:
        if self.resources is None:
            return "not started"
        async with self.resources.pool.acquire(timeout=2) as conn:
            metrics.OUTBOX_PENDING.set(await conn.fetchval(outbox.QUERIES.outbox_pending_count, timeout=2))
        return None

    async def check_broker(self) -> str | None:
        if self.resources is None or self.resources.amqp.is_closed:
            return "no connection to RabbitMQ"
        return None if await self.broker.ping(timeout=2) else "FastStream broker connection is down"

    async def check_consumer(self) -> str | None:
        # After a broker node is lost the connection may come back without the consumer (FastStream issue 2758):
        # look at the channel's registered consumers rather than trusting the subscriber object.
        subscriber = self.subscriber
        if subscriber is None:
            return None
        queue, tag = subscriber._queue_obj, subscriber._consumer_tag
        if queue is None or tag is None:
            return f"no consumer on {self.consumer_topology.queue}"
        channel = queue.channel
        if channel.is_closed:
            return f"channel of {self.consumer_topology.queue} is closed"
        underlying = getattr(channel, "channel", None)
        consumers = getattr(underlying, "consumers", None)
        if consumers is not None and tag not in consumers:
            return f"consumer on {self.consumer_topology.queue} is not registered with the broker"
        return None

    async def check_documents(self) -> str | None:
        if self.resources is None or self.resources.store is None:
            return "not started"
        from mitra_shared.documents.wiring import probe_store

        return await probe_store(self.resources.store)

    async def check_relay(self) -> str | None:
        return None if self.relay is not None and self.relay.running else "outbox relay is not running"


def create_app(spec: ServiceSpec) -> FastAPI:
    """The single HTTP app of a service, whose lifespan runs the whole service."""
    runtime = ServiceRuntime(spec)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with metrics.serving(spec.settings.metrics_host, spec.settings.metrics_listen_port):  # not public
            app.state.resources = resources = await runtime.start()
            app.state.uow = resources.uow
            try:
                yield
            finally:
                await runtime.stop()

    app = FastAPI(
        title=f"Mitra {spec.title} API",
        version=spec.version,
        description=spec.description,
        lifespan=lifespan,
        openapi_tags=list(spec.openapi_tags),
        dependencies=[Depends(enforce_declared_policy)],
    )
    app.state.runtime = runtime
    app.state.service_name = spec.name
    app.state.clock = spec.clock
    app.state.verifier = TokenVerifier.from_settings(spec.settings)
    app.add_middleware(JsonBodyLimit)
    app.add_middleware(RequestContextMiddleware)
    install_problem_handlers(app)
    install_policy_documentation(app)
    install_problem_documentation(app)
    readiness_checks: dict[str, Callable[[], Awaitable[str | None]]] = {
        "database": runtime.check_database,
        "broker": runtime.check_broker,
        "consumer": runtime.check_consumer,
        "outbox_relay": runtime.check_relay,
    }
    if spec.documents:
        readiness_checks["documents"] = runtime.check_documents
    install_operations_routes(
        app,
        readiness_checks=readiness_checks,
        asyncapi_json=runtime.asyncapi_json,
        asyncapi_title=spec.title,
        dependencies=[PUBLIC],
    )
    for router in spec.routers:
        app.include_router(router)
    if spec.documents:
        from mitra_shared.documents.resumable import router as uploads_router

        app.include_router(uploads_router)
    if undeclared := record_policies(app):
        log.warning("operations without an access policy are refused to everyone", operations=undeclared)
    return app
