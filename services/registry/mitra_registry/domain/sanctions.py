"""Sanctions on NGOs, free of I/O: what may be imposed and lifted, and what it does to the NGO's status.

TPOA imposes three kinds of sanction, each with a category (what the NGO did) and a reason:

- a `warning` is recorded and told; the NGO's status does not move;
- a `freeze` suspends the NGO (`suspended`) while it lasts; lifting it (or its end) returns the NGO to the status
  it had before. One freeze at a time: a freeze on a frozen (suspended) NGO is refused;
- a `revocation` revokes the NGO (`revoked`, final) and every valid permit it holds, and ends its other active
  sanctions quietly (lifted, "superseded by the revocation", no event); it is never lifted and has no end date.
  It is the only way to `revoked`: a plain status change there is refused, as is one out of a freeze's `suspended`.

Dates are calendar days in Asia/Jakarta. A sanction starts on the day it is imposed; `ends_on`, when set, is the
last day a warning or freeze is in effect: from the day after, it has `expired` (the worker ends it). A sanction on
a revoked or closed NGO is refused (409); an applicant may be warned, not frozen or revoked (its application is
closed instead).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from mitra_shared.errors import Conflict, RuleBroken
from mitra_shared.paging import MAX_OFFSET

SanctionKind = Literal["warning", "freeze", "revocation"]
SanctionCategory = Literal[
    "political_activity", "proselytising", "commercial_activity", "fundraising", "reporting_failure", "other"
]
SanctionStatus = Literal["active", "lifted", "expired"]
EXPIRY_REASON = "its end date passed"
"""The reason of a warning or freeze that ended by itself."""
SUPERSEDED_REASON = "superseded by the revocation"
"""The reason of the warnings and freezes a revocation ends (quietly: no `registry.sanction.lifted`)."""
_NO_SANCTION_STATUSES = frozenset({"revoked", "closed"})
_STATUS_OF_KIND: dict[str, str] = {"freeze": "suspended", "revocation": "revoked"}


class ImposeSanction(BaseModel):
    """Command: impose a sanction on an NGO."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "kind": "freeze",
                    "category": "fundraising",
                    "reason": "Raised funds from the public in Indonesia after a written warning",
                    "ends_on": "2027-06-30",
                },
                {"kind": "revocation", "category": "political_activity", "reason": "Campaigned in the 2029 election"},
            ]
        },
    )

    kind: SanctionKind = Field(description="`warning`, `freeze` (the NGO suspended) or `revocation` (final).")
    category: SanctionCategory = Field(description="What the NGO did.")
    reason: str = Field(min_length=3, max_length=2000, description="Why, for the NGO, the audit trail and subscribers.")
    ends_on: date | None = Field(
        None,
        description="For a warning or freeze: its last day in effect (not before today); it expires by itself the day "
        "after. Not for a revocation.",
    )

    @field_validator("ends_on")
    @classmethod
    def _no_end_for_revocation(cls, value: date | None, info: ValidationInfo) -> date | None:
        if value is not None and info.data.get("kind") == "revocation":
            raise ValueError("a revocation is final: it has no end date")
        return value


class LiftSanction(BaseModel):
    """Command: lift a warning or freeze before its end."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"reason": "The NGO returned the funds and gave written assurances"}]},
    )

    reason: str = Field(min_length=3, max_length=2000)


class Sanction(BaseModel):
    """A sanction as the register keeps it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "7c1e2d3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
                    "organization_id": "0b7e4f2c-8d0e-4a55-9f3e-2d6c1f0a9b11",
                    "kind": "freeze",
                    "category": "fundraising",
                    "reason": "Raised funds from the public in Indonesia after a written warning",
                    "starts_on": "2026-05-11",
                    "ends_on": "2027-06-30",
                    "status": "active",
                    "imposed_by": "tpoa-secretary-1",
                    "imposed_at": "2026-05-11T08:30:00Z",
                    "lifted_by": None,
                    "lifted_at": None,
                    "lift_reason": None,
                }
            ]
        }
    )

    id: UUID
    organization_id: UUID
    kind: SanctionKind
    category: SanctionCategory
    reason: str
    starts_on: date = Field(description="The day it took effect (Asia/Jakarta).")
    ends_on: date | None = Field(description="Last day in effect of a warning or freeze, if set.")
    status: SanctionStatus = Field(description="`active`, `lifted` (by TPOA) or `expired` (its end date passed).")
    imposed_by: str
    imposed_at: datetime
    lifted_by: str | None
    lifted_at: datetime | None
    lift_reason: str | None


class SanctionQuery(BaseModel):
    """Filter and page of an NGO's sanctions; an unknown parameter is refused."""

    model_config = ConfigDict(extra="forbid")

    status: SanctionStatus | None = None
    kind: SanctionKind | None = None
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


@dataclass(frozen=True)
class Imposition:
    """What imposing a sanction does: the NGO's status afterwards (None: unchanged), and whether its permits are
    revoked."""

    new_status: str | None
    revokes_permits: bool


def decide_imposition(command: ImposeSanction, organization_status: str, *, frozen: bool, today: date) -> Imposition:
    """Check a sanction against the NGO's status (Conflict) and its dates (RuleBroken); say what it does."""
    if organization_status in _NO_SANCTION_STATUSES:
        raise Conflict("path.organization_id", f"the NGO is {organization_status}: it takes no further sanction")
    if command.ends_on is not None and command.ends_on < today:
        raise RuleBroken("body.ends_on", f"must not be before today ({today.isoformat()})")
    if command.kind == "warning":
        return Imposition(new_status=None, revokes_permits=False)
    if organization_status == "applicant":
        raise Conflict(
            "body.kind", f"an applicant is warned, not subject to a {command.kind}: close its application instead"
        )
    if command.kind == "freeze" and (frozen or organization_status == "suspended"):
        raise Conflict("body.kind", "the NGO is already frozen (suspended): lift that first, or revoke")
    return Imposition(new_status=_STATUS_OF_KIND[command.kind], revokes_permits=command.kind == "revocation")


def check_lift(sanction: Sanction) -> None:
    """Refuse (Conflict) lifting a revocation, or a sanction no longer active."""
    if sanction.kind == "revocation":
        raise Conflict(None, "a revocation is final: it cannot be lifted")
    if sanction.status != "active":
        raise Conflict(None, f"the sanction is already {sanction.status}")


def check_status_change(organization_id: UUID, current: str, target: str, active_freeze: UUID | None) -> None:
    """Refuse (Conflict naming `body.status`) a plain status change that belongs to sanctions: revoking (a
    revocation is imposed as a sanction), and leaving `suspended` while a freeze holds it there (the freeze is
    lifted instead). A suspension without a freeze (an administrative one) is entered and left by status change."""
    if target == "revoked":
        raise Conflict("body.status", f"a revocation is a sanction: POST /organizations/{organization_id}/sanctions")
    if current == "suspended" and target != current and active_freeze is not None:
        raise Conflict(
            "body.status", f"the NGO is frozen by a sanction: lift the freeze: POST /sanctions/{active_freeze}/lift"
        )


def status_after_freeze(kind: str, organization_status: str, previous_status: str | None) -> str | None:
    """The NGO's status once a sanction ends: a freeze returns a still suspended NGO to its status before the freeze;
    anything else moves nothing (None)."""
    if kind != "freeze" or organization_status != "suspended" or previous_status is None:
        return None
    return previous_status


def has_expired(ends_on: date | None, today: date) -> bool:
    """Whether a warning or freeze ending on `ends_on` (its last day in effect) is over on `today`."""
    return ends_on is not None and ends_on < today
