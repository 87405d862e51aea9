"""Use case of the regions import: one file, one transaction, with an event for every region it adds or renames."""

from __future__ import annotations

import uuid

import asyncpg
from pydantic import BaseModel, Field

from mitra_registry.partners import QUERIES, record_registered, record_updated
from mitra_registry.partners_domain import Partner
from mitra_registry.regions_domain import KIND_OF_LEVEL, CsvRejected, RegionLevel, plan_import, read_csv
from mitra_shared.clock import Clock, system_clock
from mitra_shared.http import ConflictError, DomainError


class ImportReport(BaseModel):
    model_config = {
        "json_schema_extra": {"examples": [{"level": "provinces", "added": 34, "updated": 0, "unchanged": 0}]}
    }

    level: RegionLevel
    added: int = Field(description="Regions that were not known and were registered (`registry.partner.registered`).")
    updated: int = Field(description="Known regions the file names differently, renamed (`registry.partner.updated`).")
    unchanged: int = Field(description="Regions already known exactly as in the file.")


class ImportRejected(DomainError):
    """A file with malformed rows: each one named with its line; nothing was imported."""

    def __init__(self, rejected: CsvRejected) -> None:
        super().__init__(str(rejected), field="body")
        self.rejected = rejected


async def import_regions(
    pool: asyncpg.Pool,
    level: RegionLevel,
    content: bytes,
    *,
    correlation_id: str | None = None,
    clock: Clock = system_clock,
) -> ImportReport:
    kind = KIND_OF_LEVEL[level]
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(QUERIES.lock_regions_import)
        provinces = frozenset(row["code"] for row in await conn.fetch(QUERIES.province_codes))
        try:
            rows = read_csv(level, content, known_provinces=provinces)
        except CsvRejected as rejected:
            raise ImportRejected(rejected) from rejected
        names = {row["code"]: row["name"] for row in await conn.fetch(QUERIES.region_names, kind)}
        plan = plan_import(rows, names)
        now = clock()
        for region in plan.added:
            row = await conn.fetchrow(
                QUERIES.insert_partner, uuid.uuid4(), kind, region.code, region.name, region.parent_code, [], now
            )
            if row is None:  # registered through the API since this import read the known regions
                raise ConflictError(f"line {region.line}: {kind} {region.code} was registered meanwhile; import again")
            await record_registered(conn, Partner.model_validate(dict(row)), correlation_id=correlation_id)
        for region in plan.renamed:
            row = await conn.fetchrow(QUERIES.rename_region, kind, region.code, region.name, now)
            await record_updated(conn, Partner.model_validate(dict(row)), correlation_id=correlation_id)
    return ImportReport(level=level, added=len(plan.added), updated=len(plan.renamed), unchanged=plan.unchanged)
