"""The command mix beyond registration: the Mitra Utama signs an MSP, the NGO announces a foreign visit, the NGO
submits a semester or annual report (with its funding). Their weights beside registration's are in `WEIGHTS`.

What they need is prepared before any load, and not measured, as the tests prepare it (tests/support/work_loop.py):
through the APIs, TPOA enters the regions (Jawa Tengah, Kota Semarang) and a ministry with a contact each in the
register, and an NGO with a principle permit valid two more years; once agreements has learned them from registry's
events, the NGO drafts and submits an MSP and the ministry signs a copy of it. Then, straight in agreements'
database (bench/queries.sql), that submitted MSP is copied as approved MSPs (what "sign" consumes, one each) and the
signed one as signed MSPs with their pending reports (what "submit a report" consumes, one each); visits are
announced on the signed MSPs in turn. A scenario whose stock runs out gives its turn to registration.

Every command carries the token its mail shows: the MSP's number in the subject of "MSP ... signed", the visit's
purpose and the report's summary in the text of theirs (bench/observers.py `TOKEN_PATTERN`).
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import os
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import asyncpg

from bench.http_client import HttpClient, Response
from bench.load import REGISTER_NGO, Scenario, id_of
from bench.queries import QUERIES
from mitra_shared.auth import issue_token
from mitra_shared.clock import add_months, jakarta_date, system_clock
from mitra_shared.contracts.agreements.msps import MspSigned
from mitra_shared.contracts.agreements.obligations import ReportSubmitted
from mitra_shared.contracts.agreements.visits import VisitAnnounced
from mitra_shared.settings import DEVELOPMENT_JWT_SECRET

WEIGHTS = {"register NGO": 6, "sign MSP": 1, "announce visit": 2, "submit report": 2}
REGIONS = (
    {"kind": "province", "code": "33", "name": "Jawa Tengah"},
    {"kind": "regency", "code": "3374", "name": "Kota Semarang", "parent_code": "33"},
)
SIGNATORIES = [{"name": "Dra. Sri", "title": "Director General", "party": "ministry"}]
FUNDING = [{"source": "Plan International UK", "amount": 250000000, "currency": "IDR", "use": "Child protection"}]
KNOWN_TIMEOUT = 60.0


def token(role: str, subject: str, **scope: str) -> str:
    return issue_token(
        secret=os.environ.get("MITRA_JWT_SECRET") or DEVELOPMENT_JWT_SECRET,
        subject=subject,
        issuer=os.environ.get("MITRA_JWT_ISSUER", "mitra-local"),
        audience=os.environ.get("MITRA_JWT_AUDIENCE", "mitra"),
        roles=[role],
        scope=scope or None,
        lifetime_seconds=3 * 3600,
    )


def bearer(role: str, subject: str, **scope: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(role, subject, **scope)}"}


@dataclass
class World:
    """What the mix's commands use up: MSPs to sign, signed MSPs to announce visits on, reports to submit."""

    organization_id: str
    ministry_code: str
    approved: collections.deque[str]
    signed: list[str]
    reports: collections.deque[str]


def _today() -> date:
    return jakarta_date(system_clock())


async def _expect(response: Response, what: str, *statuses: int) -> Any:
    if response.status not in statuses:
        raise RuntimeError(f"preparing the command mix: {what}: {response.status} {response.body[:500]!r}")
    return response.json()


async def _until(what: str, attempt: Any) -> Any:
    """Repeat `attempt` (None: not yet) until it answers, as agreements learns registry's facts by events."""
    deadline = time.monotonic() + KNOWN_TIMEOUT
    while time.monotonic() < deadline:
        if (answer := await attempt()) is not None:
            return answer
        await asyncio.sleep(0.2)
    raise RuntimeError(f"preparing the command mix: {what} within {KNOWN_TIMEOUT:.0f}s")


async def prepare(registry_url: str, agreements_url: str, agreements_dsn: str, *, approved: int, signed: int) -> World:
    tag = uuid.uuid4().hex[:6]
    ministry_code = f"KSB{tag.upper()}"
    tpoa = HttpClient(registry_url, headers=bearer("tpoa", "bench-tpoa"))
    try:
        for region in REGIONS:
            contact = {
                "name": f"Kesbangpol {region['name']}",
                "email": f"kesbangpol-{region['code']}@bench.example",
                "language": "id",
            }
            await _expect(await tpoa.post("/partners", {**region, "contacts": [contact]}), "a region", 201)
        contact = {"name": "Biro Kerja Sama", "email": f"kerjasama-{tag}@bench.example", "language": "id"}
        ministry = {"kind": "ministry", "code": ministry_code, "name": "Kementerian Sosial", "contacts": [contact]}
        ministry_id = (await _expect(await tpoa.post("/partners", ministry), "the ministry", 201))["id"]
        ngo = {
            "legal_name": f"Bench Partner NGO {tag}",
            "country_of_origin": "GB",
            "focus_areas": ["child_welfare"],
            "contact_email": f"kantor-{tag}@bench.example",
            "contact_language": "id",
        }
        organization_id = (await _expect(await tpoa.post("/organizations", ngo), "the NGO", 201))["id"]
        issued_on = _today() - timedelta(days=300)
        permit = {
            "permit_type": "principle",
            "number": f"IP-{tag}",
            "issued_on": issued_on.isoformat(),
            "valid_until": (add_months(issued_on, 36) - timedelta(days=1)).isoformat(),
        }
        await _expect(await tpoa.post(f"/organizations/{organization_id}/permits", permit), "the permit", 201)
    finally:
        await tpoa.close()

    ngo_client = HttpClient(agreements_url, headers=ngo_headers(organization_id))
    ministry_client = HttpClient(agreements_url, headers=ministry_headers(ministry_code))
    try:
        draft = {
            "organization_id": organization_id,
            "ministry_partner_id": ministry_id,
            "title": f"Perlindungan anak {tag}",
            "focus_areas": ["child_welfare"],
            "work_location_codes": ["3374"],
            "starts_on": (_today() - timedelta(days=30)).isoformat(),
            "ends_on": (_today() + timedelta(days=700)).isoformat(),
        }

        async def drafted() -> Any:
            response = await ngo_client.post("/msps", draft)
            return None if response.status == 422 else await _expect(response, "the draft", 201)

        msp_id = (await _until("agreements taking the draft", drafted))["id"]
        await _expect(await ngo_client.post(f"/msps/{msp_id}/submit", {}), "the submission", 200)
        conn = await asyncpg.connect(agreements_dsn)
        try:
            copies = [str(row["id"]) for row in await conn.fetch(QUERIES.clone_msp_as_approved, msp_id, approved + 1)]
            template = copies.pop()

            async def signed_template() -> Any:
                body = {"number": f"MSP/BENCH/{tag}", "signatories": SIGNATORIES}
                response = await ministry_client.post(f"/msps/{template}/sign", body)
                return None if response.status == 409 else await _expect(response, "the signing", 200)

            await _until("agreements knowing the principle permit", signed_template)
            quiet_until = _today() + timedelta(days=30)
            signed_ids = [
                row["id"] for row in await conn.fetch(QUERIES.clone_signed_msp, template, signed, quiet_until)
            ]
            reports = await conn.fetch(QUERIES.clone_report_obligations, template, signed_ids, quiet_until)
        finally:
            await conn.close()
    finally:
        await ngo_client.close()
        await ministry_client.close()
    return World(
        organization_id,
        ministry_code,
        collections.deque(copies),
        [template, *(str(msp) for msp in signed_ids)],
        collections.deque(str(row["id"]) for row in reports),
    )


def ngo_headers(organization_id: str) -> dict[str, str]:
    return bearer("ngo", f"bench-ngo-{organization_id}", organization_id=organization_id)


def ministry_headers(code: str) -> dict[str, str]:
    return bearer("ministry", f"bench-ministry-{code}", ministry_code=code)


def clients(agreements_url: str, world: World) -> dict[str, HttpClient]:
    """The callers of the mix's commands on agreements, by `Scenario.client`."""
    return {
        "agreements ngo": HttpClient(agreements_url, headers=ngo_headers(world.organization_id)),
        "agreements ministry": HttpClient(agreements_url, headers=ministry_headers(world.ministry_code)),
    }


def scenarios(world: World) -> Sequence[Scenario]:
    """Registration first (it needs nothing), then the commands that use the world up."""
    msps = itertools.cycle(world.signed)

    def sign(command_token: str) -> tuple[str, dict[str, Any]] | None:
        if not world.approved:
            return None
        body = {"number": f"MSP/BENCH/{command_token}", "signatories": SIGNATORIES}
        return f"/msps/{world.approved.popleft()}/sign", body

    def visit(command_token: str) -> tuple[str, dict[str, Any]] | None:
        arrives_on = _today() + timedelta(days=21)
        return "/visits", {
            "msp_id": next(msps),
            "visitors": [{"name": "Jane Doe", "nationality": "GB", "role": "Director"}],
            "purpose": f"Bench visit {command_token}: monitoring of the child protection programme",
            "arrives_on": arrives_on.isoformat(),
            "departs_on": (arrives_on + timedelta(days=3)).isoformat(),
            "region_codes": ["3374"],
        }

    def report(command_token: str) -> tuple[str, dict[str, Any]] | None:
        if not world.reports:
            return None
        summary = f"Bench report {command_token}: 12 trainings in Semarang"
        return f"/obligations/{world.reports.popleft()}/submissions", {"summary": summary, "funding": FUNDING}

    def weighted(scenario: Scenario) -> Scenario:
        return Scenario(**{**scenario.__dict__, "weight": WEIGHTS[scenario.name]})

    return (
        weighted(REGISTER_NGO),
        Scenario(
            name="sign MSP",
            service="agreements",
            endpoint="POST /msps/{id}/sign",
            event_routing_key=MspSigned.kind.routing_key,
            event_type=MspSigned.kind.type,
            make=sign,
            key_of=id_of,
            weight=WEIGHTS["sign MSP"],
            client="agreements ministry",
        ),
        Scenario(
            name="announce visit",
            service="agreements",
            endpoint="POST /visits",
            event_routing_key=VisitAnnounced.kind.routing_key,
            event_type=VisitAnnounced.kind.type,
            make=visit,
            key_of=id_of,
            weight=WEIGHTS["announce visit"],
            client="agreements ngo",
        ),
        Scenario(
            name="submit report",
            service="agreements",
            endpoint="POST /obligations/{id}/submissions",
            event_routing_key=ReportSubmitted.kind.routing_key,
            event_type=ReportSubmitted.kind.type,
            make=report,
            key_of=lambda response: id_of(response, "obligation_id"),
            weight=WEIGHTS["submit report"],
            client="agreements ngo",
        ),
    )
