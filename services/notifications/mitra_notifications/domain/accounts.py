"""People's accounts of the console as recipients: one per account, found by the routing rules through its role and
scope like the office it works for. Pure: no I/O.

- `tpoa` → a `tpoa` recipient (audience `tpoa`);
- `ministry` → a `ministry` recipient with the account's `ministry_code` (audiences `mitra_utama`, `ministries`);
- `region` → a `province` (2-digit `region_code`) or `regency` recipient (4 digits; its province is the first two),
  (audiences `regions_of_work`, `regions_visited`, `provinces`, `regencies`);
- `ngo` → an `ngo` recipient with the account's `organization_id` (audience `ngo`);
- `auditor`, `admin` (and any role the console adds later) → an `account` recipient: an inbox and e-mail that no
  routing audience picks, filled only by its own subscriptions.

A disabled account's recipient is inactive: routing skips it. The person's own choices (language, e-mail on or off,
daily digest) are theirs: an account's later events never overwrite them.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

ACCOUNT_KIND = "account"
"""The kind of recipient of an account that no routing audience stands for (auditor, admin)."""


@dataclass(frozen=True)
class AccountState:
    """A console account as its newest event describes it."""

    account_id: UUID
    display_name: str
    email: str
    role: str
    ministry_code: str | None
    region_code: str | None
    organization_id: UUID | None
    active: bool
    version: int


@dataclass(frozen=True)
class AccountRecipient:
    """The recipient an account is: its kind and the codes the routing rules find it by."""

    role: str
    partner_code: str | None = None
    region_code: str | None = None
    parent_region_code: str | None = None
    organization_id: UUID | None = None


def recipient_of(account: AccountState) -> AccountRecipient:
    """The recipient of an account's role and scope (see the module's docstring)."""
    match account.role:
        case "tpoa":
            return AccountRecipient("tpoa")
        case "ministry" if account.ministry_code:
            return AccountRecipient("ministry", partner_code=account.ministry_code)
        case "region" if account.region_code and len(account.region_code) == 2:
            return AccountRecipient("province", region_code=account.region_code)
        case "region" if account.region_code:
            return AccountRecipient(
                "regency", region_code=account.region_code, parent_region_code=account.region_code[:2]
            )
        case "ngo" if account.organization_id:
            return AccountRecipient("ngo", organization_id=account.organization_id)
    return AccountRecipient(ACCOUNT_KIND)
