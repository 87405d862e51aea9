"""The layout's navigation by role, and how a person's office reads in the header.

A page module adds its own entries when it is imported: `add_nav("ngo", "/ngo/msps", N_("MSPs"))` (a msgid;
entries show in the order added, after the role's home).
"""

from __future__ import annotations

from dataclasses import dataclass

from mitra_console.domain import zones
from mitra_console.http.web.i18n import N_
from mitra_console.usecases.web_sessions import SessionAccount

HOME_OF_ROLE = {
    "ngo": "/ngo",
    "ministry": "/ministry",
    "tpoa": "/tpoa",
    "region": "/region",
    "auditor": "/auditor",
    "admin": "/admin",
}
HOME_LABEL = N_("My work")


@dataclass(frozen=True)
class NavItem:
    href: str
    label: str  # a msgid, translated in the template


_EXTRA: dict[str, list[NavItem]] = {role: [] for role in HOME_OF_ROLE}


def add_nav(role: str, href: str, label: str) -> None:
    """Add an entry to a role's navigation (once: adding the same href again changes nothing)."""
    if role not in _EXTRA:
        raise ValueError(f"no role {role!r}")
    if all(item.href != href for item in _EXTRA[role]):
        _EXTRA[role].append(NavItem(href, label))


def navigation(role: str, path: str) -> list[dict[str, object]]:
    """The role's entries, the one for the current page marked (`current`)."""
    items = [NavItem(HOME_OF_ROLE.get(role, "/"), HOME_LABEL), *_EXTRA.get(role, [])]
    best = max(
        (item.href for item in items if path == item.href or path.startswith(item.href + "/")), key=len, default=None
    )
    return [{"href": item.href, "label": item.label, "current": item.href == best} for item in items]


def office_of(account: SessionAccount) -> str:
    """`KEMENSOS`, `Jawa Tengah (33)`, `3374 · Jawa Tengah`, `TPOA`...: for the header, not translated."""
    if account.role == "ministry" and account.ministry_code:
        return account.ministry_code
    if account.role == "region" and account.region_code:
        province = zones.province_name(account.region_code)
        if len(account.region_code) == 2:
            return f"{province} ({account.region_code})" if province else account.region_code
        return f"{account.region_code} · {province}" if province else account.region_code
    if account.role == "tpoa":
        return "TPOA"
    if account.role == "ngo":
        return "NGO"  # the organization's name is registry's: a page that needs it asks
    return account.role.capitalize()
