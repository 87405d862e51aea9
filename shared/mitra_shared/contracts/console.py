"""Events published by the console: the facts of people's accounts that other services act on.

Notifications keeps one recipient per person's account from them (its inbox, its e-mail, its role and scope for the
routing rules). They carry the account as it is after the change and its version, so a consumer that applies them
out of order keeps the newest; never a password, its hash or the login state (failures, lockout).
"""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import ConfigDict, Field

from mitra_shared.events import EventData, EventKind

AccountRole = Literal["tpoa", "ministry", "region", "ngo", "auditor", "admin"]

_EXAMPLE = {
    "account_id": "6a1f4c2e-6a43-4c1b-9d0e-2f7a1c3b5d40",
    "username": "siti.rahma",
    "display_name": "Siti Rahma",
    "email": "siti.rahma@kemensos.example.go.id",
    "role": "ministry",
    "ministry_code": "KEMENSOS",
    "region_code": None,
    "organization_id": None,
    "active": True,
    "version": 1,
}


class _AccountFacts(EventData):
    account_id: UUID = Field(description="The console's id of the account: the `sub` of its tokens.")
    username: str = Field(description="The login name, in lower case.", examples=["siti.rahma"])
    display_name: str = Field(description="The person's name as the console shows it.", examples=["Siti Rahma"])
    email: str = Field(description="Where the person's e-mail goes.", examples=["siti.rahma@kemensos.example.go.id"])
    role: AccountRole = Field(description="The account's one role.")
    ministry_code: str | None = Field(
        None, description="For a `ministry` account: its ministry.", examples=["KEMENSOS"]
    )
    region_code: str | None = Field(
        None, description="For a `region` account: a province (2 digits) or a regency or city (4).", examples=["3374"]
    )
    organization_id: UUID | None = Field(None, description="For an `ngo` account: registry's id of the NGO.")
    active: bool = Field(description="`false`: the account is disabled and can no longer log in.")
    version: int = Field(description="The account's version after the change; higher is newer.", ge=1)


class AccountCreated(_AccountFacts):
    """A person's account was made (by TPOA for an NGO's staff, or by an administrator)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{**_EXAMPLE, "created_at": "2026-12-01T02:00:00Z"}]})
    kind = EventKind("console", "account", "created", 1)

    created_at: datetime = Field(description="When the account was made.")


class AccountUpdated(_AccountFacts):
    """A person's account changed: its name, e-mail, role or scope, or it was disabled or enabled again."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {**_EXAMPLE, "active": False, "version": 2, "changed_fields": ["active"],
                 "updated_at": "2026-12-02T03:00:00Z"}
            ]
        }
    )  # fmt: skip
    kind = EventKind("console", "account", "updated", 1)

    changed_fields: list[str] = Field(
        description="Names of the fields this change touched; a change that touches none of the account's facts (a "
        "lockout lifted, a new password) publishes nothing.",
        examples=[["active"]],
    )
    updated_at: datetime


EVENTS: tuple[type[EventData], ...] = (AccountCreated, AccountUpdated)
