"""Agreements' SQL: one file of named queries per aggregate, and `migrations/` (numbered, never edited once applied).

Use a query as `await conn.fetchrow(*MSPS.get_msp(msp_id=msp_id))`: the call returns the statement and its
arguments in order and refuses a missing or an unexpected name.
"""

from mitra_shared.db import Queries

REGISTRY_FACTS = Queries.from_package(__name__, "registry_facts.sql")
MSPS = Queries.from_package(__name__, "msps.sql")
OBLIGATIONS = Queries.from_package(__name__, "obligations.sql")
REVIEWS = Queries.from_package(__name__, "reviews.sql")
DEADLINES = Queries.from_package(__name__, "deadlines.sql")
VISITS = Queries.from_package(__name__, "visits.sql")
RECOMMENDATIONS = Queries.from_package(__name__, "recommendations.sql")
QUEUES = Queries.from_package(__name__, "queues.sql")
DOCUMENTS = Queries.from_package(__name__, "documents.sql")
MONITORING = Queries.from_package(__name__, "monitoring.sql")
IMPORTS = Queries.from_package(__name__, "imports.sql")
