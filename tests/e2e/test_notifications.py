"""Notifications as a government office sees them: learned from registry, by e-mail, signed webhook and inbox."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from standardwebhooks.webhooks import Webhook
from support.polling import eventually
from support.services import RunningSystem
from support.tokens import as_role
from support.webhooks import WebhookReceiver, webhook_receiver

pytestmark = pytest.mark.e2e
TPOA = as_role("tpoa", subject="tpoa-e2e")  # keeps registry's partners and register; owns TPOA's inboxes
ADMIN = as_role("admin", subject="admin-e2e")  # reads the directory and the webhook secrets, edits routing rules


@pytest.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    async with webhook_receiver() as hooks:
        yield hooks


async def test_a_tpoa_contact_registered_in_registry_hears_by_email_webhook_and_inbox(
    system: RunningSystem, receiver: WebhookReceiver
) -> None:
    suffix = uuid.uuid4().hex[:8]
    contact_email = f"sekretariat-{suffix}@kemlu.example"
    async with httpx.AsyncClient(timeout=10, headers=TPOA) as client:
        partner = await client.post(
            f"{system.url('registry')}/partners",
            json={
                "kind": "tpoa",
                "code": f"TPOA-{suffix}",
                "name": "Tim Perizinan Ormas Asing",
                "contacts": [
                    {"name": "Sekretariat", "email": contact_email, "webhook_url": receiver.url, "language": "en"}
                ],
            },
        )
        assert partner.status_code == 201, partner.text

        async def learned() -> dict[str, Any] | None:
            recipients = (
                await client.get(f"{system.url('notifications')}/recipients", params={"role": "tpoa"}, headers=ADMIN)
            ).json()
            return next((r for r in recipients if r["email"] == contact_email), None)

        recipient = await eventually(learned, description="notifications learning the partner's contact")
        assert (recipient["source"], recipient["webhook_url"], recipient["language"]) == (
            "registry",
            receiver.url,
            "en",
        )
        secret_url = f"{system.url('notifications')}/recipients/{recipient['id']}/webhook-secret"
        assert (await client.get(secret_url)).status_code == 403  # the secret is the administrator's alone
        secret = (await client.get(secret_url, headers=ADMIN)).json()

        legal_name = f"Ford Foundation {suffix}"
        created = await client.post(
            f"{system.url('registry')}/organizations", json={"legal_name": legal_name, "country_of_origin": "US"}
        )
        assert created.status_code == 201, created.text

        [mail] = await eventually(lambda: _mail(system, contact_email), description="the e-mail")
        assert mail["Subject"] == f"New foreign NGO registered: {legal_name}"

        async def hooked() -> bool:
            return len(receiver.received) >= 1

        await eventually(hooked, description="the webhook")
        headers, body = receiver.received[0]
        payload = Webhook(secret["secret"]).verify(body, headers)
        assert payload["data"]["event"]["data"]["legal_name"] == legal_name
        assert payload["data"]["subject"] == mail["Subject"]

        inbox_url = f"{system.url('notifications')}/recipients/{recipient['id']}/inbox"
        inbox = (await client.get(inbox_url)).json()
        assert (inbox["total"], inbox["unread"]) == (1, 1)
        read = await client.post(f"{inbox_url}/{inbox['items'][0]['id']}/read")
        assert read.status_code == 200
        assert read.json()["read_at"] is not None
        assert (await client.get(inbox_url)).json()["unread"] == 0

        # Routing rules are data: TPOA now hears of new NGOs in the inbox only.
        rules_url = f"{system.url('notifications')}/routing-rules"
        rule = {"routing_key": "registry.organization.registered", "audience": "tpoa", "channels": ["inbox"]}
        assert (await client.put(rules_url, json=rule)).status_code == 403  # TPOA does not edit the rules
        assert (await client.put(rules_url, json=rule, headers=ADMIN)).status_code == 200
        try:
            second = await client.post(
                f"{system.url('registry')}/organizations",
                json={"legal_name": f"Winrock International {suffix}", "country_of_origin": "US"},
            )
            assert second.status_code == 201

            async def two_in_inbox() -> bool:
                return bool((await client.get(inbox_url)).json()["total"] == 2)

            await eventually(two_in_inbox, description="second NGO in the inbox")
            assert len(_mail_now(system, contact_email)) == 1
            assert len(receiver.received) == 1
        finally:
            restored = {**rule, "channels": ["email", "inbox", "webhook"]}
            assert (await client.put(rules_url, json=restored, headers=ADMIN)).status_code == 200

        bad = await client.put(rules_url, json={**rule, "channels": ["pigeon"]}, headers=ADMIN)
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["field"].startswith("body.channels")


def _mail_now(system: RunningSystem, address: str) -> list[Any]:
    return system.mailbox.to(address)


async def _mail(system: RunningSystem, address: str) -> list[Any]:
    return system.mailbox.to(address)
