"""The fonts Mitra's PDFs are drawn in (reportlab): DejaVu Sans and DejaVu Sans Bold, shipped in `fonts/` (Latin,
Greek, Cyrillic, and more), and for a run of characters DejaVu has no glyph for (Chinese, Japanese, Korean) the CID
font `STSong-Light` that every PDF reader knows (not embedded).

`register()` once before drawing; `runs` splits a text into (font, text) runs; `draw_string`, `string_width` and
`wrap` draw and measure such text on a canvas; `markup` makes it paragraph text (escaped, the CJK runs in a `<font>`
tag) for platypus.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONT, BOLD = "MitraDejaVuSans", "MitraDejaVuSans-Bold"
CJK = "STSong-Light"
"""The fallback for characters DejaVu Sans lacks: a CID font built into PDF readers (Adobe-GB1), no bold."""

FONTS_DIR = Path(__file__).parent / "fonts"
_FILES = {FONT: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}


def register() -> None:
    """Register DejaVu Sans, its bold and the CJK fallback with reportlab (once; again changes nothing)."""
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name, filename in _FILES.items():
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(FONTS_DIR / filename)))
    if CJK not in registered:
        pdfmetrics.registerFont(UnicodeCIDFont(CJK))


def _covers(font: str, char: str) -> bool:
    face = getattr(pdfmetrics.getFont(font), "face", None)
    return face is None or ord(char) in face.charToGlyph


def runs(text: str, font: str = FONT) -> list[tuple[str, str]]:
    """The text as consecutive runs of the font that draws them: `font` where it has the glyph, `CJK` where not.
    Whitespace stays in the run it is in."""
    register()
    found: list[tuple[str, str]] = []
    for char in text:
        drawing = font if _covers(font, char) else CJK
        wanted = found[-1][0] if char.isspace() and found else drawing
        if found and found[-1][0] == wanted:
            found[-1] = (wanted, found[-1][1] + char)
        else:
            found.append((wanted, char))
    return found


def string_width(text: str, font: str, size: float) -> float:
    """The width of the text drawn in `font` at `size`, its CJK runs in the fallback."""
    return sum(pdfmetrics.stringWidth(part, name, size) for name, part in runs(text, font))


def draw_string(canvas: Canvas, x: float, y: float, text: str, font: str, size: float) -> None:
    """Draw the text from (x, y), each run in its font."""
    for name, part in runs(text, font):
        canvas.setFont(name, size)
        canvas.drawString(x, y, part)
        x += pdfmetrics.stringWidth(part, name, size)


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """The text in lines no wider than `width`, broken between words; a word wider than a line (a CJK sentence has
    no spaces) is broken between characters."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if string_width(candidate, font, size) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
            line = ""
        for char in word:
            if line and string_width(line + char, font, size) > width:
                lines.append(line)
                line = ""
            line += char
    if line:
        lines.append(line)
    return lines


def markup(text: str, font: str = FONT) -> str:
    """The text as platypus paragraph text: escaped (never read as markup), its CJK runs in the fallback font."""
    register()
    return "".join(
        f'<font name="{CJK}">{escape(part)}</font>' if name == CJK else escape(part) for name, part in runs(text, font)
    )
