"""The MSP import: MSPs signed before Mitra, from an XLSX or CSV file, with their obligations' history. One file is
one unit of work: read whole, checked against what agreements knows (`domain/import_plan.py`), then recorded, or
refused whole (422, every bad row named). A dry run does the same writes, then rolls them back, so that what the
database itself refuses shows in the preview too.

Each new MSP is recorded in the state its dates give, its obligations planned as signing plans them, those received
on paper marked `received_outside` (the deadline engine never looks at them); it is announced by the usual
`agreements.msp.signed` with `imported: true` (and `agreements.msp.ended` if it is already over), and audited as
`msp.imported` (each obligation as `obligation.imported`)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any, Literal

import asyncpg
from pydantic import BaseModel, Field

from mitra_agreements.domain.import_plan import (
    Facts,
    ImportPlan,
    NewMsp,
    ObligationKey,
    RecordedMsp,
    plan_import,
)
from mitra_agreements.domain.imports import (
    MSP_COLUMNS,
    MSP_SHEETS,
    OBLIGATION_COLUMNS,
    OBLIGATION_SHEETS,
    WHAT,
    MspLine,
    ObligationLine,
    name_key,
    on_obligations_sheet,
    read_msp_lines,
    read_obligation_lines,
)
from mitra_agreements.domain.obligations import ObligationRules
from mitra_agreements.domain.policy import Policy
from mitra_agreements.domain.registry_facts import KnownOrganization, KnownPartner, KnownPermit
from mitra_agreements.sql import IMPORTS, REGISTRY_FACTS
from mitra_agreements.usecases.event_facts import ministry_party, obligation_summary, organization_party
from mitra_agreements.usecases.views import Msp, Obligation, values
from mitra_shared.access import has_role, ministry_of
from mitra_shared.clock import jakarta_date
from mitra_shared.context import Context
from mitra_shared.contracts import agreements as contracts
from mitra_shared.errors import Conflict, FileForbidden, FileProblems, FileRejected, Refused
from mitra_shared.tabular import MAX_PROBLEMS, FileKind, Language, Row, read_rows, template
from mitra_shared.uow import Transaction, UnitOfWork


class MspImportReport(BaseModel):
    """What an MSP import did (or, in a dry run, would do)."""

    kind: Literal["msps"] = "msps"
    dry_run: bool
    rows: int = Field(description="The MSP rows in the file.")
    added: int = Field(description="MSPs recorded (new numbers).")
    updated: int = Field(0, description="Always 0: an import does not amend an MSP already in Mitra.")
    unchanged: int = Field(description="Rows equal to the MSP already recorded with that number.")
    obligations_created: int = Field(description="Obligations of the added MSPs, planned as signing plans them.")
    received_outside_mitra: int = Field(description="Of those, received on paper before Mitra: nothing follows.")
    reminders_to_follow: int = Field(
        description="Reminders the deadline engine will send for the added MSPs' obligations still ahead."
    )
    overdue_notices_to_follow: int = Field(
        description="Past-due obligations not marked received: each gets an overdue notice on the engine's next tick."
    )
    expiry_warnings_to_follow: int = Field(
        0,
        description="Expiry warnings the deadline engine will send for the added MSPs still in force (one already "
        "within its warning days gets the most urgent warning that applies on the engine's next tick).",
    )


class FileConflict(FileProblems, Conflict):
    """A file whose rows conflict with what was recorded while it was imported (HTTP 409, each row by its line)."""


class _DryRun(Exception):
    """Rolls a dry run's writes back, carrying its report out."""

    def __init__(self, report: MspImportReport) -> None:
        super().__init__("dry run")
        self.report = report


def msp_template(kind: FileKind, language: Language) -> bytes:
    """The file to fill in: the `msps` sheet (`msp` in Indonesian) and, in XLSX, the `obligations` sheet
    (`kewajiban`)."""
    index = 0 if language == "en" else 1
    extra = () if kind == "csv" else ((OBLIGATION_SHEETS[index], OBLIGATION_COLUMNS),)
    return template(MSP_COLUMNS, kind=kind, language=language, sheet=MSP_SHEETS[index], extra_sheets=extra)


def _read_file(content: bytes, kind: FileKind) -> tuple[list[Row], list[Row]]:
    """The file's msps and obligations sheets (CSV: msps only); the obligations sheet's header problems name it."""
    msp_rows = read_rows(content, kind, MSP_COLUMNS, what=WHAT, sheet_names=MSP_SHEETS if kind == "xlsx" else ())
    if kind != "xlsx":
        return msp_rows, []
    try:
        obligation_rows = read_rows(
            content, kind, OBLIGATION_COLUMNS, what=WHAT, sheet_names=OBLIGATION_SHEETS, optional_sheet=True
        )
    except FileRejected as rejected:
        raise FileRejected(rejected.what, [on_obligations_sheet(problem) for problem in rejected.lines]) from None
    return msp_rows, obligation_rows


async def import_msps(
    uow: UnitOfWork, ctx: Context, content: bytes, kind: FileKind, *, dry_run: bool, policy: Policy
) -> MspImportReport:
    # Reading a large workbook takes a while: not on the event loop, which serves every other request meanwhile.
    msp_rows, obligation_rows = await asyncio.to_thread(_read_file, content, kind)
    msp_lines, problems = read_msp_lines(msp_rows)
    obligation_lines, more = read_obligation_lines(obligation_rows)
    # TPOA imports every MSP; a ministry those of its own code (a token without one matches none).
    caller_ministry = None if has_role(ctx.principal, "tpoa") else (ministry_of(ctx.principal) or "")
    try:
        async with uow.change(ctx) as tx:
            conn = tx.conn
            await conn.execute(IMPORTS.lock_msp_imports)
            today = jakarta_date(tx.now)
            signed_before = None
            if caller_ministry is not None:
                signed_before = policy.msp_import_signed_before or await _mitra_began(conn, today)
            facts = await _facts(
                conn, msp_lines, [line.msp_number for line in obligation_lines], today, policy, caller_ministry
            )
            facts = replace(facts, signed_before=signed_before)
            try:
                plan = plan_import(msp_lines, obligation_lines, facts, rows=len(msp_rows), problems=[*problems, *more])
            except FileRejected as rejected:
                raise _as_forbidden(rejected, msp_lines, obligation_lines, facts) from None
            await _record_all(tx, plan.added)
            report = _report(plan, dry_run)
            if dry_run:
                raise _DryRun(report)
    except _DryRun as rolled_back:
        return rolled_back.report
    return report


async def _mitra_began(conn: asyncpg.Connection, today: date) -> date:
    began = await conn.fetchval(IMPORTS.mitra_began)
    return jakarta_date(began) if isinstance(began, datetime) else today


def _as_forbidden(
    rejected: FileRejected, msp_lines: Sequence[MspLine], obligation_lines: Sequence[ObligationLine], facts: Facts
) -> Refused:
    """A file refused only for naming another ministry's MSPs is a question of access (403, as any record of
    another's named in a body); one with any other bad row stays refused by line (422), those lines among them."""
    mine = facts.caller_ministry
    if mine is None or len(rejected.lines) >= MAX_PROBLEMS:
        return rejected
    in_file = {line.number: line.ministry_code for line in msp_lines}
    foreign: set[tuple[int, str | None]] = {
        (line.line, "ministry_code") for line in msp_lines if line.ministry_code != mine
    }
    for line in obligation_lines:
        recorded = facts.recorded.get(line.msp_number)
        ministry = recorded.ministry_code if recorded is not None else in_file.get(line.msp_number)
        if ministry is not None and ministry != mine:
            foreign.add((line.line, "obligations.msp_number"))
    if not {(line, column) for line, column, _ in rejected.lines} <= foreign:
        return rejected
    return FileForbidden(
        rejected.what,
        [(line, column, "only the MSP's Mitra Utama ministry does this") for line, column, _ in rejected.lines],
    )


def _report(plan: ImportPlan, dry_run: bool) -> MspImportReport:
    return MspImportReport(
        dry_run=dry_run,
        rows=plan.rows,
        added=len(plan.added),
        unchanged=plan.unchanged,
        obligations_created=plan.obligations_created,
        received_outside_mitra=plan.received_outside_mitra,
        reminders_to_follow=plan.reminders_to_follow,
        overdue_notices_to_follow=plan.overdue_notices_to_follow,
        expiry_warnings_to_follow=plan.expiry_warnings_to_follow,
    )


async def _facts(
    conn: asyncpg.Connection,
    lines: Sequence[MspLine],
    obligation_numbers: Sequence[str],
    today: date,
    policy: Policy,
    caller_ministry: str | None,
) -> Facts:
    """What agreements knows of everything the file's rows name, read in the import's transaction."""
    ids = list({line.organization_id for line in lines if line.organization_id is not None})
    names = list({name_key(line.organization_name, line.organization_country)[0] for line in lines})
    by_id = await conn.fetch(*IMPORTS.known_organizations_by_ids(organization_ids=ids))
    by_name = await conn.fetch(*IMPORTS.known_organizations_by_names(names=names))
    organizations = {row["organization_id"]: _organization(row) for row in [*by_id, *by_name]}
    organizations_by_name: dict[tuple[str, str], list[KnownOrganization]] = {}
    for row in by_name:
        key = name_key(row["legal_name"], row["country_of_origin"] or "")
        organizations_by_name.setdefault(key, []).append(organizations[row["organization_id"]])
    ministries: dict[str, KnownPartner] = {}
    for row in await conn.fetch(*IMPORTS.ministries_by_code(codes=list({line.ministry_code for line in lines}))):
        ministries.setdefault(row["code"], _partner(row))
    codes = list({code for line in lines for code in line.work_location_codes})
    regions = {row["code"]: _partner(row) for row in await conn.fetch(*REGISTRY_FACTS.regions_by_code(codes=codes))}
    permits: dict[uuid.UUID, list[KnownPermit]] = {}
    for row in await conn.fetch(*IMPORTS.principle_permits_of_many(organization_ids=list(organizations))):
        permits.setdefault(row["organization_id"], []).append(
            KnownPermit(
                row["permit_id"],
                row["organization_id"],
                row["number"],
                row["issued_on"],
                row["valid_until"],
                row["expired"],
            )
        )
    numbers = list({line.number for line in lines} | set(obligation_numbers))
    recorded = await _recorded(conn, numbers)
    return Facts(
        today=today,
        reminder_days=tuple(policy.reminder_days),
        warning_days=tuple(policy.expiry_warning_days),
        caller_ministry=caller_ministry,
        organizations=organizations,
        organizations_by_name=organizations_by_name,
        ministries=ministries,
        regions=regions,
        permits=permits,
        recorded=recorded,
    )


def _organization(row: asyncpg.Record) -> KnownOrganization:
    return KnownOrganization(row["organization_id"], row["legal_name"], row["status"])


def _partner(row: asyncpg.Record) -> KnownPartner:
    return KnownPartner(
        row["partner_id"], row["partner_kind"], row["name"], row["code"], row["parent_code"], row["active"]
    )


async def _recorded(conn: asyncpg.Connection, numbers: list[str]) -> dict[str, RecordedMsp]:
    rows = await conn.fetch(*IMPORTS.msps_by_number(numbers=numbers))
    received: dict[uuid.UUID, dict[ObligationKey, date | None]] = {row["id"]: {} for row in rows}
    for obligation in await conn.fetch(*IMPORTS.obligations_of_msps(msp_ids=list(received))):
        key = (obligation["kind"], obligation["period"], obligation["region_code"] or "")
        received[obligation["msp_id"]][key] = obligation["received_outside_on"]
    return {
        row["number"]: RecordedMsp(
            number=row["number"],
            title=row["title"],
            organization_id=row["organization_id"],
            ministry_code=row["ministry_code"],
            focus_areas=list(row["focus_areas"]),
            forms_of_cooperation=list(row["forms_of_cooperation"]),
            work_location_codes=[location["code"] for location in row["work_locations"]],
            starts_on=row["starts_on"],
            ends_on=row["ends_on"],
            signed_on=row["signed_on"],
            principle_permit_id=row["principle_permit_id"],
            signatories=list(row["signatories"]),
            signed_document_ref=row["signed_document_ref"],
            received=received[row["id"]],
        )
        for row in rows
    }


async def _record_all(tx: Transaction, added: Sequence[NewMsp]) -> None:
    """Record the new MSPs (one statement each) and all their obligations (one statement), announce and audit
    them."""
    recorded = [(msp, await _insert_msp(tx, msp)) for msp in added]
    columns: dict[str, list[Any]] = {
        name: []
        for name in (
            "ids", "msp_ids", "kinds", "periods", "region_codes", "province_codes", "due_ons", "statuses",
            "next_check_ons", "received_outside_ons",
        )
    }  # fmt: skip
    for msp, row in recorded:
        for obligation in msp.obligations:
            planned = obligation.planned
            values_of = (
                uuid.uuid4(), row["id"], planned.kind, planned.period, planned.region_code, planned.province_code,
                planned.due_on, obligation.status, obligation.next_check_on, obligation.received_outside_on,
            )  # fmt: skip
            for name, value in zip(columns, values_of, strict=True):
                columns[name].append(value)
    order = {obligation_id: index for index, obligation_id in enumerate(columns["ids"])}
    created = await tx.conn.fetch(*IMPORTS.insert_imported_obligations(**columns, now=tx.now)) if order else []
    by_msp: dict[uuid.UUID, list[asyncpg.Record]] = {}
    for obligation in sorted(created, key=lambda o: order[o["id"]]):
        by_msp.setdefault(obligation["msp_id"], []).append(obligation)
    for msp, row in recorded:
        await _announce(tx, msp, row, by_msp.get(row["id"], []))


async def _insert_msp(tx: Transaction, msp: NewMsp) -> asyncpg.Record:
    line = msp.line
    row = await tx.conn.fetchrow(
        *IMPORTS.insert_imported_msp(
            id=uuid.uuid4(),
            organization_id=msp.organization.organization_id,
            organization_name=msp.organization.legal_name,
            ministry_partner_id=msp.ministry.partner_id,
            ministry_name=msp.ministry.name,
            ministry_code=msp.ministry.code,
            number=line.number,
            title=line.title,
            focus_areas=line.focus_areas,
            forms_of_cooperation=line.forms_of_cooperation,
            work_locations=[location.model_dump() for location in msp.work_locations],
            starts_on=line.starts_on,
            ends_on=line.ends_on,
            status=msp.status,
            obligation_rules=ObligationRules().model_dump(),
            signatories=[signatory.model_dump() for signatory in line.signatories],
            signed_document_ref=line.signed_document_ref,
            signed_on=line.signed_on,
            principle_permit_id=msp.permit.permit_id,
            next_check_on=msp.next_check_on,
            now=tx.now,
        )
    )
    if row is None:
        raise FileConflict(
            WHAT,
            [(line.line, "number", f"MSP {line.number} was recorded in Mitra meanwhile (signed there while this file "
              "was imported): nothing was imported; import the file again")],
        )  # fmt: skip
    return row


async def _announce(tx: Transaction, msp: NewMsp, row: asyncpg.Record, obligations: list[asyncpg.Record]) -> None:
    """Announce and audit one new MSP and its obligations."""
    conn, line = tx.conn, msp.line
    parties = {"organization": organization_party(row), "ministry": ministry_party(row)}
    tx.publish(
        contracts.MspSigned(
            msp_id=row["id"],
            number=line.number,
            title=row["title"],
            **parties,
            starts_on=row["starts_on"],
            ends_on=row["ends_on"],
            signed_on=line.signed_on,
            focus_areas=row["focus_areas"],
            forms_of_cooperation=row["forms_of_cooperation"],
            work_locations=msp.work_locations,
            region_codes=[location.code for location in msp.work_locations],
            province_codes=list(dict.fromkeys(location.province_code for location in msp.work_locations)),
            signatories=line.signatories,
            signed_document_ref=line.signed_document_ref,
            principle_permit_id=msp.permit.permit_id,
            principle_permit_valid_until=msp.permit.valid_until,
            obligations=[obligation_summary(o) for o in obligations],
            signed_by=tx.actor,
            signed_at=tx.now,
            imported=True,
        ),
        subject=str(row["id"]),
    )
    if msp.ended:
        await conn.execute(*IMPORTS.record_ended_notice(msp_id=row["id"], today=jakarta_date(tx.now)))
        closed = [created["id"] for created in obligations if created["status"] == "closed"]
        ended = contracts.MspEnded(
            msp_id=row["id"],
            number=line.number,
            **parties,
            ended_on=row["ends_on"],
            closed_obligation_ids=closed,
            imported=True,
        )
        tx.publish(ended, subject=str(row["id"]))
    tx.audit("msp.imported", "msp", row["id"], before=None, after=values(Msp, row))
    for created in obligations:
        tx.audit("obligation.imported", "obligation", created["id"], before=None, after=values(Obligation, created))
