"""A ministry's year with foreign NGOs in figures: key figures, its MSPs, compliance per NGO, MSPs by province, and
the funding of its accepted reports by province and by source (`domain/funding.py`: each currency apart).

Pure: composed from the counts the read model gives; `annual_files` turns them into XLSX or PDF.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from mitra_reporting.domain import compliance
from mitra_reporting.domain.filters import Filters
from mitra_reporting.domain.funding import FundingRow, FundingTotal
from mitra_shared.errors import NotFound


@dataclass(frozen=True)
class ComplianceLine:
    name: str
    due: int
    on_time: int
    late: int
    overdue: int


@dataclass(frozen=True)
class ProvinceLine:
    province_code: str
    active_msps: int
    organizations: int


@dataclass(frozen=True)
class MspLine:
    number: str
    organization: str
    starts_on: date
    ends_on: date
    status: str
    regions: str


@dataclass
class AnnualFigures:
    year: int
    ministry_code: str
    ministry_name: str
    as_of: date
    key_figures: list[tuple[str, Any]] = field(default_factory=list)
    msps: list[MspLine] = field(default_factory=list)
    compliance: list[ComplianceLine] = field(default_factory=list)
    provinces: list[ProvinceLine] = field(default_factory=list)
    funding_by_province: list[FundingRow] = field(default_factory=list)
    funding_by_source: list[FundingRow] = field(default_factory=list)
    funding_as_of: date | None = None
    """Reports accepted by this day are counted in the funding (the day the summary is made, unless asked)."""

    @property
    def funding_note(self) -> str:
        return f"per tanggal / as of {(self.funding_as_of or self.as_of).isoformat()}"

    @property
    def title(self) -> str:
        return (
            f"Ringkasan tahunan kerja sama Ormas Asing {self.year} / Annual summary {self.year}: {self.ministry_name}"
        )


def compose(
    chosen: Filters,
    year: int,
    *,
    by_ministry: Sequence[Mapping[str, Any]],
    msps: Sequence[Mapping[str, Any]],
    compliance_rows: Sequence[Mapping[str, Any]],
    provinces: Sequence[Mapping[str, Any]],
    visits: Mapping[str, Any],
    funding_by_province: Sequence[FundingRow] = (),
    funding_by_source: Sequence[FundingRow] = (),
    funding_totals: Sequence[FundingTotal] = (),
    funding_as_of: date | None = None,
) -> AnnualFigures:
    """The year of `chosen.ministry` from its MSP counts, its MSPs, compliance grouped by NGO and by ministry, its
    MSPs in force by province, its visit totals and the funding of its accepted reports (by province, by source,
    and in all per currency); refused if no MSP of the ministry runs in the year."""
    ministry = chosen.ministry or ""
    if not by_ministry and not msps:
        raise NotFound("query.ministry", f"no MSP of {ministry} runs in {year}")
    counts = by_ministry[0] if by_ministry else None
    per_ngo = compliance.per_organization(compliance_rows)
    due = sum(line.due for line in per_ngo)
    on_time = sum(line.on_time for line in per_ngo)
    return AnnualFigures(
        year=year,
        ministry_code=ministry,
        ministry_name=counts["ministry_name"] if counts else ministry,
        as_of=chosen.as_of,
        key_figures=[
            ("MSP berlaku / MSPs in force", counts["active"] if counts else 0),
            ("MSP berakhir / MSPs ended", counts["ended"] if counts else 0),
            ("MSP dalam persiapan / MSPs in preparation", counts["in_preparation"] if counts else 0),
            ("Ormas Asing / NGOs", len({row["organization_id"] for row in msps})),
            ("Kewajiban jatuh tempo / Obligations due", due),
            ("Tepat waktu / On time", on_time),
            ("Terlambat / Late", sum(line.late for line in per_ngo)),
            ("Lewat tenggat / Overdue", sum(line.overdue for line in per_ngo)),
            ("Tingkat ketepatan / On-time rate", f"{on_time / due:.0%}" if due else "-"),
            ("Kunjungan tamu asing / Foreign visits", visits["visits"]),
            ("Kunjungan diberitahukan terlambat / Announced late", visits["announced_late"]),
            *((f"Pendanaan diterima / Funding received ({t.currency})", t.amount) for t in funding_totals),
        ],
        msps=[
            MspLine(
                row["number"] or "-",
                row["organization_name"],
                row["starts_on"],
                row["ends_on"],
                row["status"],
                ", ".join(row["region_codes"] or []),
            )
            for row in msps
        ],
        compliance=[ComplianceLine(c.name, c.due, c.on_time, c.late, c.overdue) for c in per_ngo],
        provinces=[ProvinceLine(r["province_code"], r["active_msps"], r["organizations"]) for r in provinces],
        funding_by_province=list(funding_by_province),
        funding_by_source=list(funding_by_source),
        funding_as_of=funding_as_of,
    )
