"""Every person's inbox (`/inbox`: notifications' GET /me/inbox, mark one or all read) and their own notification
preferences (`/settings/notifications`: GET/PUT /me/preferences). Notifications answers 404 while it has no
recipient for the account yet (it makes one from the console's account events): the pages say so instead of failing.
"""

from __future__ import annotations

from typing import Any

from fastapi import Response

from mitra_console.http.web.kit import N_, WEB_PEOPLE, Page, PageNotFound, Paging, web_router
from mitra_console.http.web.offices_labels import choice, uuid_of

router = web_router()
UNREAD_OPTIONS = {"yes": N_("Unread"), "no": N_("Read")}


def link_of(item: dict[str, Any], role: str) -> str | None:
    """Where an entry leads, for the person's role: the page of what it is about (None: nowhere to go)."""
    link = item.get("link") or {}
    kind, object_id = link.get("object_type"), link.get("object_id")
    msp_id, organization_id = link.get("msp_id"), link.get("organization_id")
    if kind == "msp" and object_id:
        return f"/msps/{object_id}"
    if kind == "obligation" and object_id:
        return f"/obligations/{object_id}"
    if kind == "visit" and object_id and role == "region":
        return f"/region/visits/{object_id}"
    if kind == "recommendation" and object_id and role == "ministry":
        return f"/ministry/recommendations/{object_id}"
    if kind == "organization" and object_id and role != "admin":
        return f"/organizations/{object_id}"
    if msp_id:
        return f"/msps/{msp_id}"
    if organization_id and role not in ("admin", "auditor"):
        return f"/organizations/{organization_id}"
    return None


@router.get("/inbox", dependencies=[WEB_PEOPLE])
async def inbox(page: Page) -> Response:
    paging = Paging.from_request(page, per_page=20)
    unread = choice(page, "unread", UNREAD_OPTIONS)
    try:
        data = await page.api.get(
            "notifications",
            "/me/inbox",
            params={
                "unread": None if unread is None else str(unread == "yes").lower(),
                "limit": paging.limit,
                "offset": paging.offset,
            },
        )
    except PageNotFound:
        data = None
    role = page.user.role
    return page.render(
        "inbox/inbox.html",
        {
            "ready": data is not None,
            "items": [{**item, "href": link_of(item, role)} for item in (data or {}).get("items", [])],
            "total": (data or {}).get("total", 0),
            "unread": (data or {}).get("unread", 0),
            "links": paging.links((data or {}).get("total", 0)),
            "chosen": unread or "",
            "back": page.request.url.path + (f"?{page.request.url.query}" if page.request.url.query else ""),
        },
        unread_count=(data or {}).get("unread"),
    )


def _back(form: dict[str, str]) -> str:
    target = form.get("next", "")
    return target if target.startswith("/inbox") and not target.startswith("//") else "/inbox"


@router.post("/inbox/read-all", dependencies=[WEB_PEOPLE])
async def read_all(page: Page) -> Response:
    form = await page.form()
    answer = await page.api.send("POST", "notifications", "/me/inbox/read-all")
    if not answer.ok:
        return page.redirect(_back(form), flash=N_("Nothing was marked read: try again."), kind="warning")
    marked = answer.json.get("marked", 0) if isinstance(answer.json, dict) else 0
    return page.redirect(_back(form), flash=N_("%(n)s messages marked read."), n=marked)


@router.post("/inbox/{notification_id}/read", dependencies=[WEB_PEOPLE])
async def mark_read(page: Page, notification_id: str) -> Response:
    form = await page.form()
    answer = await page.api.send("POST", "notifications", f"/me/inbox/{uuid_of(notification_id)}/read")
    if not answer.ok:
        return page.redirect(_back(form), flash=N_("Nothing was marked read: try again."), kind="warning")
    return page.redirect(_back(form), flash=N_("The message is marked read."))


@router.get("/settings/notifications", dependencies=[WEB_PEOPLE])
async def preferences(page: Page) -> Response:
    try:
        current = await page.api.get("notifications", "/me/preferences")
    except PageNotFound:
        current = None
    return _preferences_page(page, current, {})


def _preferences_page(page: Page, current: dict[str, Any] | None, form: dict[str, str], errors: Any = None) -> Response:
    values = form or (
        {
            "language": current["language"],
            "email_enabled": "yes" if current["email_enabled"] else "no",
            "digest": "yes" if current["digest"] else "no",
        }
        if current
        else {}
    )
    return page.render(
        "inbox/preferences.html",
        {"current": current, "form": values},
        errors=errors,
        status=422 if errors else 200,
    )


@router.post("/settings/notifications", dependencies=[WEB_PEOPLE])
async def save_preferences(page: Page) -> Response:
    form = await page.form()
    errors = page.errors()
    if form.get("language") not in ("id", "en"):
        errors.add("language", N_("Choose the language of your messages."))
    if form.get("email_enabled") not in ("yes", "no"):
        errors.add("email_enabled", N_("Choose whether you want e-mail."))
    if form.get("digest") not in ("yes", "no"):
        errors.add("digest", N_("Choose how often you get e-mail."))
    if not errors:
        answer = await page.api.send(
            "PUT",
            "notifications",
            "/me/preferences",
            json={
                "language": form["language"],
                "email_enabled": form["email_enabled"] == "yes",
                "digest": form["digest"] == "yes",
            },
        )
        if answer.ok:
            return page.redirect("/settings/notifications", flash=N_("Your notification preferences are saved."))
        errors.add_problem(answer.problem)
    try:
        current = await page.api.get("notifications", "/me/preferences")
    except PageNotFound:
        current = None
    return _preferences_page(page, current, form, errors)
