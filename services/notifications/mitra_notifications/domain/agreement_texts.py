"""The texts of agreements' events (MSPs, visits, obligations due and overdue), in Bahasa Indonesia and English.
Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mitra_notifications.domain.texts import Language, Message, compose, format_date

OBLIGATION_NAMES = {
    "id": {
        "action_plan": "Rencana Aksi (Action Plan)",
        "work_plan": "Rencana Kerja Tahunan (RKT)",
        "semester_report": "laporan semester",
        "annual_report": "laporan tahunan",
        "extension_decision": "keputusan perpanjangan MSP",
    },
    "en": {
        "action_plan": "Action Plan",
        "work_plan": "annual work plan (RKT)",
        "semester_report": "semester report",
        "annual_report": "annual report",
        "extension_decision": "MSP extension decision",
    },
}


@dataclass(frozen=True)
class MspFacts:
    number: str
    organization_name: str
    ministry_name: str
    starts_on: date | None = None
    ends_on: date | None = None
    region_names: tuple[str, ...] = ()
    reason: str | None = None
    days_before: int | None = None
    closed_obligations: int = 0


def msp_signed(f: MspFacts, language: Language) -> Message:
    regions = ", ".join(f.region_names) or "-"
    period = (
        f"{format_date(f.starts_on, language)} – {format_date(f.ends_on, language)}"
        if f.starts_on and f.ends_on
        else "-"
    )
    if language == "id":
        return compose(
            f"MSP {f.number} ditandatangani: {f.organization_name} – {f.ministry_name}",
            [
                f"MSP nomor {f.number} antara {f.organization_name} dan {f.ministry_name} telah ditandatangani.",
                f"Jangka waktu: {period}",
                f"Lokasi kerja: {regions}",
            ],
            language,
        )
    return compose(
        f"MSP {f.number} signed: {f.organization_name} – {f.ministry_name}",
        [
            f"MSP number {f.number} between {f.organization_name} and {f.ministry_name} was signed.",
            f"Period: {period}",
            f"Work locations: {regions}",
        ],
        language,
    )


def msp_extended(f: MspFacts, language: Language) -> Message:
    until = format_date(f.ends_on, language) if f.ends_on else "-"
    if language == "id":
        return compose(
            f"MSP {f.number} diperpanjang sampai {until}",
            [
                f"MSP {f.number} ({f.organization_name} – {f.ministry_name}) diperpanjang sampai {until}.",
                f"Alasan: {f.reason or '-'}",
            ],
            language,
        )
    return compose(
        f"MSP {f.number} extended until {until}",
        [
            f"MSP {f.number} ({f.organization_name} – {f.ministry_name}) was extended until {until}.",
            f"Reason: {f.reason or '-'}",
        ],
        language,
    )


def msp_terminated(f: MspFacts, language: Language) -> Message:
    if language == "id":
        lines = [
            f"MSP {f.number} ({f.organization_name} – {f.ministry_name}) diakhiri sebelum waktunya.",
            f"Alasan: {f.reason or '-'}",
        ]
        if f.closed_obligations:
            lines.append(f"Kewajiban yang belum dipenuhi dan kini ditutup: {f.closed_obligations}")
        return compose(f"MSP {f.number} diakhiri lebih awal", lines, language)
    lines = [
        f"MSP {f.number} ({f.organization_name} – {f.ministry_name}) was ended early.",
        f"Reason: {f.reason or '-'}",
    ]
    if f.closed_obligations:
        lines.append(f"Open obligations now closed: {f.closed_obligations}")
    return compose(f"MSP {f.number} terminated early", lines, language)


def msp_expiring(f: MspFacts, language: Language) -> Message:
    until = format_date(f.ends_on, language) if f.ends_on else "-"
    if language == "id":
        return compose(
            f"MSP {f.number} berakhir dalam {f.days_before} hari",
            [
                f"MSP {f.number} ({f.organization_name} – {f.ministry_name}) berakhir pada {until}.",
                "Perlu keputusan: diperpanjang (melalui TPOA) atau dibiarkan berakhir.",
            ],
            language,
        )
    return compose(
        f"MSP {f.number} ends in {f.days_before} days",
        [
            f"MSP {f.number} ({f.organization_name} – {f.ministry_name}) ends on {until}.",
            "A decision is needed: extend it (through TPOA) or let it end.",
        ],
        language,
    )


@dataclass(frozen=True)
class VisitFacts:
    organization_name: str
    visitors: tuple[str, ...]
    purpose: str
    arrives_on: date
    departs_on: date
    region_codes: tuple[str, ...]
    late: bool = False
    reason: str | None = None


def visit(f: VisitFacts, change: str, language: Language) -> Message:
    """`change`: announced, updated or cancelled."""
    period = f"{format_date(f.arrives_on, language)} – {format_date(f.departs_on, language)}"
    regions = ", ".join(f.region_codes)
    guests = "; ".join(f.visitors) or "-"
    if language == "id":
        heading = {
            "announced": "Pemberitahuan kunjungan tamu asing",
            "updated": "Perubahan kunjungan tamu asing",
            "cancelled": "Pembatalan kunjungan tamu asing",
        }[change]
        lines = [
            f"{heading} dari {f.organization_name}.",
            f"Waktu: {period}",
            f"Wilayah (kode): {regions}",
            f"Tamu: {guests}",
            f"Tujuan: {f.purpose}",
        ]
        if f.late:
            lines.append("Catatan: pemberitahuan ini terlambat (kurang dari batas hari yang ditentukan).")
        if f.reason:
            lines.append(f"Alasan: {f.reason}")
        return compose(f"{heading}: {f.organization_name}, {period}", lines, language)
    heading = {
        "announced": "Foreign guests' visit announced",
        "updated": "Foreign guests' visit changed",
        "cancelled": "Foreign guests' visit cancelled",
    }[change]
    lines = [
        f"{heading} by {f.organization_name}.",
        f"Dates: {period}",
        f"Regions (codes): {regions}",
        f"Guests: {guests}",
        f"Purpose: {f.purpose}",
    ]
    if f.late:
        lines.append("Note: announced later than the required notice.")
    if f.reason:
        lines.append(f"Reason: {f.reason}")
    return compose(f"{heading}: {f.organization_name}, {period}", lines, language)


@dataclass(frozen=True)
class ObligationFacts:
    kind: str
    organization_name: str
    period: str
    due_on: date
    region_code: str | None = None
    days_left: int | None = None
    days_overdue: int | None = None
    holiday: str | None = None
    weekend: bool = False


def obligation(f: ObligationFacts, overdue: bool, language: Language) -> Message:
    name = OBLIGATION_NAMES[language].get(f.kind, f.kind)
    due = format_date(f.due_on, language)
    region = f" ({f.region_code})" if f.region_code else ""
    if language == "id":
        if overdue:
            subject = f"Terlambat: {name} {f.period} {f.organization_name}{region}"
            lines = [
                f"{name.capitalize()} periode {f.period}{region} dari {f.organization_name} jatuh tempo {due} "
                f"dan belum diterima ({f.days_overdue} hari terlambat)."
            ]
        else:
            subject = f"Jatuh tempo {due}: {name} {f.period} {f.organization_name}{region}"
            lines = [
                f"{name.capitalize()} periode {f.period}{region} dari {f.organization_name} jatuh tempo {due} "
                f"({f.days_left} hari lagi)."
            ]
        if f.holiday:
            lines.append(f"Tanggal jatuh tempo bertepatan dengan hari libur: {f.holiday}.")
        elif f.weekend:
            lines.append("Tanggal jatuh tempo jatuh pada akhir pekan.")
        return compose(subject, lines, language)
    if overdue:
        subject = f"Overdue: {f.organization_name}'s {name} {f.period}{region}"
        lines = [
            f"{f.organization_name}'s {name} for {f.period}{region} was due on {due} and has not been received "
            f"({f.days_overdue} days overdue)."
        ]
    else:
        subject = f"Due {due}: {f.organization_name}'s {name} {f.period}{region}"
        lines = [f"{f.organization_name}'s {name} for {f.period}{region} is due on {due} ({f.days_left} days left)."]
    if f.holiday:
        lines.append(f"The due date is a public holiday: {f.holiday}.")
    elif f.weekend:
        lines.append("The due date falls on a weekend.")
    return compose(subject, lines, language)
