"""The parts of agreements' events read from its rows: the parties of an MSP, its work locations, the facts every
event about an obligation carries. Shared by the use cases and the deadline engine."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mitra_agreements.domain.msps import Region
from mitra_shared.contracts import agreements as contracts

Row = Mapping[str, Any]


def organization_party(msp: Row) -> contracts.OrganizationParty:
    return contracts.OrganizationParty(organization_id=msp["organization_id"], name=msp["organization_name"])


def ministry_party(msp: Row) -> contracts.MinistryParty:
    return contracts.MinistryParty(
        partner_id=msp["ministry_partner_id"], name=msp["ministry_name"], code=msp["ministry_code"]
    )


def work_locations(msp: Row) -> list[contracts.WorkLocation]:
    return [contracts.WorkLocation.model_validate(item) for item in msp["work_locations"]]


def regions(msp: Row) -> list[Region]:
    return [Region(location.code, location.province_code) for location in work_locations(msp)]


def obligation_facts(obligation: Row) -> dict[str, Any]:
    """The fields every event about an obligation carries (the row joined with its MSP)."""
    return {
        "obligation_id": obligation["id"],
        "obligation_kind": obligation["kind"],
        "msp_id": obligation["msp_id"],
        "organization_id": obligation["organization_id"],
        "organization_name": obligation["organization_name"],
        "ministry_code": obligation["ministry_code"],
        "period": obligation["period"],
        "region_code": obligation["region_code"],
        "province_code": obligation["province_code"],
        "due_on": obligation["due_on"],
    }


def obligation_summary(obligation: Row) -> contracts.ObligationSummary:
    return contracts.ObligationSummary(
        obligation_id=obligation["id"],
        kind=obligation["kind"],
        period=obligation["period"],
        region_code=obligation["region_code"],
        due_on=obligation["due_on"],
        received_outside_mitra_on=obligation.get("received_outside_on"),
    )
