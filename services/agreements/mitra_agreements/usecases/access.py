"""What the scope rules (`domain/access.py`) read of agreements' rows: an MSP's parties and places, and the
caller's scope as the list queries take it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mitra_agreements.domain.access import MspParties, ReadScope, read_scope
from mitra_shared.context import Context

Row = Mapping[str, Any]


def parties(msp: Row) -> MspParties:
    """The parties and places of an MSP, from its row (or a row joined with it: `organization_id`,
    `ministry_code`, `work_locations`)."""
    return MspParties(
        organization_id=msp["organization_id"],
        ministry_code=msp["ministry_code"],
        region_codes=tuple(location["code"] for location in msp["work_locations"]),
    )


def scope_parameters(ctx: Context) -> dict[str, Any]:
    """The caller's scope as the list queries' `:scope_*` parameters (403 for a role that reads nothing here)."""
    scope: ReadScope = read_scope(ctx.principal)
    return {
        "scope_organization_id": scope.organization_id,
        "scope_ministry_code": scope.ministry_code,
        "scope_region_code": scope.region_code,
    }
