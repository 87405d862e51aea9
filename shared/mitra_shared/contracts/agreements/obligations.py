"""Events of the obligations an MSP creates: due, overdue, submitted, accepted or returned."""

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field

from mitra_shared.contracts.agreements.parties import ObligationKind
from mitra_shared.events import EventData, EventKind


class _ObligationFacts(EventData):
    obligation_id: UUID
    obligation_kind: ObligationKind
    msp_id: UUID
    organization_id: UUID
    organization_name: str
    ministry_code: str
    period: str = Field(description="The year (`2027`) or semester (`2027-S1`) covered.", examples=["2027-S1"])
    region_code: str | None = Field(None, description="For a work plan: the region it is agreed with.")
    province_code: str | None = Field(None, description="For a work plan: that region's province.")
    due_on: date


class _DueDateFacts(_ObligationFacts):
    due_on_weekend: bool = Field(description="The due date is a Saturday or Sunday (Asia/Jakarta).")
    due_on_holiday: str | None = Field(
        None, description="The Indonesian public holiday on the due date, if any.", examples=["Hari Raya Idul Fitri"]
    )
    due_on_working_day: bool = Field(description="Neither a weekend nor a public holiday.")


class _Due(_DueDateFacts):
    days_before: int = Field(description="The reminder's lead time in days (30, 7, 1 by default).", ge=1)
    days_left: int = Field(description="Days from the reminder's date to the due date.", ge=0)


class _Overdue(_DueDateFacts):
    days_overdue: int = Field(ge=1)


class ActionPlanDue(_Due):
    """An MSP's Action Plan falls due soon: one reminder per lead time."""

    kind = EventKind("agreements", "action_plan", "due", 1)


class ActionPlanOverdue(_Overdue):
    """An MSP's Action Plan was not submitted by its due date."""

    kind = EventKind("agreements", "action_plan", "overdue", 1)


class WorkPlanDue(_Due):
    """A yearly work plan (RKT) for one region falls due soon: one reminder per lead time."""

    kind = EventKind("agreements", "work_plan", "due", 1)


class WorkPlanOverdue(_Overdue):
    """A work plan (RKT) was not accepted or submitted by its due date."""

    kind = EventKind("agreements", "work_plan", "overdue", 1)


class ReportDue(_Due):
    """A semester or annual report falls due soon: one reminder per lead time."""

    kind = EventKind("agreements", "report", "due", 1)


class ReportOverdue(_Overdue):
    """A semester or annual report was not submitted by its due date."""

    kind = EventKind("agreements", "report", "overdue", 1)


class FundingSource(BaseModel):
    source: str = Field(examples=["Plan International UK"])
    amount: float = Field(
        ge=0,
        examples=[250000000],
        description="The money received from this source during the report's period, not cumulative (reporting sums "
        "the periods' amounts).",
    )
    currency: str = Field("IDR", min_length=3, max_length=3)
    use: str = Field(examples=["Child protection training in Semarang"])


class _Submitted(_ObligationFacts):
    submission_id: UUID
    attempt: int = Field(description="1 for the first submission, 2 after the first return, ...", ge=1)
    summary: str
    document_ref: str | None = None
    funding: list[FundingSource] = Field(default_factory=list)
    late: bool = Field(description="Submitted after the due date.")
    submitted_by: str
    submitted_at: datetime


class _Decided(_ObligationFacts):
    submission_id: UUID
    attempt: int = Field(ge=1)
    comments: str | None = None
    decided_by: str
    decided_at: datetime


class ActionPlanSubmitted(_Submitted):
    """The NGO submitted its Action Plan."""

    kind = EventKind("agreements", "action_plan", "submitted", 1)


class ActionPlanAccepted(_Decided):
    """The Mitra Utama accepted the NGO's Action Plan."""

    kind = EventKind("agreements", "action_plan", "accepted", 1)


class ActionPlanReturned(_Decided):
    """The Mitra Utama returned the NGO's Action Plan with comments, to be submitted again."""

    kind = EventKind("agreements", "action_plan", "returned", 1)


class SubmissionCommented(_ObligationFacts):
    """An office that sees a submission but does not decide it (the ministry, on a region's work plan) commented."""

    kind = EventKind("agreements", "submission", "commented", 1)

    submission_id: UUID
    attempt: int = Field(ge=1)
    comment: str
    office_kind: str = Field(description="`ministry` or `region`.", examples=["ministry"])
    office_code: str = Field(examples=["KEMENSOS"])
    commented_by: str
    commented_at: datetime


class WorkPlanSubmitted(_Submitted):
    """The NGO submitted a work plan (RKT) for a year and region."""

    kind = EventKind("agreements", "work_plan", "submitted", 1)


class WorkPlanAccepted(_Decided):
    """The ministry, or the regional government concerned, accepted a work plan."""

    kind = EventKind("agreements", "work_plan", "accepted", 1)


class WorkPlanReturned(_Decided):
    """A work plan was returned with comments; the NGO may submit it again."""

    kind = EventKind("agreements", "work_plan", "returned", 1)


class ReportSubmitted(_Submitted):
    """The NGO submitted a semester or annual report, with funding sources, amounts and uses."""

    kind = EventKind("agreements", "report", "submitted", 1)


class ReportAccepted(_Decided):
    """The ministry accepted a report."""

    kind = EventKind("agreements", "report", "accepted", 1)


class ReportReturned(_Decided):
    """A report was returned with comments; the NGO may submit it again."""

    kind = EventKind("agreements", "report", "returned", 1)
