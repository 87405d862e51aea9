"""The texts of sanctions (issue 14): a sanction imposed on an NGO, lifted or ended by its date, and a permit revoked
by a revocation. In Bahasa Indonesia and English. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mitra_notifications.domain.registry_texts import PERMIT_NAMES, STATUS_NAMES
from mitra_notifications.domain.texts import Language, Message, compose, format_date

SANCTION_NAMES = {
    "id": {"warning": "peringatan", "freeze": "pembekuan kegiatan", "revocation": "pencabutan izin"},
    "en": {"warning": "warning", "freeze": "freeze", "revocation": "revocation"},
}
CATEGORY_NAMES = {
    "id": {
        "political_activity": "kegiatan politik",
        "proselytising": "penyebaran agama",
        "commercial_activity": "kegiatan komersial",
        "fundraising": "penggalangan dana",
        "reporting_failure": "kelalaian pelaporan",
        "other": "lainnya",
    },
    "en": {
        "political_activity": "political activity",
        "proselytising": "proselytising",
        "commercial_activity": "commercial activity",
        "fundraising": "fundraising",
        "reporting_failure": "failure to report",
        "other": "other",
    },
}
_CONSEQUENCES = {
    "id": {
        "warning": "Peringatan ini dicatat dalam register dan diperhitungkan dalam penilaian risiko kepatuhan.",
        "freeze": "Selama pembekuan, tidak dapat diajukan MSP baru, perpanjangan MSP, maupun kunjungan tamu asing; "
        "kewajiban pelaporan tetap berjalan.",
        "revocation": "Seluruh izin yang berlaku dicabut dan MSP yang sedang berjalan diakhiri.",
    },
    "en": {
        "warning": "The warning is recorded in the register and counts in the compliance-risk score.",
        "freeze": "While the freeze lasts, no new MSP, MSP extension or foreign visit may be submitted; reporting "
        "obligations keep running.",
        "revocation": "Every valid permit is revoked and the MSPs in force are terminated.",
    },
}


@dataclass(frozen=True)
class SanctionFacts:
    organization_name: str
    sanction_kind: str
    category: str
    reason: str
    organization_status: str
    starts_on: date | None = None
    ends_on: date | None = None
    expired: bool = False


def _names(f: SanctionFacts, language: Language) -> tuple[str, str, str]:
    kind = SANCTION_NAMES[language].get(f.sanction_kind, f.sanction_kind)
    category = CATEGORY_NAMES[language].get(f.category, f.category)
    status = STATUS_NAMES[language].get(f.organization_status, f.organization_status)
    return kind, category, status


def sanction_imposed(f: SanctionFacts, language: Language) -> Message:
    kind, category, status = _names(f, language)
    consequence = _CONSEQUENCES[language].get(f.sanction_kind)
    if language == "id":
        since = f" sejak {format_date(f.starts_on, language)}" if f.starts_on else ""
        lines = [
            f"Sanksi {kind} dijatuhkan kepada {f.organization_name}{since}.",
            f"Pelanggaran: {category}",
            f"Alasan: {f.reason}",
        ]
        if f.ends_on:
            lines.append(f"Berlaku sampai: {format_date(f.ends_on, language)}")
        lines.append(f"Status dalam register: {status}")
        subject = f"Sanksi {kind}: {f.organization_name}"
    else:
        since = f" from {format_date(f.starts_on, language)}" if f.starts_on else ""
        lines = [
            f"A {kind} was imposed on {f.organization_name}{since}.",
            f"Breach: {category}",
            f"Reason: {f.reason}",
        ]
        if f.ends_on:
            lines.append(f"Until: {format_date(f.ends_on, language)}")
        lines.append(f"Status in the register: {status}")
        subject = f"Sanction ({kind}): {f.organization_name}"
    if consequence:
        lines += ["", consequence]
    return compose(subject, lines, language)


def sanction_lifted(f: SanctionFacts, language: Language) -> Message:
    kind, category, status = _names(f, language)
    if language == "id":
        if f.expired:
            subject = f"Sanksi {kind} berakhir: {f.organization_name}"
            first = f"Sanksi {kind} ({category}) terhadap {f.organization_name} berakhir sesuai jangka waktunya."
        else:
            subject = f"Sanksi {kind} dicabut: {f.organization_name}"
            first = f"Sanksi {kind} ({category}) terhadap {f.organization_name} dicabut."
        lines = [first, f"Keterangan: {f.reason}", f"Status dalam register: {status}"]
    else:
        if f.expired:
            subject = f"Sanction ({kind}) ended: {f.organization_name}"
            first = f"The {kind} ({category}) on {f.organization_name} ended on its end date."
        else:
            subject = f"Sanction ({kind}) lifted: {f.organization_name}"
            first = f"The {kind} ({category}) on {f.organization_name} was lifted."
        lines = [first, f"Note: {f.reason}", f"Status in the register: {status}"]
    return compose(subject, lines, language)


@dataclass(frozen=True)
class RevokedPermitFacts:
    organization_name: str
    permit_type: str
    number: str
    revoked_on: date
    reason: str


def permit_revoked(f: RevokedPermitFacts, language: Language) -> Message:
    kind = PERMIT_NAMES[language].get(f.permit_type, f.permit_type)
    on = format_date(f.revoked_on, language)
    if language == "id":
        subject = f"{kind.capitalize()} {f.organization_name} dicabut"
        lines = [
            f"{kind.capitalize()} nomor {f.number} milik {f.organization_name} dicabut pada {on}.",
            f"Alasan: {f.reason}",
        ]
    else:
        subject = f"{f.organization_name}'s {kind} revoked"
        lines = [
            f"{kind.capitalize()} number {f.number} of {f.organization_name} was revoked on {on}.",
            f"Reason: {f.reason}",
        ]
    return compose(subject, lines, language)
