"""A visit announced in agreements for a regency reaches that regency's and its province's government, by e-mail and
signed webhook, and the Mitra Utama; a region the visit does not touch hears nothing. Four services as processes."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from standardwebhooks.webhooks import Webhook
from support.polling import eventually
from support.services import RunningSystem
from support.tokens import as_role
from support.webhooks import WebhookReceiver, webhook_receiver

from mitra_shared.clock import add_months, jakarta_date, system_clock

pytestmark = pytest.mark.e2e
TPOA = as_role("tpoa", subject="tpoa-e2e")
ADMIN = as_role("admin", subject="admin-e2e")


@pytest.fixture
async def receivers() -> AsyncIterator[WebhookReceiver]:
    """Each regional government's webhook endpoint, on one test server: `/hooks/<code>`."""
    async with webhook_receiver() as hooks:
        yield hooks


async def post(
    client: httpx.AsyncClient, url: str, body: dict[str, Any], expected: int = 201, headers: dict[str, str] = TPOA
) -> dict[str, Any]:
    response = await client.post(url, json=body, headers=headers)
    assert response.status_code == expected, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_a_visit_to_a_city_reaches_the_city_and_its_province_by_email_and_webhook(
    system: RunningSystem, receivers: WebhookReceiver
) -> None:
    suffix = uuid.uuid4().hex[:6]
    registry, agreements = system.url("registry"), system.url("agreements")
    today = jakarta_date(system_clock())

    def mailbox(code: str) -> str:
        return f"kesbangpol-{code}-{suffix}@pemda.example"

    async with httpx.AsyncClient(timeout=10) as client:
        regions = [
            {"kind": "province", "code": "33", "name": "Jawa Tengah"},
            {"kind": "regency", "code": "3374", "name": "Kota Semarang", "parent_code": "33"},
            {"kind": "province", "code": "34", "name": "DI Yogyakarta"},
            {"kind": "regency", "code": "3471", "name": "Kota Yogyakarta", "parent_code": "34"},
        ]
        for region in regions:
            contact = {
                "name": f"Kesbangpol {region['name']}",
                "email": mailbox(region["code"]),
                "webhook_url": receivers.url_for(region["code"]),
                "language": "id",
            }
            await post(client, f"{registry}/partners", {**region, "contacts": [contact]})
        ministry = await post(
            client,
            f"{registry}/partners",
            {
                "kind": "ministry",
                "code": f"KS{suffix.upper()}",
                "name": "Kementerian Sosial",
                "contacts": [{"name": "Biro Kerja Sama", "email": f"kerjasama-{suffix}@kemensos.example"}],
            },
        )
        ngo = await post(
            client,
            f"{registry}/organizations",
            {"legal_name": f"Plan International {suffix}", "country_of_origin": "GB", "focus_areas": ["child_welfare"]},
        )
        ngo_staff = as_role("ngo", subject=f"ngo-staff-{suffix}", organization_id=ngo["id"])
        ministry_officer = as_role("ministry", subject=f"kemensos-{suffix}", ministry_code=f"KS{suffix.upper()}")
        issued_on = today - timedelta(days=100)
        await post(
            client,
            f"{registry}/organizations/{ngo['id']}/permits",
            {
                "permit_type": "principle",
                "number": f"IP-{suffix}",
                "issued_on": issued_on.isoformat(),
                "valid_until": (add_months(issued_on, 36) - timedelta(days=1)).isoformat(),
            },
        )

        draft = {
            "organization_id": ngo["id"],
            "ministry_partner_id": ministry["id"],
            "title": "Perlindungan anak di Jawa Tengah",
            "focus_areas": ["child_welfare"],
            "work_location_codes": ["3374"],
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=700)).isoformat(),
        }

        async def drafted() -> dict[str, Any] | None:
            response = await client.post(f"{agreements}/msps", json=draft, headers=ngo_staff)
            if response.status_code == 422:  # agreements has not yet learned of the NGO, ministry or region
                return None
            assert response.status_code == 201, response.text
            return response.json()  # type: ignore[no-any-return]

        msp = await eventually(drafted, interval=0.2, description="agreements taking the draft")
        await post(client, f"{agreements}/msps/{msp['id']}/submit", {}, expected=200, headers=ngo_staff)
        await post(client, f"{agreements}/msps/{msp['id']}/approve", {"note": "TPOA review"}, expected=200)

        async def signed() -> bool:
            response = await client.post(
                f"{agreements}/msps/{msp['id']}/sign",
                json={"number": f"MSP/{suffix}", "signatories": [{"name": "A", "title": "B", "party": "ministry"}]},
                headers=ministry_officer,
            )
            return response.status_code == 200  # 409 until agreements has the permit's event

        await eventually(signed, interval=0.2, description="the MSP signed")

        arrives_on = today + timedelta(days=21)
        visit = await post(
            client,
            f"{agreements}/visits",
            {
                "msp_id": msp["id"],
                "visitors": [{"name": "Jane Doe", "nationality": "GB", "role": "Director"}],
                "purpose": "Monitoring",
                "arrives_on": arrives_on.isoformat(),
                "departs_on": (arrives_on + timedelta(days=3)).isoformat(),
                "region_codes": ["3374"],
            },
            headers=ngo_staff,
        )

        async def visit_mail(code: str) -> list[Any]:
            return [m for m in system.mailbox.to(mailbox(code)) if "kunjungan" in m["Subject"].lower()]

        for code in ("3374", "33"):
            [mail] = await eventually(lambda code=code: visit_mail(code), description=f"e-mail to {code}")
            assert mail["Subject"].startswith(f"Pemberitahuan kunjungan tamu asing: Plan International {suffix}")
            assert "3374" in mail.get_body(("plain",)).get_content()

            async def hooked(code: str = code) -> bool:
                return any(
                    json.loads(body)["type"].endswith("visit.announced.v1") for _, body in receivers.received_at(code)
                )

            await eventually(hooked, description=f"webhook to {code}")
            recipients = (await client.get(f"{system.url('notifications')}/recipients", headers=ADMIN)).json()
            [recipient] = [r for r in recipients if r["email"] == mailbox(code)]
            secret = (
                await client.get(
                    f"{system.url('notifications')}/recipients/{recipient['id']}/webhook-secret", headers=ADMIN
                )
            ).json()["secret"]
            headers, body = next(
                (h, b) for h, b in receivers.received_at(code) if json.loads(b)["type"].endswith("visit.announced.v1")
            )
            payload = Webhook(secret).verify(body, headers)
            assert payload["data"]["event"]["data"]["visit_id"] == visit["id"]
            assert payload["data"]["event"]["data"]["region_codes"] == ["3374"]

        # The city's inbox answers to the city's accounts only.
        [semarang] = [r for r in recipients if r["email"] == mailbox("3374")]
        inbox_url = f"{system.url('notifications')}/recipients/{semarang['id']}/inbox"
        inbox = await client.get(inbox_url, headers=as_role("region", region_code="3374"))
        assert inbox.status_code == 200, inbox.text
        assert any("kunjungan" in item["subject"].lower() for item in inbox.json()["items"])
        for stranger in (as_role("region", region_code="3471"), ngo_staff):
            assert (await client.get(inbox_url, headers=stranger)).status_code == 404

        await eventually(
            lambda: _mail_to(system, f"kerjasama-{suffix}@kemensos.example", "kunjungan"),
            description="the Mitra Utama's e-mail",
        )
        # Yogyakarta heard of the MSP's events no more than of the visit: nothing concerns it.
        assert system.mailbox.to(mailbox("3471")) == []
        assert system.mailbox.to(mailbox("34")) == []
        assert receivers.received_at("3471") == []
        assert receivers.received_at("34") == []


async def _mail_to(system: RunningSystem, address: str, word: str) -> bool:
    return any(word in message["Subject"].lower() for message in system.mailbox.to(address))
