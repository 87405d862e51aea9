"""The registry's SQL: one file of named queries per aggregate (loaded here), and `migrations/`."""

from mitra_shared.db import Queries

ORGANIZATIONS = Queries.from_package("mitra_registry", "sql/organizations.sql")
STAFF = Queries.from_package("mitra_registry", "sql/staff.sql")
PARTNERS = Queries.from_package("mitra_registry", "sql/partners.sql")
REGIONS = Queries.from_package("mitra_registry", "sql/regions.sql")
PERMITS = Queries.from_package("mitra_registry", "sql/permits.sql")
SANCTIONS = Queries.from_package("mitra_registry", "sql/sanctions.sql")
REVIEWS = Queries.from_package("mitra_registry", "sql/reviews.sql")
IMPORTS = Queries.from_package("mitra_registry", "sql/imports.sql")
