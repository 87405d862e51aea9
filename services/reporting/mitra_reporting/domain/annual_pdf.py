"""The annual summary as a PDF document to keep: the same figures as the XLSX, as tables, with the title, the year,
the scope they were counted within, the day they are as of and when the document was made.

Pure: takes the year's figures (`annual_summary.AnnualFigures`), returns the PDF's bytes (reportlab). Text is drawn
in DejaVu Sans (`mitra_shared.pdf_fonts`), which covers Latin, Greek and Cyrillic names, CJK runs in the
`STSong-Light` fallback; every text is drawn as it is (escaped, never read as markup), without the control
characters a PDF cannot show.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from mitra_reporting.domain.annual_summary import AnnualFigures
from mitra_shared import pdf_fonts
from mitra_shared.clock import JAKARTA
from mitra_shared.pdf_fonts import BOLD, FONT

_NOT_SHOWN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_HEADER_BACKGROUND = colors.HexColor("#1565c0")


def _text(value: object) -> str:
    """A value as paragraph text: shown as it is (markup characters escaped), without control characters, its CJK
    runs in the fallback font."""
    return pdf_fonts.markup(_NOT_SHOWN.sub("", str(value)))


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("MitraTitle", parent=base["Title"], fontName=BOLD, fontSize=15, leading=19),
        "heading": ParagraphStyle("MitraHeading", parent=base["Heading2"], fontName=BOLD, fontSize=12, leading=15),
        "body": ParagraphStyle("MitraBody", parent=base["Normal"], fontName=FONT, fontSize=9.5, leading=12.5),
        "cell": ParagraphStyle("MitraCell", parent=base["Normal"], fontName=FONT, fontSize=8, leading=10),
        "header": ParagraphStyle(
            "MitraHeader", parent=base["Normal"], fontName=BOLD, fontSize=8, leading=10, textColor=colors.white
        ),
    }


def _table(
    header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float], styles: dict[str, ParagraphStyle]
) -> Table:
    """A table whose header repeats on every page it runs over; an empty one says so in one row."""
    cells = [[Paragraph(_text(label), styles["header"]) for label in header]]
    shown = rows or [["-"] + [""] * (len(header) - 1)]
    cells += [[Paragraph(_text(value), styles["cell"]) for value in row] for row in shown]
    table = Table(cells, colWidths=[width * mm for width in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), _HEADER_BACKGROUND),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9e9e9e")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f2f5fa")]),
            ]
        )
    )
    return table


def _funding_tables(figures: AnnualFigures, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    """The funding of accepted reports by province and by source, each currency on its own lines."""
    flowables: list[Flowable] = []
    for heading, rows in (
        ("Pendanaan per provinsi / Funding by province", figures.funding_by_province),
        ("Pendanaan per sumber / Funding by source", figures.funding_by_source),
    ):
        flowables += [
            Spacer(1, 5 * mm),
            Paragraph(f"{heading}, {figures.funding_note}", styles["heading"]),
            _table(
                ["Kode / Key", "Nama / Name", "Mata uang / Currency", "Jumlah / Amount", "Laporan / Reports", "MSP"],
                [[r.key, r.label, r.currency, f"{r.amount:,.2f}", r.reports, r.msps] for r in rows],
                [30, 90, 30, 50, 30, 30],
                styles,
            ),
        ]
    return flowables


def to_pdf_document(figures: AnnualFigures, *, scope: str, generated_at: datetime) -> bytes:
    """The year's figures as an A4 landscape PDF: a heading (title, year, ministry, scope, as of, made at, in
    Jakarta time), then the key figures, the MSPs, compliance per NGO, the funding of accepted reports by province
    and by source, and MSPs in force by province as tables."""
    pdf_fonts.register()
    styles = _styles()
    made = generated_at.astimezone(JAKARTA).strftime("%Y-%m-%d %H:%M WIB")
    flowables: list[Flowable] = [
        Paragraph(_text(figures.title), styles["title"]),
        Paragraph(f"Tahun / Year: {figures.year}", styles["body"]),
        Paragraph(
            f"Kementerian/Lembaga / Ministry: {_text(figures.ministry_name)} ({_text(figures.ministry_code)})",
            styles["body"],
        ),
        Paragraph(f"Cakupan / Scope: {_text(scope)}", styles["body"]),
        Paragraph(f"Per tanggal / As of: {figures.as_of.isoformat()}", styles["body"]),
        Paragraph(f"Dibuat / Generated: {made}", styles["body"]),
        Spacer(1, 5 * mm),
        Paragraph("Angka utama / Key figures", styles["heading"]),
        _table(["Angka / Figure", "Nilai / Value"], figures.key_figures, [150, 40], styles),
        Spacer(1, 5 * mm),
        Paragraph("MSP", styles["heading"]),
        _table(
            ["Nomor / Number", "Ormas Asing / NGO", "Mulai / Starts", "Berakhir / Ends", "Status", "Wilayah / Regions"],
            [[m.number, m.organization, m.starts_on, m.ends_on, m.status, m.regions] for m in figures.msps],
            [40, 75, 25, 25, 25, 77],
            styles,
        ),
        Spacer(1, 5 * mm),
        Paragraph("Kepatuhan per Ormas Asing / Compliance per NGO", styles["heading"]),
        _table(
            [
                "Ormas Asing / NGO",
                "Jatuh tempo / Due",
                "Tepat waktu / On time",
                "Terlambat / Late",
                "Lewat tenggat / Overdue",
            ],
            [[c.name, c.due, c.on_time, c.late, c.overdue] for c in figures.compliance],
            [107, 40, 40, 40, 40],
            styles,
        ),
        *_funding_tables(figures, styles),
        Spacer(1, 5 * mm),
        Paragraph("MSP aktif per provinsi / Active MSPs by province", styles["heading"]),
        _table(
            ["Kode provinsi / Province", "MSP aktif / Active MSPs", "Ormas Asing / NGOs"],
            [[p.province_code, p.active_msps, p.organizations] for p in figures.provinces],
            [60, 60, 60],
            styles,
        ),
    ]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=_NOT_SHOWN.sub("", figures.title),
        author="Mitra",
        subject=f"{figures.ministry_code} {figures.year}",
        creator="Mitra reporting",
    )
    document.build(flowables)
    return buffer.getvalue()
