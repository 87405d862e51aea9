"""Accounts of people: a username, a display name, an e-mail, ONE role and the scope that role needs. Pure.

An account's role is one of Mitra's roles for people (`integration` is for OAuth clients, see `clients`); its scope
claim is the one the role needs and no other: `ministry_code` for `ministry`, `region_code` for `region` (a province,
2 digits, or a regency or city, 4), `organization_id` for `ngo`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator

from mitra_shared.contracts import console as contracts
from mitra_shared.errors import RuleBroken, StaleVersion

AccountRole = Literal["tpoa", "ministry", "region", "ngo", "auditor", "admin"]
SCOPE_FIELDS = ("ministry_code", "region_code", "organization_id")
SCOPE_OF_ROLE: dict[str, str] = {"ministry": "ministry_code", "region": "region_code", "ngo": "organization_id"}
USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._@-]{2,63}$"
MINISTRY_CODE_PATTERN = r"^[A-Z0-9][A-Z0-9.]{1,31}$"
REGION_CODE_PATTERN = r"^\d{2}(\d{2})?$"
NAME_PATTERN = r"^[^\x00-\x1f\x7f]+$"


class AccountScope(BaseModel):
    """The role and the scope claim it needs."""

    role: AccountRole
    ministry_code: str | None = Field(None, pattern=MINISTRY_CODE_PATTERN, examples=["KEMENSOS"])
    region_code: str | None = Field(
        None, pattern=REGION_CODE_PATTERN, description="A province (2 digits) or regency/city (4).", examples=["33"]
    )
    organization_id: uuid.UUID | None = Field(None, description="The NGO of an `ngo` account (registry's id).")

    @model_validator(mode="after")
    def _scope_fits_role(self) -> Self:
        check_scope(self.role, self.ministry_code, self.region_code, self.organization_id)
        return self


def check_scope(role: str, ministry_code: str | None, region_code: str | None, organization_id: object) -> None:
    """The role's own scope claim is given, the others are not."""
    values = {"ministry_code": ministry_code, "region_code": region_code, "organization_id": organization_id}
    needed = SCOPE_OF_ROLE.get(role)
    if needed is not None and values[needed] is None:
        raise RuleBroken(f"body.{needed}", f"a `{role}` account needs its `{needed}`")
    for name, value in values.items():
        if name != needed and value is not None:
            raise RuleBroken(f"body.{name}", f"a `{role}` account has no `{name}`")


class NewAccount(AccountScope):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(
        pattern=USERNAME_PATTERN,
        description="Letters, digits and `._@-`, 3 to 64 characters, kept in lower case; unique.",
        examples=["siti.rahma"],
    )
    display_name: str = Field(min_length=1, max_length=200, pattern=NAME_PATTERN, examples=["Siti Rahma"])
    email: EmailStr
    password: str = Field(min_length=1, max_length=1024, description="The first password (see the password rules).")

    @field_validator("username", mode="before")
    @classmethod
    def _lower_case(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value


class AccountPatch(BaseModel):
    """A change of an account: fields left out keep their value. Changing the role names the new role's scope."""

    model_config = ConfigDict(extra="forbid")

    display_name: str | None = Field(None, min_length=1, max_length=200, pattern=NAME_PATTERN)
    email: EmailStr | None = None
    role: AccountRole | None = None
    ministry_code: str | None = Field(None, pattern=MINISTRY_CODE_PATTERN)
    region_code: str | None = Field(None, pattern=REGION_CODE_PATTERN)
    organization_id: uuid.UUID | None = None
    active: bool | None = Field(None, description="`false` disables the account: it can no longer log in.")
    unlock: bool | None = Field(None, description="`true` lifts a lockout after failed logins.")


class Account(BaseModel):
    id: uuid.UUID
    username: str
    display_name: str
    email: str
    role: AccountRole
    ministry_code: str | None = None
    region_code: str | None = None
    organization_id: uuid.UUID | None = None
    active: bool
    locked_until: datetime | None = None
    last_login_at: datetime | None = None
    password_changed_at: datetime
    version: int
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str

    def scope(self) -> dict[str, str]:
        """The scope claim of its tokens."""
        return scope_claim(self.role, self.model_dump())


def scope_claim(role: str, values: Mapping[str, Any]) -> dict[str, str]:
    """The scope claim of an account's tokens, from its role and its stored values (a row, or a model's fields)."""
    claim = SCOPE_OF_ROLE.get(role)
    value = values[claim] if claim else None
    return {claim: str(value)} if claim and value is not None else {}


def check_version(current: Account, expected_version: int) -> None:
    if current.version != expected_version:
        raise StaleVersion(
            "header.if-match", f"the account is at version {current.version}, not {expected_version}: read it again"
        )


def patched(current: Account, patch: AccountPatch) -> dict[str, Any]:
    """The fields the patch changes, with the scope made to fit the (new) role: a role change drops the old
    role's scope claim and needs the new one's."""
    sent = patch.model_dump(exclude_unset=True)
    sent.pop("unlock", None)
    for name in ("display_name", "email", "role", "active"):
        if name in sent and sent[name] is None:
            raise RuleBroken(f"body.{name}", "cannot be null")
    role = sent.get("role", current.role)
    scope = {name: sent.get(name, getattr(current, name)) for name in SCOPE_FIELDS}
    if role != current.role:
        needed = SCOPE_OF_ROLE.get(role)
        scope = {name: (sent.get(name) if name == needed else None) for name in SCOPE_FIELDS}
    check_scope(role, scope["ministry_code"], scope["region_code"], scope["organization_id"])
    wanted = {**{k: v for k, v in sent.items() if k not in SCOPE_FIELDS}, **scope, "role": role}
    return {name: value for name, value in wanted.items() if getattr(current, name) != value}


def update_action(changes: dict[str, Any], *, unlock: bool) -> str:
    """The audit trail's name for a change of an account: disabling or enabling it says most, then any other
    change of its fields, then lifting a lockout alone."""
    if "active" in changes:
        return "account.disabled" if changes["active"] is False else "account.enabled"
    if changes:
        return "account.updated"
    return "account.unlocked" if unlock else "account.updated"


def audit_values(account: Account) -> dict[str, Any]:
    """An account as its audit entry records it: the fields the API shows, never a password or its hash (a new
    password shows as a new `password_changed_at`)."""
    return account.model_dump(mode="json")


def _facts(account: Account) -> dict[str, Any]:
    """What other services learn of an account (`mitra_shared.contracts.console`): never a password, its hash or
    the login state."""
    return account.model_dump(
        include={"username", "display_name", "email", "role", "ministry_code", "region_code", "organization_id",
                 "active", "version"}
    ) | {"account_id": account.id}  # fmt: skip


def created_event(account: Account) -> contracts.AccountCreated:
    return contracts.AccountCreated(**_facts(account), created_at=account.created_at)


def updated_event(account: Account, changes: dict[str, Any]) -> contracts.AccountUpdated | None:
    """The event of a change of an account's facts; None when none changed (a lockout lifted, a new password)."""
    if not changes:
        return None
    return contracts.AccountUpdated(**_facts(account), changed_fields=sorted(changes), updated_at=account.updated_at)
