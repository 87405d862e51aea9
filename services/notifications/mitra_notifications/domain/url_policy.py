"""Which webhook URLs notifications may call: http(s) only, and no internal addresses unless allowed. Pure: the
addresses a host resolves to are looked up by the webhook channel (`channels/webhooks.py`) and judged here.

A webhook URL comes from outside (an API call, a partner's contact in registry); without this check it could make
the service call the database, the broker's management API or a cloud metadata endpoint (SSRF). The check runs
when a URL is registered and again before each delivery, since a name can resolve elsewhere later.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from mitra_shared.errors import RuleBroken


class UrlRefused(RuleBroken):
    """A webhook URL that may not be called."""

    def __init__(self, reason: str, field: str = "body.webhook_url") -> None:
        super().__init__(field, reason)

    def __str__(self) -> str:
        return self.reason


def check_syntax(url: str) -> str:
    try:
        parts = urlsplit(url)
        _ = parts.port  # a port out of range raises here, not at the first delivery
    except ValueError as error:
        raise UrlRefused(f"not a URL: {error}") from error
    if parts.scheme not in ("http", "https"):
        raise UrlRefused("a webhook URL must start with http:// or https://")
    if not parts.hostname:
        raise UrlRefused("a webhook URL must name a host")
    if parts.username or parts.password:
        raise UrlRefused("a webhook URL must not carry credentials; the signature authenticates the sender")
    return url


def host_and_port(url: str) -> tuple[str, int]:
    """The host to resolve and the port to connect to (the scheme's default if none is named)."""
    parts = urlsplit(url)
    return parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)


def is_internal(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved or ip.is_unspecified


def refuse_internal(host: str, addresses: Iterable[str]) -> None:
    """Refuse a host that resolves to any internal address."""
    internal = [address for address in addresses if is_internal(address)]
    if internal:
        raise UrlRefused(f"the host {host!r} resolves to an internal address ({', '.join(internal)})")
