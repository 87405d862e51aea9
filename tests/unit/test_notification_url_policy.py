import asyncio
import socket
import time
from typing import Any

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
    ],
)
def test_internal_addresses_are_recognised(address: str) -> None:
    assert url_policy.is_internal(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "2606:4700:4700::1111"])
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
