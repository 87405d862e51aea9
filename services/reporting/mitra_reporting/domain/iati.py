"""MSPs as IATI 2.03 activities (open data on aid activities). Pure: builds XML from facts, no I/O.

Each MSP is one `iati-activity`: reported by its Mitra Utama ministry, with the ministry (accountable) and the foreign
NGO (implementing) as participating organisations, its status and dates, Indonesia as recipient country, its regions
of work as sub-national locations (named, with their Kemendagri/BPS codes: IATI has no vocabulary for them), its
focus areas as sectors in the reporting organisation's own vocabulary, and the documents an office marked public in
agreements as document links: the MSP's own (the signed MSP, its amendments) of category A09, an annual report's of
category B01; nothing else is linked (`document_category`). Organisation references are Mitra's own
(`<prefix>-<ministry code>`, `<prefix>-NGO-<id>`): set the prefix to the one your organisation registered with IATI.

Money (`docs/funding.md`): each funding line of an accepted report that the funding dashboard counts is a
`transaction` of type 1 (Incoming Funds) from its source (`provider-org`), in its own currency, dated (transaction
and value date) at the end of the report's period, or the day the report was accepted if that came first, received by
the NGO (`receiver-org`); its use is the description. The public file leaves out the use (report text) and the
source's name (`provider-org`: a source may be a private person). Per year and currency the lines' sum is a `budget`
of type 1 (original) and status 2 (committed): amounts an accepted report stated, not an estimate; its period is the
calendar year within the activity's start and end (never outside them).

Characters XML 1.0 cannot hold (control characters other than tab, line feed and carriage return; U+FFFE, U+FFFF;
lone surrogates) are left out of every text and attribute, so that a name someone typed with one still gives a
well-formed file.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

IATI_VERSION = "2.03"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# IATI code lists: OrganisationRole, OrganisationType, ActivityStatus, ActivityDateType, DocumentCategory.
ROLE_ACCOUNTABLE, ROLE_IMPLEMENTING = "2", "4"
TYPE_GOVERNMENT, TYPE_INTERNATIONAL_NGO = "10", "21"
STATUS_PIPELINE, STATUS_IMPLEMENTATION, STATUS_CLOSED, STATUS_CANCELLED = "1", "2", "4", "5"
PLANNED_START, ACTUAL_START, PLANNED_END, ACTUAL_END = "1", "2", "3", "4"
CATEGORY_MOU, CATEGORY_ANNUAL_REPORT = "A09", "B01"
# TransactionType, BudgetType, BudgetStatus.
INCOMING_FUNDS, BUDGET_ORIGINAL, BUDGET_COMMITTED = "1", "1", "2"
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Region:
    code: str
    kind: str
    name: str


@dataclass(frozen=True)
class DocumentLink:
    """A public document of the activity: where anyone downloads it, its type, name, category and date."""

    url: str
    content_type: str
    title: str
    category: str
    published_on: date


def document_category(owner_type: str, obligation_kind: str | None, public_url: str) -> str | None:
    """The IATI document category of a public document, or None for one the export does not link: an MSP's own
    documents are its memorandum (A09), an annual report's documents are annual reports (B01); anything else, or a
    URL anyone could not open over HTTP(S), is not linked."""
    if not public_url.startswith(("https://", "http://")):
        return None
    if owner_type == "msp":
        return CATEGORY_MOU
    if owner_type == "submission" and obligation_kind == "annual_report":
        return CATEGORY_ANNUAL_REPORT
    return None


@dataclass(frozen=True)
class Funding:
    """A counted funding line of an accepted report."""

    source: str
    amount: Decimal
    currency: str
    use: str
    year: int
    period_end: date
    accepted_on: date

    @property
    def dated(self) -> date:
        """When the money had come: by the end of the report's period, or its acceptance if that came first."""
        return min(self.period_end, self.accepted_on)


@dataclass(frozen=True)
class Activity:
    msp_id: str
    number: str | None
    title: str
    organization_id: str
    organization_name: str
    ministry_code: str
    ministry_name: str
    status: str
    starts_on: date
    ends_on: date
    closed_on: date | None
    focus_areas: list[str]
    regions: list[Region]
    updated_at: datetime
    documents: list[DocumentLink] = field(default_factory=list)
    funding: list[Funding] = field(default_factory=list)


def activity_status(activity: Activity, today: date) -> str:
    if activity.status == "terminated":
        return STATUS_CANCELLED
    if activity.status == "ended" or activity.ends_on < today:
        return STATUS_CLOSED
    if activity.starts_on > today:
        return STATUS_PIPELINE
    return STATUS_IMPLEMENTATION


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    ET.SubElement(element, "narrative").text = text
    return element


def _percentages(count: int) -> list[str]:
    """Equal shares that add up to exactly 100 with two decimals."""
    base = round(100 / count, 2)
    shares = [base] * count
    shares[-1] = round(100 - base * (count - 1), 2)
    return [f"{share:g}" for share in shares]


def xml_text(text: str) -> str:
    """The text without the characters XML 1.0 cannot hold."""
    return NOT_IN_XML.sub("", text)


def _strip_what_xml_cannot_hold(root: ET.Element) -> None:
    for element in root.iter():
        if element.text:
            element.text = xml_text(element.text)
        for key, value in element.attrib.items():
            element.set(key, xml_text(value))


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _within(day: date, activity: Activity) -> date:
    return min(max(day, activity.starts_on), activity.ends_on)


def _money(element: ET.Element, activity: Activity, *, prefix: str, public: bool) -> None:
    """The activity's budgets (per year and currency), then its transactions: in that order, as the schema wants."""
    budgets: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for line in activity.funding:
        budgets[(line.year, line.currency)] += line.amount
    for (year, currency), amount in sorted(budgets.items()):
        first, last = _within(date(year, 1, 1), activity), _within(date(year, 12, 31), activity)
        budget = ET.SubElement(element, "budget", {"type": BUDGET_ORIGINAL, "status": BUDGET_COMMITTED})
        ET.SubElement(budget, "period-start", {"iso-date": first.isoformat()})
        ET.SubElement(budget, "period-end", {"iso-date": last.isoformat()})
        value = ET.SubElement(budget, "value", {"currency": currency, "value-date": first.isoformat()})
        value.text = _amount(amount)
    for line in activity.funding:
        transaction = ET.SubElement(element, "transaction")
        ET.SubElement(transaction, "transaction-type", {"code": INCOMING_FUNDS})
        ET.SubElement(transaction, "transaction-date", {"iso-date": line.dated.isoformat()})
        value = ET.SubElement(transaction, "value", {"currency": line.currency, "value-date": line.dated.isoformat()})
        value.text = _amount(line.amount)
        if not public and line.use.strip():
            _text(transaction, "description", line.use)
        if not public:
            _text(transaction, "provider-org", line.source)
        ngo = {"ref": f"{prefix}-NGO-{activity.organization_id}", "type": TYPE_INTERNATIONAL_NGO}
        _text(transaction, "receiver-org", activity.organization_name, **ngo)


def document(
    activities: list[Activity], *, prefix: str, generated_at: datetime, today: date, public: bool = False
) -> bytes:
    """The IATI activity file; `public=True` leaves out what each funding line was used for and who gave it (the
    public file)."""
    root = ET.Element("iati-activities", {"version": IATI_VERSION, "generated-datetime": generated_at.isoformat()})
    for activity in activities:
        ministry_ref = f"{prefix}-{activity.ministry_code}"
        element = ET.SubElement(
            root,
            "iati-activity",
            {"last-updated-datetime": activity.updated_at.isoformat(), XML_LANG: "id", "default-currency": "IDR"},
        )
        ET.SubElement(element, "iati-identifier").text = f"{ministry_ref}-{activity.msp_id}"
        _text(element, "reporting-org", activity.ministry_name, ref=ministry_ref, type=TYPE_GOVERNMENT)
        _text(element, "title", activity.title)
        regions = ", ".join(f"{region.name} ({region.code})" for region in activity.regions) or "-"
        _text(
            element,
            "description",
            f"Memorandum Saling Pengertian {activity.number or activity.msp_id} antara {activity.organization_name} "
            f"dan {activity.ministry_name}, {activity.starts_on.isoformat()} s.d. {activity.ends_on.isoformat()}. "
            f"Lokasi: {regions}.",
        )
        _text(
            element,
            "participating-org",
            activity.ministry_name,
            ref=ministry_ref,
            role=ROLE_ACCOUNTABLE,
            type=TYPE_GOVERNMENT,
        )
        _text(
            element,
            "participating-org",
            activity.organization_name,
            ref=f"{prefix}-NGO-{activity.organization_id}",
            role=ROLE_IMPLEMENTING,
            type=TYPE_INTERNATIONAL_NGO,
        )
        ET.SubElement(element, "activity-status", {"code": activity_status(activity, today)})
        ET.SubElement(element, "activity-date", {"iso-date": activity.starts_on.isoformat(), "type": PLANNED_START})
        if activity.starts_on <= today:
            ET.SubElement(element, "activity-date", {"iso-date": activity.starts_on.isoformat(), "type": ACTUAL_START})
        ET.SubElement(element, "activity-date", {"iso-date": activity.ends_on.isoformat(), "type": PLANNED_END})
        if activity.closed_on is not None:
            ET.SubElement(element, "activity-date", {"iso-date": activity.closed_on.isoformat(), "type": ACTUAL_END})
        ET.SubElement(element, "recipient-country", {"code": "ID", "percentage": "100"})
        for region in activity.regions:
            location = ET.SubElement(element, "location", {"ref": f"ID-BPS-{region.code}"})
            ET.SubElement(location, "location-reach", {"code": "1"})
            _text(location, "name", region.name)
            _text(location, "description", f"Kode wilayah Kemendagri/BPS {region.code} ({region.kind})")
            ET.SubElement(location, "administrative", {"vocabulary": "A4", "level": "0", "code": "ID"})
            ET.SubElement(location, "exactness", {"code": "2"})
        for area, share in zip(activity.focus_areas, _percentages(len(activity.focus_areas) or 1), strict=False):
            ET.SubElement(element, "sector", {"vocabulary": "99", "code": area, "percentage": share})
        _money(element, activity, prefix=prefix, public=public)
        for linked in activity.documents:
            link = ET.SubElement(element, "document-link", {"url": linked.url, "format": linked.content_type})
            _text(link, "title", linked.title)
            ET.SubElement(link, "category", {"code": linked.category})
            ET.SubElement(link, "document-date", {"iso-date": linked.published_on.isoformat()})
    _strip_what_xml_cannot_hold(root)
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")
