"""Logging in and out, and the password reset by e-mail (pages open without a session)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import structlog
from fastapi import Response

from mitra_console.domain import web
from mitra_console.http.web.i18n import N_
from mitra_console.http.web.page import PublicPage
from mitra_console.http.web.policy import WEB_LOGOUT, WEB_PUBLIC
from mitra_console.http.web.routing import web_router
from mitra_console.usecases import password_reset, web_sessions
from mitra_console.usecases.web_mail import Mailer
from mitra_shared.errors import RuleBroken

log = structlog.get_logger(__name__)
router = web_router(tags=["web"])
DEMO_ACCOUNTS = (
    ("tpoa", N_("TPOA secretariat")),
    ("kemensos", N_("Ministry of Social Affairs")),
    ("kemendagri", N_("Ministry of Home Affairs (TPOA member)")),
    ("jateng", N_("Province of Central Java (33)")),
    ("semarang", N_("City of Semarang (3374)")),
    ("plan", N_("Plan International (NGO)")),
    ("auditor", N_("Auditor")),
    ("admin", N_("Administrator")),
)
_MAILS: set[asyncio.Task[None]] = set()


def _login_page(page: Any, values: dict[str, Any], *, status: int = 200, errors: Any = None) -> Response:
    demo = DEMO_ACCOUNTS if page.state.settings.environment == "local" else ()
    return page.render("auth/login.html", {"demo_accounts": demo, **values}, status=status, errors=errors)


@router.get("/login", dependencies=[WEB_PUBLIC])
async def login_form(
    page: PublicPage, next: str = "/", expired: str = "", logged_out: str = "", reset: str = ""
) -> Response:
    if page.session is not None:
        return page.redirect(web.safe_next(next))
    notes = {"expired": bool(expired), "logged_out": bool(logged_out), "reset": bool(reset)}
    return _login_page(page, {"next": web.safe_next(next), **notes})


@router.post("/login", dependencies=[WEB_PUBLIC])
async def log_in(page: PublicPage) -> Response:
    form = await page.form()
    username, password = form.get("username", "").strip(), form.get("password", "")
    target = web.safe_next(form.get("next"))
    errors = page.errors()
    if not username:
        errors.add("username", N_("Enter your username."))
    if not password:
        errors.add("password", N_("Enter your password."))
    if len(username) > 256 or len(password) > 1024:
        errors.add("username", N_("The username or password is too long."))
    if errors:
        return _login_page(page, {"next": target, "username": username}, status=422, errors=errors)
    try:
        started = await web_sessions.log_in(
            page.request.app.state.uow,
            page.system_context(),
            page.state.config,
            page.state.times,
            username=username,
            password=password,
            language=page.lang,
        )
    except web_sessions.LoginRefused:
        errors.add(
            "password",
            N_(
                "The username or password is wrong. After %(n)s failed attempts the account is locked for %(m)s "
                "minutes: wait, or ask for a new password."
            ),
            n=page.state.settings.console_lockout_failures,
            m=page.state.settings.console_lockout_minutes,
        )
        return _login_page(page, {"next": target, "username": username}, status=401, errors=errors)
    page.state.remember_token(
        started.session.id_hash, started.access_token, started.token_expires_at, page.request.app.state.clock()
    )
    response = page.redirect(target)
    max_age = int(page.state.times.absolute.total_seconds())
    page.set_cookie(response, web.SESSION_COOKIE, started.session_id, max_age=max_age)
    page.set_cookie(response, web.LANGUAGE_COOKIE, started.session.language, max_age=365 * 86400)
    return response


@router.post("/logout", dependencies=[WEB_LOGOUT])
async def log_out(page: PublicPage) -> Response:
    if page.session is not None:
        page.state.forget_token(page.session.id_hash)
        await web_sessions.log_out(page.request.app.state.uow, page.system_context(), page.session.id_hash)
    response = page.redirect("/login?logged_out=1")
    response.delete_cookie(web.SESSION_COOKIE, path="/")
    return response


@router.get("/password/forgot", dependencies=[WEB_PUBLIC])
async def forgot_form(page: PublicPage) -> Response:
    return page.render("auth/forgot.html")


@router.post("/password/forgot", dependencies=[WEB_PUBLIC])
async def forgot(page: PublicPage) -> Response:
    name = (await page.form()).get("name", "").strip()
    errors = page.errors()
    if not name or len(name) > 320:
        errors.add("name", N_("Enter your username or e-mail address."))
        return page.render("auth/forgot.html", {"name": name}, errors=errors, status=422)
    state = page.state
    lifetime_minutes = state.settings.console_password_reset_minutes
    mail = await password_reset.request_reset(
        page.request.app.state.uow, page.system_context(), name, timedelta(minutes=lifetime_minutes)
    )
    if mail is not None:
        link = f"{state.settings.base_url.rstrip('/')}/password/reset/{mail.token}"
        subject = page.gettext(N_("Mitra: set a new password"))
        text = page.gettext(
            N_(
                "Hello %(name)s,\n\nSomeone (we hope you) asked to set a new password for your Mitra account. Open "
                "this link within %(minutes)s minutes to choose one; it works once:\n\n%(link)s\n\nIf you did not "
                "ask, ignore this e-mail: your password stays as it is.\n\nMitra"
            ),
            name=mail.display_name,
            minutes=lifetime_minutes,
            link=link,
        )
        # Sent after the answer: the page reads and takes the same time whether an account was found or not.
        task = asyncio.create_task(_send(state.mailer, mail, subject, text))
        _MAILS.add(task)
        task.add_done_callback(_MAILS.discard)
    return page.render("auth/forgot_sent.html", {"minutes": lifetime_minutes})


async def _send(mailer: Mailer, mail: password_reset.ResetMail, subject: str, text: str) -> None:
    try:
        await mailer.send(to=mail.to, subject=subject, text=text)
    except Exception:  # the person can ask again; the log says why it failed
        log.exception("password reset mail not sent")


@router.get("/password/reset/{token}", dependencies=[WEB_PUBLIC])
async def reset_form(page: PublicPage, token: str) -> Response:
    if len(token) > 128 or not await password_reset.link_usable(
        page.request.app.state.uow, page.system_context(), token
    ):
        return page.render("auth/reset_unusable.html", status=410)
    return page.render("auth/reset.html", {"token": token})


@router.post("/password/reset/{token}", dependencies=[WEB_PUBLIC])
async def reset(page: PublicPage, token: str) -> Response:
    form = await page.form()
    new_password, confirm = form.get("new_password", ""), form.get("confirm_password", "")
    errors = page.errors()
    if not new_password:
        errors.add("new_password", N_("Enter a new password."))
    elif new_password != confirm:
        errors.add("confirm_password", N_("The two passwords differ."))
    if not errors:
        try:
            await password_reset.reset_with_link(
                page.request.app.state.uow, page.system_context(), page.state.config, token[:128], new_password
            )
        except password_reset.LinkUnusable:
            return page.render("auth/reset_unusable.html", status=410)
        except RuleBroken as refused:
            errors.add_problem({"errors": [{"field": refused.field, "reason": refused.reason}]})
    if errors:
        return page.render("auth/reset.html", {"token": token}, errors=errors, status=422)
    return page.redirect("/login?reset=1")
