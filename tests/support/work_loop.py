"""What issue 14's end-to-end tests share (tests/e2e/test_work_loop.py, test_sanctions_flow.py, test_tpoa_review.py):
registry, agreements and notifications as processes with the SMTP server in the test process, and the steps that
bring an NGO from the register to a signed MSP.

    with issue14_system(log_dir, "e2e-loop") as system:        # registry, agreements, notifications; no TPOA members
        parties = Parties(system)                                # the services' URLs
        regions = await register_regions(client, parties, tag)  # 33, 3374, 34, 3471, a Kesbangpol contact each
        ministry = await register_ministry(client, parties, "KS" + tag.upper(), "Kementerian Sosial")
        ngo, permit = await register_ngo(client, parties, f"Plan {tag}", contact_email=..., contact_language="id")
        msp = await signed_msp(client, parties, ngo, ministry, ["3374"])

Every name and address carries a random tag, so that tests sharing a system do not see each other's records.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx

from mitra_shared.clock import add_months, jakarta_date, system_clock
from support.polling import eventually
from support.services import RunningSystem, running_services
from support.tokens import as_role

TPOA = as_role("tpoa", subject="tpoa-e2e")
ADMIN = as_role("admin", subject="admin-e2e")
REGIONS = (
    {"kind": "province", "code": "33", "name": "Jawa Tengah"},
    {"kind": "regency", "code": "3374", "name": "Kota Semarang", "parent_code": "33"},
    {"kind": "province", "code": "34", "name": "DI Yogyakarta"},
    {"kind": "regency", "code": "3471", "name": "Kota Yogyakarta", "parent_code": "34"},
)
Json = dict[str, Any]


def new_tag() -> str:
    return uuid.uuid4().hex[:6]


def today() -> date:
    return jakarta_date(system_clock())


@contextmanager
def issue14_system(log_dir: Path, prefix: str, *, members: str = "") -> Iterator[RunningSystem]:
    """Registry, agreements and notifications, both registry and agreements with `members` as TPOA's member
    ministries (none by default: TPOA decides alone)."""
    settings = {"MITRA_TPOA_MEMBERS": members}
    with running_services(
        ["registry", "agreements", "notifications"],
        log_dir=log_dir,
        namespace_prefix=prefix,
        smtp=True,
        extra_env={"registry": settings, "agreements": settings},
    ) as system:
        yield system


async def call(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: Json | None = None,
    expected: int = 200,
) -> Any:
    """One request, its status asserted (with the answer's text when it differs), its JSON returned."""
    response = await client.request(method, url, json=body, headers=dict(headers))
    assert response.status_code == expected, f"{method} {url} -> {response.status_code}: {response.text}"
    return response.json() if response.content else None


async def post(
    client: httpx.AsyncClient, url: str, body: Json, headers: Mapping[str, str] = TPOA, expected: int = 201
) -> Any:
    return await call(client, "POST", url, headers, body, expected)


async def get(client: httpx.AsyncClient, url: str, headers: Mapping[str, str] = TPOA, expected: int = 200) -> Any:
    return await call(client, "GET", url, headers, None, expected)


def problem_field(response: httpx.Response) -> str | None:
    """The field a problem answer names (its first error's), if any."""
    errors = response.json().get("errors") or []
    return errors[0].get("field") if errors else None


def text_of(message: EmailMessage) -> str:
    """A message's subject and plain-text body, for matching."""
    body = message.get_body(("plain",))
    content = body.get_content() if body is not None else ""
    return f"{message['Subject']}\n{content}"


async def mail_to(
    system: RunningSystem,
    address: str,
    matching: Callable[[EmailMessage], bool] = lambda _: True,
    *,
    description: str,
    timeout: float = 30.0,
) -> list[EmailMessage]:
    """The messages for `address` that match, waited for (at least one)."""

    async def arrived() -> list[EmailMessage]:
        return [message for message in system.mailbox.to(address) if matching(message)]

    return await eventually(arrived, timeout=timeout, interval=0.2, description=description)


def mentions(*words: str) -> Callable[[EmailMessage], bool]:
    """Matches a message whose subject or body mentions one of `words` (without regard to case)."""
    return lambda message: any(word.lower() in text_of(message).lower() for word in words)


@dataclass
class Parties:
    """The running services' URLs and the people who act, by role."""

    system: RunningSystem

    @property
    def registry(self) -> str:
        return self.system.url("registry")

    @property
    def agreements(self) -> str:
        return self.system.url("agreements")

    @property
    def notifications(self) -> str:
        return self.system.url("notifications")


def ngo_staff(ngo: Json, subject: str | None = None) -> dict[str, str]:
    return as_role("ngo", subject=subject or f"ngo-{ngo['id']}", organization_id=ngo["id"])


def ministry_officer(code: str, subject: str | None = None) -> dict[str, str]:
    return as_role("ministry", subject=subject or f"ministry-{code}", ministry_code=code)


def region_officer(code: str) -> dict[str, str]:
    return as_role("region", subject=f"region-{code}-{new_tag()}", region_code=code)


def region_mail(code: str, tag: str) -> str:
    return f"kesbangpol-{code}-{tag}@pemda.example"


async def register_regions(client: httpx.AsyncClient, parties: Parties, tag: str) -> dict[str, str]:
    """The provinces and cities of the tests, each with a Kesbangpol contact; their addresses by code. A region
    already registered (by another test of the system) keeps its first contact: register once per system."""
    addresses = {}
    for region in REGIONS:
        address = region_mail(region["code"], tag)
        contact = {"name": f"Kesbangpol {region['name']}", "email": address, "language": "id"}
        response = await client.post(
            f"{parties.registry}/partners", json={**region, "contacts": [contact]}, headers=TPOA
        )
        assert response.status_code == 201, response.text
        addresses[region["code"]] = address
    return addresses


async def register_ministry(client: httpx.AsyncClient, parties: Parties, code: str, name: str) -> Json:
    """A ministry among registry's partners, with a contact `kerjasama-<code>@<code>.example` (lowercase)."""
    contact = {"name": "Biro Kerja Sama", "email": ministry_mail(code), "language": "id"}
    body = {"kind": "ministry", "code": code, "name": name, "contacts": [contact]}
    return await post(client, f"{parties.registry}/partners", body)


def ministry_mail(code: str) -> str:
    return f"kerjasama-{code.lower()}@{code.lower()}.example"


async def register_ngo(
    client: httpx.AsyncClient,
    parties: Parties,
    name: str,
    *,
    contact_email: str | None = None,
    contact_language: str = "en",
    permit: bool = True,
) -> tuple[Json, Json | None]:
    """An NGO entered in the register (as applicant) with its own contact, and a principle permit valid for two
    more years (unless `permit=False`)."""
    body: Json = {"legal_name": name, "country_of_origin": "GB", "focus_areas": ["child_welfare"]}
    if contact_email is not None:
        body |= {"contact_email": contact_email, "contact_language": contact_language}
    ngo = await post(client, f"{parties.registry}/organizations", body)
    if not permit:
        return ngo, None
    issued_on = today() - timedelta(days=300)
    granted = await post(
        client,
        f"{parties.registry}/organizations/{ngo['id']}/permits",
        {
            "permit_type": "principle",
            "number": f"IP-{new_tag()}",
            "issued_on": issued_on.isoformat(),
            "valid_until": (add_months(issued_on, 36) - timedelta(days=1)).isoformat(),
        },
    )
    return ngo, granted


async def change_status(
    client: httpx.AsyncClient, parties: Parties, ngo_id: str, status: str, expected: int = 200
) -> Any:
    """TPOA moves the NGO in its lifecycle (with the record's current version as `If-Match`)."""
    url = f"{parties.registry}/organizations/{ngo_id}"
    current = await client.get(url, headers=TPOA)
    assert current.status_code == 200, current.text
    headers = {**TPOA, "If-Match": current.headers["ETag"]}
    body = {"status": status, "reason": f"TPOA decided: {status}"}
    return await call(client, "POST", f"{url}/status", headers, body, expected)


def msp_draft(ngo: Json, ministry: Json, locations: list[str], *, started_days_ago: int = 30) -> Json:
    """An MSP that started a month ago and runs two more years in `locations`."""
    return {
        "organization_id": ngo["id"],
        "ministry_partner_id": ministry["id"],
        "title": f"Perlindungan anak {new_tag()}",
        "focus_areas": ["child_welfare"],
        "work_location_codes": locations,
        "starts_on": (today() - timedelta(days=started_days_ago)).isoformat(),
        "ends_on": (today() + timedelta(days=700)).isoformat(),
    }


async def draft_when_known(client: httpx.AsyncClient, parties: Parties, body: Json, staff: Mapping[str, str]) -> Json:
    """The NGO drafts once agreements has learnt of the NGO, the ministry and the regions from registry's events
    (422 until then)."""

    async def drafted() -> Json | None:
        response = await client.post(f"{parties.agreements}/msps", json=body, headers=dict(staff))
        if response.status_code == 422:
            return None
        assert response.status_code == 201, response.text
        return response.json()

    return await eventually(drafted, timeout=30, interval=0.2, description="agreements taking the draft")


async def sign_when_known(client: httpx.AsyncClient, parties: Parties, msp_id: str, officer: Mapping[str, str]) -> Json:
    """The Mitra Utama signs an approved MSP once agreements has the NGO's principle permit (409 until then)."""
    signing = {
        "number": f"MSP/{new_tag()}",
        "signatories": [{"name": "Dra. Sri", "title": "Director General", "party": "ministry"}],
    }

    async def signed() -> Json | None:
        response = await client.post(f"{parties.agreements}/msps/{msp_id}/sign", json=signing, headers=dict(officer))
        if response.status_code == 409 and problem_field(response) == "msp.organization_id":
            return None
        assert response.status_code == 200, response.text
        return response.json()

    return await eventually(signed, timeout=30, interval=0.2, description="the MSP signed")


async def signed_msp(
    client: httpx.AsyncClient, parties: Parties, ngo: Json, ministry: Json, locations: list[str]
) -> Json:
    """An MSP drafted and submitted by the NGO, approved by TPOA (alone: no member review) and signed."""
    staff = ngo_staff(ngo)
    msp = await draft_when_known(client, parties, msp_draft(ngo, ministry, locations), staff)
    base = f"{parties.agreements}/msps/{msp['id']}"
    await post(client, f"{base}/submit", {}, staff, expected=200)
    await post(client, f"{base}/approve", {"note": "TPOA review"}, expected=200)
    return await sign_when_known(client, parties, msp["id"], ministry_officer(ministry["code"]))


async def obligations_of(
    client: httpx.AsyncClient, parties: Parties, msp_id: str, headers: Mapping[str, str]
) -> list[Json]:
    return await get(client, f"{parties.agreements}/msps/{msp_id}/obligations", headers)


def first(obligations: list[Json], kind: str, region_code: str | None = None) -> Json:
    """The soonest pending obligation of that kind (and region)."""
    found = [
        o
        for o in obligations
        if o["kind"] == kind and o["status"] == "pending" and (region_code is None or o["region_code"] == region_code)
    ]
    assert found, f"no pending {kind} {region_code or ''} among {obligations}"
    return min(found, key=lambda o: o["due_on"])


def visit_body(msp_id: str, region_codes: list[str]) -> Json:
    arrives_on = today() + timedelta(days=21)
    return {
        "msp_id": msp_id,
        "visitors": [{"name": "Jane Doe", "nationality": "GB", "role": "Director"}],
        "purpose": "Monitoring of the child protection programme",
        "arrives_on": arrives_on.isoformat(),
        "departs_on": (arrives_on + timedelta(days=3)).isoformat(),
        "region_codes": region_codes,
    }
