"""What the MSP and NGO pages show beside their own record (issue 14), read where the person may see it and left out
where the service has none (404) or keeps it from them: the TPOA team's review (its members, their answers, who is
awaited, who objected, the answer-by date) of an MSP, an extension or an applicant; an MSP's monitoring visits and
mitigation actions; and who may act on each (the services check again)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mitra_console.http.web.kit import N_, NotAllowed, Page, PageError, PageNotFound, all_of
from mitra_shared.access import region_covers

VERDICTS = ("cleared", "objected")
ASPECTS = ("administration", "field_implementation", "monitoring_evaluation")
RATINGS = ("satisfactory", "needs_improvement", "unsatisfactory")
OWNERS = ("ngo", "ministry", "region")
OPEN_ACTIONS = frozenset({"open", "in_progress"})
NEXT_STATUSES = {"open": ("in_progress", "done"), "in_progress": ("done",)}


async def optional(page: Page, service: str, path: str, params: Mapping[str, Any] | None = None) -> Any | None:
    """The resource, or None when the service has none (404), refuses it (403) or does not know the request."""
    try:
        return await page.api.get(service, path, params=params)
    except (PageNotFound, NotAllowed, PageError):
        return None


def items_of(data: Any) -> list[dict[str, Any]]:
    """A list answer as a list, whether the service pages it (`{items, total}`) or not."""
    if isinstance(data, Mapping):
        return list(data.get("items") or [])
    return list(data or [])


def review_state(review: Mapping[str, Any] | None, role: str, ministry_code: str | None) -> dict[str, Any] | None:
    """The review as a page shows it: `answerable` for a member ministry not yet answered (while it is open),
    `answered` once it has; `blocked` (objected or awaited) for TPOA's decision; `closed` once decided."""
    if not review:
        return None
    members = list(review.get("members") or [])
    awaiting = list(review.get("awaiting") or [])
    objected = list(review.get("objected") or [])
    answers = list(review.get("answers") or [])
    answered = {str(answer.get("member_code")) for answer in answers}
    member = role == "ministry" and bool(ministry_code) and ministry_code in members
    return {
        **review,
        "members": members,
        "awaiting": awaiting,
        "objected": objected,
        "answers": answers,
        "member": member,
        "answerable": member and ministry_code not in answered and review.get("status", "open") == "open",
        "answered": member and ministry_code in answered,
        "closed": review.get("status", "open") != "open",
        "decidable": bool(review.get("decidable")),
        "blocked": "objected" if objected else ("awaiting" if not review.get("decidable") else ""),
    }


def touches(msp: Mapping[str, Any], region_code: str | None) -> bool:
    """A region's office the MSP works in (one of its work locations, or a province of one)."""
    if not region_code:
        return False
    for location in msp.get("work_locations") or []:
        if region_code in (location.get("code"), location.get("province_code")):
            return True
    return False


def is_msp_ministry(page: Page, msp: Mapping[str, Any]) -> bool:
    user = page.user
    return user.role == "ministry" and bool(user.ministry_code) and user.ministry_code == msp.get("ministry_code")


def monitors(page: Page, msp: Mapping[str, Any]) -> bool:
    """The MSP's ministry, or a region office it works in, records visits and opens mitigation actions."""
    user = page.user
    return is_msp_ministry(page, msp) or (user.role == "region" and touches(msp, user.region_code))


def owns(page: Page, msp: Mapping[str, Any], action: Mapping[str, Any]) -> bool:
    """The owner of a mitigation action: the NGO, the MSP's ministry, or the office of exactly the region code named
    (not its province's office), as agreements checks (`domain/monitoring_access.py`)."""
    user = page.user
    owner = action.get("owner")
    if owner == "ngo":
        return user.role == "ngo" and str(user.organization_id) == str(msp.get("organization_id"))
    if owner == "ministry":
        return is_msp_ministry(page, msp)
    return owner == "region" and user.role == "region" and user.region_code == action.get("owner_region_code")


def status_choices(page: Page, msp: Mapping[str, Any], action: Mapping[str, Any]) -> list[str]:
    """The statuses the person may move the action to: its owner onwards (never `cancelled`); only the MSP's Mitra
    Utama cancels, whoever owns it."""
    status = str(action.get("status") or "")
    if status not in OPEN_ACTIONS:
        return []
    found = list(NEXT_STATUSES.get(status, ())) if owns(page, msp, action) else []
    if is_msp_ministry(page, msp):
        found.append("cancelled")
    return found


async def monitoring(page: Page, msp: Mapping[str, Any]) -> dict[str, Any]:
    """The MSP's monitoring visits and mitigation actions, each action with the statuses the person may give it."""
    base = f"/msps/{msp['id']}"
    visits_found, actions_found = await all_of(
        optional(page, "agreements", f"{base}/monitoring-visits"),
        optional(page, "agreements", f"{base}/mitigation-actions"),
    )
    visits, actions = items_of(visits_found), items_of(actions_found)
    for action in actions:
        action["choices"] = status_choices(page, msp, action)
    return {
        "visits": sorted(visits, key=lambda visit: str(visit.get("visited_on") or ""), reverse=True),
        "actions": sorted(actions, key=lambda action: str(action.get("due_on") or "")),
        "monitors": monitors(page, msp) and msp.get("status") in ("signed", "active", "extended"),
        **region_options(page, msp),
    }


def region_options(page: Page, msp: Mapping[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """The regions the monitoring forms offer: the MSP's work locations, for a region's office only those it covers
    (a province covers its regencies), as agreements allows; the visit's blank option is the ministry's own visit
    or, for a region's office, one of its own area; an action's owner region is chosen (a region's office may name
    itself)."""
    user = page.user
    scope = user.region_code if user.role == "region" else None
    places: list[tuple[str, str]] = []
    for location in msp.get("work_locations") or []:
        code = str(location.get("code") or "")
        if code and (scope is None or region_covers(scope, code)):
            places.append((code, f"{location.get('name') or code} ({code})"))
    if scope:
        own = page.gettext(N_("Your office's own area (%(code)s)"), code=scope)
        owners = places if any(code == scope for code, _ in places) else [(scope, own), *places]
        return {"visit_regions": [("", own), *places], "owner_regions": [("", page.gettext(N_("Choose"))), *owners]}
    blank = page.gettext(N_("None: the ministry's own"))
    return {"visit_regions": [("", blank), *places], "owner_regions": [("", page.gettext(N_("Choose"))), *places]}


SANCTION_KINDS = ("warning", "freeze", "revocation")
SANCTION_CATEGORIES = (
    "political_activity",
    "proselytising",
    "commercial_activity",
    "fundraising",
    "reporting_failure",
    "other",
)


async def organization_panels(page: Page, organization: Mapping[str, Any]) -> dict[str, Any]:
    """An NGO's sanctions (newest first; TPOA lifts the active ones that may be lifted) and its application's review
    by the TPOA team (a member ministry answers it there; the government's deliberation, not shown to the NGO)."""
    base = f"/organizations/{organization['id']}"
    user = page.user
    sanctions_found, found = await all_of(
        optional(page, "registry", f"{base}/sanctions", {"limit": 100}),
        optional(page, "registry", f"{base}/review") if user.role != "ngo" else None,
    )
    sanctions = items_of(sanctions_found)
    for sanction in sanctions:
        sanction["liftable"] = (
            user.role == "tpoa" and sanction.get("status") == "active" and sanction.get("kind") != "revocation"
        )
    review = review_state(found, user.role, user.ministry_code)
    if review and organization.get("status") != "applicant":
        # the application is decided: its review is closed, answered no more and blocking nothing
        review.update(answerable=False, blocked="", closed=True)
    return {
        "sanctions": sorted(sanctions, key=lambda item: str(item.get("imposed_at") or ""), reverse=True),
        "imposes": user.role == "tpoa" and organization.get("status") not in ("revoked", "closed"),
        "review": review,
        "sanction_kinds": sanction_kinds(organization, sanctions),
        "sanction_categories": SANCTION_CATEGORIES,
    }


def sanction_kinds(organization: Mapping[str, Any], sanctions: list[dict[str, Any]]) -> tuple[str, ...]:
    """The kinds TPOA may impose, as registry allows: an applicant is warned only (its application is closed
    instead); an NGO already frozen is not frozen again (a warning or a revocation)."""
    if organization.get("status") == "applicant":
        return ("warning",)
    if any(item.get("kind") == "freeze" and item.get("status") == "active" for item in sanctions):
        return ("warning", "revocation")
    return SANCTION_KINDS


async def open_reviews(page: Page, limit: int = 5) -> dict[str, Any]:
    """The TPOA team's open reviews for a home page: applications (registry) and MSPs or extensions (agreements),
    soonest answer-by first. For a ministry the services keep those still awaiting its answer (none unless it is a
    member); for TPOA every review in progress. A service without the queue leaves its list empty."""
    params = {"limit": limit, "offset": 0}
    applications, msps = await all_of(
        optional(page, "registry", "/reviews", params), optional(page, "agreements", "/reviews", params)
    )
    found = {"applications": items_of(applications), "msps": items_of(msps)}
    totals = {
        f"{name}_total": int(data.get("total", len(found[name]))) if isinstance(data, Mapping) else len(found[name])
        for name, data in (("applications", applications), ("msps", msps))
    }
    return {**found, **totals, "any": bool(found["applications"] or found["msps"])}
