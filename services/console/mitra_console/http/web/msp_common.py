"""What the MSP, obligation and NGO pages share: who may do what (shown only to those the API lets do it), the
repeated rows of a form (funding lines, signatories, visitors) without JavaScript, and small parsing helpers."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from mitra_console.domain.problems import form_field
from mitra_console.http.web.kit import N_, FormErrors, Page, PageNotFound, web_allow

# The person roles that read agreements (admin does not: its work is accounts).
READERS = web_allow("tpoa", "ministry", "region", "ngo", "auditor", note="each its own scope, as agreements filters")
NGO_ONLY = web_allow("ngo", note="the NGO itself, for its own MSPs")

IN_FORCE = frozenset({"signed", "active", "extended"})
OPEN_OBLIGATION = frozenset({"pending", "returned", "overdue"})
# met on paper before its MSP was recorded in Mitra (an import says so): agreements takes no submission on it
RECEIVED_OUTSIDE = "received_outside"
DECIDED_KINDS = frozenset({"action_plan", "work_plan", "semester_report", "annual_report"})
SUBMITTABLE_KINDS = frozenset({"action_plan", "work_plan", "semester_report", "annual_report"})
MAX_ROWS = 20
CODE_SPLIT = re.compile(r"[\s,;]+")


# the fields agreements names when the refusal is about the NGO itself (its 409 while a freeze lasts)
ORGANIZATION_FIELDS = frozenset({"organization_id", "msp.organization_id"})


def about_the_form(problem: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """A refusal about the NGO itself (agreements' 409 while a freeze lasts names `msp.organization_id` or
    `organization_id`), about the whole form: no field of the form to link it to."""
    if not problem:
        return problem
    errors = [
        {**error, "field": None} if form_field(str(error.get("field") or "") or None) in ORGANIZATION_FIELDS else error
        for error in problem.get("errors") or []
        if isinstance(error, Mapping)
    ]
    return {**problem, "errors": errors}


def uuid_or_404(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise PageNotFound(value) from None


def codes(text: str | None) -> list[str]:
    """`33, 3374` → ["33", "3374"] (any commas, semicolons or spaces between)."""
    return [code for code in CODE_SPLIT.split(text or "") if code]


def valid_date(value: str | None) -> bool:
    try:
        date.fromisoformat(value or "")
    except ValueError:
        return False
    return True


def is_mitra_utama(page: Page, msp: Mapping[str, Any]) -> bool:
    user = page.user
    return user.role == "ministry" and bool(user.ministry_code) and user.ministry_code == msp.get("ministry_code")


def region_covers(region_code: str | None, obligation: Mapping[str, Any]) -> bool:
    """A region's office decides the work plans (RKT) of its area (a province covers its regencies)."""
    code = obligation.get("region_code")
    if not region_code or not code:
        return False
    return bool(code == region_code or code.startswith(region_code) or obligation.get("province_code") == region_code)


def received_outside(obligation: Mapping[str, Any]) -> bool:
    """Received on paper before its MSP was recorded in Mitra: nothing is submitted, decided or commented on it."""
    return obligation.get("status") == RECEIVED_OUTSIDE


def regional_plan(obligation: Mapping[str, Any]) -> bool:
    return obligation.get("kind") == "work_plan" and bool(obligation.get("region_code"))


def may_decide(page: Page, obligation: Mapping[str, Any]) -> bool:
    """Whether the person may accept or return this obligation's submission (the API checks again): a work plan
    (RKT) of a region only its region's office, everything else the Mitra Utama ministry."""
    if obligation.get("kind") not in DECIDED_KINDS or received_outside(obligation):
        return False
    user = page.user
    if regional_plan(obligation):
        return user.role == "region" and bool(user.region_code) and user.region_code == obligation.get("region_code")
    if user.role == "ministry":
        return bool(user.ministry_code) and user.ministry_code == obligation.get("ministry_code")
    return False


def may_comment(page: Page, obligation: Mapping[str, Any]) -> bool:
    """Whether the person may comment on a regional work plan they do not decide: the MSP's ministry, or a region
    office that reads it (a province on its regency's plan)."""
    if not regional_plan(obligation) or received_outside(obligation) or may_decide(page, obligation):
        return False
    user = page.user
    if user.role == "ministry":
        return bool(user.ministry_code) and user.ministry_code == obligation.get("ministry_code")
    return user.role == "region" and region_covers(user.region_code, obligation)


def may_submit(page: Page, obligation: Mapping[str, Any]) -> bool:
    user = page.user
    return (
        user.role == "ngo"
        and obligation.get("kind") in SUBMITTABLE_KINDS
        and obligation.get("status") in OPEN_OBLIGATION
        and str(obligation.get("organization_id")) == str(user.organization_id)
    )


# --- repeated rows: `prefix.N.field` inputs, a row count, "add another" and "remove" buttons ----------------------


def row_count(form: Mapping[str, str], prefix: str, default: int = 1) -> int:
    """How many rows the form showed (`<prefix>_rows`), then one more or one fewer as the button asked."""
    try:
        count = int(form.get(f"{prefix}_rows", default))
    except ValueError:
        count = default
    if form.get("action") == f"add_{prefix}":
        count += 1
    return max(1, min(count, MAX_ROWS))


def rows(form: Mapping[str, str], prefix: str, fields: Sequence[str], count: int) -> list[dict[str, str]]:
    """The rows as shown (blank ones kept), less the one whose "remove" button was pressed."""
    removed = form.get("remove")  # only sent by the "remove" button pressed
    found = []
    for index in range(count):
        if removed is not None and str(index) == removed:
            continue
        found.append({name: form.get(f"{prefix}.{index}.{name}", "").strip() for name in fields})
    return found or [dict.fromkeys(fields, "")]


def renumbered(prefix: str, shown: Sequence[Mapping[str, str]]) -> dict[str, str]:
    """The form values of the rows numbered 0..n-1 (after one was removed), for the template's inputs."""
    values = {f"{prefix}_rows": str(len(shown))}
    for index, row in enumerate(shown):
        for name, value in row.items():
            values[f"{prefix}.{index}.{name}"] = value
    return values


def filled(shown: Sequence[Mapping[str, str]]) -> list[tuple[int, Mapping[str, str]]]:
    """The rows with anything in them, with their index (as the inputs are named)."""
    return [(index, row) for index, row in enumerate(shown) if any(row.values())]


def rows_changed(form: Mapping[str, str]) -> bool:
    """The button pressed was "add another" or "remove", not the form's own submit."""
    return form.get("action", "").startswith("add_") or "remove" in form


def funding_lines(shown: Sequence[Mapping[str, str]], errors: FormErrors) -> list[dict[str, Any]]:
    """The funding lines as the API takes them (`source`, `amount`, `currency`, `use`); blank rows left out."""
    lines: list[dict[str, Any]] = []
    for index, row in filled(shown):
        amount: float | None = None
        text = row.get("amount", "").replace(" ", "").replace("_", "")
        try:
            amount = float(text)
        except ValueError:
            errors.add(f"funding.{index}.amount", N_("Enter the amount as a number, like 250000000."))
        if not row.get("source"):
            errors.add(f"funding.{index}.source", N_("Enter where the money comes from."))
        if not row.get("use"):
            errors.add(f"funding.{index}.use", N_("Enter what the money is used for."))
        currency = (row.get("currency") or "IDR").upper()
        lines.append({"source": row.get("source", ""), "amount": amount, "currency": currency, "use": row.get("use")})
    return lines


def renumber_problem(problem: Mapping[str, Any] | None, prefix: str, index_of: Sequence[int]) -> Mapping[str, Any]:
    """The API numbers the rows it was sent (blank ones left out); point its `body.<prefix>.N.x` at the input."""
    if not problem:
        return {}
    errors = []
    for error in problem.get("errors") or []:
        field = str(error.get("field") or "")
        parts = field.split(".")
        start = 1 if parts[:1] == ["body"] else 0
        if len(parts) > start + 1 and parts[start] == prefix and parts[start + 1].isdigit():
            position = int(parts[start + 1])
            if position < len(index_of):
                parts[start + 1] = str(index_of[position])
                error = {**error, "field": ".".join(parts)}
        errors.append(error)
    return {**problem, "errors": errors}
