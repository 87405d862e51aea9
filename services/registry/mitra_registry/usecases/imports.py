"""Use cases of the bulk imports: a file's template, and a file imported in one unit of work.

An import reads the whole file first (`mitra_shared.tabular`), then, under a lock that lets one import of a kind
run at a time, matches its rows to the register, asks the domain what they change, and refuses the file with every
problem (`FileRejected`) or writes it all: each record added or changed publishes the usual event of that fact with
`imported: true` and has an audit entry `<thing>.imported`. A dry run does all of that and rolls it back, so it
checks exactly what the import would and reports the same counts. The NGOs here; the other kinds:
`imports_records`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import asyncpg

from mitra_registry.domain.access import require_keeper
from mitra_registry.domain.imports import (
    DEFAULT_IMPORT_STATUS,
    IMPORTED_REASON,
    ORGANIZATION_COLUMNS,
    SHEETS,
    FileImportReport,
    ImportKind,
    OrganizationRow,
    Problems,
    name_key,
    plan_organizations,
    read_organizations,
)
from mitra_registry.domain.imports_partners import PARTNER_COLUMNS
from mitra_registry.domain.imports_records import PERMIT_COLUMNS, STAFF_COLUMNS
from mitra_registry.domain.organizations import Organization
from mitra_registry.sql import IMPORTS, ORGANIZATIONS
from mitra_registry.usecases import imports_records
from mitra_registry.usecases.organizations import audit_values, event_facts, new_organization_values
from mitra_shared import tabular
from mitra_shared.context import Context
from mitra_shared.contracts.registry import OrganizationRegistered, OrganizationUpdated
from mitra_shared.errors import Conflict
from mitra_shared.tabular import Column, FileKind, Language, Row
from mitra_shared.uow import Transaction, UnitOfWork

COLUMNS: dict[ImportKind, tuple[Column, ...]] = {
    "organizations": ORGANIZATION_COLUMNS,
    "permits": PERMIT_COLUMNS,
    "staff": STAFF_COLUMNS,
    "partners": PARTNER_COLUMNS,
}
Counts = tuple[int, int, int]  # added, updated, unchanged
Importer = Callable[[Transaction, Sequence[Row], Problems, Sequence[int]], Awaitable[Counts]]


class _DryRun(Exception):
    """Ends a dry run's transaction, which rolls back everything it wrote, with the report it made."""

    def __init__(self, report: FileImportReport) -> None:
        super().__init__("dry run")
        self.report = report


async def template(kind: ImportKind, file_kind: FileKind, language: Language) -> bytes:
    """The file to fill in for a kind: its header row in the language (XLSX: with the guide sheet)."""
    english, indonesian = SHEETS[kind]
    sheet = indonesian if language == "id" else english
    # Building a workbook is CPU work: in a worker thread, so that the event loop goes on serving.
    return await asyncio.to_thread(tabular.template, COLUMNS[kind], kind=file_kind, language=language, sheet=sheet)


async def import_file(
    uow: UnitOfWork,
    ctx: Context,
    kind: ImportKind,
    content: bytes,
    file_kind: FileKind,
    *,
    dry_run: bool = False,
    lead_days: Sequence[int] = (90, 30),
) -> FileImportReport:
    """Import a file of records that predate Mitra, whole or not at all. TPOA's to do. `lead_days`: the permit
    reminders' lead times (an imported permit is not reminded of a window already passed)."""
    require_keeper(ctx.principal, "imports records into the register")
    what = f"{kind} file"
    # Parsing a file of thousands of rows takes a second or more: in a worker thread, not on the event loop.
    rows = await asyncio.to_thread(tabular.read_rows, content, file_kind, COLUMNS[kind], what=what)
    importer = _IMPORTERS[kind]
    try:
        async with uow.change(ctx) as tx:
            await tx.conn.execute(*IMPORTS.lock_import(kind=kind))
            added, updated, unchanged = await importer(tx, rows, Problems(what), lead_days)
            report = FileImportReport(
                kind=kind, dry_run=dry_run, rows=len(rows), added=added, updated=updated, unchanged=unchanged
            )
            if dry_run:
                raise _DryRun(report)
    except _DryRun as rolled_back:
        return rolled_back.report
    return report


async def _organizations(tx: Transaction, rows: Sequence[Row], problems: Problems, _: Sequence[int]) -> Counts:
    known = {row["code"] for row in await tx.conn.fetch(ORGANIZATIONS.list_focus_areas)}
    read = read_organizations(rows, known, problems)
    countries = sorted({row.command.country_of_origin for row in read})
    found = await tx.conn.fetch(*IMPORTS.organizations_of_countries(countries=countries))
    recorded = {
        name_key(organization.legal_name, organization.country_of_origin): organization
        for organization in (Organization.model_validate(dict(row)) for row in found)
    }
    plan = plan_organizations(read, recorded, problems)
    problems.check()
    for row in plan.added:
        await _add_organization(tx, row)
    for row, current, changes in plan.updated:
        await _update_organization(tx, row, current, changes)
    return len(plan.added), len(plan.updated), plan.unchanged


async def _add_organization(tx: Transaction, row: OrganizationRow) -> None:
    command = row.command
    found = await tx.conn.fetchrow(
        *ORGANIZATIONS.insert_organization(
            **new_organization_values(command, status=row.status or DEFAULT_IMPORT_STATUS, now=tx.now)
        )
    )
    if found is None:
        raise _meanwhile(row.line, f"{command.legal_name} ({command.country_of_origin})")
    organization = Organization.model_validate(dict(found))
    await tx.conn.execute(
        *ORGANIZATIONS.insert_status_change(
            organization_id=organization.id,
            previous_status=None,
            status=organization.status,
            reason=IMPORTED_REASON,
            changed_by=tx.actor,
            changed_at=tx.now,
            version=organization.version,
        )
    )
    tx.publish(
        OrganizationRegistered(**event_facts(organization), registered_at=organization.registered_at, imported=True),
        subject=str(organization.id),
    )
    tx.audit("organization.imported", "organization", organization.id, before=None, after=audit_values(organization))


_UPDATE_COLUMNS = tuple(column.key for column in ORGANIZATION_COLUMNS if column.key != "status")


async def _update_organization(
    tx: Transaction, row: OrganizationRow, current: Organization, changes: dict[str, Any]
) -> None:
    columns = {name: changes.get(name) for name in _UPDATE_COLUMNS}
    try:
        found = await tx.conn.fetchrow(
            *ORGANIZATIONS.update_organization(organization_id=current.id, fields=list(changes), now=tx.now, **columns)
        )
    except asyncpg.UniqueViolationError:
        raise _meanwhile(row.line, row.command.legal_name) from None
    assert found is not None, "the row is locked by this transaction"
    organization = Organization.model_validate(dict(found))
    tx.publish(
        OrganizationUpdated(
            **event_facts(organization),
            website=organization.website,
            changed_fields=list(changes),
            version=organization.version,
            updated_at=organization.updated_at,
            imported=True,
        ),
        subject=str(organization.id),
    )
    after = audit_values(organization)
    tx.audit("organization.imported", "organization", organization.id, before=audit_values(current), after=after)


def _meanwhile(line: int, what: str) -> Conflict:
    return Conflict(None, f"line {line}: {what} was entered in the register meanwhile; import the file again")


_IMPORTERS: dict[ImportKind, Importer] = {
    "organizations": _organizations,
    "permits": imports_records.import_permits,
    "staff": imports_records.import_staff,
    "partners": imports_records.import_partners,
}
