"""Notifications' SQL: one file of named queries per aggregate, and the numbered migrations."""

from mitra_shared.db import Queries

_PACKAGE = "mitra_notifications"

RECIPIENTS = Queries.from_package(_PACKAGE, "sql/recipients.sql")
SUBSCRIPTIONS = Queries.from_package(_PACKAGE, "sql/subscriptions.sql")
ROUTING_RULES = Queries.from_package(_PACKAGE, "sql/routing_rules.sql")
ROUTING = Queries.from_package(_PACKAGE, "sql/routing.sql")
INBOX = Queries.from_package(_PACKAGE, "sql/inbox.sql")
DELIVERIES = Queries.from_package(_PACKAGE, "sql/deliveries.sql")
DIGEST = Queries.from_package(_PACKAGE, "sql/digest.sql")
