"""Agreements' migration 009 on a database the engine before it ran on: the engine's look at reminders starts where
the old engine stood (the day before the earliest next look of an open obligation), not from the first obligation
ever made, so an upgrade sends no reminder the old engine would not have sent."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from importlib import resources
from pathlib import Path

import asyncpg
import pytest

from mitra_shared import db
from mitra_shared.db import MigrationSource

pytestmark = pytest.mark.integration

Until = Callable[[int], MigrationSource]


@pytest.fixture
def agreements_until(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Until]:
    """Agreements' migrations up to a number, as a package of their own under one component name."""
    monkeypatch.syspath_prepend(str(tmp_path))
    made: list[str] = []
    source = resources.files("mitra_agreements").joinpath("sql/migrations")

    def until(last: int) -> MigrationSource:
        package = f"agreements_until_{last}_{uuid.uuid4().hex[:8]}"
        folder = tmp_path / package / "sql" / "migrations"
        folder.mkdir(parents=True)
        (tmp_path / package / "__init__.py").write_text("")
        for entry in source.iterdir():
            if entry.name.endswith(".sql") and int(entry.name[:3]) <= last:
                (folder / entry.name).write_text(entry.read_text("utf-8"))
        made.append(package)
        return MigrationSource("agreements", package)

    yield until
    for package in made:
        sys.modules.pop(package, None)


async def test_the_look_starts_where_the_old_engine_stood(database: str, agreements_until: Until) -> None:
    until = agreements_until
    conn = await asyncpg.connect(database)
    try:
        await db.apply_migrations(conn, [db.SHARED_MIGRATIONS, until(8)])
        msp_id = uuid.uuid4()
        await conn.execute(
            """INSERT INTO msps (id, organization_id, organization_name, ministry_partner_id, ministry_name,
                                 ministry_code, title, starts_on, ends_on, status, obligation_rules, created_at,
                                 updated_at)
               VALUES ($1, gen_random_uuid(), 'NGO', gen_random_uuid(), 'Kementerian', 'K', 'MSP',
                       '2026-01-01', '2028-12-31', 'active', '{}', '2026-01-01', '2026-01-01')""",
            msp_id,
        )
        rows = [  # (kind, status, next look): the earliest open, non-extension one counts
            ("work_plan", "pending", date(2027, 3, 10)),
            ("semester_report", "returned", date(2027, 3, 4)),
            ("annual_report", "accepted", None),
            ("action_plan", "overdue", None),
            ("extension_decision", "pending", None),
            ("semester_report", "pending", date(2027, 5, 1)),
        ]
        for number, (kind, status, next_check_on) in enumerate(rows):
            await conn.execute(
                """INSERT INTO obligations (id, msp_id, kind, period, due_on, status, next_check_on, created_at,
                                            updated_at)
                   VALUES (gen_random_uuid(), $1, $2, $3, '2027-06-01', $4, $5, '2026-01-01', '2026-01-01')""",
                msp_id,
                kind,
                f"P{number}",
                status,
                next_check_on,
            )
        await db.apply_migrations(conn, [db.SHARED_MIGRATIONS, until(9)])
        looks = [tuple(row) for row in await conn.fetch("SELECT look, looked_on FROM deadline_looks")]
        assert looks == [("obligation_reminders", date(2027, 3, 3))]
    finally:
        await conn.close()


async def test_a_database_without_obligations_has_no_look_yet(database: str, agreements_until: Until) -> None:
    until = agreements_until
    conn = await asyncpg.connect(database)
    try:
        await db.apply_migrations(conn, [db.SHARED_MIGRATIONS, until(9)])
        assert await conn.fetchval("SELECT count(*) FROM deadline_looks") == 0
    finally:
        await conn.close()
