"""What every notification text is made of: subject, plain text and HTML, and dates as Indonesia reads them.
Pure: no I/O, so every wording is unit-testable."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from mitra_shared.clock import JAKARTA

Language = Literal["id", "en"]

_MONTHS = {
    "id": [
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}
FOOTER = {"id": "Pesan ini dikirim otomatis oleh Mitra.", "en": "This message was sent automatically by Mitra."}


@dataclass(frozen=True)
class Message:
    """A notification's text, the same for every channel: the e-mail's subject and bodies, the inbox entry."""

    subject: str
    text: str
    html: str


def format_datetime(moment: datetime, language: Language) -> str:
    """`22 November 2026 pukul 17.53 WIB` / `22 November 2026, 17:53 WIB` (Western Indonesian Time)."""
    local = moment.astimezone(JAKARTA)
    day = format_date(local.date(), language)
    if language == "id":
        return f"{day} pukul {local:%H.%M} WIB"
    return f"{day}, {local:%H:%M} WIB"


def format_date(day: date, language: Language) -> str:
    return f"{day.day} {_MONTHS[language][day.month - 1]} {day.year}"


def compose(subject: str, lines: list[str], language: Language | None = None) -> Message:
    """The message of these lines; with a language, the automatic-message footer is added after a blank line."""
    if language is not None:
        lines = [*lines, "", FOOTER[language]]
    return Message(subject=subject, text="\n".join(lines) + "\n", html=as_html(subject, lines))


def as_html(title: str, lines: list[str]) -> str:
    paragraphs = []
    block: list[str] = []
    for line in [*lines, ""]:
        if line:
            block.append(html.escape(line))
        elif block:
            paragraphs.append("<p>" + "<br>".join(block) + "</p>")
            block = []
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>'
        f"<body>{''.join(paragraphs)}</body></html>"
    )
