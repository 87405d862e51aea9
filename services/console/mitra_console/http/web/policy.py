"""Who may see a page, the repo's way: `dependencies=[web_allow("ngo", ...)]` (the roles named; a person without a
session goes to the login page, one of another role gets a 403 page) or `dependencies=[WEB_PUBLIC]` (login, reset,
the assets). Both are `mitra_shared.policy` policies (subclasses of its markers), so the app's deny-by-default
check sees them; the pages are left out of OpenAPI.

Both also check CSRF on every POST, PUT, PATCH and DELETE: the form's `csrf_token` field or the `X-CSRF-Token`
header (htmx) must be the session's token; without a session (the login form), the token of the `mitra_csrf`
cookie (double submit). A request without a valid one is refused with a 403 page saying why.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request

from mitra_console.domain import web
from mitra_console.http.web.routing import CsrfRefused, LoginRequired, NotAllowed
from mitra_console.http.web.state import web_state
from mitra_console.usecases import web_sessions
from mitra_console.usecases.web_sessions import WebSession
from mitra_shared.access import ROLES
from mitra_shared.context import Context
from mitra_shared.http import correlation_id
from mitra_shared.policy import Anyone, Policy, RolesAllowed

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_NOT_LOOKED_UP = object()


def system_context(request: Request, component: str = "console.web") -> Context:
    return Context.for_system(component, request.app.state.clock(), request_id=correlation_id(request))


async def session_of(request: Request) -> WebSession | None:
    """The active session the cookie names (looked up once per request), or None; `request.state.session_end` says
    why there is none (`missing`, `idle`, `ended`)."""
    found = getattr(request.state, "web_session", _NOT_LOOKED_UP)
    if found is None or isinstance(found, WebSession):
        return found
    session_id = request.cookies.get(web.SESSION_COOKIE)
    session: WebSession | None = None
    end = "missing"
    if session_id and len(session_id) <= 128:
        state = await web_state(request)
        result = await web_sessions.find_session(
            request.app.state.uow, system_context(request), state.times, session_id
        )
        session, end = result.session, result.state
        if session is None:
            state.forget_token(web.secret_hash(session_id))
    request.state.web_session = session
    request.state.session_end = end
    return session


async def submitted_csrf(request: Request) -> str | None:
    header = request.headers.get(web.CSRF_HEADER)
    if header:
        return header
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()  # kept by Starlette: the page reads the same form again
        value = form.get(web.CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


async def check_csrf(request: Request, session: WebSession | None, *, allow_pre_session: bool) -> None:
    if request.method not in UNSAFE_METHODS:
        return
    given = await submitted_csrf(request)
    if session is not None and web.csrf_matches(session.csrf_token, given):
        return
    if allow_pre_session and web.csrf_matches(request.cookies.get(web.CSRF_COOKIE), given):
        return
    raise CsrfRefused("missing" if not given else "mismatch")


class WebRolesAllowed(RolesAllowed):
    """A page for these roles: a session of one of them, and a valid CSRF token on a change."""

    async def __call__(self, request: Request) -> None:  # type: ignore[override]
        session = await session_of(request)
        if session is None:  # nothing can change without a session: no CSRF to check, off to log in
            raise LoginRequired(getattr(request.state, "session_end", "missing"))
        await check_csrf(request, session, allow_pre_session=False)
        if session.account.role not in self.policy.roles:
            raise NotAllowed(f"role {session.account.role}")


class WebAnyone(Anyone):
    """A page for anyone (the login form): a change still needs a CSRF token, the session's or the cookie's
    (`only_with_session`: no check without a session, where the request can change nothing: logging out)."""

    def __init__(self, policy: Policy, *, only_with_session: bool = False) -> None:
        super().__init__(policy)
        self.only_with_session = only_with_session

    async def __call__(self, request: Request) -> None:  # type: ignore[override]
        session = await session_of(request)
        if session is None and self.only_with_session:
            return
        await check_csrf(request, session, allow_pre_session=True)


def web_allow(*roles: str, note: str = "") -> Any:
    """The policy of a page: these roles may see it (`note`: what their scope limits, as in the API)."""
    unknown = [role for role in roles if role not in ROLES]
    if not roles or unknown:
        raise ValueError(f"web_allow() needs roles of {ROLES}, got {roles}")
    return Depends(WebRolesAllowed(Policy(tuple(roles), note=note)))


PEOPLE_ROLES = ("tpoa", "ministry", "region", "ngo", "auditor", "admin")
WEB_PUBLIC: Any = Depends(WebAnyone(Policy((), public=True)))
WEB_LOGOUT: Any = Depends(WebAnyone(Policy((), public=True), only_with_session=True))
WEB_PEOPLE: Any = web_allow(*PEOPLE_ROLES, note="everyone with an account: their own settings")
