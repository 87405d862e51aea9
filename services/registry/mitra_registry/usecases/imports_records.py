"""Use cases of the imports of permits, foreign staff and partners (see `usecases.imports`, which runs them in
one unit of work per file, and refuses or rolls back as it says).

A permit that had already expired is entered expired, with `registry.permit.expired` (imported) published at once
rather than by the expiry scheduler later. Of the reminder windows already reached, the one the permit is in today
stays owed, so the scheduler sends it that one reminder at once; the less urgent ones are recorded as sent.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from mitra_registry.domain.imports import Problems, name_key
from mitra_registry.domain.imports_partners import PartnerRows, plan_partners, read_partners
from mitra_registry.domain.imports_records import (
    KnownOrganization,
    NewAssignment,
    NewPermit,
    RecordedAssignment,
    RecordedPermit,
    plan_permits,
    plan_staff,
)
from mitra_registry.domain.partners import Partner
from mitra_registry.domain.permits import Permit
from mitra_registry.domain.staff import Period, mask_passport
from mitra_registry.sql import IMPORTS, PARTNERS, PERMITS, REGIONS, STAFF
from mitra_registry.usecases.partners import event_facts
from mitra_registry.usecases.permits import WAKE_CHANNEL
from mitra_shared.clock import jakarta_date
from mitra_shared.contracts.registry import (
    ForeignStaffAssigned,
    PartnerRegistered,
    PartnerUpdated,
    PermitExpired,
    PermitGranted,
)
from mitra_shared.errors import Conflict
from mitra_shared.tabular import Row
from mitra_shared.uow import Transaction

Counts = tuple[int, int, int]


async def known_organizations(tx: Transaction, rows: Sequence[Row]) -> dict[tuple[str, str], KnownOrganization]:
    """The NGOs of the countries the rows name, by natural key, locked for the rest of the import."""
    countries = sorted({row.values["organization_country"].strip().upper() for row in rows})
    found = await tx.conn.fetch(*IMPORTS.organizations_of_countries(countries=countries))
    return {
        name_key(row["legal_name"], row["country_of_origin"]): KnownOrganization(
            row["id"], row["legal_name"], row["status"]
        )
        for row in found
    }


async def import_permits(tx: Transaction, rows: Sequence[Row], problems: Problems, lead_days: Sequence[int]) -> Counts:
    organizations = await known_organizations(tx, rows)
    numbers = sorted({row.values[key] for row in rows for key in ("number", "principle_permit_number")} - {""})
    recorded = {
        (row["permit_type"], row["number"]): RecordedPermit(**dict(row))
        for row in await tx.conn.fetch(*IMPORTS.permits_of_numbers(numbers=numbers))
    }
    today = jakarta_date(tx.now)
    plan = plan_permits(rows, organizations, recorded, problems, today=today, lead_days=lead_days)
    problems.check()
    for new in plan.added:
        await _add_permit(tx, new)
    if any(new.permit.status == "valid" for new in plan.added):
        await tx.conn.execute(*PERMITS.wake_expiry_scheduler(channel=WAKE_CHANNEL))
    return len(plan.added), 0, plan.unchanged


async def _add_permit(tx: Transaction, new: NewPermit) -> None:
    planned = new.permit
    found = await tx.conn.fetchrow(
        *IMPORTS.insert_imported_permit(
            id=planned.id,
            organization_id=planned.organization_id,
            permit_type=planned.permit_type,
            number=planned.number,
            issued_on=planned.issued_on,
            valid_until=planned.valid_until,
            principle_permit_id=planned.principle_permit_id,
            status=planned.status,
            now=tx.now,
        )
    )
    if found is None:
        raise _meanwhile(new.line, f"the {planned.permit_type} permit {planned.number}")
    permit = Permit.model_validate(dict(found))
    about = {
        "permit_id": permit.id,
        "organization_id": permit.organization_id,
        "organization_name": new.organization_name,
        "permit_type": permit.permit_type,
        "number": permit.number,
    }
    granted = PermitGranted(
        **about,
        issued_on=permit.issued_on,
        valid_until=permit.valid_until,
        principle_permit_id=permit.principle_permit_id,
        granted_at=permit.granted_at,
        imported=True,
    )
    tx.publish(granted, subject=str(permit.id))
    if permit.status == "expired":
        tx.publish(PermitExpired(**about, valid_until=permit.valid_until, imported=True), subject=str(permit.id))
    for days_before in new.reminders_passed:
        await tx.conn.execute(
            *PERMITS.record_reminder(
                permit_id=permit.id, valid_until=permit.valid_until, days_before=days_before, now=tx.now
            )
        )
    tx.audit("permit.imported", "permit", permit.id, before=None, after=permit.model_dump(mode="json"))


async def import_staff(tx: Transaction, rows: Sequence[Row], problems: Problems, _: Sequence[int]) -> Counts:
    organizations = await known_organizations(tx, rows)
    passports = sorted({"".join(row.values["passport_number"].split()).upper() for row in rows} - {""})
    for passport in passports:
        await tx.conn.execute(*STAFF.lock_person(passport_number=passport))
    found = await tx.conn.fetch(
        *IMPORTS.assignments_for_import(
            organization_ids=[organization.id for organization in organizations.values()],
            passport_numbers=passports,
        )
    )
    recorded = [
        RecordedAssignment(
            row["organization_id"],
            row["full_name"],
            row["nationality"],
            row["role"],
            Period(row["starts_on"], row["ends_on"], row["ended_on"], row["passport_number"]),
        )
        for row in found
    ]
    plan = plan_staff(rows, organizations, recorded, problems, today=jakarta_date(tx.now))
    problems.check()
    for new in plan.added:
        await _add_assignment(tx, new)
    return len(plan.added), 0, plan.unchanged


async def _add_assignment(tx: Transaction, new: NewAssignment) -> None:
    command = new.command
    row = await tx.conn.fetchrow(
        *STAFF.insert_foreign_staff(
            id=new.id,
            organization_id=new.organization.id,
            full_name=command.full_name,
            nationality=command.nationality,
            role=command.role,
            passport_number=command.passport_number,
            starts_on=command.starts_on,
            ends_on=command.ends_on,
            assigned_by=tx.actor,
            assigned_at=tx.now,
        )
    )
    assert row is not None
    tx.publish(
        ForeignStaffAssigned(
            assignment_id=new.id,
            organization_id=new.organization.id,
            organization_name=new.organization.legal_name,
            full_name=command.full_name,
            nationality=command.nationality,
            role=command.role,
            starts_on=command.starts_on,
            ends_on=command.ends_on,
            active_assignments=new.active_after,
            imported=True,
        ),
        subject=str(new.id),
    )
    # The audit trail keeps the masked passport number only, as for an assignment made through the API.
    after = {key: value for key, value in dict(row).items() if key != "passport_number"}
    after["passport_number_masked"] = mask_passport(command.passport_number)
    tx.audit("foreign_staff.imported", "foreign_staff", new.id, before=None, after=after)


async def import_partners(tx: Transaction, rows: Sequence[Row], problems: Problems, _: Sequence[int]) -> Counts:
    partners = read_partners(rows, problems)
    keys = [f"{partner.command.kind}:{partner.command.code}" for partner in partners]
    recorded = {
        (row["kind"], row["code"]): Partner.model_validate(dict(row))
        for row in await tx.conn.fetch(*IMPORTS.partners_of_keys(keys=keys))
    }
    provinces = frozenset(row["code"] for row in await tx.conn.fetch(REGIONS.province_codes))
    plan = plan_partners(partners, recorded, provinces, problems)
    problems.check()
    for partner in plan.added:
        await _add_partner(tx, partner)
    for _partner, current, changes in plan.updated:
        found = await tx.conn.fetchrow(
            *PARTNERS.update_partner(
                partner_id=current.id,
                name=changes.get("name"),
                contacts=changes.get("contacts"),
                active=None,
                now=tx.now,
            )
        )
        updated = Partner.model_validate(dict(found))
        tx.publish(
            PartnerUpdated(**event_facts(updated), active=updated.active, updated_at=updated.updated_at, imported=True),
            subject=str(updated.id),
        )
        before, after = current.model_dump(mode="json"), updated.model_dump(mode="json")
        tx.audit("partner.imported", "partner", updated.id, before=before, after=after)
    return len(plan.added), len(plan.updated), plan.unchanged


async def _add_partner(tx: Transaction, partner: PartnerRows) -> None:
    command = partner.command
    found = await tx.conn.fetchrow(
        *PARTNERS.insert_partner(
            id=uuid.uuid4(),
            kind=command.kind,
            code=command.code,
            name=command.name,
            parent_code=command.parent_code,
            contacts=partner.contacts,
            now=tx.now,
        )
    )
    if found is None:
        raise _meanwhile(partner.line, f"the {command.kind} {command.code}")
    added = Partner.model_validate(dict(found))
    tx.publish(
        PartnerRegistered(**event_facts(added), registered_at=added.registered_at, imported=True), subject=str(added.id)
    )
    tx.audit("partner.imported", "partner", added.id, before=None, after=added.model_dump(mode="json"))


def _meanwhile(line: int, what: str) -> Conflict:
    return Conflict(None, f"line {line}: {what} was entered in the register meanwhile; import the file again")
