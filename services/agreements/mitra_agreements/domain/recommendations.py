"""Visa/stay-permit and tax-exemption recommendations: what a request must name, and a decision made once."""

from __future__ import annotations

from mitra_shared.errors import Conflict, RuleBroken


def check_request(*, kind: str, expert_name: str | None, expert_nationality: str | None) -> None:
    """A visa recommendation names the foreign expert and their nationality."""
    if kind != "visa":
        return
    for name, value in (("expert_name", expert_name), ("expert_nationality", expert_nationality)):
        if not value:
            raise RuleBroken(f"body.{name}", f"a visa recommendation names the expert's {name}")


def check_issue(*, status: str, reference_number: str | None, reference_taken: bool, new_reference: str) -> None:
    """A request is decided once, under a reference number no other recommendation carries."""
    if status != "requested":
        raise Conflict("path.recommendation_id", f"already issued as {reference_number}")
    if reference_taken:
        raise Conflict("body.reference_number", f"the reference number {new_reference} is already used")
