"""Government partners, free of I/O: what a valid partner is, and what a change to one touches.

A partner's kind and code are its identity (a renumbered region is a new partner): a change touches the name,
the contacts, or whether it is active. Region codes are Kemendagri/BPS codes: a province has two digits (`33`),
a regency or city four, starting with its province's code (`3374` in `33`).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field, HttpUrl, ValidationInfo, field_validator, model_validator
from pydantic.config import JsonDict

from mitra_registry.domain.names import NameText
from mitra_shared.errors import StaleVersion

PartnerKind = Literal["ministry", "tpoa", "province", "regency"]
Language = Literal["id", "en"]
PartnerSort = Literal["name", "-name", "code", "-code", "registered_at", "-registered_at"]

PROVINCE_CODE = re.compile(r"^\d{2}$")
REGENCY_CODE = re.compile(r"^\d{4}$")
AGENCY_CODE = re.compile(r"^[A-Z0-9][A-Z0-9._-]{1,39}$")
REGION_KINDS = frozenset({"province", "regency"})


def normalise_code(kind: str | None, code: str) -> str:
    """Codes as written in Kemendagri's lists (`33.74`) or BPS's (`3374`) are the same; agencies' in capitals."""
    code = code.strip()
    return code.replace(".", "") if kind in REGION_KINDS else code.upper()


def code_problem(kind: str, code: str, parent_code: str | None) -> str | None:
    """Why a code does not fit its kind and parent (None when it does)."""
    if kind == "province" and not PROVINCE_CODE.match(code):
        return "a province code has two digits, e.g. 33"
    if kind == "regency":
        if not REGENCY_CODE.match(code):
            return "a regency or city code has four digits, e.g. 3374"
        if parent_code is not None and not code.startswith(parent_code):
            return f"a regency or city code starts with its province's code {parent_code}"
    if kind in ("ministry", "tpoa") and not AGENCY_CODE.match(code):
        return "a ministry's or TPOA's code is its short name: 2-40 letters, digits, '.', '_' or '-', e.g. KEMENSOS"
    return None


class Contact(BaseModel):
    """Where a partner wants to hear from Mitra: an e-mail address, a webhook, or both."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: NameText = Field(min_length=1, max_length=200, description="Office or person.")
    email: EmailStr | None = None
    webhook_url: HttpUrl | None = Field(None, description="An http or https URL that receives the events as POSTs.")
    language: Language = Field("id", description="Language of the notifications: `id` or `en`.")

    @model_validator(mode="after")
    def _reachable(self) -> Self:
        if self.email is None and self.webhook_url is None:
            raise ValueError("a contact needs an email, a webhook_url, or both")
        return self

    def stored(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "email": str(self.email) if self.email else None,
            "webhook_url": str(self.webhook_url) if self.webhook_url else None,
            "language": self.language,
        }


_CONTACT_EXAMPLE: JsonDict = {
    "name": "Kesbangpol Kota Semarang",
    "email": "kesbangpol@semarangkota.go.id",
    "webhook_url": "https://siap.semarangkota.go.id/hooks/mitra",
    "language": "id",
}


class RegisterPartner(BaseModel):
    """Command: add a government partner."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "kind": "regency",
                    "code": "3374",
                    "name": "Kota Semarang",
                    "parent_code": "33",
                    "contacts": [_CONTACT_EXAMPLE],
                },
                {
                    "kind": "ministry",
                    "code": "KEMENSOS",
                    "name": "Kementerian Sosial",
                    "contacts": [{"name": "Biro Kerja Sama", "email": "kerjasama@kemensos.go.id", "language": "id"}],
                },
            ]
        },
    )

    kind: PartnerKind = Field(description="`ministry` (K/L), `tpoa`, `province`, or `regency` (regency or city).")
    code: str = Field(
        min_length=1,
        max_length=40,
        description="Kemendagri/BPS code of a region (`33`, `3374`); the short name of a ministry (`KEMENSOS`).",
    )
    name: NameText = Field(min_length=2, max_length=200)
    parent_code: str | None = Field(
        None, validate_default=True, description="A regency's or city's province code (required for them only)."
    )
    contacts: list[Contact] = Field(default_factory=list, max_length=20)

    @field_validator("code")
    @classmethod
    def _code_fits_kind(cls, code: str, info: ValidationInfo) -> str:
        kind = info.data.get("kind")
        code = normalise_code(kind, code)
        problem = code_problem(kind, code, None) if kind else None
        if problem:
            raise ValueError(problem)
        return code

    @field_validator("parent_code")
    @classmethod
    def _parent_fits_kind(cls, parent_code: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("kind")
        if kind != "regency":
            if parent_code is not None:
                raise ValueError("only a regency or city has a parent (its province)")
            return None
        if parent_code is None:
            raise ValueError("a regency or city needs its province's code")
        parent_code = normalise_code("province", parent_code)
        if not PROVINCE_CODE.match(parent_code):
            raise ValueError("a province code has two digits, e.g. 33")
        code = info.data.get("code")
        if code is not None and not code.startswith(parent_code):
            raise ValueError(f"the regency or city code {code} does not start with it")
        return parent_code


class PartnerPatch(BaseModel):
    """Command: change a partner's name, contacts or activity. Kind, code and parent cannot change."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {"contacts": [_CONTACT_EXAMPLE]},
                {"active": False},
                {"name": "Kota Semarang", "contacts": []},
            ]
        },
    )

    name: NameText | None = Field(None, min_length=2, max_length=200)
    contacts: list[Contact] | None = Field(None, max_length=20, description="The whole new list of contacts.")
    active: bool | None = Field(None, description="`false` deactivates the partner; `true` reactivates it.")

    @field_validator("name", "active")
    @classmethod
    def _not_null(cls, value: object, info: ValidationInfo) -> object:
        if value is None:
            raise ValueError(f"{info.field_name} cannot be null; leave it out to keep it")
        return value


class Partner(BaseModel):
    id: UUID
    kind: PartnerKind
    code: str
    name: str
    parent_code: str | None
    contacts: list[dict[str, Any]] = Field(
        description="Each with `name`, `email`, `webhook_url`, `language`.", examples=[[_CONTACT_EXAMPLE]]
    )
    active: bool
    version: int = Field(description="Goes up with every change; the ETag of the partner.")
    registered_at: datetime
    updated_at: datetime


def patched_fields(current: Partner, patch: PartnerPatch) -> dict[str, Any]:
    """The fields the patch really changes, with their new values (nothing when it repeats the current state)."""
    changes: dict[str, Any] = {}
    if patch.name is not None and patch.name != current.name:
        changes["name"] = patch.name
    if patch.contacts is not None:
        contacts = [contact.stored() for contact in patch.contacts]
        if contacts != current.contacts:
            changes["contacts"] = contacts
    if patch.active is not None and patch.active != current.active:
        changes["active"] = patch.active
    return changes


def check_version(current: Partner, expected_version: int) -> None:
    """Refuse a change based on a version of the partner that is no longer the current one."""
    if current.version != expected_version:
        raise StaleVersion(
            "header.if-match",
            f"the partner changed since version {expected_version}: it is at version {current.version}; read it again",
        )
