"""Who may do what in agreements, within the roles each route allows (`allow(...)` in `http/`): which records a
caller's scope covers, who decides what, and four eyes. Pure: the principal and agreements' own copy of the facts
(each MSP's NGO, Mitra Utama ministry and work locations) in, a yes or a refusal out.

What each role's scope covers:

- `tpoa`, `auditor`, `integration` (and the service itself, a `system:` principal) read everything.
- `ngo` (`organization_id`): its own organization and the MSPs it is party to, with their obligations,
  submissions, visits and recommendations. It drafts and submits its own MSPs, submits their obligations,
  announces, changes and cancels their visits and requests their recommendations; it decides nothing.
- `ministry` (`ministry_code`): the MSPs whose Mitra Utama it is, everything under them, and their NGOs. It signs,
  asks TPOA to extend and terminates them, accepts or returns their reports and Action Plans (and the work plans
  without a region), comments on their work plans, and issues their recommendations. A TPOA member ministry
  (`Policy.tpoa_members`) also reads the MSPs whose review asked it, and answers that review.
- `region` (`region_code`; a province covers its regencies and cities): the MSPs with a work location that touches
  its area (a regency is concerned by a province-wide MSP too), their MSP-wide obligations and those of a region
  that touches it, the visits that go to its area, and the NGOs party to those MSPs; no recommendations. It
  accepts or returns the work plans (RKT) of exactly its own region, and comments on the submissions it reads.
- `admin`: nothing in agreements (no domain decision).

One rule for a record outside the caller's scope: a record the caller may not read does not exist for them (404,
worded as for an unknown id); one it may read but not act on that way (a region's officer and the report of an MSP
it sees) is refused with 403. A record named in the body of a request (the NGO of a draft, the MSP of a visit or
of a recommendation) that is not the caller's is refused with 403 naming the field.

Four eyes: whoever drafted or submitted an MSP does not approve, reject or sign it; whoever submitted a work plan
or report does not accept or return it; whoever requested a recommendation does not issue it (the same subject,
whatever role its token names now).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from mitra_shared.access import (
    has_role,
    ministry_of,
    organization_of,
    reads_everything,
    region_covers,
    region_of,
    require,
    require_not_same_person,
    role_of,
)
from mitra_shared.context import Principal
from mitra_shared.errors import Forbidden


@dataclass(frozen=True)
class MspParties:
    """What agreements knows of an MSP's parties and places, as the scope rules read them."""

    organization_id: UUID
    ministry_code: str
    region_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReadScope:
    """What a caller reads, as the list queries filter it; None: no limit on that fact."""

    organization_id: UUID | None = None
    ministry_code: str | None = None
    region_code: str | None = None


def read_scope(principal: Principal) -> ReadScope:
    """The caller's scope for reading, or 403 for a role that reads nothing of agreements (or a scoped role whose
    token lacks its scope)."""
    role = role_of(principal)
    if principal.is_system or reads_everything(principal):
        return ReadScope()
    if role == "ngo" and (organization := organization_of(principal)) is not None:
        return ReadScope(organization_id=organization)
    if role == "ministry" and (ministry := ministry_of(principal)):
        return ReadScope(ministry_code=ministry)
    if role == "region" and (region := region_of(principal)):
        return ReadScope(region_code=region)
    raise Forbidden(None, f"the `{role}` role reads nothing of agreements")


def touches(scope_code: str, region_codes: Sequence[str]) -> bool:
    """Whether a region's office is concerned with something in these regions (its province's, its regencies')."""
    return any(region_covers(scope_code, code) or region_covers(code, scope_code) for code in region_codes)


def covers_msp(scope: ReadScope, msp: MspParties) -> bool:
    if scope.organization_id is not None and msp.organization_id != scope.organization_id:
        return False
    if scope.ministry_code is not None and msp.ministry_code != scope.ministry_code:
        return False
    return scope.region_code is None or touches(scope.region_code, msp.region_codes)


# --- reading ----------------------------------------------------------------------------------------------------


def may_read_msp(principal: Principal, msp: MspParties) -> bool:
    return covers_msp(read_scope(principal), msp)


def may_read_obligation(principal: Principal, msp: MspParties, region_code: str | None) -> bool:
    """An obligation of an MSP the caller reads; a region's officer reads the MSP-wide ones and those of a region
    that touches its own."""
    scope = read_scope(principal)
    if not covers_msp(scope, msp):
        return False
    return scope.region_code is None or region_code is None or touches(scope.region_code, [region_code])


def may_read_visit(principal: Principal, msp: MspParties, visit_region_codes: Sequence[str]) -> bool:
    """A visit under an MSP of the caller's; for a region's officer, a visit that goes to its area."""
    scope = read_scope(principal)
    if scope.region_code is not None:
        return touches(scope.region_code, visit_region_codes)
    return covers_msp(scope, msp)


def may_read_recommendation(principal: Principal, msp: MspParties) -> bool:
    """A recommendation under an MSP of the caller's; regions are not concerned (they name foreign experts)."""
    scope = read_scope(principal)
    return scope.region_code is None and covers_msp(scope, msp)


def may_read_organization(principal: Principal, organization_id: UUID, msps: Sequence[MspParties]) -> bool:
    """An NGO reads itself; a ministry or a region the NGOs party to an MSP it reads (`msps`: the NGO's)."""
    scope = read_scope(principal)
    if scope.organization_id is not None:
        return organization_id == scope.organization_id
    if scope.ministry_code is None and scope.region_code is None:
        return True
    return any(covers_msp(scope, msp) for msp in msps)


# --- acting -----------------------------------------------------------------------------------------------------


def check_ngo_acts_for(principal: Principal, organization_id: UUID, *, field: str | None = None) -> None:
    """Only the NGO itself drafts, submits, announces and requests for its organization."""
    require(
        has_role(principal, "ngo") and organization_of(principal) == organization_id,
        "only the NGO itself does this, for its own organization",
        field=field,
    )


def check_review(principal: Principal, *, drafted_by: str | None, submitted_by: str | None) -> None:
    """TPOA approves or rejects a submitted MSP; not whoever drafted or submitted it."""
    require(has_role(principal, "tpoa"), "only TPOA reviews an MSP")
    require_not_same_person(principal, drafted_by, "drafted")
    require_not_same_person(principal, submitted_by, "submitted")


def check_ministry_acts(principal: Principal, msp: MspParties) -> None:
    """The Mitra Utama signs, extends and terminates an MSP, and issues its recommendations."""
    require(
        has_role(principal, "ministry") and ministry_of(principal) == msp.ministry_code,
        "only the MSP's Mitra Utama ministry does this",
    )


def check_signing(principal: Principal, msp: MspParties, *, drafted_by: str | None, submitted_by: str | None) -> None:
    check_ministry_acts(principal, msp)
    require_not_same_person(principal, drafted_by, "drafted")
    require_not_same_person(principal, submitted_by, "submitted")


def check_decide_submission(
    principal: Principal, msp: MspParties, *, kind: str, region_code: str | None, submitted_by: str
) -> None:
    """A work plan (RKT) of a region is accepted or returned by the office of exactly that region (the ministry
    comments on it); the rest (reports, the Action Plan) by the Mitra Utama. Not whoever submitted it."""
    if kind == "work_plan" and region_code is not None:
        require(
            has_role(principal, "region") and region_of(principal) == region_code,
            f"only the office of region {region_code} accepts or returns this work plan; the ministry may comment",
        )
    else:
        require(
            has_role(principal, "ministry") and ministry_of(principal) == msp.ministry_code,
            "only the MSP's Mitra Utama ministry accepts or returns this submission",
        )
    require_not_same_person(principal, submitted_by, "submitted")


def deciding_office(principal: Principal) -> tuple[str | None, str | None]:
    """(ministry_code, region_code) of the office that decides submissions (`check_decide_submission`): a ministry
    the submissions of its MSPs but a region's work plans, a region's office the work plans of exactly its region;
    (None, None) for a role that decides none."""
    if has_role(principal, "ministry"):
        return ministry_of(principal), None
    if has_role(principal, "region"):
        return None, region_of(principal)
    return None, None


def check_comment(principal: Principal, msp: MspParties) -> None:
    """The Mitra Utama, or a region's office (which reads the submission), comments on a submission."""
    by_ministry = has_role(principal, "ministry") and ministry_of(principal) == msp.ministry_code
    require(
        by_ministry or has_role(principal, "region"),
        "only the MSP's Mitra Utama ministry or a region's office comments on its submissions",
    )


def check_review_member(principal: Principal, members: Sequence[str]) -> str:
    """A TPOA member ministry asked by the review answers it; returns its code."""
    code = ministry_of(principal) if has_role(principal, "ministry") else None
    require(code is not None and code in members, "only a TPOA member ministry asked by this review answers it")
    assert code is not None
    return code


def check_tpoa(principal: Principal) -> None:
    """TPOA (the secretariat) decides an extension."""
    require(has_role(principal, "tpoa"), "only TPOA decides an extension")


def check_issue_recommendation(principal: Principal, msp: MspParties, *, requested_by: str) -> None:
    check_ministry_acts(principal, msp)
    require_not_same_person(principal, requested_by, "requested")
