"""Use case of the regions import: one file, one unit of work, with an event and an audit entry for every region it
adds or renames."""

from __future__ import annotations

import uuid

from mitra_registry.domain.access import require_keeper
from mitra_registry.domain.partners import Partner
from mitra_registry.domain.regions import KIND_OF_LEVEL, ImportReport, RegionLevel, plan_import, read_csv
from mitra_registry.sql import PARTNERS, REGIONS
from mitra_registry.usecases.partners import audit_registered, audit_values, publish_registered, publish_updated
from mitra_shared.context import Context
from mitra_shared.errors import Conflict
from mitra_shared.uow import UnitOfWork


async def import_regions(uow: UnitOfWork, ctx: Context, level: RegionLevel, content: bytes) -> ImportReport:
    """Register the regions of the file not yet known and rename those it names differently; a file with a
    malformed row is refused whole (`CsvRejected`, each line's problem in it) and nothing is imported."""
    require_keeper(ctx.principal, "imports regions")
    kind = KIND_OF_LEVEL[level]
    async with uow.change(ctx) as tx:
        await tx.conn.execute(REGIONS.lock_regions_import)
        provinces = frozenset(row["code"] for row in await tx.conn.fetch(REGIONS.province_codes))
        rows = read_csv(level, content, known_provinces=provinces)
        names = {row["code"]: row["name"] for row in await tx.conn.fetch(*REGIONS.region_names(kind=kind))}
        plan = plan_import(rows, names)
        for region in plan.added:
            row = await tx.conn.fetchrow(
                *PARTNERS.insert_partner(
                    id=uuid.uuid4(),
                    kind=kind,
                    code=region.code,
                    name=region.name,
                    parent_code=region.parent_code,
                    contacts=[],
                    now=tx.now,
                )
            )
            if row is None:  # registered through the API since this import read the known regions
                raise Conflict(None, f"line {region.line}: {kind} {region.code} was registered meanwhile; import again")
            partner = Partner.model_validate(dict(row))
            publish_registered(tx, partner)
            audit_registered(tx, partner)
        codes = [region.code for region in plan.renamed]
        locked = await tx.conn.fetch(*REGIONS.lock_regions(kind=kind, codes=codes)) if codes else []
        previous = {row["code"]: row for row in locked}  # as they were, for the audit trail
        for region in plan.renamed:
            row = await tx.conn.fetchrow(
                *REGIONS.rename_region(kind=kind, code=region.code, name=region.name, now=tx.now)
            )
            partner = Partner.model_validate(dict(row))
            publish_updated(tx, partner)
            before = audit_values(Partner.model_validate(dict(previous[region.code])))
            tx.audit("partner.renamed", "partner", partner.id, before=before, after=audit_values(partner))
    return ImportReport(level=level, added=len(plan.added), updated=len(plan.renamed), unchanged=plan.unchanged)
