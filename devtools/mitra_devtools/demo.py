"""Demonstration data that shows a real year of work, loaded over the public APIs like its users would, and safe to
load twice (a second load changes nothing and says so).

Each step is made by the role that may make it, with a token `make run` mints (`mint(subject, role, scope)`): the
administrator adds the notification recipients and the console's accounts; TPOA registers the NGOs named in the
source documents, the government partners (Kemensos, TPOA's member ministries, Jawa Tengah, Kota Semarang),
permits and foreign staff (`demo_registry`); Plan International drafts its MSP with Kemensos, TPOA's member
ministries clear it, TPOA approves it, Kemensos signs it as of about a year ago, and a year of work on its
obligations follows (`demo_agreements`); a story of it is published (`demo_stories`); TPOA warns CARE
International. One console account per role is there to log in with (`DEMO_ACCOUNTS`, password `mitra-demo`,
local runs only), each landing on real work:

- `plan` (ngo): its MSP with Kemensos, active, with obligations accepted, returned, awaiting review, due and overdue;
- `kemensos` (ministry): reports awaiting its review, a visa recommendation requested, CARE's MSP under review;
- `kemendagri` (ministry, one of TPOA's member ministries): CARE's MSP awaiting its answer in TPOA's team review
  (Plan's MSP was cleared by every member before TPOA approved it);
- `jateng`, `semarang` (region): the MSP's work plans (RKT) of their area and the visits announced to them;
- `tpoa`: Swisscontact and others as applicants to review, CARE International's MSP awaiting review (some members
  have answered), a warning on CARE International for a late report.

Dates are counted from today, so the demo shows the same year whenever it is loaded. Texts are marked "(demo)".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import httpx

from mitra_devtools import demo_agreements, demo_registry, demo_stories
from mitra_devtools.demo_http import Demo, Mint, Urls
from mitra_devtools.demo_registry import Year
from mitra_devtools.token import local_token
from mitra_shared.clock import jakarta_date, system_clock

DEMO_TPOA_RECIPIENT = {
    "name": "TPOA secretariat (demo recipient)",
    "role": "tpoa",
    "email": "sekretariat-tpoa@mitra-demo.example",  # the office's mailbox, not the `tpoa` account's
    "language": "id",
}
DEMO_TPOA_RECIPIENT_EN = {
    "name": "TPOA liaison, English (demo recipient)",
    "role": "tpoa",
    "email": "tpoa-en@mitra-demo.example",
    "language": "en",
}
# NGOs named in the source documents (see DOMAIN.md), with only what those documents say of them.
DEMO_ORGANIZATIONS = [
    {
        "legal_name": "Plan International",
        "acronym": "PLAN",
        "country_of_origin": "GB",
        "focus_areas": ["child_welfare", "disaster_risk_management"],
    },
    {
        "legal_name": "CARE International",
        "acronym": "CARE",
        "country_of_origin": "CH",
        "focus_areas": ["poverty", "disaster"],
    },
    {"legal_name": "Islamic Relief Worldwide", "country_of_origin": "GB", "focus_areas": ["disaster", "poverty"]},
    {"legal_name": "Konrad Adenauer Stiftung", "acronym": "KAS", "country_of_origin": "DE", "focus_areas": []},
    {"legal_name": "Swisscontact", "country_of_origin": "CH", "focus_areas": ["poverty"]},
]
CARE_WARNING = {
    "kind": "warning",
    "category": "reporting_failure",
    "reason": "Laporan kegiatan tahunan terlambat disampaikan (demo)",
}


DEMO_PASSWORD = "mitra-demo"
"""The demo accounts' password: the console accepts it in local runs only."""
DEMO_NGO = "Plan International"
# One console account per role; `organization_id` of the NGO account is filled in with Plan International's id.
DEMO_ACCOUNTS: list[dict[str, str]] = [
    {"username": "tpoa", "display_name": "TPOA secretariat (demo)", "role": "tpoa"},
    {
        "username": "kemensos",
        "display_name": "Kementerian Sosial (demo)",
        "role": "ministry",
        "ministry_code": "KEMENSOS",
    },
    {
        "username": "kemendagri",
        "display_name": "Kementerian Dalam Negeri, anggota TPOA (demo)",
        "role": "ministry",
        "ministry_code": "KEMENDAGRI",
    },
    {"username": "jateng", "display_name": "Provinsi Jawa Tengah (demo)", "role": "region", "region_code": "33"},
    {"username": "semarang", "display_name": "Kota Semarang (demo)", "role": "region", "region_code": "3374"},
    {"username": "plan", "display_name": "Plan International staff (demo)", "role": "ngo"},
    {"username": "auditor", "display_name": "Auditor (demo)", "role": "auditor"},
    {"username": "admin", "display_name": "System administrator (demo)", "role": "admin"},
]


def local_mint(subject: str, role: str, scope: dict[str, str]) -> str:
    """A local token (the development secret, local and test runs only) for one step of the demo, by the role
    that makes it: how `make run` and the tests load the demo."""
    return local_token(subject, role, name=f"{subject} (demo)", scope=scope or None)


def load(
    *,
    registry_url: str,
    agreements_url: str,
    notifications_url: str,
    reporting_url: str,
    mint: Mint,
    console_url: str | None = None,
    say: Callable[[str], None] = print,
    today: date | None = None,
) -> list[str]:
    """Load what is missing, each step with a token of the role that makes it (`mint(subject, role, scope)`); say a
    line per thing done as it is done, and return those lines (none when everything was there already)."""
    urls = Urls(registry_url, agreements_url, notifications_url, reporting_url, console_url)
    year = Year(today or jakarta_date(system_clock()))
    with httpx.Client(timeout=10) as client:
        demo = Demo(client=client, urls=urls, mint=mint, say=say)
        admin, tpoa = demo.as_("admin", "demo-admin"), demo_registry.tpoa(demo)
        emails = {recipient["email"] for recipient in demo.get(f"{notifications_url}/recipients", admin, role="tpoa")}
        for recipient in (DEMO_TPOA_RECIPIENT, DEMO_TPOA_RECIPIENT_EN):
            if recipient["email"] not in emails:
                demo.post(f"{notifications_url}/recipients", admin, recipient)
                demo.did(f"recipient {recipient['name']} <{recipient['email']}>")
        organizations: dict[str, dict[str, Any]] = {}
        for organization in DEMO_ORGANIZATIONS:
            legal_name = str(organization["legal_name"])
            response = demo.post(f"{registry_url}/organizations", tpoa, organization, also=(409,))
            if response.status_code == 409:
                organizations[legal_name] = _find_organization(demo, legal_name)
                continue
            organizations[legal_name] = response.json()
            demo.did(f"organization {legal_name}")
        if console_url is not None:
            _load_accounts(demo, organizations[DEMO_NGO]["id"])
        _load_year(demo, year, organizations[DEMO_NGO], organizations["CARE International"])
        return demo.done


def _load_year(demo: Demo, year: Year, plan: dict[str, Any], care: dict[str, Any]) -> None:
    """Partners, permits, lifecycles, the MSPs and their year of work, and a published story."""
    partners = demo_registry.ensure_partners(demo)
    principle = demo_registry.principle_permit(demo, plan, "IP/DEMO/PLAN", year.principle_issued_on)
    demo_registry.clear_application(demo, plan)
    demo_registry.move_to(demo, plan, [("registered", "Principle permit granted after TPOA review (demo)")])
    demo_registry.ensure_foreign_expert(demo, plan, year)
    demo_registry.principle_permit(demo, care, "IP/DEMO/CARE", year.care_issued_on)
    demo_registry.clear_application(demo, care)
    demo_registry.move_to(demo, care, [("registered", "Principle permit granted after TPOA review (demo)")])
    msp = demo_agreements.load_agreements(demo, year, plan, care, partners[demo_registry.MINISTRY_CODE])
    operating = {
        "permit_type": "operating",
        "number": "IO/DEMO/PLAN",
        "issued_on": year.signed_on.isoformat(),
        "valid_until": year.msp_ends_on.isoformat(),
        "principle_permit_id": principle["id"],
        "msp_id": msp["id"],
    }
    demo_registry.ensure_permit(demo, plan, operating)
    demo_registry.move_to(
        demo,
        plan,
        [
            ("registered", "Principle permit granted after TPOA review (demo)"),
            ("active", "MSP with Kemensos signed (demo)"),
        ],
    )
    demo_stories.publish_story(demo, plan, msp, year)
    demo_registry.warn(demo, care, CARE_WARNING)


def _find_organization(demo: Demo, legal_name: str) -> dict[str, Any]:
    found = demo.get(f"{demo.urls.registry}/organizations", demo_registry.tpoa(demo), q=legal_name, limit=50)["items"]
    for item in found:
        if item["legal_name"] == legal_name:
            return dict(item)
    raise LookupError(f"{legal_name} is not in the registry")


def _load_accounts(demo: Demo, plan_id: str) -> None:
    admin = demo.as_("admin", "demo-admin")
    # Looked up first: creating one that exists costs a password hash before the 409.
    existing = demo.get(f"{demo.urls.console}/accounts", admin, q="@mitra-demo.example", limit=500)["items"]
    usernames = {item["username"] for item in existing}
    for account in DEMO_ACCOUNTS:
        if account["username"] in usernames:
            continue
        body = {
            **account,
            "email": f"{account['username']}@mitra-demo.example",
            "password": DEMO_PASSWORD,
            **({"organization_id": plan_id} if account["role"] == "ngo" else {}),
        }
        response = demo.post(f"{demo.urls.console}/accounts", admin, body, also=(409,))
        if response.status_code == 409:
            continue
        demo.did(f"account {account['username']}")
