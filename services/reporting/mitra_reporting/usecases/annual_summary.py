"""A ministry's annual summary as a file: its year's figures from the read model, drawn as XLSX or PDF, or made
into a PDF document that reporting keeps (`store_annual_summary_pdf`) and anyone who could count the same figures
downloads later (`GET /documents/{id}`).

A kept summary records the reach its figures were counted within (`annual_summaries`); who may read it is
`domain.access.may_read_annual_summary`'s: the callers with that same reach, and those who read everything.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from datetime import date
from typing import Literal

from mitra_reporting.domain import annual_files, annual_pdf, annual_summary
from mitra_reporting.domain.access import check_annual_summary, reach_of, scope_text
from mitra_reporting.domain.annual_summary import AnnualFigures
from mitra_reporting.domain.filters import Filters
from mitra_reporting.sql import DOCUMENTS, MSPS, OBLIGATIONS, VISITS
from mitra_reporting.usecases import SERVICE, funding
from mitra_shared.clock import jakarta_date
from mitra_shared.context import Context
from mitra_shared.documents import DocumentStore, DocumentView, document_view, insert_document, store_generated
from mitra_shared.uow import UnitOfWork

ALL_MSPS = 10_000  # the MSP sheet lists every MSP of the year
EXPIRING_WITHIN_DAYS = 90  # not shown: the counts of MSPs by ministry need a horizon
"""The prefix of reporting's keys in the document store."""
ANNUAL_SUMMARY_DOCUMENTS = "annual_summary"
"""The `owner_type` of a kept annual summary's PDF in the documents table."""
PDF_TYPE = "application/pdf"


async def _figures(
    uow: UnitOfWork, ctx: Context, chosen: Filters, year: int, funding_as_of: date | None
) -> tuple[Filters, AnnualFigures]:
    """The figures of `chosen.ministry`'s year, counted within the caller's reach (a ministry asks only for its
    own), and the filters as counted; refused (not found) if no MSP of the ministry within that reach runs in it.
    The year's funding counts reports accepted by `funding_as_of`, by default the day the summary is made: the
    year's second semester and annual reports are due in the next year."""
    check_annual_summary(ctx.principal, chosen.ministry or "")
    chosen = chosen.within(reach_of(ctx.principal))
    async with uow.read() as conn:
        by_ministry = await conn.fetch(*MSPS.msps_by_ministry(**chosen.named(), within_days=EXPIRING_WITHIN_DAYS))
        msps = await conn.fetch(
            *MSPS.msp_list(**chosen.named(), within_days=None, state=None, limit=ALL_MSPS, offset=0)
        )
        compliance_rows = await conn.fetch(*OBLIGATIONS.compliance(**chosen.named()))
        provinces = await conn.fetch(*MSPS.cooperation_by_province(**chosen.named()))
        visits = await conn.fetchrow(*VISITS.visit_totals(**chosen.scope()))
        money = replace(chosen, as_of=funding_as_of or jakarta_date(ctx.now))
        by_province, totals = await funding.grouped(conn, money, "province")
        by_source, _ = await funding.grouped(conn, money, "source")
    figures = annual_summary.compose(
        chosen,
        year,
        by_ministry=by_ministry,
        msps=msps,
        compliance_rows=compliance_rows,
        provinces=provinces,
        visits=visits,
        funding_by_province=by_province,
        funding_by_source=by_source,
        funding_totals=totals,
        funding_as_of=money.as_of,
    )
    return chosen, figures


async def annual_figures(
    uow: UnitOfWork, ctx: Context, chosen: Filters, year: int, *, funding_as_of: date | None = None
) -> AnnualFigures:
    """The figures of `chosen.ministry`'s year as they are (the JSON answer), within the caller's reach."""
    return (await _figures(uow, ctx, chosen, year, funding_as_of))[1]


async def make_annual_summary(
    uow: UnitOfWork,
    ctx: Context,
    chosen: Filters,
    year: int,
    *,
    file_format: Literal["xlsx", "pdf"],
    funding_as_of: date | None = None,
) -> bytes:
    """The file of `chosen.ministry`'s year, counted within the caller's reach (a ministry asks only for its own);
    refused (not found) if no MSP of the ministry within that reach runs in it."""
    _, figures = await _figures(uow, ctx, chosen, year, funding_as_of)
    render = annual_files.to_pdf if file_format == "pdf" else annual_files.to_xlsx
    return await asyncio.to_thread(render, figures)  # drawing charts is CPU work: keep the event loop free


async def store_annual_summary_pdf(
    uow: UnitOfWork,
    ctx: Context,
    store: DocumentStore,
    chosen: Filters,
    year: int,
    *,
    funding_as_of: date | None = None,
) -> DocumentView:
    """Make the year's PDF document (tables of the figures, the scope they were counted within, when it was made),
    store it like an upload, then record it (the summary's facts and its documents row, `generated`) and audit it
    in one unit of work."""
    counted, figures = await _figures(uow, ctx, chosen, year, funding_as_of)
    data = await asyncio.to_thread(
        annual_pdf.to_pdf_document, figures, scope=scope_text(counted.reach), generated_at=ctx.now
    )
    filename = f"mitra-annual-{figures.ministry_code}-{year}.pdf"
    stored = await store_generated(store, SERVICE, filename=filename, content_type=PDF_TYPE, data=data)
    summary_id = uuid.uuid4()
    async with uow.change(ctx) as tx:
        await tx.conn.execute(
            *DOCUMENTS.insert_annual_summary(
                id=summary_id,
                year=year,
                ministry_code=figures.ministry_code,
                as_of=counted.as_of,
                **counted.reach.named(),
                generated_by=tx.actor,
                generated_at=tx.now,
            )
        )
        row = await insert_document(
            tx.conn,
            stored,
            owner_type=ANNUAL_SUMMARY_DOCUMENTS,
            owner_id=summary_id,
            purpose=ANNUAL_SUMMARY_DOCUMENTS,
            uploaded_by=tx.actor,
            uploaded_at=tx.now,
            generated=True,
        )
        document = document_view(row)
        tx.audit(
            "annual_summary.generated",
            "annual_summary",
            summary_id,
            before=None,
            after={
                "year": year,
                "ministry_code": figures.ministry_code,
                "as_of": counted.as_of,
                "scope": counted.reach.named(),
                "document": document.model_dump(mode="json"),
            },
        )
    return document
