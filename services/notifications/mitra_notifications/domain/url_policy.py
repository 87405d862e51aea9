"""Which webhook URLs notifications may call: http(s) only, and no internal addresses unless allowed. Pure: the
addresses a host resolves to are looked up by the webhook channel (`channels/webhooks.py`) and judged here.

A webhook URL comes from outside (an API call, a partner's contact in registry); without this check it could make
the service call the database, the broker's management API or a cloud metadata endpoint (SSRF). The check runs
when a URL is registered and again at each connection a delivery opens, on the addresses that connection then uses
(the name is resolved once, the addresses checked, and the connection made to a checked address, so a name that
resolves elsewhere the second time cannot slip past the check: DNS rebinding).
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


SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")
"""Carrier-grade NAT (RFC 6598): neither private nor global to Python, but inside someone's network all the same."""
SIX_TO_FOUR = ipaddress.ip_network("2002::/16")
"""6to4 (RFC 3056, deprecated by RFC 7526): an IPv6 address that stands for the IPv4 address it embeds, which a relay
may reach (10.0.0.1 as 2002:0a00:0001::). Refused whatever it embeds: no legitimate receiver needs it."""


def is_internal(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in SIX_TO_FOUR:
            return True
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
    if ip in SHARED_ADDRESS_SPACE:
        return True
    return ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved or ip.is_unspecified


def _described(address: str) -> str:
    """An address as a refusal names it, with the IPv4 address a 6to4 address embeds."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.sixtofour is not None:
        return f"{address}, 6to4 for {ip.sixtofour}"
    return address


def refuse_internal(host: str, addresses: Iterable[str]) -> None:
    """Refuse a host that resolves to any internal address."""
    internal = [_described(address) for address in addresses if is_internal(address)]
    if internal:
        raise UrlRefused(f"the host {host!r} resolves to an internal address ({', '.join(internal)})")
