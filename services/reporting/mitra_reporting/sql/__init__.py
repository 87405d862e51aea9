"""Reporting's SQL: one file per read model and one for the event log, each query named, with named parameters.

`migrations/` holds the schema, applied in order at start-up (`MigrationSource("reporting", "mitra_reporting")`).
"""

from mitra_shared.db import Queries

EVENT_LOG = Queries.from_package(__name__, "event_log.sql")
ORGANIZATIONS = Queries.from_package(__name__, "organizations.sql")
MSPS = Queries.from_package(__name__, "msps.sql")
OBLIGATIONS = Queries.from_package(__name__, "obligations.sql")
VISITS = Queries.from_package(__name__, "visits.sql")
STORIES = Queries.from_package(__name__, "stories.sql")
AUDIT_LOG = Queries.from_package(__name__, "audit_log.sql")
DOCUMENTS = Queries.from_package(__name__, "documents.sql")
SANCTIONS = Queries.from_package(__name__, "sanctions.sql")
MITIGATION = Queries.from_package(__name__, "mitigation.sql")
PUBLIC = Queries.from_package(__name__, "public.sql")
FUNDING = Queries.from_package(__name__, "funding.sql")
REPLAY = Queries.from_package(__name__, "replay.sql")
