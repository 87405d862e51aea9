"""The claims of an access token the console signs. Pure.

`iss` (the console's issuer URL), `aud` (`mitra`), `sub` (the account id, or the client id of an integration
system), `name`, `roles` ([its one role]), its scope claim, `iat`, `nbf`, `exp` and `jti`; the header names the
signing key (`kid`). Never longer than 12 hours.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

AUDIENCE = "mitra"
MAX_LIFETIME = timedelta(hours=12)


@dataclass(frozen=True)
class Grant:
    """Who a token is for: the subject, display name, role and scope claim."""

    subject: str
    name: str
    role: str
    scope: dict[str, str]


def claims(grant: Grant, *, issuer: str, now: datetime, lifetime: timedelta) -> dict[str, Any]:
    if lifetime > MAX_LIFETIME or lifetime <= timedelta(0):
        raise ValueError(f"a token lives at most {MAX_LIFETIME}")
    issued = int(now.timestamp())
    return {
        "iss": issuer,
        "aud": AUDIENCE,
        "sub": grant.subject,
        "name": grant.name,
        "roles": [grant.role],
        **grant.scope,
        "iat": issued,
        "nbf": issued,
        "exp": issued + int(lifetime.total_seconds()),
        "jti": str(uuid.uuid4()),
    }
