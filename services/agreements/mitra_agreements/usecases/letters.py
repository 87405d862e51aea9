"""A recommendation's letter as a PDF (reportlab): one A4 page or more of the content `domain/letters.py` builds.

The output is reproducible (`invariant`: no creation date or random id in the file) and its page streams are not
compressed, so the same decision makes the same bytes and its words can be found in them. Text is drawn in DejaVu
Sans (`mitra_shared.pdf_fonts`), CJK runs in the `STSong-Light` fallback, so an expert's or an NGO's name in any
script prints as written.
"""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from mitra_agreements.domain.letters import Letter
from mitra_shared import pdf_fonts
from mitra_shared.pdf_fonts import BOLD, FONT

MARGIN = 25 * mm
SIZE, LEADING = 11, 15


class _Page:
    """Writes lines down the page, wrapping them, on a new page when one is full."""

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self.width, self.height = A4
        self.y = self.height - MARGIN

    def line(self, text: str, *, font: str = FONT, size: int = SIZE, centred: bool = False) -> None:
        width = self.width - 2 * MARGIN
        for part in pdf_fonts.wrap(text, font, size, width) or [""]:
            if self.y < MARGIN:
                self.canvas.showPage()
                self.y = self.height - MARGIN
            x = (self.width - pdf_fonts.string_width(part, font, size)) / 2 if centred else MARGIN
            pdf_fonts.draw_string(self.canvas, x, self.y, part, font, size)
            self.y -= size + (LEADING - SIZE)

    def gap(self, lines: float = 1.0) -> None:
        self.y -= LEADING * lines

    def rule(self) -> None:
        self.canvas.line(MARGIN, self.y + LEADING / 2, self.width - MARGIN, self.y + LEADING / 2)
        self.gap(0.5)


def render_letter(letter: Letter) -> bytes:
    """The letter as PDF bytes."""
    pdf_fonts.register()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=0, initialFontName=FONT, initialFontSize=SIZE)
    canvas.setTitle(f"{letter.subject} {letter.number}")
    canvas.setAuthor(letter.letterhead.name)
    canvas.setSubject(letter.subject)
    page = _Page(canvas)
    head = letter.head_lines()
    page.line(head[0], font=BOLD, size=14, centred=True)
    for text in head[1:]:
        page.line(text, size=10, centred=True)
    page.rule()
    page.gap()
    page.line(letter.place_and_date)
    page.line(f"Nomor: {letter.number}")
    page.line(f"Hal: {letter.subject}", font=BOLD)
    page.gap()
    page.line("Kepada Yth.")
    page.line(letter.recipient)
    page.gap()
    page.line(letter.opening)
    page.gap(0.5)
    for label, value in letter.details:
        page.line(f"{label}: {value}")
    page.gap(0.5)
    page.line(letter.decision, font=BOLD)
    if letter.note:
        page.line(f"Catatan: {letter.note}")
    page.gap()
    page.line(letter.closing)
    page.gap(2)
    page.line(letter.sender, font=BOLD)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
