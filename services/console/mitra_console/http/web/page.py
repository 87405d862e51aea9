"""A page being answered: who asks (the session), in which language and zone, the services' client, and how to
answer (render a template, redirect with a flash message). Routes take it as a parameter:

    @router.get("/ngo", dependencies=[web_allow("ngo")])
    async def ngo_home(page: Page) -> Response:
        return page.render("ngo/home.html", {"organization": await page.api.get("registry", "/organizations/...")})

`PublicPage` is the same for pages open without a session (its `session` may be None).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mitra_console.domain import web, zones
from mitra_console.http.web.api import ApiClient
from mitra_console.http.web.forms import FormErrors, hidden_csrf
from mitra_console.http.web.i18n import N_
from mitra_console.http.web.nav import navigation, office_of
from mitra_console.http.web.policy import session_of, system_context
from mitra_console.http.web.routing import (
    BadRequest,
    CsrfRefused,
    FileTooLarge,
    LoginRequired,
    NotAllowed,
    PageError,
    PageNotFound,
    ServiceUnavailable,
)
from mitra_console.http.web.state import WebState, web_state
from mitra_console.usecases import web_sessions
from mitra_console.usecases.web_sessions import SessionAccount, WebSession
from mitra_shared.context import Context, Principal
from mitra_shared.http import correlation_id

FLASH_COOKIE = "mitra_flash"


@dataclass(frozen=True)
class Flash:
    kind: str  # success, info, warning
    msgid: str
    params: dict[str, str]


class WebPage:
    def __init__(self, request: Request, state: WebState, session: WebSession | None) -> None:
        self.request = request
        self.state = state
        self.session = session
        self._flashes: list[Flash] = []
        self._api: ApiClient | None = None
        # a page's calls run at once: the first to need a token mints it, the others wait for it and use it
        self._minting = asyncio.Lock()
        self._minted: str | None = None

    # --- who and how ---------------------------------------------------------------------------------------------

    @property
    def user(self) -> SessionAccount:
        if self.session is None:
            raise LoginRequired()
        return self.session.account

    @property
    def lang(self) -> str:
        if self.session is not None:
            return self.session.language
        return web.language_or_default(self.request.cookies.get(web.LANGUAGE_COOKIE))

    @property
    def time_zone(self) -> str:
        if self.session is None:
            return zones.WIB
        return zones.zone_or_default(self.session.time_zone, self.session.account.region_code)

    @property
    def csrf_token(self) -> str:
        """The token this page's forms carry: the session's, or before login the `mitra_csrf` cookie's."""
        if self.session is not None:
            return self.session.csrf_token
        token = self.request.cookies.get(web.CSRF_COOKIE) or getattr(self.request.state, "new_csrf", None)
        if not token:
            token = self.request.state.new_csrf = web.new_secret()
        return str(token)

    def gettext(self, msgid: str, **params: Any) -> str:
        return self.state.languages.gettext(self.lang, msgid, **params)

    def context(self) -> Context:
        """The context of a change the person makes through the console's own use cases (with their identity)."""
        account = self.user
        principal = Principal(
            subject=str(account.id), roles=(account.role,), name=account.display_name, scope=account.scope
        )
        return Context(principal=principal, now=self.request.app.state.clock(), request_id=correlation_id(self.request))

    def system_context(self) -> Context:
        return system_context(self.request)

    # --- the services --------------------------------------------------------------------------------------------

    @property
    def api(self) -> ApiClient:
        if self._api is None:
            session = self.session
            if session is None:
                raise LoginRequired()
            self._api = ApiClient(
                self.state.clients,
                lambda fresh: self._token(session, fresh),
                call_clients=self.state.call_clients,
                language=self.lang,
                request_id=correlation_id(self.request),
                on_logged_out=lambda: self._log_out(session),
            )
        return self._api

    async def _token(self, session: WebSession, fresh: bool) -> str:
        async with self._minting:
            if fresh and self._minted:  # another call of this page, refused too, has just had a fresh one minted
                return self._minted
            token = await self._cached_or_minted(session, fresh)
            if fresh:
                self._minted = token
            return token

    async def _cached_or_minted(self, session: WebSession, fresh: bool) -> str:
        now = self.request.app.state.clock()
        cached = None if fresh else self.state.cached_token(session.id_hash, now)
        if cached:
            return cached
        try:
            token, seconds = await web_sessions.mint_token(
                self.request.app.state.uow, self.system_context(), self.state.config, session.account
            )
        except web_sessions.LoginRefused:
            await self._log_out(session)
            raise LoginRequired("ended") from None
        self.state.remember_token(session.id_hash, token, now + timedelta(seconds=seconds), now)
        return token

    async def _log_out(self, session: WebSession) -> None:
        self.state.forget_token(session.id_hash)
        await web_sessions.log_out(self.request.app.state.uow, self.system_context(), session.id_hash)

    # --- forms ---------------------------------------------------------------------------------------------------

    async def form(self) -> dict[str, str]:
        """The posted form's fields (the last value of each; `form_lists()` for repeated ones), CSRF token left out."""
        data = await self.request.form()
        return {key: value for key, value in data.items() if isinstance(value, str) and key != web.CSRF_FIELD}

    async def form_lists(self) -> dict[str, list[str]]:
        data = await self.request.form()
        result: dict[str, list[str]] = {}
        for key, value in data.multi_items():
            if isinstance(value, str) and key != web.CSRF_FIELD:
                result.setdefault(key, []).append(value)
        return result

    def errors(self) -> FormErrors:
        return FormErrors(self)

    # --- answers -------------------------------------------------------------------------------------------------

    def flash(self, msgid: str, kind: str = "success", **params: Any) -> None:
        """A message shown once on the next page rendered (after a redirect): a msgid, translated there."""
        self._flashes.append(Flash(kind, msgid, {name: str(value) for name, value in params.items()}))

    def redirect(self, url: str, *, flash: str | None = None, kind: str = "success", **params: Any) -> Response:
        """303 to `url` (POST-redirect-GET), with a flash message (a msgid) to show there."""
        if flash:
            self.flash(flash, kind, **params)
        response = RedirectResponse(url, status_code=303)
        if self.request.headers.get("HX-Request"):
            response.headers["HX-Redirect"] = url
        self._store_flashes(response, self._flashes)
        return response

    def render(
        self,
        template: str,
        context: Mapping[str, Any] | None = None,
        *,
        status: int = 200,
        errors: FormErrors | None = None,
        unread_count: int | None = None,
    ) -> HTMLResponse:
        """The template (under `templates/`) in the page's language, with the layout's context and `context`."""
        shown = [
            {"kind": flash.kind, "text": self.gettext(flash.msgid, **flash.params)}
            for flash in [*self._read_flashes(), *self._flashes]
        ]
        values: dict[str, Any] = {
            "request": self.request,
            "page": self,
            "lang": self.lang,
            "other_lang": "en" if self.lang == "id" else "id",
            "time_zone": self.time_zone,
            "zone_name": zones.ZONE_ABBREVIATIONS.get(self.time_zone, self.time_zone),
            "user": self.session.account if self.session else None,
            "office": office_of(self.session.account) if self.session else None,
            "nav": navigation(self.session.account.role, self.request.url.path) if self.session else [],
            "csrf_token": self.csrf_token,
            "csrf_field": hidden_csrf(self.csrf_token),
            "flashes": shown,
            "errors": errors if errors is not None else FormErrors(self),
            "unread_count": unread_count,
            "environment": self.state.settings.environment,
            "path": self.request.url.path,
            **(context or {}),
        }
        html = self.state.languages.environments[self.lang].get_template(template).render(values)
        response = HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})
        if self.request.cookies.get(FLASH_COOKIE):
            response.delete_cookie(FLASH_COOKIE, path="/")
        new_csrf = getattr(self.request.state, "new_csrf", None)
        if new_csrf and self.session is None:
            self.set_cookie(response, web.CSRF_COOKIE, str(new_csrf), max_age=None)
        return response

    def set_cookie(self, response: Response, name: str, value: str, *, max_age: int | None) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path="/",
            httponly=True,
            samesite="lax",
            secure=self.state.settings.secure_cookies,
        )

    # flash messages ride in a cookie signed with the session's CSRF token (no session: none are kept)
    def _signature(self, payload: bytes) -> str | None:
        if self.session is None:
            return None
        key = self.session.csrf_token.encode()
        return hmac.new(key, payload, hashlib.sha256).hexdigest()[:32]

    def _store_flashes(self, response: Response, flashes: list[Flash]) -> None:
        payload = json.dumps([[flash.kind, flash.msgid, flash.params] for flash in flashes]).encode()
        signature = self._signature(payload)
        if flashes and signature:
            value = base64.urlsafe_b64encode(payload).decode() + "." + signature
            self.set_cookie(response, FLASH_COOKIE, value, max_age=300)

    def _read_flashes(self) -> list[Flash]:
        raw = self.request.cookies.get(FLASH_COOKIE, "")
        encoded, _, signature = raw.partition(".")
        try:
            payload = base64.urlsafe_b64decode(encoded.encode())
        except ValueError:
            return []
        expected = self._signature(payload)
        if not raw or expected is None or not hmac.compare_digest(expected, signature):
            return []
        try:
            return [Flash(str(kind), str(msgid), dict(params)) for kind, msgid, params in json.loads(payload)][:5]
        except (ValueError, TypeError):
            return []


async def web_page(request: Request) -> WebPage:
    session = await session_of(request)
    page = WebPage(request, await web_state(request), session)
    if session is None:
        raise LoginRequired(getattr(request.state, "session_end", "missing"))
    return page


async def public_page(request: Request) -> WebPage:
    return WebPage(request, await web_state(request), await session_of(request))


Page = Annotated[WebPage, Depends(web_page)]
PublicPage = Annotated[WebPage, Depends(public_page)]

ERROR_PAGES: dict[type[PageError], tuple[str, str]] = {
    NotAllowed: (N_("You cannot see this page"), N_("Your role does not give access to this page or record.")),
    PageNotFound: (N_("Page not found"), N_("The page or record does not exist, or is not one you may see.")),
    CsrfRefused: (
        N_("This form has expired"),
        N_(
            "The form was sent without its security token (or with an old one), so nothing was changed. Go back, "
            "reload the page and send the form again."
        ),
    ),
    ServiceUnavailable: (
        N_("Service unavailable"),
        N_("A part of Mitra is not answering right now. Nothing was changed; try again in a few minutes."),
    ),
    BadRequest: (N_("The address is not valid"), N_("Check the address or go back to the previous page.")),
    FileTooLarge: (
        N_("The file is too large"),
        N_("A file may be at most %(max)s. Nothing was sent. Go back and choose a smaller file."),
    ),
}


async def render_error(request: Request, error: PageError) -> Response:
    if isinstance(error, LoginRequired):
        next_path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        query = {"next": web.safe_next(next_path if request.method == "GET" else "/")}
        if error.reason in ("idle", "ended"):
            query["expired"] = "1"
        target = f"/login?{urlencode(query)}"
        response: Response = RedirectResponse(target, status_code=303)
        if request.headers.get("HX-Request"):
            response.headers["HX-Redirect"] = target
        if error.reason != "missing" or request.cookies.get(web.SESSION_COOKIE):
            response.delete_cookie(web.SESSION_COOKIE, path="/")
        return response
    page = WebPage(request, await web_state(request), getattr(request.state, "web_session", None))
    title, text = ERROR_PAGES.get(type(error), (N_("Something went wrong"), N_("Try again in a few minutes.")))
    service = error.service if isinstance(error, ServiceUnavailable) else None
    status = error.status if error.status >= 400 else 500
    params = {"max": error.limit} if isinstance(error, FileTooLarge) else {}
    response = page.render(
        "error.html",
        {"title": page.gettext(title), "text": page.gettext(text, **params), "service": service},
        status=status,
    )
    if isinstance(error, FileTooLarge):  # the body is left unread: the connection is not to be used again
        response.headers["Connection"] = "close"
    return response
