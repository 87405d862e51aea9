"""HTTP API of foreign staff (tenaga ahli asing). Thin: parse, call a use case, shape the answer."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel

from mitra_registry.domain.access import KEEPER, READS_WHOLE_REGISTER
from mitra_registry.domain.staff import (
    MAX_ACTIVE_PER_ORGANIZATION,
    MAX_ASSIGNMENT_YEARS,
    AssignForeignStaff,
    EndAssignment,
    ForeignStaff,
    ForeignStaffQuery,
    ForeignStaffSummary,
)
from mitra_registry.usecases import staff
from mitra_shared.http import RequestContext, Work, problems, require_principal
from mitra_shared.policy import allow

# Foreign staff belong to an NGO: their routes are listed under the organizations as well as under their own tag.
router = APIRouter(dependencies=[Depends(require_principal)], tags=["organizations", "foreign staff"])

_RULES = (
    f"An NGO has at most {MAX_ACTIVE_PER_ORGANIZATION} active foreign staff on any day, and an assignment lasts at "
    f"most {MAX_ASSIGNMENT_YEARS} years (`ends_on` at most {MAX_ASSIGNMENT_YEARS} years after `starts_on`). An "
    "assignment is active from `starts_on` to `ends_on` (both included), or until the day before `ended_on` if it "
    "was ended early; days count in Asia/Jakarta."
)


class ForeignStaffPage(BaseModel):
    items: list[ForeignStaffSummary]
    total: int
    limit: int
    offset: int


@router.post(
    "/organizations/{organization_id}/foreign-staff",
    status_code=201,
    response_model=ForeignStaff,
    summary="Assign a foreign expert to an NGO",
    description=f"{_RULES} Only a `registered` or `active` NGO may take foreign staff. A broken limit, an NGO in "
    "another status, or the same passport already assigned in the period is a 409; invalid dates are a 422; "
    "either way nothing is written. Publishes `registry.foreign_staff.assigned`, which carries no passport number. "
    "TPOA assigns to any NGO, an NGO to itself (another NGO is answered 404).",
    responses=problems(404, 409, 422),
    dependencies=[allow(KEEPER, "ngo", note="an NGO: its own staff (another NGO is answered 404)")],
)
async def assign_foreign_staff(
    organization_id: UUID, command: AssignForeignStaff, uow: Work, ctx: RequestContext, response: Response
) -> ForeignStaff:
    assignment = await staff.assign(uow, ctx, organization_id, command)
    response.headers["Location"] = f"/foreign-staff/{assignment.id}"
    return assignment


@router.get(
    "/organizations/{organization_id}/foreign-staff",
    response_model=ForeignStaffPage,
    summary="An NGO's foreign staff",
    description="Oldest start first, with passport numbers masked (`GET /foreign-staff/{id}` shows one in full to "
    "TPOA and the NGO itself). `state` keeps the `upcoming`, `active` or `ended` assignments as of today in "
    "Asia/Jakarta. An NGO lists its own staff only (another NGO is answered 404).",
    responses=problems(404, 422),
    dependencies=[allow(*READS_WHOLE_REGISTER, "ngo", note="an NGO: its own staff (another NGO is answered 404)")],
)
async def list_foreign_staff(
    organization_id: UUID, query: Annotated[ForeignStaffQuery, Query()], uow: Work, ctx: RequestContext
) -> ForeignStaffPage:
    items, total = await staff.list_of_organization(uow, ctx, organization_id, query)
    return ForeignStaffPage(items=items, total=total, limit=query.limit, offset=query.offset)


@router.get(
    "/foreign-staff/{assignment_id}",
    response_model=ForeignStaff,
    summary="One foreign-staff assignment, with the passport number for those who may see it",
    description="The passport number is personal data: `passport_number` is in full only for TPOA and the NGO the "
    "expert works for, and `null` for every other role; `passport_number_masked` (the last three characters) is "
    "there for all. An NGO reads its own staff only (another NGO's assignment is answered 404).",
    responses=problems(404, 422),
    dependencies=[
        allow(
            *READS_WHOLE_REGISTER,
            "ngo",
            note="an NGO: its own staff (another's: 404); the passport number only for TPOA and the NGO itself",
        )
    ],
)
async def get_foreign_staff(assignment_id: UUID, uow: Work, ctx: RequestContext) -> ForeignStaff:
    return await staff.get(uow, ctx, assignment_id)


@router.post(
    "/foreign-staff/{assignment_id}/end",
    response_model=ForeignStaff,
    summary="End an assignment early",
    description="From `ended_on` on, the assignment no longer counts toward the NGO's limit. `ended_on` lies "
    "between `starts_on` and `ends_on`; an assignment already ended, or already past its planned end, is a 409. "
    "Publishes `registry.foreign_staff.ended`. TPOA ends any assignment, an NGO those of its own staff (another "
    "NGO's is answered 404).",
    responses=problems(404, 409, 422),
    dependencies=[allow(KEEPER, "ngo", note="an NGO: its own staff (another NGO's is answered 404)")],
)
async def end_foreign_staff(
    assignment_id: UUID, command: EndAssignment, uow: Work, ctx: RequestContext
) -> ForeignStaff:
    return await staff.end(uow, ctx, assignment_id, command)
