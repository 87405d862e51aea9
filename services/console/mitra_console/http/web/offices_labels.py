"""What the office pages (ministry, TPOA, region, auditor, admin, inbox) share: the labels of the states and kinds
the APIs name (msgids, translated in the templates with `_()`), and small helpers of their lists."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from uuid import UUID

from mitra_console.http.web.kit import N_, BadRequest, WebPage

LABELS: dict[str, str] = {
    # MSPs
    "draft": N_("Draft"),
    "submitted": N_("Submitted"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "signed": N_("Signed"),
    "active": N_("Active"),
    "extended": N_("Extended"),
    "ended": N_("Ended"),
    "terminated": N_("Terminated"),
    # obligations and submissions
    "pending": N_("Pending"),
    "accepted": N_("Accepted"),
    "returned": N_("Returned"),
    "overdue": N_("Overdue"),
    "closed": N_("Closed"),
    "received_outside": N_("Received outside Mitra"),
    # visits and recommendations
    "announced": N_("Announced"),
    "cancelled": N_("Cancelled"),
    "requested": N_("Requested"),
    "issued": N_("Issued"),
    # organizations, permits, staff
    "applicant": N_("Applicant"),
    "registered": N_("Registered"),
    "suspended": N_("Suspended"),
    "revoked": N_("Revoked"),
    "valid": N_("Valid"),
    "expired": N_("Expired"),
    "upcoming": N_("Upcoming"),
}
KINDS: dict[str, str] = {
    "action_plan": N_("Action Plan"),
    "work_plan": N_("Work plan (RKT)"),
    "semester_report": N_("Semester report"),
    "annual_report": N_("Annual report"),
    "extension_decision": N_("Extension decision"),
    "visa": N_("Visa or stay permit"),
    "tax_exemption": N_("Tax exemption"),
    "principle": N_("Principle permit"),
    "operating": N_("Operating permit"),
}
ROLES: dict[str, str] = {
    "tpoa": N_("TPOA"),
    "ministry": N_("Ministry"),
    "region": N_("Regional government"),
    "ngo": N_("NGO"),
    "auditor": N_("Auditor"),
    "admin": N_("Administrator"),
}


def labels() -> dict[str, Any]:
    """What every office template gets: `status_labels`, `kind_labels`, `role_labels` (msgids)."""
    return {"status_labels": LABELS, "kind_labels": KINDS, "role_labels": ROLES}


def choice(page: WebPage, name: str, allowed: Mapping[str, str] | tuple[str, ...]) -> str | None:
    """A filter of the query string that must be one of `allowed` (empty: none; anything else: a bad address)."""
    value = page.request.query_params.get(name) or None
    if value is not None and value not in allowed:
        raise BadRequest(f"{name}: {value}")
    return value


def uuid_of(value: str) -> str:
    """A record's id from the address, refused (400) when it is not a UUID, before any service is asked."""
    try:
        return str(UUID(value))
    except ValueError:
        raise BadRequest(f"not an id: {value}") from None


def options(page: WebPage, values: Mapping[str, str], *, blank: str | None = None) -> list[tuple[str, str]]:
    """`(value, label)` pairs for a select, translated; `blank` (a msgid) first with an empty value."""
    first = [("", page.gettext(blank))] if blank else []
    return first + [(value, page.gettext(label)) for value, label in values.items()]


def day_filter(page: WebPage, name: str, errors: Any) -> str | None:
    """A date filter of the query string (`2027-01-31`): a wrong one is shown next to its field, and not used."""
    value = (page.request.query_params.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        errors.add(name, N_("Enter a date like 2026-12-31."))
        return None


def filters(page: WebPage, *names: str) -> dict[str, str]:
    """The query string's values of those names (for the filter form to show what was chosen)."""
    return {name: page.request.query_params.get(name, "") for name in names}


async def focus_names(page: WebPage) -> dict[str, str]:
    """The focus areas' names in the page's language, by code (registry's vocabulary)."""
    name = "name_en" if page.lang == "en" else "name_id"
    areas = await page.api.get("registry", "/focus-areas")
    return {area["code"]: area.get(name) or area["code"] for area in areas}
