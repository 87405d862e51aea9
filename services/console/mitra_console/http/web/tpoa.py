"""TPOA's pages (`/tpoa`...): applicants to review, the register (search, filters, sort, paging), permits, and the
MSPs awaiting TPOA's review (their approve/reject is on the MSP page, /msps/{id}, helper pages-ngo). An NGO's page
with its decision form is `tpoa_organizations` (/organizations/{id})."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import Response

from mitra_console.http.web import tpoa_organizations, tpoa_sanctions
from mitra_console.http.web.kit import N_, Page, Paging, Sorting, add_nav, all_of, web_allow, web_router
from mitra_console.http.web.msp_panels import open_reviews, optional
from mitra_console.http.web.offices_labels import (
    KINDS,
    LABELS,
    choice,
    day_filter,
    filters,
    focus_names,
    labels,
    options,
)

router = web_router()
router.include_router(tpoa_organizations.router)
router.include_router(tpoa_sanctions.router)
TPOA = web_allow("tpoa", note="TPOA keeps the register and reviews MSPs")
add_nav("tpoa", "/tpoa/applicants", N_("Applicants"))
add_nav("tpoa", "/tpoa/register", N_("Register"))
add_nav("tpoa", "/tpoa/permits", N_("Permits"))
add_nav("tpoa", "/tpoa/msps", N_("MSPs to review"))

ORGANIZATION_STATES = {
    key: LABELS[key] for key in ("applicant", "registered", "active", "suspended", "revoked", "closed")
}
PERMIT_TYPES = {key: KINDS[key] for key in ("principle", "operating")}
PERMIT_STATES = {key: LABELS[key] for key in ("valid", "expired", "revoked")}
REGISTER_SORTS = ("registered_at", "legal_name", "country_of_origin", "status")
SHOWN_ON_HOME = 5
EXPIRING_DAYS = 90


def _today(page: Page) -> Any:
    return page.request.app.state.clock().date()


@router.get("/tpoa", dependencies=[TPOA])
async def tpoa_home(page: Page) -> Response:
    first = {"limit": SHOWN_ON_HOME, "offset": 0}
    soon = (_today(page) + timedelta(days=EXPIRING_DAYS)).isoformat()
    applicants, msps, expiring, reviews, names_of_areas = await all_of(
        page.api.get(
            "registry",
            "/organizations",
            params={**first, "status": "applicant", "sort": "registered_at", "order": "asc"},
        ),
        page.api.get("agreements", "/msps", params={**first, "status": "submitted"}),
        page.api.get("registry", "/permits", params={**first, "status": "valid", "expiring_before": soon}),
        open_reviews(page),
        focus_names(page),
    )
    return page.render(
        "tpoa/home.html",
        {
            "applicants": applicants,
            "msps": msps,
            "reviews": reviews,
            "expiring": expiring,
            "expiring_before": soon,
            "names": await _names(page, expiring["items"]),
            "focus_names": names_of_areas,
            **labels(),
        },
    )


@router.get("/tpoa/applicants", dependencies=[TPOA])
async def applicants(page: Page) -> Response:
    paging = Paging.from_request(page)
    data = await page.api.get(
        "registry",
        "/organizations",
        params={
            "status": "applicant",
            "sort": "registered_at",
            "order": "asc",
            "limit": paging.limit,
            "offset": paging.offset,
        },
    )
    return page.render(
        "tpoa/applicants.html",
        {
            "items": data["items"],
            "total": data["total"],
            "links": paging.links(data["total"]),
            "focus_names": await focus_names(page),
            **labels(),
        },
    )


@router.get("/tpoa/register", dependencies=[TPOA])
async def register(page: Page) -> Response:
    paging = Paging.from_request(page)
    sorting = Sorting.from_request(page, REGISTER_SORTS, default="-registered_at")
    errors = page.errors()
    query = page.request.query_params
    q = (query.get("q") or "").strip()[:200] or None
    country = (query.get("country") or "").strip().upper() or None
    if country and not (len(country) == 2 and country.isalpha()):
        errors.add("country", N_("Enter a two-letter country code, like GB."))
        country = None
    names_of_areas = await focus_names(page)
    focus_area = query.get("focus_area") or None
    if focus_area and focus_area not in names_of_areas:
        errors.add("focus_area", N_("Choose one of the options."))
        focus_area = None
    data = await page.api.get(
        "registry",
        "/organizations",
        params={
            "q": q,
            "status": choice(page, "status", ORGANIZATION_STATES),
            "focus_area": focus_area,
            "country": country,
            "expiring_before": day_filter(page, "expiring_before", errors),
            "sort": sorting.key,
            "order": "desc" if sorting.descending else "asc",
            "limit": paging.limit,
            "offset": paging.offset,
        },
    )
    return page.render(
        "tpoa/register.html",
        {
            "items": data["items"],
            "total": data["total"],
            "links": paging.links(data["total"]),
            "sorting": sorting,
            "chosen": filters(page, "q", "status", "focus_area", "country", "expiring_before"),
            "status_options": options(page, ORGANIZATION_STATES, blank=N_("Every status")),
            "focus_options": [("", page.gettext(N_("Every focus area"))), *names_of_areas.items()],
            "focus_names": names_of_areas,
            **labels(),
        },
        errors=errors,
    )


@router.get("/tpoa/permits", dependencies=[TPOA])
async def permits(page: Page) -> Response:
    paging = Paging.from_request(page)
    errors = page.errors()
    data = await page.api.get(
        "registry",
        "/permits",
        params={
            "permit_type": choice(page, "permit_type", PERMIT_TYPES),
            "status": choice(page, "status", PERMIT_STATES),
            "expiring_before": day_filter(page, "expiring_before", errors),
            "limit": paging.limit,
            "offset": paging.offset,
        },
    )
    return page.render(
        "tpoa/permits.html",
        {
            "items": data["items"],
            "total": data["total"],
            "links": paging.links(data["total"]),
            "names": await _names(page, data["items"]),
            "chosen": filters(page, "permit_type", "status", "expiring_before"),
            "type_options": options(page, PERMIT_TYPES, blank=N_("Every kind")),
            "status_options": options(page, PERMIT_STATES, blank=N_("Every status")),
            **labels(),
        },
        errors=errors,
    )


@router.get("/tpoa/msps", dependencies=[TPOA])
async def msps_to_review(page: Page) -> Response:
    paging = Paging.from_request(page)
    data = await page.api.get(
        "agreements", "/msps", params={"status": "submitted", "limit": paging.limit, "offset": paging.offset}
    )
    return page.render(
        "tpoa/msps.html",
        {"items": data["items"], "total": data["total"], "links": paging.links(data["total"]), **labels()},
    )


async def _names(page: Page, permits: list[dict[str, Any]]) -> dict[str, str]:
    """The legal names of the NGOs of some permits: a few (the home page's) each read at once, small answers; more
    (a page of the permits) in one call to the register, not one per row."""
    wanted = sorted({str(permit["organization_id"]) for permit in permits})
    if not wanted:
        return {}
    if len(wanted) <= SHOWN_ON_HOME:
        found = await all_of(*(optional(page, "registry", f"/organizations/{key}") for key in wanted))
        return {key: item["legal_name"] for key, item in zip(wanted, found, strict=True) if item}
    known = await page.api.get("registry", "/organizations", params={"limit": 500, "sort": "legal_name"})
    return {item["id"]: item["legal_name"] for item in known["items"] if item["id"] in wanted}
