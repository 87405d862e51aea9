"""Import of government partners and their contacts, free of I/O (see `domain.imports` for what imports share).

One contact per row: a partner named on several rows (same kind and code) has the contacts of all of them, and
every row names it alike. A partner the file gives contacts for has exactly those contacts afterwards; one it names
without any keeps those it has. Kind, code and parent are a partner's identity and are never changed by a file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from mitra_registry.domain.imports import Problems, column
from mitra_registry.domain.partners import Partner, RegisterPartner
from mitra_shared.tabular import Column, Row

PARTNER_COLUMNS: tuple[Column, ...] = (
    column("kind", "jenis", True, "ministry (K/L), tpoa, province, or regency (regency or city).",
           "kementerian, tpoa, provinsi, atau kabupaten/kota (ministry, tpoa, province, regency).", "regency"),
    column("code", "kode", True, "A region's Kemendagri/BPS code (33, 3374); a ministry's short name (KEMENSOS).",
           "Kode wilayah Kemendagri/BPS (33, 3374); singkatan kementerian (KEMENSOS).", "3374"),
    column("name", "nama", True, "The partner's name.", "Nama mitra.", "Kota Semarang"),
    column("parent_code", "kode_induk", False, "A regency's or city's province code (required for them only).",
           "Kode provinsi dari kabupaten/kota (wajib hanya untuk kabupaten/kota).", "33"),
    column("contact_name", "nama_kontak", False, "A contact: office or person (one contact per row; repeat the "
           "partner on more rows for more contacts).", "Kontak: kantor atau orang (satu kontak per baris; ulangi "
           "mitra pada baris lain untuk kontak lain).", "Kesbangpol Kota Semarang"),
    column("contact_email", "email_kontak", False, "The contact's e-mail address (an e-mail, a webhook, or both).",
           "Alamat e-mail kontak (e-mail, webhook, atau keduanya).", "kesbangpol@semarangkota.go.id"),
    column("contact_webhook_url", "webhook_kontak", False, "An http or https URL that receives the events.",
           "URL http atau https yang menerima peristiwa.", "https://siap.semarangkota.go.id/hooks/mitra"),
    column("contact_language", "bahasa_kontak", False, "Language of the contact's notifications: id (default) or "
           "en.", "Bahasa pemberitahuan kepada kontak: id (bawaan) atau en.", "id"),
)  # fmt: skip
_KINDS = {
    "ministry": "ministry",
    "kementerian": "ministry",
    "kementerian/lembaga": "ministry",
    "k/l": "ministry",
    "tpoa": "tpoa",
    "province": "province",
    "provinsi": "province",
    "regency": "regency",
    "city": "regency",
    "kabupaten": "regency",
    "kota": "regency",
    "kabupaten/kota": "regency",
}
MAX_CONTACTS = RegisterPartner.model_fields["contacts"].metadata[0].max_length
_CONTACT_KEYS = ("contact_name", "contact_email", "contact_webhook_url", "contact_language")


@dataclass
class PartnerRows:
    """A partner as the file describes it, on the first line that names it, with the contacts of all its rows."""

    line: int
    command: RegisterPartner
    contacts: list[dict[str, Any]] = field(default_factory=list)
    # The contacts whose language cell is empty: they keep the language a recorded contact alike has.
    unspoken: list[dict[str, Any]] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return self.command.kind, self.command.code


@dataclass
class PartnerPlan:
    added: list[PartnerRows] = field(default_factory=list)
    updated: list[tuple[PartnerRows, Partner, dict[str, Any]]] = field(default_factory=list)
    unchanged: int = 0


def _contact_column(location: tuple[Any, ...]) -> str:
    if len(location) > 2 and location[0] == "contacts":
        return f"contact_{location[2]}"
    return "contact_email" if location[:1] == ("contacts",) else str(location[0]) if location else "kind"


def read_partners(rows: Sequence[Row], problems: Problems) -> list[PartnerRows]:
    """The partners the file names, each once, checked as `POST /partners` checks them."""
    partners: dict[tuple[str, str], PartnerRows] = {}
    for row in rows:
        values: dict[str, Any] = {key: row.values[key] for key in ("code", "name") if row.values[key]}
        kind = _KINDS.get(row.values["kind"].strip().lower().replace(" ", ""))
        if kind is None:
            problems.add(row.line, "kind", "must be ministry, tpoa, province or regency (kementerian, provinsi, ...)")
            continue
        values["kind"] = kind
        if row.values["parent_code"]:
            values["parent_code"] = row.values["parent_code"]
        if any(row.values[key] for key in _CONTACT_KEYS):
            contact = {key.removeprefix("contact_"): row.values[key] for key in _CONTACT_KEYS if row.values[key]}
            values["contacts"] = [contact]
        try:
            command = RegisterPartner.model_validate(values)
        except ValidationError as error:
            for detail in error.errors():
                reason = str(detail["msg"]).removeprefix("Value error, ")
                problems.add(row.line, _contact_column(tuple(detail["loc"])), reason)
            continue
        contacts = [contact.stored() for contact in command.contacts]
        unspoken = contacts if contacts and not row.values["contact_language"] else []
        first = partners.get((command.kind, command.code))
        if first is None:
            partners[(command.kind, command.code)] = PartnerRows(row.line, command, contacts, list(unspoken))
            continue
        if (first.command.name, first.command.parent_code) != (command.name, command.parent_code):
            problems.add(row.line, "name", f"line {first.line} names this partner otherwise (name or parent_code)")
            continue
        first.contacts += [contact for contact in contacts if contact not in first.contacts]
        first.unspoken += unspoken
    for partner in partners.values():
        if len(partner.contacts) > MAX_CONTACTS:
            problems.add(partner.line, "contact_name", f"the file gives this partner {len(partner.contacts)} "
                         f"contacts; a partner has at most {MAX_CONTACTS}")  # fmt: skip
    return [partner for partner in partners.values() if len(partner.contacts) <= MAX_CONTACTS]


def _with_recorded_languages(partner: PartnerRows, current: Partner) -> list[dict[str, Any]]:
    """The file's contacts, those with an empty language cell in the language of the recorded contact alike."""
    recorded = {_who(contact): contact.get("language") for contact in current.contacts}
    contacts = []
    for contact in partner.contacts:
        language = recorded.get(_who(contact)) if contact in partner.unspoken else None
        contacts.append({**contact, "language": language} if language else contact)
    return contacts


def _who(contact: Mapping[str, Any]) -> tuple[Any, ...]:
    return contact.get("name"), contact.get("email"), contact.get("webhook_url")


def plan_partners(
    partners: Sequence[PartnerRows],
    recorded: Mapping[tuple[str, str], Partner],
    provinces: frozenset[str],
    problems: Problems,
) -> PartnerPlan:
    """Partners not registered are added (provinces before the regencies that name them); registered ones the file
    names otherwise are updated; a regency's province must be registered or in the file."""
    plan = PartnerPlan()
    in_file = {p.command.code for p in partners if p.command.kind == "province"}
    for partner in sorted(partners, key=lambda p: (p.command.kind == "regency", p.line)):
        parent = partner.command.parent_code
        if parent is not None and parent not in provinces and parent not in in_file:
            problems.add(partner.line, "parent_code", f"no province with code {parent} in the register or this file")
            continue
        current = recorded.get(partner.key)
        if current is None:
            plan.added.append(partner)
            continue
        if current.parent_code != parent:
            problems.add(partner.line, "parent_code", f"the partner is recorded under {current.parent_code or 'none'}; "
                         "a partner's parent does not change")  # fmt: skip
            continue
        changes: dict[str, Any] = {}
        if partner.command.name != current.name:
            changes["name"] = partner.command.name
        contacts = _with_recorded_languages(partner, current)
        if contacts and contacts != current.contacts:
            changes["contacts"] = contacts
        if changes:
            plan.updated.append((partner, current, changes))
        else:
            plan.unchanged += 1
    return plan
