"""The administrator's read-only view of notifications: who gets messages (recipients) and which events go to whom
by which channel (routing rules), from the notifications API. Changing them stays with the API (and its audit)."""

from __future__ import annotations

from fastapi import Response

from mitra_console.http.web.kit import N_, Page, web_allow, web_router
from mitra_console.http.web.offices_labels import choice, filters, labels, options

router = web_router()
ADMIN = web_allow("admin", note="read-only lists of notifications' recipients and routing rules")
RECIPIENT_ROLES = {
    "tpoa": N_("TPOA"),
    "ministry": N_("Ministry"),
    "province": N_("Province"),
    "regency": N_("Regency or city"),
    "ngo": N_("NGO"),
}
AUDIENCES = {
    "tpoa": N_("TPOA"),
    "mitra_utama": N_("The MSP's Mitra Utama"),
    "regions_of_work": N_("The regions where the MSP works"),
    "regions_visited": N_("The regions visited"),
    "ngo": N_("The NGO"),
    "ministries": N_("Every ministry"),
    "provinces": N_("Every province"),
    "regencies": N_("Every regency and city"),
}
CHANNELS = {"email": N_("E-mail"), "webhook": N_("Webhook"), "inbox": N_("Inbox")}


@router.get("/admin/recipients", dependencies=[ADMIN])
async def recipients(page: Page) -> Response:
    role = choice(page, "role", RECIPIENT_ROLES)
    items = await page.api.get("notifications", "/recipients", params={"role": role})
    return page.render(
        "admin/recipients.html",
        {
            "items": sorted(items, key=lambda item: (item["role"], item["name"].lower())),
            "chosen": filters(page, "role"),
            "role_options": options(page, RECIPIENT_ROLES, blank=N_("Every role")),
            "recipient_roles": {**RECIPIENT_ROLES, "account": N_("A person's account")},
            **labels(),
        },
    )


@router.get("/admin/routing-rules", dependencies=[ADMIN])
async def routing_rules(page: Page) -> Response:
    items = await page.api.get("notifications", "/routing-rules")
    return page.render(
        "admin/routing_rules.html",
        {
            "items": sorted(items, key=lambda item: (item["routing_key"], item["audience"])),
            "audiences": AUDIENCES,
            "channels": CHANNELS,
            **labels(),
        },
    )
