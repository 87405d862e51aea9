"""The registry's import rules, without a database: what a file's rows change, and every problem by line."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import cast

import pytest

from mitra_registry.domain.imports import (
    ORGANIZATION_COLUMNS,
    Problems,
    name_key,
    plan_organizations,
    read_organizations,
)
from mitra_registry.domain.imports_partners import PARTNER_COLUMNS, plan_partners, read_partners
from mitra_registry.domain.imports_records import (
    PERMIT_COLUMNS,
    STAFF_COLUMNS,
    KnownOrganization,
    RecordedAssignment,
    plan_permits,
    plan_staff,
)
from mitra_registry.domain.organizations import Organization
from mitra_registry.domain.partners import Partner
from mitra_registry.domain.staff import Period
from mitra_registry.usecases import imports
from mitra_shared.context import Context, Principal
from mitra_shared.errors import FileRejected
from mitra_shared.tabular import Column, Row
from mitra_shared.uow import UnitOfWork

TODAY = date(2026, 6, 1)
FOCUS = {"poverty", "child_welfare"}
PLAN = KnownOrganization(uuid.uuid4(), "Plan International", "active")
CLOSED = KnownOrganization(uuid.uuid4(), "Gone Away", "closed")
KNOWN = {name_key(o.legal_name, "GB"): o for o in (PLAN, CLOSED)}


def rows(columns: tuple[Column, ...], *lines: Mapping[str, str]) -> list[Row]:
    keys = frozenset(key for line in lines for key in line)
    return [
        Row(number, {c.key: line.get(c.key, "") for c in columns}, keys) for number, line in enumerate(lines, start=2)
    ]


def problems_of(problems: Problems) -> set[tuple[int, str | None]]:
    return {(line, column) for line, column, _ in problems.lines}


def recorded_ngo(**values: object) -> Organization:
    now = datetime(2025, 1, 1, tzinfo=UTC)
    fields: dict[str, object] = {
        "id": uuid.uuid4(), "legal_name": "Plan International", "acronym": "PLAN", "country_of_origin": "GB",
        "headquarters_address": None, "indonesia_office_address": None, "website": None, "representative_name": None,
        "contact_email": None, "status": "active", "focus_areas": ["poverty"], "version": 3, "registered_at": now,
        "updated_at": now,
    }  # fmt: skip
    return Organization.model_validate({**fields, **values})


def test_ngo_rows_are_checked_as_the_api_checks_them() -> None:
    problems = Problems("organizations file")
    read = read_organizations(
        rows(
            ORGANIZATION_COLUMNS,
            {"legal_name": "Plan International", "country_of_origin": "gb", "focus_areas": "poverty; child_welfare"},
            {"legal_name": "X", "country_of_origin": "ID"},
            {"legal_name": "Other", "country_of_origin": "FR", "focus_areas": "nope", "status": "revoked"},
            {"legal_name": "PLAN  international", "country_of_origin": "GB"},
        ),
        FOCUS,
        problems,
    )
    assert [(row.line, row.command.country_of_origin, row.command.focus_areas) for row in read] == [
        (2, "GB", ["poverty", "child_welfare"])
    ]
    assert problems_of(problems) == {
        (3, "legal_name"),  # too short
        (3, "country_of_origin"),  # Indonesia
        (4, "focus_areas"),
        (4, "status"),
        (5, "legal_name"),  # the same NGO as line 2
    }
    with pytest.raises(FileRejected) as refused:
        problems.check()
    assert [line for line, _, _ in refused.value.lines] == [3, 3, 4, 4, 5]


def test_an_ngo_equal_to_the_record_is_unchanged_and_a_lacking_column_changes_nothing() -> None:
    problems = Problems("f")
    current = recorded_ngo()
    read = read_organizations(
        rows(
            ORGANIZATION_COLUMNS,
            {"legal_name": "Plan International", "country_of_origin": "GB", "acronym": "PLAN"},
            {"legal_name": "New NGO", "country_of_origin": "DE", "acronym": ""},
        ),
        FOCUS,
        problems,
    )
    plan = plan_organizations(read, {name_key("Plan International", "GB"): current}, problems)
    assert (plan.unchanged, [row.line for row in plan.added], plan.updated) == (1, [3], [])

    emptied = read_organizations(
        rows(ORGANIZATION_COLUMNS, {"legal_name": "Plan International", "country_of_origin": "GB", "acronym": ""}),
        FOCUS,
        problems,
    )
    [(_, _, changes)] = plan_organizations(emptied, {name_key("Plan International", "GB"): current}, problems).updated
    assert changes == {"acronym": None}  # an empty cell of a given column clears it
    assert not problems


def test_a_recorded_ngos_status_is_not_changed_by_a_file() -> None:
    problems = Problems("f")
    read = read_organizations(
        rows(ORGANIZATION_COLUMNS, {"legal_name": "Plan International", "country_of_origin": "GB", "status": "closed"}),
        FOCUS,
        problems,
    )
    plan = plan_organizations(read, {name_key("Plan International", "GB"): recorded_ngo()}, problems)
    assert (plan.added, plan.updated, problems_of(problems)) == ([], [], {(2, "status")})


def permit(**values: str) -> dict[str, str]:
    return {"organization_legal_name": "Plan International", "organization_country": "GB", **values}


def test_permits_past_and_present_owe_the_reminder_of_the_window_they_are_in() -> None:
    problems = Problems("permits file")
    plan = plan_permits(
        rows(
            PERMIT_COLUMNS,
            permit(
                permit_type="operating",
                number="IO-1",
                issued_on="2025-01-10",
                valid_until="2026-07-01",
                principle_permit_number="IP-2",
            ),
            permit(permit_type="principle", number="IP-1", issued_on="2020-01-01", valid_until="2023-01-01"),
            permit(permit_type="prinsip", number="IP-2", issued_on="2025-01-01", valid_until="2026-08-10"),
            permit(permit_type="principle", number="IP-3", issued_on="2024-01-01", valid_until="2026-06-21"),
            permit(permit_type="principle", number="IP-4", issued_on="2026-01-01", valid_until="2028-01-01"),
        ),
        KNOWN,
        {},
        problems,
        today=TODAY,
        lead_days=(90, 30),
    )
    assert not problems
    added = {new.permit.number: new for new in plan.added}
    assert [new.permit.number for new in plan.added][-1] == "IO-1"  # after the principle permit it rests on
    assert (added["IP-1"].permit.status, added["IP-1"].reminders_passed) == ("expired", ())
    # Only windows less urgent than the one the permit is in are marked sent: the scheduler sends that one.
    assert (added["IP-2"].permit.status, added["IP-2"].reminders_passed) == ("valid", ())  # 70 days: the 90-day
    assert added["IO-1"].reminders_passed == (90,)  # 30 days ahead: the 30-day reminder is today's, still owed
    assert added["IP-3"].reminders_passed == (90,)  # 20 days ahead: the 30-day reminder still goes out
    assert added["IP-4"].reminders_passed == ()  # in no window yet
    assert added["IO-1"].permit.principle_permit_id == added["IP-2"].permit.id


def test_permit_rows_refused_by_line_and_column() -> None:
    problems = Problems("permits file")
    plan_permits(
        rows(
            PERMIT_COLUMNS,
            permit(
                organization_legal_name="Nobody",
                permit_type="principle",
                number="A",
                issued_on="2025-01-01",
                valid_until="2026-12-01",
            ),
            permit(permit_type="principle", number="B", issued_on="2020-01-01", valid_until="2025-01-01"),
            permit(permit_type="operating", number="C", issued_on="2026-01-01", valid_until="2026-12-01"),
            permit(permit_type="izin", number="D", issued_on="01/02/2026", valid_until="2026-12-01"),
            permit(
                organization_legal_name="Gone Away",
                permit_type="principle",
                number="E",
                issued_on="2026-01-01",
                valid_until="2026-12-01",
            ),
            permit(permit_type="principle", number="B", issued_on="2020-01-01", valid_until="2021-01-01"),
        ),
        KNOWN,
        {},
        problems,
        today=TODAY,
        lead_days=(90, 30),
    )
    assert problems_of(problems) == {
        (2, "organization_legal_name"),
        (3, "valid_until"),  # more than 3 years
        (4, "principle_permit_number"),
        (5, "permit_type"),
        (5, "issued_on"),
        (6, "organization_legal_name"),  # a closed NGO holds no valid permit
        (7, "number"),  # the same permit as line 3
    }


def staff(name: str, passport: str, starts_on: date, ends_on: date, ngo: str = "Plan International") -> dict:
    return {
        "organization_legal_name": ngo, "organization_country": "GB", "full_name": name, "nationality": "NL",
        "role": "Adviser", "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(),
        "passport_number": passport,
    }  # fmt: skip


def test_staff_limits_hold_across_the_file_and_the_register_but_history_may_be_entered() -> None:
    problems = Problems("staff file")
    start, end = TODAY - timedelta(days=10), TODAY + timedelta(days=100)
    recorded = [
        RecordedAssignment(PLAN.id, "In Register", "NL", "Adviser", Period(start, end, None, "REG00001")),
        RecordedAssignment(uuid.uuid4(), "Long Stay", "NL", "Adviser",
                           Period(date(2021, 6, 1), date(2026, 5, 31), None, "LONG0001")),
    ]  # fmt: skip
    plan = plan_staff(
        rows(
            STAFF_COLUMNS,
            staff("Old Hand", "OLD00001", date(2015, 1, 1), date(2016, 1, 1), ngo="Gone Away"),  # history: fine
            staff("Two", "TWO00001", start, end),
            staff("Three", "THR00001", start, end),
            staff("Four", "FOU00001", start, end),  # a fourth at once
            staff("Long Stay", "LONG0001", end + timedelta(days=1), end + timedelta(days=30)),  # over 5 years in all
            staff("In Register", "REG00001", start, end),  # recorded as it is
            staff("Now Closed", "CLO00001", TODAY, end, ngo="Gone Away"),
        ),
        KNOWN,
        recorded,
        problems,
        today=TODAY,
    )
    assert [(new.line, new.active_after) for new in plan.added] == [(2, 0), (3, 2), (4, 3)]
    assert plan.unchanged == 1
    assert problems_of(problems) == {(5, None), (6, "ends_on"), (8, "organization_legal_name")}


def test_partners_gather_contacts_from_their_rows_and_need_their_province() -> None:
    problems = Problems("partners file")
    read = read_partners(
        rows(
            PARTNER_COLUMNS,
            {
                "kind": "kota",
                "code": "33.74",
                "name": "Kota Semarang",
                "parent_code": "33",
                "contact_name": "A",
                "contact_email": "a@semarang.example",
            },
            {
                "kind": "regency",
                "code": "3374",
                "name": "Kota Semarang",
                "parent_code": "33",
                "contact_name": "B",
                "contact_webhook_url": "https://hooks.example/b",
                "contact_language": "en",
            },
            {"kind": "regency", "code": "3374", "name": "Semarang", "parent_code": "33"},
            {"kind": "regency", "code": "3471", "name": "Kota Yogyakarta", "parent_code": "34"},
            {"kind": "ministry", "code": "KEMENSOS", "name": "Kementerian Sosial", "contact_name": "No Address"},
            {"kind": "desa", "code": "1", "name": "Somewhere"},
        ),
        problems,
    )
    assert [(p.line, p.key, [c["name"] for c in p.contacts]) for p in read] == [
        (2, ("regency", "3374"), ["A", "B"]),
        (5, ("regency", "3471"), []),
    ]
    plan = plan_partners(read, {}, frozenset({"33"}), problems)
    assert [p.line for p in plan.added] == [2]
    assert problems_of(problems) == {(4, "name"), (5, "parent_code"), (6, "contact_email"), (7, "kind")}


def test_a_name_spelt_otherwise_and_an_empty_language_cell_change_nothing() -> None:
    problems = Problems("f")
    current = recorded_ngo(contact_language="id")
    read = read_organizations(
        rows(
            ORGANIZATION_COLUMNS,
            {"legal_name": "PLAN  INTERNATIONAL", "country_of_origin": "GB", "acronym": "PLAN", "contact_language": ""},
        ),
        FOCUS,
        problems,
    )
    plan = plan_organizations(read, {name_key("Plan International", "GB"): current}, problems)
    assert (plan.unchanged, plan.updated, plan.added) == (1, [], [])
    new = read_organizations(
        rows(ORGANIZATION_COLUMNS, {"legal_name": "New NGO", "country_of_origin": "DE", "contact_language": ""}),
        FOCUS,
        problems,
    )
    assert new[0].command.contact_language == "en"  # the default, for an NGO not yet recorded
    assert not problems


def recorded_partner(contacts: list[dict[str, object]]) -> Partner:
    now = datetime(2025, 1, 1, tzinfo=UTC)
    return Partner(
        id=uuid.uuid4(), kind="ministry", code="KEMENSOS", name="Kementerian Sosial", parent_code=None,
        contacts=contacts, active=True, version=1, registered_at=now, updated_at=now,
    )  # fmt: skip


def test_a_partners_contacts_keep_their_recorded_language_and_are_at_most_twenty() -> None:
    problems = Problems("partners file")
    contact: dict[str, object] = {
        "name": "Biro",
        "email": "biro@kemensos.example",
        "webhook_url": None,
        "language": "en",
    }
    ministry = {"kind": "ministry", "code": "KEMENSOS", "name": "Kementerian Sosial"}
    read = read_partners(
        rows(PARTNER_COLUMNS, {**ministry, "contact_name": "Biro", "contact_email": "biro@kemensos.example"}),
        problems,
    )
    plan = plan_partners(read, {("ministry", "KEMENSOS"): recorded_partner([contact])}, frozenset(), problems)
    assert (plan.unchanged, plan.updated) == (1, [])

    crowded = [{**ministry, "contact_name": f"C{n}", "contact_email": f"c{n}@kemensos.example"} for n in range(21)]
    assert read_partners(rows(PARTNER_COLUMNS, *crowded), problems) == []
    assert [(line, column) for line, column, _ in problems.lines] == [(2, "contact_name")]
    assert "21 contacts" in problems.lines[0][2]


def test_a_file_is_parsed_in_a_worker_thread_not_on_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[threading.Thread] = []

    def read_rows(*_: object, **__: object) -> list[Row]:
        threads.append(threading.current_thread())
        raise FileRejected("organizations file", [(1, None, "stop here")])

    monkeypatch.setattr(imports.tabular, "read_rows", read_rows)
    ctx = Context(principal=Principal.system("test"), now=datetime.now(UTC), request_id="r")
    with pytest.raises(FileRejected):
        asyncio.run(imports.import_file(cast(UnitOfWork, None), ctx, "organizations", b"", "csv"))
    assert threads
    assert threads[0] is not threading.main_thread()
    template = asyncio.run(imports.template("organizations", "csv", "en"))
    assert template.startswith(b"legal_name,")
