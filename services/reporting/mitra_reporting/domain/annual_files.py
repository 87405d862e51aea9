"""The annual summary of a ministry's cooperation with foreign NGOs as a file: XLSX or PDF, with charts drawn here.

Pure: takes the year's figures (`annual_summary.AnnualFigures`), returns the file's bytes. Charts are drawn with
matplotlib (no display needed); the XLSX carries them as pictures beside the tables, the PDF as pages. Text in the
XLSX is stored as text, never as a formula (`spreadsheets.append_row`); names are drawn as they are, never read as
matplotlib's math notation.
"""

from __future__ import annotations

import io
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display on a server

import matplotlib.pyplot as plt
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.styles import Font

from mitra_reporting.domain.annual_summary import AnnualFigures, ComplianceLine, ProvinceLine
from mitra_reporting.domain.funding import FundingRow
from mitra_reporting.domain.spreadsheets import append_row

matplotlib.rcParams["text.parse_math"] = False  # an NGO's name with two `$` in it is a name, not a formula


FUNDING_HEADER = ["Kode / Key", "Nama / Name", "Mata uang / Currency", "Jumlah / Amount", "Laporan / Reports", "MSP"]


def funding_rows(rows: list[FundingRow]) -> list[list[Any]]:
    """Funding lines as table rows (the amounts as numbers a spreadsheet sums)."""
    return [[r.key, r.label, r.currency, r.amount, r.reports, r.msps] for r in rows]


def compliance_chart(figures: AnnualFigures) -> Figure:
    lines = figures.compliance[:20] or [ComplianceLine("-", 0, 0, 0, 0)]
    figure = plt.figure(figsize=(10, 0.45 * len(lines) + 1.8))
    axes = figure.add_subplot()
    names = [line.name for line in lines]
    on_time = [line.on_time for line in lines]
    late = [line.late for line in lines]
    overdue = [line.overdue for line in lines]
    axes.barh(names, on_time, color="#2e7d32", label="tepat waktu / on time")
    axes.barh(names, late, left=on_time, color="#f9a825", label="terlambat / late")
    axes.barh(
        names,
        overdue,
        left=[a + b for a, b in zip(on_time, late, strict=True)],
        color="#c62828",
        label="lewat tenggat / overdue",
    )
    axes.invert_yaxis()
    axes.set_xlabel("kewajiban jatuh tempo / obligations due")
    axes.set_title(f"Kepatuhan per Ormas Asing / Compliance per NGO, {figures.year}")
    axes.legend(loc="lower right", fontsize="small")
    figure.tight_layout()
    return figure


def provinces_chart(figures: AnnualFigures) -> Figure:
    lines = figures.provinces or [ProvinceLine("-", 0, 0)]
    figure = plt.figure(figsize=(10, 4))
    axes = figure.add_subplot()
    axes.bar([line.province_code for line in lines], [line.active_msps for line in lines], color="#1565c0")
    axes.set_xlabel("kode provinsi / province code")
    axes.set_ylabel("MSP aktif / active MSPs")
    axes.set_title(f"MSP per provinsi / MSPs by province, {figures.as_of.isoformat()}")
    figure.tight_layout()
    return figure


def _png(figure: Figure) -> io.BytesIO:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    plt.close(figure)
    buffer.seek(0)
    return buffer


def to_xlsx(figures: AnnualFigures) -> bytes:
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = "Ringkasan"
    append_row(summary, [figures.title])
    summary["A1"].font = Font(bold=True, size=13)
    append_row(summary, [f"Per tanggal / as of {figures.as_of.isoformat()}"])
    summary.append([])
    for label, value in figures.key_figures:
        append_row(summary, [label, value])
    summary.column_dimensions["A"].width = 60
    summary.add_image(Image(_png(compliance_chart(figures))), "D4")

    sheets: list[tuple[str, list[str], list[list[Any]]]] = [
        (
            "MSP",
            ["Nomor / Number", "Ormas Asing / NGO", "Mulai / Starts", "Berakhir / Ends", "Status", "Wilayah / Regions"],
            [[m.number, m.organization, m.starts_on, m.ends_on, m.status, m.regions] for m in figures.msps],
        ),
        (
            "Kepatuhan",
            [
                "Ormas Asing / NGO",
                "Jatuh tempo / Due",
                "Tepat waktu / On time",
                "Terlambat / Late",
                "Lewat tenggat / Overdue",
            ],
            [[c.name, c.due, c.on_time, c.late, c.overdue] for c in figures.compliance],
        ),
        (
            "Provinsi",
            ["Kode provinsi / Province", "MSP aktif / Active MSPs", "Ormas Asing / NGOs"],
            [[p.province_code, p.active_msps, p.organizations] for p in figures.provinces],
        ),
        ("Pendanaan provinsi", FUNDING_HEADER, funding_rows(figures.funding_by_province)),
        ("Pendanaan sumber", FUNDING_HEADER, funding_rows(figures.funding_by_source)),
    ]
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title)
        append_row(sheet, header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            append_row(sheet, row)
        if title.startswith("Pendanaan"):
            append_row(sheet, [])
            append_row(sheet, [f"Pendanaan {figures.funding_note}"])
        sheet.freeze_panes = "A2"
    workbook["Provinsi"].add_image(Image(_png(provinces_chart(figures))), "E2")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _table_page(title: str, header: list[str], rows: list[list[Any]]) -> Figure:
    figure = plt.figure(figsize=(11.69, 8.27))  # A4 landscape
    figure.suptitle(title, fontsize=12)
    axes = figure.add_subplot()
    axes.axis("off")
    shown = [[str(value) for value in row] for row in rows[:30]] or [["-"] * len(header)]
    table = axes.table(cellText=shown, colLabels=header, loc="upper center", cellLoc="left")
    table.auto_set_font_size(False)
    table.set_fontsize(7)
    if len(rows) > 30:
        axes.text(0, 0, f"... {len(rows) - 30} more rows in the XLSX", fontsize=8)
    return figure


def to_pdf(figures: AnnualFigures) -> bytes:
    buffer = io.BytesIO()
    with PdfPages(buffer, metadata={"Title": figures.title, "Creator": "Mitra"}) as pdf:
        cover = plt.figure(figsize=(11.69, 8.27))
        cover.text(0.05, 0.9, figures.title, fontsize=14, weight="bold")
        cover.text(0.05, 0.85, f"Per tanggal / as of {figures.as_of.isoformat()}", fontsize=10)
        for index, (label, value) in enumerate(figures.key_figures):
            cover.text(0.05, 0.78 - index * 0.04, f"{label}: {value}", fontsize=10)
        pdf.savefig(cover)
        plt.close(cover)
        for figure in (compliance_chart(figures), provinces_chart(figures)):
            pdf.savefig(figure)
            plt.close(figure)
        page = _table_page(
            "MSP",
            ["Nomor", "Ormas Asing / NGO", "Mulai", "Berakhir", "Status", "Wilayah"],
            [[m.number, m.organization, m.starts_on, m.ends_on, m.status, m.regions] for m in figures.msps],
        )
        pdf.savefig(page)
        plt.close(page)
        for title, rows in (
            ("Pendanaan per provinsi / Funding by province", figures.funding_by_province),
            ("Pendanaan per sumber / Funding by source", figures.funding_by_source),
        ):
            shown = [[r.key, r.label, r.currency, f"{r.amount:,.2f}", r.reports, r.msps] for r in rows]
            page = _table_page(f"{title}, {figures.funding_note}", FUNDING_HEADER, shown)
            pdf.savefig(page)
            plt.close(page)
    return buffer.getvalue()
