"""The chaos run's named SQL (chaos/queries.sql), read from the services' databases as the administrator."""

from mitra_shared.db import Queries

QUERIES = Queries.from_package("chaos", "queries.sql")
