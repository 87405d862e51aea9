"""The files behind agreements' records: who attaches what to a submission, an MSP or a recommendation, and when;
which documents may be made public (the open-data export links an MSP's documents as IATI A09 and an annual
report's as B01, nothing else). Pure: the principal and the owner's facts in, a purpose or a refusal out.

Reading a document is reading its owner: whoever reads the submission, MSP or recommendation (`domain/access.py`)
reads its documents; anyone else is told it does not exist (404).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from mitra_agreements.domain.access import (
    MspParties,
    check_ngo_acts_for,
    may_read_msp,
    may_read_obligation,
    may_read_recommendation,
)
from mitra_shared.access import has_role, ministry_of, organization_of, require
from mitra_shared.context import Principal
from mitra_shared.errors import Conflict, RuleBroken

OwnerType = Literal["submission", "msp", "recommendation"]

SUBMISSION_PURPOSES = ("main", "annex")
MSP_PURPOSES = ("signed_msp", "amendment", "annex")
RECOMMENDATION_PURPOSES = ("supporting", "letter")

# An MSP that is over takes no more documents.
MSP_CLOSED: frozenset[str] = frozenset({"ended", "terminated", "rejected"})

# The documents the open-data export links, and their IATI document category.
IATI_CATEGORY_MSP = "A09"
IATI_CATEGORY_ANNUAL_REPORT = "B01"
ANNUAL_REPORT = "annual_report"


def may_read(principal: Principal, owner_type: str, msp: MspParties, *, region_code: str | None = None) -> bool:
    """Whether the caller reads a document of this owner: as it reads a submission (its obligation, of
    `region_code`), an MSP or a recommendation."""
    if owner_type == "submission":
        return may_read_obligation(principal, msp, region_code)
    if owner_type == "msp":
        return may_read_msp(principal, msp)
    if owner_type == "recommendation":
        return may_read_recommendation(principal, msp)
    return False


def _check_purpose(purpose: str, allowed: tuple[str, ...], what: str) -> str:
    if purpose not in allowed:
        raise RuleBroken("body.purpose", f"a document of {what} is one of: {', '.join(allowed)}")
    return purpose


def _is_ngo_of(principal: Principal, msp: MspParties) -> bool:
    return has_role(principal, "ngo") and organization_of(principal) == msp.organization_id


def _is_ministry_of(principal: Principal, msp: MspParties) -> bool:
    return has_role(principal, "ministry") and ministry_of(principal) == msp.ministry_code


def check_attach(principal: Principal, owner_type: str, msp: MspParties, *, status: str) -> None:
    """Whether the caller may attach a document to this record now, whatever it turns out to be: checked before the
    file is read (the purpose, in the same request, is checked by `attach_purpose` once it is).

    - a submission: the NGO that submitted it, while it awaits review (`submitted`);
    - an MSP: its NGO, its Mitra Utama ministry or TPOA, until it is over (ended, terminated, rejected);
    - a recommendation: the requesting NGO before the decision (supporting documents), the deciding ministry after
      it (the signed scan of the letter).
    """
    if owner_type == "submission":
        check_ngo_acts_for(principal, msp.organization_id)
        if status != "submitted":
            raise Conflict(
                "submission.status", f"documents are attached while the submission awaits review; it is {status}"
            )
    elif owner_type == "msp":
        require(
            _is_ngo_of(principal, msp) or _is_ministry_of(principal, msp) or has_role(principal, "tpoa"),
            "the MSP's NGO, its Mitra Utama ministry or TPOA attach its documents",
        )
        if status in MSP_CLOSED:
            raise Conflict("msp.status", f"the MSP is {status}: it takes no more documents")
    else:
        require(
            _is_ngo_of(principal, msp) or _is_ministry_of(principal, msp),
            "the requesting NGO attaches supporting documents, the deciding ministry the letter",
        )
        if _is_ngo_of(principal, msp) and status != "requested":
            raise Conflict("recommendation.status", "supporting documents are attached before the decision")
        if _is_ministry_of(principal, msp) and status != "issued":
            raise Conflict("recommendation.status", "the letter is attached once the recommendation is decided")


def attach_purpose(
    principal: Principal, owner_type: str, msp: MspParties, *, status: str, purpose: str | None, documents_so_far: int
) -> str:
    """The purpose of a document being attached (`check_attach` first): a submission's first document is its
    `main` file unless said otherwise, the others `annex`es; an MSP's document says what it is; a recommendation's
    is `supporting` from the NGO and the `letter` from the ministry."""
    check_attach(principal, owner_type, msp, status=status)
    if owner_type == "submission":
        return _check_purpose(
            purpose or ("main" if documents_so_far == 0 else "annex"), SUBMISSION_PURPOSES, "a submission"
        )
    if owner_type == "msp":
        if purpose is None:
            raise RuleBroken("body.purpose", f"say what the document is: one of {', '.join(MSP_PURPOSES)}")
        return _check_purpose(purpose, MSP_PURPOSES, "an MSP")
    own = "letter" if _is_ministry_of(principal, msp) else "supporting"
    chosen = _check_purpose(purpose or own, RECOMMENDATION_PURPOSES, "a recommendation")
    if chosen != own:
        raise RuleBroken(
            "body.purpose", "the requesting NGO attaches `supporting` documents, the deciding ministry the `letter`"
        )
    return chosen


@dataclass(frozen=True)
class Publication:
    """A document that may be made public: the IATI category the export gives it, and the reporting year of an
    annual report when its period is a calendar year."""

    category: str
    year: int | None


def check_publication(
    principal: Principal, msp: MspParties, *, owner_type: str, obligation_kind: str | None, period: str | None
) -> Publication:
    """The MSP's Mitra Utama ministry or TPOA marks an MSP's document (A09) or an annual report's (B01) public or
    private again; no other document is ever public."""
    require(
        _is_ministry_of(principal, msp) or has_role(principal, "tpoa"),
        "the MSP's Mitra Utama ministry or TPOA publish its documents",
    )
    if owner_type == "msp":
        return Publication(IATI_CATEGORY_MSP, None)
    if owner_type == "submission" and obligation_kind == ANNUAL_REPORT:
        year = int(period) if period and re.fullmatch(r"\d{4}", period) else None
        return Publication(IATI_CATEGORY_ANNUAL_REPORT, year)
    what = f"a {obligation_kind.replace('_', ' ')}" if owner_type == "submission" and obligation_kind else owner_type
    raise RuleBroken(
        "path.document_id",
        f"only an MSP's documents (IATI A09) and an annual report's (B01) are made public, not those of {what}",
    )
