"""The agreements side of the demo year, each step by the role that makes it over agreements' API.

Plan International's MSP with Kemensos, working in Jawa Tengah and Kota Semarang, signed about a year ago (so that
its obligations lie in the past and the future): the NGO drafts and submits it, TPOA's member ministries clear it,
TPOA approves, Kemensos signs with the past `signed_on`. Then a year of work on its obligations, each moved from
where it is to where the demo wants it (`plan_submissions`): the Action Plan filed; reports accepted, one returned
with a comment and submitted again, the latest awaiting Kemensos's review; each region's work plans (RKT) accepted
by that region, except Kota Semarang's latest, left overdue (the known failure: a region left without data), and its
next one, submitted early and returned with a comment; the rest due. Two visits announced to Kota Semarang, a visa
recommendation requested, and CARE International's MSP submitted, awaiting TPOA's review (cleared by some members,
others awaited).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from mitra_devtools.demo_http import Demo, DemoError, eventually, first_field
from mitra_devtools.demo_registry import (
    MINISTRY_CODE,
    PROVINCE_CODE,
    REGENCY_CODE,
    TPOA_SUBJECT,
    Year,
    answer_review,
)

PLAN_MSP_TITLE = "Perlindungan anak dan pengurangan risiko bencana di Jawa Tengah (demo)"
PLAN_MSP_NUMBER = "MSP/DEMO-PLAN/KEMENSOS"
CARE_MSP_TITLE = "Penanggulangan kemiskinan dan kesiapsiagaan bencana (demo)"
REGION_SUBJECTS = {PROVINCE_CODE: "demo-jateng", REGENCY_CODE: "demo-semarang"}
KEMENSOS_SUBJECT = "demo-kemensos"
EXPERT_NAME = "Maria Jansen (demo)"  # Plan International's foreign expert (demo_registry.ensure_foreign_expert)
REPORTS = ("semester_report", "annual_report")
PARTLY_ANSWERED = ("POLRI", "BIN", "BAPPENAS")
"""The member ministries that have cleared CARE International's MSP; the others (Kemendagri among them) are awaited."""
Steps = tuple[str, ...]


def ngo(demo: Demo, organization: dict[str, Any]) -> dict[str, str]:
    """The headers of the NGO's own staff."""
    slug = (organization.get("acronym") or organization["legal_name"]).lower().replace(" ", "-")
    return demo.as_("ngo", f"demo-{slug}-staff", organization_id=str(organization["id"]))


def kemensos(demo: Demo) -> dict[str, str]:
    return demo.as_("ministry", KEMENSOS_SUBJECT, ministry_code=MINISTRY_CODE)


def region(demo: Demo, code: str) -> dict[str, str]:
    return demo.as_("region", REGION_SUBJECTS[code], region_code=code)


def msp_body(
    organization: dict[str, Any], ministry: dict[str, Any], title: str, starts_on: date, ends_on: date
) -> dict[str, Any]:
    return {
        "organization_id": organization["id"],
        "ministry_partner_id": ministry["id"],
        "title": title,
        "focus_areas": organization["focus_areas"],
        "forms_of_cooperation": ["capacity_building", "knowledge_sharing"],
        "work_location_codes": [PROVINCE_CODE, REGENCY_CODE],
        "starts_on": starts_on.isoformat(),
        "ends_on": ends_on.isoformat(),
    }


def ensure_msp(
    demo: Demo, organization: dict[str, Any], body: dict[str, Any], *, signed_on: date | None
) -> tuple[dict[str, Any], bool]:
    """The NGO's MSP of that title, moved on to `submitted` (no `signed_on`) or signed on `signed_on`; and whether
    it was signed by this load."""
    agreements, staff = demo.urls.agreements, ngo(demo, organization)
    found = demo.get(f"{agreements}/msps", staff, organization_id=organization["id"], limit=500)["items"]
    msp = next((m for m in found if m["title"] == body["title"]), None)
    name = f"MSP of {organization['legal_name']} with Kemensos"
    if msp is None:
        msp = _when_known(
            demo,
            lambda: demo.post(f"{agreements}/msps", staff, body, also=(422,)),
            known=lambda response: response.status_code != 422,
            description=f"agreements learning of {organization['legal_name']}, Kemensos and the regions",
        )
        demo.did(f"{name} drafted: {body['title']}")
    url = f"{agreements}/msps/{msp['id']}"
    if msp["status"] == "draft":
        msp = demo.post(f"{url}/submit", staff, {}).json()
        demo.did(f"{name} submitted to TPOA")
    if msp["status"] == "submitted":  # TPOA's member ministries: all clear Plan's, some have answered for CARE's
        only = None if signed_on is not None else PARTLY_ANSWERED
        answer_review(demo, f"{url}/review", f"the {name}", only=only)
    if signed_on is None:
        return msp, False
    if msp["status"] == "submitted":
        tpoa = demo.as_("tpoa", TPOA_SUBJECT)
        msp = demo.post(f"{url}/approve", tpoa, {"note": "Reviewed at a TPOA meeting (demo)"}).json()
        demo.did(f"{name} approved by TPOA")
    if msp["status"] != "approved":
        return msp, False
    sign = {
        "number": PLAN_MSP_NUMBER,
        "signed_on": signed_on.isoformat(),
        "signatories": [
            {"name": "Pejabat Kementerian Sosial (demo)", "title": "Director General", "party": "ministry"},
            {"name": "Country Director (demo)", "title": "Country Director", "party": "organization"},
        ],
        "signed_document_ref": "dms://demo/msp/plan-kemensos.pdf",
    }
    msp = _when_known(
        demo,
        lambda: demo.post(f"{url}/sign", kemensos(demo), sign, also=(409,)),
        known=lambda response: response.status_code == 200 or first_field(response) != "msp.organization_id",
        description=f"agreements learning of the principle permit of {organization['legal_name']}",
    )
    demo.did(f"{name} signed on {signed_on} ({msp['status']}, {body['starts_on']} to {body['ends_on']})")
    return msp, True


def _when_known(
    demo: Demo, attempt: Callable[[], Any], known: Callable[[Any], bool], description: str
) -> dict[str, Any]:
    """Repeat `attempt` until agreements knows the facts it needs (from registry's events); then its answer must
    be a success."""

    def probe() -> Any:
        response = attempt()
        return response if known(response) else None

    response = eventually(probe, description)
    if response.status_code not in (200, 201):
        raise DemoError(f"{description}: {response.status_code} {response.text[:2000]}")
    return dict(response.json())


# --- a year of work on the obligations --------------------------------------------------------------------------


def plan_submissions(obligations: list[dict[str, Any]], today: date) -> list[tuple[dict[str, Any], Steps]]:
    """Where each obligation should be: the steps (submit, accept, return) it goes through, in order."""
    past = [o for o in obligations if date.fromisoformat(o["due_on"]) < today]
    future = [o for o in obligations if date.fromisoformat(o["due_on"]) >= today]
    planned: list[tuple[dict[str, Any], Steps]] = []
    planned += [(o, ("submit",)) for o in past if o["kind"] == "action_plan"]
    reports = [o for o in past if o["kind"] in REPORTS]
    for index, report in enumerate(reports):
        if index == len(reports) - 1:
            planned.append((report, ("submit",)))
        elif index == len(reports) - 2:
            planned.append((report, ("submit", "return", "submit")))
        else:
            planned.append((report, ("submit", "accept")))
    for code in (PROVINCE_CODE, REGENCY_CODE):
        plans = [o for o in past if o["kind"] == "work_plan" and o["region_code"] == code]
        keep_overdue = plans[-1:] if code == REGENCY_CODE else []
        planned += [(o, ("submit", "accept")) for o in plans if o not in keep_overdue]
    upcoming = [o for o in future if o["kind"] == "work_plan" and o["region_code"] == REGENCY_CODE]
    planned += [(o, ("submit", "return")) for o in upcoming[:1]]
    return planned


def _summary(obligation: dict[str, Any], attempt: int) -> dict[str, Any]:
    kind, period = obligation["kind"], obligation["period"]
    revised = " Revised: funding per regency/city added." if attempt > 1 else ""
    if kind == "action_plan":
        text = "Action Plan of the MSP: trainings, child forums and school preparedness drills (demo data)."
    elif kind == "work_plan":
        text = f"RKT {period} for region {obligation['region_code']}: planned activities and budget (demo data)."
    else:
        label = "Semester" if kind == "semester_report" else "Annual"
        text = f"{label} report {period}: activities, funding sources, amounts and uses (demo data).{revised}"
    funding = [
        {"source": "Plan International (demo)", "amount": 150000000, "currency": "IDR", "use": "Trainings (demo)"}
    ]
    return {
        "summary": text,
        "document_ref": f"dms://demo/plan/{kind}/{period or 'msp'}.pdf",
        "funding": funding if kind in REPORTS else [],
    }


def _decision(obligation: dict[str, Any], step: str) -> dict[str, Any]:
    if step == "accept":
        return {"comments": "Accepted (demo)."}
    if obligation["kind"] == "work_plan":
        return {"comments": "Please align the activities with the regional development plan (RKPD) (demo)."}
    return {"comments": "Please add the funding per regency/city where the activities took place (demo)."}


def work_a_year(demo: Demo, organization: dict[str, Any], msp: dict[str, Any], today: date) -> None:
    """Move each obligation of the MSP from where it is along its planned steps."""
    agreements = demo.urls.agreements
    obligations = demo.get(f"{agreements}/msps/{msp['id']}/obligations", kemensos(demo))
    for obligation, steps in plan_submissions(obligations, today):
        url = f"{agreements}/obligations/{obligation['id']}/submissions"
        submissions = demo.get(url, kemensos(demo))
        done = sum(1 if s["status"] == "submitted" else 2 for s in submissions)
        what = f"{obligation['kind']} {obligation['period']} {obligation['region_code'] or ''}".rstrip()
        for step in steps[done:]:
            if step == "submit":
                submission = demo.post(url, ngo(demo, organization), _summary(obligation, len(submissions) + 1))
                submissions.append(submission.json())
                demo.did(f"{what} (due {obligation['due_on']}) submitted by {organization['legal_name']}")
                continue
            decider = region(demo, obligation["region_code"]) if obligation["kind"] == "work_plan" else kemensos(demo)
            latest = submissions[-1]
            action = "accept" if step == "accept" else "return"
            decided = demo.post(
                f"{agreements}/submissions/{latest['id']}/{action}", decider, _decision(obligation, step)
            )
            submissions[-1] = decided.json()
            demo.did(f"{what} {'accepted' if step == 'accept' else 'returned with a comment'}")


# --- visits and a recommendation ---------------------------------------------------------------------------------


def _listed(demo: Demo, path: str, headers: dict[str, str], **params: Any) -> list[dict[str, Any]] | None:
    """The items of an agreements list, or None where agreements has no such list."""
    response = demo.call("GET", f"{demo.urls.agreements}{path}", headers, params=params, also=(404, 405))
    if response.status_code != 200:
        return None
    body = response.json()
    return list(body["items"] if isinstance(body, dict) else body)


def visit_bodies(msp: dict[str, Any], today: date) -> list[dict[str, Any]]:
    return [
        {
            "msp_id": msp["id"],
            "visitors": [{"name": "Maria Jansen (demo)", "nationality": "NL", "role": "Programme adviser"}],
            "purpose": "Field monitoring of the child protection programme in Kota Semarang (demo)",
            "arrives_on": today.isoformat(),
            "departs_on": (today + timedelta(days=2)).isoformat(),
            "region_codes": [REGENCY_CODE],
        },
        {
            "msp_id": msp["id"],
            "visitors": [{"name": "Regional adviser (demo)", "nationality": "GB", "role": "Regional adviser"}],
            "purpose": "Workshop on disaster-ready schools with Jawa Tengah and Kota Semarang (demo)",
            "arrives_on": (today + timedelta(days=21)).isoformat(),
            "departs_on": (today + timedelta(days=25)).isoformat(),
            "region_codes": [REGENCY_CODE, PROVINCE_CODE],
            "programme": "Day 1: Kesbangpol; days 2-4: school visits and workshop; day 5: debrief (demo)",
        },
    ]


def announce_visits(demo: Demo, organization: dict[str, Any], msp: dict[str, Any], today: date, fresh: bool) -> None:
    """Two visits announced to Kota Semarang: one under way from today (announced late), one in three weeks.
    Without a list of visits in agreements, only a load that signed the MSP announces them."""
    staff = ngo(demo, organization)
    listed = _listed(demo, "/visits", staff, organization_id=organization["id"], limit=500)
    if listed is None and not fresh:
        return
    purposes = {visit["purpose"] for visit in listed or []}
    for body in visit_bodies(msp, today):
        if body["purpose"] not in purposes:
            visit = demo.post(f"{demo.urls.agreements}/visits", staff, body).json()
            late = " (announced late)" if visit["late"] else ""
            demo.did(f"visit announced to {', '.join(body['region_codes'])} from {body['arrives_on']}{late}")


def request_recommendation(demo: Demo, organization: dict[str, Any], msp: dict[str, Any], fresh: bool) -> None:
    """A visa recommendation for Plan International's foreign expert (assigned in registry's foreign-staff register
    by `demo_registry.ensure_foreign_expert`), awaiting Kemensos. A visa names the expert's assignment: agreements
    takes the name and nationality from what it learned of it (`registry.foreign_staff.assigned`)."""
    staff = ngo(demo, organization)
    listed = _listed(demo, "/recommendations", staff, organization_id=organization["id"], limit=500)
    if listed is None and not fresh:
        return
    purpose = "Stay permit for the programme adviser, 12 months (demo)"
    if any(item["purpose"] == purpose for item in listed or []):
        return
    experts = demo.get(
        f"{demo.urls.registry}/organizations/{organization['id']}/foreign-staff", staff, state="active", limit=100
    )["items"]
    expert = next((item for item in experts if item["full_name"] == EXPERT_NAME), None)
    if expert is None:
        raise DemoError(f"{organization['legal_name']} has no active foreign expert {EXPERT_NAME} in registry")
    body = {"msp_id": msp["id"], "kind": "visa", "staff_assignment_id": expert["id"], "purpose": purpose}
    _when_known(
        demo,
        lambda: demo.post(f"{demo.urls.agreements}/recommendations", staff, body, also=(422,)),
        known=lambda response: response.status_code != 422,
        description=f"agreements learning of the assignment of {EXPERT_NAME}",
    )
    demo.did(f"visa recommendation requested for {EXPERT_NAME}")


def load_agreements(
    demo: Demo, year: Year, plan: dict[str, Any], care: dict[str, Any], kemensos_partner: dict[str, Any]
) -> dict[str, Any]:
    """Plan International's year with Kemensos, and CARE International's MSP awaiting review; Plan's MSP."""
    body = msp_body(plan, kemensos_partner, PLAN_MSP_TITLE, year.msp_starts_on, year.msp_ends_on)
    msp, fresh = ensure_msp(demo, plan, body, signed_on=year.signed_on)
    if msp["status"] not in ("signed", "active"):
        raise DemoError(f"the MSP of {plan['legal_name']} is {msp['status']}, not signed: the demo cannot go on")
    work_a_year(demo, plan, msp, year.today)
    announce_visits(demo, plan, msp, year.today, fresh)
    request_recommendation(demo, plan, msp, fresh)
    care_body = msp_body(care, kemensos_partner, CARE_MSP_TITLE, year.care_starts_on, year.care_ends_on)
    ensure_msp(demo, care, care_body, signed_on=None)
    return msp
