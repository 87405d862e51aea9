"""HTTP API of accounts. Thin: parse, call a use case, shape the answer.

`admin` manages every account; `tpoa` manages NGO staff accounts (`ngo`); everyone with an account reads it and
changes its own password. An account the caller does not manage is answered 404.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from mitra_console.domain.accounts import Account, AccountPatch, AccountRole, NewAccount
from mitra_console.http.common import Config
from mitra_console.usecases import accounts
from mitra_shared.http import CurrentPrincipal, ExpectedVersion, Problem, RequestContext, Work, etag
from mitra_shared.paging import MAX_OFFSET
from mitra_shared.policy import allow

router = APIRouter(tags=["accounts"])
MANAGERS = allow("admin", "tpoa", note="admin: every account; tpoa: NGO staff accounts (`ngo`) only")
PEOPLE = allow("tpoa", "ministry", "region", "ngo", "auditor", "admin", note="the account the token names")
_problems: dict[int | str, dict[str, object]] = {
    404: {"model": Problem, "description": "No such account (or not one the caller manages)"},
    409: {"model": Problem, "description": "The username is taken"},
    412: {"model": Problem, "description": "The account changed since the ETag in If-Match"},
    428: {"model": Problem, "description": "If-Match is missing"},
}


class AccountPage(BaseModel):
    items: list[Account]
    total: int
    limit: int
    offset: int


class NewPassword(BaseModel):
    model_config = ConfigDict(extra="forbid")

    new_password: str = Field(min_length=1, max_length=1024)


class PasswordChange(NewPassword):
    current_password: str = Field(min_length=1, max_length=1024)


@router.post(
    "/accounts",
    status_code=201,
    response_model=Account,
    dependencies=[MANAGERS],
    summary="Create an account",
    description="One role and the scope it needs (`ministry_code`, `region_code` or `organization_id`). The password "
    "has 12 characters at least and is not a well-known one; it is stored as an Argon2 hash.",
    responses={409: _problems[409]},
)
async def create_account(
    command: NewAccount, uow: Work, ctx: RequestContext, config: Config, response: Response
) -> Account:
    account = await accounts.create_account(uow, ctx, config, command)
    response.headers["Location"] = f"/accounts/{account.id}"
    response.headers["ETag"] = etag(account.version)
    return account


@router.get(
    "/accounts",
    response_model=AccountPage,
    dependencies=[MANAGERS],
    summary="List accounts",
    description="The accounts the caller manages (TPOA: the `ngo` ones), by username; filters combine.",
)
async def list_accounts(
    uow: Work,
    ctx: RequestContext,
    role: AccountRole | None = None,
    organization_id: UUID | None = None,
    active: bool | None = None,
    q: Annotated[str | None, Query(min_length=1, max_length=100, description="Part of a name or e-mail.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> AccountPage:
    items, total = await accounts.list_accounts(
        uow, ctx, role=role, organization_id=organization_id, active=active, q=q, limit=limit, offset=offset
    )
    return AccountPage(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/accounts/me",
    response_model=Account,
    dependencies=[PEOPLE],
    summary="The caller's own account",
    responses={404: {"model": Problem, "description": "The token names no account of this console"}},
)
async def my_account(uow: Work, principal: CurrentPrincipal) -> Account:
    return await accounts.my_account(uow, principal)


@router.post(
    "/accounts/me/password",
    status_code=204,
    dependencies=[PEOPLE],
    summary="Change one's own password",
    description="Give the current password and the new one; tokens already issued stay valid until they expire.",
    responses={404: {"model": Problem, "description": "The token names no account of this console"}},
)
async def change_my_password(change: PasswordChange, uow: Work, ctx: RequestContext, config: Config) -> Response:
    await accounts.change_own_password(
        uow, ctx, config, current_password=change.current_password, new_password=change.new_password
    )
    return Response(status_code=204)


@router.get(
    "/accounts/{account_id}",
    response_model=Account,
    dependencies=[MANAGERS],
    summary="Read an account",
    responses={404: _problems[404]},
)
async def get_account(account_id: UUID, uow: Work, ctx: RequestContext, response: Response) -> Account:
    account = await accounts.get_account(uow, ctx, account_id)
    response.headers["ETag"] = etag(account.version)
    return account


@router.patch(
    "/accounts/{account_id}",
    response_model=Account,
    dependencies=[MANAGERS],
    summary="Change, disable or unlock an account",
    description="Send `If-Match` with the ETag last read (428 without, 412 if it changed). Fields left out keep their "
    "value; a new `role` comes with its scope; `active: false` disables; `unlock: true` lifts a lockout.",
    responses={404: _problems[404], 412: _problems[412], 428: _problems[428]},
)
async def update_account(
    account_id: UUID, patch: AccountPatch, uow: Work, ctx: RequestContext, version: ExpectedVersion, response: Response
) -> Account:
    account = await accounts.update_account(uow, ctx, account_id, patch, expected_version=version)
    response.headers["ETag"] = etag(account.version)
    return account


@router.post(
    "/accounts/{account_id}/password",
    status_code=204,
    dependencies=[MANAGERS],
    summary="Set a new password for an account (its owner forgot it)",
    description="Also lifts a lockout. Tell the owner the new password out of band, and let them change it.",
    responses={404: _problems[404]},
)
async def reset_password(
    account_id: UUID, body: NewPassword, uow: Work, ctx: RequestContext, config: Config
) -> Response:
    await accounts.reset_password(uow, ctx, config, account_id, body.new_password)
    return Response(status_code=204)
