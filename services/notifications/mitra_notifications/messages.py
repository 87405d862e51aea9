"""Message texts in Bahasa Indonesia and English. Pure: no I/O, so every wording is unit-testable."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

Language = Literal["id", "en"]
JAKARTA = ZoneInfo("Asia/Jakarta")

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


def format_datetime(moment: datetime, language: Language) -> str:
    """`22 November 2026 pukul 17.53 WIB` / `22 November 2026, 17:53 WIB` (Western Indonesian Time)."""
    local = moment.astimezone(JAKARTA)
    date = f"{local.day} {_MONTHS[language][local.month - 1]} {local.year}"
    if language == "id":
        return f"{date} pukul {local:%H.%M} WIB"
    return f"{date}, {local:%H:%M} WIB"


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class OrganizationRegisteredFacts:
    legal_name: str
    acronym: str | None
    country_of_origin: str
    focus_areas: list[str]
    registered_at: datetime


def organization_registered(facts: OrganizationRegisteredFacts, language: Language) -> Message:
    name = facts.legal_name + (f" ({facts.acronym})" if facts.acronym else "")
    when = format_datetime(facts.registered_at, language)
    areas = ", ".join(facts.focus_areas) or "-"
    if language == "id":
        subject = f"Ormas Asing baru terdaftar: {name}"
        lines = [
            "Yth. Tim Perizinan Ormas Asing (TPOA),",
            "",
            f"Ormas Asing berikut telah dicatat dalam register Mitra pada {when}:",
            "",
            f"Nama: {name}",
            f"Negara asal: {facts.country_of_origin}",
            f"Bidang kegiatan: {areas}",
            "Status: pemohon (menunggu penelaahan TPOA)",
            "",
            "Pesan ini dikirim otomatis oleh Mitra.",
        ]
    else:
        subject = f"New foreign NGO registered: {name}"
        lines = [
            "To the Foreign NGO Licensing Team (TPOA),",
            "",
            f"The following foreign NGO was entered in the Mitra register on {when}:",
            "",
            f"Name: {name}",
            f"Country of origin: {facts.country_of_origin}",
            f"Focus areas: {areas}",
            "Status: applicant (awaiting TPOA review)",
            "",
            "This message was sent automatically by Mitra.",
        ]
    return Message(subject=subject, text="\n".join(lines) + "\n", html=as_html(subject, lines))


def format_date(day: date, language: Language) -> str:
    return f"{day.day} {_MONTHS[language][day.month - 1]} {day.year}"


_PERMIT_NAMES = {
    "id": {"principle": "izin prinsip", "operating": "izin operasional"},
    "en": {"principle": "principle permit", "operating": "operating permit"},
}


@dataclass(frozen=True)
class PermitFacts:
    organization_name: str
    permit_type: str
    number: str
    valid_until: date
    days_before: int | None = None


def permit_expiring(facts: PermitFacts, language: Language) -> Message:
    kind = _PERMIT_NAMES[language].get(facts.permit_type, facts.permit_type)
    until = format_date(facts.valid_until, language)
    if language == "id":
        subject = f"{kind.capitalize()} {facts.organization_name} berakhir dalam {facts.days_before} hari"
        lines = [
            f"{kind.capitalize()} nomor {facts.number} milik {facts.organization_name} berlaku sampai {until}.",
            "",
            "Permohonan perpanjangan izin prinsip diajukan paling lambat 3 bulan sebelum masa berlakunya berakhir.",
            "",
            "Pesan ini dikirim otomatis oleh Mitra.",
        ]
    else:
        subject = f"{facts.organization_name}'s {kind} expires in {facts.days_before} days"
        lines = [
            f"{kind.capitalize()} number {facts.number} of {facts.organization_name} is valid until {until}.",
            "",
            "An extension of a principle permit is due at least 3 months before it expires.",
            "",
            "This message was sent automatically by Mitra.",
        ]
    return Message(subject=subject, text="\n".join(lines) + "\n", html=as_html(subject, lines))


def permit_expired(facts: PermitFacts, language: Language) -> Message:
    kind = _PERMIT_NAMES[language].get(facts.permit_type, facts.permit_type)
    until = format_date(facts.valid_until, language)
    if language == "id":
        subject = f"{kind.capitalize()} {facts.organization_name} telah berakhir"
        lines = [
            f"{kind.capitalize()} nomor {facts.number} milik {facts.organization_name} berakhir pada {until}.",
            "",
            "Pesan ini dikirim otomatis oleh Mitra.",
        ]
    else:
        subject = f"{facts.organization_name}'s {kind} has expired"
        lines = [
            f"{kind.capitalize()} number {facts.number} of {facts.organization_name} expired on {until}.",
            "",
            "This message was sent automatically by Mitra.",
        ]
    return Message(subject=subject, text="\n".join(lines) + "\n", html=as_html(subject, lines))


_STATUS_NAMES = {
    "id": {
        "applicant": "pemohon",
        "registered": "terdaftar",
        "active": "aktif",
        "suspended": "dibekukan",
        "revoked": "dicabut",
        "closed": "ditutup",
    },
    "en": {
        "applicant": "applicant",
        "registered": "registered",
        "active": "active",
        "suspended": "suspended",
        "revoked": "revoked",
        "closed": "closed",
    },
}


@dataclass(frozen=True)
class StatusChangeFacts:
    organization_name: str
    previous_status: str
    status: str
    reason: str
    changed_at: datetime


def organization_status_changed(facts: StatusChangeFacts, language: Language) -> Message:
    names = _STATUS_NAMES[language]
    before, after = names.get(facts.previous_status, facts.previous_status), names.get(facts.status, facts.status)
    when = format_datetime(facts.changed_at, language)
    if language == "id":
        subject = f"Status {facts.organization_name}: {after}"
        lines = [
            f"Status {facts.organization_name} berubah dari {before} menjadi {after} pada {when}.",
            f"Alasan: {facts.reason}",
            "",
            "Pesan ini dikirim otomatis oleh Mitra.",
        ]
    else:
        subject = f"{facts.organization_name} is now {after}"
        lines = [
            f"The status of {facts.organization_name} changed from {before} to {after} on {when}.",
            f"Reason: {facts.reason}",
            "",
            "This message was sent automatically by Mitra.",
        ]
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


@dataclass(frozen=True)
class DigestItem:
    subject: str
    text: str
    created_at: datetime


def digest(items: list[DigestItem], day: date, language: Language) -> Message:
    """One e-mail with the day's notifications, oldest first."""
    when = format_date(day, language)
    if language == "id":
        subject = f"Ringkasan harian Mitra, {when}: {len(items)} pemberitahuan"
        lines = [f"Pemberitahuan Mitra sejak ringkasan terakhir ({len(items)}):", ""]
    else:
        subject = f"Mitra daily digest, {when}: {len(items)} notifications"
        lines = [f"Mitra notifications since the last digest ({len(items)}):", ""]
    for number, item in enumerate(items, start=1):
        lines += [f"{number}. {item.subject} ({format_datetime(item.created_at, language)})", ""]
        lines += [f"   {line}" if line else "" for line in item.text.strip().splitlines()]
        lines.append("")
    return Message(subject=subject, text="\n".join(lines) + "\n", html=as_html(subject, lines))
