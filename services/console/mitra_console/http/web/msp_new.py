"""An NGO drafts a new MSP: the form (`/msps/new`), "check your answers" (each row's "Change" link goes back to the
form with the answers filled in), then the draft is saved (`POST /msps`) and can be submitted from its page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from fastapi import Response

from mitra_console.http.web.kit import N_, FormErrors, Page, web_router
from mitra_console.http.web.msp_common import NGO_ONLY, codes, valid_date

router = web_router()
FIELDS = (
    "ministry_partner_id",
    "title",
    "focus_areas",
    "forms_of_cooperation",
    "work_location_codes",
    "starts_on",
    "ends_on",
)


async def _values(page: Page) -> dict[str, str]:
    """The form's answers, the focus areas (checkboxes, repeated) joined by commas."""
    form = await page.form()
    lists = await page.form_lists()
    form["focus_areas"] = ",".join(lists.get("focus_areas", []))
    return {name: form.get(name, "").strip() for name in FIELDS}


async def _choices(page: Page) -> dict[str, Any]:
    ministries = await page.api.get(
        "registry", "/partners", params={"kind": "ministry", "active": "true", "limit": 1000}
    )
    focus_areas = await page.api.get("registry", "/focus-areas")
    name_key = "name_id" if page.lang == "id" else "name_en"
    return {
        "ministries": [(item["id"], f"{item['name']} ({item['code']})") for item in ministries["items"]],
        "focus_area_choices": [(item["code"], item.get(name_key) or item["code"]) for item in focus_areas],
    }


def _check(values: Mapping[str, str], errors: FormErrors) -> None:
    if not values.get("ministry_partner_id"):
        errors.add("ministry_partner_id", N_("Choose the Mitra Utama ministry."))
    if len(values.get("title", "")) < 3:
        errors.add("title", N_("Enter the MSP's title (at least 3 characters)."))
    if not valid_date(values.get("starts_on")):
        errors.add("starts_on", N_("Enter the start date, like 2027-01-01."))
    if not valid_date(values.get("ends_on")):
        errors.add("ends_on", N_("Enter the end date, like 2029-12-31."))
    elif valid_date(values.get("starts_on")) and values["ends_on"] <= values["starts_on"]:
        errors.add("ends_on", N_("The end date must be after the start date."))


async def _form_page(page: Page, values: Mapping[str, str], errors: FormErrors | None = None) -> Response:
    context = {"form": values, "chosen_focus": codes(values.get("focus_areas")), **await _choices(page)}
    return page.render("msps/new.html", context, errors=errors, status=422 if errors else 200)


@router.get("/msps/new", dependencies=[NGO_ONLY])
async def new_msp(page: Page) -> Response:
    query = page.request.query_params
    return await _form_page(page, {name: query.get(name, "") for name in FIELDS})


@router.post("/msps/new", dependencies=[NGO_ONLY])
async def check_answers(page: Page) -> Response:
    values = await _values(page)
    errors = page.errors()
    _check(values, errors)
    if errors:
        return await _form_page(page, values, errors)
    return await _check_page(page, values)


async def _check_page(page: Page, values: Mapping[str, str], errors: FormErrors | None = None) -> Response:
    choices = await _choices(page)
    ministry = dict(choices["ministries"]).get(values["ministry_partner_id"], values["ministry_partner_id"])
    focus_names = dict(choices["focus_area_choices"])
    change = "/msps/new?" + urlencode(values)
    return page.render(
        "msps/check.html",
        {
            "form": values,
            "ministry": ministry,
            "focus": ", ".join(focus_names.get(code, code) for code in codes(values["focus_areas"])),
            "change_url": change,
        },
        errors=errors,
        status=422 if errors else 200,
    )


@router.post("/msps", dependencies=[NGO_ONLY])
async def create_msp(page: Page) -> Response:
    form = await page.form()
    values = {name: form.get(name, "").strip() for name in FIELDS}
    errors = page.errors()
    _check(values, errors)
    if errors:
        return await _form_page(page, values, errors)
    body = {
        "organization_id": str(page.user.organization_id),
        "ministry_partner_id": values["ministry_partner_id"],
        "title": values["title"],
        "focus_areas": codes(values["focus_areas"]),
        "forms_of_cooperation": [code.replace("-", "_") for code in codes(values["forms_of_cooperation"])],
        "work_location_codes": codes(values["work_location_codes"]),
        "starts_on": values["starts_on"],
        "ends_on": values["ends_on"],
    }
    answer = await page.api.send("POST", "agreements", "/msps", json=body)
    if answer.ok:
        return page.redirect(
            f"/msps/{answer.json['id']}", flash=N_("The MSP is saved as a draft. Submit it to TPOA when it is ready.")
        )
    errors.add_problem(answer.problem, fields=set(FIELDS))
    return await _form_page(page, values, errors)
