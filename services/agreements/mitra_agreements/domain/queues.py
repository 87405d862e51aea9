"""The queues: obligations, submissions, visits, recommendation requests and mitigation actions across MSPs, each
filtered, sorted and paged as the query string asks, and always held to the caller's scope (`domain/access.py`: a
list is filtered to what the caller reads, never refused wholesale). Pure: the queries as the API takes them, and
their checks.

`region_code` (a filter, as a region's scope) keeps what touches that region: the same code, a province's regencies
and cities, and for a regency or city what is province-wide in its province (what that region's office reads).
"""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from mitra_agreements.domain.obligations import ObligationKind, ObligationStatus
from mitra_shared.errors import RuleBroken
from mitra_shared.paging import MAX_OFFSET

REGION_CODE = r"^\d{2}(\d{2})?$"
MINISTRY_CODE = r"^[A-Z0-9][A-Z0-9._-]{1,39}$"

SubmissionStatus = Literal["submitted", "accepted", "returned"]
AWAITING_REVIEW: tuple[SubmissionStatus, ...] = ("submitted",)
VisitStatus = Literal["announced", "cancelled"]
RecommendationKind = Literal["visa", "tax_exemption"]
RecommendationStatus = Literal["requested", "issued"]

ObligationSort = Literal["due_on", "-due_on", "organization_name", "-organization_name", "updated_at", "-updated_at"]
SubmissionSort = Literal["submitted_at", "-submitted_at", "due_on", "-due_on"]
VisitSort = Literal["arrives_on", "-arrives_on", "announced_on", "-announced_on"]
RecommendationSort = Literal["requested_at", "-requested_at"]
MitigationActionStatus = Literal["open", "in_progress", "done", "cancelled"]
MitigationActionOwner = Literal["ngo", "ministry", "region"]
MitigationActionSort = Literal["due_on", "-due_on", "opened_at", "-opened_at"]

_SORT = "A leading `-` sorts descending; ties are broken by id, so pages never overlap."


class _Page(BaseModel):
    """What every queue takes: an unknown parameter is refused (422 naming it), the page is limit/offset."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class _AcrossMsps(_Page):
    """The filters on the MSP a queue's record is under."""

    organization_id: UUID | None = Field(None, description="The NGO party to the MSP (registry's id).")
    ministry_code: str | None = Field(
        None, pattern=MINISTRY_CODE, description="The MSP's Mitra Utama.", examples=["KEMENSOS"]
    )
    msp_id: UUID | None = None


class _InRegion(_AcrossMsps):
    region_code: str | None = Field(
        None,
        pattern=REGION_CODE,
        description="What touches this province (`33`, its regencies and cities included) or regency/city (`3374`, "
        "with what is province-wide in its province).",
        examples=["33"],
    )


class ObligationQuery(_InRegion):
    status: list[ObligationStatus] = Field(
        default_factory=list, description="Repeat for several (`status=pending&status=returned`); none: every status."
    )
    kind: list[ObligationKind] = Field(default_factory=list, description="Repeat for several; none: every kind.")
    due_before: date | None = Field(None, description="Due before this day (the day itself excluded).")
    due_after: date | None = Field(None, description="Due after this day (the day itself excluded).")
    sort: ObligationSort = Field("due_on", description=_SORT)


class SubmissionQuery(_InRegion):
    status: list[SubmissionStatus] = Field(
        default_factory=lambda: list(AWAITING_REVIEW),
        description="Repeat for several; by default `submitted`, those awaiting review.",
    )
    kind: list[ObligationKind] = Field(default_factory=list, description="The obligation's kind; repeat for several.")
    decidable: bool | None = Field(
        None,
        description="`true`: only the submissions the caller may accept or return (a ministry: those of its MSPs but "
        "the work plans of a region; a region's office: the work plans of exactly its region; other roles: none); "
        "`false`: only those it may not (it reads them, and may comment); none: both.",
    )
    sort: SubmissionSort = Field("submitted_at", description="By default the longest waiting first. " + _SORT)


class VisitQuery(_InRegion):
    status: list[VisitStatus] = Field(default_factory=list, description="Repeat for several; none: every status.")
    from_: date | None = Field(
        None, alias="from", description="Visits still under way on or after this day (departing on it or later)."
    )
    to: date | None = Field(None, description="Visits arriving on or before this day.")
    sort: VisitSort = Field("arrives_on", description=_SORT)


class RecommendationQuery(_AcrossMsps):
    status: list[RecommendationStatus] = Field(
        default_factory=list, description="Repeat for several (`requested`: awaiting a decision); none: every status."
    )
    kind: list[RecommendationKind] = Field(default_factory=list, description="Repeat for several; none: every kind.")
    sort: RecommendationSort = Field("requested_at", description="By default the longest waiting first. " + _SORT)


class MitigationActionQuery(_InRegion):
    status: list[MitigationActionStatus] = Field(
        default_factory=list, description="Repeat for several (`status=open&status=in_progress`); none: every status."
    )
    owner: list[MitigationActionOwner] = Field(default_factory=list, description="Repeat for several; none: all.")
    due_before: date | None = Field(None, description="Due before this day (the day itself excluded).")
    due_after: date | None = Field(None, description="Due after this day (the day itself excluded).")
    sort: MitigationActionSort = Field("due_on", description=_SORT)


class ReviewQuery(_Page):
    awaiting: bool = Field(
        True,
        description="A member ministry: `true` (default) the reviews still awaiting its own answer, `false` those it "
        "answered. TPOA, the auditor, integrations: `true` (default) the reviews some member has still to answer, "
        "`false` those every member answered (waiting for TPOA's decision).",
    )


def check_window(start: date | None, end: date | None, *, field: str, inclusive: bool) -> None:
    """A window whose end comes before its start holds nothing: refused (422 naming the end's parameter)."""
    if start is None or end is None:
        return
    if inclusive and end < start:
        raise RuleBroken(field, f"must be on or after {start.isoformat()}")
    if not inclusive and end <= start:
        raise RuleBroken(field, f"must be after {start.isoformat()}")
