"""Agreements' rules, free of I/O: the MSP lifecycle and its guards, the obligations a signed MSP creates, and
which deadline notice is due on a given day.

A rule that refuses raises `Refused`; the use cases turn it into a 409 (conflict with the current state) or a
422 (an invalid request), naming the field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from mitra_agreements.dates import ONE_DAY, end_of_month
from mitra_shared.clock import add_months

MspStatus = Literal["draft", "submitted", "approved", "rejected", "signed", "active", "extended", "ended", "terminated"]
ObligationKind = Literal["action_plan", "work_plan", "semester_report", "annual_report", "extension_decision"]
ObligationStatus = Literal["pending", "submitted", "accepted", "returned", "overdue", "closed"]

IN_FORCE: frozenset[str] = frozenset({"signed", "active", "extended"})
NO_NEW_MSP: frozenset[str] = frozenset({"suspended", "revoked", "closed"})
OPEN_OBLIGATION: frozenset[str] = frozenset({"pending", "returned"})
DEFAULT_REMINDER_DAYS: tuple[int, ...] = (30, 7, 1)
DEFAULT_EXPIRY_WARNING_DAYS: tuple[int, ...] = (180, 90, 30)


class Refused(Exception):
    """A command that breaks a rule. `conflict`: with the current state (409); otherwise an invalid request (422)."""

    def __init__(self, detail: str, *, field: str, conflict: bool) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.conflict = conflict


# --- what agreements knows of registry's facts ---------------------------------------------------------------


@dataclass(frozen=True)
class KnownOrganization:
    organization_id: UUID
    legal_name: str
    status: str


@dataclass(frozen=True)
class KnownPermit:
    permit_id: UUID
    organization_id: UUID
    number: str
    issued_on: date
    valid_until: date
    expired: bool

    def valid_on(self, day: date) -> bool:
        return not self.expired and self.issued_on <= day <= self.valid_until


@dataclass(frozen=True)
class KnownPartner:
    partner_id: UUID
    partner_kind: str
    name: str
    code: str
    parent_code: str | None
    active: bool


# --- obligation rules ------------------------------------------------------------------------------------------


class ObligationRules(BaseModel):
    """Which obligations an MSP creates when it is signed. Every MSP may set its own; these are the defaults."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "action_plan_months_after_signing": 6,
                    "work_plans": True,
                    "work_plan_due_month": 3,
                    "semester_reports": True,
                    "semester_report_months_after": 1,
                    "annual_reports": True,
                    "annual_report_months_after": 3,
                    "report_periods": "calendar",
                    "extension_decision_months_before_end": 6,
                }
            ]
        },
    )

    action_plan_months_after_signing: int | None = Field(
        6, ge=1, le=36, description="An Action Plan due this many months after signing; null for none."
    )
    work_plans: bool = Field(
        True, description="A work plan (RKT) for each calendar year and each region of work (none without regions)."
    )
    work_plan_due_month: int = Field(
        3, ge=1, le=12, description="A year's RKT is due by the end of this month (drafted February-March)."
    )
    semester_reports: bool = True
    semester_report_months_after: int = Field(1, ge=0, le=12, description="Months after the semester ends.")
    annual_reports: bool = True
    annual_report_months_after: int = Field(3, ge=0, le=12, description="Months after the year ends.")
    report_periods: Literal["calendar", "msp"] = Field(
        "calendar",
        description="`calendar`: semesters January-June and July-December, calendar years; `msp`: semesters and "
        "years counted from the MSP's start date.",
    )
    extension_decision_months_before_end: int | None = Field(
        6, ge=1, le=24, description="A decision to extend or let end, due this many months before the end."
    )


@dataclass(frozen=True)
class PlannedObligation:
    kind: ObligationKind
    period: str
    due_on: date
    region_code: str | None = None
    province_code: str | None = None


@dataclass(frozen=True)
class Region:
    code: str
    province_code: str


def _periods(starts_on: date, ends_on: date, months: int, basis: Literal["calendar", "msp"]) -> list[tuple[date, date]]:
    """The consecutive periods of `months` months that overlap [starts_on, ends_on], as (first day, last day)."""
    origin = starts_on
    if basis == "calendar":
        origin = date(starts_on.year, ((starts_on.month - 1) // months) * months + 1, 1)
    periods = []
    # Each period counts from the origin, so a start on the 31st does not drift to the 28th after February.
    index = 0
    while (first_day := add_months(origin, months * index)) <= ends_on:
        periods.append((first_day, add_months(origin, months * (index + 1)) - ONE_DAY))
        index += 1
    return periods


def _label(first_day: date, months: int, basis: str, index: int) -> str:
    if basis == "msp":
        return f"{'Y' if months == 12 else 'S'}{index + 1}"
    if months == 12:
        return str(first_day.year)
    return f"{first_day.year}-S{1 if first_day.month <= 6 else 2}"


def plan_obligations(
    *,
    starts_on: date,
    ends_on: date,
    signed_on: date,
    regions: Sequence[Region],
    rules: ObligationRules,
    from_day: date | None = None,
) -> list[PlannedObligation]:
    """The obligations of an MSP in force from `starts_on` to `ends_on`, signed on `signed_on`.

    Obligations whose due date falls before `from_day` (the signing date by default) are not created: an MSP
    signed late does not start its life with a backlog of overdue duties nobody could have met.
    """
    planned: list[PlannedObligation] = []
    if rules.action_plan_months_after_signing:
        planned.append(
            PlannedObligation("action_plan", "", add_months(signed_on, rules.action_plan_months_after_signing))
        )
    if rules.work_plans:
        for year in range(starts_on.year, ends_on.year + 1):
            covered_from = max(date(year, 1, 1), starts_on)
            due = max(end_of_month(date(year, rules.work_plan_due_month, 1)), add_months(covered_from, 1))
            for region in regions:
                planned.append(PlannedObligation("work_plan", str(year), due, region.code, region.province_code))
    basis = rules.report_periods
    reports: list[tuple[ObligationKind, int, int]] = []
    if rules.semester_reports:
        reports.append(("semester_report", 6, rules.semester_report_months_after))
    if rules.annual_reports:
        reports.append(("annual_report", 12, rules.annual_report_months_after))
    for kind, months, after in reports:
        for index, (first_day, last_day) in enumerate(_periods(starts_on, ends_on, months, basis)):
            # "Due N months after the period ends": the last day of the Nth month after it.
            due = add_months(last_day + ONE_DAY, after) - ONE_DAY if after else last_day
            planned.append(PlannedObligation(kind, _label(first_day, months, basis, index), due))
    if rules.extension_decision_months_before_end:
        due = add_months(ends_on, -rules.extension_decision_months_before_end)
        planned.append(PlannedObligation("extension_decision", str(ends_on), due))
    cutoff = from_day or signed_on
    return sorted((o for o in planned if o.due_on >= cutoff), key=lambda o: (o.due_on, o.kind, o.region_code or ""))


# --- the MSP lifecycle ---------------------------------------------------------------------------------------

Action = Literal["submit", "approve", "reject", "sign", "extend", "terminate"]
ALLOWED_FROM: dict[Action, frozenset[str]] = {
    "submit": frozenset({"draft"}),
    "approve": frozenset({"submitted"}),
    "reject": frozenset({"submitted"}),
    "sign": frozenset({"approved"}),
    "extend": IN_FORCE,
    "terminate": IN_FORCE,
}
RESULT: dict[Action, MspStatus] = {
    "submit": "submitted",
    "approve": "approved",
    "reject": "rejected",
    "sign": "signed",
    "extend": "extended",
    "terminate": "terminated",
}


def transition(status: str, action: Action) -> MspStatus:
    """The status after `action`, or a 409 naming the status that forbids it."""
    if status not in ALLOWED_FROM[action]:
        allowed = ", ".join(sorted(ALLOWED_FROM[action]))
        raise Refused(
            f"an MSP that is {status} cannot be {RESULT[action]} (only from: {allowed})",
            field="msp.status",
            conflict=True,
        )
    return RESULT[action]


def check_can_get_msp(organization: KnownOrganization | None, organization_id: UUID, *, field: str) -> None:
    if organization is None:
        raise Refused(
            f"agreements knows no organization {organization_id} (it learns of NGOs from registry's events)",
            field=field,
            conflict=False,
        )
    if organization.status in NO_NEW_MSP:
        raise Refused(
            f"{organization.legal_name} is {organization.status} in the register and cannot get a new MSP",
            field=field,
            conflict=True,
        )


def check_dates(starts_on: date, ends_on: date, *, field: str = "body.ends_on") -> None:
    if ends_on <= starts_on:
        raise Refused(f"the end date {ends_on} must be after the start date {starts_on}", field=field, conflict=False)


def valid_principle_permit(permits: Sequence[KnownPermit], on: date) -> KnownPermit | None:
    """The principle permit valid on `on` that lasts longest, if any."""
    valid = [permit for permit in permits if permit.valid_on(on)]
    return max(valid, key=lambda permit: permit.valid_until) if valid else None


def check_within_permit(permit: KnownPermit, ends_on: date, *, field: str) -> None:
    if ends_on > permit.valid_until:
        raise Refused(
            f"the MSP would end on {ends_on}, after the principle permit {permit.number} (valid until "
            f"{permit.valid_until}); an operating permit cannot outlast the principle permit",
            field=field,
            conflict=True,
        )


def check_signing(
    *,
    status: str,
    organization: KnownOrganization | None,
    organization_id: UUID,
    permits: Sequence[KnownPermit],
    signed_on: date,
    ends_on: date,
) -> KnownPermit:
    """Every guard of signing; returns the principle permit the MSP rests on."""
    transition(status, "sign")
    check_can_get_msp(organization, organization_id, field="msp.organization_id")
    permit = valid_principle_permit(permits, signed_on)
    if permit is None:
        name = organization.legal_name if organization else organization_id
        raise Refused(
            f"{name} has no principle permit (izin prinsip) valid on {signed_on}: an MSP cannot be signed without one",
            field="msp.organization_id",
            conflict=True,
        )
    check_within_permit(permit, ends_on, field="msp.ends_on")
    return permit


def check_work_locations(codes: Sequence[str], known: dict[str, KnownPartner], *, field: str) -> list[Region]:
    regions = []
    for index, code in enumerate(codes):
        partner = known.get(code)
        if partner is None or partner.partner_kind not in ("province", "regency"):
            raise Refused(
                f"{code} is not a province or regency agreements knows (from registry's partners)",
                field=f"{field}.{index}",
                conflict=False,
            )
        province = partner.code if partner.partner_kind == "province" else partner.parent_code
        if province is None:
            raise Refused(
                f"regency {code} has no province in the register",
                field=f"{field}.{index}",
                conflict=False,
            )
        regions.append(Region(code, province))
    return regions


def check_ministry(partner: KnownPartner | None, partner_id: UUID) -> KnownPartner:
    if partner is None or partner.partner_kind != "ministry":
        raise Refused(
            f"{partner_id} is not a ministry agreements knows (from registry's partners)",
            field="body.ministry_partner_id",
            conflict=False,
        )
    return partner


# --- the deadline engine's decisions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reminder:
    days_before: int
    days_left: int


@dataclass(frozen=True)
class Overdue:
    days_overdue: int


@dataclass(frozen=True)
class ObligationStep:
    """What the engine does for one obligation today: at most one notice, and when to look at it again."""

    notice: Reminder | Overdue | None
    next_check_on: date | None


def first_check(due_on: date, reminder_days: Sequence[int]) -> date:
    return due_on - timedelta(days=max(reminder_days)) if reminder_days else due_on + ONE_DAY


def obligation_step(*, status: str, due_on: date, reminder_days: Sequence[int], today: date) -> ObligationStep:
    """Only the most urgent reminder that applies today is sent: after downtime an obligation gets one notice,
    not every reminder it missed (a 30-day and a 7-day reminder on the same morning say nothing more than the
    7-day one). The day after the due date an open obligation is overdue."""
    if status not in OPEN_OBLIGATION:
        return ObligationStep(None, None)
    if today > due_on:
        return ObligationStep(Overdue((today - due_on).days), None)
    days_left = (due_on - today).days
    applicable = [lead for lead in reminder_days if lead >= days_left]
    later = sorted((lead for lead in reminder_days if lead < days_left), reverse=True)
    next_check = due_on - timedelta(days=later[0]) if later else due_on + ONE_DAY
    if not applicable:
        return ObligationStep(None, next_check)
    lead = min(applicable)
    later = [other for other in reminder_days if other < lead]
    next_check = due_on - timedelta(days=max(later)) if later else due_on + ONE_DAY
    return ObligationStep(Reminder(lead, days_left), next_check)


@dataclass(frozen=True)
class MspStep:
    activate: bool = False
    expiring: int | None = None
    end: bool = False
    next_check_on: date | None = None


def msp_step(*, status: str, starts_on: date, ends_on: date, warning_days: Sequence[int], today: date) -> MspStep:
    """Activation on the start date, the most urgent expiry warning that applies, the end after the end date."""
    if status not in IN_FORCE:
        return MspStep()
    if today > ends_on:
        return MspStep(end=True)
    activate = status == "signed" and starts_on <= today
    days_left = (ends_on - today).days
    applicable = [lead for lead in warning_days if lead >= days_left]
    expiring = min(applicable) if applicable else None
    upcoming = [ends_on - timedelta(days=lead) for lead in warning_days if expiring is None or lead < expiring]
    upcoming = [day for day in upcoming if day > today]
    upcoming.append(ends_on + ONE_DAY)
    if status == "signed" and not activate:
        upcoming.append(starts_on)
    return MspStep(activate=activate, expiring=expiring, next_check_on=min(upcoming))


def expiry_notice_key(ends_on: date, days_before: int) -> str:
    # The end date is part of the key: an extended MSP gets its warnings again for the new end.
    return f"expiring:{days_before}:{ends_on.isoformat()}"


def reminder_notice_key(days_before: int) -> str:
    return f"due:{days_before}"


OVERDUE_NOTICE_KEY = "overdue"
ENDED_NOTICE_KEY = "ended"


# --- visits ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitNotice:
    days_notice: int
    late: bool


def visit_notice(*, announced_on: date, arrives_on: date, required_days: int) -> VisitNotice:
    """A visit is announced at least `required_days` before arrival; a later announcement is accepted, flagged."""
    days = (arrives_on - announced_on).days
    return VisitNotice(days, days < required_days)


def check_visit_dates(arrives_on: date, departs_on: date) -> None:
    if departs_on < arrives_on:
        raise Refused(f"departure {departs_on} is before arrival {arrives_on}", field="body.departs_on", conflict=False)


def provinces_of(regions: Sequence[Region]) -> list[str]:
    return list(dict.fromkeys(region.province_code for region in regions))
