"""OAuth 2.0 clients: the integration systems (another government system) that get `integration` tokens with the
client credentials grant. Pure."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

CLIENT_ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{2,63}$"


class NewClient(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_id: str = Field(pattern=CLIENT_ID_PATTERN, examples=["bappenas-sipd"])
    name: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$", examples=["Bappenas SIPD"])


class ClientPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")
    active: bool | None = Field(None, description="`false` disables the client: no more tokens.")
    new_secret: bool | None = Field(None, description="`true` replaces the secret (shown once in the answer).")


class Client(BaseModel):
    client_id: str
    name: str
    active: bool
    version: int
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str


class ClientWithSecret(Client):
    client_secret: str | None = Field(None, description="Shown once: only its hash is kept.")


def update_action(before: Client, after: Client, *, new_secret: bool) -> str:
    """The audit trail's name for a change of a client: a new secret says most (its value and hash are never
    recorded, so the name is what tells), then disabling or enabling it, then any other change."""
    if new_secret:
        return "client.secret_replaced"
    if before.active != after.active:
        return "client.disabled" if not after.active else "client.enabled"
    return "client.updated"


def audit_values(client: Client) -> dict[str, Any]:
    """A client as its audit entry records it: never its secret or the secret's hash."""
    return client.model_dump(mode="json", include=set(Client.model_fields))  # leaves out a ClientWithSecret's secret
