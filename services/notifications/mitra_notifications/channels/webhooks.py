"""Delivering notifications to webhooks, signed per the Standard Webhooks specification, and checking where a
webhook URL leads.

Headers `webhook-id` (the notification id, stable across retries so the receiver can deduplicate),
`webhook-timestamp` and `webhook-signature` (`v1,<base64 HMAC-SHA256>` of `id.timestamp.body` with the
recipient's `whsec_` secret).
"""

from __future__ import annotations

import asyncio
import json
import socket
from datetime import UTC, datetime
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook

from mitra_notifications.domain import url_policy
from mitra_notifications.domain.deliveries import WebhookGone, WebhookRejected


async def resolve(host: str, port: int) -> list[str]:
    """The addresses a host name stands for, looked up without blocking the event loop."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return sorted({str(info[4][0]) for info in infos})


async def check_url(url: str, *, allow_internal: bool) -> str:
    """Refuse a URL that is malformed or, unless allowed, reaches an internal address."""
    url_policy.check_syntax(url)
    if allow_internal:
        return url
    host, port = url_policy.host_and_port(url)
    try:
        addresses = await resolve(host, port)
    except OSError as error:
        raise url_policy.UrlRefused(f"the host {host!r} does not resolve: {error}") from error
    url_policy.refuse_internal(host, addresses)
    return url


class WebhookSender:
    def __init__(self, *, timeout: float, allow_internal: bool) -> None:
        # Redirects are not followed: a redirect could lead past the address check.
        self._client = httpx.AsyncClient(timeout=timeout, follow_redirects=False)
        self._allow_internal = allow_internal

    async def aclose(self) -> None:
        await self._client.aclose()

    async def send(self, *, url: str, secret: str, message_id: str, payload: dict[str, Any]) -> None:
        await check_url(url, allow_internal=self._allow_internal)
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
        # The signature's own moment, checked by the receiver against its clock: the wall clock, not the service's.
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
