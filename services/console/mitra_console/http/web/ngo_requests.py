"""What an NGO asks of the government under an MSP in force: announcing a visit of foreign guests (`/visits/new`,
its visitors as rows added without JavaScript) and requesting a visa/stay-permit or tax-exemption recommendation
(`/recommendations/new`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Response

from mitra_console.http.web import documents
from mitra_console.http.web.kit import N_, FormErrors, Page, web_router
from mitra_console.http.web.msp_common import (
    IN_FORCE,
    NGO_ONLY,
    about_the_form,
    codes,
    filled,
    renumber_problem,
    renumbered,
    row_count,
    rows,
    rows_changed,
    uuid_or_404,
    valid_date,
)
from mitra_console.http.web.msp_panels import items_of, optional

router = web_router()
VISITOR_FIELDS = ("name", "nationality", "role")
RECOMMENDATION_FIELDS = ("msp_id", "kind", "staff_assignment_id", "purpose")


async def _msps_in_force(page: Page) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for status in sorted(IN_FORCE):
        data = await page.api.get("agreements", "/msps", params={"status": status, "limit": 100})
        found.update((str(item["id"]), item) for item in data["items"])
    return list(found.values())


async def _visit_page(
    page: Page, form: Mapping[str, str], errors: FormErrors | None = None, status: int = 200
) -> Response:
    msps = await _msps_in_force(page)
    regions = {location["code"]: location["name"] for msp in msps for location in msp.get("work_locations", [])}
    return page.render(
        "ngo/visit_new.html",
        {
            "form": form,
            "msps": [(msp["id"], msp["title"]) for msp in msps],
            "regions": sorted(regions.items()),
            "visitor_rows": row_count(form, "visitors"),
        },
        errors=errors,
        status=status,
    )


@router.get("/visits/new", dependencies=[NGO_ONLY])
async def new_visit(page: Page) -> Response:
    return await _visit_page(page, {"msp_id": page.request.query_params.get("msp", "")})


@router.post("/visits/new", dependencies=[NGO_ONLY])
async def announce_visit(page: Page) -> Response:
    form = await page.form()
    shown = rows(form, "visitors", VISITOR_FIELDS, row_count({**form, "action": ""}, "visitors"))
    values = {**form, **renumbered("visitors", shown)}
    if rows_changed(form):
        if form.get("action") == "add_visitors":
            values["visitors_rows"] = str(min(len(shown) + 1, 20))
        return await _visit_page(page, values)
    errors = page.errors()
    if not form.get("msp_id"):
        errors.add("msp_id", N_("Choose the MSP the visit is under."))
    visitors = []
    for index, row in filled(shown):
        if not row["name"]:
            errors.add(f"visitors.{index}.name", N_("Enter the visitor's name."))
        if len(row["nationality"]) != 2:
            errors.add(f"visitors.{index}.nationality", N_("Enter the country as two letters, like GB."))
        if not row["role"]:
            errors.add(f"visitors.{index}.role", N_("Enter the visitor's role."))
        visitors.append({**row, "nationality": row["nationality"].upper()})
    if not visitors:
        errors.add("visitors.0.name", N_("Enter at least one visitor."))
    if len(form.get("purpose", "").strip()) < 3:
        errors.add("purpose", N_("Enter the purpose of the visit."))
    if not valid_date(form.get("arrives_on")):
        errors.add("arrives_on", N_("Enter the arrival date, like 2027-03-01."))
    if not valid_date(form.get("departs_on")):
        errors.add("departs_on", N_("Enter the departure date, like 2027-03-05."))
    if not codes(form.get("region_codes")):
        errors.add("region_codes", N_("Enter the code of at least one region visited."))
    if not errors:
        body = {
            "msp_id": form["msp_id"],
            "visitors": visitors,
            "purpose": form["purpose"],
            "arrives_on": form["arrives_on"],
            "departs_on": form["departs_on"],
            "region_codes": codes(form.get("region_codes")),
            "programme": form.get("programme") or None,
        }
        answer = await page.api.send("POST", "agreements", "/visits", json=body)
        if answer.ok:
            late = bool(isinstance(answer.json, dict) and answer.json.get("late"))
            if late:
                return page.redirect(
                    "/ngo",
                    flash=N_("The visit is announced, late: it is fewer than 14 days away. The regions are told."),
                    kind="warning",
                )
            return page.redirect("/ngo", flash=N_("The visit is announced. The regions it goes to are told."))
        index_of = [index for index, _row in filled(shown)]
        problem = renumber_problem(answer.problem, "visitors", index_of)
        errors.add_problem(_region_field(about_the_form(problem) or {}))
    return await _visit_page(page, values, errors, status=422)


def _region_field(problem: Mapping[str, Any]) -> Mapping[str, Any]:
    """`body.region_codes.1` → the one region-codes input."""
    errors = []
    for error in problem.get("errors") or []:
        field = str(error.get("field") or "")
        if field.startswith(("body.region_codes.", "region_codes.")):
            error = {**error, "field": "body.region_codes"}
        errors.append(error)
    return {**problem, "errors": errors}


async def _recommendation_page(
    page: Page, form: Mapping[str, str], errors: FormErrors | None = None, status: int = 200
) -> Response:
    msps = await _msps_in_force(page)
    return page.render(
        "ngo/recommendation_new.html",
        {"form": form, "msps": [(msp["id"], msp["title"]) for msp in msps], "experts": await _experts(page)},
        errors=errors,
        status=status,
    )


async def _experts(page: Page) -> list[tuple[str, str]]:
    """The NGO's foreign staff whose assignment is under way or starts later (a visa recommendation is for one)."""
    path = f"/organizations/{page.user.organization_id}/foreign-staff"
    staff = await optional(page, "registry", path, {"limit": 100})
    return [
        (str(person["id"]), f"{person['full_name']} ({person['nationality']})")
        for person in items_of(staff)
        if person.get("state") in ("active", "upcoming")
    ]


@router.get("/recommendations/new", dependencies=[NGO_ONLY])
async def new_recommendation(page: Page) -> Response:
    query = page.request.query_params
    return await _recommendation_page(page, {"msp_id": query.get("msp", ""), "kind": query.get("kind", "visa")})


@router.post("/recommendations/new", dependencies=[NGO_ONLY])
async def request_recommendation(page: Page) -> Response:
    form = await page.form()
    values = {name: form.get(name, "").strip() for name in RECOMMENDATION_FIELDS}
    errors = page.errors()
    if not values["msp_id"]:
        errors.add("msp_id", N_("Choose the MSP the request is under."))
    if values["kind"] not in ("visa", "tax_exemption"):
        errors.add("kind", N_("Choose what to ask for."))
    if values["kind"] == "visa" and not values["staff_assignment_id"]:
        errors.add("staff_assignment_id", N_("Choose the foreign expert: a visa recommendation is for a person."))
    if len(values["purpose"]) < 3:
        errors.add("purpose", N_("Enter the purpose of the request."))
    if not errors:
        body = {
            "msp_id": values["msp_id"],
            "kind": values["kind"],
            "staff_assignment_id": (values["staff_assignment_id"] or None) if values["kind"] == "visa" else None,
            "purpose": values["purpose"],
        }
        answer = await page.api.send("POST", "agreements", "/recommendations", json=body)
        if answer.ok:
            return page.redirect(
                "/ngo", flash=N_("The request is sent to the ministry. You are told when it is decided.")
            )
        errors.add_problem(answer.problem)
    return await _recommendation_page(page, values, errors, status=422)


async def _request_page(
    page: Page, recommendation_id: str, *, errors: FormErrors | None = None, status: int = 200
) -> Response:
    """The NGO's request: what it asked, the ministry's decision, and its documents (the letter first)."""
    item = await page.api.get("agreements", f"/recommendations/{uuid_or_404(recommendation_id)}")
    files = await documents.listed(page, "agreements", item, f"/recommendations/{item['id']}/documents")
    # supporting documents go with the request while it awaits the decision
    requested = item.get("status") == "requested"
    attach = documents.upload_form(page, "agreements", "supporting", ("supporting",)) if requested else None
    return page.render(
        "ngo/recommendation.html", {"item": item, "files": files, "attach": attach}, errors=errors, status=status
    )


@router.get("/recommendations/{recommendation_id}", dependencies=[NGO_ONLY])
async def recommendation(page: Page, recommendation_id: str) -> Response:
    return await _request_page(page, recommendation_id)


@router.post("/recommendations/{recommendation_id}/documents", dependencies=[documents.SIZE_GUARD, NGO_ONLY])
async def attach_supporting(page: Page, recommendation_id: str) -> Response:
    """The NGO attaches a supporting document to its request (a passport copy, a CV, an invitation...)."""
    errors = page.errors()
    path = f"/recommendations/{uuid_or_404(recommendation_id)}/documents"
    answer = await documents.attach(page, "agreements", path, purpose="supporting", key="supporting", errors=errors)
    if answer is not None and answer.ok:
        name = str((answer.json or {}).get("filename", ""))
        flash = N_("The file %(name)s is attached.")
        return page.redirect(f"/recommendations/{recommendation_id}", flash=flash, name=name)
    return await _request_page(page, recommendation_id, errors=errors, status=422)
