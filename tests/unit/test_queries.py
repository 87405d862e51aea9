"""Named SQL queries and the broker naming scheme, without any I/O."""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from textwrap import dedent

import pytest

from mitra_shared import inbox, outbox
from mitra_shared.db import Queries, Query, database_name, with_database
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


# --- named parameters -------------------------------------------------------------------------------------------


def test_named_parameters_become_numbered_in_order_of_first_use() -> None:
    query = Query("SELECT :b, :a FROM t WHERE c = :c", origin="demo")
    assert str(query) == "SELECT $1, $2 FROM t WHERE c = $3"
    assert query.parameters == ("b", "a", "c")
    # Passed by name in any order, the arguments come back in the order of their numbers.
    assert query(c=3, a=1, b=2) == ("SELECT $1, $2 FROM t WHERE c = $3", 2, 1, 3)


def test_a_name_used_twice_is_one_parameter() -> None:
    query = Query("SELECT * FROM t WHERE x = :id OR y = :other OR z = :id")
    assert str(query) == "SELECT * FROM t WHERE x = $1 OR y = $2 OR z = $1"
    assert query.parameters == ("id", "other")
    assert query(id=7, other=8) == (str(query), 7, 8)


def test_casts_are_not_parameters_and_parameters_can_be_cast() -> None:
    query = Query("SELECT created_at::date, '2030-01-01'::date FROM t WHERE id = ANY(:ids::uuid[]) AND n = :n::int")
    assert str(query) == "SELECT created_at::date, '2030-01-01'::date FROM t WHERE id = ANY($1::uuid[]) AND n = $2::int"
    assert query.parameters == ("ids", "n")


def test_strings_quoted_names_and_comments_are_left_alone() -> None:
    text = dedent(
        """
        -- a comment naming :not_a_parameter
        SELECT ':nor_this', 'it''s :still_text', "odd:column" -- nor :this
        FROM t
        WHERE a = :real AND b = 'x'
        """
    ).strip()
    query = Query(text)
    assert query.parameters == ("real",)
    assert str(query) == text.replace(":real", "$1")


def test_function_named_arguments_are_not_parameters() -> None:
    query = Query("SELECT make_interval(days => :days), f(a := 1)")
    assert query.parameters == ("days",)
    assert str(query) == "SELECT make_interval(days => $1), f(a := 1)"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        pytest.param({"a": 1}, r"missing parameters \['b'\], unexpected \[\]", id="missing"),
        pytest.param({"a": 1, "b": 2, "c": 3}, r"missing parameters \[\], unexpected \['c'\]", id="unexpected"),
        pytest.param({"b": 2, "typo": 1}, r"missing parameters \['a'\], unexpected \['typo'\]", id="both"),
    ],
)
def test_missing_or_unexpected_names_are_refused(values: dict[str, int], message: str) -> None:
    query = Query("SELECT :a, :b", origin="demo.sql:pair")
    with pytest.raises(TypeError, match=rf"demo\.sql:pair: {message}"):
        query(**values)


def test_mixing_positional_and_named_parameters_is_refused() -> None:
    with pytest.raises(ValueError, match=r"demo\.sql:mixed: mixes named \(:name\) and positional \(\$n\)"):
        Queries("-- name: mixed\nSELECT * FROM t WHERE a = :a AND b = $2;", origin="demo.sql")


def test_a_dollar_number_inside_a_string_is_not_a_positional_parameter() -> None:
    query = Query("SELECT '$1 is text' WHERE a = :a")
    assert query.parameters == ("a",)
    assert str(query) == "SELECT '$1 is text' WHERE a = $1"


def test_a_query_without_parameters_is_plain_text_and_positional_ones_are_listed() -> None:
    queries = Queries(
        "-- name: plain\nSELECT 1;\n-- name: named\nSELECT :x;\n-- name: old\nSELECT $1;", origin="demo.sql"
    )
    assert type(queries.plain) is str  # asyncpg takes nothing but an exact str
    assert queries.plain == "SELECT 1"
    assert isinstance(queries.named, Query)
    assert queries.named(x=1) == ("SELECT $1", 1)
    assert queries.positional() == ["old"]


def _query_files() -> list[tuple[str, Traversable]]:
    """Every `.sql` file of the shared package and the four services, except their migrations."""
    found: list[tuple[str, Traversable]] = []

    def walk(package: str, folder: Traversable, path: str) -> None:
        for entry in folder.iterdir():
            if entry.is_dir() and entry.name not in ("migrations", "__pycache__"):
                walk(package, entry, f"{path}{entry.name}/")
            elif entry.is_file() and entry.name.endswith(".sql"):
                found.append((f"{package}/{path}{entry.name}", entry))

    for package in ("mitra_shared", "mitra_registry", "mitra_agreements", "mitra_notifications", "mitra_reporting"):
        walk(package, resources.files(package), "")
    return sorted(found, key=lambda item: item[0])


QUERY_FILES = _query_files()


def test_there_are_query_files_to_check() -> None:
    assert len(QUERY_FILES) >= 5, QUERY_FILES


@pytest.mark.parametrize("file", [file for _, file in QUERY_FILES], ids=[name for name, _ in QUERY_FILES])
def test_no_query_file_has_positional_parameters(file: Traversable) -> None:
    queries = Queries(file.read_text("utf-8"), origin=file.name)
    assert queries.names(), f"{file.name} holds no `-- name:` query"
    assert queries.positional() == [], f"{file.name}: still written with $n; use :name"


def test_database_url_helpers() -> None:
    dsn = "postgresql://user:pw@db.example:5432/registry?sslmode=require"
    assert database_name(dsn) == "registry"
    assert with_database(dsn, "postgres") == "postgresql://user:pw@db.example:5432/postgres?sslmode=require"


def test_names_of_the_backbone() -> None:
    names = Names("ns")
    assert names.events_exchange == "ns.events"
    assert names.unrouted_exchange == "ns.unrouted"
    assert names.unrouted_queue == "ns.unrouted.kept"
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
