"""The MSP import against the real PostgreSQL and agreements' real app over ASGI: MSPs signed before Mitra with
their obligations' history, received-outside marks that the deadline engine leaves alone, the counts the report
gives (checked against what the engine then sends), dry runs, second imports, refusals by line, a ministry's own
MSPs only, and the queues showing the new status."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from support.agreements_world import MITRA_UTAMA, TPOA, AgreementsWorld, agreements_world
from support.database import migrated_pool
from support.tokens import as_role
from test_notification_delivery import NOTIFICATIONS, consume

from mitra_agreements.workers.deadlines import DeadlineEngine
from mitra_shared.contracts import agreements, registry
from mitra_shared.tabular import XLSX_TYPE
from mitra_shared.uow import UnitOfWork

pytestmark = pytest.mark.integration

TODAY = date(2028, 3, 1)
HEADERS = [
    "number", "title", "organization_legal_name", "organization_country", "ministry_code", "focus_areas",
    "work_locations", "starts_on", "ends_on", "signed_on", "past_obligations_received_on", "ministry_signatory_name",
    "ministry_signatory_title",
]  # fmt: skip
PAST_DUE = 8  # signed 2026-02-01: the Action Plan, RKT 2026 and 2027, four semester reports, the 2026 annual report


@pytest.fixture
async def world(database: str, tmp_path: Path) -> AsyncIterator[AgreementsWorld]:
    async with agreements_world(AgreementsWorld, database, tmp_path, today=TODAY) as made:
        yield made


def msp_row(number: str, received: str = "", **changes: str) -> dict[str, str]:
    row = {
        "number": number,
        "title": "Kerja sama perlindungan anak",
        "organization_legal_name": "  plan   INTERNATIONAL ",
        "organization_country": "gb",
        "ministry_code": "KEMENSOS",
        "focus_areas": "child_welfare",
        "work_locations": "3374",
        "starts_on": "2026-02-01",
        "ends_on": "2029-06-30",
        "signed_on": "2026-02-01",
        "past_obligations_received_on": received,
        "ministry_signatory_name": "Dra. Sri Wahyuni",
        "ministry_signatory_title": "Direktur Jenderal",
    }
    return row | changes


def csv_file(*rows: dict[str, str]) -> bytes:
    lines = [",".join(HEADERS)] + [",".join(row.get(key, "") for key in HEADERS) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def xlsx_file(rows: list[dict[str, Any]], obligations: list[list[Any]] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "msp"
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([row.get(key, "") for key in HEADERS])
    if obligations is not None:
        extra = book.create_sheet("kewajiban")
        extra.append(["nomor_msp", "jenis", "periode", "kode_wilayah", "tanggal_diterima"])
        for line in obligations:
            extra.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def send(
    world: AgreementsWorld, content: bytes, *, xlsx: bool = False, who: dict[str, str] = TPOA, dry_run: bool = False
) -> Any:
    headers = who | {"Content-Type": XLSX_TYPE if xlsx else "text/csv"}
    return await world.client.post(f"/imports/msps?dry_run={str(dry_run).lower()}", content=content, headers=headers)


async def count(world: AgreementsWorld, sql: str, *args: Any) -> int:
    return int(await world.pool.fetchval(sql, *args))


async def overdue_events(world: AgreementsWorld) -> list[dict[str, Any]]:
    rows = await world.pool.fetch("SELECT body FROM outbox WHERE routing_key LIKE 'agreements.%.overdue' ORDER BY seq")
    return [json.loads(row["body"])["data"] for row in rows]


async def tick(world: AgreementsWorld, database: str) -> int:
    engine = DeadlineEngine(
        uow=UnitOfWork(world.pool, "agreements"), clock=world.clock, listen_dsn=database, tick_seconds=3600
    )
    return await engine.tick()


async def test_an_msp_signed_two_years_ago_with_its_past_reports_received_sends_no_overdue_notice(
    world: AgreementsWorld, database: str
) -> None:
    number = f"MSP/{uuid.uuid4().hex[:6]}"
    response = await send(world, csv_file(msp_row(number, received="2028-02-15")))
    assert response.status_code == 200, response.text
    report = response.json()
    assert report | {"reminders_to_follow": 0} == {
        "kind": "msps",
        "dry_run": False,
        "rows": 1,
        "added": 1,
        "updated": 0,
        "unchanged": 0,
        "obligations_created": report["obligations_created"],
        "received_outside_mitra": PAST_DUE,
        "reminders_to_follow": 0,
        "overdue_notices_to_follow": 0,
        "expiry_warnings_to_follow": 3,  # 180, 90 and 30 days before 2029-06-30
    }
    assert report["obligations_created"] > PAST_DUE
    msp = (await world.call(TPOA, "GET", "/msps?status=active"))["items"][0]
    assert (msp["number"], msp["imported"], msp["signed_on"]) == (number, True, "2026-02-01")
    obligations = await world.call(TPOA, "GET", f"/msps/{msp['id']}/obligations")
    received = [o for o in obligations if o["status"] == "received_outside"]
    assert len(received) == PAST_DUE
    assert all(o["received_outside_on"] == "2028-02-15" and o["next_check_on"] is None for o in received)
    assert all(o["due_on"] < TODAY.isoformat() for o in received)

    (signed,) = await world.published("agreements.msp.signed")
    assert signed["data"]["imported"] is True
    marks = [o.get("received_outside_mitra_on") for o in signed["data"]["obligations"]]
    assert marks.count("2028-02-15") == PAST_DUE
    audit = await world.pool.fetch("SELECT body FROM outbox WHERE routing_key = 'audit.agreements.recorded'")
    actions = [json.loads(row["body"])["data"]["action"] for row in audit]
    assert actions.count("msp.imported") == 1
    assert actions.count("obligation.imported") == report["obligations_created"]

    due_events_before = await count(world, "SELECT count(*) FROM outbox WHERE routing_key LIKE 'agreements.%.due'")
    await tick(world, database)
    assert await overdue_events(world) == []
    # The reminders the report promised are those the engine starts sending (the 30-day ones today).
    assert await count(world, "SELECT count(*) FROM outbox WHERE routing_key LIKE 'agreements.%.due'") > (
        due_events_before
    )
    # A received one takes no submission.
    queue = await world.call(TPOA, "GET", "/obligations?status=received_outside")
    assert queue["total"] == PAST_DUE
    ngo = as_role("ngo", subject="ngo-staff", organization_id=world.organization_id)
    body = {"summary": "Laporan semester"}
    field = await world.refused(ngo, "POST", f"/obligations/{received[0]['id']}/submissions", body, 409)
    assert field == "obligation.status"


async def test_without_the_marks_the_overdue_notices_the_report_counts_follow(
    world: AgreementsWorld, database: str
) -> None:
    report = (await send(world, csv_file(msp_row(f"MSP/{uuid.uuid4().hex[:6]}")))).json()
    assert (report["received_outside_mitra"], report["overdue_notices_to_follow"]) == (0, PAST_DUE)
    await tick(world, database)
    assert len(await overdue_events(world)) == PAST_DUE


async def test_reminders_to_follow_are_those_the_engine_sends(world: AgreementsWorld, database: str) -> None:
    report = (await send(world, csv_file(msp_row(f"MSP/{uuid.uuid4().hex[:6]}", received="2028-02-15")))).json()
    while world.clock.today <= date(2029, 7, 2):  # day by day to the MSP's end (2029-06-30), and past it
        await tick(world, database)
        world.clock.advance(days=1)
    reminders = await count(world, "SELECT count(*) FROM outbox WHERE routing_key LIKE 'agreements.%.due'")
    assert reminders == report["reminders_to_follow"] > 0
    assert await world.pool.fetchval("SELECT status FROM msps") == "ended"


async def test_a_dry_run_writes_nothing_and_a_second_import_changes_nothing(world: AgreementsWorld) -> None:
    content = xlsx_file([msp_row(f"MSP/{uuid.uuid4().hex[:6]}", received="2028-02-15")])
    preview = (await send(world, content, xlsx=True, dry_run=True)).json()
    assert await count(world, "SELECT count(*) FROM msps") == 0
    assert await count(world, "SELECT count(*) FROM outbox WHERE routing_key LIKE 'agreements.%'") == 0
    first = (await send(world, content, xlsx=True)).json()
    assert first == preview | {"dry_run": False}
    events = await count(world, "SELECT count(*) FROM outbox")
    again = (await send(world, content, xlsx=True)).json()
    assert (again["added"], again["unchanged"], again["obligations_created"]) == (0, 1, 0)
    assert await count(world, "SELECT count(*) FROM outbox") == events
    assert await count(world, "SELECT count(*) FROM msps") == 1


async def test_every_bad_row_is_named_and_nothing_is_imported(world: AgreementsWorld) -> None:
    rows = [
        msp_row("MSP/ok-1"),
        msp_row("MSP/bad-1", starts_on="2026-13-01"),
        msp_row("MSP/bad-2", organization_legal_name="Nobody Foundation"),
        msp_row("MSP/bad-3", work_locations="9999", ministry_code="KEMENKEU"),
        msp_row("MSP/bad-4", signed_on="2030-01-01"),
        msp_row("MSP/bad-5", ends_on="2031-01-01"),
        msp_row("MSP/ok-1"),
    ]
    response = await send(world, csv_file(*rows))
    assert response.status_code == 422, response.text
    errors = {(e["line"], e["field"]) for e in response.json()["errors"]}
    assert errors == {
        (3, "file.starts_on"),
        (4, "file.organization_legal_name"),
        (5, "file.ministry_code"),
        (6, "file.signed_on"),
        (7, "file.ends_on"),
        (8, "file.number"),
    }
    assert await count(world, "SELECT count(*) FROM msps") == 0
    assert await count(world, "SELECT count(*) FROM outbox") == 0


async def test_an_msp_already_recorded_differently_is_refused_not_amended(world: AgreementsWorld) -> None:
    number = f"MSP/{uuid.uuid4().hex[:6]}"
    assert (await send(world, csv_file(msp_row(number)))).status_code == 200
    response = await send(world, csv_file(msp_row(number, title="Another title")))
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert (error["line"], error["field"]) == (2, "file.title")
    assert "already recorded in Mitra" in error["reason"]


async def test_a_ministry_imports_its_own_msps_only(world: AgreementsWorld) -> None:
    other = as_role("ministry", subject="kemenkes-officer", ministry_code="KEMENKES")
    response = await send(world, csv_file(msp_row("MSP/k-1")), who=other)
    assert response.status_code == 403
    assert response.json()["errors"][0]["field"] == "file.ministry_code"
    assert response.json()["errors"][0]["line"] == 2
    assert (await send(world, csv_file(msp_row("MSP/k-1")), who=MITRA_UTAMA)).json()["added"] == 1
    ngo = as_role("ngo", subject="ngo-staff", organization_id=world.organization_id)
    assert (await send(world, csv_file(msp_row("MSP/k-2")), who=ngo)).status_code == 403


async def test_the_obligations_sheet_marks_each_obligation_and_names_those_the_plan_lacks(
    world: AgreementsWorld,
) -> None:
    number = f"MSP/{uuid.uuid4().hex[:6]}"
    sheet: list[list[Any]] = [
        [number, "laporan_semester", "2026-S1", "", date(2026, 8, 10)],
        [number, "rkt", "2027", "3374", "2027-04-02"],
    ]
    report = (await send(world, xlsx_file([msp_row(number)], sheet), xlsx=True)).json()
    assert (report["received_outside_mitra"], report["overdue_notices_to_follow"]) == (2, PAST_DUE - 2)
    rows = await world.pool.fetch(
        "SELECT kind, period, received_outside_on FROM obligations WHERE status = 'received_outside' ORDER BY kind"
    )
    assert [tuple(row) for row in rows] == [
        ("semester_report", "2026-S1", date(2026, 8, 10)),
        ("work_plan", "2027", date(2027, 4, 2)),
    ]
    wrong = [[number, "semester_report", "2031-S1", "", "2027-01-01"], ["MSP/none", "rkt", "2027", "", "2027-01-01"]]
    response = await send(world, xlsx_file([msp_row(f"MSP/{uuid.uuid4().hex[:6]}")], wrong), xlsx=True)
    assert response.status_code == 422
    assert {(e["line"], e["field"]) for e in response.json()["errors"]} == {
        (2, "file.obligations.period"),
        (3, "file.obligations.msp_number"),
    }


async def test_an_msp_already_over_is_recorded_ended_and_asks_nothing(world: AgreementsWorld, database: str) -> None:
    row = msp_row(f"MSP/{uuid.uuid4().hex[:6]}", starts_on="2026-02-01", ends_on="2027-12-31")
    report = (await send(world, csv_file(row))).json()
    assert (report["overdue_notices_to_follow"], report["reminders_to_follow"]) == (0, 0)
    assert await world.pool.fetchval("SELECT status FROM msps") == "ended"
    assert await count(world, "SELECT count(*) FROM obligations WHERE status <> 'closed'") == 0
    assert len(await world.published("agreements.msp.ended")) == 1
    assert await tick(world, database) == 0


async def test_the_template_and_the_file_types(world: AgreementsWorld) -> None:
    response = await world.client.get("/imports/msps/template?format=xlsx&language=id", headers=TPOA)
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="mitra-import-msps-id.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["msp", "kewajiban", "Petunjuk"]
    assert [cell.value for cell in book["msp"][1]][:2] == ["nomor", "judul"]
    assert book["msp"].max_row == 1
    csv_template = await world.client.get("/imports/msps/template?format=csv&language=en", headers=TPOA)
    assert csv_template.text.startswith("number,title,")
    refused = await world.client.post(
        "/imports/msps", content=b"{}", headers=TPOA | {"Content-Type": "application/json"}
    )
    assert refused.status_code == 415
    too_large = await world.client.post(
        "/imports/msps", content=b"x" * (5 * 1024 * 1024 + 1), headers=TPOA | {"Content-Type": "text/csv"}
    )
    assert too_large.status_code == 413


# --- notifications: an imported signing is remembered, mailed to nobody, and delivered to its webhooks -----------


async def test_notifications_mails_nobody_of_an_imported_signing_but_remembers_it_and_calls_webhooks(
    database: str,
) -> None:
    kemensos = uuid.uuid4()
    party = agreements.OrganizationParty(organization_id=uuid.uuid4(), name="Plan International")
    async with migrated_pool(database, [NOTIFICATIONS], max_size=4) as pool:
        for partner_id, kind, code, parent in (
            (kemensos, "ministry", "KEMENSOS", None),
            (uuid.uuid4(), "tpoa", "TPOA", None),
        ):
            await consume(
                pool,
                registry.PartnerRegistered(
                    partner_id=partner_id,
                    partner_kind=kind,
                    name=f"Kantor {code}",
                    code=code,
                    parent_code=parent,
                    contacts=[registry.PartnerContact(name=f"Kantor {code}", email=f"{code.lower()}@gov.example")],
                    registered_at=datetime.now(UTC),
                ),
            )
        system = uuid.uuid4()
        await pool.execute(
            "INSERT INTO recipients (id, name, role, email, webhook_url) "
            "VALUES ($1, 'SIPP', 'tpoa', 'sipp@gov.example', 'https://sipp.example/hook')",
            system,
        )
        await pool.execute(
            "INSERT INTO subscriptions (id, recipient_id, routing_keys, channels) "
            "VALUES ($1, $2, ARRAY['agreements.msp.signed'], ARRAY['webhook', 'email'])",
            uuid.uuid4(),
            system,
        )

        def signing(imported: bool) -> agreements.MspSigned:
            return agreements.MspSigned(
                msp_id=uuid.uuid4(),
                number=f"MSP/{uuid.uuid4().hex[:6]}",
                title="Perlindungan anak",
                organization=party,
                ministry=agreements.MinistryParty(partner_id=kemensos, name="Kementerian Sosial", code="KEMENSOS"),
                starts_on=date(2026, 2, 1),
                ends_on=date(2029, 6, 30),
                signed_on=date(2026, 2, 1),
                focus_areas=[],
                forms_of_cooperation=[],
                work_locations=[],
                region_codes=[],
                province_codes=[],
                signatories=[],
                principle_permit_id=uuid.uuid4(),
                principle_permit_valid_until=date(2029, 12, 31),
                obligations=[],
                signed_by="tpoa-1",
                signed_at=datetime.now(UTC),
                imported=imported,
            )

        imported, signed = signing(True), signing(False)
        imported_event = await consume(pool, imported)
        signed_event = await consume(pool, signed)

        async def channels(event_id: uuid.UUID) -> set[tuple[str, str]]:
            rows = await pool.fetch("SELECT channel, address FROM notifications WHERE event_id = $1", event_id)
            return {(row["channel"], row["address"]) for row in rows}

        assert await channels(imported_event.id) == {("webhook", "https://sipp.example/hook")}
        # The contrast: signed through Mitra, the same fact is mailed (and put in the inboxes) as always.
        assert {("email", "kemensos@gov.example"), ("email", "sipp@gov.example")} <= await channels(signed_event.id)
        remembered = await pool.fetchval("SELECT number FROM msp_facts WHERE msp_id = $1", imported.msp_id)
        assert remembered == imported.number
