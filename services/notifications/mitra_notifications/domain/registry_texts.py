"""The texts of registry's events (a new NGO, a permit expiring or expired, a status change), in Bahasa Indonesia
and English. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from mitra_notifications.domain.texts import Language, Message, compose, format_date, format_datetime

PERMIT_NAMES = {
    "id": {"principle": "izin prinsip", "operating": "izin operasional"},
    "en": {"principle": "principle permit", "operating": "operating permit"},
}
STATUS_NAMES = {
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
        ]
    return compose(subject, lines, language)


@dataclass(frozen=True)
class PermitFacts:
    organization_name: str
    permit_type: str
    number: str
    valid_until: date
    days_before: int | None = None


def permit_expiring(facts: PermitFacts, language: Language) -> Message:
    kind = PERMIT_NAMES[language].get(facts.permit_type, facts.permit_type)
    until = format_date(facts.valid_until, language)
    if language == "id":
        subject = f"{kind.capitalize()} {facts.organization_name} berakhir dalam {facts.days_before} hari"
        lines = [
            f"{kind.capitalize()} nomor {facts.number} milik {facts.organization_name} berlaku sampai {until}.",
            "",
            "Permohonan perpanjangan izin prinsip diajukan paling lambat 3 bulan sebelum masa berlakunya berakhir.",
        ]
    else:
        subject = f"{facts.organization_name}'s {kind} expires in {facts.days_before} days"
        lines = [
            f"{kind.capitalize()} number {facts.number} of {facts.organization_name} is valid until {until}.",
            "",
            "An extension of a principle permit is due at least 3 months before it expires.",
        ]
    return compose(subject, lines, language)


def permit_expired(facts: PermitFacts, language: Language) -> Message:
    kind = PERMIT_NAMES[language].get(facts.permit_type, facts.permit_type)
    until = format_date(facts.valid_until, language)
    if language == "id":
        subject = f"{kind.capitalize()} {facts.organization_name} telah berakhir"
        line = f"{kind.capitalize()} nomor {facts.number} milik {facts.organization_name} berakhir pada {until}."
    else:
        subject = f"{facts.organization_name}'s {kind} has expired"
        line = f"{kind.capitalize()} number {facts.number} of {facts.organization_name} expired on {until}."
    return compose(subject, [line], language)


@dataclass(frozen=True)
class StatusChangeFacts:
    organization_name: str
    previous_status: str
    status: str
    reason: str
    changed_at: datetime


def organization_status_changed(facts: StatusChangeFacts, language: Language) -> Message:
    names = STATUS_NAMES[language]
    before, after = names.get(facts.previous_status, facts.previous_status), names.get(facts.status, facts.status)
    when = format_datetime(facts.changed_at, language)
    if language == "id":
        subject = f"Status {facts.organization_name}: {after}"
        lines = [
            f"Status {facts.organization_name} berubah dari {before} menjadi {after} pada {when}.",
            f"Alasan: {facts.reason}",
        ]
    else:
        subject = f"{facts.organization_name} is now {after}"
        lines = [
            f"The status of {facts.organization_name} changed from {before} to {after} on {when}.",
            f"Reason: {facts.reason}",
        ]
    return compose(subject, lines, language)
