"""Answers as files: a list as CSV or XLSX (the same columns as its JSON), a report as XLSX, PDF or XML."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal, TypeVar

from fastapi import Query, Response
from pydantic import BaseModel

from mitra_reporting.domain import spreadsheets
from mitra_reporting.domain.spreadsheets import Column, CsvDelimiter

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"
XML_TYPE = "application/xml"
FileFormat = Literal["json", "csv", "xlsx"]
FileLimit = Annotated[int, Query(ge=1, le=100_000)]
"""How many rows a list that also comes as a file gives at most."""
Delimiter = Annotated[
    CsvDelimiter,
    Query(
        description="CSV only: `comma` (default) or `semicolon`, for Excel with Indonesian regional settings (which "
        "opens a comma-separated file as one column). Either way UTF-8 with a byte-order mark."
    ),
]
"""How a CSV separates its cells."""
# The OpenAPI `responses` entry of a list that also comes as a file.
LIST_AS_FILE: dict[int | str, dict[str, Any]] = {200: {"content": {CSV_TYPE: {}, XLSX_TYPE: {}}}}

PageT = TypeVar("PageT", bound=BaseModel)


def attachment(body: bytes, media_type: str, filename: str) -> Response:
    return Response(body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def list_as_file(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[Column],
    *,
    kind: str,
    name: str,
    delimiter: CsvDelimiter = "comma",
) -> Response:
    if kind == "csv":
        return attachment(spreadsheets.to_csv(rows, columns, delimiter=delimiter), CSV_TYPE, f"{name}.csv")
    return attachment(spreadsheets.to_xlsx(rows, columns, sheet=name), XLSX_TYPE, f"{name}.xlsx")


def page_or_file(
    items: Sequence[dict[str, Any]],
    total: int,
    *,
    page: type[PageT],
    format: FileFormat,
    columns: Sequence[Column],
    name: str,
    limit: int,
    offset: int,
    delimiter: CsvDelimiter = "comma",
) -> PageT | Response:
    """The page as JSON (`page`: a model with `items`, `total`, `limit`, `offset`), or its rows as a file."""
    if format != "json":
        return list_as_file(items, columns, kind=format, name=name, delimiter=delimiter)
    return page.model_validate({"items": items, "total": total, "limit": limit, "offset": offset})
