"""The metrics operators alert on (deploy/prometheus/alerts.yml), against the real PostgreSQL and RabbitMQ: the outbox
backlog and its age, dead letters and unrouted events read by the gauge refresher, and each worker's last pass."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aio_pika
import asyncpg
import pytest
from prometheus_client import REGISTRY
from support.broker import AMQP_URL, delete_namespace, new_namespace
from support.database import migrated_pool
from support.polling import eventually

from mitra_shared import topology
from mitra_shared.gauges import GaugeRefresher
from mitra_shared.worker import PollingWorker

pytestmark = pytest.mark.integration
CONSUMER = "gauged"


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(database) as ready:
        yield ready


@pytest.fixture
async def queues() -> AsyncIterator[topology.ConsumerTopology]:
    """A consumer's queues declared in a namespace of the test's own, removed afterwards."""
    names = topology.Names(new_namespace("gauges"))
    declared = topology.ConsumerTopology(names=names, consumer=CONSUMER, routing_keys=["registry.thing.happened"])
    connection = await aio_pika.connect(AMQP_URL)
    try:
        await topology.declare_consumer(await connection.channel(), declared)
    finally:
        await connection.close()
    try:
        yield declared
    finally:
        await delete_namespace(names.namespace, [CONSUMER], declared.retry_delays_ms)


def _sample(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


async def _outbox_gauge_is(value: float) -> bool:
    return _sample("mitra_outbox_pending") == value


@asynccontextmanager
async def _refresher(
    pool: asyncpg.Pool, names: topology.Names, consumer: str, dead_letter_queue: str, *, interval: float
) -> AsyncIterator[GaugeRefresher]:
    """A refresher on a connection of its own, stopped and closed on leaving."""
    amqp = await topology.connect(AMQP_URL)
    refresher = GaugeRefresher(
        pool=pool,
        amqp=amqp,
        unrouted_queue=names.unrouted_queue,
        consumer=consumer,
        dead_letter_queue=dead_letter_queue,
        interval=interval,
    )
    try:
        yield refresher
    finally:
        await refresher.stop()
        await amqp.close()


async def _publish(channel: aio_pika.abc.AbstractChannel, exchange: str, routing_key: str) -> None:
    target = channel.default_exchange if exchange == "" else await channel.get_exchange(exchange, ensure=False)
    await target.publish(aio_pika.Message(b"{}", message_id=str(uuid.uuid4())), routing_key=routing_key)


async def test_the_refresher_reads_the_outbox_backlog_the_dead_letters_and_the_unrouted_events(
    pool: asyncpg.Pool, queues: topology.ConsumerTopology
) -> None:
    async with _refresher(pool, queues.names, CONSUMER, queues.dead_letter_queue, interval=60) as refresher:
        await refresher.refresh()
        assert _sample("mitra_outbox_pending") == 0
        assert _sample("mitra_outbox_oldest_pending_seconds") == 0
        assert _sample("mitra_unrouted_events") == 0
        assert _sample("mitra_dead_letters", consumer=CONSUMER) == 0

        await pool.execute(
            "INSERT INTO outbox (id, event_type, routing_key, headers, body, created_at) VALUES"
            " ($1, 'x', 'registry.thing.happened', '{}', '', now() - interval '10 minutes'),"
            " ($2, 'x', 'registry.thing.happened', '{}', '', now() - interval '1 minute')",
            uuid.uuid4(),
            uuid.uuid4(),
        )
        connection = await aio_pika.connect(AMQP_URL)
        try:
            channel = await connection.channel(publisher_confirms=True)
            await _publish(channel, queues.names.events_exchange, "nobody.binds.this")  # to the alternate exchange
            await _publish(channel, queues.names.events_exchange, "nobody.binds.that")
            await _publish(channel, "", queues.dead_letter_queue)
        finally:
            await connection.close()

        async def refreshed() -> bool:
            await refresher.refresh()
            return _sample("mitra_unrouted_events") == 2 and _sample("mitra_dead_letters", consumer=CONSUMER) == 1

        await eventually(refreshed, description="the queues' depths in the gauges")
        assert _sample("mitra_outbox_pending") == 2
        oldest = _sample("mitra_outbox_oldest_pending_seconds")
        assert oldest is not None
        assert 600 <= oldest < 900


async def test_the_refresher_loop_survives_a_queue_that_is_gone(
    pool: asyncpg.Pool, queues: topology.ConsumerTopology
) -> None:
    await pool.execute(
        "INSERT INTO outbox (id, event_type, routing_key, headers, body) VALUES ($1, 'x', 'a.b.c', '{}', '')",
        uuid.uuid4(),
    )
    missing = f"{queues.names.namespace}.no-such-queue"
    async with _refresher(pool, queues.names, "nobody", missing, interval=0.05) as refresher:
        await refresher.start()
        # The missing queue fails each pass after the outbox and the unrouted queue were read; the loop goes on.
        await eventually(lambda: _outbox_gauge_is(1), description="outbox gauge set")
        await pool.execute("UPDATE outbox SET published_at = now()")
        await eventually(lambda: _outbox_gauge_is(0), description="a later pass")


class _Counting(PollingWorker):
    name = "counting test worker"
    LAST_PASS = "mitra_worker_last_pass_timestamp_seconds"

    def __init__(self, dsn: str, *, failing: bool) -> None:
        super().__init__(listen_dsn=dsn, wake_channel="mitra_test_metrics", batch_size=10, poll_interval=0.05)
        self.failing = failing
        self.passes = 0

    async def run_once(self) -> int:
        self.passes += 1
        if self.failing:
            raise RuntimeError("the database says no")
        return 0

    async def passed(self, more_than: int) -> bool:
        return self.passes > more_than

    async def last_pass_after(self, moment: float) -> bool:
        return (_sample(self.LAST_PASS, worker=self.name) or 0) > moment


async def test_a_worker_reports_its_interval_and_the_time_of_its_last_good_pass(database: str) -> None:
    started = time.time()
    worker = _Counting(database, failing=True)
    await worker.start()
    try:
        await eventually(lambda: worker.passed(1), description="failing passes")
        interval = _sample("mitra_worker_poll_interval_seconds", worker=worker.name)
        assert interval == pytest.approx(0.05)
        # Set at the start, not moved by failing passes: a worker that never succeeds ages like a stalled one.
        at_start = _sample(worker.LAST_PASS, worker=worker.name)
        assert at_start is not None
        assert started <= at_start <= time.time()
        failed_passes = worker.passes
        await eventually(lambda: worker.passed(failed_passes), description="another failing pass")
        assert _sample(worker.LAST_PASS, worker=worker.name) == at_start

        worker.failing = False
        await eventually(lambda: worker.last_pass_after(at_start), description="a good pass recorded")
    finally:
        await worker.stop()
