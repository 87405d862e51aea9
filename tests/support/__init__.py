"""Test support, one module per kind, shared by the unit, integration and end-to-end tests (no test keeps a copy):

- `paths`: `REPO`, `DATA` (the repository's own reference data, `data/`)
- `database`: `create_database`, `drop_database`, `migrate`, `create_migrated_database`, `migrated_pool`,
  `module_database`, `emptied_pool`
- `broker`: `AMQP_URL`, `new_namespace`, `delete_namespace`
- `clock`: `FakeClock`, `at_jakarta`
- `subscriber`: `OutsideSubscriber`, an outside system's queue on the events exchange
- `app`: `api_client`, `prepared_app`, `asgi_client`: a service's real app over ASGI on the test's pool and clock
- `services`: `running_services` and friends: the services as processes, through `mitra_devtools.launcher`
- `mail`: `SmtpServer`, `Mailbox`
- `webhooks`: `webhook_receiver`, `WebhookReceiver`, `serving`
- `polling`: `eventually`
- `tokens`: `token`, `auth_headers`
- `agreements_world`: `AgreementsWorld`, `agreements_world`, `learn`, registry's facts as agreements learns them
- `notifications`: `consume`, `apply`, `add_recipient`, `partners`, `sign`, `emailed`, `message`

The fixtures (`database`, `namespace`, `amqp`, `pool`, `clock`) are in `tests/conftest.py`. The names below are
re-exported so that `from support import X` keeps working.
"""

from __future__ import annotations

from mitra_devtools.launcher import free_port, unique
from support.broker import AMQP_URL, delete_namespace
from support.database import ADMIN_DSN, create_database, drop_database
from support.paths import DATA, REPO
from support.polling import eventually
from support.tokens import JWT_AUDIENCE, JWT_ISSUER, auth_headers, token
from support.webhooks import serving

__all__ = [
    "ADMIN_DSN",
    "AMQP_URL",
    "DATA",
    "JWT_AUDIENCE",
    "JWT_ISSUER",
    "REPO",
    "auth_headers",
    "create_database",
    "delete_namespace",
    "drop_database",
    "eventually",
    "free_port",
    "serving",
    "token",
    "unique",
]
