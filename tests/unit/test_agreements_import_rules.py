"""The MSP import's rules without a database: reading the rows, the state and obligations of an MSP signed before
Mitra, the received-outside marks, the counts of what the deadline engine will send, and every refusal by line."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from mitra_agreements.domain.deadlines import Reminder, msp_step, obligation_step
from mitra_agreements.domain.import_plan import Facts, ImportPlan, RecordedMsp, plan_import, reminders_ahead
from mitra_agreements.domain.imports import (
    MSP_COLUMNS,
    OBLIGATION_COLUMNS,
    MspLine,
    ObligationLine,
    name_key,
    read_msp_lines,
    read_obligation_lines,
)
from mitra_agreements.domain.registry_facts import KnownOrganization, KnownPartner, KnownPermit
from mitra_shared.errors import FileRejected
from mitra_shared.tabular import Row

TODAY = date(2028, 3, 1)
ORGANIZATION = KnownOrganization(uuid.uuid4(), "Plan International", "active")
PERMIT = KnownPermit(uuid.uuid4(), ORGANIZATION.organization_id, "IP-1", date(2026, 1, 1), date(2029, 12, 31), False)
KEMENSOS = KnownPartner(uuid.uuid4(), "ministry", "Kementerian Sosial", "KEMENSOS", None, True)
REGIONS = {
    "33": KnownPartner(uuid.uuid4(), "province", "Jawa Tengah", "33", None, True),
    "3374": KnownPartner(uuid.uuid4(), "regency", "Kota Semarang", "3374", "33", True),
}
PERMIT_LONG = KnownPermit(
    uuid.uuid4(), ORGANIZATION.organization_id, "IP-2", date(2026, 1, 1), date(2030, 12, 31), False
)
REMINDER_DAYS = (30, 7, 1)
WARNING_DAYS = (180, 90, 30)
PAST_DUE = 8


def row(line: int = 2, **values: str) -> Row:
    base = {column.key: "" for column in MSP_COLUMNS} | {
        "number": "MSP/1",
        "title": "Kerja sama perlindungan anak",
        "organization_legal_name": "Plan  international",
        "organization_country": "gb",
        "ministry_code": "KEMENSOS",
        "work_locations": "3374; 3374",
        "starts_on": "2026-02-01",
        "ends_on": "2029-06-30",
        "signed_on": "2026-02-01",
        "ministry_signatory_name": "Dra. Sri Wahyuni",
        "ministry_signatory_title": "Direktur Jenderal",
    }
    return Row(line, base | values)


def facts(**changes: Any) -> Facts:
    base: dict[str, Any] = {
        "today": TODAY,
        "reminder_days": REMINDER_DAYS,
        "warning_days": WARNING_DAYS,
        "caller_ministry": None,
        "organizations": {ORGANIZATION.organization_id: ORGANIZATION},
        "organizations_by_name": {name_key("Plan International", "GB"): [ORGANIZATION]},
        "ministries": {"KEMENSOS": KEMENSOS},
        "regions": REGIONS,
        "permits": {ORGANIZATION.organization_id: [PERMIT]},
        "recorded": {},
    }
    return Facts(**(base | changes))


def lines(*rows: Row) -> list[MspLine]:
    read, problems = read_msp_lines(rows)
    assert problems == []
    return read


def plan(*rows: Row, obligations: list[ObligationLine] = (), **changes: Any) -> ImportPlan:  # type: ignore[assignment]
    return plan_import(lines(*rows), obligations, facts(**changes), rows=len(rows))


def refusals(*rows: Row, obligations: list[ObligationLine] = (), **changes: Any) -> set[tuple[int, str | None]]:  # type: ignore[assignment]
    with pytest.raises(FileRejected) as refused:
        plan(*rows, obligations=obligations, **changes)
    return {(line, column) for line, column, _ in refused.value.lines}


def test_a_row_reads_into_dates_lists_and_signatories() -> None:
    (line,) = lines(
        row(
            focus_areas="child_welfare;; disaster ",
            organization_signatory_name="Jane Doe",
            organization_signatory_title="Country Director",
            past_obligations_received_on="2028-02-15",
        )
    )
    assert line.work_location_codes == ["3374"]
    assert line.focus_areas == ["child_welfare", "disaster"]
    assert [s.party for s in line.signatories] == ["organization", "ministry"]
    assert line.past_received_on == date(2028, 2, 15)


def test_unreadable_values_are_named_by_line_and_column() -> None:
    rows = [
        row(2, starts_on="01/02/2026"),
        row(3, signed_on="2026-02-30"),
        row(4, organization_legal_name="", organization_id="not-a-uuid"),
        row(5, ministry_signatory_name="Sri", ministry_signatory_title=""),
        row(6, number=""),
    ]
    read, problems = read_msp_lines(rows)
    assert read == []
    assert {(line, column) for line, column, _ in problems} == {
        (2, "starts_on"),
        (3, "signed_on"),
        (4, "organization_id"),
        (5, "ministry_signatory_title"),
        (6, "number"),
    }


def test_obligation_rows_accept_indonesian_kinds() -> None:
    base = {column.key: "" for column in OBLIGATION_COLUMNS}
    rows = [
        Row(
            2,
            base
            | {"msp_number": "MSP/1", "kind": "Laporan Semester", "period": "2026-S1", "received_on": "2026-08-01"},
        ),
        Row(3, base | {"msp_number": "MSP/1", "kind": "visit", "received_on": "2026-08-01"}),
    ]
    read, problems = read_obligation_lines(rows)
    assert [(o.kind, o.period) for o in read] == [("semester_report", "2026-S1")]
    assert [(line, column) for line, column, _ in problems] == [(3, "obligations.kind")]
    assert problems[0][2].startswith("obligations sheet, line 3: ")


def test_an_msp_signed_two_years_ago_is_active_with_its_past_obligations_received() -> None:
    done = plan(row(past_obligations_received_on="2028-02-15"))
    (msp,) = done.added
    assert (msp.status, msp.next_check_on, msp.permit) == ("active", TODAY, PERMIT)
    received = [o for o in msp.obligations if o.status == "received_outside"]
    assert len(received) == done.received_outside_mitra == PAST_DUE
    assert all(o.planned.due_on < TODAY and o.next_check_on is None for o in received)
    assert all(o.received_outside_on == date(2028, 2, 15) for o in received)
    assert done.overdue_notices_to_follow == 0
    assert {o.status for o in msp.obligations} == {"received_outside", "pending"}
    assert done.obligations_created == len(msp.obligations)


def test_without_marks_every_past_due_obligation_will_be_overdue() -> None:
    done = plan(row())
    assert (done.received_outside_mitra, done.overdue_notices_to_follow) == (0, PAST_DUE)
    asked = [o for o in done.added[0].obligations if o.planned.kind != "extension_decision"]
    # Past due, or inside its reminder window: the engine owes it a look today; the others its calendar finds (one
    # whose window opens tomorrow is owed a look then).
    assert all(o.next_check_on == TODAY for o in asked if o.planned.due_on <= TODAY + timedelta(days=30))
    assert all(o.next_check_on is None for o in asked if o.planned.due_on > TODAY + timedelta(days=31))
    assert len([o for o in asked if o.planned.due_on < TODAY]) == PAST_DUE


def test_the_obligations_sheet_overrides_the_rows_date() -> None:
    sheet = [ObligationLine(2, "MSP/1", "semester_report", "2026-S1", None, date(2026, 8, 10))]
    done = plan(row(past_obligations_received_on="2028-02-15"), obligations=sheet)
    dates = {
        o.planned.period: o.received_outside_on
        for o in done.added[0].obligations
        if o.planned.kind == "semester_report"
    }
    assert (dates["2026-S1"], dates["2026-S2"]) == (date(2026, 8, 10), date(2028, 2, 15))
    missing = [ObligationLine(2, "MSP/1", "work_plan", "2026", "33", date(2026, 8, 10))]
    assert refusals(row(), obligations=missing) == {(2, "obligations.period")}


def test_an_msp_over_before_the_import_is_ended_and_asks_nothing() -> None:
    done = plan(row(ends_on="2027-12-31"))
    (msp,) = done.added
    assert (msp.status, msp.next_check_on) == ("ended", None)
    assert {o.status for o in msp.obligations} == {"closed"}
    assert (done.overdue_notices_to_follow, done.reminders_to_follow) == (0, 0)


def test_a_future_msp_is_signed_not_active() -> None:
    (msp,) = plan(row(starts_on="2028-06-01", ends_on="2029-06-30", signed_on="2028-02-20")).added
    assert msp.status == "signed"


def test_the_principle_permit_rules_of_signing_without_the_today_rules() -> None:
    expired = KnownPermit(
        uuid.uuid4(), ORGANIZATION.organization_id, "IP-0", date(2020, 1, 1), date(2026, 12, 31), True
    )
    old_row = row(starts_on="2021-01-01", ends_on="2026-06-30", signed_on="2021-01-05")
    permits = {ORGANIZATION.organization_id: [expired, PERMIT]}
    assert plan(old_row, permits=permits).added[0].permit == expired
    revoked = KnownPermit(
        uuid.uuid4(), ORGANIZATION.organization_id, "IP-1", date(2026, 1, 1), date(2029, 12, 31), True
    )
    assert refusals(row(), permits={ORGANIZATION.organization_id: [revoked]}) == {(2, "signed_on")}
    assert refusals(row(principle_permit_number="IP-9")) == {(2, "principle_permit_number")}
    assert refusals(row(ends_on="2030-06-30")) == {(2, "ends_on")}


def test_every_bad_row_is_refused_with_its_column() -> None:
    suspended = KnownOrganization(ORGANIZATION.organization_id, ORGANIZATION.legal_name, "revoked")
    assert refusals(row(2), row(3, number="MSP/2", signed_on="2028-03-02"), row(4)) == {(3, "signed_on"), (4, "number")}
    assert refusals(row(ministry_code="KEMENKES")) == {(2, "ministry_code")}
    assert refusals(row(work_locations="9999")) == {(2, "work_locations")}
    assert refusals(row(organization_legal_name="Nobody")) == {(2, "organization_legal_name")}
    by_name = {name_key("Plan International", "GB"): [suspended]}
    assert refusals(row(), organizations_by_name=by_name) == {(2, "organization_legal_name")}
    assert refusals(row(past_obligations_received_on="2029-01-01")) == {(2, "past_obligations_received_on")}


def test_a_ministry_imports_only_its_own_msps() -> None:
    assert refusals(row(), caller_ministry="KEMENKES") == {(2, "ministry_code")}
    assert len(plan(row(), caller_ministry="KEMENSOS").added) == 1


def recorded(**changes: Any) -> RecordedMsp:
    base: dict[str, Any] = {
        "number": "MSP/1",
        "title": "Kerja sama perlindungan anak",
        "organization_id": ORGANIZATION.organization_id,
        "ministry_code": "KEMENSOS",
        "focus_areas": [],
        "forms_of_cooperation": [],
        "work_location_codes": ["3374"],
        "starts_on": date(2026, 2, 1),
        "ends_on": date(2029, 6, 30),
        "signed_on": date(2026, 2, 1),
        "principle_permit_id": PERMIT.permit_id,
        "signatories": [{"name": "Dra. Sri Wahyuni", "title": "Direktur Jenderal", "party": "ministry"}],
        "signed_document_ref": None,
        "received": {("semester_report", "2026-S1", ""): date(2028, 2, 15), ("annual_report", "2028", ""): None},
    }
    return RecordedMsp(**(base | changes))


def test_a_row_equal_to_the_recorded_msp_is_unchanged_one_that_differs_is_refused() -> None:
    done = plan(row(past_obligations_received_on="2028-02-15"), recorded={"MSP/1": recorded()})
    assert (done.added, done.unchanged) == ([], 1)
    assert refusals(row(title="Other"), recorded={"MSP/1": recorded()}) == {(2, "title")}
    assert refusals(row(past_obligations_received_on="2028-02-16"), recorded={"MSP/1": recorded()}) == {
        (2, "past_obligations_received_on")
    }
    sheet = [ObligationLine(3, "MSP/1", "semester_report", "2026-S1", None, date(2026, 8, 1))]
    assert refusals(row(), obligations=sheet, recorded={"MSP/1": recorded()}) == {(3, "obligations.received_on")}


@pytest.mark.parametrize("days_left", [-1, 0, 1, 5, 7, 20, 30, 31, 200])
def test_reminders_ahead_are_those_the_engine_sends_day_by_day(days_left: int) -> None:
    due_on = TODAY + timedelta(days=days_left)
    sent, day, seen = 0, TODAY, set()
    while day <= due_on + timedelta(days=2):
        step = obligation_step(status="pending", due_on=due_on, reminder_days=REMINDER_DAYS, today=day)
        if isinstance(step.notice, Reminder) and step.notice.days_before not in seen:
            seen.add(step.notice.days_before)
            sent += 1
        day += timedelta(days=1)
    assert reminders_ahead(due_on, REMINDER_DAYS, TODAY, until=date(2099, 1, 1)) == sent
    assert reminders_ahead(due_on, REMINDER_DAYS, TODAY, until=TODAY - timedelta(days=1)) == 0


def test_a_ministry_imports_only_msps_signed_before_mitra_began_tpoa_any() -> None:
    began = date(2027, 1, 1)
    recent = row(starts_on="2027-02-01", signed_on="2027-01-01")
    assert refusals(recent, caller_ministry="KEMENSOS", signed_before=began) == {(2, "signed_on")}
    assert len(plan(row(signed_on="2026-12-31"), caller_ministry="KEMENSOS", signed_before=began).added) == 1
    assert len(plan(recent).added) == 1


def test_a_recorded_msp_is_only_compared_whatever_its_ngo_or_permit_today() -> None:
    revoked = KnownOrganization(ORGANIZATION.organization_id, ORGANIZATION.legal_name, "revoked")
    changed: dict[str, Any] = {
        "organizations": {ORGANIZATION.organization_id: revoked},
        "organizations_by_name": {name_key("Plan International", "GB"): [revoked]},
        "permits": {},
        "recorded": {"MSP/1": recorded(received={})},
        "caller_ministry": "KEMENSOS",
        "signed_before": date(2020, 1, 1),
    }
    assert plan(row(), **changed).unchanged == 1
    other = KnownOrganization(uuid.uuid4(), ORGANIZATION.legal_name, "active")
    by_name = {name_key("Plan International", "GB"): [other]}
    assert refusals(row(), **changed | {"organizations_by_name": by_name}) == {(2, "organization_legal_name")}


def test_nothing_is_received_before_its_period_ends_or_before_signing() -> None:
    # The last past-due report covers 2027-S2 (due 2028-02-29): received on paper once that semester ended.
    assert refusals(row(past_obligations_received_on="2027-12-30")) == {(2, "past_obligations_received_on")}
    assert plan(row(past_obligations_received_on="2027-12-31")).received_outside_mitra == PAST_DUE
    early = [ObligationLine(3, "MSP/1", "semester_report", "2026-S2", None, date(2026, 12, 30))]
    assert refusals(row(), obligations=early) == {(3, "obligations.received_on")}
    on_time = [ObligationLine(3, "MSP/1", "semester_report", "2026-S2", None, date(2026, 12, 31))]
    assert plan(row(), obligations=on_time).received_outside_mitra == 1


def test_the_limits_of_drafting_and_signing_apply() -> None:
    many = ";".join(f"area_{index}" for index in range(21))
    _, problems = read_msp_lines([row(focus_areas=many), row(3, forms_of_cooperation=many)])
    assert {(line, column) for line, column, _ in problems} == {(2, "focus_areas"), (3, "forms_of_cooperation")}
    (line,) = lines(row(work_locations="33.74; 3374; 33"))
    assert line.work_location_codes == ["3374", "33"]
    unsigned = row(ministry_signatory_name="", ministry_signatory_title="")
    assert refusals(unsigned) == {(2, "organization_signatory_name")}


@pytest.mark.parametrize("days_left", [20, 45, 100, 200, 400])
def test_expiry_warnings_to_follow_are_those_the_engine_sends_day_by_day(days_left: int) -> None:
    ends_on = TODAY + timedelta(days=days_left)
    done = plan(row(ends_on=ends_on.isoformat()), permits={ORGANIZATION.organization_id: [PERMIT_LONG]})
    sent, day, status, seen = 0, TODAY, "active", set()
    while day <= ends_on + timedelta(days=1):
        step = msp_step(
            status=status, starts_on=date(2026, 2, 1), ends_on=ends_on, warning_days=WARNING_DAYS, today=day
        )
        if step.expiring is not None and step.expiring not in seen:
            seen.add(step.expiring)
            sent += 1
        day += timedelta(days=1)
    assert done.expiry_warnings_to_follow == sent
    assert sent == len([lead for lead in WARNING_DAYS if lead < days_left]) + (days_left <= max(WARNING_DAYS))
