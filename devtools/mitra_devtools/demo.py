"""A small demonstration data set, loaded over the public APIs like a user would, and safe to load twice.

Each step is made by the role that may make it: the administrator adds the notification recipients and the
console's accounts, TPOA registers the NGOs. `make run` calls `load` with a local token of each role; then one
console account per role is there to log in with (`DEMO_ACCOUNTS`, password `mitra-demo`, local runs only).
"""

from __future__ import annotations

import httpx

DEMO_TPOA_RECIPIENT = {
    "name": "TPOA secretariat (demo recipient)",
    "role": "tpoa",
    "email": "tpoa@mitra-demo.example",
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
    {"username": "jateng", "display_name": "Provinsi Jawa Tengah (demo)", "role": "region", "region_code": "33"},
    {"username": "semarang", "display_name": "Kota Semarang (demo)", "role": "region", "region_code": "3374"},
    {"username": "plan", "display_name": "Plan International staff (demo)", "role": "ngo"},
    {"username": "auditor", "display_name": "Auditor (demo)", "role": "auditor"},
    {"username": "admin", "display_name": "System administrator (demo)", "role": "admin"},
]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def load(
    *,
    registry_url: str,
    notifications_url: str,
    tokens: dict[str, str],
    console_url: str | None = None,
) -> list[str]:
    """Load what is missing, each step with the token of the role that makes it (`tokens["admin"]`,
    `tokens["tpoa"]`); return a line per thing done."""
    done = []
    with httpx.Client(timeout=10) as client:
        admin, tpoa = _bearer(tokens["admin"]), _bearer(tokens["tpoa"])
        existing = client.get(f"{notifications_url}/recipients", params={"role": "tpoa"}, headers=admin)
        existing.raise_for_status()
        emails = {recipient["email"] for recipient in existing.json()}
        for recipient in (DEMO_TPOA_RECIPIENT, DEMO_TPOA_RECIPIENT_EN):
            if recipient["email"] not in emails:
                client.post(f"{notifications_url}/recipients", json=recipient, headers=admin).raise_for_status()
                done.append(f"recipient {recipient['name']} <{recipient['email']}>")
        organization_ids: dict[str, str] = {}
        for organization in DEMO_ORGANIZATIONS:
            response = client.post(f"{registry_url}/organizations", json=organization, headers=tpoa)
            if response.status_code == 409:
                continue
            response.raise_for_status()
            organization_ids[organization["legal_name"]] = response.json()["id"]  # type: ignore[index]
            done.append(f"organization {organization['legal_name']}")
        if console_url is not None:
            plan = organization_ids.get(DEMO_NGO) or _find_organization(client, registry_url, DEMO_NGO, tpoa)
            done += _load_accounts(client, console_url, admin, plan)
    return done


def _find_organization(client: httpx.Client, registry_url: str, legal_name: str, headers: dict[str, str]) -> str:
    response = client.get(f"{registry_url}/organizations", params={"q": legal_name, "limit": 50}, headers=headers)
    response.raise_for_status()
    for item in response.json()["items"]:
        if item["legal_name"] == legal_name:
            return str(item["id"])
    raise LookupError(f"{legal_name} is not in the registry")


def _load_accounts(client: httpx.Client, console_url: str, admin: dict[str, str], plan_id: str) -> list[str]:
    done = []
    for account in DEMO_ACCOUNTS:
        body = {
            **account,
            "email": f"{account['username']}@mitra-demo.example",
            "password": DEMO_PASSWORD,
            **({"organization_id": plan_id} if account["role"] == "ngo" else {}),
        }
        response = client.post(f"{console_url}/accounts", json=body, headers=admin)
        if response.status_code == 409:
            continue
        response.raise_for_status()
        done.append(f"account {account['username']}")
    return done
