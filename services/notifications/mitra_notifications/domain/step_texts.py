"""The texts of the steps of the work loop (issue 14): a submission submitted, accepted or returned with the
reviewer's comments; an MSP submitted to TPOA, approved or rejected; a recommendation requested and decided. In
Bahasa Indonesia and English. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mitra_notifications.domain.agreement_texts import OBLIGATION_NAMES
from mitra_notifications.domain.texts import Language, Message, compose

SubmissionStep = Literal["submitted", "accepted", "returned"]
MspStep = Literal["submitted", "approved", "rejected"]
RECOMMENDATION_NAMES = {
    "id": {"visa": "rekomendasi visa/izin tinggal", "tax_exemption": "rekomendasi pembebasan pajak"},
    "en": {"visa": "visa/stay permit recommendation", "tax_exemption": "tax exemption recommendation"},
}


@dataclass(frozen=True)
class SubmissionFacts:
    kind: str
    organization_name: str
    period: str
    attempt: int = 1
    region_code: str | None = None
    summary: str | None = None
    late: bool = False
    comments: str | None = None


def submission(f: SubmissionFacts, step: SubmissionStep, language: Language) -> Message:
    name = OBLIGATION_NAMES[language].get(f.kind, f.kind)
    region = f" ({f.region_code})" if f.region_code else ""
    what = f"{name} {f.period}{region}"
    if language == "id":
        subject, first = {
            "submitted": (
                f"Diajukan: {what} dari {f.organization_name}",
                f"{f.organization_name} mengajukan {what} (pengajuan ke-{f.attempt}). Mohon ditinjau: terima, atau "
                "kembalikan dengan catatan.",
            ),
            "accepted": (
                f"Diterima: {what} dari {f.organization_name}",
                f"{name.capitalize()} periode {f.period}{region} dari {f.organization_name} telah diterima.",
            ),
            "returned": (
                f"Dikembalikan dengan catatan: {what} dari {f.organization_name}",
                f"{name.capitalize()} periode {f.period}{region} dari {f.organization_name} dikembalikan untuk "
                "diperbaiki dan diajukan kembali.",
            ),
        }[step]
        lines = [first]
        if step == "submitted" and f.summary:
            lines.append(f"Ringkasan: {f.summary}")
        if step == "submitted" and f.late:
            lines.append("Catatan: diajukan setelah tanggal jatuh tempo.")
        if step != "submitted":
            lines.append(f"Catatan peninjau: {f.comments or '-'}")
        return compose(subject, lines, language)
    subject, first = {
        "submitted": (
            f"Submitted: {f.organization_name}'s {what}",
            f"{f.organization_name} submitted its {what} (submission {f.attempt}). Please review it: accept it, or "
            "return it with comments.",
        ),
        "accepted": (
            f"Accepted: {f.organization_name}'s {what}",
            f"{f.organization_name}'s {name} for {f.period}{region} was accepted.",
        ),
        "returned": (
            f"Returned with comments: {f.organization_name}'s {what}",
            f"{f.organization_name}'s {name} for {f.period}{region} was returned, to be corrected and submitted again.",
        ),
    }[step]
    lines = [first]
    if step == "submitted" and f.summary:
        lines.append(f"Summary: {f.summary}")
    if step == "submitted" and f.late:
        lines.append("Note: submitted after the due date.")
    if step != "submitted":
        lines.append(f"Reviewer's comments: {f.comments or '-'}")
    return compose(subject, lines, language)


@dataclass(frozen=True)
class MspStepFacts:
    title: str | None  # approved and rejected events carry no title
    organization_name: str
    ministry_name: str
    note: str | None = None


def msp_step(f: MspStepFacts, step: MspStep, language: Language) -> Message:
    parties = f"{f.organization_name} – {f.ministry_name}"
    named = f'"{f.title}" ' if f.title else ""
    if language == "id":
        subject, first, label = {
            "submitted": (
                f"MSP diajukan untuk ditinjau TPOA: {parties}",
                f"Rancangan MSP {named}({parties}) diajukan kepada TPOA untuk ditinjau.",
                "Catatan",
            ),
            "approved": (
                f"MSP disetujui TPOA: {parties}",
                f"MSP {named}({parties}) disetujui TPOA dan dapat ditandatangani.",
                "Catatan",
            ),
            "rejected": (
                f"MSP ditolak TPOA: {parties}",
                f"MSP {named}({parties}) ditolak oleh TPOA.",
                "Alasan",
            ),
        }[step]
    else:
        subject, first, label = {
            "submitted": (
                f"MSP submitted for TPOA review: {parties}",
                f"The draft MSP {named}({parties}) was submitted to TPOA for review.",
                "Note",
            ),
            "approved": (
                f"MSP approved by TPOA: {parties}",
                f"The MSP {named}({parties}) was approved by TPOA and may now be signed.",
                "Note",
            ),
            "rejected": (
                f"MSP rejected by TPOA: {parties}",
                f"The MSP {named}({parties}) was rejected by TPOA.",
                "Reason",
            ),
        }[step]
    lines = [first]
    if f.note:
        lines.append(f"{label}: {f.note}")
    return compose(subject, lines, language)


@dataclass(frozen=True)
class RecommendationFacts:
    kind: str
    organization_name: str
    ministry_name: str
    purpose: str = ""
    expert_name: str | None = None
    granted: bool | None = None
    reference_number: str | None = None
    note: str | None = None


def recommendation(f: RecommendationFacts, decided: bool, language: Language) -> Message:
    name = RECOMMENDATION_NAMES[language].get(f.kind, f.kind)
    expert = f" ({f.expert_name})" if f.expert_name else ""
    if language == "id":
        if not decided:
            subject = f"Permohonan {name}: {f.organization_name}{expert}"
            lines = [
                f"{f.organization_name} memohon {name}{expert} kepada {f.ministry_name}.",
                f"Tujuan: {f.purpose or '-'}",
            ]
        else:
            outcome = "diberikan" if f.granted else "ditolak"
            subject = f"{name.capitalize()} {outcome}: {f.organization_name}{expert}"
            lines = [
                f"{f.ministry_name} memutuskan permohonan {name}{expert} dari {f.organization_name}: {outcome}.",
                f"Nomor: {f.reference_number or '-'}",
            ]
            if f.note:
                lines.append(f"Catatan: {f.note}")
        return compose(subject, lines, language)
    if not decided:
        subject = f"{name.capitalize()} requested: {f.organization_name}{expert}"
        lines = [f"{f.organization_name} asked {f.ministry_name} for a {name}{expert}.", f"Purpose: {f.purpose or '-'}"]
    else:
        outcome = "granted" if f.granted else "refused"
        subject = f"{name.capitalize()} {outcome}: {f.organization_name}{expert}"
        lines = [
            f"{f.ministry_name} decided {f.organization_name}'s request for a {name}{expert}: {outcome}.",
            f"Reference: {f.reference_number or '-'}",
        ]
        if f.note:
            lines.append(f"Note: {f.note}")
    return compose(subject, lines, language)
