"""The audit trail over HTTP: every change of every service, who made it, when, and the values before and after.

For TPOA and auditors only. As JSON (a page), or as CSV (`Accept: text/csv` or `format=csv`; text that a spreadsheet
program could take for a formula is written as text).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from mitra_reporting.domain.access import AUDIT_READERS
from mitra_reporting.http.files import CSV_TYPE, Column, Delimiter, list_as_file
from mitra_reporting.http.filters import Offset
from mitra_reporting.usecases.audit import AuditQuery, list_entries
from mitra_shared.errors import RuleBroken
from mitra_shared.http import RequestContext, Work, problems, require_principal
from mitra_shared.policy import allow

router = APIRouter(dependencies=[Depends(require_principal)], tags=["audit"], responses=problems(422))


class Actor(BaseModel):
    subject: str = Field(description="The token's `sub`: an account, a client, or `system:<component>`.")
    name: str | None
    role: str
    scope: dict[str, str] = Field(description="The role's scope claim (`ministry_code`, `region_code`, ...), if any.")


class AuditEntry(BaseModel):
    seq: int = Field(description="The entry's place in the log (and in its hash chain).")
    at: datetime = Field(description="When the change was made.")
    actor: Actor
    action: str = Field(examples=["msp.signed"])
    object_type: str = Field(examples=["msp"])
    object_id: str
    before: dict[str, Any] | None = Field(description="The object's values before the change (null: created).")
    after: dict[str, Any] | None = Field(description="Its values after the change (null: deleted).")
    request_id: str = Field(description="The request (correlation id) or event that made the change.")
    service: str = Field(description="The service that made the change.")


class AuditPage(BaseModel):
    items: list[AuditEntry]
    total: int
    limit: int
    offset: int
    order: Literal["newest", "oldest"]


AUDIT_COLUMNS = [
    Column("seq", "Seq"),
    Column("at", "Waktu / At (UTC)"),
    Column("service", "Layanan / Service"),
    Column("actor_subject", "Pelaku / Actor"),
    Column("actor_name", "Nama / Name"),
    Column("actor_role", "Peran / Role"),
    Column("actor_scope", "Lingkup / Scope"),
    Column("action", "Tindakan / Action"),
    Column("object_type", "Jenis objek / Object type"),
    Column("object_id", "Objek / Object id"),
    Column("before", "Sebelum / Before"),
    Column("after", "Sesudah / After"),
    Column("request_id", "Permintaan / Request"),
]


def _moment(value: datetime | None, field: str) -> datetime | None:
    """A time of the query in UTC (one without a zone is taken as UTC); one that has no UTC equivalent is refused."""
    if value is None:
        return None
    try:
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    except OverflowError:
        raise RuleBroken(field, "the time is out of range") from None


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _flat(entry: dict[str, Any]) -> dict[str, Any]:
    actor = entry["actor"]
    return {
        **entry,
        "actor_subject": actor["subject"],
        "actor_name": actor["name"],
        "actor_role": actor["role"],
        "actor_scope": _json(actor["scope"]),
        "before": _json(entry["before"]),
        "after": _json(entry["after"]),
    }


@router.get(
    "/audit",
    response_model=AuditPage,
    summary="The audit trail: who changed what, when, with the values before and after; as JSON or CSV",
    description="Filtered by object, actor (its `sub`) and time (`from` inclusive, `to` exclusive); newest first "
    "unless `order=oldest`. CSV with `Accept: text/csv` or `format=csv`.",
    responses={200: {"content": {CSV_TYPE: {}}}},
    dependencies=[allow(*AUDIT_READERS, note="tpoa and auditors read the whole trail")],
)
async def audit_trail(
    request: Request,
    uow: Work,
    ctx: RequestContext,
    object_id: Annotated[str | None, Query(max_length=200, description="The object's id, e.g. an MSP's")] = None,
    actor: Annotated[str | None, Query(max_length=200, description="The actor's subject (`sub`)")] = None,
    at_from: Annotated[datetime | None, Query(alias="from", description="Changes at or after this time")] = None,
    at_to: Annotated[datetime | None, Query(alias="to", description="Changes before this time")] = None,
    order: Literal["newest", "oldest"] = "newest",
    format: Literal["json", "csv"] | None = None,
    delimiter: Delimiter = "comma",
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
    offset: Offset = 0,
) -> AuditPage | Response:
    query = AuditQuery(
        object_id=object_id,
        actor=actor,
        at_from=_moment(at_from, "query.from"),
        at_to=_moment(at_to, "query.to"),
        oldest_first=order == "oldest",
        limit=limit,
        offset=offset,
    )
    items, total = await list_entries(uow, ctx, query)
    if format == "csv" or (format is None and "text/csv" in request.headers.get("accept", "")):
        return list_as_file(
            [_flat(item) for item in items], AUDIT_COLUMNS, kind="csv", name="audit", delimiter=delimiter
        )
    return AuditPage.model_validate({"items": items, "total": total, "limit": limit, "offset": offset, "order": order})
