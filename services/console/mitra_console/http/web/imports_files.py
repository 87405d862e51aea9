"""What the import pages (`imports`) keep and send: the kinds of file each service imports and who may import them,
the file kept between its preview and its confirmation, the file posted to a service as it is, and the columns'
headers in the page's language.

The file is kept in the console's database (`usecases.web_imports`: any replica finds it, a few per account, for
30 minutes), under a random id and the account's id: the confirmation imports exactly the file that was previewed
(the browser does not send it again, and its bytes never go into a cookie). A file is posted with a longer wait
than the other calls (`IMPORT_TIMEOUT_SECONDS`: a big file takes a while); when even that passes without an
answer, the import may still be running (`NoAnswer`), and the page says so rather than offer to import again.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from mitra_console.http.web.kit import N_, Answer, NotAllowed, Page, PageError, PageNotFound, ServiceUnavailable
from mitra_console.http.web.routing import LoginRequired

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {".csv": "text/csv", ".xlsx": XLSX_TYPE}
ACCEPT = ".xlsx,.csv"
MAX_BYTES = 5 * 1024 * 1024
IMPORT_TIMEOUT_SECONDS = 120.0
"""How long a file's dry run or import is waited for (the other calls wait `console_api_timeout_seconds`)."""


class NoAnswer(ServiceUnavailable):
    """The service took the file to import but did not answer in time: the import may have happened, or may still
    be running."""


@dataclass(frozen=True)
class Kind:
    key: str  # as the API names it
    service: str
    label: str  # msgids
    what: str
    roles: tuple[str, ...]


KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (
        Kind(
            "organizations",
            "registry",
            N_("NGOs"),
            N_("Foreign NGOs: legal name, country, addresses, representative, contact and focus areas."),
            ("tpoa",),
        ),
        Kind(
            "permits",
            "registry",
            N_("Permits"),
            N_("Principle and operating permits, each naming its NGO by legal name and country."),
            ("tpoa",),
        ),
        Kind(
            "staff",
            "registry",
            N_("Foreign staff"),
            N_("Foreign staff of each NGO, with their passport numbers and the dates of their assignments."),
            ("tpoa",),
        ),
        Kind(
            "partners",
            "registry",
            N_("Partners and contacts"),
            N_("Ministries, provinces and regencies or cities, one contact per row."),
            ("tpoa",),
        ),
        Kind(
            "msps",
            "agreements",
            N_("MSPs"),
            N_("MSPs signed before Mitra, one per row, with the history of their obligations."),
            ("tpoa", "ministry"),
        ),
    )
}
REGISTRY_KINDS = ("organizations", "permits", "staff", "partners")
MSP_COUNTS = (
    "obligations_created",
    "received_outside_mitra",
    "reminders_to_follow",
    "overdue_notices_to_follow",
    "expiry_warnings_to_follow",
)


def kind_for(page: Page, name: str) -> Kind:
    """The kind in a path, if the person's role may import it (another role: 403; no such kind: 404)."""
    kind = KINDS.get(name)
    if kind is None:
        raise PageNotFound(name)
    if page.user.role not in kind.roles:
        raise NotAllowed(f"role {page.user.role} does not import {name}")
    return kind


def content_type_of(filename: str) -> str | None:
    """The file's type from its name's extension (the service checks the content itself)."""
    dot = filename.rfind(".")
    return CONTENT_TYPES.get(filename[dot:].lower()) if dot >= 0 else None


# --- the services ----------------------------------------------------------------------------------------------------


async def post_file(page: Page, kind: Kind, content: bytes, content_type: str, *, dry_run: bool) -> Answer:
    """`POST /imports/{kind}?dry_run=` with the file as the body (its own content type); refusals as `api.send`."""
    path = f"/imports/{kind.key}?{urlencode({'dry_run': 'true' if dry_run else 'false'})}"
    headers = {"Content-Type": content_type, "Content-Length": str(len(content))}

    async def body() -> AsyncIterator[bytes]:
        yield content

    wait = IMPORT_TIMEOUT_SECONDS
    try:
        response = await page.api.relay("POST", kind.service, path, headers=headers, content=body(), timeout=wait)
        if response.status_code == 401 and page.session is not None:
            page.state.forget_token(page.session.id_hash)  # the next call mints a fresh token
            response = await page.api.relay("POST", kind.service, path, headers=headers, content=body(), timeout=wait)
    except ServiceUnavailable as error:
        if not dry_run and _maybe_received(error):
            raise NoAnswer(kind.service, str(error)) from error
        raise
    status = response.status_code
    if status == 504 and not dry_run:  # a gateway gave up waiting: the service may still be importing
        raise NoAnswer(kind.service, str(status))
    answered = _json(response.content)
    problem = answered if isinstance(answered, Mapping) else None
    if status == 401:
        raise LoginRequired("ended")
    if status == 403 and not _names_file_rows(problem):
        raise NotAllowed(str((problem or {}).get("detail") or status), problem)
    if status == 404:
        raise PageNotFound(str((problem or {}).get("detail") or status))
    if status >= 500:
        raise ServiceUnavailable(kind.service, str(status))
    return Answer(status=status, json=answered, headers=dict(response.headers))


def _maybe_received(error: ServiceUnavailable) -> bool:
    """Whether the request may have reached the service (a timeout or a connection lost after it was sent), rather
    than certainly not (no connection made)."""
    cause = error.__cause__
    return isinstance(cause, httpx.HTTPError) and not isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout)


def _names_file_rows(problem: Mapping[str, Any] | None) -> bool:
    """A refusal of rows of the file (a ministry's file naming another ministry's MSP): shown with the file's other
    problems, by line, rather than as a page the person may not see."""
    return any(str(error.get("field", "")).startswith("file") for error in (problem or {}).get("errors") or [])


async def column_headers(page: Page, kind: Kind) -> dict[str, str]:
    """Each column's key → its header in the page's language, read from the service's CSV templates (the English
    header is the key); empty when they cannot be read (the keys are shown)."""
    if page.lang == "en":
        return {}
    try:
        keys = await _template_header(page, kind, "en")
        headers = await _template_header(page, kind, page.lang)
    except PageError:
        return {}
    return dict(zip(keys, headers, strict=False)) if len(keys) == len(headers) else {}


async def _template_header(page: Page, kind: Kind, language: str) -> list[str]:
    response = await page.api.download(
        kind.service, f"/imports/{kind.key}/template", params={"format": "csv", "language": language}
    )
    return header_row(response.content)


def header_row(content: bytes) -> list[str]:
    """The first row of a CSV template (UTF-8, BOM or not; `,` or `;`)."""
    text = content.decode("utf-8-sig", errors="replace")
    first = text.splitlines()[0] if text else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return [cell.strip().lower() for cell in next(csv.reader(io.StringIO(first), delimiter=delimiter), [])]


def problems_of(problem: Mapping[str, Any] | None, headers: Mapping[str, str]) -> list[dict[str, Any]]:
    """The rows of the problems table: line, column (its header in the page's language if known), reason."""
    rows = []
    for error in (problem or {}).get("errors") or []:
        if not isinstance(error, Mapping):
            continue
        name = str(error.get("field") or "")
        column = name.removeprefix("file").removeprefix(".") if name.startswith("file") else name
        line = error.get("line")
        rows.append(
            {
                "line": line if isinstance(line, int) else None,
                "column": headers.get(column, column) if column else "",
                "reason": str(error.get("reason") or ""),
            }
        )
    return rows


def _json(content: bytes) -> Any:
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:
        return None
