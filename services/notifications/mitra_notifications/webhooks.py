"""Delivering notifications to webhooks, signed per the Standard Webhooks specification.

Headers `webhook-id` (the notification id, stable across retries so the receiver can deduplicate),
`webhook-timestamp` and `webhook-signature` (`v1,<base64 HMAC-SHA256>` of `id.timestamp.body` with the
recipient's `whsec_` secret).
"""

from __future__ import annotations

import base64
import json
import secrets
from datetime import UTC, datetime
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook

from mitra_notifications import url_policy


class WebhookGone(Exception):
    """The endpoint answered 410 Gone: it asks not to be called again."""


class WebhookRejected(Exception):
    """The endpoint answered something other than 2xx."""


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class WebhookSender:
    def __init__(self, *, timeout: float, allow_internal: bool) -> None:
        # Redirects are not followed: a redirect could lead past the address check.
        self._client = httpx.AsyncClient(timeout=timeout, follow_redirects=False)
        self._allow_internal = allow_internal

    async def aclose(self) -> None:
        await self._client.aclose()

    async def send(self, *, url: str, secret: str, message_id: str, payload: dict[str, Any]) -> None:
        url_policy.check(url, allow_internal=self._allow_internal)
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
        timestamp = datetime.now(UTC)
        signature = Webhook(secret).sign(message_id, timestamp, body)
        response = await self._client.post(
            url,
            content=body.encode(),
            headers={
                "content-type": "application/json",
                "webhook-id": message_id,
                "webhook-timestamp": str(int(timestamp.timestamp())),
                "webhook-signature": signature,
                "user-agent": "Mitra-Notifications/1",
            },
        )
        if response.status_code == 410:
            raise WebhookGone(f"{url} answered 410 Gone")
        if not 200 <= response.status_code < 300:
            raise WebhookRejected(f"{url} answered {response.status_code}")
