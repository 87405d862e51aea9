"""The console's SQL: one file of named queries per aggregate (loaded here), and `migrations/`."""

from mitra_shared.db import Queries

ACCOUNTS = Queries.from_package("mitra_console", "sql/accounts.sql")
CLIENTS = Queries.from_package("mitra_console", "sql/clients.sql")
KEYS = Queries.from_package("mitra_console", "sql/keys.sql")
WEB = Queries.from_package("mitra_console", "sql/web.sql")
WEB_IMPORTS = Queries.from_package("mitra_console", "sql/web_imports.sql")
