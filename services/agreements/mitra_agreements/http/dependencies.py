"""What every agreements router shares: the bearer token, the documented problems, the service's policy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, cast

from fastapi import APIRouter, Depends, Request

from mitra_agreements.domain.letters import Letterhead
from mitra_agreements.domain.policy import Policy
from mitra_agreements.settings import AgreementsSettings
from mitra_shared.http import Problem, require_principal
from mitra_shared.policy import allow

PROBLEMS: dict[int | str, dict[str, object]] = {
    404: {"model": Problem, "description": "No such resource"},
    409: {"model": Problem, "description": "The command conflicts with the current state; the field says which"},
    422: {"model": Problem, "description": "Invalid request; each invalid field and why"},
}


def router(tag: str) -> APIRouter:
    """A router behind the bearer token, documenting the problems its routes answer with."""
    return APIRouter(dependencies=[Depends(require_principal)], tags=[tag], responses=PROBLEMS)


async def current_policy(request: Request) -> Policy:
    """The rules' settings (reminder and visit-notice days, TPOA's members) the service was built with."""
    return cast(AgreementsSettings, request.app.state.runtime.spec.settings).policy()


CurrentPolicy = Annotated[Policy, Depends(current_policy)]


async def current_letterheads(request: Request) -> Mapping[str, Letterhead]:
    """The ministries' letterheads of the settings (`MITRA_LETTERHEADS`), by ministry code."""
    settings = cast(AgreementsSettings, request.app.state.runtime.spec.settings)
    return settings.letterheads


Letterheads = Annotated[Mapping[str, Letterhead], Depends(current_letterheads)]


async def current_base_url(request: Request) -> str:
    """Where the service is reached from outside (`MITRA_PUBLIC_BASE_URL`, else its host and port): the start of
    a public document's address."""
    settings = cast(AgreementsSettings, request.app.state.runtime.spec.settings)
    return settings.base_url


BaseUrl = Annotated[str, Depends(current_base_url)]

# The policies of agreements' operations (the roles each allows; the use cases check their scope,
# `domain/access.py`).
READ = allow(
    "tpoa",
    "ministry",
    "region",
    "ngo",
    "auditor",
    "integration",
    note="tpoa, auditor, integration: everything; ngo: its own; ministry: its MSPs (Mitra Utama); region: what "
    "touches its area (a province covers its regencies); lists are filtered to the caller's scope",
)
NGO_FOR_ITSELF = allow("ngo", note="the NGO itself, for its own organization and MSPs")
TPOA_REVIEW = allow("tpoa", note="not whoever drafted or submitted the MSP (four eyes)")
MITRA_UTAMA = allow("ministry", note="the MSP's Mitra Utama ministry (its ministry_code)")
