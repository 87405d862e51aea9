"""The texts of monitoring and mitigation (issue 14): a monitoring visit recorded, a mitigation action opened, moved,
due or overdue; and of a comment on a submission and a published story. In Bahasa Indonesia and English. Pure: no
I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from mitra_notifications.domain.agreement_texts import OBLIGATION_NAMES
from mitra_notifications.domain.texts import Language, Message, compose, format_date

ActionStage = Literal["opened", "status_changed", "due", "overdue"]
ASPECT_NAMES = {
    "id": {
        "administration": "administrasi",
        "field_implementation": "pelaksanaan lapangan",
        "monitoring_evaluation": "monitoring dan evaluasi",
    },
    "en": {
        "administration": "administration",
        "field_implementation": "field implementation",
        "monitoring_evaluation": "monitoring and evaluation",
    },
}
RATING_NAMES = {
    "id": {"satisfactory": "memuaskan", "needs_improvement": "perlu perbaikan", "unsatisfactory": "tidak memuaskan"},
    "en": {
        "satisfactory": "satisfactory",
        "needs_improvement": "needs improvement",
        "unsatisfactory": "unsatisfactory",
    },
}
ACTION_STATUS_NAMES = {
    "id": {"open": "terbuka", "in_progress": "sedang dikerjakan", "done": "selesai", "cancelled": "dibatalkan"},
    "en": {"open": "open", "in_progress": "in progress", "done": "done", "cancelled": "cancelled"},
}


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def office_name(kind: str, code: str, language: Language) -> str:
    """The office that acted: a ministry by its code, a regional government by its region code."""
    if kind == "region":
        return f"Pemerintah daerah {code}" if language == "id" else f"the regional government {code}"
    return code


@dataclass(frozen=True)
class MonitoringFacts:
    organization_name: str
    ministry_name: str
    office_kind: str
    office_code: str
    visited_on: date
    aspects: tuple[str, ...]
    rating: str
    findings: str
    region_code: str | None = None


def monitoring_visit_recorded(f: MonitoringFacts, language: Language) -> Message:
    office = office_name(f.office_kind, f.office_code, language)
    on = format_date(f.visited_on, language)
    aspects = ", ".join(ASPECT_NAMES[language].get(a, a) for a in f.aspects) or "-"
    rating = RATING_NAMES[language].get(f.rating, f.rating)
    if language == "id":
        where = f" di wilayah {f.region_code}" if f.region_code else ""
        subject = f"Kunjungan monitoring {on}: {f.organization_name} ({rating})"
        lines = [
            f"{_capital(office)} mencatat kunjungan monitoring atas kegiatan {f.organization_name} "
            f"(MSP dengan {f.ministry_name}) pada {on}{where}.",
            f"Aspek: {aspects}",
            f"Penilaian: {rating}",
            f"Temuan: {f.findings}",
        ]
    else:
        where = f" in region {f.region_code}" if f.region_code else ""
        subject = f"Monitoring visit {on}: {f.organization_name} ({rating})"
        lines = [
            f"{_capital(office)} recorded a monitoring visit to {f.organization_name}'s work (MSP with "
            f"{f.ministry_name}) on {on}{where}.",
            f"Aspects: {aspects}",
            f"Rating: {rating}",
            f"Findings: {f.findings}",
        ]
    return compose(subject, lines, language)


@dataclass(frozen=True)
class ActionFacts:
    organization_name: str
    ministry_name: str
    description: str
    owner: str
    due_on: date
    owner_region_code: str | None = None
    previous_status: str | None = None
    status: str | None = None
    note: str | None = None
    days_left: int | None = None
    days_overdue: int | None = None

    def owner_name(self, language: Language) -> str:
        if self.owner == "ngo":
            return self.organization_name
        if self.owner == "ministry":
            return self.ministry_name
        return office_name("region", self.owner_region_code or "-", language)


def days_left(due_on: date, given: int | None, sent_on: date) -> int:
    """The days a due action has left: as its event says, else (an event from before `days_left`) counted from the
    Jakarta day the event was sent."""
    return given if given is not None else (due_on - sent_on).days


def _days(count: int, language: Language) -> str:
    if language == "id":
        return f"{count} hari"
    return "1 day" if count == 1 else f"{count} days"


def _due_in(count: int | None, language: Language) -> str:
    if count is None:
        return "segera" if language == "id" else "soon"
    if count <= 0:
        return "hari ini" if language == "id" else "today"
    return f"dalam {_days(count, language)}" if language == "id" else f"in {_days(count, language)}"


def mitigation_action(f: ActionFacts, stage: ActionStage, language: Language) -> Message:
    owner, due = f.owner_name(language), format_date(f.due_on, language)
    statuses = ACTION_STATUS_NAMES[language]
    status = statuses.get(f.status or "", f.status or "-")
    if language == "id":
        subject, first = {
            "opened": (
                f"Tindakan mitigasi baru: {f.organization_name}",
                f"Tindakan mitigasi ditetapkan untuk MSP {f.organization_name} – {f.ministry_name}.",
            ),
            "status_changed": (
                f"Tindakan mitigasi {status}: {f.organization_name}",
                f"Status tindakan mitigasi MSP {f.organization_name} – {f.ministry_name} berubah dari "
                f"{statuses.get(f.previous_status or '', f.previous_status or '-')} menjadi {status}.",
            ),
            "due": (
                f"Tindakan mitigasi jatuh tempo {_due_in(f.days_left, language)}: {f.organization_name}",
                f"Tindakan mitigasi MSP {f.organization_name} – {f.ministry_name} jatuh tempo pada {due}.",
            ),
            "overdue": (
                f"Tindakan mitigasi terlambat {_days(f.days_overdue or 0, language)}: {f.organization_name}",
                f"Tindakan mitigasi MSP {f.organization_name} – {f.ministry_name} belum selesai; batas waktunya {due}.",
            ),
        }[stage]
        lines = [first, f"Tindakan: {f.description}", f"Penanggung jawab: {owner}", f"Batas waktu: {due}"]
        if f.note:
            lines.append(f"Catatan: {f.note}")
        return compose(subject, lines, language)
    subject, first = {
        "opened": (
            f"New mitigation action: {f.organization_name}",
            f"A mitigation action was set for the MSP {f.organization_name} – {f.ministry_name}.",
        ),
        "status_changed": (
            f"Mitigation action {status}: {f.organization_name}",
            f"A mitigation action of the MSP {f.organization_name} – {f.ministry_name} moved from "
            f"{statuses.get(f.previous_status or '', f.previous_status or '-')} to {status}.",
        ),
        "due": (
            f"Mitigation action due {_due_in(f.days_left, language)}: {f.organization_name}",
            f"A mitigation action of the MSP {f.organization_name} – {f.ministry_name} is due on {due}.",
        ),
        "overdue": (
            f"Mitigation action {_days(f.days_overdue or 0, language)} overdue: {f.organization_name}",
            f"A mitigation action of the MSP {f.organization_name} – {f.ministry_name} is not done; it was due on "
            f"{due}.",
        ),
    }[stage]
    lines = [first, f"Action: {f.description}", f"Owner: {owner}", f"Due: {due}"]
    if f.note:
        lines.append(f"Note: {f.note}")
    return compose(subject, lines, language)


@dataclass(frozen=True)
class CommentFacts:
    kind: str
    organization_name: str
    period: str
    office_kind: str
    office_code: str
    comment: str
    region_code: str | None = None


def submission_commented(f: CommentFacts, language: Language) -> Message:
    name = OBLIGATION_NAMES[language].get(f.kind, f.kind)
    region = f" ({f.region_code})" if f.region_code else ""
    office = office_name(f.office_kind, f.office_code, language)
    if language == "id":
        subject = f"Catatan atas {name} {f.period}{region} dari {f.organization_name}"
        lines = [
            f"{_capital(office)} memberi catatan atas {name} periode {f.period}{region} dari {f.organization_name}:",
            f.comment,
        ]
    else:
        subject = f"Comment on {f.organization_name}'s {name} {f.period}{region}"
        lines = [f"{_capital(office)} commented on {f.organization_name}'s {name} for {f.period}{region}:", f.comment]
    return compose(subject, lines, language)


@dataclass(frozen=True)
class StoryFacts:
    title: str
    summary: str
    story_date: date
    region_code: str | None = None


def story_published(f: StoryFacts, language: Language) -> Message:
    on = format_date(f.story_date, language)
    if language == "id":
        where = f", wilayah {f.region_code}" if f.region_code else ""
        subject = f"Praktik baik dan kisah sukses diterbitkan: {f.title}"
        lines = [f"Kisah berikut diterbitkan untuk disebarluaskan ({on}{where}):", "", f.title, f.summary]
    else:
        where = f", region {f.region_code}" if f.region_code else ""
        subject = f"Good practice and success story published: {f.title}"
        lines = [f"The following story was published for dissemination ({on}{where}):", "", f.title, f.summary]
    return compose(subject, lines, language)
