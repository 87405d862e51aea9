"""The register's rules, free of I/O: what a valid registration, update and status change is, and what they record."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field, HttpUrl, field_validator, model_validator

from mitra_registry.domain.names import NameText
from mitra_shared.errors import Conflict, RuleBroken, StaleVersion
from mitra_shared.paging import MAX_OFFSET

ContactLanguage = Literal["id", "en"]
OrganizationStatus = Literal["applicant", "registered", "active", "suspended", "revoked", "closed"]
INITIAL_STATUS: OrganizationStatus = "applicant"
REGISTRATION_REASON = "entered in the register"
"""The reason of the first entry of every NGO's status history."""
LIFECYCLE: tuple[OrganizationStatus, ...] = ("applicant", "registered", "active", "suspended", "revoked", "closed")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
FOCUS_AREA_CODE = r"^[a-z][a-z0-9_]*$"


# --- status lifecycle -------------------------------------------------------------------------------------------

ALLOWED_TRANSITIONS: dict[OrganizationStatus, frozenset[OrganizationStatus]] = {
    # TPOA approves (principle permit) or the application is withdrawn or refused.
    "applicant": frozenset({"registered", "closed"}),
    # An MSP with a Mitra Utama is signed (operating permit); sanctions apply to a permitted NGO.
    "registered": frozenset({"active", "suspended", "revoked", "closed"}),
    # The MSP ends without a new one (back to registered), a sanction freezes or revokes, or the NGO leaves.
    "active": frozenset({"registered", "suspended", "revoked", "closed"}),
    # Reinstatement (to active, or to registered when it has no MSP), or the sanction escalates, or it leaves.
    "suspended": frozenset({"active", "registered", "revoked", "closed"}),
    "revoked": frozenset(),
    "closed": frozenset(),
}
FINAL_STATUSES: frozenset[OrganizationStatus] = frozenset(
    s for s, targets in ALLOWED_TRANSITIONS.items() if not targets
)

LIFECYCLE_DESCRIPTION = """Allowed transitions (anything else is refused with 409):

| from | to |
| --- | --- |
| `applicant` | `registered` (TPOA approved, principle permit), `closed` (application withdrawn or refused) |
| `registered` | `active` (MSP signed), `suspended` (permit frozen), `revoked`, `closed` |
| `active` | `registered` (MSP ended without a new one), `suspended` (permit frozen), `revoked`, `closed` |
| `suspended` | `active` or `registered` (reinstatement), `revoked`, `closed` |
| `revoked`, `closed` | none: both are final |

`revoked` is reached only by a revocation (`POST /organizations/{id}/sanctions`): this route refuses it (409). An
NGO suspended by a freeze leaves `suspended` only when the freeze is lifted (`POST /sanctions/{id}/lift`) or ends
(409 here); a suspension without a freeze (administrative) is entered and left here.
"""


class TransitionRefused(Conflict):
    """A status change the lifecycle does not allow (a conflict with the NGO's current status)."""

    def __init__(self, reason: str) -> None:
        super().__init__("body.status", reason)


def check_transition(current: OrganizationStatus, target: OrganizationStatus) -> None:
    if current == target:
        raise TransitionRefused(f"the organization is already {current}")
    if current in FINAL_STATUSES:
        raise TransitionRefused(f"the organization is {current}, which is final")
    if target not in ALLOWED_TRANSITIONS[current]:
        allowed = ", ".join(s for s in LIFECYCLE if s in ALLOWED_TRANSITIONS[current])
        raise TransitionRefused(f"an organization that is {current} cannot become {target} (allowed: {allowed})")


# --- shared field rules -----------------------------------------------------------------------------------------


def _country_code(value: str) -> str:
    value = value.strip().upper()
    if not _COUNTRY.match(value):
        raise ValueError("must be an ISO 3166-1 alpha-2 code of two letters, e.g. GB")
    if value == "ID":
        raise ValueError("a foreign NGO cannot have Indonesia as its country of origin")
    return value


def _focus_area_codes(value: list[str]) -> list[str]:
    return list(dict.fromkeys(code.strip().lower() for code in value))


_ORGANIZATION_EXAMPLE: dict[str, Any] = {
    "legal_name": "Plan International",
    "acronym": "PLAN",
    "country_of_origin": "GB",
    "headquarters_address": "Dukes Court, Duke Street, Woking, Surrey, United Kingdom",
    "indonesia_office_address": "Jl. Jenderal Sudirman, Jakarta",
    "website": "https://plan-international.org",
    "representative_name": "Country Director",
    "contact_email": "indonesia@plan-international.org",
    "contact_phone": "+62 21 522 9566",
    "contact_language": "en",
    "focus_areas": ["child_welfare", "disaster_risk_management"],
}


class RegisterOrganization(BaseModel):
    """Command: enter a foreign NGO in the register."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [_ORGANIZATION_EXAMPLE]}
    )

    legal_name: NameText = Field(min_length=2, max_length=300, description="Legal name as in the founding documents.")
    acronym: NameText | None = Field(None, max_length=30)
    country_of_origin: str = Field(description="ISO 3166-1 alpha-2 code, e.g. `GB`, `US`, `DE`.")
    headquarters_address: str | None = Field(None, max_length=500)
    indonesia_office_address: str | None = Field(None, max_length=500)
    website: HttpUrl | None = None
    representative_name: NameText | None = Field(None, max_length=200)
    contact_email: EmailStr | None = None
    contact_phone: str | None = Field(None, max_length=40, pattern=r"^\+?[0-9 ()./-]{5,40}$")
    contact_language: ContactLanguage = Field(
        "en", description="The language the NGO's contact (`contact_email`) is written to: `id` or `en`."
    )
    focus_areas: list[str] = Field(default_factory=list, max_length=20, description="Focus-area codes.")

    @field_validator("country_of_origin")
    @classmethod
    def _country(cls, value: str) -> str:
        return _country_code(value)

    @field_validator("focus_areas")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        return _focus_area_codes(value)


class UpdateOrganization(BaseModel):
    """Command: change some of an NGO's particulars. Fields left out stay as they are; `null` clears an optional one.

    The status is not changed here: that is `POST /organizations/{id}/status`, with a reason."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {"indonesia_office_address": "Menara Duta, Jl. H.R. Rasuna Said, Jakarta", "acronym": None},
                {"focus_areas": ["child_welfare", "disability"], "website": "https://plan-international.or.id"},
            ]
        },
    )

    legal_name: NameText | None = Field(None, min_length=2, max_length=300)
    acronym: NameText | None = Field(None, max_length=30)
    country_of_origin: str | None = Field(None, description="ISO 3166-1 alpha-2 code.")
    headquarters_address: str | None = Field(None, max_length=500)
    indonesia_office_address: str | None = Field(None, max_length=500)
    website: HttpUrl | None = None
    representative_name: NameText | None = Field(None, max_length=200)
    contact_email: EmailStr | None = None
    contact_phone: str | None = Field(None, max_length=40, pattern=r"^\+?[0-9 ()./-]{5,40}$")
    contact_language: ContactLanguage | None = Field(None, description="`id` or `en`.")
    focus_areas: list[str] | None = Field(None, max_length=20, description="Focus-area codes; replaces the list.")

    @field_validator("legal_name", "country_of_origin", "contact_language", "focus_areas", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("cannot be cleared (null); leave it out to keep it")
        return value

    @field_validator("country_of_origin")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        return None if value is None else _country_code(value)

    @field_validator("focus_areas")
    @classmethod
    def _distinct(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _focus_area_codes(value)

    @model_validator(mode="after")
    def _something(self) -> UpdateOrganization:
        if not self.model_fields_set:
            raise ValueError("name at least one field to change")
        return self

    def values(self) -> dict[str, Any]:
        """The fields this update names, with the values as stored (a URL as text)."""
        named = {name: getattr(self, name) for name in self.model_fields_set}
        if named.get("website") is not None:
            named["website"] = str(named["website"])
        return named


class Organization(BaseModel):
    """An NGO as the register keeps it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0b7e4f2c-8d0e-4a55-9f3e-2d6c1f0a9b11",
                    **_ORGANIZATION_EXAMPLE,
                    "website": "https://plan-international.org/",
                    "status": "active",
                    "version": 4,
                    "registered_at": "2026-03-02T03:00:00Z",
                    "updated_at": "2026-05-11T08:30:00Z",
                }
            ]
        }
    )

    id: UUID
    legal_name: str
    acronym: str | None
    country_of_origin: str
    headquarters_address: str | None
    indonesia_office_address: str | None
    website: str | None
    representative_name: str | None
    contact_email: str | None
    contact_phone: str | None = None
    contact_language: ContactLanguage = "en"
    status: OrganizationStatus
    focus_areas: list[str]
    version: int = Field(description="Record version, also the ETag; send it back in `If-Match` to change it.")
    registered_at: datetime
    updated_at: datetime


UPDATABLE_FIELDS: tuple[str, ...] = tuple(UpdateOrganization.model_fields)


def changed_fields(current: Organization, update: UpdateOrganization) -> dict[str, Any]:
    """The named fields whose value differs from the current one, with their new values, in a stable order."""
    values = update.values()
    return {
        name: values[name] for name in UPDATABLE_FIELDS if name in values and values[name] != getattr(current, name)
    }


class ChangeStatus(BaseModel):
    """Command: move an NGO in its lifecycle, saying why."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {"status": "registered", "reason": "Principle permit granted after TPOA review of 12 March"},
                {"status": "suspended", "reason": "Written warning ignored: fundraising in Indonesia"},
            ]
        },
    )

    status: OrganizationStatus
    reason: str = Field(min_length=3, max_length=2000, description="Why, for the audit trail and subscribers.")


class StatusChange(BaseModel):
    """One entry of an NGO's status history: who moved it, when and why."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "previous_status": "active",
                    "status": "suspended",
                    "reason": "Written warning ignored: fundraising in Indonesia",
                    "changed_by": "kemlu-director-3",
                    "changed_at": "2026-05-11T08:30:00Z",
                    "version": 5,
                }
            ]
        }
    )

    previous_status: OrganizationStatus | None = Field(description="`null` for the entry made at registration.")
    status: OrganizationStatus
    reason: str
    changed_by: str = Field(description="Subject of the token of the official who made the change.")
    changed_at: datetime
    version: int = Field(description="The NGO's record version after the change.")


class OrganizationQuery(BaseModel):
    """Filters, search, order and page of the NGO list; an unknown parameter is refused."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    status: OrganizationStatus | None = None
    focus_area: str | None = Field(None, pattern=FOCUS_AREA_CODE, max_length=60, examples=["child_welfare"])
    country: str | None = Field(None, pattern="^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2", examples=["GB"])
    expiring_before: date | None = Field(
        None,
        description="Only NGOs with a valid permit whose last day (`valid_until`) is before this date.",
        examples=["2027-01-01"],
    )
    q: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="Part of the legal name or acronym; case and accents do not matter.",
        examples=["plan"],
    )
    sort: Literal["registered_at", "legal_name", "country_of_origin", "status"] = Field(
        "registered_at", description="`status` sorts in lifecycle order."
    )
    order: Literal["asc", "desc"] | None = Field(
        None, description="Default: `desc` for `registered_at` (newest first), `asc` otherwise."
    )
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)

    @property
    def direction(self) -> Literal["asc", "desc"]:
        if self.order is not None:
            return self.order
        return "desc" if self.sort == "registered_at" else "asc"


def like_pattern_body(term: str) -> str:
    """A search term with LIKE's wildcards escaped, so `50%` finds `50%` and `_` only finds `_`."""
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def unknown_focus_areas(requested: list[str], known: set[str]) -> list[str]:
    return [code for code in requested if code not in known]


def require_known_focus_areas(requested: list[str], known: set[str], *, field: str = "body.focus_areas") -> None:
    """Refuse codes the vocabulary does not know, naming them in order."""
    missing = unknown_focus_areas(requested, known)
    if missing:
        raise RuleBroken(field, f"unknown focus area code(s): {', '.join(missing)}")


def check_version(current: Organization, expected_version: int) -> None:
    """Refuse a change based on a version of the NGO's record that is no longer the current one."""
    if current.version != expected_version:
        raise StaleVersion(
            "header.if-match",
            f"If-Match names version {expected_version}, but the organization is at version {current.version}: "
            "read it again and reapply your change",
        )


class FocusArea(BaseModel):
    """An entry of the focus-area vocabulary."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [{"code": "education", "name_id": "Pendidikan", "name_en": "Education"}],
        },
    )

    code: str = Field(
        min_length=2, max_length=60, pattern=FOCUS_AREA_CODE, description="Lower-case letters, digits, `_`."
    )
    name_id: NameText = Field(min_length=2, max_length=200, description="Name in Indonesian.")
    name_en: NameText = Field(min_length=2, max_length=200, description="Name in English.")
