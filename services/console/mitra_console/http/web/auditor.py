"""The auditor's page (`/auditor`): the audit trail of every service (reporting's GET /audit) with its filters
(object id, actor, from/to days in the person's zone) and paging, and its CSV download proxied through the console
(`/auditor/audit.csv`: the token stays on the server, the browser gets the file)."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Response

from mitra_console.http.web.kit import (
    N_,
    Page,
    Paging,
    add_nav,
    web_allow,
    web_router,
)
from mitra_console.http.web.offices_labels import day_filter, filters, labels

router = web_router()
AUDIT_READERS = web_allow("auditor", "tpoa", note="reporting's audit readers: auditors and TPOA read the whole trail")
add_nav("tpoa", "/auditor", N_("Audit trail"))
CSV_LIMIT = 10_000
SHOWN_VALUE = 120


def _query(page: Page, errors: Any) -> dict[str, Any]:
    """The API's filters from the page's: `from`/`to` are days in the person's zone, `to` included."""
    query = page.request.query_params
    zone = ZoneInfo(page.time_zone)
    start, end = day_filter(page, "from", errors), day_filter(page, "to", errors)
    if start and end and end < start:
        errors.add("to", N_("Enter a day on or after the first day."))
        end = None
    return {
        "object_id": (query.get("object_id") or "").strip()[:200] or None,
        "actor": (query.get("actor") or "").strip()[:200] or None,
        "from": datetime.combine(date.fromisoformat(start), time(), zone).isoformat() if start else None,
        "to": datetime.combine(date.fromisoformat(end) + timedelta(days=1), time(), zone).isoformat() if end else None,
        "order": "oldest" if query.get("order") == "oldest" else None,
    }


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= SHOWN_VALUE else text[: SHOWN_VALUE - 1] + "…"


def changes(entry: dict[str, Any]) -> list[tuple[str, str, str]]:
    """What an entry changed: (field, before, after) of each field whose value differs."""
    before, after = entry.get("before") or {}, entry.get("after") or {}
    names = [name for name in dict.fromkeys([*before, *after]) if before.get(name) != after.get(name)]
    return [
        (name, _shown(before[name]) if name in before else "", _shown(after[name]) if name in after else "")
        for name in names
    ]


@router.get("/auditor", dependencies=[AUDIT_READERS])
async def audit_trail(page: Page) -> Response:
    paging = Paging.from_request(page, per_page=50)
    errors = page.errors()
    query = _query(page, errors)
    data = await page.api.get("reporting", "/audit", params={**query, "limit": paging.limit, "offset": paging.offset})
    chosen = filters(page, "object_id", "actor", "from", "to", "order")
    csv_query = {key: value for key, value in chosen.items() if value}
    return page.render(
        "auditor/trail.html",
        {
            "items": [{**item, "changes": changes(item)} for item in data["items"]],
            "total": data["total"],
            "links": paging.links(data["total"]),
            "chosen": chosen,
            "csv_query": csv_query,
            "csv_limit": CSV_LIMIT,
            "order_options": [("", page.gettext(N_("Newest first"))), ("oldest", page.gettext(N_("Oldest first")))],
            **labels(),
        },
        errors=errors,
    )


@router.get("/auditor/audit.csv", dependencies=[AUDIT_READERS])
async def audit_csv(page: Page) -> Response:
    """The trail as the filters keep it, as CSV (at most 10 000 entries), fetched with the session's token."""
    errors = page.errors()
    params = {**_query(page, errors), "format": "csv", "limit": CSV_LIMIT}
    response = await page.api.download("reporting", "/audit", params=params)
    stamp = page.request.app.state.clock().strftime("%Y%m%d-%H%M")
    return Response(
        response.content,
        media_type=response.headers.get("content-type", "text/csv; charset=utf-8"),
        headers={"Content-Disposition": f'attachment; filename="mitra-audit-{stamp}.csv"', "Cache-Control": "no-store"},
    )
