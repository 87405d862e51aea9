"""Consuming events: idempotent on the event id, retried with growing delays, then dead-lettered with the reason.

Each message is decided once and then acknowledged:
- applied: its effect and its id in the `inbox` table committed in one transaction;
- duplicate: its id was already in the inbox, so nothing is done again;
- malformed (not a CloudEvent, an unknown type, data that does not fit the contract): dead-lettered at once,
  since no retry can mend it;
- forged (its routing key is not its type's, its `source` is not the routing key's service, its `time` lies ahead
  of the consumer's clock beyond the allowed skew, or its publisher, the broker-validated AMQP `user_id`, is not
  the user `MITRA_AMQP_PUBLISHERS` names for that service): dead-lettered at once, nothing changed;
- failed: republished to the retry queue of the next delay with the retry count in a header, or dead-lettered
  once the retries are used up. An outage of the database or broker does not use up retries: the message waits
  at the same delay until they are back.

Retried and dead-lettered copies are republished by the consumer itself, so they carry its own `user_id`; the
original publisher travels in the `x-mitra-publisher` header, written on first receipt. That header is believed only
on a copy that did not come through the events exchange and whose `user_id` is the consumer's own user: nobody else
can publish with that `user_id`, so a header forged by anyone else is ignored.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

import aio_pika
import asyncpg
import structlog
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractRobustConnection, DeliveryMode
from pydantic import BaseModel

from mitra_shared import events as ev
from mitra_shared import metrics
from mitra_shared.clock import Clock, system_clock
from mitra_shared.context import Context
from mitra_shared.db import Queries
from mitra_shared.errors import Refused
from mitra_shared.events import DataT
from mitra_shared.topology import ConsumerTopology, broker_user, owner_of
from mitra_shared.uow import Transaction

log = structlog.get_logger(__name__)
QUERIES = Queries.from_package("mitra_shared", "sql/queries.sql")

RETRY_HEADER = "x-mitra-retries"
REASON_HEADER = "x-mitra-dead-letter-reason"
DEAD_LETTERED_AT_HEADER = "x-mitra-dead-lettered-at"
CONSUMER_HEADER = "x-mitra-consumer"
ORIGINAL_ROUTING_KEY_HEADER = "x-mitra-original-routing-key"
PUBLISHER_HEADER = "x-mitra-publisher"
# Headers the broker owns; copying them onto a republished message would make it look like a dead-letter cycle.
_BROKER_HEADERS = (
    "x-death",
    "x-first-death-exchange",
    "x-first-death-queue",
    "x-first-death-reason",
    "x-last-death-exchange",
    "x-last-death-queue",
    "x-last-death-reason",
    "x-delivery-count",
)

# Failures of the infrastructure rather than of the event: waiting helps, so they do not use up retries.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
)

MessageT = TypeVar("MessageT")
Apply = Callable[[Transaction, ev.ReceivedEvent, DataT], Awaitable[None]]
"""A handler's effect: it writes through the transaction (which also records the event id) and may publish."""


@dataclass(frozen=True)
class Handler(Generic[DataT]):
    """How one event type is applied: the consumer's own (slim) model of its data, and the effect."""

    model: type[DataT]
    apply: Apply[DataT]


def handler(model: type[DataT], apply: Apply[DataT]) -> Handler[Any]:
    return Handler(model, apply)


async def as_received(message: MessageT) -> MessageT:
    """The decoder of a service's FastStream subscriber: its handler gets the message as received, and
    `EventConsumer.handle` parses and validates the body, once.

    With FastDepends (`apply_types`), FastStream would hand the handler its `RabbitMessage` parameter (a `Context`
    field) by running a synchronous lookup in anyio's thread pool: a thread hop for every message, a fifth of the
    consumer's CPU. So the broker runs without it, and this decoder (a coroutine: a plain function would be run in
    the thread pool too) makes the message itself the handler's one argument."""
    return message


class ForgedEvent(ValueError):
    """An event that does not come from who it says: refused at once, since no retry can mend it."""


class EventConsumer:
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        amqp: AbstractRobustConnection,
        topology: ConsumerTopology,
        handlers: Mapping[str, Handler[Any]],
        clock: Clock = system_clock,
    ) -> None:
        self._pool = pool
        self._clock = clock
        self._amqp = amqp
        self._topology = topology
        self._handlers = dict(handlers)
        self._user = broker_user(amqp)
        self._channel: AbstractChannel | None = None
        self._channel_lock = asyncio.Lock()

    @property
    def topology(self) -> ConsumerTopology:
        return self._topology

    async def close(self) -> None:
        if self._channel is not None and not self._channel.is_closed:
            await self._channel.close()

    async def handle(self, message: AbstractIncomingMessage) -> None:
        """Decide what happens to one message, then acknowledge it (or return it if even that fails)."""
        retries = _retries(message)
        started = time.perf_counter()
        event_type = message.type or "unknown"
        with structlog.contextvars.bound_contextvars(message_id=message.message_id, retries=retries):
            try:
                try:
                    event, data, known = self._read(message)
                    event_type = event.type
                except ev.MalformedEvent as error:
                    await self._dead_letter(message, reason=f"malformed: {error}", retries=retries)
                    metrics.EVENTS_CONSUMED.labels(event_type=event_type, outcome="dead_lettered").inc()
                    await message.ack()
                    return
                except ForgedEvent as error:
                    await self._dead_letter(message, reason=f"forged: {error}", retries=retries)
                    metrics.EVENTS_CONSUMED.labels(event_type=event_type, outcome="dead_lettered").inc()
                    await message.ack()
                    return
                with structlog.contextvars.bound_contextvars(
                    event_id=str(event.id), event_type=event.type, correlation_id=event.correlationid
                ):
                    outcome = await self._apply(message, event, data, known, retries)
                metrics.EVENTS_CONSUMED.labels(event_type=event_type, outcome=outcome).inc()
                metrics.EVENT_HANDLING.labels(event_type=event_type).observe(time.perf_counter() - started)
                await message.ack()
            except Exception:
                log.exception("could not settle a message; returning it to the queue")
                with contextlib.suppress(Exception):
                    await asyncio.sleep(1.0)
                    await message.nack(requeue=True)

    async def handle_many(self, messages: Sequence[AbstractIncomingMessage]) -> None:
        """Apply messages that follow one another in one transaction, then acknowledge them in order: a COMMIT and a
        BEGIN per batch rather than per event. Should any of them be more than applied or a duplicate (unreadable,
        refused, failing) or the transaction fail, nothing of the batch is kept and each is decided on its own by
        `handle`, exactly as if it had come alone."""
        if len(messages) > 1:
            try:
                readable = [self._read(message) for message in messages]
            except (ev.MalformedEvent, ForgedEvent):
                readable = []
            if readable and await self._applied_together(messages, readable):
                return
        for message in messages:
            await self.handle(message)

    async def _applied_together(
        self, messages: Sequence[AbstractIncomingMessage], readable: list[tuple[ev.ReceivedEvent, Any, Handler[Any]]]
    ) -> bool:
        started = time.perf_counter()
        outcomes: list[str] = []
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                for event, data, known in readable:
                    if await conn.fetchval(*QUERIES.inbox_record(event_id=event.id, event_type=event.type)) is None:
                        outcomes.append("duplicate")
                        continue
                    tx = Transaction(conn, self._context_of(event), self._topology.consumer)
                    await known.apply(tx, event, data)
                    await tx.write_events()
                    outcomes.append("applied")
        except Exception as error:
            log.info("a batch of events was not applied; deciding each on its own", error=_describe(error))
            return False
        if _debug_logging():
            log.debug("events applied together", outcomes=outcomes)
        each = (time.perf_counter() - started) / len(messages)
        for message, (event, _, _), outcome in zip(messages, readable, outcomes, strict=True):
            metrics.EVENTS_CONSUMED.labels(event_type=event.type, outcome=outcome).inc()
            metrics.EVENT_HANDLING.labels(event_type=event.type).observe(each)
            try:
                await message.ack()
            except Exception:
                log.exception(
                    "could not acknowledge a message; returning it to the queue", message_id=message.message_id
                )
                with contextlib.suppress(Exception):
                    await message.nack(requeue=True)
        return True

    def _read(self, message: AbstractIncomingMessage) -> tuple[ev.ReceivedEvent, Any, Handler[Any]]:
        """The event, its data as the handler's model reads it, and the handler; or MalformedEvent or ForgedEvent."""
        event = ev.decode(message.body)
        self._check_origin(message, event)
        known = self._handlers.get(event.type)
        if known is None:
            raise ev.MalformedEvent(f"{self._topology.consumer} has no handler for {event.type}")
        return event, ev.read_data(event, known.model), known

    # --- who published it -------------------------------------------------------------------------------------

    def _first_receipt(self, message: AbstractIncomingMessage) -> bool:
        return message.exchange == self._topology.names.events_exchange

    def publisher_of(self, message: AbstractIncomingMessage) -> str:
        """The broker user that published the event: the validated `user_id`, or on the consumer's own retried or
        replayed copy the header it wrote on first receipt."""
        recorded = (message.headers or {}).get(PUBLISHER_HEADER)
        if not self._first_receipt(message) and message.user_id == self._user and isinstance(recorded, str):
            return recorded
        return message.user_id or ""

    def _check_origin(self, message: AbstractIncomingMessage, event: ev.ReceivedEvent) -> None:
        """Refuse an event whose routing key, source, time or publisher does not fit (see the module's docstring)."""
        routing_key = event.type.removeprefix(f"{ev.TYPE_PREFIX}.").rsplit(".v", 1)[0]
        if self._first_receipt(message) and message.routing_key != routing_key:
            raise ForgedEvent(f"routing key {message.routing_key!r} is not that of its type {event.type}")
        owner = owner_of(routing_key)
        if event.source != f"/mitra/{owner}":
            raise ForgedEvent(f"source {event.source!r} does not own routing key {routing_key!r}")
        at = event.time if event.time.tzinfo is not None else event.time.replace(tzinfo=UTC)
        now = max(self._clock(), datetime.now(UTC))
        skew = self._topology.max_clock_skew_seconds
        if at > now + timedelta(seconds=skew):
            ahead = (at - now).total_seconds()
            raise ForgedEvent(f"time {at.isoformat()} lies {ahead:.0f} s in the future (more than {skew:g} s)")
        expected = self._topology.publishers.get(owner)
        publisher = self.publisher_of(message)
        if expected is not None and publisher != expected:
            raise ForgedEvent(f"published by broker user {publisher!r}; {routing_key!r} belongs to {expected!r}")

    async def _apply(
        self,
        message: AbstractIncomingMessage,
        event: ev.ReceivedEvent,
        data: BaseModel,
        known: Handler[Any],
        retries: int,
    ) -> str:
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                first_time = await conn.fetchval(*QUERIES.inbox_record(event_id=event.id, event_type=event.type))
                if first_time is None:
                    log.info("duplicate event ignored")
                    return "duplicate"
                tx = Transaction(conn, self._context_of(event), self._topology.consumer)
                await known.apply(tx, event, data)
                await tx.write_events()
        except Refused as refused:
            # A rule refused the event; it would refuse it again, so it is not retried.
            await self._dead_letter(message, reason=f"refused: {refused.describe()}", retries=retries)
            return "dead_lettered"
        except TRANSIENT_ERRORS as error:
            log.warning("infrastructure unavailable; event will be retried", error=_describe(error))
            await self._retry(message, attempt=max(retries, 1), counted=retries)
            return "retried"
        except Exception as error:
            if retries < self._topology.max_retries:
                log.warning("event handling failed; will retry", error=_describe(error), attempt=retries + 1)
                await self._retry(message, attempt=retries + 1, counted=retries + 1)
                return "retried"
            log.error("event handling failed after every retry; dead-lettering", error=_describe(error))
            await self._dead_letter(
                message, reason=f"failed after {retries} retries: {_describe(error)}", retries=retries
            )
            return "dead_lettered"
        if _debug_logging():
            # Per event only at DEBUG: at INFO this line cost a tenth of a consumer's CPU (the counters remain).
            log.debug("event applied")
        return "applied"

    def _context_of(self, event: ev.ReceivedEvent) -> Context:
        return Context.for_system(
            f"{self._topology.consumer}.consumer",
            self._clock(),
            request_id=event.correlationid or str(event.id),
            causation_id=event.id,
        )

    async def _retry(self, message: AbstractIncomingMessage, *, attempt: int, counted: int) -> None:
        channel = await self._publishing_channel()
        queue = self._topology.retry_queue(min(attempt, self._topology.max_retries))
        headers = self._copy_headers(message)
        headers[RETRY_HEADER] = counted
        copy = republished(message, headers, user_id=self._user)
        await channel.default_exchange.publish(copy, routing_key=queue, mandatory=True)

    async def _dead_letter(self, message: AbstractIncomingMessage, *, reason: str, retries: int) -> None:
        log.error("message dead-lettered", reason=reason)
        channel = await self._publishing_channel()
        headers = self._copy_headers(message)
        headers.update(
            {
                REASON_HEADER: reason[:4000],
                DEAD_LETTERED_AT_HEADER: datetime.now(UTC).isoformat(),
                RETRY_HEADER: retries,
                CONSUMER_HEADER: self._topology.consumer,
            }
        )
        exchange = await channel.get_exchange(self._topology.names.dead_letter_exchange, ensure=False)
        copy = republished(message, headers, user_id=self._user)
        await exchange.publish(copy, routing_key=self._topology.queue, mandatory=True)

    async def _publishing_channel(self) -> AbstractChannel:
        async with self._channel_lock:
            if self._channel is None or self._channel.is_closed:
                self._channel = await self._amqp.channel(publisher_confirms=True, on_return_raises=True)
            return self._channel

    def _copy_headers(self, message: AbstractIncomingMessage) -> dict[str, Any]:
        headers = {k: v for k, v in (message.headers or {}).items() if k not in _BROKER_HEADERS}
        # Only the first delivery carries the event's own routing key and publisher; retried copies come back keyed
        # to the queue and published by this consumer. What a publisher wrote into these headers is overwritten.
        if self._first_receipt(message) or ORIGINAL_ROUTING_KEY_HEADER not in headers:
            headers[ORIGINAL_ROUTING_KEY_HEADER] = message.routing_key or ""
        headers[PUBLISHER_HEADER] = self.publisher_of(message)
        return headers


def _debug_logging() -> bool:
    return logging.getLogger(__name__).isEnabledFor(logging.DEBUG)


def _retries(message: AbstractIncomingMessage) -> int:
    value = (message.headers or {}).get(RETRY_HEADER, 0)
    try:
        return max(0, int(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0


def republished(
    message: AbstractIncomingMessage, headers: dict[str, Any], *, user_id: str | None = None
) -> aio_pika.Message:
    """A persistent copy of a received message with new headers, to publish onwards (retry, dead letter, replay).

    `user_id` must be the publishing connection's own user (RabbitMQ refuses any other); without it the copy keeps
    the message's, which is the consumer's own on what it dead-lettered itself. A message someone else published (the
    broker dead-lettered it, say) keeps its publisher in the `x-mitra-publisher` header, whatever that header said."""
    if user_id is not None and message.user_id != user_id:
        headers = {**headers, PUBLISHER_HEADER: message.user_id or ""}
    return aio_pika.Message(
        body=message.body,
        headers=headers,
        content_type=message.content_type,
        delivery_mode=DeliveryMode.PERSISTENT,
        message_id=message.message_id,
        correlation_id=message.correlation_id,
        type=message.type,
        app_id=message.app_id,
        timestamp=message.timestamp,
        user_id=user_id if user_id is not None else message.user_id,
    )


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"
