"""A recommendation's letter (surat rekomendasi), as content: what it says, in Bahasa Indonesia, from the decision, the
request and the ministry's letterhead. Pure: the use case renders it as a PDF and stores it.

Nothing is made up: a ministry without a letterhead in the settings heads its letter with its name as agreements
knows it (no address), a fact agreements does not have (the expert's passport) is left out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

MONTHS = (
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
)

SUBJECTS = {
    "visa": "Rekomendasi Visa dan Izin Tinggal Tenaga Ahli Asing",
    "tax_exemption": "Rekomendasi Pembebasan Pajak",
}


class Letterhead(BaseModel):
    """A ministry's letterhead (kop surat), as the settings give it (`MITRA_LETTERHEADS`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=300, examples=["Kementerian Sosial Republik Indonesia"])
    address: str | None = Field(None, max_length=500, examples=["Jl. Salemba Raya No. 28, Jakarta Pusat 10430"])
    city: str | None = Field(None, max_length=100, description="Where letters are dated.", examples=["Jakarta"])
    phone: str | None = Field(None, max_length=100, examples=["(021) 3103591"])


def letterhead_for(letterheads: Mapping[str, Letterhead], ministry_code: str, ministry_name: str) -> Letterhead:
    """The ministry's letterhead from the settings, or its name as agreements knows it (no address, no city)."""
    return letterheads.get(ministry_code) or Letterhead(name=ministry_name)


def indonesian_date(day: date) -> str:
    """`5 Januari 2027`."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class Letter:
    """The content of a recommendation's letter, in reading order."""

    letterhead: Letterhead
    number: str
    dated: date
    subject: str
    recipient: str
    opening: str
    details: tuple[tuple[str, str], ...]
    decision: str
    note: str | None
    closing: str
    sender: str
    filename: str

    @property
    def place_and_date(self) -> str:
        day = indonesian_date(self.dated)
        return f"{self.letterhead.city}, {day}" if self.letterhead.city else day

    def head_lines(self) -> list[str]:
        """The letterhead: the ministry's name, then its address and telephone if the settings give them."""
        lines = [self.letterhead.name]
        if self.letterhead.address:
            lines.append(self.letterhead.address)
        if self.letterhead.phone:
            lines.append(f"Telepon {self.letterhead.phone}")
        return lines

    def text(self) -> list[str]:
        """Every line of the letter, unwrapped, in reading order."""
        lines = [*self.head_lines(), self.place_and_date, f"Nomor: {self.number}", f"Hal: {self.subject}"]
        lines += ["Kepada Yth.", self.recipient, self.opening]
        lines += [f"{label}: {value}" for label, value in self.details]
        lines.append(self.decision)
        if self.note:
            lines.append(f"Catatan: {self.note}")
        lines += [self.closing, self.sender]
        return lines


@dataclass(frozen=True)
class LetterFacts:
    """What a recommendation's letter is made of: the decision, the request, its MSP's parties."""

    reference_number: str
    decided_on: date
    granted: bool
    note: str | None
    kind: str
    expert_name: str | None
    expert_nationality: str | None
    purpose: str
    requested_on: date
    organization_name: str
    ministry_name: str
    msp_title: str
    msp_number: str | None
    passport_number: str | None = None


def recommendation_letter(facts: LetterFacts, letterhead: Letterhead) -> Letter:
    """The letter of a decided recommendation."""
    msp = f"Memorandum Saling Pengertian {facts.msp_number} " if facts.msp_number else "Memorandum Saling Pengertian "
    opening = (
        f"Menanggapi permohonan {facts.organization_name} tanggal {indonesian_date(facts.requested_on)} "
        f'dalam rangka {msp}"{facts.msp_title}", dengan ini {letterhead.name} menyampaikan keputusan atas '
        f"permohonan {SUBJECTS.get(facts.kind, 'rekomendasi').lower()} sebagai berikut."
    )
    details: list[tuple[str, str]] = []
    if facts.kind == "visa":
        if facts.expert_name:
            details.append(("Nama tenaga ahli", facts.expert_name))
        if facts.expert_nationality:
            details.append(("Kewarganegaraan", facts.expert_nationality))
        if facts.passport_number:
            details.append(("Nomor paspor", facts.passport_number))
        details.append(("Keperluan", facts.purpose))
    else:
        details.append(("Barang dan keperluan", facts.purpose))
    if facts.granted:
        decision = f"Keputusan: DIBERIKAN. {letterhead.name} memberikan rekomendasi atas permohonan tersebut."
    else:
        decision = (
            f"Keputusan: TIDAK DIBERIKAN. {letterhead.name} tidak memberikan rekomendasi atas permohonan tersebut."
        )
    return Letter(
        letterhead=letterhead,
        number=facts.reference_number,
        dated=facts.decided_on,
        subject=SUBJECTS.get(facts.kind, "Rekomendasi"),
        recipient=facts.organization_name,
        opening=opening,
        details=tuple(details),
        decision=decision,
        note=facts.note,
        closing="Demikian surat ini disampaikan untuk dipergunakan sebagaimana mestinya.",
        sender=letterhead.name,
        filename=letter_filename(facts.reference_number),
    )


def letter_filename(reference_number: str) -> str:
    """`surat-rekomendasi-B-123-REK-2027.pdf`: the reference number with only letters, digits and dashes."""
    cleaned = re.sub(r"[^A-Za-z0-9]+", "-", reference_number).strip("-")
    return f"surat-rekomendasi-{cleaned or 'tanpa-nomor'}.pdf"
