"""Prometheus metrics of a service process, served by a listener of their own (`serve`), apart from the public HTTP
port: `MITRA_METRICS_HOST`:`MITRA_METRICS_PORT`, loopback by default (deploy/prometheus scrapes it on compose's
network). deploy/prometheus/alerts.yml alerts on them."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from wsgiref.simple_server import WSGIServer

from prometheus_client import Counter, Gauge, Histogram, start_http_server

HTTP_REQUESTS = Counter("mitra_http_requests_total", "HTTP requests handled.", ["method", "route", "status"])
HTTP_LATENCY = Histogram(
    "mitra_http_request_duration_seconds",
    "HTTP request duration.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
EVENTS_PUBLISHED = Counter(
    "mitra_events_published_total", "Outbox events the relay tried to publish.", ["event_type", "outcome"]
)
OUTBOX_PENDING = Gauge("mitra_outbox_pending", "Events in the outbox not yet published.")
OUTBOX_OLDEST_PENDING = Gauge(
    "mitra_outbox_oldest_pending_seconds",
    "Age of the oldest event in the outbox not yet published (0: none); grows while the broker refuses them.",
)
EVENTS_CONSUMED = Counter(
    "mitra_events_consumed_total",
    "Messages taken from this service's queue, by outcome (applied, duplicate, retried, dead_lettered).",
    ["event_type", "outcome"],
)
EVENT_HANDLING = Histogram(
    "mitra_event_handling_seconds",
    "Time to apply one event.",
    ["event_type"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0),
)
DEAD_LETTERS = Gauge(
    "mitra_dead_letters",
    "Messages in this service's dead-letter queue, given up after their retries (`python -m mitra_<service> "
    "dead-letters` lists and replays them).",
    ["consumer"],
)
UNROUTED_EVENTS = Gauge(
    "mitra_unrouted_events",
    "Events kept in the alternate exchange's queue (<namespace>.unrouted.kept): published with a routing key no "
    "queue is bound to. The queue is shared: every service reports the same count.",
)
WORKER_LAST_PASS = Gauge(
    "mitra_worker_last_pass_timestamp_seconds",
    "Unix time of a background worker's last successful pass (outbox relay, deliveries, deadlines, sweepers).",
    ["worker"],
)
WORKER_POLL_INTERVAL = Gauge(
    "mitra_worker_poll_interval_seconds",
    "How often at most a background worker's passes are apart when it is well: a last pass much older is a stall.",
    ["worker"],
)

NOTIFICATION_DELIVERIES = Counter(
    "mitra_notification_deliveries_total",
    "Notifications' delivery attempts (notifications), by channel (email, webhook) and outcome: delivered, retry (to "
    "be tried again), failed (given up), skipped (e-mail not sent: MITRA_MAIL_DISABLED).",
    ["channel", "outcome"],
)


@dataclass
class MetricsListener:
    """The metrics listener: a thread of its own, so that a scrape never waits for the event loop (nor it for one)."""

    server: WSGIServer
    thread: threading.Thread

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def serve(host: str, port: int) -> MetricsListener:
    """Serve the metrics at `http://host:port/metrics`; OSError if the port is taken (the service does not start)."""
    server, thread = start_http_server(port, addr=host)
    return MetricsListener(server, thread)


@asynccontextmanager
async def serving(host: str, port: int) -> AsyncIterator[MetricsListener]:
    """The metrics listener for as long as the block runs (closed off the event loop: closing waits for it)."""
    listener = serve(host, port)
    try:
        yield listener
    finally:
        await asyncio.to_thread(listener.close)
