"""The register side of the demo year, all by TPOA over registry's API: the government partners (Kemensos, Jawa
Tengah, Kota Semarang, named as the region files in `data/regions/` name them), principle and operating permits,
Plan International's foreign expert, and the NGOs' places in their lifecycle (Swisscontact stays an applicant for
TPOA to review).

Every step looks first and does only what is missing.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from mitra_devtools.demo_http import Demo
from mitra_shared.clock import add_months

REGIONS = Path(__file__).resolve().parents[2] / "data" / "regions"
TPOA_SUBJECT = "demo-tpoa"
MINISTRY_CODE = "KEMENSOS"
PROVINCE_CODE = "33"
REGENCY_CODE = "3374"
ONE_DAY = timedelta(days=1)
MEMBER_MINISTRIES = {
    "KEMENDAGRI": "Kementerian Dalam Negeri",
    "KEMENKUMHAM": "Kementerian Hukum dan Hak Asasi Manusia",
    "KEMENSETNEG": "Kementerian Sekretariat Negara",
    "BAPPENAS": "Kementerian PPN/Bappenas",
    "POLRI": "Kepolisian Negara Republik Indonesia",
    "BIN": "Badan Intelijen Negara",
}
"""TPOA's member ministries (MITRA_TPOA_MEMBERS as the services default it), among registry's partners."""
FORWARD = ("applicant", "registered", "active")
"""The NGO lifecycle as the demo moves an NGO on: from applicant, registered with a principle permit, active."""


@dataclass(frozen=True)
class Year:
    """The dates of the demo year, all counted from today (Asia/Jakarta), so that the demo is as true tomorrow."""

    today: date

    @property
    def msp_starts_on(self) -> date:
        """The first of the month 13 months ago: whatever the day, at least two semester reports (and a work plan
        per region) have fallen due since, so that each state of a report can be shown."""
        return add_months(date(self.today.year, self.today.month, 1), -13)

    @property
    def signed_on(self) -> date:
        return self.msp_starts_on - timedelta(days=10)

    @property
    def principle_issued_on(self) -> date:
        return add_months(self.msp_starts_on, -3)

    @property
    def principle_valid_until(self) -> date:
        return add_months(self.principle_issued_on, 36) - ONE_DAY

    @property
    def msp_ends_on(self) -> date:
        return self.principle_valid_until

    @property
    def care_issued_on(self) -> date:
        return add_months(self.today, -2)

    @property
    def care_starts_on(self) -> date:
        return add_months(date(self.today.year, self.today.month, 1), 2)

    @property
    def care_ends_on(self) -> date:
        return min(add_months(self.care_starts_on, 36) - ONE_DAY, add_months(self.care_issued_on, 36) - ONE_DAY)


def region_name(code: str) -> str:
    """The region's name as BPS's list in `data/regions/` has it, in title case (`KOTA SEMARANG` → Kota Semarang)."""
    level = "provinces" if len(code) == 2 else "regencies"
    with (REGIONS / f"{level}.csv").open(encoding="utf-8") as file:
        for row in csv.reader(file):
            if row and row[0] == code:
                return row[-1].title()
    raise LookupError(f"region {code} is not in {REGIONS}")


def partner_bodies() -> list[dict[str, Any]]:
    def contact(office: str, mailbox: str) -> list[dict[str, str]]:
        # The office's own address, not a demo account's (each account is a recipient of its own).
        return [{"name": f"{office} (demo)", "email": f"{mailbox}@mitra-demo.example", "language": "id"}]

    members = [
        {"kind": "ministry", "code": code, "name": name, "contacts": contact("Anggota TPOA", f"tpoa-{code.lower()}")}
        for code, name in MEMBER_MINISTRIES.items()
    ]
    return [
        *members,
        {
            "kind": "ministry",
            "code": MINISTRY_CODE,
            "name": "Kementerian Sosial",
            "contacts": contact("Biro Kerja Sama", "kerjasama-kemensos"),
        },
        {
            "kind": "province",
            "code": PROVINCE_CODE,
            "name": region_name(PROVINCE_CODE),
            "contacts": contact("Kesbangpol Provinsi", "kesbangpol-jateng"),
        },
        {
            "kind": "regency",
            "code": REGENCY_CODE,
            "name": region_name(REGENCY_CODE),
            "parent_code": PROVINCE_CODE,
            "contacts": contact("Kesbangpol Kota", "kesbangpol-semarang"),
        },
    ]


def tpoa(demo: Demo) -> dict[str, str]:
    return demo.as_("tpoa", TPOA_SUBJECT)


def ensure_partners(demo: Demo) -> dict[str, dict[str, Any]]:
    """Kemensos, TPOA's member ministries, Jawa Tengah and Kota Semarang among registry's partners; each by its
    code."""
    partners = {}
    for body in partner_bodies():
        found = demo.get(f"{demo.urls.registry}/partners", tpoa(demo), kind=body["kind"], limit=1000)["items"]
        partner = next((p for p in found if p["code"] == body["code"]), None)
        if partner is None:
            partner = demo.post(f"{demo.urls.registry}/partners", tpoa(demo), body).json()
            demo.did(f"partner {body['kind']} {body['code']} {body['name']}")
        partners[body["code"]] = partner
    return partners


def ensure_permit(demo: Demo, organization: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """The NGO's permit of that type and number, granted now if it has none."""
    found = demo.get(
        f"{demo.urls.registry}/permits",
        tpoa(demo),
        organization_id=organization["id"],
        permit_type=body["permit_type"],
        limit=100,
    )["items"]
    permit = next((p for p in found if p["number"] == body["number"]), None)
    if permit is None:
        url = f"{demo.urls.registry}/organizations/{organization['id']}/permits"
        permit = demo.post(url, tpoa(demo), body).json()
        kind = "principle permit (izin prinsip)" if body["permit_type"] == "principle" else "operating permit"
        demo.did(f"{kind} {body['number']} of {organization['legal_name']}, valid until {body['valid_until']}")
    return permit


def principle_permit(demo: Demo, organization: dict[str, Any], number: str, issued_on: date) -> dict[str, Any]:
    body = {
        "permit_type": "principle",
        "number": number,
        "issued_on": issued_on.isoformat(),
        "valid_until": (add_months(issued_on, 36) - ONE_DAY).isoformat(),
    }
    return ensure_permit(demo, organization, body)


def move_to(demo: Demo, organization: dict[str, Any], path: list[tuple[str, str]]) -> None:
    """Move the NGO forward along `path` ((status, reason) of `FORWARD`, in order) from wherever it is on it; an
    NGO further on, or off it (suspended, revoked, closed), is left as it is."""
    url = f"{demo.urls.registry}/organizations/{organization['id']}"
    response = demo.call("GET", url, tpoa(demo))
    status = response.json()["status"]
    if status not in FORWARD:
        return
    etag = response.headers["ETag"]
    for target, reason in path:
        if FORWARD.index(target) <= FORWARD.index(status):
            continue
        moved = demo.post(
            f"{url}/status", tpoa(demo), {"status": target, "reason": reason}, extra_headers={"If-Match": etag}
        )
        etag, status = moved.headers["ETag"], target
        demo.did(f"{organization['legal_name']} is {target}")


def ensure_foreign_expert(demo: Demo, organization: dict[str, Any], year: Year) -> dict[str, Any]:
    """Plan International's one foreign expert (a fictitious person, marked as demo)."""
    body = {
        "full_name": "Maria Jansen (demo)",
        "nationality": "NL",
        "role": "Programme adviser, child protection and disaster risk management (demo)",
        "starts_on": year.msp_starts_on.isoformat(),
        "ends_on": (add_months(year.msp_starts_on, 24) - ONE_DAY).isoformat(),
        "passport_number": "DEMO00001",
    }
    url = f"{demo.urls.registry}/organizations/{organization['id']}/foreign-staff"
    found = demo.get(url, tpoa(demo), limit=100)["items"]
    expert = next((s for s in found if s["full_name"] == body["full_name"]), None)
    if expert is None:
        expert = demo.post(url, tpoa(demo), body).json()
        demo.did(f"foreign expert {body['full_name']} of {organization['legal_name']}")
    return expert


def member(demo: Demo, code: str) -> dict[str, str]:
    """The headers of an officer of one of TPOA's member ministries."""
    return demo.as_("ministry", f"demo-{code.lower()}", ministry_code=code)


def answer_review(demo: Demo, url: str, name: str, *, only: tuple[str, ...] | None = None) -> None:
    """The TPOA team's review at `url` (an applicant's or an MSP's) cleared by each member awaited (`only` those);
    nothing when there is no review (TPOA decides alone)."""
    response = demo.call("GET", url, tpoa(demo), also=(404,))
    if response.status_code == 404:
        return
    for code in response.json()["awaiting"]:
        if only is not None and code not in only:
            continue
        body = {"verdict": "cleared", "note": "Tidak ada keberatan (demo)"}
        if demo.post(f"{url}/answers", member(demo, code), body, also=(409,)).status_code == 201:
            demo.did(f"{code} cleared {name}")


def clear_application(demo: Demo, organization: dict[str, Any]) -> None:
    """An applicant's review cleared by every member, so that TPOA may register it."""
    url = f"{demo.urls.registry}/organizations/{organization['id']}/review"
    answer_review(demo, url, f"the application of {organization['legal_name']}")


def warn(demo: Demo, organization: dict[str, Any], body: dict[str, Any]) -> None:
    """A sanction on the NGO, unless one of that reason is there already."""
    url = f"{demo.urls.registry}/organizations/{organization['id']}/sanctions"
    found = demo.get(url, tpoa(demo), limit=100)["items"]
    if any(item["reason"] == body["reason"] for item in found):
        return
    demo.post(url, tpoa(demo), body)
    demo.did(f"{body['kind']} on {organization['legal_name']}: {body['reason']}")
