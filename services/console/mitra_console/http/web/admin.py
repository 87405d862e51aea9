"""The administrator's pages (`/admin`...): the console's accounts (list with search and filters, create with a
role and its scope, disable or enable, lift a lockout, set a new password), through the console's own accounts use
cases (the same rules, audit entries and events as `/accounts` of the API); and, read-only, notifications'
recipients and routing rules (`admin_notifications`)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Response
from pydantic import ValidationError

from mitra_console.domain.accounts import SCOPE_OF_ROLE, AccountPatch, NewAccount
from mitra_console.http.web import admin_notifications
from mitra_console.http.web.kit import N_, BadRequest, Page, PageNotFound, Paging, add_nav, web_allow, web_router
from mitra_console.http.web.offices_labels import ROLES, choice, filters, labels, options, uuid_of
from mitra_console.usecases import accounts
from mitra_shared.errors import NotFound, Refused

router = web_router()
router.include_router(admin_notifications.router)
ADMIN = web_allow("admin", note="the administrator manages every account")
add_nav("admin", "/admin/accounts/new", N_("New account"))
add_nav("admin", "/admin/recipients", N_("Recipients"))
add_nav("admin", "/admin/routing-rules", N_("Routing rules"))
ACTIVE_OPTIONS = {"yes": N_("Active"), "no": N_("Disabled")}


def problem_of(refused: Refused | ValidationError) -> dict[str, Any]:
    """A refusal of the console's own rules as the problem document the kit shows (`body.x` → field `x`)."""
    if isinstance(refused, ValidationError):
        found = [
            {"field": "body." + ".".join(str(part) for part in error["loc"]), "reason": error["msg"]}
            for error in refused.errors()
        ]
    else:
        found = [{"field": field, "reason": reason} for field, reason in refused.field_problems()]
    return {"errors": found or [{"field": None, "reason": str(refused)}]}


@router.get("/admin", dependencies=[ADMIN])
async def admin_home(page: Page) -> Response:
    """The accounts, by username: search by name or e-mail, filter by role and state."""
    paging = Paging.from_request(page, per_page=25)
    role = choice(page, "role", ROLES)
    active = choice(page, "active", ACTIVE_OPTIONS)
    q = (page.request.query_params.get("q") or "").strip()[:100] or None
    items, total = await accounts.list_accounts(
        page.request.app.state.uow,
        page.context(),
        role=role,
        organization_id=None,
        active=None if active is None else active == "yes",
        q=q,
        limit=paging.limit,
        offset=paging.offset,
    )
    now = page.request.app.state.clock()
    return page.render(
        "admin/accounts.html",
        {
            "items": [
                {**item.model_dump(), "locked": bool(item.locked_until and item.locked_until > now)} for item in items
            ],
            "total": total,
            "links": paging.links(total),
            "chosen": filters(page, "q", "role", "active"),
            "role_options": options(page, ROLES, blank=N_("Every role")),
            "active_options": options(page, ACTIVE_OPTIONS, blank=N_("Active and disabled")),
            **labels(),
        },
    )


def _new_account_page(page: Page, form: dict[str, str], errors: Any = None) -> Response:
    return page.render(
        "admin/new_account.html",
        {"form": form, "role_options": options(page, ROLES, blank=N_("Choose")), **labels()},
        errors=errors,
        status=422 if errors else 200,
    )


@router.get("/admin/accounts/new", dependencies=[ADMIN])
async def new_account(page: Page) -> Response:
    return _new_account_page(page, {})


@router.post("/admin/accounts", dependencies=[ADMIN])
async def create_account(page: Page) -> Response:
    form = await page.form()
    errors = page.errors()
    role = form.get("role", "")
    if role not in ROLES:
        errors.add("role", N_("Choose the role."))
    scope = SCOPE_OF_ROLE.get(role)
    if scope and not form.get(scope, "").strip():
        errors.add(scope, N_("Enter the scope this role needs."))
    if not form.get("password"):
        errors.add("password", N_("Enter a first password."))
    if not errors:
        values: dict[str, Any] = {name: form.get(name, "").strip() for name in ("username", "display_name", "email")}
        values |= {"role": role, "password": form.get("password", "")}
        if scope:
            values[scope] = form[scope].strip()
        try:
            command = NewAccount.model_validate(values)
            account = await accounts.create_account(
                page.request.app.state.uow, page.context(), page.state.config, command
            )
        except (Refused, ValidationError) as refused:
            errors.add_problem(problem_of(refused))
        else:
            return page.redirect(
                f"/admin/accounts/{account.id}",
                flash=N_("The account %(username)s is created."),
                username=account.username,
            )
    form.pop("password", None)
    return _new_account_page(page, form, errors)


async def _account_page(page: Page, account_id: uuid.UUID, errors: Any = None) -> Response:
    try:
        account = await accounts.get_account(page.request.app.state.uow, page.context(), account_id)
    except NotFound:
        raise PageNotFound() from None
    now = page.request.app.state.clock()
    return page.render(
        "admin/account.html",
        {
            "account": account,
            "locked": bool(account.locked_until and account.locked_until > now),
            "is_me": account.id == page.user.id,
            **labels(),
        },
        errors=errors,
        status=422 if errors else 200,
    )


@router.get("/admin/accounts/{account_id}", dependencies=[ADMIN])
async def account(page: Page, account_id: str) -> Response:
    return await _account_page(page, uuid.UUID(uuid_of(account_id)))


async def _patch(page: Page, account_id: str, patch: AccountPatch, done: str) -> Response:
    """Disable, enable or unlock, with the version the page showed (a change made meanwhile is refused)."""
    key = uuid.UUID(uuid_of(account_id))
    form = await page.form()
    version = form.get("version", "")
    if not version.isdigit():
        raise BadRequest("version")
    errors = page.errors()
    try:
        await accounts.update_account(
            page.request.app.state.uow, page.context(), key, patch, expected_version=int(version)
        )
    except NotFound:
        raise PageNotFound() from None
    except Refused as refused:
        if refused.field == "header.if-match":
            errors.add(None, N_("Someone changed this account meanwhile. Check it below and try again."))
        else:
            errors.add_problem(problem_of(refused))
        return await _account_page(page, key, errors)
    return page.redirect(f"/admin/accounts/{key}", flash=done)


@router.post("/admin/accounts/{account_id}/disable", dependencies=[ADMIN])
async def disable(page: Page, account_id: str) -> Response:
    return await _patch(page, account_id, AccountPatch(active=False), N_("The account is disabled."))


@router.post("/admin/accounts/{account_id}/enable", dependencies=[ADMIN])
async def enable(page: Page, account_id: str) -> Response:
    return await _patch(page, account_id, AccountPatch(active=True), N_("The account is enabled."))


@router.post("/admin/accounts/{account_id}/unlock", dependencies=[ADMIN])
async def unlock(page: Page, account_id: str) -> Response:
    return await _patch(page, account_id, AccountPatch(unlock=True), N_("The account is unlocked."))


@router.post("/admin/accounts/{account_id}/password", dependencies=[ADMIN])
async def set_password(page: Page, account_id: str) -> Response:
    key = uuid.UUID(uuid_of(account_id))
    form = await page.form()
    errors = page.errors()
    if not form.get("new_password"):
        errors.add("new_password", N_("Enter a new password."))
    else:
        try:
            await accounts.reset_password(
                page.request.app.state.uow, page.context(), page.state.config, key, form["new_password"]
            )
        except NotFound:
            raise PageNotFound() from None
        except Refused as refused:
            errors.add_problem(problem_of(refused))
        else:
            return page.redirect(
                f"/admin/accounts/{key}", flash=N_("The new password is set. Tell its owner out of band.")
            )
    return await _account_page(page, key, errors)
