"""Publishing again what a service's outbox holds: `python -m mitra_<service> republish --since <time>`.

After one service's database is restored from a backup, it lacks the effects of the events it consumed since that
backup. The services that published those events still hold them in their outboxes (published rows are kept for
`MITRA_OUTBOX_RETENTION_DAYS`), so each of them publishes them again, from the time of the backup (minus a margin)
on:

- `--to <queue>`: straight into the restored service's queue through the default exchange (routing key = queue
  name). Nobody else receives anything. Only the routing keys the queue is bound to are sent (`--routing-key`, or a
  file of them from `python -m mitra_<consumer> queues --routing-keys`): a consumer dead-letters an event type it
  has no handler for.
- without `--to`: to the events exchange under each event's own routing key, so every subscriber (the other
  services and outside subscribers) receives them again.

The envelope is the relay's: the same message id, type, headers and body, persistent, mandatory, with publisher
confirms. Consumers are idempotent on the event id, so the events the restored database already applied are
skipped and only the missing ones applied. Events are sent in the order they were recorded, a batch at a time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aio_pika
import asyncpg
from aio_pika.abc import AbstractExchange

from mitra_shared import db, outbox
from mitra_shared.amqp_nodes import Node, connection_options
from mitra_shared.inbox import ORIGINAL_ROUTING_KEY_HEADER
from mitra_shared.outbox import NO_ROUTE, QUERIES
from mitra_shared.topology import Names, user_of


@dataclass(frozen=True)
class Request:
    """What to publish again, and where to."""

    since: datetime
    # A queue to publish into through the default exchange; None: the events exchange, every subscriber.
    to_queue: str | None = None
    # Only these routing keys (exact); empty: every event.
    routing_keys: Sequence[str] = ()
    batch_size: int = 200
    dry_run: bool = False
    confirm_timeout: float = 30.0


class Interrupted(Exception):
    """The broker or the database failed part way: `sent` events were confirmed before (a rerun sends them again,
    which consumers skip)."""

    def __init__(self, sent: int, cause: BaseException) -> None:
        super().__init__(f"stopped after {sent} event(s) confirmed: {_describe(cause)}")
        self.sent = sent
        self.cause = cause


@dataclass(frozen=True)
class Outcome:
    count: int
    destination: str
    dry_run: bool
    # Sent to the events exchange, taken by no queue (no service or subscriber binds their routing keys now).
    unrouted: int = 0

    def describe(self, request: Request) -> str:
        verb = "would be republished" if self.dry_run else "republished"
        keys = f", {len(request.routing_keys)} routing key(s)" if request.routing_keys else ""
        nobody = f"; {self.unrouted} of them no queue is bound to" if self.unrouted else ""
        since = request.since.isoformat()
        return f"{self.count} event(s) {verb} to {self.destination} (published since {since}{keys}){nobody}"


def parse_since(text: str) -> datetime:
    """An ISO 8601 time with its zone (`2026-12-05T01:30:00Z`, `...+07:00`): a time without one is ambiguous by
    hours between the operator's machine and the database's, so it is refused."""
    at = datetime.fromisoformat(text)
    if at.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone: add Z (UTC) or an offset such as +07:00")
    return at


def read_routing_keys(lines: Iterable[str]) -> list[str]:
    """Routing keys, one a line (blank lines ignored), as `queues --routing-keys` prints them."""
    return [line.strip() for line in lines if line.strip()]


def retention_warning(since: datetime, now: datetime, retention_days: int) -> str | None:
    """What an operator must know when `since` lies beyond what the outbox keeps."""
    kept_from = now - timedelta(days=retention_days)
    if since >= kept_from:
        return None
    return (
        f"events published before {kept_from.isoformat(timespec='seconds')} may already be deleted from the outbox "
        f"(MITRA_OUTBOX_RETENTION_DAYS={retention_days}): those cannot be republished"
    )


def message_of(row: Mapping[str, Any], *, user_id: str, to_queue: str | None) -> aio_pika.Message:
    """The outbox row's message as the relay published it. Sent into a queue it also names its own routing key, so
    that a retry or dead letter of it still says which event it was."""
    extra = {ORIGINAL_ROUTING_KEY_HEADER: row["routing_key"]} if to_queue is not None else None
    return outbox.message_of(row, user_id=user_id, extra_headers=extra)


async def count(conn: asyncpg.Connection, request: Request) -> int:
    return int(
        await conn.fetchval(
            *QUERIES.outbox_republish_count(since=request.since, routing_keys=list(request.routing_keys))
        )
    )


async def republish(
    pool: asyncpg.Pool, amqp_url: str, names: Names, request: Request, other_nodes: Sequence[Node] = ()
) -> Outcome:
    """Publish again (or with `dry_run` only count) the outbox's published events from `request.since` on."""
    destination = f"queue {request.to_queue}" if request.to_queue else f"exchange {names.events_exchange}"
    if request.dry_run:
        async with pool.acquire() as conn:
            return Outcome(await count(conn, request), destination, dry_run=True)
    connection = await aio_pika.connect(amqp_url, **connection_options(amqp_url, other_nodes, robust=False))
    try:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        if request.to_queue is None:
            exchange: AbstractExchange = await channel.get_exchange(names.events_exchange, ensure=False)
        else:
            exchange = channel.default_exchange
        sent, unrouted = await _publish_batches(pool, exchange, request, user_id=user_of(amqp_url))
    finally:
        await connection.close()
    return Outcome(sent, destination, dry_run=False, unrouted=unrouted)


async def _publish_batches(
    pool: asyncpg.Pool, exchange: AbstractExchange, request: Request, *, user_id: str
) -> tuple[int, int]:
    """Every batch in turn: how many events were confirmed, and how many of those no queue took."""
    sent, unrouted, after = 0, 0, 0
    try:
        while True:
            taken, after = await _publish_batch(pool, exchange, request, user_id=user_id, after=after)
            if not taken:
                return sent, unrouted
            sent += len(taken)
            unrouted += taken.count(False)
    except Exception as error:
        raise Interrupted(sent, error) from error


async def _publish_batch(
    pool: asyncpg.Pool, exchange: AbstractExchange, request: Request, *, user_id: str, after: int
) -> tuple[list[bool], int]:
    """Publish the batch after seq `after`: whether a queue took each event, and the last seq (nothing: all done)."""
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            *QUERIES.outbox_republish_batch(
                since=request.since,
                routing_keys=list(request.routing_keys),
                after=after,
                batch_size=request.batch_size,
            )
        )
    if not rows:
        return [], after
    taken = await asyncio.gather(*(_send(exchange, row, request, user_id=user_id) for row in rows))
    return list(taken), rows[-1]["seq"]


async def _send(exchange: AbstractExchange, row: asyncpg.Record, request: Request, *, user_id: str) -> bool:
    """Publish one event, mandatory and confirmed; False if it went to the events exchange and no queue is bound to
    its routing key now (nobody to catch up; the exchange's alternate exchange, where it has one, keeps it). Into a
    queue that is not there (a mistyped --to) it is an error, not a silent loss."""
    try:
        await exchange.publish(
            message_of(row, user_id=user_id, to_queue=request.to_queue),
            routing_key=request.to_queue or row["routing_key"],
            mandatory=True,
            timeout=request.confirm_timeout,
        )
    except aio_pika.exceptions.DeliveryError as returned:
        if request.to_queue is not None or getattr(returned.frame, "reply_code", None) != NO_ROUTE:
            raise
        return False
    return True


def _describe(error: BaseException) -> str:
    """The error's kind, and the broker's or database's own words where those can hold no secret (a connection
    error's text may hold its URL)."""
    if isinstance(error, aio_pika.exceptions.DeliveryError):
        return "the broker returned an event no queue took (is the --to queue's name right?)"
    if isinstance(error, aio_pika.exceptions.ChannelClosed | asyncpg.PostgresError):
        return f"{type(error).__name__}: {error}"
    return type(error).__name__


async def run(
    database_url: str, amqp_url: str, names: Names, request: Request, other_nodes: Sequence[Node] = ()
) -> str:
    """The command line's run: a small pool of the service's own database, then `republish`."""
    pool = await db.create_pool(database_url, min_size=1, max_size=1)
    try:
        outcome = await republish(pool, amqp_url, names, request, other_nodes)
    finally:
        await pool.close()
    return outcome.describe(request)
