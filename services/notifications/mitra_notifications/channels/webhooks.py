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
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import httpcore
import httpx
from standardwebhooks.webhooks import Webhook

from mitra_notifications.domain import url_policy
from mitra_notifications.domain.deliveries import WebhookGone, WebhookRejected

SocketOption = tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]


async def resolve(host: str, port: int) -> list[str]:
    """The addresses a host name stands for, in the resolver's order, looked up without blocking the event loop."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def checked_addresses(host: str, port: int, *, allow_internal: bool) -> list[str]:
    """Resolve once and judge what came back: the addresses a connection to the host may use."""
    try:
        addresses = await resolve(host, port)
    except OSError as error:
        raise url_policy.UrlRefused(f"the host {host!r} does not resolve: {error}") from error
    if not allow_internal:
        url_policy.refuse_internal(host, addresses)
    return addresses


async def check_url(url: str, *, allow_internal: bool) -> str:
    """Refuse a URL that is malformed or, unless allowed, reaches an internal address."""
    url_policy.check_syntax(url)
    if allow_internal:
        return url
    host, port = url_policy.host_and_port(url)
    await checked_addresses(host, port, allow_internal=False)
    return url


class CheckedBackend(httpcore.AsyncNetworkBackend):
    """The network under the webhook client: every connection resolves its host once, checks the addresses, and
    connects to a checked one. The URL keeps its host name, so the `Host` header, TLS's SNI and the certificate check
    are the name's; only the TCP connection goes to the address that was judged, never to a second lookup's."""

    def __init__(self, *, allow_internal: bool, network: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._allow_internal = allow_internal
        self._network = network or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                addresses = await checked_addresses(host, port, allow_internal=self._allow_internal)
        except TimeoutError as error:
            raise httpcore.ConnectTimeout(f"resolving {host!r} took longer than {timeout}s") from error
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self._network.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error
        raise failure or httpcore.ConnectError(f"the host {host!r} has no address")

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[SocketOption] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("webhooks are delivered over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self._network.sleep(seconds)


class CheckedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport on a connection pool whose connections are made by `CheckedBackend`; no proxy (a proxy
    would connect where the check never looked)."""

    def __init__(self, *, allow_internal: bool, network: httpcore.AsyncNetworkBackend | None = None) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            network_backend=CheckedBackend(allow_internal=allow_internal, network=network),
        )


class WebhookSender:
    def __init__(
        self, *, timeout: float, allow_internal: bool, network: httpcore.AsyncNetworkBackend | None = None
    ) -> None:
        # Redirects are not followed: a redirect could lead past the address check. No proxies from the environment.
        self._client = httpx.AsyncClient(
            timeout=timeout,
            follow_redirects=False,
            trust_env=False,
            transport=CheckedTransport(allow_internal=allow_internal, network=network),
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def send(self, *, url: str, secret: str, message_id: str, payload: dict[str, Any]) -> None:
        # The addresses are checked where the connection is made (`CheckedBackend`), once per connection.
        url_policy.check_syntax(url)
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
