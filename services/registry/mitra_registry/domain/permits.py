"""The rules of permits, free of I/O: terms, extensions, and when an expiry reminder is due.

Dates are calendar dates in Indonesia (Asia/Jakarta). `valid_until` is the last day a permit is valid (inclusive):
a permit valid until 2027-01-15 is valid all that day and expired from 2027-01-16.

- A principle permit (izin prinsip) is valid at most 3 years: `valid_until` is at the latest the third anniversary
  of `issued_on` (2024-01-15 → 2027-01-15; 29 February → 28 February).
- An operating permit (izin operasional) rests on a valid principle permit of the same NGO and is never valid past
  that principle permit's `valid_until`.
- An extension starts a new term the day after the current `valid_until`; the new `valid_until` is at the latest
  the third anniversary of that day. For a principle permit, the request is due at least 3 calendar months before
  the current `valid_until`; a later request is accepted and flagged `requested_late`.
- Expiry reminders: see `reminder_windows`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic.config import JsonDict

from mitra_shared.clock import add_months
from mitra_shared.errors import Conflict, RuleBroken

MAX_TERM_YEARS = 3
EXTENSION_NOTICE_MONTHS = 3

PermitType = Literal["principle", "operating"]
PermitStatus = Literal["valid", "expired", "revoked"]
# An NGO in one of these states gets no new permit and no extension.
STATUSES_WITHOUT_PERMITS = frozenset({"suspended", "revoked", "closed"})


def latest_end_of_term(term_starts_on: date) -> date:
    """The last `valid_until` a term starting that day may have: its third anniversary."""
    return add_months(term_starts_on, 12 * MAX_TERM_YEARS)


def extension_due_by(valid_until: date) -> date:
    """The last day a principle permit's extension can be requested without being late."""
    return add_months(valid_until, -EXTENSION_NOTICE_MONTHS)


_EXAMPLE_PRINCIPLE: JsonDict = {
    "permit_type": "principle",
    "number": "IP-2025/0042/KEMLU",
    "issued_on": "2025-02-01",
    "valid_until": "2028-02-01",
}
_EXAMPLE_OPERATING: JsonDict = {
    "permit_type": "operating",
    "number": "IO-2025/0107/KEMENSOS",
    "issued_on": "2025-03-10",
    "valid_until": "2027-12-31",
    "principle_permit_id": "0b9c6f1e-4d7a-4c53-9a1f-2f1f6f1d8a11",
    "msp_id": "5e3a8d52-7c55-4a4e-8f1b-3e9d0c2a7b64",
}


class GrantPermit(BaseModel):
    """Command: record a permit granted to an NGO."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [_EXAMPLE_PRINCIPLE, _EXAMPLE_OPERATING]},
    )

    permit_type: PermitType = Field(description="`principle` (izin prinsip) or `operating` (izin operasional).")
    number: str = Field(min_length=1, max_length=100, description="The permit's official number; unique per type.")
    issued_on: date
    valid_until: date = Field(
        description="Last day of validity (inclusive). A principle permit: at most the third anniversary of "
        "`issued_on`. An operating permit: at most its principle permit's `valid_until`."
    )
    principle_permit_id: UUID | None = Field(
        None, validate_default=True, description="Operating permits only (required): the NGO's principle permit."
    )
    msp_id: UUID | None = Field(None, description="Operating permits only: the MSP the permit rests on.")

    @field_validator("valid_until")
    @classmethod
    def _within_the_term(cls, valid_until: date, info: ValidationInfo) -> date:
        issued_on = info.data.get("issued_on")
        if issued_on is None:
            return valid_until
        if valid_until < issued_on:
            raise ValueError("must not be before issued_on")
        if info.data.get("permit_type") == "principle" and valid_until > latest_end_of_term(issued_on):
            raise ValueError(
                f"a principle permit is valid at most {MAX_TERM_YEARS} years: "
                f"at the latest {latest_end_of_term(issued_on).isoformat()} for issued_on {issued_on.isoformat()}"
            )
        return valid_until

    @field_validator("principle_permit_id")
    @classmethod
    def _principle_only_for_operating(cls, value: UUID | None, info: ValidationInfo) -> UUID | None:
        permit_type = info.data.get("permit_type")
        if permit_type == "operating" and value is None:
            raise ValueError("an operating permit needs the principle permit it rests on")
        if permit_type == "principle" and value is not None:
            raise ValueError("only an operating permit rests on a principle permit")
        return value

    @field_validator("msp_id")
    @classmethod
    def _msp_only_for_operating(cls, value: UUID | None, info: ValidationInfo) -> UUID | None:
        if info.data.get("permit_type") == "principle" and value is not None:
            raise ValueError("only an operating permit rests on an MSP")
        return value


@dataclass(frozen=True)
class PrincipleFacts:
    """What an operating permit is checked against: the principle permit it names."""

    id: UUID
    organization_id: UUID
    permit_type: PermitType
    status: PermitStatus
    issued_on: date
    valid_until: date


def check_may_receive_permit(organization_status: str) -> None:
    if organization_status in STATUSES_WITHOUT_PERMITS:
        raise Conflict(None, f"the NGO is {organization_status}: it gets no new permit or extension")


def check_operating_permit(command: GrantPermit, organization_id: UUID, principle: PrincipleFacts | None) -> None:
    """An operating permit rests on a valid principle permit of the same NGO and never outlasts it."""
    field = "body.principle_permit_id"
    if principle is None or principle.permit_type != "principle":
        raise RuleBroken(field, f"no principle permit {command.principle_permit_id}")
    if principle.organization_id != organization_id:
        raise RuleBroken(field, "the principle permit belongs to another NGO")
    if principle.status != "valid":
        raise Conflict(field, f"the principle permit is {principle.status}")
    if command.issued_on < principle.issued_on:
        raise RuleBroken(
            "body.issued_on",
            f"an operating permit cannot be issued before its principle permit ({principle.issued_on.isoformat()})",
        )
    if command.valid_until > principle.valid_until:
        raise RuleBroken(
            "body.valid_until",
            f"an operating permit is never valid past its principle permit ({principle.valid_until.isoformat()})",
        )


def principle_limit(principle: PrincipleFacts | None) -> date | None:
    """The day an operating permit's extension may not pass: its principle permit's `valid_until` (None for a
    principle permit, which rests on nothing). A principle permit that is no longer valid allows no extension."""
    if principle is None:
        return None
    if principle.status != "valid":
        raise Conflict(None, f"its principle permit is {principle.status}")
    return principle.valid_until


class ExtendPermit(BaseModel):
    """Command: extend a permit's validity."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"valid_until": "2031-02-01", "requested_on": "2027-10-15"}]},
    )

    valid_until: date = Field(
        description="The new last day of validity: after the current one, and at most the third anniversary of "
        "the day after it (a new term of at most 3 years); an operating permit's never past its principle permit's."
    )
    requested_on: date | None = Field(
        None, description="When the extension was requested; today in Asia/Jakarta if left out. Not in the future."
    )


@dataclass(frozen=True)
class PermitTerm:
    permit_type: PermitType
    status: PermitStatus
    valid_until: date


@dataclass(frozen=True)
class ExtensionDecision:
    requested_on: date
    requested_late: bool


def decide_extension(
    permit: PermitTerm, command: ExtendPermit, *, today: date, principle_valid_until: date | None = None
) -> ExtensionDecision:
    """Check an extension request against the permit's current term; say whether it came late (refusals are
    RuleBroken, or Conflict when the permit's state rather than the request forbids it)."""
    requested_on = command.requested_on or today
    if requested_on > today:
        raise RuleBroken("body.requested_on", "cannot be in the future")
    if permit.status == "revoked":
        raise Conflict(None, "the permit was revoked: it is not extended")
    expired = f"the permit expired after {permit.valid_until.isoformat()}: an expired permit is not extended"
    if permit.status == "expired":
        raise Conflict(None, expired)
    if requested_on > permit.valid_until:
        raise Conflict("body.requested_on", expired)
    if command.valid_until <= permit.valid_until:
        raise RuleBroken("body.valid_until", f"must be after the current valid_until {permit.valid_until.isoformat()}")
    new_term_starts_on = permit.valid_until + timedelta(days=1)
    if command.valid_until > latest_end_of_term(new_term_starts_on):
        raise RuleBroken(
            "body.valid_until",
            f"an extension is a new term of at most {MAX_TERM_YEARS} years: "
            f"at the latest {latest_end_of_term(new_term_starts_on).isoformat()}",
        )
    if principle_valid_until is not None and command.valid_until > principle_valid_until:
        raise RuleBroken(
            "body.valid_until",
            f"an operating permit is never valid past its principle permit ({principle_valid_until.isoformat()})",
        )
    late = permit.permit_type == "principle" and requested_on > extension_due_by(permit.valid_until)
    return ExtensionDecision(requested_on=requested_on, requested_late=late)


@dataclass(frozen=True)
class ReminderWindow:
    """Permits whose `valid_until` falls in [first, last] are owed the reminder `days_before` days ahead."""

    days_before: int
    first: date
    last: date


def reminder_windows(today: date, lead_days: Sequence[int]) -> list[ReminderWindow]:
    """Which reminder each valid permit is owed today: the most urgent lead time that applies, and only that one.

    With leads 90 and 30, a permit whose last valid day is 31 to 90 days away is owed the 90-day reminder, and one
    0 to 30 days away the 30-day reminder. A scheduler that was down while the 90-day window passed therefore
    sends only the 30-day reminder, not both at once: subscribers hear the current urgency, never a stale one.
    """
    windows = []
    previous = -1
    for days in sorted(set(lead_days)):
        windows.append(ReminderWindow(days, today + timedelta(days=previous + 1), today + timedelta(days=days)))
        previous = days
    return windows


class Permit(BaseModel):
    id: UUID
    organization_id: UUID
    permit_type: PermitType
    number: str
    issued_on: date
    valid_until: date = Field(description="Last day of validity (inclusive).")
    principle_permit_id: UUID | None
    msp_id: UUID | None
    status: PermitStatus
    version: int
    granted_at: datetime


PERMIT_DOCUMENT_PURPOSES = ("scan",)
"""What a file attached to a permit may be: `scan`, the scanned permit letter."""


def permit_document_purpose(purpose: str | None) -> str:
    """The purpose of a file attached to a permit: `scan` (also when none is given); anything else is refused."""
    chosen = (purpose or "scan").strip()
    if chosen not in PERMIT_DOCUMENT_PURPOSES:
        raise RuleBroken("body.purpose", f"a permit's file is its scan: purpose must be `scan`, not {chosen!r}")
    return chosen


class PermitExtension(BaseModel):
    id: UUID
    permit_id: UUID
    previous_valid_until: date
    valid_until: date
    requested_on: date
    requested_late: bool = Field(
        description="A principle permit's extension requested less than 3 months before expiry (accepted, flagged)."
    )
    extended_at: datetime
    permit: Permit = Field(description="The permit after the extension.")
