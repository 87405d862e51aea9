"""Which webhook URLs notifications may call: http(s) only, and no internal addresses unless allowed.

A webhook URL comes from outside (an API call, a partner's contact in registry); without this check it could make
the service call the database, the broker's management API or a cloud metadata endpoint (SSRF). The check runs
when a URL is registered and again before each delivery, since a name can resolve elsewhere later.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit


class UrlRefused(ValueError):
    pass


def check_syntax(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UrlRefused("a webhook URL must start with http:// or https://")
    if not parts.hostname:
        raise UrlRefused("a webhook URL must name a host")
    if parts.username or parts.password:
        raise UrlRefused("a webhook URL must not carry credentials; the signature authenticates the sender")
    return url


def is_internal(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved or ip.is_unspecified


def resolve(host: str, port: int) -> list[str]:
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)})


def check(url: str, *, allow_internal: bool) -> str:
    """Refuse a URL that is malformed or, unless allowed, reaches an internal address."""
    check_syntax(url)
    if allow_internal:
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = resolve(host, port)
    except OSError as error:
        raise UrlRefused(f"the host {host!r} does not resolve: {error}") from error
    internal = [address for address in addresses if is_internal(address)]
    if internal:
        raise UrlRefused(f"the host {host!r} resolves to an internal address ({', '.join(internal)})")
    return url
