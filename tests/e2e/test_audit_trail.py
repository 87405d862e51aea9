"""The audit trail end to end: registry, agreements and reporting as separate processes over HTTP and AMQP.

An NGO drafts and submits an MSP, TPOA approves it, its Mitra Utama ministry signs it; reporting's `GET /audit`
shows each step with its actor and the MSP's status before and after. Then someone tampers with a stored entry in
reporting's database, and `python -m mitra_reporting verify-audit` names that entry and exits non-zero.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from support import eventually
from support.database import ADMIN_DSN
from support.paths import REPO
from support.services import RunningSystem, running_services
from support.tokens import as_role

from mitra_shared.clock import add_months, jakarta_date, system_clock
from mitra_shared.db import database_name, with_database

pytestmark = pytest.mark.e2e
TPOA = as_role("tpoa", subject="tpoa-audit-e2e")
AUDITOR = as_role("auditor", subject="auditor-e2e")
STEPS = ("msp.drafted", "msp.submitted", "msp.approved", "msp.signed")


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    with running_services(
        ["registry", "agreements", "reporting"],
        log_dir=tmp_path_factory.mktemp("audit-logs"),
        namespace_prefix="e2e-audit",
    ) as running:
        yield running


async def post(
    client: httpx.AsyncClient, url: str, body: dict[str, Any], headers: dict[str, str], expected: int = 201
) -> dict[str, Any]:
    response = await client.post(url, json=body, headers=headers)
    assert response.status_code == expected, response.text
    return response.json()  # type: ignore[no-any-return]


async def registered_ngo(client: httpx.AsyncClient, registry: str, today: date) -> dict[str, Any]:
    """As TPOA in registry: the regions, an NGO with its principle permit, and its Mitra Utama ministry."""
    for body in (
        {"kind": "province", "code": "33", "name": "Jawa Tengah"},
        {"kind": "regency", "code": "3374", "name": "Kota Semarang", "parent_code": "33"},
    ):
        response = await client.post(f"{registry}/partners", json=body, headers=TPOA)
        assert response.status_code in (201, 409), response.text
    suffix = uuid.uuid4().hex[:6]
    ngo = await post(
        client,
        f"{registry}/organizations",
        {"legal_name": f"Save the Children {suffix}", "country_of_origin": "GB", "focus_areas": ["child_welfare"]},
        TPOA,
    )
    issued_on = today - timedelta(days=30)
    await post(
        client,
        f"{registry}/organizations/{ngo['id']}/permits",
        {
            "permit_type": "principle",
            "number": f"IP-{suffix}",
            "issued_on": issued_on.isoformat(),
            "valid_until": (add_months(issued_on, 36) - timedelta(days=1)).isoformat(),
        },
        TPOA,
    )
    ministry = await post(
        client, f"{registry}/partners", {"kind": "ministry", "code": f"KS{suffix.upper()}", "name": "Kemensos"}, TPOA
    )
    return {"ngo": ngo, "ministry": ministry}


async def signed_msp(client: httpx.AsyncClient, agreements: str, facts: dict[str, Any], today: date) -> str:
    """The NGO drafts (once agreements has learned of it) and submits, TPOA approves, the ministry signs."""
    ngo = as_role("ngo", subject="ngo-staff-e2e", organization_id=facts["ngo"]["id"])
    ministry = as_role("ministry", subject="kemensos-e2e", ministry_code=facts["ministry"]["code"])
    draft = {
        "organization_id": facts["ngo"]["id"],
        "ministry_partner_id": facts["ministry"]["id"],
        "title": "Perlindungan anak di Kota Semarang",
        "work_location_codes": ["3374"],
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=365)).isoformat(),
    }

    async def drafted() -> dict[str, Any] | None:
        response = await client.post(f"{agreements}/msps", json=draft, headers=ngo)
        if response.status_code == 422:
            return None  # agreements has not heard of the NGO, ministry or region yet
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    msp_id = str((await eventually(drafted, interval=0.2, description="the draft taken"))["id"])
    base = f"{agreements}/msps/{msp_id}"
    await post(client, f"{base}/submit", {}, ngo, expected=200)
    await post(client, f"{base}/approve", {"note": "TPOA review"}, TPOA, expected=200)

    async def signed() -> dict[str, Any] | None:
        response = await client.post(
            f"{base}/sign",
            json={
                "number": f"MSP/{uuid.uuid4().hex[:6]}",
                "signatories": [{"name": "Dra. Sri", "title": "Director General", "party": "ministry"}],
                "signed_document_ref": "dms://msp-audit-e2e.pdf",
            },
            headers=ministry,
        )
        if response.status_code == 409 and response.json()["errors"][0]["field"] == "msp.organization_id":
            return None  # the permit's event has not arrived yet
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    await eventually(signed, interval=0.2, description="the MSP signed")
    return msp_id


def verify_audit(database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MITRA_ENVIRONMENT": "test", "MITRA_DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "mitra_reporting", "verify-audit"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_an_msps_way_to_signature_is_in_the_trail_and_tampering_is_found(system: RunningSystem) -> None:
    today = jakarta_date(system_clock())
    reporting = system.services["reporting"]
    async with httpx.AsyncClient(timeout=10) as client:
        facts = await registered_ngo(client, system.url("registry"), today)
        msp_id = await signed_msp(client, system.url("agreements"), facts, today)

        async def all_steps() -> list[dict[str, Any]] | None:
            response = await client.get(
                f"{reporting.url}/audit", params={"object_id": msp_id, "order": "oldest"}, headers=AUDITOR
            )
            assert response.status_code == 200, response.text
            steps = [item for item in response.json()["items"] if item["action"] in STEPS]
            return steps if len(steps) == len(STEPS) else None

        steps = await eventually(all_steps, interval=0.3, description="the four steps in reporting's trail")

    assert [step["action"] for step in steps] == list(STEPS)
    who = [(step["actor"]["subject"], step["actor"]["role"]) for step in steps]
    assert who == [
        ("ngo-staff-e2e", "ngo"),
        ("ngo-staff-e2e", "ngo"),
        ("tpoa-audit-e2e", "tpoa"),
        ("kemensos-e2e", "ministry"),
    ]
    assert steps[0]["actor"]["scope"] == {"organization_id": facts["ngo"]["id"]}
    assert steps[3]["actor"]["scope"] == {"ministry_code": facts["ministry"]["code"]}
    statuses = [(None if s["before"] is None else s["before"]["status"], s["after"]["status"]) for s in steps]
    assert statuses == [(None, "draft"), ("draft", "submitted"), ("submitted", "approved"), ("approved", "active")]
    assert all(step["service"] == "agreements" and step["object_type"] == "msp" for step in steps)
    assert len({step["request_id"] for step in steps}) == len(STEPS)

    assert reporting.database_url is not None
    intact = verify_audit(reporting.database_url)
    assert intact.returncode == 0, intact.stderr
    assert intact.stdout.strip().endswith("entries, chain intact")

    # Reporting's own role may not rewrite an entry at all; someone with a superuser's powers rewrites the approval
    # in reporting's database, guard off and on again.
    approved_seq = steps[2]["seq"]
    runtime = await asyncpg.connect(reporting.database_url)
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await runtime.execute("UPDATE audit_log SET after = '{}' WHERE seq = $1", approved_seq)
    finally:
        await runtime.close()
    conn = await asyncpg.connect(with_database(ADMIN_DSN, database_name(reporting.database_url)))
    try:
        async with conn.transaction():
            await conn.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
            await conn.execute(
                """UPDATE audit_log SET after = jsonb_set(after, '{status}', '"rejected"') WHERE seq = $1""",
                approved_seq,
            )
            await conn.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
    finally:
        await conn.close()

    broken = verify_audit(reporting.database_url)
    assert broken.returncode != 0, broken.stdout
    assert f"seq {approved_seq} " in broken.stderr, broken.stderr
    assert f"msp.approved on msp {msp_id}" in broken.stderr, broken.stderr
