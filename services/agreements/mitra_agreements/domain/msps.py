"""The MSP (Memorandum Saling Pengertian) and its lifecycle: the steps from draft to end, and the guards of
drafting, signing and extending against what agreements knows of the NGO, its principle permit, the ministry and
the regions of work."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal
from uuid import UUID

from mitra_agreements.domain.registry_facts import KnownOrganization, KnownPartner, KnownPermit
from mitra_shared.contracts.agreements import WorkLocation
from mitra_shared.errors import Conflict, RuleBroken

MspStatus = Literal["draft", "submitted", "approved", "rejected", "signed", "active", "extended", "ended", "terminated"]

IN_FORCE: frozenset[str] = frozenset({"signed", "active", "extended"})
NOT_YET_SIGNED: frozenset[str] = frozenset({"draft", "submitted", "approved"})
NO_NEW_MSP: frozenset[str] = frozenset({"suspended", "revoked", "closed"})

Action = Literal["submit", "approve", "reject", "sign", "extend", "terminate"]
ALLOWED_FROM: dict[Action, frozenset[str]] = {
    "submit": frozenset({"draft"}),
    "approve": frozenset({"submitted"}),
    "reject": frozenset({"submitted"}),
    "sign": frozenset({"approved"}),
    "extend": IN_FORCE,
    "terminate": IN_FORCE,
}
RESULT: dict[Action, MspStatus] = {
    "submit": "submitted",
    "approve": "approved",
    "reject": "rejected",
    "sign": "signed",
    "extend": "extended",
    "terminate": "terminated",
}


@dataclass(frozen=True)
class Region:
    code: str
    province_code: str


def provinces_of(regions: Sequence[Region]) -> list[str]:
    return list(dict.fromkeys(region.province_code for region in regions))


def transition(status: str, action: Action) -> MspStatus:
    """The status after `action`, or a conflict naming the status that forbids it."""
    if status not in ALLOWED_FROM[action]:
        allowed = ", ".join(sorted(ALLOWED_FROM[action]))
        raise Conflict("msp.status", f"an MSP that is {status} cannot be {RESULT[action]} (only from: {allowed})")
    return RESULT[action]


def check_can_get_msp(organization: KnownOrganization | None, organization_id: UUID, *, field: str) -> None:
    if organization is None:
        raise RuleBroken(
            field, f"agreements knows no organization {organization_id} (it learns of NGOs from registry's events)"
        )
    if organization.status in NO_NEW_MSP:
        raise Conflict(
            field, f"{organization.legal_name} is {organization.status} in the register and cannot get a new MSP"
        )


def check_dates(starts_on: date, ends_on: date, *, field: str = "body.ends_on") -> None:
    if ends_on <= starts_on:
        raise RuleBroken(field, f"the end date {ends_on} must be after the start date {starts_on}")


def valid_principle_permit(permits: Sequence[KnownPermit], on: date) -> KnownPermit | None:
    """The principle permit valid on `on` that lasts longest, if any."""
    valid = [permit for permit in permits if permit.valid_on(on)]
    return max(valid, key=lambda permit: permit.valid_until) if valid else None


def check_within_permit(permit: KnownPermit, ends_on: date, *, field: str) -> None:
    if ends_on > permit.valid_until:
        raise Conflict(
            field,
            f"the MSP would end on {ends_on}, after the principle permit {permit.number} (valid until "
            f"{permit.valid_until}); an operating permit cannot outlast the principle permit",
        )


def check_work_locations(codes: Sequence[str], known: dict[str, KnownPartner], *, field: str) -> list[Region]:
    regions = []
    for index, code in enumerate(codes):
        partner = known.get(code)
        if partner is None or partner.partner_kind not in ("province", "regency"):
            raise RuleBroken(
                f"{field}.{index}", f"{code} is not a province or regency agreements knows (from registry's partners)"
            )
        province = partner.code if partner.partner_kind == "province" else partner.parent_code
        if province is None:
            raise RuleBroken(f"{field}.{index}", f"regency {code} has no province in the register")
        regions.append(Region(code, province))
    return regions


def check_ministry(partner: KnownPartner | None, partner_id: UUID) -> KnownPartner:
    if partner is None or partner.partner_kind != "ministry":
        raise RuleBroken(
            "body.ministry_partner_id", f"{partner_id} is not a ministry agreements knows (from registry's partners)"
        )
    return partner


@dataclass(frozen=True)
class DraftParties:
    """Who a new MSP binds and where it works, as agreements knows them at drafting."""

    organization: KnownOrganization
    ministry: KnownPartner
    work_locations: list[WorkLocation]


def check_draft(
    *,
    organization_id: UUID,
    organization: KnownOrganization | None,
    ministry_partner_id: UUID,
    ministry: KnownPartner | None,
    work_location_codes: Sequence[str],
    known_regions: dict[str, KnownPartner],
    starts_on: date,
    ends_on: date,
    permits: Sequence[KnownPermit],
    today: date,
) -> DraftParties:
    """Every guard of drafting: a known NGO that may get an MSP, a known ministry and regions, the dates, and an
    end within the principle permit valid today (if the NGO has one yet: it is needed only to sign)."""
    check_can_get_msp(organization, organization_id, field="body.organization_id")
    assert organization is not None
    known_ministry = check_ministry(ministry, ministry_partner_id)
    regions = check_work_locations(work_location_codes, known_regions, field="body.work_location_codes")
    check_dates(starts_on, ends_on)
    permit = valid_principle_permit(permits, today)
    if permit is not None:
        check_within_permit(permit, ends_on, field="body.ends_on")
    locations = [
        WorkLocation(
            code=region.code,
            kind=known_regions[region.code].partner_kind,
            name=known_regions[region.code].name,
            province_code=region.province_code,
        )
        for region in regions
    ]
    return DraftParties(organization, known_ministry, locations)


def check_signing(
    *,
    status: str,
    organization: KnownOrganization | None,
    organization_id: UUID,
    permits: Sequence[KnownPermit],
    signed_on: date,
    ends_on: date,
    today: date,
) -> KnownPermit:
    """Every guard of signing; returns the principle permit the MSP rests on."""
    if signed_on > today:
        raise RuleBroken("body.signed_on", f"{signed_on} is in the future")
    transition(status, "sign")
    check_can_get_msp(organization, organization_id, field="msp.organization_id")
    permit = valid_principle_permit(permits, signed_on)
    if permit is None:
        name = organization.legal_name if organization else organization_id
        raise Conflict(
            "msp.organization_id",
            f"{name} has no principle permit (izin prinsip) valid on {signed_on}: an MSP cannot be signed without one",
        )
    check_within_permit(permit, ends_on, field="msp.ends_on")
    return permit


def signed_status(starts_on: date, today: date) -> MspStatus:
    """A signed MSP is in force from its start date."""
    return "active" if starts_on <= today else "signed"


def check_extension(
    *,
    status: str,
    ends_on: date,
    new_ends_on: date,
    organization: KnownOrganization | None,
    organization_id: UUID,
    organization_name: str,
    permits: Sequence[KnownPermit],
    today: date,
) -> KnownPermit:
    """Every guard of an extension: an MSP in force, a later end, an NGO that may get an MSP, and a principle permit
    valid today that lasts to the new end. Returns that permit."""
    transition(status, "extend")
    if new_ends_on <= ends_on:
        raise RuleBroken("body.ends_on", f"the new end date must be after the current one ({ends_on})")
    check_can_get_msp(organization, organization_id, field="msp.organization_id")
    permit = valid_principle_permit(permits, today)
    if permit is None:
        raise Conflict(
            "msp.organization_id",
            f"{organization_name} has no principle permit valid today: an MSP cannot be extended without one",
        )
    check_within_permit(permit, new_ends_on, field="body.ends_on")
    return permit


def check_in_force(status: str, *, field: str) -> None:
    """Visits and recommendations need an MSP in force."""
    if status not in IN_FORCE:
        raise Conflict(field, f"the MSP is {status}, not in force")


def check_not_frozen(freeze_reasons: Sequence[str], organization_name: str, *, field: str) -> None:
    """While a freeze (a registry sanction) lasts the NGO gets no new MSP, submits none, extends none and announces
    no visit: 409 naming the NGO's field, with the sanction's reason."""
    if freeze_reasons:
        raise Conflict(
            field,
            f"{organization_name} is frozen by a sanction ({'; '.join(freeze_reasons)}): no new MSP, submission, "
            "extension or visit while it lasts",
        )


def revocation_outcome(status: str) -> Literal["terminate", "reject"] | None:
    """What a revocation of the NGO does to one of its MSPs: one in force ends (terminated), one not yet signed is
    refused (rejected); an MSP already over stays as it is."""
    if status in IN_FORCE:
        return "terminate"
    if status in NOT_YET_SIGNED:
        return "reject"
    return None
