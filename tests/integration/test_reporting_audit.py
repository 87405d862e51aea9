"""Reporting's audit trail: every service's entries chained into an append-only log, read back by TPOA and auditors
(JSON or CSV), and verified by `python -m mitra_reporting verify-audit`, which finds a tampered entry.

Entries arrive as the consumer hands them over (`audit.<service>.recorded`, through the same handlers); reporting's
own stories record theirs in the same transaction as the change.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from support.app import api_client
from support.clock import FakeClock
from support.database import migrated_pool
from support.paths import REPO
from support.tokens import as_role

from mitra_reporting.bootstrap import build_spec
from mitra_reporting.consumers.audit_entries import HANDLERS
from mitra_reporting.settings import ReportingSettings
from mitra_reporting.usecases.audit import verify_chain
from mitra_reporting.usecases.rebuild import rebuild
from mitra_shared import db
from mitra_shared.context import Context
from mitra_shared.contracts.audit import AuditActor, audit_kind_of
from mitra_shared.documents import DOCUMENTS_MIGRATIONS
from mitra_shared.errors import RuleBroken
from mitra_shared.events import ReceivedEvent, decode, encode, new_event
from mitra_shared.uow import UnitOfWork

pytestmark = pytest.mark.integration
START = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)
MSP = str(uuid.uuid4())
AUDITOR = as_role("auditor", subject="auditor-1")
TPOA = as_role("tpoa", subject="tpoa-1")


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(
        database, [DOCUMENTS_MIGRATIONS, db.MigrationSource("reporting", "mitra_reporting")]
    ) as ready:
        yield ready


@pytest.fixture
async def client(pool: asyncpg.Pool, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    spec = build_spec(ReportingSettings(environment="test", documents_dir=tmp_path))
    async with api_client(spec, pool, clock=FakeClock(START.date()), headers={}) as app_client:
        yield app_client


def entry(
    service: str,
    action: str,
    object_id: str,
    *,
    at: datetime,
    subject: str = "ngo-staff-1",
    role: str = "ngo",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    claimed_service: str | None = None,
) -> ReceivedEvent:
    """An entry as it arrives on the wire from `service`."""
    data = audit_kind_of(service)(
        entry_id=uuid.uuid4(),
        at=at,
        actor=AuditActor(subject=subject, name=f"Name of {subject}", role=role, scope={"organization_id": "x"}),
        action=action,
        object_type=action.split(".")[0],
        object_id=object_id,
        before=before,
        after=after,
        request_id=f"req-{uuid.uuid4().hex[:8]}",
        service=claimed_service or service,
    )
    return decode(encode(new_event(data, subject=object_id, time=at)))


async def deliver(pool: asyncpg.Pool, event: ReceivedEvent) -> None:
    """As the consumer applies it: the handler of its type, in a transaction of the consumer's context."""
    handler = next(h for kind, h in HANDLERS.items() if kind.type == event.type)
    async with UnitOfWork(pool, service="reporting").change(Context.for_system("reporting.consumer", START)) as tx:
        await handler.apply(tx, event, handler.model.model_validate(event.data))


def msp_history() -> list[ReceivedEvent]:
    """An MSP's way from draft to signature as agreements records it, and a registry change in between."""
    steps = [
        ("msp.drafted", None, "draft", "ngo-staff-1", "ngo"),
        ("msp.submitted", "draft", "submitted", "ngo-staff-1", "ngo"),
        ("msp.approved", "submitted", "approved", "tpoa-1", "tpoa"),
        ("msp.signed", "approved", "signed", "kemensos-1", "ministry"),
    ]
    events = []
    for number, (action, before, after, subject, role) in enumerate(steps):
        events.append(
            entry(
                "agreements",
                action,
                MSP,
                at=START + timedelta(hours=number),
                subject=subject,
                role=role,
                before=None if before is None else {"status": before, "amount": 1.5e20},
                after={"status": after, "title": "=HYPERLINK(1)", "amount": 1.5e20},
            )
        )
    events.insert(2, entry("registry", "organization.updated", str(uuid.uuid4()), at=START, subject="tpoa-1"))
    return events


async def test_entries_are_chained_in_arrival_order_and_a_duplicate_adds_nothing(pool: asyncpg.Pool) -> None:
    history = msp_history()
    for event in history:
        await deliver(pool, event)
    await deliver(pool, history[0])  # redelivered: nothing more

    rows = await pool.fetch("SELECT * FROM audit_log ORDER BY seq")
    assert [row["seq"] for row in rows] == [1, 2, 3, 4, 5]
    assert [row["event_id"] for row in rows] == [event.id for event in history]
    assert rows[0]["previous_hash"] == "0" * 64
    assert all(rows[n]["previous_hash"] == rows[n - 1]["hash"] for n in range(1, 5))
    assert (rows[4]["before"]["status"], rows[4]["after"]["status"]) == ("approved", "signed")
    verdict = await verify_chain(UnitOfWork(pool))
    assert (verdict.intact, str(verdict)) == (True, "5 entries, chain intact")


async def test_an_entry_must_come_from_the_service_it_names(pool: asyncpg.Pool) -> None:
    forged = entry("notifications", "msp.signed", MSP, at=START, claimed_service="agreements")
    with pytest.raises(RuleBroken):
        await deliver(pool, forged)
    assert await pool.fetchval("SELECT count(*) FROM audit_log") == 0


async def test_the_log_refuses_update_delete_and_truncate_and_a_rebuild_keeps_it(pool: asyncpg.Pool) -> None:
    for event in msp_history():
        await deliver(pool, event)
    for statement in (
        "UPDATE audit_log SET after = '{}' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 5",
        "TRUNCATE audit_log",
    ):
        with pytest.raises(asyncpg.PostgresError, match="append-only"):
            await pool.execute(statement)
    await rebuild(UnitOfWork(pool), Context.for_system("reporting.rebuild", START))
    assert await pool.fetchval("SELECT count(*) FROM audit_log") == 5


def verify_command(dsn: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MITRA_ENVIRONMENT": "test", "MITRA_DATABASE_URL": dsn}
    return subprocess.run(
        [sys.executable, "-m", "mitra_reporting", "verify-audit"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_tampering_with_a_stored_entry_is_found_by_the_verify_command(pool: asyncpg.Pool, database: str) -> None:
    history = msp_history()
    for event in history:
        await deliver(pool, event)
    intact = verify_command(database)
    assert (intact.returncode, intact.stdout.strip()) == (0, "5 entries, chain intact"), intact.stderr

    # Someone with the powers of a superuser turns the guard off, rewrites who approved, and turns it on again.
    await pool.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
    await pool.execute("""UPDATE audit_log SET after = jsonb_set(after, '{status}', '"rejected"') WHERE seq = 4""")
    await pool.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")

    verdict = await verify_chain(UnitOfWork(pool))
    assert (verdict.intact, verdict.broken_seq, verdict.entries) == (False, 4, 3)
    broken = verify_command(database)
    assert broken.returncode == 1, broken.stdout
    assert f"seq 4 (entry {history[3].data['entry_id']}, msp.approved on msp {MSP}" in broken.stderr, broken.stderr
    assert "do not match its hash" in broken.stderr


async def test_a_removed_entry_breaks_the_chain_at_the_next(pool: asyncpg.Pool) -> None:
    for event in msp_history():
        await deliver(pool, event)
    await pool.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
    await pool.execute("DELETE FROM audit_log WHERE seq = 2")
    await pool.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
    verdict = await verify_chain(UnitOfWork(pool))
    assert (verdict.intact, verdict.broken_seq) == (False, 3)


async def test_the_trail_by_object_actor_and_time_newest_first_and_paged(
    pool: asyncpg.Pool, client: httpx.AsyncClient
) -> None:
    for event in msp_history():
        await deliver(pool, event)
    of_msp = await client.get("/audit", params={"object_id": MSP}, headers=AUDITOR)
    assert of_msp.status_code == 200, of_msp.text
    page = of_msp.json()
    assert (page["total"], page["order"]) == (4, "newest")
    assert [item["action"] for item in page["items"]] == ["msp.signed", "msp.approved", "msp.submitted", "msp.drafted"]
    signed = page["items"][0]
    assert signed["actor"] == {
        "subject": "kemensos-1",
        "name": "Name of kemensos-1",
        "role": "ministry",
        "scope": {"organization_id": "x"},
    }
    assert (signed["before"]["status"], signed["after"]["status"]) == ("approved", "signed")
    assert set(signed) == {
        "seq", "at", "actor", "action", "object_type", "object_id", "before", "after", "request_id", "service"
    }  # fmt: skip
    assert (signed["service"], signed["object_type"], signed["seq"]) == ("agreements", "msp", 5)

    oldest = await client.get("/audit", params={"order": "oldest", "limit": 2, "offset": 1}, headers=TPOA)
    assert [item["seq"] for item in oldest.json()["items"]] == [2, 3]
    assert oldest.json()["total"] == 5

    by_actor = await client.get("/audit", params={"actor": "tpoa-1"}, headers=AUDITOR)
    assert {item["action"] for item in by_actor.json()["items"]} == {"msp.approved", "organization.updated"}

    window = {"from": (START + timedelta(hours=1)).isoformat(), "to": (START + timedelta(hours=3)).isoformat()}
    in_time = await client.get("/audit", params=window, headers=AUDITOR)
    assert [item["action"] for item in in_time.json()["items"]] == ["msp.approved", "msp.submitted"]

    too_far = await client.get("/audit", params={"offset": 10**12}, headers=AUDITOR)
    assert too_far.status_code == 422
    before_utc_began = await client.get("/audit", params={"from": "0001-01-01T00:00:00+01:00"}, headers=AUDITOR)
    assert (before_utc_began.status_code, before_utc_began.json()["errors"][0]["field"]) == (422, "query.from")
    no_zone = await client.get("/audit", params={"to": START.replace(tzinfo=None).isoformat()}, headers=AUDITOR)
    assert [item["action"] for item in no_zone.json()["items"]] == []  # taken as UTC: nothing before the first


async def test_the_trail_as_csv_keeps_formulas_as_text(pool: asyncpg.Pool, client: httpx.AsyncClient) -> None:
    await deliver(pool, entry("agreements", "msp.drafted", MSP, at=START, subject="=cmd|' /C calc'!A0"))
    for response in (
        await client.get("/audit", headers={**AUDITOR, "Accept": "text/csv"}),
        await client.get("/audit", params={"format": "csv"}, headers=AUDITOR),
    ):
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert len(rows) == 1
        assert rows[0]["Pelaku / Actor"] == "'=cmd|' /C calc'!A0"
        assert rows[0]["Tindakan / Action"] == "msp.drafted"


async def test_only_tpoa_and_auditors_read_the_trail(client: httpx.AsyncClient) -> None:
    scopes: dict[str, dict[str, object]] = {
        "ministry": {"ministry_code": "KEMENSOS"},
        "region": {"region_code": "33"},
        "ngo": {"organization_id": uuid.uuid4()},
    }
    for role in ("ministry", "region", "ngo", "admin", "integration"):
        refused = await client.get("/audit", headers=as_role(role, **scopes.get(role, {})))
        assert refused.status_code == 403, role
    for allowed in (TPOA, AUDITOR):
        assert (await client.get("/audit", headers=allowed)).status_code == 200


async def test_a_storys_changes_record_their_entries_with_the_change(
    pool: asyncpg.Pool, client: httpx.AsyncClient
) -> None:
    story = {"title": "Kisah Semarang", "body": "Bersama warga.", "region_code": "3374", "story_date": "2027-02-01"}
    drafted = await client.post("/stories", json=story, headers=as_role("region", subject="r-1", region_code="33"))
    assert drafted.status_code == 201, drafted.text
    url = f"/stories/{drafted.json()['id']}"
    revised = await client.put(url, json={**story, "title": "Kisah Kota Semarang"}, headers={**TPOA, "If-Match": '"1"'})
    assert revised.status_code == 200, revised.text
    published = await client.post(f"{url}/publish", headers={**TPOA, "If-Match": '"2"'})
    assert published.status_code == 200, published.text

    bodies = await pool.fetch("SELECT body FROM outbox WHERE routing_key LIKE 'audit.%' ORDER BY seq")
    entries = [decode(bytes(row["body"])).data for row in bodies]
    assert [(e["action"], e["actor"]["subject"]) for e in entries] == [
        ("story.drafted", "r-1"),
        ("story.revised", "tpoa-1"),
        ("story.published", "tpoa-1"),
    ]
    assert (entries[0].get("before"), entries[0]["after"]["status"]) == (None, "draft")  # null is left out
    assert (entries[1]["before"]["title"], entries[1]["after"]["title"]) == ("Kisah Semarang", "Kisah Kota Semarang")
    assert (entries[2]["before"]["status"], entries[2]["after"]["status"]) == ("draft", "published")
    assert all(e["object_type"] == "story" and e["object_id"] == drafted.json()["id"] for e in entries)
