"""The MSP import's limits, against the real PostgreSQL and agreements' app over ASGI: a ministry imports only MSPs
signed before Mitra began recording them, a second import compares only (whatever became of the NGO since), paper
receipts no earlier than they can be, the obligations sheet named in its problems, drafting's and signing's limits,
the expiry warnings the report counts, a number taken meanwhile (409, in a dry run too), and 1,000 MSPs at once."""

from __future__ import annotations

import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from support.agreements_world import MITRA_UTAMA, AgreementsWorld, agreements_world
from test_agreements_imports import TODAY, count, csv_file, msp_row, send, tick, world, xlsx_file

from mitra_agreements.usecases import imports as usecase
from mitra_shared.clock import jakarta_date

pytestmark = pytest.mark.integration
__all__ = ["world"]  # the fixture, shared with the import's other tests


def errors_of(response: Any) -> set[tuple[int, str]]:
    return {(error["line"], error["field"]) for error in response.json()["errors"]}


async def test_a_ministry_imports_only_msps_signed_before_mitra_began_tpoa_any(world: AgreementsWorld) -> None:
    applied = await world.pool.fetchval("SELECT min(applied_at) FROM schema_migrations WHERE component = 'agreements'")
    began = jakarta_date(applied)
    assert date(2026, 2, 1) < began <= TODAY  # the other tests' MSPs predate Mitra; this one need not
    recent = msp_row(f"MSP/{uuid.uuid4().hex[:6]}", starts_on=began.isoformat(), signed_on=began.isoformat())
    refused = await send(world, csv_file(recent), who=MITRA_UTAMA)
    assert refused.status_code == 422, refused.text
    assert errors_of(refused) == {(2, "file.signed_on")}
    assert str(began) in refused.json()["errors"][0]["reason"]
    day_before = (began - timedelta(days=1)).isoformat()
    older = msp_row(f"MSP/{uuid.uuid4().hex[:6]}", starts_on=day_before, signed_on=day_before)
    assert (await send(world, csv_file(older), who=MITRA_UTAMA)).json()["added"] == 1
    assert (await send(world, csv_file(recent))).json()["added"] == 1  # TPOA's import is the review


async def test_the_setting_moves_the_day_a_ministry_imports_up_to(database: str, tmp_path: Path) -> None:
    async with agreements_world(
        AgreementsWorld, database, tmp_path, today=TODAY, msp_import_signed_before=date(2026, 2, 1)
    ) as made:
        refused = await send(made, csv_file(msp_row("MSP/S-1")), who=MITRA_UTAMA)
        assert refused.status_code == 422
        assert errors_of(refused) == {(2, "file.signed_on")}
        assert "2026-02-01" in refused.json()["errors"][0]["reason"]


async def test_a_second_import_compares_only_whatever_became_of_the_ngo(world: AgreementsWorld) -> None:
    content = csv_file(msp_row(f"MSP/{uuid.uuid4().hex[:6]}", received="2028-02-15"))
    assert (await send(world, content)).json()["added"] == 1
    await world.pool.execute("UPDATE known_organizations SET status = 'revoked'")
    await world.pool.execute("UPDATE known_permits SET expired = true")
    events = await count(world, "SELECT count(*) FROM outbox")
    again = await send(world, content, who=MITRA_UTAMA)
    assert again.status_code == 200, again.text
    assert (again.json()["added"], again.json()["unchanged"]) == (0, 1)
    assert await count(world, "SELECT count(*) FROM outbox") == events


async def test_nothing_is_received_before_it_can_be_and_the_obligations_sheet_is_named(world: AgreementsWorld) -> None:
    number = f"MSP/{uuid.uuid4().hex[:6]}"
    rows = [msp_row(number, received="2027-12-30"), msp_row(f"MSP/{uuid.uuid4().hex[:6]}", signed_on="2029-01-01")]
    sheet: list[list[Any]] = [[number, "laporan_semester", "2026-S2", "", "2026-12-30"], [number, "jenis", "", "", ""]]
    response = await send(world, xlsx_file(rows, sheet), xlsx=True)
    assert response.status_code == 422, response.text
    assert errors_of(response) == {
        (2, "file.past_obligations_received_on"),  # the 2027-S2 report: its semester ended on 2027-12-31
        (2, "file.obligations.received_on"),  # 2026-S2 received before the semester ended
        (3, "file.signed_on"),
        (3, "file.obligations.kind"),
        (3, "file.obligations.received_on"),  # required
    }
    sheet_reasons = [e["reason"] for e in response.json()["errors"] if e["field"].startswith("file.obligations")]
    assert all(reason.startswith("obligations sheet, line ") for reason in sheet_reasons)
    assert await count(world, "SELECT count(*) FROM msps") == 0


async def test_the_limits_of_drafting_and_signing_apply(world: AgreementsWorld) -> None:
    many = ";".join(f"area_{index}" for index in range(21))
    unsigned = msp_row("MSP/U-1", ministry_signatory_name="", ministry_signatory_title="")
    response = await send(world, csv_file(msp_row("MSP/F-1", focus_areas=many), unsigned))
    assert response.status_code == 422
    assert errors_of(response) == {(2, "file.focus_areas"), (3, "file.organization_signatory_name")}
    assert (await send(world, csv_file(msp_row("MSP/R-1", work_locations="33.74")))).json()["added"] == 1
    locations = await world.pool.fetchval("SELECT work_locations FROM msps WHERE number = 'MSP/R-1'")
    assert [location["code"] for location in locations] == ["3374"]


async def test_the_expiry_warnings_the_report_counts_are_those_the_engine_sends(
    world: AgreementsWorld, database: str
) -> None:
    ends_on = TODAY + timedelta(days=45)  # within the 90-day warning already: that one, then the 30-day one
    row = msp_row(f"MSP/{uuid.uuid4().hex[:6]}", received="2028-02-15", ends_on=ends_on.isoformat())
    report = (await send(world, csv_file(row))).json()
    assert report["expiry_warnings_to_follow"] == 2
    while world.clock.today <= ends_on + timedelta(days=1):
        await tick(world, database)
        world.clock.advance(days=1)
    warnings = await count(world, "SELECT count(*) FROM outbox WHERE routing_key = 'agreements.msp.expiring'")
    assert warnings == report["expiry_warnings_to_follow"]


async def test_a_number_taken_meanwhile_refuses_the_file_409_in_a_dry_run_too(
    world: AgreementsWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = f"MSP/{uuid.uuid4().hex[:6]}"
    assert (await send(world, csv_file(msp_row(number)))).json()["added"] == 1
    events = await count(world, "SELECT count(*) FROM outbox")

    async def none_recorded(*_: Any) -> dict[str, Any]:
        return {}  # as if the MSP was signed through Mitra after the import looked

    monkeypatch.setattr(usecase, "_recorded", none_recorded)
    content = csv_file(msp_row(f"MSP/{uuid.uuid4().hex[:6]}"), msp_row(number))
    for dry_run in (True, False):
        response = await send(world, content, dry_run=dry_run)
        assert response.status_code == 409, response.text
        assert errors_of(response) == {(3, "file.number")}
    assert await count(world, "SELECT count(*) FROM msps") == 1
    assert await count(world, "SELECT count(*) FROM outbox") == events


async def test_a_thousand_msps_import_well_within_the_consoles_timeout(world: AgreementsWorld) -> None:
    content = csv_file(*(msp_row(f"MSP/B-{index:04d}", received="2028-02-15") for index in range(1000)))
    started = time.perf_counter()
    response = await send(world, content)
    took = time.perf_counter() - started
    assert response.status_code == 200, response.text
    assert response.json()["added"] == 1000
    print(f"1,000 MSPs ({response.json()['obligations_created']} obligations) imported in {took:.1f} s")
    assert took < 15, f"{took:.1f} s"  # the console gives up at 15 s; 7-12 s measured on a busy 2-core machine
