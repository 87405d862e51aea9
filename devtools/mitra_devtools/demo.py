"""A small demonstration data set, loaded over the public APIs like a user would, and safe to load twice."""

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


def load(*, registry_url: str, notifications_url: str, token: str) -> list[str]:
    """Load what is missing; return a line per thing done."""
    done = []
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(headers=headers, timeout=10) as client:
        existing = client.get(f"{notifications_url}/recipients", params={"role": "tpoa"})
        existing.raise_for_status()
        emails = {recipient["email"] for recipient in existing.json()}
        for recipient in (DEMO_TPOA_RECIPIENT, DEMO_TPOA_RECIPIENT_EN):
            if recipient["email"] not in emails:
                client.post(f"{notifications_url}/recipients", json=recipient).raise_for_status()
                done.append(f"recipient {recipient['name']} <{recipient['email']}>")
        for organization in DEMO_ORGANIZATIONS:
            response = client.post(f"{registry_url}/organizations", json=organization)
            if response.status_code == 409:
                continue
            response.raise_for_status()
            done.append(f"organization {organization['legal_name']}")
    return done
