"""The NGO's pages: `/ngo`, its own work first (what is due, overdue or returned; its MSPs; its profile, permits and
foreign staff; visits and recommendation requests; the inbox count), and the modules of the pages it shares with
the other roles (the MSPs and their obligations) or has alone (announcing a visit, asking for a recommendation)."""

from __future__ import annotations

from typing import Any

from fastapi import Response

from mitra_console.http.web import msp_actions, msp_monitoring, msp_new, msp_obligations, msps, ngo_requests
from mitra_console.http.web.kit import N_, Page, PageError, add_nav, all_of, web_allow, web_router

router = web_router()
# /msps/new before /msps/{msp_id}
router.include_router(msp_new.router)
router.include_router(msps.router)
router.include_router(msp_actions.router)
router.include_router(msp_monitoring.router)
router.include_router(msp_obligations.router)
router.include_router(ngo_requests.router)

add_nav("ngo", "/msps", N_("MSPs"))
add_nav("ngo", "/visits/new", N_("Announce a visit"))
add_nav("ngo", "/recommendations/new", N_("Request a recommendation"))
for _role in ("tpoa", "region", "auditor"):  # the ministry's own MSP list is /ministry/msps
    add_nav(_role, "/msps", N_("MSPs"))

TO_DO = ("overdue", "returned", "pending")
NGO_SUBMITS = ("action_plan", "work_plan", "semester_report", "annual_report")  # not the decision to extend


@router.get("/ngo", dependencies=[web_allow("ngo", note="its own organization and MSPs")])
async def ngo_home(page: Page) -> Response:
    organization_id = page.user.organization_id
    to_do, waiting, msp_page, visits, recommendations, unread_count, *own = await all_of(
        page.api.get(
            "agreements",
            "/obligations",
            params={"status": list(TO_DO), "kind": list(NGO_SUBMITS), "sort": "due_on", "limit": 10},
        ),
        page.api.get("agreements", "/submissions", params={"status": "submitted", "limit": 1}),
        page.api.get("agreements", "/msps", params={"limit": 10}),
        page.api.get("agreements", "/visits", params={"status": "announced", "limit": 5}),
        page.api.get("agreements", "/recommendations", params={"limit": 5, "sort": "-requested_at"}),
        _unread(page),
        *(
            [
                page.api.get("registry", f"/organizations/{organization_id}"),
                page.api.get("registry", "/permits", params={"organization_id": organization_id}),
                page.api.get("registry", f"/organizations/{organization_id}/foreign-staff", params={"limit": 20}),
            ]
            if organization_id
            else []
        ),
    )
    organization: dict[str, Any] | None = own[0] if own else None
    permits: list[dict[str, Any]] = own[1]["items"] if own else []
    staff: list[dict[str, Any]] = own[2]["items"] if own else []
    return page.render(
        "ngo/home.html",
        {
            "organization": organization,
            "to_do": to_do["items"],
            "to_do_total": to_do["total"],
            "overdue": sum(1 for item in to_do["items"] if item["status"] == "overdue"),
            "waiting_total": waiting["total"],
            "msps": msp_page["items"],
            "msps_total": msp_page["total"],
            "visits": visits["items"],
            "recommendations": recommendations["items"],
            "permits": permits,
            "staff": staff,
        },
        unread_count=unread_count,
    )


async def _unread(page: Page) -> int | None:
    """The inbox's unread count, or None (the header then asks for it itself) when notifications cannot say."""
    try:
        answer = await page.api.send("GET", "notifications", "/me/inbox/unread-count")
    except PageError:
        return None
    count = answer.json.get("unread") if answer.ok and isinstance(answer.json, dict) else None
    return count if isinstance(count, int) else None
