"""The person's own settings: password (the accounts use case), language, time zone; and the language switch of
the header (one click, before or after login)."""

from __future__ import annotations

from fastapi import Response

from mitra_console.domain import web, zones
from mitra_console.http.web.i18n import N_
from mitra_console.http.web.page import Page, PublicPage
from mitra_console.http.web.policy import WEB_PEOPLE, WEB_PUBLIC
from mitra_console.http.web.routing import web_router
from mitra_console.usecases import accounts, web_sessions
from mitra_shared.errors import RuleBroken

router = web_router(tags=["web"])
ZONE_LABELS = {
    zones.WIB: N_("WIB: Western Indonesia (Jakarta, UTC+7)"),
    zones.WITA: N_("WITA: Central Indonesia (Makassar, UTC+8)"),
    zones.WIT: N_("WIT: Eastern Indonesia (Jayapura, UTC+9)"),
}


def _settings_page(page: Page, *, errors: object = None, status: int = 200) -> Response:
    region_zone = zones.zone_of_region(page.user.region_code)
    return page.render(
        "account/settings.html",
        {
            "zone_options": [(zone, page.gettext(label)) for zone, label in ZONE_LABELS.items()],
            "region_zone": zones.ZONE_ABBREVIATIONS[region_zone],
        },
        errors=errors,  # type: ignore[arg-type]
        status=status,
    )


@router.get("/account", dependencies=[WEB_PEOPLE])
async def settings(page: Page) -> Response:
    return _settings_page(page)


@router.post("/account/password", dependencies=[WEB_PEOPLE])
async def change_password(page: Page) -> Response:
    form = await page.form()
    current, new, confirm = (
        form.get("current_password", ""),
        form.get("new_password", ""),
        form.get("confirm_password", ""),
    )
    errors = page.errors()
    if not current:
        errors.add("current_password", N_("Enter your current password."))
    if not new:
        errors.add("new_password", N_("Enter a new password."))
    elif new != confirm:
        errors.add("confirm_password", N_("The two passwords differ."))
    if not errors:
        try:
            await accounts.change_own_password(
                page.request.app.state.uow,
                page.context(),
                page.state.config,
                current_password=current,
                new_password=new,
            )
        except RuleBroken as refused:
            errors.add_problem({"errors": [{"field": refused.field, "reason": refused.reason}]})
    if errors:
        return _settings_page(page, errors=errors, status=422)
    session = page.session
    assert session is not None
    await web_sessions.end_other_sessions(
        page.request.app.state.uow, page.system_context(), session.account.id, keep=session.id_hash
    )
    return page.redirect("/account", flash=N_("Your password is changed. Your other sessions have ended."))


@router.post("/account/preferences", dependencies=[WEB_PEOPLE])
async def preferences(page: Page) -> Response:
    form = await page.form()
    zone = form.get("time_zone", "")
    if zone not in zones.ZONES:
        errors = page.errors()
        errors.add("time_zone", N_("Choose a time zone."))
        return _settings_page(page, errors=errors, status=422)
    assert page.session is not None
    await web_sessions.set_time_zone(page.request.app.state.uow, page.context(), page.session, zone)
    language = form.get("language")
    if language in web.LANGUAGES and language != page.session.language:
        await web_sessions.set_language(page.request.app.state.uow, page.context(), page.session, language)
    response = page.redirect("/account", flash=N_("Your settings are saved."))
    if language in web.LANGUAGES:
        page.set_cookie(response, web.LANGUAGE_COOKIE, language, max_age=365 * 86400)
    return response


@router.post("/language", dependencies=[WEB_PUBLIC])
async def switch_language(page: PublicPage) -> Response:
    """The header's switch: Bahasa Indonesia ⇄ English, back to the same page."""
    form = await page.form()
    language = web.language_or_default(form.get("language"))
    if page.session is not None and language != page.session.language:
        await web_sessions.set_language(page.request.app.state.uow, page.context(), page.session, language)
    response = page.redirect(web.safe_next(form.get("next")))
    page.set_cookie(response, web.LANGUAGE_COOKIE, language, max_age=365 * 86400)
    return response
