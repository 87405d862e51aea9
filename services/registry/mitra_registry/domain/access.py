"""Who may read and change what in the register. Pure: the principal and the facts in, a yes or no out.

The roles each route allows are declared on the route (`mitra_shared.policy.allow`); these rules say what a role
may touch once it is let in, and the use cases ask them:

- `tpoa` keeps the register: it registers NGOs and changes their particulars and status, grants and extends
  permits, assigns and ends foreign staff, keeps the partners, regions and focus areas, and reads everything.
- `ngo` reads and changes its OWN profile (particulars, never the status) and its own foreign staff (assign,
  end), and reads its own status history and permits. A list shows only its own records.
- A permit's files (the scan of the permit letter) are attached by TPOA, which records permits, and by the NGO
  holding the permit (another NGO's permit: 404); they are read by whoever reads the permit.
- `ministry` and `region` read the whole register (every NGO's particulars, status history, permits and foreign
  staff): the register knows no MSPs, so it cannot tell which NGOs are "theirs", and it is the government's
  shared reference of which NGOs may work in Indonesia. What concerns them in particular (an MSP, a visit) is
  agreements' to filter.
- Sanctions: `tpoa` imposes and lifts them; they are read as the NGO's other records are (an NGO: its own).
- An application's review by TPOA's member ministries: a member ministry answers it (the use case checks the
  ministry is one asked); `tpoa`, the ministries, `auditor` and `integration` read it; not the NGO or the regions.
  The queue of open reviews (`GET /reviews`) shows a ministry only the reviews that asked it.
- `auditor` and `integration` read everything; they change nothing.
- `admin` reads the partners (its recipients and routing rules follow their contacts) and the focus areas.
- Consumers and workers act as `system` principals and are not subject to these rules.

Property level: a foreign expert's passport number is shown only to `tpoa` and to the NGO the expert works for;
everyone else gets `passport_number: null` and the masked `passport_number_masked`.

A record outside the caller's scope is answered 404, exactly as one that does not exist: an NGO does not learn
that another NGO's record, assignment or permit exists. A role that may not do something at all gets 403.
"""

from __future__ import annotations

import uuid

from mitra_shared.access import ROLES, Role, has_role, organization_of, require, role_of
from mitra_shared.context import Principal

KEEPER: Role = "tpoa"
"""The role that keeps the register."""
READS_WHOLE_REGISTER: tuple[Role, ...] = ("tpoa", "ministry", "region", "auditor", "integration")
"""Roles that read every NGO's records (an `ngo` reads its own)."""
EVERY_ROLE: tuple[Role, ...] = ROLES
"""Who reads what every role needs to know: the partners (their codes and offices) and the focus areas."""
REVIEW_READERS: tuple[Role, ...] = ("tpoa", "ministry", "auditor", "integration")
"""Who reads the member ministries' review of an application: the government's deliberation, not the NGO's."""
SEES_EVERY_PASSPORT: tuple[Role, ...] = ("tpoa",)
"""Roles that see every foreign expert's passport number (an `ngo` sees those of its own staff)."""


def organization_filter(principal: Principal) -> uuid.UUID | None:
    """The one NGO whose records the caller may read, or None when it may read them all (refuses, 403, a role
    that reads no NGO's records)."""
    if principal.is_system or role_of(principal) in READS_WHOLE_REGISTER:
        return None
    own = organization_of(principal) if has_role(principal, "ngo") else None
    require(own is not None, f"the `{role_of(principal)}` role does not read the register's NGOs")
    return own


def may_read(principal: Principal, organization_id: uuid.UUID) -> bool:
    """Whether the caller may read this NGO's records (false: answer as if they did not exist)."""
    scope = organization_filter(principal)
    return scope is None or scope == organization_id


def may_change(principal: Principal, organization_id: uuid.UUID) -> bool:
    """Whether the caller may change this NGO's particulars and foreign staff: the keeper, or the NGO itself
    (false for another NGO: answer as if it did not exist); refuses (403) a role that changes no NGO."""
    if principal.is_system or has_role(principal, KEEPER):
        return True
    require(has_role(principal, "ngo"), f"the `{role_of(principal)}` role does not change NGOs' records")
    return organization_of(principal) == organization_id


def may_attach_to_permit(principal: Principal, organization_id: uuid.UUID) -> bool:
    """Whether the caller may attach a file (the scan) to a permit of this NGO: the keeper, or the NGO holding it
    (false for another NGO: answer as if the permit did not exist); refuses (403) every other role."""
    if principal.is_system or has_role(principal, KEEPER):
        return True
    require(
        has_role(principal, "ngo"),
        f"only TPOA and the NGO holding the permit attach its files; the `{role_of(principal)}` role may not",
    )
    return organization_of(principal) == organization_id


def require_keeper(principal: Principal, what: str) -> None:
    """Refuse (403) anyone but the register's keeper (and the service itself) a change only TPOA makes."""
    require(
        principal.is_system or has_role(principal, KEEPER),
        f"only TPOA {what}; the `{role_of(principal)}` role may not",
    )


def sees_passport_number(principal: Principal, organization_id: uuid.UUID) -> bool:
    """Whether the caller sees the passport numbers of this NGO's foreign staff: TPOA, and the NGO itself."""
    if principal.is_system or role_of(principal) in SEES_EVERY_PASSPORT:
        return True
    return has_role(principal, "ngo") and organization_of(principal) == organization_id
