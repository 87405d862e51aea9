"""A region's office pages (`/region`...): the visits announced to its area, the work plans (RKT) of its region to
agree (accepting or returning one is on the obligation page, /obligations/{id}, helper pages-ngo), and the NGOs working
there. The agreements API keeps each list to the region's area (the token's scope: a province includes its regencies
and cities); the region code is also sent as the filter, so a list says what it holds."""

from __future__ import annotations

from fastapi import Response

from mitra_console.http.web.kit import N_, Page, Paging, Sorting, add_nav, web_allow, web_router
from mitra_console.http.web.offices_labels import LABELS, choice, day_filter, filters, labels, options, uuid_of

router = web_router()
REGION = web_allow("region", note="its own area: the agreements API filters by the token's region_code")
add_nav("region", "/region/visits", N_("Visits"))
add_nav("region", "/region/work-plans", N_("Work plans to agree"))
add_nav("region", "/region/organizations", N_("NGOs working here"))

VISIT_STATES = {key: LABELS[key] for key in ("announced", "cancelled")}
SHOWN_ON_HOME = 5


def _area(page: Page) -> dict[str, str | None]:
    return {"region_code": page.user.region_code}


def _work_plans_query(page: Page, paging: Paging, *, decidable: bool = True) -> dict[str, object]:
    """The work plans submitted in the area: those of exactly its region, which it accepts or returns
    (`decidable`), or the others it reads (a province's regencies), which it may only comment on."""
    return {
        **_area(page),
        "kind": "work_plan",
        "status": "submitted",
        "decidable": "true" if decidable else "false",
        "sort": "due_on",
        "limit": paging.limit,
        "offset": paging.offset,
    }


@router.get("/region", dependencies=[REGION])
async def region_home(page: Page) -> Response:
    today = page.request.app.state.clock().date().isoformat()
    first = Paging(limit=SHOWN_ON_HOME, offset=0, path="/region", query={})
    visits = await page.api.get(
        "agreements",
        "/visits",
        params={**_area(page), "status": "announced", "from": today, "limit": SHOWN_ON_HOME, "offset": 0},
    )
    work_plans = await page.api.get("agreements", "/submissions", params=_work_plans_query(page, first))
    one = Paging(limit=1, offset=0, path="/region", query={})
    for_comment = await page.api.get("agreements", "/submissions", params=_work_plans_query(page, one, decidable=False))
    organizations = await page.api.get("agreements", "/organizations", params={"limit": 1, "offset": 0})
    return page.render(
        "region/home.html",
        {
            "visits": visits,
            "work_plans": work_plans,
            "for_comment_total": for_comment["total"],
            "organizations_total": organizations["total"],
            **labels(),
        },
    )


@router.get("/region/visits", dependencies=[REGION])
async def visits(page: Page) -> Response:
    paging = Paging.from_request(page)
    sorting = Sorting.from_request(page, ("arrives_on", "announced_on"), default="arrives_on")
    errors = page.errors()
    start = day_filter(page, "from", errors)
    end = day_filter(page, "to", errors)
    if start and end and end < start:
        errors.add("to", N_("Enter a day on or after the first day."))
        end = None
    data = await page.api.get(
        "agreements",
        "/visits",
        params={
            **_area(page),
            "status": choice(page, "status", VISIT_STATES),
            "from": start,
            "to": end,
            "sort": sorting.value,
            "limit": paging.limit,
            "offset": paging.offset,
        },
    )
    return page.render(
        "region/visits.html",
        {
            "items": data["items"],
            "total": data["total"],
            "links": paging.links(data["total"]),
            "sorting": sorting,
            "chosen": filters(page, "status", "from", "to"),
            "status_options": options(page, VISIT_STATES, blank=N_("Every status")),
            **labels(),
        },
        errors=errors,
    )


@router.get("/region/visits/{visit_id}", dependencies=[REGION])
async def visit(page: Page, visit_id: str) -> Response:
    item = await page.api.get("agreements", f"/visits/{uuid_of(visit_id)}")
    msp = await page.api.get("agreements", f"/msps/{item['msp_id']}")
    return page.render("region/visit.html", {"item": item, "msp": msp, **labels()})


@router.get("/region/work-plans", dependencies=[REGION])
async def work_plans(page: Page) -> Response:
    """`?for=comment`: the work plans of the area it may only comment on (its regencies', for a province)."""
    paging = Paging.from_request(page)
    for_comment = choice(page, "for", ("comment",)) == "comment"
    query = _work_plans_query(page, paging, decidable=not for_comment)
    data = await page.api.get("agreements", "/submissions", params=query)
    return page.render(
        "region/work_plans.html",
        {
            "items": data["items"],
            "total": data["total"],
            "links": paging.links(data["total"]),
            "for_comment": for_comment,
            **labels(),
        },
    )


@router.get("/region/organizations", dependencies=[REGION])
async def organizations(page: Page) -> Response:
    paging = Paging.from_request(page)
    data = await page.api.get("agreements", "/organizations", params={"limit": paging.limit, "offset": paging.offset})
    return page.render(
        "region/organizations.html",
        {"items": data["items"], "total": data["total"], "links": paging.links(data["total"]), **labels()},
    )
