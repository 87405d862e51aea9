"""Imports of permits and foreign staff, free of I/O (see `domain.imports` for what every import shares).

Both name their NGO by legal name and country, which must already be in the register: the NGOs are imported first.
They bring history: a permit whose last valid day has passed is entered as expired, and an assignment that is over
is entered as it was; the rules of the API hold otherwise (a principle permit's term, an operating permit within
its principle permit, at most 3 foreign staff at a time, 5 years per expert across the file and the register). A
recorded permit or assignment is never rewritten by a file: one the file describes otherwise is refused at its line.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from pydantic import ValidationError

from mitra_registry.domain.imports import Problems, column, given_values, name_key, read_date
from mitra_registry.domain.permits import STATUSES_WITHOUT_PERMITS, GrantPermit, PermitStatus, PermitType
from mitra_registry.domain.staff import (
    MAX_ACTIVE_PER_ORGANIZATION,
    STAFF_ELIGIBLE_STATUSES,
    AssignForeignStaff,
    Period,
    active_count,
    busiest_day,
    check_person_total,
)
from mitra_shared.errors import Conflict
from mitra_shared.tabular import Column, Row

NO_NGO = "no NGO of this legal name and country in the register: import the NGOs first"
_ORGANIZATION_COLUMNS: tuple[Column, ...] = (
    column("organization_legal_name", "nama_organisasi", True, "The NGO's legal name as in the register.",
           "Nama resmi organisasi sesuai register.", "Plan International"),
    column("organization_country", "negara_organisasi", True, "The NGO's country of origin (ISO 3166-1 alpha-2).",
           "Negara asal organisasi (kode ISO 3166-1 alpha-2).", "GB"),
)  # fmt: skip
PERMIT_COLUMNS: tuple[Column, ...] = (
    *_ORGANIZATION_COLUMNS,
    column("permit_type", "jenis_izin", True, "principle (izin prinsip) or operating (izin operasional).",
           "prinsip atau operasional (principle atau operating).", "principle"),
    column("number", "nomor", True, "The permit's official number (unique per type).",
           "Nomor resmi izin (unik per jenis).", "IP-2024/0042/KEMLU"),
    column("issued_on", "tanggal_terbit", True, "Day of issue, YYYY-MM-DD.", "Tanggal terbit, YYYY-MM-DD.",
           "2024-02-01"),
    column("valid_until", "berlaku_sampai", True, "Last day of validity (inclusive), YYYY-MM-DD. A principle "
           "permit: at most 3 years after issue. A past day: the permit is entered as expired.",
           "Hari terakhir berlaku, YYYY-MM-DD. Izin prinsip: paling lama 3 tahun sejak terbit. Hari yang sudah "
           "lewat: izin dicatat kedaluwarsa.", "2027-02-01"),
    column("principle_permit_number", "nomor_izin_prinsip", False, "Operating permits only (required for them): "
           "the number of the NGO's principle permit, in the register or in this file.",
           "Khusus izin operasional (wajib): nomor izin prinsip organisasi, di register atau di berkas ini.",
           "IP-2024/0042/KEMLU"),
)  # fmt: skip
STAFF_COLUMNS: tuple[Column, ...] = (
    *_ORGANIZATION_COLUMNS,
    column("full_name", "nama_lengkap", True, "The expert's full name.", "Nama lengkap tenaga ahli.",
           "Maria Jansen"),
    column("nationality", "kewarganegaraan", True, "ISO 3166-1 alpha-2 code; not ID.",
           "Kode ISO 3166-1 alpha-2; bukan ID.", "NL"),
    column("role", "jabatan", True, "The expert's function in the NGO.", "Jabatan tenaga ahli di organisasi.",
           "Programme adviser"),
    column("starts_on", "tanggal_mulai", True, "First day of the assignment, YYYY-MM-DD.",
           "Hari pertama penugasan, YYYY-MM-DD.", "2024-01-05"),
    column("ends_on", "tanggal_selesai", True, "Last day (included), YYYY-MM-DD; at most 5 years after the start.",
           "Hari terakhir (termasuk), YYYY-MM-DD; paling lama 5 tahun sejak mulai.", "2026-01-04"),
    column("passport_number", "nomor_paspor", True, "5-20 letters and digits; kept in the register only.",
           "5-20 huruf dan angka; hanya disimpan di register.", "NX4K81P02"),
)  # fmt: skip
_PERMIT_TYPES: dict[str, PermitType] = {
    "principle": "principle",
    "prinsip": "principle",
    "izin prinsip": "principle",
    "operating": "operating",
    "operasional": "operating",
    "izin operasional": "operating",
}
_SOME_PRINCIPLE = uuid.UUID(int=0)  # stands for the principle permit while the row's own rules are checked


@dataclass(frozen=True)
class KnownOrganization:
    id: uuid.UUID
    legal_name: str
    status: str


@dataclass(frozen=True)
class RecordedPermit:
    id: uuid.UUID
    organization_id: uuid.UUID
    permit_type: PermitType
    number: str
    issued_on: date
    valid_until: date
    principle_permit_id: uuid.UUID | None
    status: PermitStatus


@dataclass(frozen=True)
class NewPermit:
    line: int
    permit: RecordedPermit
    organization_name: str
    reminders_passed: tuple[int, ...] = ()


@dataclass
class PermitPlan:
    added: list[NewPermit] = field(default_factory=list)
    unchanged: int = 0


@dataclass(frozen=True)
class _PermitRow:
    line: int
    organization: KnownOrganization
    command: GrantPermit
    principle_number: str | None


def _organization(row: Row, organizations: Mapping[tuple[str, str], KnownOrganization], problems: Problems) -> Any:
    key = name_key(row.values["organization_legal_name"], row.values["organization_country"])
    found = organizations.get(key)
    if found is None:
        problems.add(row.line, "organization_legal_name", NO_NGO)
    return found


def _read_permits(
    rows: Sequence[Row], organizations: Mapping[tuple[str, str], KnownOrganization], problems: Problems
) -> list[_PermitRow]:
    read: list[_PermitRow] = []
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        organization = _organization(row, organizations, problems)
        permit_type = _PERMIT_TYPES.get(" ".join(row.values["permit_type"].lower().split()))
        if permit_type is None:
            problems.add(row.line, "permit_type", "must be principle (prinsip) or operating (operasional)")
        issued_on, valid_until = read_date(problems, row, "issued_on"), read_date(problems, row, "valid_until")
        principle_number = row.values.get("principle_permit_number") or None
        values: dict[str, Any] = {**given_values(row, ("number",)), "issued_on": issued_on, "valid_until": valid_until}
        if permit_type is None or issued_on is None or valid_until is None:
            continue
        key = (permit_type, row.values["number"])
        if key in seen:
            problems.add(row.line, "number", f"the same permit (type and number) as line {seen[key]}")
            continue
        seen[key] = row.line
        values.update(permit_type=permit_type, principle_permit_id=_SOME_PRINCIPLE if principle_number else None)
        try:
            command = GrantPermit.model_validate(values)
        except ValidationError as error:
            problems.invalid(row.line, error, {"principle_permit_id": "principle_permit_number"})
            continue
        if organization is not None:
            read.append(_PermitRow(row.line, organization, command, principle_number))
    return read


def plan_permits(
    rows: Sequence[Row],
    organizations: Mapping[tuple[str, str], KnownOrganization],
    recorded: Mapping[tuple[str, str], RecordedPermit],
    problems: Problems,
    *,
    today: date,
    lead_days: Sequence[int],
) -> PermitPlan:
    """The permits to enter (principle permits first, as operating permits rest on them) and how many rows are
    already recorded as they are. `recorded`: the permits of the numbers the file names, by (type, number)."""
    plan = PermitPlan()
    in_file: dict[str, RecordedPermit] = {}
    read = _read_permits(rows, organizations, problems)
    for row in sorted(read, key=lambda r: r.command.permit_type != "principle"):
        command = row.command
        principle: RecordedPermit | None = None
        if command.permit_type == "operating":
            number = row.principle_number or ""
            principle = in_file.get(number) or recorded.get(("principle", number))
            if principle is None:
                problems.add(row.line, "principle_permit_number", f"no principle permit {number} in the register "
                             "or in this file")  # fmt: skip
                continue
        status: PermitStatus = "expired" if command.valid_until < today else "valid"
        permit = RecordedPermit(
            id=uuid.uuid4(),
            organization_id=row.organization.id,
            permit_type=command.permit_type,
            number=command.number,
            issued_on=command.issued_on,
            valid_until=command.valid_until,
            principle_permit_id=principle.id if principle else None,
            status=status,
        )
        problem = _permit_problem(permit, row.organization, principle)
        if problem is not None:
            problems.add(row.line, *problem)
            continue
        current = recorded.get((command.permit_type, command.number))
        if current is not None:
            if current.organization_id != permit.organization_id or (current.issued_on, current.valid_until) != (
                permit.issued_on,
                permit.valid_until,
            ):
                problems.add(row.line, "number", _recorded_otherwise(current, organizations))
                continue
            if current.principle_permit_id != permit.principle_permit_id:
                problems.add(row.line, "principle_permit_number", "the permit is recorded on another principle permit")
                continue
            plan.unchanged += 1
            if current.permit_type == "principle":
                in_file[current.number] = current
            continue
        if permit.permit_type == "principle":
            in_file[permit.number] = permit
        passed = _reminders_passed(command.valid_until, today, lead_days) if status == "valid" else ()
        plan.added.append(NewPermit(row.line, permit, row.organization.legal_name, passed))
    return plan


def _reminders_passed(valid_until: date, today: date, lead_days: Sequence[int]) -> tuple[int, ...]:
    """The reminder windows an imported permit is recorded as reminded of: those less urgent than the one it is in
    today. The one it is in stays owed, so the scheduler sends it one reminder, the most urgent (as agreements'
    deadline engine does); a permit in no window yet is owed all of them."""
    leads = sorted(set(lead_days))
    owed = next((days for days in leads if valid_until <= today + timedelta(days)), None)
    return tuple(days for days in leads if owed is not None and days > owed)


def _permit_problem(
    permit: RecordedPermit, organization: KnownOrganization, principle: RecordedPermit | None
) -> tuple[str, str] | None:
    """Why the register cannot hold this permit (its column and the reason), or None."""
    if permit.status == "valid" and organization.status in STATUSES_WITHOUT_PERMITS:
        return "organization_legal_name", f"the NGO is {organization.status}: it holds no valid permit"
    if principle is None:
        return None
    if principle.organization_id != permit.organization_id:
        return "principle_permit_number", "the principle permit belongs to another NGO"
    if permit.status == "valid" and principle.status != "valid":
        return "principle_permit_number", f"the principle permit is {principle.status}"
    if permit.issued_on < principle.issued_on:
        return "issued_on", f"an operating permit cannot be issued before its principle permit ({principle.issued_on})"
    if permit.valid_until > principle.valid_until:
        return "valid_until", f"an operating permit is never valid past its principle permit ({principle.valid_until})"
    return None


def _recorded_otherwise(current: RecordedPermit, organizations: Mapping[Any, KnownOrganization]) -> str:
    holder = next((o.legal_name for o in organizations.values() if o.id == current.organization_id), "another NGO")
    return (
        f"this permit is recorded for {holder}, issued {current.issued_on}, valid until {current.valid_until}; "
        "a recorded permit is not rewritten by an import (an extension is recorded in Mitra)"
    )


# --- foreign staff -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedAssignment:
    organization_id: uuid.UUID
    full_name: str
    nationality: str
    role: str
    period: Period


@dataclass(frozen=True)
class NewAssignment:
    line: int
    id: uuid.UUID
    organization: KnownOrganization
    command: AssignForeignStaff
    active_after: int


@dataclass
class StaffPlan:
    added: list[NewAssignment] = field(default_factory=list)
    unchanged: int = 0


_STAFF_FIELDS = ("full_name", "nationality", "role", "passport_number")


def plan_staff(
    rows: Sequence[Row],
    organizations: Mapping[tuple[str, str], KnownOrganization],
    recorded: Sequence[RecordedAssignment],
    problems: Problems,
    *,
    today: date,
) -> StaffPlan:
    """The assignments to enter, checked against the register and the rows before them. `recorded`: every
    assignment of the file's NGOs and of the file's passport numbers."""
    plan = StaffPlan()
    of_organization: dict[uuid.UUID, list[Period]] = {}
    of_person: dict[str, list[Period]] = {}
    known: dict[tuple[uuid.UUID, str, date], RecordedAssignment] = {}
    for assignment in recorded:
        period = assignment.period
        of_organization.setdefault(assignment.organization_id, []).append(period)
        of_person.setdefault(period.passport_number, []).append(period)
        known[(assignment.organization_id, period.passport_number, period.starts_on)] = assignment
    seen: dict[tuple[uuid.UUID, str, date], int] = {}
    for row in rows:
        organization = _organization(row, organizations, problems)
        starts_on, ends_on = read_date(problems, row, "starts_on"), read_date(problems, row, "ends_on")
        if starts_on is None or ends_on is None:
            continue
        try:
            command = AssignForeignStaff.model_validate(
                {**given_values(row, _STAFF_FIELDS), "starts_on": starts_on, "ends_on": ends_on}
            )
        except ValidationError as error:
            problems.invalid(row.line, error)
            continue
        if organization is None:
            continue
        key = (organization.id, command.passport_number, command.starts_on)
        if key in seen:
            problems.add(row.line, "passport_number", f"the same assignment (NGO, passport, start) as line {seen[key]}")
            continue
        seen[key] = row.line
        current = known.get(key)
        if current is not None:
            particulars = (current.full_name, current.nationality, current.role, current.period.ends_on)
            if particulars != (command.full_name, command.nationality, command.role, command.ends_on):
                problems.add(row.line, None, "this assignment is recorded with other particulars; a recorded "
                             "assignment is not rewritten by an import (end it in Mitra)")  # fmt: skip
            else:
                plan.unchanged += 1
            continue
        existing = of_organization.setdefault(organization.id, [])
        problem = _assignment_problem(
            command, organization, existing, of_person.get(command.passport_number, []), today
        )
        if problem is not None:
            problems.add(row.line, *problem)
            continue
        period = Period(command.starts_on, command.ends_on, None, command.passport_number)
        existing.append(period)
        of_person.setdefault(command.passport_number, []).append(period)
        plan.added.append(NewAssignment(row.line, uuid.uuid4(), organization, command, active_count(existing, today)))
    return plan


def _assignment_problem(
    command: AssignForeignStaff,
    organization: KnownOrganization,
    existing: Sequence[Period],
    person: Sequence[Period],
    today: date,
) -> tuple[str | None, str] | None:
    """The rules of `domain.staff.check_assignment`, but for history: an assignment already over may be entered,
    whatever the NGO's status now."""
    if command.ends_on >= today and organization.status not in STAFF_ELIGIBLE_STATUSES:
        return "organization_legal_name", f"only a registered or active NGO may have foreign staff; this one is " \
            f"{organization.status}"  # fmt: skip
    new = Period(command.starts_on, command.ends_on)
    same_person = [p for p in existing if p.passport_number == command.passport_number]
    if busiest_day(same_person, new.starts_on, new.last_day)[1] > 0:
        return "passport_number", "this expert already has an assignment with the NGO in that period"
    day, busiest = busiest_day(existing, new.starts_on, new.last_day)
    if busiest >= MAX_ACTIVE_PER_ORGANIZATION:
        return None, (
            f"an NGO may have at most {MAX_ACTIVE_PER_ORGANIZATION} active foreign staff; "
            f"it already has {busiest} on {day.isoformat()}"
        )
    try:
        check_person_total(new, person)
    except Conflict as refusal:
        return "ends_on", refusal.reason
    return None
