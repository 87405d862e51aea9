"""Named SQL queries and the broker naming scheme, without any I/O."""

from __future__ import annotations

from textwrap import dedent

import pytest

from mitra_shared import inbox, outbox
from mitra_shared.db import Queries, database_name, with_database
from mitra_shared.topology import ConsumerTopology, Names, delays_ms


def test_queries_are_split_on_name_markers() -> None:
    queries = Queries(
        dedent(
            """
        -- a file comment before the first query is ignored
        -- name: first
        -- a comment that belongs to the query
        SELECT 1;

        -- name:second
        SELECT *
        FROM things
        WHERE id = $1 ;
        """
        )
    )
    assert queries.names() == ["first", "second"]
    assert queries.first == "-- a comment that belongs to the query\nSELECT 1"
    assert queries.second == "SELECT *\nFROM things\nWHERE id = $1"
    assert "first" in queries
    assert "third" not in queries


def test_unknown_query_is_an_attribute_error() -> None:
    queries = Queries("-- name: only\nSELECT 1;")
    with pytest.raises(AttributeError, match="no query named 'missing'"):
        _ = queries.missing


def test_duplicate_query_names_are_rejected() -> None:
    with pytest.raises(ValueError, match=r"demo\.sql: query 'twice' is defined twice"):
        Queries("-- name: twice\nSELECT 1;\n-- name: twice\nSELECT 2;", origin="demo.sql")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("-- name: blank\n\n-- name: other\nSELECT 1;", id="followed-by-another"),
        pytest.param("-- name: other\nSELECT 1;\n-- name: blank\n  ;  \n", id="only-a-semicolon"),
    ],
)
def test_empty_queries_are_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="query 'blank' is empty"):
        Queries(text, origin="demo.sql")


def test_a_text_without_markers_has_no_queries() -> None:
    assert Queries("SELECT 1;").names() == []


def test_the_shipped_queries_hold_what_outbox_and_inbox_use() -> None:
    shared = Queries.from_package("mitra_shared", "sql/queries.sql")
    assert {
        "outbox_insert",
        "outbox_wake",
        "outbox_claim",
        "outbox_mark_published",
        "outbox_mark_failed",
        "outbox_seconds_until_due",
        "outbox_pending_count",
        "outbox_delete_published",
        "inbox_record",
    } <= set(shared.names())
    assert outbox.QUERIES.names() == inbox.QUERIES.names() == shared.names()
    assert "SKIP LOCKED" in shared.outbox_claim


def test_database_url_helpers() -> None:
    dsn = "postgresql://user:pw@db.example:5432/registry?sslmode=require"
    assert database_name(dsn) == "registry"
    assert with_database(dsn, "postgres") == "postgresql://user:pw@db.example:5432/postgres?sslmode=require"


def test_names_of_the_backbone() -> None:
    names = Names("ns")
    assert names.events_exchange == "ns.events"
    assert names.unrouted_exchange == "ns.unrouted"
    assert names.unrouted_queue == "ns.unrouted"
    assert names.dead_letter_exchange == "ns.dead-letter"
    assert names.consumer_queue("reporting") == "ns.reporting"
    assert names.retry_queue("reporting", 5000) == "ns.reporting.retry.5000ms"
    assert names.dead_letter_queue("reporting") == "ns.reporting.dead-letter"
    assert Names().events_exchange == "mitra.events"


def test_consumer_topology_names_its_queues_per_retry() -> None:
    topology = ConsumerTopology(
        names=Names("ns"), consumer="agreements", routing_keys=["registry.#"], retry_delays_ms=[200, 400, 400]
    )
    assert topology.queue == "ns.agreements"
    assert topology.dead_letter_queue == "ns.agreements.dead-letter"
    assert topology.max_retries == 3
    assert [topology.retry_queue(attempt) for attempt in (1, 2, 3)] == [
        "ns.agreements.retry.200ms",
        "ns.agreements.retry.400ms",
        "ns.agreements.retry.400ms",
    ]


def test_consumer_topology_default_delays_grow() -> None:
    topology = ConsumerTopology(names=Names("ns"), consumer="c", routing_keys=[])
    delays = list(topology.retry_delays_ms)
    assert delays == sorted(delays)
    assert topology.max_retries == len(delays) > 0


def test_delays_ms_rounds_seconds_to_at_least_one_millisecond() -> None:
    assert delays_ms([0.2, 1, 2.5, 0.0004, 0]) == [200, 1000, 2500, 1, 1]
    assert delays_ms([]) == []
