"""Who may record, read and move monitoring visits and mitigation actions (in the style of `domain/access.py`).

- Reading: whoever reads the MSP reads its monitoring visits and mitigation actions; a region's officer the
  MSP-wide ones and those of a region that touches its own (as for obligations).
- Recording a monitoring visit or opening an action: the MSP's Mitra Utama ministry, or the office of a region the
  MSP's work touches (for its own area).
- Moving an action: its owner to `in_progress` or `done` (the NGO party to the MSP, the Mitra Utama, or the office
  of a region covering the owner's region code); the Mitra Utama may also cancel it.
"""

from __future__ import annotations

from mitra_agreements.domain.access import MspParties, may_read_obligation, touches
from mitra_shared.access import has_role, ministry_of, organization_of, region_covers, region_of, require
from mitra_shared.context import Principal


def may_read(principal: Principal, msp: MspParties, region_code: str | None) -> bool:
    """A monitoring visit or an action of an MSP the caller reads (a region's: MSP-wide, or touching its area)."""
    return may_read_obligation(principal, msp, region_code)


def office_of(principal: Principal, msp: MspParties) -> tuple[str, str]:
    """The office that records a visit or opens an action (`ministry`/`region`, its code): the MSP's Mitra Utama or
    a region's office the MSP touches; 403 for anyone else."""
    if has_role(principal, "ministry") and ministry_of(principal) == msp.ministry_code:
        return "ministry", msp.ministry_code
    region = region_of(principal) if has_role(principal, "region") else None
    require(
        region is not None and touches(region, msp.region_codes),
        "only the MSP's Mitra Utama ministry or the office of a region it works in records its monitoring",
    )
    assert region is not None
    return "region", region


def check_in_own_area(principal: Principal, office_kind: str, region_code: str | None, *, field: str) -> None:
    """A region's office records and assigns only in its own area (a province covers its regencies)."""
    if office_kind != "region" or region_code is None:
        return
    scope = region_of(principal)
    require(scope is not None and region_covers(scope, region_code), f"{region_code} is outside your area", field=field)


def check_status_change(
    principal: Principal, msp: MspParties, *, owner: str, owner_region_code: str | None, status: str
) -> None:
    """The owner moves an action on; the Mitra Utama may also cancel it."""
    is_ministry = has_role(principal, "ministry") and ministry_of(principal) == msp.ministry_code
    if owner == "ngo":
        is_owner = has_role(principal, "ngo") and organization_of(principal) == msp.organization_id
    elif owner == "ministry":
        is_owner = is_ministry
    else:
        scope = region_of(principal) if has_role(principal, "region") else None
        is_owner = scope is not None and scope == owner_region_code
    require(
        (is_owner and status != "cancelled") or (is_ministry and status == "cancelled"),
        "only the action's owner moves it on; the MSP's Mitra Utama ministry may also cancel it",
    )
