"""The benchmark's named SQL (bench/queries.sql)."""

from mitra_shared.db import Queries

QUERIES = Queries.from_package("bench", "queries.sql")
