"""The registry's bulk imports through its HTTP API on the real PostgreSQL: NGOs, permits, foreign staff and
partners from CSV and XLSX files, whole or not at all, idempotent, with the usual events marked `imported`."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from openpyxl import Workbook, load_workbook
from support.tokens import as_role

from mitra_registry.usecases import permits
from mitra_shared.clock import jakarta_date
from mitra_shared.context import Context
from mitra_shared.db import create_pool
from mitra_shared.tabular import XLSX_TYPE
from mitra_shared.uow import UnitOfWork

pytestmark = pytest.mark.integration
CSV = {"Content-Type": "text/csv"}
XLSX = {"Content-Type": XLSX_TYPE}
TODAY = jakarta_date(datetime.now(UTC))


def csv_file(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def xlsx_file(rows: Sequence[Sequence[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


async def post(client: httpx.AsyncClient, kind: str, content: bytes, *, xlsx: bool = False, **params: Any) -> Any:
    return await client.post(f"/imports/{kind}", content=content, headers=XLSX if xlsx else CSV, params=params)


async def imported(client: httpx.AsyncClient, kind: str, content: bytes, **params: Any) -> dict[str, Any]:
    response = await post(client, kind, content, **params)
    assert response.status_code == 200, response.text
    return response.json()


async def events(pool: asyncpg.Pool, routing_key: str) -> list[dict[str, Any]]:
    rows = await pool.fetch("SELECT body FROM outbox WHERE routing_key = $1 ORDER BY seq", routing_key)
    return [json.loads(row["body"])["data"] for row in rows]


async def outbox_count(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM outbox"))


def report(kind: str, rows: int, added: int = 0, updated: int = 0, unchanged: int = 0, dry_run: bool = False) -> dict:
    return {"kind": kind, "dry_run": dry_run, "rows": rows, "added": added, "updated": updated, "unchanged": unchanged}


NGOS = csv_file(
    "Nama_Resmi;negara_asal;singkatan;email_kontak;bidang_fokus;status",
    "Plan International;GB;PLAN;indonesia@plan.example;child_welfare; active",
    "Winrock International;US;;;poverty;",
)


async def test_ngos_are_added_with_imported_events_and_a_second_import_changes_nothing(
    registry_client: httpx.AsyncClient, registry_pool: asyncpg.Pool
) -> None:
    assert await imported(registry_client, "organizations", NGOS) == report("organizations", 2, added=2)
    rows = await registry_pool.fetch("SELECT legal_name, status, focus_areas FROM organizations ORDER BY legal_name")
    assert [tuple(row) for row in rows] == [
        ("Plan International", "active", ["child_welfare"]),
        ("Winrock International", "registered", ["poverty"]),
    ]
    registered = await events(registry_pool, "registry.organization.registered")
    assert sorted((e["legal_name"], e["status"], e["imported"]) for e in registered) == [
        ("Plan International", "active", True),
        ("Winrock International", "registered", True),
    ]
    audit = [json.loads(r["body"])["data"] for r in await registry_pool.fetch(
        "SELECT body FROM outbox WHERE routing_key = 'audit.registry.recorded'")]  # fmt: skip
    assert [entry["action"] for entry in audit] == ["organization.imported"] * 2
    reasons = await registry_pool.fetch("SELECT previous_status, reason FROM organization_status_changes")
    assert {(r["previous_status"], r["reason"]) for r in reasons} == {(None, "recorded by a bulk import of records "
                                                                       "that predate Mitra")}  # fmt: skip
    assert not await registry_pool.fetchval("SELECT count(*) FROM application_reviews")

    before = await outbox_count(registry_pool)
    assert await imported(registry_client, "organizations", NGOS) == report("organizations", 2, unchanged=2)
    assert await outbox_count(registry_pool) == before

    speaks_id = csv_file("legal_name,country_of_origin,contact_language", "Plan International,GB,id")
    assert await imported(registry_client, "organizations", speaks_id) == report("organizations", 1, updated=1)
    # Another spelling of the same NGO, a new acronym, an empty language cell: the same record, not renamed, its
    # acronym updated, its language (an empty cell of a column with a default) and its other columns kept.
    changed = csv_file("legal_name,country_of_origin,acronym,contact_language", "plan   INTERNATIONAL,gb,PI,")
    assert await imported(registry_client, "organizations", changed) == report("organizations", 1, updated=1)
    update = (await events(registry_pool, "registry.organization.updated"))[-1]
    assert (update["changed_fields"], update["acronym"], update["imported"]) == (["acronym"], "PI", True)
    kept = await registry_pool.fetchrow(
        "SELECT legal_name, contact_language, contact_email, status FROM organizations WHERE acronym = 'PI'"
    )
    assert tuple(kept) == ("Plan International", "id", "indonesia@plan.example", "active")


async def test_a_file_with_bad_rows_is_refused_whole_naming_each_line_and_column(
    registry_client: httpx.AsyncClient, registry_pool: asyncpg.Pool
) -> None:
    content = xlsx_file(
        [
            ["legal_name", "country_of_origin", "focus_areas", "status", "website"],
            ["Good NGO", "NL", "poverty", None, None],
            ["Bad Country", "Indonesia", None, None, None],
            ["Bad Codes", "DE", "poverty;no_such_area", "applicant", "not a url"],
            ["good ngo", "nl", None, None, None],
        ]
    )
    response = await post(registry_client, "organizations", content, xlsx=True)
    assert response.status_code == 422, response.text
    problems = {(e["line"], e["field"]) for e in response.json()["errors"]}
    assert problems == {
        (3, "file.country_of_origin"),
        (4, "file.focus_areas"),
        (4, "file.status"),
        (4, "file.website"),
        (5, "file.legal_name"),  # the same NGO as line 2
    }
    assert not await registry_pool.fetchval("SELECT count(*) FROM organizations")
    assert await outbox_count(registry_pool) == 0

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (["legal_name", "country_of_origin"], ["Shown NGO", "NL"], ["Filtered NGO", "DE"]):
        sheet.append(row)
    sheet.row_dimensions[3].hidden = True
    sheet.cell(row=2, column=300, value="stray")
    out = io.BytesIO()
    book.save(out)
    hidden = await post(registry_client, "organizations", out.getvalue(), xlsx=True)
    assert hidden.status_code == 422
    assert [(e["line"], e["field"]) for e in hidden.json()["errors"]] == [(2, "file"), (3, "file")]
    assert "hidden" in hidden.json()["errors"][1]["reason"]
    assert not await registry_pool.fetchval("SELECT count(*) FROM organizations")

    header = await post(registry_client, "organizations", csv_file("legal_name,colour", "X,red"))
    assert header.status_code == 422
    assert {(e["line"], e["field"]) for e in header.json()["errors"]} == {(1, "file"), (1, "file.country_of_origin")}


async def test_a_dry_run_reports_what_the_import_would_do_and_writes_nothing(
    registry_client: httpx.AsyncClient, registry_pool: asyncpg.Pool
) -> None:
    dry = await imported(registry_client, "organizations", NGOS, dry_run="true")
    assert dry == report("organizations", 2, added=2, dry_run=True)
    assert not await registry_pool.fetchval("SELECT count(*) FROM organizations")
    assert await outbox_count(registry_pool) == 0
    assert await imported(registry_client, "organizations", NGOS) == report("organizations", 2, added=2)


async def test_a_status_is_not_changed_by_an_import_nor_an_applicant_entered(
    registry_client: httpx.AsyncClient, registry_pool: asyncpg.Pool
) -> None:
    await imported(registry_client, "organizations", NGOS)
    closing = csv_file("legal_name,country_of_origin,status", "Plan International,GB,closed", "New One,FR,applicant")
    response = await post(registry_client, "organizations", closing)
    assert response.status_code == 422
    assert {(e["line"], e["field"]) for e in response.json()["errors"]} == {(2, "file.status"), (3, "file.status")}


async def test_permits_enter_history_without_an_expiry_storm_and_owe_one_reminder_of_their_window(
    registry_client: httpx.AsyncClient, registry_pool: asyncpg.Pool, registry_database: str
) -> None:
    await imported(registry_client, "organizations", NGOS)
    old, soon = TODAY - timedelta(days=4 * 365), TODAY - timedelta(days=700)
    content = csv_file(
        "organization_legal_name,organization_country,permit_type,number,issued_on,valid_until,principle_permit_number",
        f"Plan International,GB,operasional,IO-1,{soon + timedelta(days=10)},{TODAY + timedelta(days=20)},IP-2",
        f"Plan International,GB,prinsip,IP-1,{old},{old + timedelta(days=365)},",
        f"Plan International,GB,principle,IP-2,{soon},{TODAY + timedelta(days=60)},",
    )
    assert await imported(registry_client, "permits", content) == report("permits", 3, added=3)
    statuses = await registry_pool.fetch("SELECT number, status FROM permits ORDER BY number")
    assert [tuple(r) for r in statuses] == [("IO-1", "valid"), ("IP-1", "expired"), ("IP-2", "valid")]
    granted = await events(registry_pool, "registry.permit.granted")
    assert sorted((e["number"], e["imported"]) for e in granted) == [("IO-1", True), ("IP-1", True), ("IP-2", True)]
    [expired] = await events(registry_pool, "registry.permit.expired")
    assert (expired["number"], expired["imported"]) == ("IP-1", True)
    # Only the windows less urgent than the one a permit is in are marked sent: IO-1 (20 days ahead) is owed its
    # 30-day reminder, IP-2 (60 days ahead) its 90-day one.
    reminders = await registry_pool.fetch("SELECT p.number, r.days_before FROM permit_reminders r JOIN permits p "
                                          "ON p.id = r.permit_id")  # fmt: skip
    assert [tuple(r) for r in reminders] == [("IO-1", 90)]

    # The expiry scheduler finds nothing to expire, and sends each valid permit one reminder, once.
    pool = await create_pool(registry_database, min_size=1, max_size=2)
    try:
        uow, ctx = UnitOfWork(pool, "registry"), Context.for_system("registry.permit_expiry", datetime.now(UTC))
        assert await permits.expire_lapsed(uow, ctx, batch_size=100) == 0
        assert await permits.send_due_reminders(uow, ctx, lead_days=(90, 30), batch_size=100) == 2
        assert await permits.send_due_reminders(uow, ctx, lead_days=(90, 30), batch_size=100) == 0
    finally:
        await pool.close()
    expiring = await events(registry_pool, "registry.permit.expiring")
    assert sorted((e["number"], e["days_before"]) for e in expiring) == [("IO-1", 30), ("IP-2", 90)]

    before = await outbox_count(registry_pool)
    assert await imported(registry_client, "permits", content) == report("permits", 3, unchanged=3)
    assert await outbox_count(registry_pool) == before

    wrong = csv_file(
        "organization_legal_name,organization_country,permit_type,number,issued_on,valid_until",
        f"Nobody,GB,principle,IP-9,{TODAY},{TODAY + timedelta(days=30)}",
        f"Plan International,GB,principle,IP-2,{soon},{TODAY + timedelta(days=61)}",
        f"Plan International,GB,operating,IO-2,{TODAY},{TODAY + timedelta(days=30)}",
    )
    response = await post(registry_client, "permits", wrong)
    assert response.status_code == 422
    errors = {(e["line"], e["field"]): e["reason"] for e in response.json()["errors"]}
    assert "import the NGOs first" in errors[(2, "file.organization_legal_name")]
    assert "not rewritten" in errors[(3, "file.number")]
    assert (4, "file.principle_permit_number") in errors


async def test_foreign_staff_history_and_the_limits_across_the_file(
    registry_client: httpx.AsyncClient, registry_pool: asyncpg.Pool
) -> None:
    await imported(registry_client, "organizations", NGOS)
    header = "organization_legal_name,organization_country,full_name,nationality,role,starts_on,ends_on,passport_number"
    past_start, now_start = date(2019, 1, 1), TODAY - timedelta(days=30)
    later = TODAY + timedelta(days=300)
    rows = [f"Plan International,GB,Expert {n},NL,Adviser,{now_start},{later},PX{n}0001" for n in range(3)]
    content = csv_file(header, f"Plan International,GB,Old Hand,DE,Adviser,{past_start},2020-12-31,PX90001", *rows)
    assert await imported(registry_client, "staff", content) == report("staff", 4, added=4)
    assigned = await events(registry_pool, "registry.foreign_staff.assigned")
    assert [e["active_assignments"] for e in assigned] == [0, 1, 2, 3]
    assert all(e["imported"] for e in assigned)
    bodies = await registry_pool.fetch("SELECT body FROM outbox")
    assert not any(b"PX00001" in row["body"] for row in bodies)  # no passport number travels

    assert await imported(registry_client, "staff", content) == report("staff", 4, unchanged=4)
    fourth = csv_file(header, f"Plan International,GB,One Too Many,FR,Adviser,{TODAY},{later},PX40001")
    response = await post(registry_client, "staff", fourth)
    assert response.status_code == 422
    assert "at most 3 active foreign staff" in response.json()["errors"][0]["reason"]


async def test_partners_with_contacts_on_several_rows(
    registry_client: httpx.AsyncClient, registry_pool: asyncpg.Pool
) -> None:
    content = csv_file(
        "jenis,kode,nama,kode_induk,nama_kontak,email_kontak,bahasa_kontak",
        "provinsi,33,Jawa Tengah,,,,",
        "kota,33.74,Kota Semarang,33,Kesbangpol,kesbangpol@semarang.example,id",
        "kota,3374,Kota Semarang,33,Bappeda,bappeda@semarang.example,en",
    )
    assert await imported(registry_client, "partners", content) == report("partners", 3, added=2)
    contacts = await registry_pool.fetchval("SELECT contacts FROM partners WHERE code = '3374'")
    assert [c["email"] for c in contacts] == ["kesbangpol@semarang.example", "bappeda@semarang.example"]
    assert all(e["imported"] for e in await events(registry_pool, "registry.partner.registered"))
    assert await imported(registry_client, "partners", content) == report("partners", 3, unchanged=2)
    renamed = csv_file("kind,code,name", "province,33,Provinsi Jawa Tengah")
    assert await imported(registry_client, "partners", renamed) == report("partners", 1, updated=1)
    [update] = await events(registry_pool, "registry.partner.updated")
    assert (update["name"], update["imported"]) == ("Provinsi Jawa Tengah", True)


async def test_templates_media_types_size_and_who_may_import(registry_client: httpx.AsyncClient) -> None:
    csv_template = await registry_client.get("/imports/organizations/template", params={"format": "csv",
                                                                                         "language": "en"})  # fmt: skip
    assert csv_template.status_code == 200
    assert csv_template.headers["content-disposition"] == 'attachment; filename="mitra-import-organizations-en.csv"'
    assert csv_template.text.splitlines() == [
        "legal_name,acronym,country_of_origin,headquarters_address,indonesia_office_address,website,"
        "representative_name,contact_email,contact_phone,contact_language,focus_areas,status"
    ]
    xlsx = await registry_client.get("/imports/staff/template", params={"format": "xlsx", "language": "id"})
    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert workbook.sheetnames == ["tenaga_ahli_asing", "Petunjuk"]
    assert [c.value for c in workbook["tenaga_ahli_asing"][1]][:3] == ["nama_organisasi", "negara_organisasi",
                                                                       "nama_lengkap"]  # fmt: skip
    assert workbook["tenaga_ahli_asing"].max_row == 1  # the header only

    pdf = await registry_client.post(
        "/imports/organizations", content=b"%PDF", headers={"Content-Type": "application/pdf"}
    )
    assert pdf.status_code == 415
    big = await registry_client.post("/imports/organizations", content=b"x" * (5 * 1024 * 1024 + 1), headers=CSV)
    assert big.status_code == 413
    nope = await registry_client.post("/imports/msps", content=NGOS, headers=CSV)
    assert nope.status_code == 422
    ministry = await registry_client.post(
        "/imports/organizations",
        content=NGOS,
        headers={**CSV, **as_role("ministry", subject=f"m-{uuid.uuid4()}", ministry_code="KEMENSOS")},
    )
    assert ministry.status_code == 403
