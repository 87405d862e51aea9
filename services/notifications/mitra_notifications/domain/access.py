"""Who may do what in notifications, and whose a recipient is. Pure: no I/O.

- add or deactivate a recipient, read its webhook secret: `admin`;
- list recipients, read one: `admin`, `tpoa`, `auditor`, `integration` every one; `ngo`, `ministry`, `region` only
  those they own (the list is filtered, another's is 404);
- switch a recipient's digest, read and change its subscriptions: its owner, or `admin` (an owner subscribes only
  to what its scope covers: an NGO to itself, a ministry to the NGOs of its MSPs, a region to its area);
- its inbox (read it, mark read): its owner only;
- routing rules: `admin`, `tpoa`, `auditor`, `integration` read them; `admin` changes and removes them;
- the delivery log: `admin`, `tpoa`, `auditor` read it (the other roles read their own inboxes); `admin` resends.

**Whose a recipient is.** An account owns a recipient when its role fits the recipient's kind and its scope is the
recipient's: a `tpoa` account the TPOA recipients; a `ministry` account the `ministry` recipients whose code
(`partner_code`, registry's code of the ministry, or the `ministry_code` given over the API) is its
`ministry_code`; a `region` account the `province` and `regency` recipients whose `region_code` is its own (exactly:
a province's office does not read its regencies' inboxes); an `ngo` account the `ngo` recipients of its
`organization_id`. A recipient linked to one account (`account_subject`, set when an admin adds it) belongs to that
account alone, if its role fits. Nobody else owns a recipient, an admin neither: an admin manages recipients but
reads no inbox.

**404 or 403.** A recipient the caller may not even see (an NGO asking for another NGO's recipient, its inbox or
its subscriptions) is answered 404, as if it did not exist; a recipient the caller may see (every recipient, for
the roles that read them all) but not act on as asked is answered 403.

**Me.** A person's own recipient (`/me/...`) is the one linked to their account (`account_subject` is the token's
`sub`), if its kind fits their role (`require_own_recipient`); none: 404.

Consumers and workers act as `system` principals and are not subject to these checks.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from mitra_shared.access import Role, has_role, ministry_of, organization_of, region_covers, region_of, require, role_of
from mitra_shared.context import Principal
from mitra_shared.errors import Forbidden, NotFound

READS_EVERY_RECIPIENT: tuple[Role, ...] = ("admin", "tpoa", "auditor", "integration")
RECIPIENT_KINDS_OF_ROLE: dict[str, tuple[str, ...]] = {
    "tpoa": ("tpoa",),
    "ministry": ("ministry",),
    "region": ("province", "regency"),
    "ngo": ("ngo",),
    "auditor": ("account",),
    "admin": ("account",),
}
"""The kinds of recipient an account of each role may own (an auditor's or an administrator's only the `account`
recipient linked to it: see `domain/accounts.py`)."""


def _reads_every_recipient(principal: Principal) -> bool:
    return principal.is_system or has_role(principal, *READS_EVERY_RECIPIENT)


def owns(principal: Principal, recipient: Mapping[str, Any]) -> bool:
    """Whether the recipient is the principal's own (see the module's docstring)."""
    if principal.is_system:
        return True
    role = role_of(principal)
    kind = recipient["role"]
    if kind not in RECIPIENT_KINDS_OF_ROLE.get(role, ()):
        return False
    linked = recipient.get("account_subject")
    if linked is not None:
        return bool(linked == principal.subject)
    match role:
        case "tpoa":
            return True
        case "ministry":
            return recipient["partner_code"] is not None and recipient["partner_code"] == ministry_of(principal)
        case "region":
            return recipient["region_code"] is not None and recipient["region_code"] == region_of(principal)
        case "ngo":
            organization_id = recipient["organization_id"]
            return organization_id is not None and organization_id == organization_of(principal)
    return False


def may_see(principal: Principal, recipient: Mapping[str, Any]) -> bool:
    return _reads_every_recipient(principal) or owns(principal, recipient)


def require_visible(principal: Principal, recipient: Mapping[str, Any] | None, recipient_id: UUID) -> Mapping[str, Any]:
    """The recipient, if it exists and the caller may see it; otherwise 404."""
    if recipient is None or not may_see(principal, recipient):
        raise NotFound("path.recipient_id", f"no recipient {recipient_id}")
    return recipient


def require_owner(principal: Principal, recipient: Mapping[str, Any] | None, recipient_id: UUID, what: str) -> None:
    """Only the recipient's owner: 404 if the caller may not see it, 403 if it may see it but is not its owner."""
    found = require_visible(principal, recipient, recipient_id)
    if not owns(principal, found):
        raise Forbidden("path.recipient_id", f"{what} only its owner may; this recipient is not yours")


def require_owner_or_admin(
    principal: Principal, recipient: Mapping[str, Any] | None, recipient_id: UUID, what: str
) -> None:
    """The recipient's owner, or an administrator: 404 and 403 as in `require_owner`."""
    found = require_visible(principal, recipient, recipient_id)
    if not (has_role(principal, "admin") or owns(principal, found)):
        raise Forbidden("path.recipient_id", f"{what} only its owner or an administrator may")


def require_subscription_in_scope(
    principal: Principal,
    organization_ids: Sequence[UUID] | None,
    region_codes: Sequence[str] | None,
    ministry_organizations: Collection[UUID] = (),
) -> None:
    """An owner subscribes to what its scope covers, or it would hear of other NGOs through its inbox: an NGO to events
    about itself, a region to events in its area, a ministry to events about the NGOs of its signed MSPs
    (`ministry_organizations`). TPOA, administrators and the service itself subscribe to anything."""
    role = role_of(principal)
    if principal.is_system or role in ("admin", "tpoa"):
        return
    if role == "ngo":
        require(
            bool(organization_ids) and set(organization_ids or ()) == {organization_of(principal)},
            "an NGO subscribes to events about itself: name its own organization_id, and only it",
            field="body.organization_ids",
        )
    elif role == "ministry":
        require(
            bool(organization_ids) and set(organization_ids or ()) <= set(ministry_organizations),
            "a ministry subscribes to events about the NGOs of the MSPs it signed: name those organization_ids",
            field="body.organization_ids",
        )
    elif role == "region":
        area = region_of(principal) or ""
        require(
            bool(region_codes) and all(region_covers(area, code) for code in region_codes or ()),
            "a region subscribes to events in its area: name region codes it covers",
            field="body.region_codes",
        )
    else:
        require(False, f"the `{role}` role subscribes nothing")


@dataclass(frozen=True)
class RecipientScope:
    """The recipients a list shows the caller, as the SQL filters them: all (`scoped` false), or those it owns."""

    scoped: bool
    kinds: tuple[str, ...] = ()
    subject: str | None = None
    organization_id: UUID | None = None
    ministry_code: str | None = None
    region_code: str | None = None


def recipient_scope(principal: Principal) -> RecipientScope:
    if _reads_every_recipient(principal):
        return RecipientScope(scoped=False)
    return RecipientScope(
        scoped=True,
        kinds=RECIPIENT_KINDS_OF_ROLE.get(role_of(principal), ()),
        subject=principal.subject,
        organization_id=organization_of(principal),
        ministry_code=ministry_of(principal),
        region_code=region_of(principal),
    )


def require_own_recipient(principal: Principal, recipient: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """The caller's own recipient (`/me`): linked to its account, of a kind its role owns; otherwise 404."""
    if recipient is None or recipient.get("account_subject") != principal.subject or not owns(principal, recipient):
        raise NotFound(None, "your account has no recipient yet: it is made when notifications hears of the account")
    return recipient
