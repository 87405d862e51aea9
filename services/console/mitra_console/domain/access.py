"""Who may manage which account and client in the console. Pure.

- `admin` creates, changes, disables and resets every account, and registers integration clients;
- `tpoa` does the same for `ngo` accounts only (NGO staff), and may not make an account of another role;
- everyone with an account reads it (`/accounts/me`) and changes its own password, giving the current one.

An account outside the caller's scope is answered 404 (a TPOA officer is not told which administrators exist);
lists are filtered to the accounts the caller manages.
"""

from __future__ import annotations

from mitra_shared.access import has_role, require
from mitra_shared.context import Principal

MANAGED_BY_TPOA = frozenset({"ngo"})


def manages(principal: Principal, account_role: str) -> bool:
    """Whether the caller may manage an account of that role."""
    if has_role(principal, "admin"):
        return True
    return has_role(principal, "tpoa") and account_role in MANAGED_BY_TPOA


def managed_roles(principal: Principal) -> list[str] | None:
    """The account roles a list shows the caller (None: all)."""
    if has_role(principal, "admin"):
        return None
    return sorted(MANAGED_BY_TPOA) if has_role(principal, "tpoa") else []


def require_may_give_role(principal: Principal, role: str) -> None:
    require(
        manages(principal, role), f"the `{principal.roles[0]}` role may not manage `{role}` accounts", field="body.role"
    )
