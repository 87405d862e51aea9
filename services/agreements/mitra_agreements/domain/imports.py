"""The MSP import's file: its columns in English and Indonesian, and each row read into what it says (dates,
lists, signatories), every unreadable value named by its line and column. What the rows mean against what
agreements knows is `domain/import_plan.py`'s."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from mitra_shared.contracts.agreements import Signatory
from mitra_shared.tabular import Column, Row

WHAT = "MSP file"
MSP_SHEETS = ("msps", "msp")
OBLIGATION_SHEETS = ("obligations", "kewajiban")
IMPORTABLE_KINDS = ("action_plan", "work_plan", "semester_report", "annual_report")
# The Indonesian names of the obligations a sheet may use instead of the codes.
KIND_NAMES = {
    "rencana_aksi": "action_plan",
    "rkt": "work_plan",
    "rencana_kerja_tahunan": "work_plan",
    "laporan_semester": "semester_report",
    "laporan_tahunan": "annual_report",
}

Problem = tuple[int, str | None, str]
MOST_ITEMS = 20  # focus areas, forms of cooperation: as drafting allows


def on_obligations_sheet(problem: Problem) -> Problem:
    """A problem of the obligations sheet, whose lines the msps sheet's share: its field names the sheet
    (`file.obligations.<column>`) and so does its reason."""
    line, column, reason = problem
    return (line, f"obligations.{column}" if column else "obligations", f"obligations sheet, line {line}: {reason}")


def region_code(code: str) -> str:
    """Codes as written in Kemendagri's lists (`33.74`) or BPS's (`3374`) are the same (as registry reads them)."""
    return code.replace(".", "").strip()


_DATE = "YYYY-MM-DD (a date cell in XLSX)"
_TANGGAL = "TTTT-BB-HH (atau sel tanggal di XLSX)"

MSP_COLUMNS: tuple[Column, ...] = (
    Column(
        "number",
        "nomor",
        True,
        "The MSP's official number (the row's key).",
        "Nomor resmi MSP (kunci baris).",
        "MSP/123/KEMENSOS/2024",
    ),
    Column("title", "judul", True, "The MSP's title.", "Judul MSP.", "Kerja sama perlindungan anak"),
    Column(
        "organization_id",
        "id_ormas",
        False,
        "Registry's id of the NGO; or leave empty and give its legal name and country.",
        "Id Ormas Asing di registry; atau kosongkan dan isi nama resmi dan negaranya.",
        "",
    ),
    Column(
        "organization_legal_name",
        "nama_resmi_ormas",
        False,
        "The NGO's legal name as registered (case and spaces do not matter).",
        "Nama resmi Ormas Asing sebagaimana terdaftar (huruf besar/kecil dan spasi tidak berpengaruh).",
        "Plan International",
    ),
    Column(
        "organization_country",
        "negara_asal_ormas",
        False,
        "The NGO's country of origin (ISO 3166, two letters).",
        "Negara asal Ormas Asing (ISO 3166, dua huruf).",
        "GB",
    ),
    Column(
        "ministry_code",
        "kode_kementerian",
        True,
        "The Mitra Utama ministry's code among registry's partners.",
        "Kode kementerian Mitra Utama di daftar mitra registry.",
        "KEMENSOS",
    ),
    Column(
        "focus_areas",
        "bidang_fokus",
        False,
        "Focus-area codes, separated by ;",
        "Kode bidang fokus, dipisah ;",
        "child_welfare;disaster_risk_management",
    ),
    Column(
        "forms_of_cooperation",
        "bentuk_kerja_sama",
        False,
        "Forms of cooperation, separated by ;",
        "Bentuk kerja sama, dipisah ;",
        "capacity_building;knowledge_sharing",
    ),
    Column(
        "work_locations",
        "lokasi_kerja",
        False,
        "Province or regency codes, separated by ;",
        "Kode provinsi atau kabupaten/kota, dipisah ;",
        "33;3374",
    ),
    Column("starts_on", "tanggal_mulai", True, f"Start date, {_DATE}.", f"Tanggal mulai, {_TANGGAL}.", "2024-01-01"),
    Column("ends_on", "tanggal_berakhir", True, f"End date, {_DATE}.", f"Tanggal berakhir, {_TANGGAL}.", "2028-12-31"),
    Column(
        "signed_on",
        "tanggal_tanda_tangan",
        True,
        f"Signing date (not in the future; a ministry's: before Mitra began recording MSPs), {_DATE}.",
        f"Tanggal penandatanganan (tidak di masa depan; untuk kementerian: sebelum Mitra mulai mencatat MSP), "
        f"{_TANGGAL}.",
        "2024-01-05",
    ),
    Column(
        "principle_permit_number",
        "nomor_izin_prinsip",
        False,
        "The principle permit the MSP rests on; empty: the NGO's principle permit valid on the signing date.",
        "Izin prinsip yang mendasari MSP; kosong: izin prinsip Ormas yang berlaku pada tanggal penandatanganan.",
        "IP/001/2023",
    ),
    Column(
        "organization_signatory_name",
        "nama_penanda_tangan_ormas",
        False,
        "Who signed for the NGO.",
        "Penanda tangan dari Ormas Asing.",
        "Jane Doe",
    ),
    Column(
        "organization_signatory_title",
        "jabatan_penanda_tangan_ormas",
        False,
        "Their title.",
        "Jabatannya.",
        "Country Director",
    ),
    Column(
        "ministry_signatory_name",
        "nama_penanda_tangan_kementerian",
        False,
        "Who signed for the ministry.",
        "Penanda tangan dari kementerian.",
        "Dra. Sri Wahyuni",
    ),
    Column(
        "ministry_signatory_title",
        "jabatan_penanda_tangan_kementerian",
        False,
        "Their title.",
        "Jabatannya.",
        "Direktur Jenderal",
    ),
    Column(
        "signed_document_ref",
        "rujukan_dokumen",
        False,
        "Where the signed MSP is kept (kept as given).",
        "Tempat dokumen MSP bertanda tangan disimpan (disimpan apa adanya).",
        "dms://kemensos/msp/2024/123.pdf",
    ),
    Column(
        "past_obligations_received_on",
        "kewajiban_lalu_diterima_tanggal",
        False,
        f"Every obligation due before the import day was received on paper on this date ({_DATE}); no reminder "
        "or overdue notice follows for them. Not before signing, nor before a report's period ended. Empty: they "
        "are due in Mitra (overdue notices follow).",
        f"Semua kewajiban yang jatuh tempo sebelum hari impor telah diterima di atas kertas pada tanggal ini "
        f"({_TANGGAL}); tidak ada pengingat atau pemberitahuan terlambat. Tidak sebelum penandatanganan, atau sebelum "
        "periode laporan berakhir. Kosong: ditagih di Mitra.",
        "2026-06-30",
    ),
)

OBLIGATION_COLUMNS: tuple[Column, ...] = (
    Column(
        "msp_number",
        "nomor_msp",
        True,
        "The MSP's number (in this file or already in Mitra).",
        "Nomor MSP (di berkas ini atau sudah di Mitra).",
        "MSP/123/KEMENSOS/2024",
    ),
    Column(
        "kind",
        "jenis",
        True,
        "action_plan, work_plan, semester_report or annual_report.",
        "rencana_aksi, rkt, laporan_semester atau laporan_tahunan (atau kodenya dalam bahasa Inggris).",
        "semester_report",
    ),
    Column(
        "period",
        "periode",
        False,
        "The year (2024) or semester (2024-S1) as Mitra labels it; empty for the Action Plan.",
        "Tahun (2024) atau semester (2024-S1) seperti label Mitra; kosong untuk Rencana Aksi.",
        "2024-S1",
    ),
    Column(
        "region_code",
        "kode_wilayah",
        False,
        "For a work plan: its region's code.",
        "Untuk RKT: kode wilayahnya.",
        "3374",
    ),
    Column(
        "received_on",
        "tanggal_diterima",
        True,
        f"When it was received on paper, {_DATE}.",
        f"Tanggal diterima di atas kertas, {_TANGGAL}.",
        "2024-07-20",
    ),
)


@dataclass(frozen=True)
class MspLine:
    """One MSP row as the file says it."""

    line: int
    number: str
    title: str
    organization_id: UUID | None
    organization_name: str
    organization_country: str
    ministry_code: str
    focus_areas: list[str]
    forms_of_cooperation: list[str]
    work_location_codes: list[str]
    starts_on: date
    ends_on: date
    signed_on: date
    principle_permit_number: str
    signatories: list[Signatory]
    signed_document_ref: str | None
    past_received_on: date | None


@dataclass(frozen=True)
class ObligationLine:
    """One row of the obligations sheet: an obligation of an MSP received outside Mitra on a date."""

    line: int
    msp_number: str
    kind: str
    period: str
    region_code: str | None
    received_on: date

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.period, self.region_code or "")


def name_key(legal_name: str, country: str) -> tuple[str, str]:
    """How a row names an NGO: its legal name whatever the case and spacing, and its country."""
    return (" ".join(legal_name.lower().split()), country.strip().upper())


@dataclass
class _Reader:
    row: Row
    problems: list[Problem] = field(default_factory=list)

    def text(self, key: str, *, required: bool = False, longest: int = 500) -> str:
        value = self.row.values.get(key, "")
        if required and not value:
            self.problems.append((self.row.line, key, "required"))
        elif len(value) > longest:
            self.problems.append((self.row.line, key, f"at most {longest} characters"))
        return value

    def date(self, key: str, *, required: bool = False) -> date | None:
        value = self.text(key, required=required)
        if not value:
            return None
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.problems.append((self.row.line, key, f'"{value}" is not a date (YYYY-MM-DD)'))
        return None

    def items(self, key: str, *, most: int | None = None) -> list[str]:
        found = list(dict.fromkeys(part.strip() for part in self.text(key, longest=4000).split(";") if part.strip()))
        if most is not None and len(found) > most:
            self.problems.append((self.row.line, key, f"at most {most} items ({len(found)} given)"))
        return found

    def uuid(self, key: str) -> UUID | None:
        value = self.text(key)
        if not value:
            return None
        try:
            return UUID(value)
        except ValueError:
            self.problems.append((self.row.line, key, f'"{value}" is not an id (a UUID)'))
            return None

    def signatory(self, party: str) -> Signatory | None:
        name, title = self.text(f"{party}_signatory_name"), self.text(f"{party}_signatory_title")
        if not name and not title:
            return None
        if not name or not title:
            missing = f"{party}_signatory_name" if not name else f"{party}_signatory_title"
            self.problems.append((self.row.line, missing, "a signatory needs a name and a title"))
            return None
        return Signatory(name=name, title=title, party="organization" if party == "organization" else "ministry")


def read_msp_lines(rows: Sequence[Row]) -> tuple[list[MspLine], list[Problem]]:
    """The MSP rows that read cleanly, and the problems of those that do not."""
    lines, problems = [], []
    for row in rows:
        read = _Reader(row)
        number, title = read.text("number", required=True, longest=100), read.text("title", required=True)
        if title and len(title) < 3:
            read.problems.append((row.line, "title", "at least 3 characters"))
        organization_id = read.uuid("organization_id")
        name, country = read.text("organization_legal_name"), read.text("organization_country").upper()
        if organization_id is None and not (name and country) and not read.problems:
            column = "organization_country" if name else "organization_legal_name"
            read.problems.append((row.line, column, "give organization_id, or the legal name and the country"))
        ministry_code = read.text("ministry_code", required=True, longest=50)
        starts_on = read.date("starts_on", required=True)
        ends_on = read.date("ends_on", required=True)
        signed_on = read.date("signed_on", required=True)
        signatories = [s for s in (read.signatory("organization"), read.signatory("ministry")) if s is not None]
        line = MspLine(
            line=row.line,
            number=number,
            title=title,
            organization_id=organization_id,
            organization_name=name,
            organization_country=country,
            ministry_code=ministry_code,
            focus_areas=read.items("focus_areas", most=MOST_ITEMS),
            forms_of_cooperation=read.items("forms_of_cooperation", most=MOST_ITEMS),
            work_location_codes=list(dict.fromkeys(region_code(code) for code in read.items("work_locations"))),
            starts_on=starts_on or date.min,
            ends_on=ends_on or date.min,
            signed_on=signed_on or date.min,
            principle_permit_number=read.text("principle_permit_number", longest=100),
            signatories=signatories,
            signed_document_ref=read.text("signed_document_ref", longest=1000) or None,
            past_received_on=read.date("past_obligations_received_on"),
        )
        problems += read.problems
        if not read.problems:
            lines.append(line)
    return lines, problems


def read_obligation_lines(rows: Sequence[Row]) -> tuple[list[ObligationLine], list[Problem]]:
    """The obligation rows that read cleanly, and the problems of those that do not (naming the sheet)."""
    lines, problems = [], []
    for row in rows:
        read = _Reader(row)
        number = read.text("msp_number", required=True, longest=100)
        given = read.text("kind", required=True)
        kind = KIND_NAMES.get(given.lower().replace(" ", "_"), given.lower())
        if given and kind not in IMPORTABLE_KINDS:
            read.problems.append((row.line, "kind", f'"{given}" is not one of {", ".join(IMPORTABLE_KINDS)}'))
        period = read.text("period", longest=20)
        region = region_code(read.text("region_code", longest=20)) or None
        received_on = read.date("received_on", required=True)
        problems += [on_obligations_sheet(problem) for problem in read.problems]
        if not read.problems and received_on is not None:
            lines.append(ObligationLine(row.line, number, kind, period, region, received_on))
    return lines, problems
