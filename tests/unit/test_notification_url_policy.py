import asyncio
import socket
import time
from typing import Any

import httpcore
import httpx
import pytest

from mitra_notifications.channels import webhooks
from mitra_notifications.domain import url_policy
from mitra_shared.errors import RuleBroken


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.go.id/hook",
        "file:///etc/passwd",
        "example.go.id/hook",
        "https://user:pw@example.go.id/hook",
        "https://example.go.id:99999/hook",
        "http://[::1/hook",
    ],
)
def test_only_plain_http_urls_are_taken(url: str) -> None:
    with pytest.raises(url_policy.UrlRefused) as refused:
        url_policy.check_syntax(url)
    # A refusal of the shared family: over HTTP a 422 naming the field, never a 500.
    assert isinstance(refused.value, RuleBroken)
    assert refused.value.field == "body.webhook_url"


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "::ffff:10.0.0.1",
        "0.0.0.0",
        "100.64.0.1",  # carrier-grade NAT (RFC 6598)
        "100.127.255.254",
        "::ffff:100.64.0.1",
        "2002:a00:1::1",  # 6to4 of 10.0.0.1
        "2002:808:808::1",  # 6to4, even of a public address: no receiver needs it
    ],
)
def test_internal_addresses_are_recognised(address: str) -> None:
    assert url_policy.is_internal(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "2606:4700:4700::1111", "100.128.0.1", "100.63.255.255"])
def test_public_addresses_are_not_internal(address: str) -> None:
    assert not url_policy.is_internal(address)


def _resolving_to(*addresses: str) -> Any:
    async def resolve(host: str, port: int) -> list[str]:
        return list(addresses)

    return resolve


async def test_a_name_that_resolves_inside_is_refused_unless_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webhooks, "resolve", _resolving_to("8.8.8.8", "10.0.0.5"))
    with pytest.raises(url_policy.UrlRefused, match=r"internal address \(10\.0\.0\.5\)"):
        await webhooks.check_url("https://hooks.pemda.example/mitra", allow_internal=False)
    assert await webhooks.check_url("https://hooks.pemda.example/mitra", allow_internal=True)


async def test_a_name_that_resolves_outside_is_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webhooks, "resolve", _resolving_to("8.8.8.8"))
    assert await webhooks.check_url("https://hooks.pemda.example/mitra", allow_internal=False)


async def test_loopback_is_refused_by_default() -> None:
    with pytest.raises(url_policy.UrlRefused):
        await webhooks.check_url("http://127.0.0.1:9000/hook", allow_internal=False)


async def test_a_name_that_does_not_resolve_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_host(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    with pytest.raises(url_policy.UrlRefused, match="does not resolve"):
        await webhooks.check_url("https://nowhere.example/hook", allow_internal=False)


async def test_resolving_a_webhook_host_does_not_block_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    """A slow name server must not stop the service: other requests and deliveries go on while a name resolves."""

    def slow_getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        time.sleep(0.5)  # blocks whatever thread calls it
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("93.184.216.34", port))]

    monkeypatch.setattr(socket, "getaddrinfo", slow_getaddrinfo)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    try:
        assert await webhooks.check_url("https://hooks.pemda.example/mitra", allow_internal=False)
    finally:
        ticker.cancel()
    # Blocking on the loop, the ticker would not have run at all during the half second.
    assert ticks >= 20


def test_a_6to4_refusal_names_the_ipv4_address_it_embeds() -> None:
    with pytest.raises(url_policy.UrlRefused, match=r"2002:a00:1::1, 6to4 for 10\.0\.0\.1"):
        url_policy.refuse_internal("hooks.example", ["2002:a00:1::1"])


class _Network(httpcore.AsyncNetworkBackend):
    """A network that records where it was asked to connect, and the TLS server name, and goes no further."""

    def __init__(self) -> None:
        self.connected: list[tuple[str, int]] = []
        self.server_names: list[str | None] = []

    async def connect_tcp(self, host: str, port: int, *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
        self.connected.append((host, port))
        return _Stream(self)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class _Stream(httpcore.AsyncNetworkStream):
    def __init__(self, network: _Network) -> None:
        self.network = network

    async def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> Any:
        self.network.server_names.append(server_hostname)
        raise httpcore.ConnectError("the test's network ends here")

    async def aclose(self) -> None:
        return None


def _rebinding(*answers: list[str]) -> tuple[Any, list[str]]:
    """A name server that answers each lookup with the next list (a rebinding attacker's), recording the lookups."""
    lookups: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        lookups.append(host)
        return answers[min(len(lookups), len(answers)) - 1]

    return resolve, lookups


async def _send(sender: webhooks.WebhookSender, url: str) -> None:
    try:
        await sender.send(url=url, secret="whsec_" + "A" * 44, message_id="m1", payload={"x": 1})
    finally:
        await sender.aclose()


async def test_a_delivery_connects_to_the_address_it_checked_with_the_name_for_tls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Resolved once, checked, connected to that address: a second answer (127.0.0.1) is never asked for or used.
    The TLS handshake names the host (SNI, and the certificate is checked against it), not the address."""
    resolve, lookups = _rebinding(["93.184.216.34"], ["127.0.0.1"])
    monkeypatch.setattr(webhooks, "resolve", resolve)
    network = _Network()
    sender = webhooks.WebhookSender(timeout=2, allow_internal=False, network=network)
    with pytest.raises(httpx.ConnectError):
        await _send(sender, "https://hooks.pemda.example/mitra")
    assert lookups == ["hooks.pemda.example"]
    assert network.connected == [("93.184.216.34", 443)]
    assert network.server_names == ["hooks.pemda.example"]


async def test_a_delivery_to_a_name_that_now_resolves_inside_connects_nowhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webhooks, "resolve", _rebinding(["100.64.1.2"])[0])
    network = _Network()
    sender = webhooks.WebhookSender(timeout=2, allow_internal=False, network=network)
    with pytest.raises(url_policy.UrlRefused, match="internal address"):
        await _send(sender, "http://hooks.pemda.example/mitra")
    assert network.connected == []


async def test_a_delivery_ignores_proxies_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy would make the connection somewhere the check never looked."""
    monkeypatch.setenv("HTTP_PROXY", "http://10.0.0.1:3128")
    monkeypatch.setenv("HTTPS_PROXY", "http://10.0.0.1:3128")
    monkeypatch.setattr(webhooks, "resolve", _rebinding(["93.184.216.34"])[0])
    network = _Network()
    sender = webhooks.WebhookSender(timeout=2, allow_internal=False, network=network)
    with pytest.raises(httpx.ConnectError):
        await _send(sender, "https://hooks.pemda.example/mitra")
    assert network.connected == [("93.184.216.34", 443)]
