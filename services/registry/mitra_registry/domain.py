"""The register's rules, free of I/O: what a valid registration is and what it records."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field, HttpUrl, field_validator

OrganizationStatus = Literal["applicant", "registered", "active", "suspended", "revoked", "closed"]
INITIAL_STATUS: OrganizationStatus = "applicant"
_COUNTRY = re.compile(r"^[A-Z]{2}$")


class RegisterOrganization(BaseModel):
    """Command: enter a foreign NGO in the register."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "legal_name": "Plan International",
                    "acronym": "PLAN",
                    "country_of_origin": "GB",
                    "headquarters_address": "Dukes Court, Duke Street, Woking, Surrey, United Kingdom",
                    "indonesia_office_address": "Jl. Jenderal Sudirman, Jakarta",
                    "website": "https://plan-international.org",
                    "representative_name": "Country Director",
                    "contact_email": "indonesia@plan-international.org",
                    "focus_areas": ["child_welfare", "disaster_risk_management"],
                }
            ]
        },
    )

    legal_name: str = Field(min_length=2, max_length=300, description="Legal name as in the founding documents.")
    acronym: str | None = Field(None, max_length=30)
    country_of_origin: str = Field(description="ISO 3166-1 alpha-2 code, e.g. `GB`, `US`, `DE`.")
    headquarters_address: str | None = Field(None, max_length=500)
    indonesia_office_address: str | None = Field(None, max_length=500)
    website: HttpUrl | None = None
    representative_name: str | None = Field(None, max_length=200)
    contact_email: EmailStr | None = None
    focus_areas: list[str] = Field(default_factory=list, max_length=20, description="Focus-area codes.")

    @field_validator("country_of_origin")
    @classmethod
    def _country_code(cls, value: str) -> str:
        value = value.upper()
        if not _COUNTRY.match(value):
            raise ValueError("must be an ISO 3166-1 alpha-2 code of two letters, e.g. GB")
        if value == "ID":
            raise ValueError("a foreign NGO cannot have Indonesia as its country of origin")
        return value

    @field_validator("focus_areas")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(code.strip().lower() for code in value))


class Organization(BaseModel):
    id: UUID
    legal_name: str
    acronym: str | None
    country_of_origin: str
    headquarters_address: str | None
    indonesia_office_address: str | None
    website: str | None
    representative_name: str | None
    contact_email: str | None
    status: OrganizationStatus
    focus_areas: list[str]
    version: int
    registered_at: datetime
    updated_at: datetime


def unknown_focus_areas(requested: list[str], known: set[str]) -> list[str]:
    return [code for code in requested if code not in known]
