"""Prometheus metrics of a service process, exposed at `GET /metrics`."""

from prometheus_client import Counter, Gauge, Histogram

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
