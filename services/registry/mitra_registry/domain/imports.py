"""Bulk imports of records that predate Mitra, free of I/O: what each kind's file holds, and what it changes.

A file is taken whole or not at all. Its rows are read by `mitra_shared.tabular`, each is checked with the same
models and rules the API applies, and every problem is named by its line and column (`FileRejected`). Rows are
matched to the register by a natural key, never by Mitra ids (a spreadsheet has none): a row equal to what is
recorded changes nothing, so a second import of the same file changes and publishes nothing.

This module: what every kind shares, and the NGOs (`organizations`). Permits and foreign staff:
`imports_records`; partners: `imports_partners`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import PydanticUndefined

from mitra_registry.domain.organizations import Organization, OrganizationStatus, RegisterOrganization
from mitra_shared.errors import FileRejected
from mitra_shared.tabular import MAX_PROBLEMS, Column, Row

ImportKind = Literal["organizations", "permits", "staff", "partners"]
IMPORT_KINDS: tuple[ImportKind, ...] = ("organizations", "permits", "staff", "partners")
SHEETS: dict[ImportKind, tuple[str, str]] = {
    # (English, Indonesian) name of the data sheet of each kind's workbook.
    "organizations": ("organizations", "organisasi"),
    "permits": ("permits", "izin"),
    "staff": ("staff", "tenaga_ahli_asing"),
    "partners": ("partners", "mitra_pemerintah"),
}
IMPORTED_REASON = "recorded by a bulk import of records that predate Mitra"
"""The reason of the first status-history entry of an imported NGO."""
LIST_SEPARATOR = ";"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class FileImportReport(BaseModel):
    """What an import did (or, for a dry run, would do): rows read, records added, updated and left unchanged."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"kind": "organizations", "dry_run": False, "rows": 120, "added": 97, "updated": 3, "unchanged": 20}
            ]
        }
    )

    kind: ImportKind
    dry_run: bool = Field(description="True: the file was checked and counted, nothing was written or published.")
    rows: int = Field(description="Rows read from the file (blank rows are skipped).")
    added: int = Field(description="Records that were not in the register and were entered.")
    updated: int = Field(description="Records in the register that the file changes (the usual `updated` event).")
    unchanged: int = Field(description="Rows equal to what the register holds: no event, no audit entry.")


class Problems:
    """The problems found in a file so far; `check` refuses the file if there are any."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.lines: list[tuple[int, str | None, str]] = []

    def add(self, line: int, column: str | None, reason: str) -> None:
        if len(self.lines) < MAX_PROBLEMS:
            self.lines.append((line, column, reason))

    def invalid(self, line: int, error: ValidationError, columns: Mapping[str, str] | None = None) -> None:
        """Each problem pydantic found in a row, at the column its field is read from (`columns`: field → column)."""
        for detail in error.errors():
            name = str(detail["loc"][0]) if detail["loc"] else None
            column = (columns or {}).get(name, name) if name else None
            self.add(line, column, str(detail["msg"]).removeprefix("Value error, "))

    def __bool__(self) -> bool:
        return bool(self.lines)

    def check(self) -> None:
        if self.lines:
            raise FileRejected(self.what, sorted(self.lines, key=lambda problem: problem[0]))


def column(key: str, header_id: str, required: bool, guide_en: str, guide_id: str, example: str) -> Column:
    return Column(key, header_id, required, guide_en, guide_id, example)


def name_key(legal_name: str, country: str) -> tuple[str, str]:
    """An NGO's natural key: its legal name without regard to case or spacing, and its country of origin."""
    return " ".join(legal_name.split()).casefold(), country.strip().upper()


def split_list(text: str) -> list[str]:
    return [item.strip() for item in text.split(LIST_SEPARATOR) if item.strip()]


def given_values(row: Row, keys: Sequence[str]) -> dict[str, str]:
    """The row's non-empty cells among `keys` (an empty cell is a value left out)."""
    return {key: row.values[key] for key in keys if row.values.get(key, "")}


def read_date(problems: Problems, row: Row, key: str) -> date | None:
    """The cell as a date (`YYYY-MM-DD`); a problem, and None, when it is not one. An empty cell is None."""
    text = row.values.get(key, "")
    if not text:
        return None
    if _DATE.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    problems.add(row.line, key, f"{text!r} is not a date as YYYY-MM-DD, e.g. 2024-01-15")
    return None


# --- organizations -----------------------------------------------------------------------------------------------

IMPORT_STATUSES: tuple[OrganizationStatus, ...] = ("registered", "active", "suspended", "closed")
"""The statuses an import may enter an NGO in. Not `applicant`: an application is reviewed by TPOA's members, which
an import does not open (register it through `POST /organizations`); not `revoked`: only a revocation revokes."""
DEFAULT_IMPORT_STATUS: OrganizationStatus = "registered"

ORGANIZATION_COLUMNS: tuple[Column, ...] = (
    column("legal_name", "nama_resmi", True, "Legal name as in the founding documents (2-300 characters).",
           "Nama resmi sesuai dokumen pendirian (2-300 karakter).", "Plan International"),
    column("acronym", "singkatan", False, "Short name, if any (at most 30 characters).",
           "Singkatan, bila ada (paling banyak 30 karakter).", "PLAN"),
    column("country_of_origin", "negara_asal", True, "Country of origin: ISO 3166-1 alpha-2 code; not ID.",
           "Negara asal: kode ISO 3166-1 alpha-2; bukan ID.", "GB"),
    column("headquarters_address", "alamat_kantor_pusat", False, "Address of the headquarters abroad.",
           "Alamat kantor pusat di luar negeri.", "Dukes Court, Duke Street, Woking, United Kingdom"),
    column("indonesia_office_address", "alamat_kantor_indonesia", False, "Address of the office in Indonesia.",
           "Alamat kantor di Indonesia.", "Jl. Jenderal Sudirman, Jakarta"),
    column("website", "situs_web", False, "Website: an http or https URL.", "Situs web: URL http atau https.",
           "https://plan-international.org"),
    column("representative_name", "nama_perwakilan", False, "The representative in Indonesia.",
           "Nama perwakilan di Indonesia.", "Country Director"),
    column("contact_email", "email_kontak", False, "The NGO's contact e-mail address (Mitra writes to it).",
           "Alamat e-mail kontak organisasi (Mitra menyurati alamat ini).", "indonesia@plan-international.org"),
    column("contact_phone", "telepon_kontak", False, "Phone number: digits, spaces, + ( ) . / -.",
           "Nomor telepon: angka, spasi, + ( ) . / -.", "+62 21 522 9566"),
    column("contact_language", "bahasa_kontak", False, "Language Mitra writes to the contact in: id or en "
           "(default en).", "Bahasa surat Mitra kepada kontak: id atau en (bawaan en).", "en"),
    column("focus_areas", "bidang_fokus", False, "Focus-area codes of the register's vocabulary, separated by ;.",
           "Kode bidang fokus dari kosakata register, dipisah dengan ;.", "child_welfare;disaster_risk_management"),
    column("status", "status", False, "registered (default), active, suspended or closed. Applicants are "
           "registered through Mitra, which opens their review.", "registered (bawaan), active, suspended atau "
           "closed. Pemohon didaftarkan melalui Mitra, yang membuka penelaahannya.", "registered"),
)  # fmt: skip
_ORGANIZATION_FIELDS = tuple(c.key for c in ORGANIZATION_COLUMNS if c.key != "status")
_DEFAULTED = tuple(
    name
    for name in _ORGANIZATION_FIELDS
    if RegisterOrganization.model_fields[name].default not in (None, PydanticUndefined)
)
"""The columns whose empty cell means the default (not "none"): on an update, an empty one keeps what is recorded."""


@dataclass(frozen=True)
class OrganizationRow:
    """A row of the NGOs file, checked: the registration it stands for, the status and which fields it gives."""

    line: int
    command: RegisterOrganization
    status: OrganizationStatus | None
    given: frozenset[str]

    @property
    def key(self) -> tuple[str, str]:
        return name_key(self.command.legal_name, self.command.country_of_origin)

    def stored(self) -> dict[str, Any]:
        """The given fields as the register stores them (a URL as text)."""
        values = self.command.model_dump(include=set(self.given))
        if values.get("website") is not None:
            values["website"] = str(self.command.website)
        return values


@dataclass
class OrganizationPlan:
    added: list[OrganizationRow] = field(default_factory=list)
    updated: list[tuple[OrganizationRow, Organization, dict[str, Any]]] = field(default_factory=list)
    unchanged: int = 0


def read_organizations(rows: Sequence[Row], known_focus_areas: set[str], problems: Problems) -> list[OrganizationRow]:
    """Each row as the registration it stands for, checked as `POST /organizations` checks it."""
    read: list[OrganizationRow] = []
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        values: dict[str, Any] = given_values(row, _ORGANIZATION_FIELDS)
        text = row.values.get("status", "").lower()
        status = next((known for known in IMPORT_STATUSES if known == text), None)
        sound = not text or status is not None
        if not sound:
            problems.add(row.line, "status", f"an import enters NGOs as {', '.join(IMPORT_STATUSES)}, not {text!r}")
        if "focus_areas" in values:
            values["focus_areas"] = split_list(values["focus_areas"])
            unknown = [code for code in values["focus_areas"] if code.lower() not in known_focus_areas]
            if unknown:
                sound = False
                problems.add(row.line, "focus_areas", f"unknown focus area code(s): {', '.join(unknown)}")
        try:
            command = RegisterOrganization.model_validate(values)
        except ValidationError as error:
            problems.invalid(row.line, error)
            continue
        # An empty cell of a column with a default (contact_language) leaves the recorded value, rather than
        # resetting it to the default; for an NGO not yet recorded, the default is what it gets.
        kept = frozenset(key for key in _DEFAULTED if not row.values.get(key, ""))
        checked = OrganizationRow(row.line, command, status, (row.given & frozenset(_ORGANIZATION_FIELDS)) - kept)
        if checked.key in seen:
            problems.add(row.line, "legal_name", f"the same NGO (legal name and country) as line {seen[checked.key]}")
            continue
        seen[checked.key] = row.line
        if sound:
            read.append(checked)
    return read


def plan_organizations(
    rows: Sequence[OrganizationRow], recorded: Mapping[tuple[str, str], Organization], problems: Problems
) -> OrganizationPlan:
    """What the rows change in the register: NGOs not in it are added, those the file describes otherwise are
    updated (the given columns only: a column the file lacks changes nothing, nor does an empty cell of a column
    with a default; the legal name, being the key, is never changed). A status differing from the
    recorded one is refused: a status changes through Mitra's lifecycle, with a reason."""
    plan = OrganizationPlan()
    for row in rows:
        current = recorded.get(row.key)
        if current is None:
            plan.added.append(row)
            continue
        if row.status is not None and row.status != current.status:
            problems.add(
                row.line,
                "status",
                f"the NGO is {current.status} in the register; its status changes through Mitra "
                "(POST /organizations/{id}/status), not by an import",
            )
            continue
        # The legal name is the key, matched without regard to case or spacing: a file that spells it otherwise
        # names the same NGO and does not rename it (a new name is recorded in Mitra).
        stored = {name: value for name, value in row.stored().items() if name != "legal_name"}
        changes = {name: value for name, value in stored.items() if getattr(current, name) != value}
        if changes:
            plan.updated.append((row, current, changes))
        else:
            plan.unchanged += 1
    return plan
