"""Agreements' rules without I/O: the MSP lifecycle and its guards, obligation generation, the deadline engine's
decisions day by day under a controllable calendar, working days and holidays in Asia/Jakarta."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from mitra_agreements.domain import deadlines, msps, obligations, recommendations, visits
from mitra_agreements.domain.dates import day_kind
from mitra_agreements.domain.deadlines import Overdue, Reminder
from mitra_agreements.domain.msps import Region
from mitra_agreements.domain.obligations import ObligationRules
from mitra_agreements.domain.policy import DEFAULT_REMINDER_DAYS
from mitra_agreements.domain.registry_facts import KnownOrganization, KnownPartner, KnownPermit
from mitra_agreements.usecases.commands import DraftMsp, RequestRecommendation, UpdateVisit
from mitra_shared.clock import add_months, jakarta_date
from mitra_shared.errors import Conflict, Refused, RuleBroken

NGO = uuid.uuid4()
SEMARANG = Region("3374", "33")
JAWA_TENGAH = Region("33", "33")


def permit(issued_on: date, valid_until: date, *, expired: bool = False) -> KnownPermit:
    return KnownPermit(uuid.uuid4(), NGO, "IP-001/2026", issued_on, valid_until, expired)


def by_kind(planned: list[obligations.PlannedObligation], kind: str) -> list[tuple[str, date, str | None]]:
    return [(o.period, o.due_on, o.region_code) for o in planned if o.kind == kind]


# --- dates -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2027, 1, 5), 6, date(2027, 7, 5)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2027, 12, 31), -6, date(2027, 6, 30)),
        (date(2027, 3, 31), 1, date(2027, 4, 30)),
    ],
)
def test_adding_months_keeps_the_day_or_takes_the_last_of_a_shorter_month(
    day: date, months: int, expected: date
) -> None:
    assert add_months(day, months) == expected


def test_today_is_the_date_in_jakarta() -> None:
    # 18:30 UTC is 01:30 the next day in Jakarta (UTC+7).
    assert jakarta_date(datetime(2027, 3, 1, 18, 30, tzinfo=UTC)) == date(2027, 3, 2)
    with pytest.raises(ValueError, match="aware"):
        jakarta_date(datetime(2027, 3, 1, 18, 30))


def test_weekends_and_indonesian_public_holidays_are_named() -> None:
    independence_day = day_kind(date(2027, 8, 17))
    assert independence_day.holiday == "Hari Kemerdekaan Republik Indonesia"
    assert not independence_day.weekend
    assert not independence_day.working_day
    saturday = day_kind(date(2027, 3, 13))
    assert saturday.weekend
    assert saturday.holiday is None
    assert not saturday.working_day
    assert day_kind(date(2027, 3, 15)).working_day


# --- obligations -----------------------------------------------------------------------------------------------


def test_signing_creates_the_default_obligations() -> None:
    planned = obligations.plan_obligations(
        starts_on=date(2027, 1, 1),
        ends_on=date(2029, 12, 31),
        signed_on=date(2027, 1, 5),
        regions=[SEMARANG, JAWA_TENGAH],
        rules=ObligationRules(),
    )
    assert by_kind(planned, "action_plan") == [("", date(2027, 7, 5), None)]
    # A work plan (RKT) for each year and each region, due by the end of March.
    assert by_kind(planned, "work_plan") == [
        (str(year), date(year, 3, 31), region) for year in (2027, 2028, 2029) for region in ("33", "3374")
    ]
    # A report for each semester, due at the end of the month after it; an annual report three months after the year.
    assert by_kind(planned, "semester_report") == [
        ("2027-S1", date(2027, 7, 31), None),
        ("2027-S2", date(2028, 1, 31), None),
        ("2028-S1", date(2028, 7, 31), None),
        ("2028-S2", date(2029, 1, 31), None),
        ("2029-S1", date(2029, 7, 31), None),
        ("2029-S2", date(2030, 1, 31), None),
    ]
    assert by_kind(planned, "annual_report") == [
        ("2027", date(2028, 3, 31), None),
        ("2028", date(2029, 3, 31), None),
        ("2029", date(2030, 3, 31), None),
    ]
    # The decision to extend or let end, six months before the end.
    assert by_kind(planned, "extension_decision") == [("2029-12-31", date(2029, 6, 30), None)]
    assert [o.due_on for o in planned] == sorted(o.due_on for o in planned)
    assert {o.province_code for o in planned if o.kind == "work_plan"} == {"33"}


def test_an_ngo_that_works_only_with_the_ministry_has_no_work_plans() -> None:
    planned = obligations.plan_obligations(
        starts_on=date(2027, 1, 1),
        ends_on=date(2028, 12, 31),
        signed_on=date(2027, 1, 1),
        regions=[],
        rules=ObligationRules(),
    )
    assert by_kind(planned, "work_plan") == []
    assert by_kind(planned, "semester_report")


def test_the_first_years_work_plan_gets_a_month_when_the_msp_starts_after_march() -> None:
    planned = obligations.plan_obligations(
        starts_on=date(2027, 6, 10),
        ends_on=date(2028, 12, 31),
        signed_on=date(2027, 6, 1),
        regions=[SEMARANG],
        rules=ObligationRules(),
    )
    assert by_kind(planned, "work_plan") == [("2027", date(2027, 7, 10), "3374"), ("2028", date(2028, 3, 31), "3374")]
    # The first semester is the calendar semester the MSP starts in.
    assert by_kind(planned, "semester_report")[0] == ("2027-S1", date(2027, 7, 31), None)


def test_rules_are_configurable_per_msp() -> None:
    rules = ObligationRules(
        action_plan_months_after_signing=None,
        work_plans=False,
        annual_reports=False,
        extension_decision_months_before_end=None,
        report_periods="msp",
        semester_report_months_after=2,
    )
    planned = obligations.plan_obligations(
        starts_on=date(2027, 2, 15),
        ends_on=date(2028, 2, 14),
        signed_on=date(2027, 2, 1),
        regions=[SEMARANG],
        rules=rules,
    )
    # Semesters counted from the start date, each due two months after it ends.
    assert [(o.kind, o.period, o.due_on) for o in planned] == [
        ("semester_report", "S1", date(2027, 10, 14)),
        ("semester_report", "S2", date(2028, 4, 14)),
    ]


def test_msp_semesters_count_from_the_start_without_drifting() -> None:
    rules = ObligationRules(
        action_plan_months_after_signing=None,
        work_plans=False,
        annual_reports=False,
        extension_decision_months_before_end=None,
        report_periods="msp",
        semester_report_months_after=0,
    )
    planned = obligations.plan_obligations(
        starts_on=date(2027, 8, 31), ends_on=date(2029, 8, 30), signed_on=date(2027, 8, 1), regions=[], rules=rules
    )
    # Each semester ends the day before the next starts: 28 February, 30 August (not 27 August), ...
    assert [o.due_on for o in planned] == [date(2028, 2, 28), date(2028, 8, 30), date(2029, 2, 27), date(2029, 8, 30)]


def test_obligations_already_past_at_signing_are_not_created() -> None:
    planned = obligations.plan_obligations(
        starts_on=date(2027, 1, 1),
        ends_on=date(2029, 12, 31),
        signed_on=date(2027, 9, 1),
        regions=[SEMARANG],
        rules=ObligationRules(),
    )
    assert min(o.due_on for o in planned) >= date(2027, 9, 1)
    assert ("2027-S1", date(2027, 7, 31), None) not in by_kind(planned, "semester_report")


def test_rules_refuse_nonsense() -> None:
    with pytest.raises(ValidationError):
        ObligationRules(work_plan_due_month=13)
    with pytest.raises(ValidationError):
        ObligationRules.model_validate({"semester_reports": True, "quarterly_reports": True})


# --- the lifecycle ---------------------------------------------------------------------------------------------


def test_the_lifecycle_from_draft_to_extension() -> None:
    status = "draft"
    for action, expected in (
        ("submit", "submitted"),
        ("approve", "approved"),
        ("sign", "signed"),
        ("extend", "extended"),
        ("extend", "extended"),
        ("terminate", "terminated"),
    ):
        status = msps.transition(status, action)  # type: ignore[arg-type]
        assert status == expected
    assert msps.transition("submitted", "reject") == "rejected"


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("draft", "approve"),
        ("draft", "sign"),
        ("submitted", "sign"),
        ("rejected", "sign"),
        ("signed", "sign"),
        ("ended", "extend"),
        ("draft", "terminate"),
        ("terminated", "terminate"),
        ("approved", "submit"),
    ],
)
def test_a_step_out_of_order_is_a_conflict_naming_the_status(status: str, action: str) -> None:
    with pytest.raises(Refused) as refused:
        msps.transition(status, action)  # type: ignore[arg-type]
    assert isinstance(refused.value, Conflict)
    assert refused.value.field == "msp.status"
    assert status in refused.value.reason


@pytest.mark.parametrize("status", ["suspended", "revoked", "closed"])
def test_a_suspended_or_revoked_ngo_cannot_get_a_new_msp(status: str) -> None:
    with pytest.raises(Refused) as refused:
        msps.check_can_get_msp(KnownOrganization(NGO, "CARE", status), NGO, field="body.organization_id")
    assert isinstance(refused.value, Conflict)
    assert refused.value.field == "body.organization_id"
    assert status in refused.value.reason


def test_an_unknown_ngo_is_an_invalid_request() -> None:
    with pytest.raises(Refused) as refused:
        msps.check_can_get_msp(None, NGO, field="body.organization_id")
    assert isinstance(refused.value, RuleBroken)
    msps.check_can_get_msp(KnownOrganization(NGO, "CARE", "active"), NGO, field="body.organization_id")


def sign(
    permits: list[KnownPermit],
    *,
    signed_on: date = date(2027, 1, 5),
    ends_on: date = date(2029, 12, 31),
    status: str = "approved",
    ngo_status: str = "active",
    today: date = date(2027, 1, 5),
) -> KnownPermit:
    return msps.check_signing(
        status=status,
        organization=KnownOrganization(NGO, "Plan International", ngo_status),
        organization_id=NGO,
        permits=permits,
        signed_on=signed_on,
        ends_on=ends_on,
        today=today,
    )


def test_signing_needs_a_principle_permit_valid_on_the_signing_date() -> None:
    for permits in (
        [],
        [permit(date(2024, 1, 1), date(2026, 12, 31))],  # ended before
        [permit(date(2027, 2, 1), date(2030, 1, 31))],  # not yet given
        [permit(date(2026, 1, 1), date(2030, 1, 31), expired=True)],
    ):
        with pytest.raises(Refused) as refused:
            sign(permits)
        assert isinstance(refused.value, Conflict)
        assert refused.value.field == "msp.organization_id"
        assert "principle permit" in refused.value.reason


def test_the_msp_may_not_end_after_the_principle_permit() -> None:
    with pytest.raises(Refused) as refused:
        sign([permit(date(2026, 1, 1), date(2029, 6, 30))], ends_on=date(2029, 12, 31))
    assert isinstance(refused.value, Conflict)
    assert refused.value.field == "msp.ends_on"
    assert "2029-06-30" in refused.value.reason


def test_signing_rests_on_the_longest_valid_permit() -> None:
    short = permit(date(2026, 1, 1), date(2027, 6, 30))
    long = permit(date(2026, 6, 1), date(2030, 1, 31))
    assert sign([short, long]) == long


def test_a_suspended_ngo_cannot_sign_and_only_an_approved_msp_is_signed() -> None:
    valid = [permit(date(2026, 1, 1), date(2030, 1, 31))]
    with pytest.raises(Refused, match="suspended"):
        sign(valid, ngo_status="suspended")
    with pytest.raises(Refused, match="submitted"):
        sign(valid, status="submitted")


def test_an_msp_is_not_signed_on_a_day_still_to_come() -> None:
    valid = [permit(date(2026, 1, 1), date(2030, 1, 31))]
    with pytest.raises(RuleBroken) as refused:
        sign(valid, signed_on=date(2027, 1, 6), today=date(2027, 1, 5))
    assert refused.value.field == "body.signed_on"
    assert sign(valid, signed_on=date(2027, 1, 4), today=date(2027, 1, 5)) == valid[0]


def extend(new_ends_on: date, permits: list[KnownPermit], *, status: str = "active") -> KnownPermit:
    return msps.check_extension(
        status=status,
        ends_on=date(2029, 6, 30),
        new_ends_on=new_ends_on,
        organization=KnownOrganization(NGO, "Plan International", "active"),
        organization_id=NGO,
        organization_name="Plan International",
        permits=permits,
        today=date(2028, 1, 10),
    )


def test_an_extension_moves_the_end_later_within_a_permit_valid_today() -> None:
    valid = permit(date(2026, 1, 1), date(2030, 12, 31))
    assert extend(date(2030, 6, 30), [valid]) == valid
    for new_end, permits, kind, field in (
        (date(2029, 6, 30), [valid], RuleBroken, "body.ends_on"),  # not later
        (date(2031, 6, 30), [valid], Conflict, "body.ends_on"),  # past the permit
        (date(2030, 6, 30), [permit(date(2026, 1, 1), date(2027, 12, 31))], Conflict, "msp.organization_id"),
    ):
        with pytest.raises(kind) as refused:
            extend(new_end, permits)
        assert refused.value.field == field
    with pytest.raises(Conflict, match="draft"):
        extend(date(2030, 6, 30), [valid], status="draft")


def test_work_locations_must_be_known_regions_and_carry_their_province() -> None:
    known = {
        "33": KnownPartner(uuid.uuid4(), "province", "Jawa Tengah", "33", None, True),
        "3374": KnownPartner(uuid.uuid4(), "regency", "Kota Semarang", "3374", "33", True),
        "KEMENSOS": KnownPartner(uuid.uuid4(), "ministry", "Kementerian Sosial", "KEMENSOS", None, True),
    }
    assert msps.check_work_locations(["3374", "33"], known, field="body.x") == [SEMARANG, JAWA_TENGAH]
    with pytest.raises(Refused) as refused:
        msps.check_work_locations(["3374", "KEMENSOS"], known, field="body.work_location_codes")
    assert refused.value.field == "body.work_location_codes.1"
    assert isinstance(refused.value, RuleBroken)


def test_the_end_date_comes_after_the_start() -> None:
    with pytest.raises(Refused) as refused:
        msps.check_dates(date(2027, 1, 1), date(2027, 1, 1))
    assert refused.value.field == "body.ends_on"


def test_a_draft_takes_the_default_rules_when_none_are_given() -> None:
    draft = DraftMsp.model_validate(
        {
            "organization_id": str(NGO),
            "ministry_partner_id": str(uuid.uuid4()),
            "title": "Kerja sama",
            "work_location_codes": ["3374", " 3374 ", "33"],
            "starts_on": "2027-01-01",
            "ends_on": "2029-12-31",
        }
    )
    assert draft.obligation_rules == ObligationRules()
    assert draft.work_location_codes == ["3374", "33"]


# --- the deadline engine's decisions ---------------------------------------------------------------------------


def run_days(due_on: date, first_day: date, last_day: date, *, status: str = "pending") -> list[tuple[date, object]]:
    """Tick once a day like the engine, looking only on the days `next_check_on` asks for."""
    notices: list[tuple[date, object]] = []
    next_check: date | None = deadlines.first_check(due_on, DEFAULT_REMINDER_DAYS)
    day = first_day
    while day <= last_day and next_check is not None:
        if next_check <= day:
            step = deadlines.obligation_step(
                status=status, due_on=due_on, reminder_days=DEFAULT_REMINDER_DAYS, today=day
            )
            if step.notice is not None:
                notices.append((day, step.notice))
            next_check = step.next_check_on
            if isinstance(step.notice, Overdue):
                status = "overdue"
        day += timedelta(days=1)
    return notices


def test_reminders_30_7_and_1_days_before_then_overdue_the_day_after() -> None:
    due = date(2027, 7, 31)
    assert run_days(due, date(2027, 6, 1), date(2027, 8, 10)) == [
        (date(2027, 7, 1), Reminder(30, 30)),
        (date(2027, 7, 24), Reminder(7, 7)),
        (date(2027, 7, 30), Reminder(1, 1)),
        (date(2027, 8, 1), Overdue(1)),
    ]


def test_after_downtime_only_the_most_urgent_reminder_goes_out() -> None:
    due = date(2027, 7, 31)
    # The engine was down from 20 July: on the 28th the 30- and 7-day reminders are both missed; only the 7-day one.
    assert run_days(due, date(2027, 7, 28), date(2027, 8, 2)) == [
        (date(2027, 7, 28), Reminder(7, 3)),
        (date(2027, 7, 30), Reminder(1, 1)),
        (date(2027, 8, 1), Overdue(1)),
    ]
    # Down until after the due date: one overdue notice, no reminder.
    assert run_days(due, date(2027, 8, 5), date(2027, 8, 9)) == [(date(2027, 8, 5), Overdue(5))]


def test_a_submitted_obligation_needs_nothing() -> None:
    step = deadlines.obligation_step(
        status="submitted", due_on=date(2027, 7, 31), reminder_days=(30, 7, 1), today=date(2027, 8, 5)
    )
    assert step == deadlines.ObligationStep(None, None)


def test_msp_activation_expiry_warnings_and_end() -> None:
    starts, ends = date(2027, 1, 1), date(2029, 12, 31)
    status = "signed"
    seen: list[tuple[date, str]] = []
    day = date(2026, 12, 20)
    next_check: date | None = day
    while day <= date(2030, 1, 5) and next_check is not None:
        if next_check <= day:
            step = deadlines.msp_step(
                status=status, starts_on=starts, ends_on=ends, warning_days=(180, 90, 30), today=day
            )
            if step.activate:
                status = "active"
                seen.append((day, "active"))
            if step.expiring:
                seen.append((day, f"expiring {step.expiring}"))
            if step.end:
                status = "ended"
                seen.append((day, "ended"))
            next_check = step.next_check_on
        day += timedelta(days=1)
    assert seen == [
        (date(2027, 1, 1), "active"),
        (ends - timedelta(days=180), "expiring 180"),
        (ends - timedelta(days=90), "expiring 90"),
        (ends - timedelta(days=30), "expiring 30"),
        (date(2030, 1, 1), "ended"),
    ]


def test_an_msp_signed_close_to_its_end_gets_one_warning_not_three() -> None:
    step = deadlines.msp_step(
        status="active",
        starts_on=date(2027, 1, 1),
        ends_on=date(2027, 3, 1),
        warning_days=(180, 90, 30),
        today=date(2027, 1, 20),
    )
    assert step.expiring == 90
    assert step.next_check_on == date(2027, 1, 30)


def test_an_extended_msp_is_warned_again_for_its_new_end() -> None:
    assert deadlines.expiry_notice_key(date(2029, 12, 31), 90) != deadlines.expiry_notice_key(date(2031, 12, 31), 90)


def test_a_late_visit_announcement_is_accepted_and_flagged() -> None:
    assert visits.visit_notice(announced_on=date(2027, 3, 1), arrives_on=date(2027, 3, 15), required_days=14) == (
        visits.VisitNotice(14, False)
    )
    assert visits.visit_notice(announced_on=date(2027, 3, 1), arrives_on=date(2027, 3, 10), required_days=14).late
    with pytest.raises(Refused) as refused:
        visits.check_visit_dates(date(2027, 3, 10), date(2027, 3, 9))
    assert refused.value.field == "body.departs_on"


def test_what_may_be_submitted_and_decided() -> None:
    assert (
        obligations.check_submission(kind="semester_report", status="returned", msp_status="active")
        is (obligations.SUBMITTED["semester_report"])
    )
    for kind, status, msp_status, field in (
        ("extension_decision", "pending", "active", "obligation.kind"),
        ("work_plan", "pending", "terminated", "msp.status"),
        ("work_plan", "submitted", "active", "obligation.status"),
    ):
        with pytest.raises(Conflict) as refused:
            obligations.check_submission(kind=kind, status=status, msp_status=msp_status)
        assert refused.value.field == field
    returned = obligations.decide(kind="work_plan", submission_status="submitted", accept=False, today=date(2027, 5, 1))
    assert (returned.status, returned.next_check_on) == ("returned", date(2027, 5, 1))
    accepted = obligations.decide(kind="work_plan", submission_status="submitted", accept=True, today=date(2027, 5, 1))
    assert (accepted.status, accepted.next_check_on) == ("accepted", None)
    action_plan = obligations.decide(
        kind="action_plan", submission_status="submitted", accept=True, today=date(2027, 5, 1)
    )
    assert action_plan.event_type is obligations.ACCEPTED["action_plan"]
    with pytest.raises(Conflict, match="extension decision"):
        obligations.decide(
            kind="extension_decision", submission_status="submitted", accept=True, today=date(2027, 5, 1)
        )
    with pytest.raises(Conflict, match="already accepted"):
        obligations.decide(kind="work_plan", submission_status="accepted", accept=False, today=date(2027, 5, 1))


def test_an_extension_decision_gets_no_reminders_of_its_own() -> None:
    decision = obligations.PlannedObligation("extension_decision", "2029-12-31", date(2029, 6, 30))
    report = obligations.PlannedObligation("semester_report", "2027-S1", date(2027, 7, 31))
    assert deadlines.first_check_of(decision, DEFAULT_REMINDER_DAYS, date(2029, 6, 1)) is None
    assert deadlines.first_check_of(report, DEFAULT_REMINDER_DAYS, date(2027, 7, 2)) == date(2027, 7, 2)


def test_a_look_is_owed_only_to_an_obligation_made_inside_its_reminder_window() -> None:
    """Made two days or more before its first reminder day, the engine's calendar finds it on that day; made the
    day before (it may be committed after the engine's first look of that day), it is owed a look on that day;
    made on it or later (the calendar's day for it has passed), it is owed a look today."""
    report = obligations.PlannedObligation("semester_report", "2027-S1", date(2027, 7, 31))
    assert deadlines.first_check_of(report, DEFAULT_REMINDER_DAYS, date(2027, 6, 29)) is None
    assert deadlines.first_check_of(report, DEFAULT_REMINDER_DAYS, date(2027, 6, 30)) == date(2027, 7, 1)
    assert deadlines.first_check_of(report, DEFAULT_REMINDER_DAYS, date(2027, 7, 1)) == date(2027, 7, 1)
    assert deadlines.first_check_of(report, DEFAULT_REMINDER_DAYS, date(2027, 8, 5)) == date(2027, 8, 5)


def test_the_reminder_calendar_is_each_lead_ahead_of_each_day_since_the_last_look() -> None:
    today = date(2027, 3, 10)
    assert deadlines.reminder_calendar(today, today, (30, 7, 1)) == []
    assert deadlines.reminder_calendar(date(2027, 3, 9), today, (30, 7, 1)) == [
        date(2027, 3, 11),
        date(2027, 3, 17),
        date(2027, 4, 9),
    ]
    # Three days down: every due date whose reminder day fell in them, or falls today; none before today.
    after_downtime = deadlines.reminder_calendar(date(2027, 3, 6), today, (7, 1))
    assert after_downtime == [today, date(2027, 3, 11), *(date(2027, 3, d) for d in range(14, 18))]


def test_a_visit_is_not_announced_for_the_past_and_its_fields_are_not_emptied() -> None:
    with pytest.raises(RuleBroken) as past:
        visits.check_announcement(arrives_on=date(2027, 3, 1), departs_on=date(2027, 3, 2), today=date(2027, 3, 2))
    assert past.value.field == "body.arrives_on"
    visits.check_announcement(arrives_on=date(2027, 3, 2), departs_on=date(2027, 3, 2), today=date(2027, 3, 2))
    assert UpdateVisit.model_validate({"programme": None}).programme is None
    for emptied in ({"arrives_on": None}, {"purpose": None, "programme": "Day 1"}, {"region_codes": None}):
        with pytest.raises(ValidationError, match="not removed"):
            UpdateVisit.model_validate(emptied)


def test_a_visa_recommendation_names_the_experts_assignment_and_is_issued_once() -> None:
    organization_id, today = uuid.uuid4(), date(2027, 3, 1)

    def request(**fields: object) -> RequestRecommendation:
        return RequestRecommendation.model_validate({"msp_id": uuid.uuid4(), "purpose": "DRR", **fields})

    def assignment(ends_on: date, ended_on: date | None = None) -> recommendations.KnownAssignment:
        return recommendations.KnownAssignment(
            uuid.uuid4(), organization_id, "Maria", "DK", date(2026, 1, 1), ends_on, ended_on
        )

    tax = recommendations.check_request(
        request(kind="tax_exemption"), organization_id=organization_id, assignment=None, today=today
    )
    assert tax.staff_assignment_id is None
    with pytest.raises(RuleBroken) as no_assignment:
        recommendations.check_request(
            request(kind="visa", expert_name="Maria"), organization_id=organization_id, assignment=None, today=today
        )
    assert no_assignment.value.field == "body.staff_assignment_id"
    current = assignment(date(2027, 12, 31))
    visa = request(kind="visa", staff_assignment_id=current.assignment_id, expert_name="Someone")
    expert = recommendations.check_request(visa, organization_id=organization_id, assignment=current, today=today)
    assert (expert.name, expert.nationality, expert.staff_assignment_id) == ("Maria", "DK", current.assignment_id)
    for over in (assignment(date(2027, 2, 28)), assignment(date(2027, 12, 31), ended_on=today)):
        with pytest.raises(RuleBroken, match="is over"):
            recommendations.check_request(visa, organization_id=organization_id, assignment=over, today=today)
    with pytest.raises(RuleBroken, match="knows no"):
        recommendations.check_request(visa, organization_id=uuid.uuid4(), assignment=current, today=today)
    with pytest.raises(Conflict) as issued:
        recommendations.check_issue(
            status="issued", reference_number="B-1/REK", reference_taken=False, new_reference="B-2/REK"
        )
    assert (issued.value.field, issued.value.reason) == ("path.recommendation_id", "already issued as B-1/REK")
    with pytest.raises(Conflict) as taken:
        recommendations.check_issue(
            status="requested", reference_number=None, reference_taken=True, new_reference="B-1/REK"
        )
    assert taken.value.field == "body.reference_number"
