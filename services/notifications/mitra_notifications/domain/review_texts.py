"""The texts of TPOA's review as a team (issue 14): an NGO's application, an MSP or an MSP's extension sent to the
TPOA member ministries, each member's answer, and an extension asked for or refused. In Bahasa Indonesia and English.
Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from mitra_notifications.domain.texts import Language, Message, compose, format_date

ReviewedKind = Literal["application", "msp", "extension"]
VERDICTS = {
    "id": {"cleared": "tidak keberatan", "objected": "keberatan"},
    "en": {"cleared": "cleared", "objected": "objected"},
}


@dataclass(frozen=True)
class Reviewed:
    """What is reviewed: an NGO's application, an MSP, or an MSP's extension (to a proposed end date)."""

    subject: ReviewedKind
    organization_name: str
    title: str | None = None
    ministry_name: str | None = None
    proposed_ends_on: date | None = None
    country_of_origin: str | None = None

    def named(self, language: Language) -> str:
        parties = f"{self.organization_name} – {self.ministry_name or '-'}"
        title = f'"{self.title}" ' if self.title else ""
        until = format_date(self.proposed_ends_on, language) if self.proposed_ends_on else "-"
        if language == "id":
            return {
                "application": f"permohonan pendaftaran {self.organization_name}"
                + (f" ({self.country_of_origin})" if self.country_of_origin else ""),
                "msp": f"rancangan MSP {title}({parties})",
                "extension": f"perpanjangan MSP {title}({parties}) sampai {until}",
            }[self.subject]
        return {
            "application": f"the application of {self.organization_name}"
            + (f" ({self.country_of_origin})" if self.country_of_origin else "")
            + " to enter the register",
            "msp": f"the draft MSP {title}({parties})",
            "extension": f"the extension of the MSP {title}({parties}) to {until}",
        }[self.subject]


def review_requested(what: Reviewed, members: tuple[str, ...], answer_by: date, language: Language) -> Message:
    named, by, asked = what.named(language), format_date(answer_by, language), ", ".join(members) or "-"
    if language == "id":
        subject = f"Mohon telaah TPOA: {named}"
        lines = [
            "Yth. anggota Tim Perizinan Ormas Asing (TPOA),",
            "",
            f"Mohon telaah atas {named}, dan sampaikan jawaban (tidak keberatan, atau keberatan dengan catatan) "
            f"paling lambat {by}. Satu keberatan menahan keputusan; setelah tanggal itu TPOA dapat memutuskan "
            "tanpa jawaban yang belum masuk.",
            f"Anggota yang diminta: {asked}",
        ]
    else:
        subject = f"TPOA review requested: {named}"
        lines = [
            "To the members of the Foreign NGO Licensing Team (TPOA),",
            "",
            f"Please review {named} and answer (cleared, or objected with a note) by {by}. One objection holds the "
            "decision; after that day TPOA may decide without the missing answers.",
            f"Members asked: {asked}",
        ]
    return compose(subject, lines, language)


@dataclass(frozen=True)
class Answer:
    member_code: str
    verdict: str
    note: str | None
    awaiting: tuple[str, ...]
    objected: tuple[str, ...]


def review_answered(what: Reviewed, answer: Answer, language: Language) -> Message:
    named = what.named(language)
    verdict = VERDICTS[language].get(answer.verdict, answer.verdict)
    awaiting, objected = ", ".join(answer.awaiting) or "-", ", ".join(answer.objected) or "-"
    if language == "id":
        subject = f"Jawaban telaah {answer.member_code} ({verdict}): {named}"
        lines = [
            f"{answer.member_code} menyatakan {verdict} atas {named}.",
            f"Catatan: {answer.note or '-'}",
            f"Belum menjawab: {awaiting}",
            f"Keberatan: {objected}",
        ]
        if answer.objected:
            lines += ["", "Selama ada keberatan, TPOA belum dapat menyetujui."]
        elif not answer.awaiting:
            lines += ["", "Semua anggota telah menjawab tanpa keberatan: TPOA dapat memutuskan."]
    else:
        subject = f"Review answer from {answer.member_code} ({verdict}): {named}"
        lines = [
            f"{answer.member_code} {'objected to' if answer.verdict == 'objected' else verdict} {named}.",
            f"Note: {answer.note or '-'}",
            f"Not answered yet: {awaiting}",
            f"Objections: {objected}",
        ]
        if answer.objected:
            lines += ["", "While an objection stands, TPOA cannot approve."]
        elif not answer.awaiting:
            lines += ["", "Every member answered without objection: TPOA may decide."]
    return compose(subject, lines, language)


@dataclass(frozen=True)
class ExtensionFacts:
    organization_name: str
    ministry_name: str
    title: str
    proposed_ends_on: date
    ends_on: date | None = None
    reason: str | None = None


def extension_requested(f: ExtensionFacts, language: Language) -> Message:
    until = format_date(f.proposed_ends_on, language)
    now = format_date(f.ends_on, language) if f.ends_on else "-"
    parties = f"{f.organization_name} – {f.ministry_name}"
    if language == "id":
        subject = f"Permohonan perpanjangan MSP: {parties}"
        lines = [
            f'{f.ministry_name} memohon perpanjangan MSP "{f.title}" ({parties}) sampai {until} (berakhir saat ini: '
            f"{now}).",
            f"Alasan: {f.reason or '-'}",
            "Perpanjangan ditelaah anggota TPOA sebelum diputuskan.",
        ]
    else:
        subject = f"MSP extension requested: {parties}"
        lines = [
            f'{f.ministry_name} asked to extend the MSP "{f.title}" ({parties}) to {until} (it now ends on {now}).',
            f"Reason: {f.reason or '-'}",
            "TPOA's members review the extension before it is decided.",
        ]
    return compose(subject, lines, language)


def extension_rejected(f: ExtensionFacts, language: Language) -> Message:
    until = format_date(f.proposed_ends_on, language)
    parties = f"{f.organization_name} – {f.ministry_name}"
    if language == "id":
        subject = f"Perpanjangan MSP ditolak TPOA: {parties}"
        lines = [
            f'TPOA menolak perpanjangan MSP "{f.title}" ({parties}) sampai {until}; MSP berakhir pada tanggal '
            "berakhirnya saat ini.",
            f"Catatan: {f.reason or '-'}",
        ]
    else:
        subject = f"MSP extension refused by TPOA: {parties}"
        lines = [
            f'TPOA refused to extend the MSP "{f.title}" ({parties}) to {until}; the MSP ends on its current end date.',
            f"Note: {f.reason or '-'}",
        ]
    return compose(subject, lines, language)
