"""Events of monitoring and mitigation per MSP (the Kemensos instrument: administration, field implementation,
monitoring and evaluation): monitoring visits by government offices with their findings, and mitigation actions with
an owner, a due date and a status, which the deadline engine reminds of."""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from mitra_shared.contracts.agreements.parties import MinistryParty, OrganizationParty
from mitra_shared.events import EventData, EventKind

MonitoringAspect = Literal["administration", "field_implementation", "monitoring_evaluation"]
MonitoringRating = Literal["satisfactory", "needs_improvement", "unsatisfactory"]
ActionOwner = Literal["ngo", "ministry", "region"]
ActionStatus = Literal["open", "in_progress", "done", "cancelled"]


class MonitoringVisitRecorded(EventData):
    """A government office (the Mitra Utama or a region's office) recorded a monitoring visit to an MSP's work."""

    kind = EventKind("agreements", "monitoring_visit", "recorded", 1)

    monitoring_visit_id: UUID
    msp_id: UUID
    organization: OrganizationParty
    ministry: MinistryParty
    office_kind: Literal["ministry", "region"]
    office_code: str = Field(description="The ministry's code or the region's code.", examples=["3374"])
    region_code: str | None = Field(None, description="Where the visit went, if in one region.", examples=["3374"])
    province_code: str | None = None
    visited_on: date
    aspects: list[MonitoringAspect] = Field(description="What the visit looked at.")
    rating: MonitoringRating
    findings: str
    recorded_by: str
    recorded_at: datetime


class _ActionFacts(EventData):
    action_id: UUID
    msp_id: UUID
    organization: OrganizationParty
    ministry: MinistryParty
    monitoring_visit_id: UUID | None = Field(None, description="The monitoring visit whose findings it answers.")
    description: str
    owner: ActionOwner = Field(description="Who must act: the NGO, the ministry or a region's office.")
    owner_region_code: str | None = Field(None, description="For a region's office: its region code.")
    due_on: date


class MitigationActionOpened(_ActionFacts):
    """A mitigation action was set for an MSP."""

    kind = EventKind("agreements", "mitigation_action", "opened", 1)

    opened_by: str
    opened_at: datetime


class MitigationActionStatusChanged(_ActionFacts):
    """A mitigation action moved: open → in progress → done, or cancelled."""

    kind = EventKind("agreements", "mitigation_action", "status_changed", 1)

    previous_status: ActionStatus
    status: ActionStatus
    note: str | None = None
    changed_by: str
    changed_at: datetime


class MitigationActionDue(_ActionFacts):
    """A reminder: an open mitigation action is due soon (sent once per lead time)."""

    kind = EventKind("agreements", "mitigation_action", "due", 1)

    days_before: int = Field(ge=1)
    days_left: int | None = Field(
        None,
        ge=0,
        description="Days from the reminder's day to the due date (Asia/Jakarta): fewer than `days_before` when the "
        "reminder went out late. Absent from reminders sent before it was added (additive).",
    )


class MitigationActionOverdue(_ActionFacts):
    """An open mitigation action passed its due date."""

    kind = EventKind("agreements", "mitigation_action", "overdue", 1)

    days_overdue: int = Field(ge=1)
