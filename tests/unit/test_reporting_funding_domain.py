"""Funding's pure parts: report periods, sources as grouped, the dashboard's order and totals, the MSP export's
cells, and the IATI activity file with budgets and transactions (valid against the 2.03 schema, in its order)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from lxml import etree
from support.paths import DATA

from mitra_agreements.domain.obligations import ObligationRules, _periods, plan_obligations
from mitra_reporting.consumers.agreement_events import ObligationSummary
from mitra_reporting.consumers.funding_events import ReportSubmitted
from mitra_reporting.domain import funding, iati
from mitra_reporting.domain.spreadsheets import Column, to_csv
from mitra_reporting.usecases.msps import funding_columns


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("2027", (date(2027, 1, 1), date(2027, 12, 31))),
        ("2027-S1", (date(2027, 1, 1), date(2027, 6, 30))),
        (" 2028-S2 ", (date(2028, 7, 1), date(2028, 12, 31))),
        # MSP basis: counted from the MSP's start (31 August 2026), a 31st becoming the month's last day.
        ("S1", (date(2026, 8, 31), date(2027, 2, 27))),
        ("S2", (date(2027, 2, 28), date(2027, 8, 30))),
        ("S3", (date(2027, 8, 31), date(2028, 2, 28))),
        ("Y1", (date(2026, 8, 31), date(2027, 8, 30))),
        ("Y2", (date(2027, 8, 31), date(2028, 8, 30))),
    ],
)
def test_a_reports_period_is_the_days_its_label_names(period: str, expected: tuple[date, date]) -> None:
    label = funding.parse_period(period)
    assert label is not None
    assert label.bounds(date(2026, 8, 31)) == expected


@pytest.mark.parametrize("basis", ["calendar", "msp"])
def test_report_periods_are_the_ones_agreements_plans(basis: str) -> None:
    starts_on, ends_on = date(2026, 8, 31), date(2029, 5, 15)
    rules = ObligationRules.model_validate(
        {"semester_reports": True, "annual_reports": True, "report_periods": basis, "work_plans": False}
    )
    for months in (6, 12):
        planned = [
            o.period
            for o in plan_obligations(
                starts_on=starts_on, ends_on=ends_on, signed_on=starts_on, regions=[], rules=rules
            )
            if o.kind == ("semester_report" if months == 6 else "annual_report")
        ]
        expected = _periods(starts_on, ends_on, months, basis)  # type: ignore[arg-type]
        assert len(planned) == len(expected)
        for label, days in zip(planned, expected, strict=True):
            parsed = funding.parse_period(label)
            assert parsed is not None
            assert parsed.bounds(starts_on) == days, label


def test_a_label_agreements_does_not_write_names_no_period() -> None:
    assert funding.parse_period("") is None
    assert funding.parse_period("Q3") is None
    assert funding.parse_period("S0") is None


def test_sources_written_differently_are_one_source() -> None:
    keys = {
        funding.source_key(text)
        for text in (
            "Plan International UK",
            "plan international uk.",
            "  Plan  Internátional\tUK ",
            "PLAN-International UK",
        )
    }
    assert keys == {"plan international uk"}
    assert funding.source_key("Plan International USA") != funding.source_key("Plan International UK")
    assert funding.source_key("...") == "-"


def test_rows_by_amount_and_totals_by_currency() -> None:
    def row(key: str | None, currency: str, amount: int, total: bool = False) -> dict[str, object]:
        label = {"33": "Jawa Tengah"}.get(key or "")
        return {
            "key": key,
            "label": label,
            "currency": currency,
            "amount": Decimal(amount),
            "reports": 1,
            "msps": 1,
            "is_total": total,
        }

    rows, totals = funding.arrange(
        "province",
        [
            row("51", "IDR", 5),
            row("33", "IDR", 9),
            row(None, "IDR", 5),
            row(None, "USD", 1, True),
            row(None, "IDR", 19, True),
        ],
    )
    assert [(r.key, r.label, r.amount) for r in rows] == [
        ("33", "Jawa Tengah", 9),
        ("", funding.NO_REGION, 5),
        ("51", "51", 5),
    ]
    assert [(t.currency, t.amount) for t in totals] == [("IDR", 19), ("USD", 1)]
    focus_rows, _ = funding.arrange("focus_area", [row(None, "IDR", 3)])
    assert focus_rows[0].label == funding.NO_FOCUS_AREA


def exact(key: str, currency: str, amount: str, total: bool = False) -> dict[str, object]:
    return {
        "key": key,
        "label": None,
        "currency": currency,
        "amount": Decimal(amount),
        "reports": 1,
        "msps": 1,
        "is_total": total,
    }


def test_rows_add_up_to_the_total_shown() -> None:
    # 100.00 over three regions: 33.333... each; rounding each would show 99.99 against a total of 100.00.
    third = Decimal(100) / 3
    rows, totals = funding.arrange(
        "regency",
        [
            exact("3374", "IDR", str(third)),
            exact("3171", "IDR", str(third)),
            exact("5171", "IDR", str(third)),
            exact("", "IDR", "100", True),
            exact("x", "USD", "0.015"),
            exact("", "USD", "0.015", True),
        ],
    )
    idr = [row.amount for row in rows if row.currency == "IDR"]
    assert sum(idr) == totals[0].amount == Decimal("100.00")
    assert sorted(idr) == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    assert [
        (row.amount, total.amount) for row in rows for total in totals if row.currency == total.currency == "USD"
    ] == [(Decimal("0.02"), Decimal("0.02"))]


def test_years_come_in_their_order_not_by_amount() -> None:
    rows, _ = funding.arrange(
        "year",
        [exact("2028", "IDR", "5"), exact("2026", "IDR", "1"), exact("2027", "IDR", "9"), exact("", "IDR", "15", True)],
    )
    assert [row.key for row in rows] == ["2026", "2027", "2028"]


def test_semicolon_csv_writes_amounts_with_a_decimal_comma_and_no_grouping() -> None:
    columns = [Column("amount", "Jumlah"), Column("count", "N"), Column("other", "Lain")]
    row = {
        "amount": Decimal("1250000.50"),
        "count": 3,
        "other": funding.per_currency_text(
            {"USD": Decimal("20000"), "IDR": Decimal("1")}, leave_out="IDR", decimal_comma=True
        ),
    }
    semicolon = to_csv([row], columns, delimiter="semicolon").decode("utf-8-sig").splitlines()
    assert semicolon[1] == "1250000,50;3;USD 20000,00"
    assert to_csv([row], columns).decode("utf-8-sig").splitlines()[1] == '1250000.50,3,"USD 20000,00"'


def test_the_msp_export_keeps_rupiah_apart_from_other_currencies() -> None:
    cells = funding_columns({"USD": Decimal("20000"), "IDR": Decimal("250000000"), "EUR": Decimal("1500.5")})
    assert cells["funding_idr"] == Decimal("250000000")
    assert cells["funding_other"] == "EUR 1,500.50; USD 20,000.00"
    assert [m["currency"] for m in cells["funding"]] == ["EUR", "IDR", "USD"]
    assert funding_columns({}) == {"funding": [], "funding_idr": Decimal(0), "funding_other": ""}


def test_reportings_models_read_what_agreements_adds_and_default_what_it_does_not_yet_send() -> None:
    summary = {"obligation_id": str(uuid.uuid4()), "kind": "annual_report", "due_on": "2026-03-31"}
    assert ObligationSummary.model_validate(summary).received_outside_mitra_on is None
    assert ObligationSummary.model_validate(
        {**summary, "received_outside_mitra_on": "2026-03-20"}
    ).received_outside_mitra_on == (date(2026, 3, 20))
    submitted = ReportSubmitted.model_validate(
        {
            "obligation_id": str(uuid.uuid4()),
            "obligation_kind": "semester_report",
            "msp_id": str(uuid.uuid4()),
            "submission_id": str(uuid.uuid4()),
            "period": "2027-S1",
            "submitted_at": "2027-07-15T03:00:00Z",
            "funding": [{"source": "Donor", "amount": 250000000.0, "currency": "IDR", "use": "Pelatihan"}],
        }
    )
    assert submitted.funding[0].amount == Decimal("250000000")


def activity(**changes: object) -> iati.Activity:
    base = iati.Activity(
        msp_id=str(uuid.uuid4()),
        number="MSP/1",
        title="Perlindungan anak",
        organization_id=str(uuid.uuid4()),
        organization_name="Plan International",
        ministry_code="KEMENSOS",
        ministry_name="Kementerian Sosial",
        status="signed",
        starts_on=date(2027, 1, 1),
        ends_on=date(2029, 12, 31),
        closed_on=None,
        focus_areas=["child_welfare"],
        regions=[iati.Region("3374", "regency", "Kota Semarang")],
        updated_at=datetime(2027, 8, 1, tzinfo=UTC),
        documents=[iati.DocumentLink("https://example.org/msp.pdf", "application/pdf", "MSP", "A09", date(2027, 1, 5))],
        funding=[
            iati.Funding(
                "Plan UK", Decimal("250000000"), "IDR", "Pelatihan", 2027, date(2027, 6, 30), date(2027, 8, 1)
            ),
            iati.Funding("Gates", Decimal("10000.5"), "USD", "", 2027, date(2027, 12, 31), date(2027, 11, 20)),
            iati.Funding("Plan UK", Decimal("100"), "IDR", "Obat", 2027, date(2027, 12, 31), date(2028, 3, 1)),
        ],
    )
    return iati.Activity(**{**base.__dict__, **changes})


def test_the_iati_file_holds_budgets_then_transactions_and_stays_valid() -> None:
    body = iati.document(
        [activity()], prefix="ID-MITRA", generated_at=datetime(2028, 1, 1, tzinfo=UTC), today=date(2028, 1, 1)
    )
    root = etree.fromstring(body)
    etree.XMLSchema(etree.parse(str(DATA / "iati" / "iati-activities-schema.xsd"))).assertValid(root)
    [element] = root.findall("iati-activity")
    tags = [child.tag for child in element]
    assert tags.index("sector") < tags.index("budget") < tags.index("transaction") < tags.index("document-link")
    budgets = [(b.findtext("value"), b.find("value").get("currency"), b.get("status")) for b in element.iter("budget")]
    assert budgets == [("250000100.00", "IDR", "2"), ("10000.50", "USD", "2")]
    dates = [t.find("transaction-date").get("iso-date") for t in element.iter("transaction")]
    # The end of the report's period, or its acceptance when that came first.
    assert dates == ["2027-06-30", "2027-11-20", "2027-12-31"]
    assert [t.findtext("description/narrative") for t in element.iter("transaction")] == ["Pelatihan", None, "Obat"]
    assert [t.findtext("provider-org/narrative") for t in element.iter("transaction")] == [
        "Plan UK",
        "Gates",
        "Plan UK",
    ]
    receivers = {(r.get("ref"), r.get("type"), r.findtext("narrative")) for r in element.iter("receiver-org")}
    assert receivers == {(f"ID-MITRA-NGO-{element_ngo(element)}", "21", "Plan International")}


def element_ngo(element: etree._Element) -> str:
    [ngo] = [p.get("ref") for p in element.iter("participating-org") if p.get("role") == "4"]
    return str(ngo).removeprefix("ID-MITRA-NGO-")


def test_budgets_lie_within_the_activitys_start_and_end() -> None:
    body = iati.document(
        [activity(starts_on=date(2027, 3, 15), ends_on=date(2027, 10, 31))],
        prefix="ID-MITRA",
        generated_at=datetime(2028, 1, 1, tzinfo=UTC),
        today=date(2028, 1, 1),
    )
    root = etree.fromstring(body)
    etree.XMLSchema(etree.parse(str(DATA / "iati" / "iati-activities-schema.xsd"))).assertValid(root)
    periods = {
        (
            b.find("period-start").get("iso-date"),
            b.find("period-end").get("iso-date"),
            b.find("value").get("value-date"),
        )
        for b in root.iter("budget")
    }
    assert periods == {("2027-03-15", "2027-10-31", "2027-03-15")}


def test_the_public_file_leaves_out_what_the_money_was_used_for_and_who_gave_it() -> None:
    body = iati.document(
        [activity()],
        prefix="ID-MITRA",
        generated_at=datetime(2028, 1, 1, tzinfo=UTC),
        today=date(2028, 1, 1),
        public=True,
    )
    assert b"Pelatihan" not in body
    # A source may be a private person: the public file does not name it.
    assert b"Plan UK" not in body
    assert b"Gates" not in body
    root = etree.fromstring(body)
    etree.XMLSchema(etree.parse(str(DATA / "iati" / "iati-activities-schema.xsd"))).assertValid(root)
    assert root.find("iati-activity/transaction/provider-org") is None


def test_an_activity_without_funding_has_neither_budget_nor_transaction() -> None:
    body = iati.document(
        [activity(funding=[])], prefix="ID-MITRA", generated_at=datetime(2028, 1, 1, tzinfo=UTC), today=date(2028, 1, 1)
    )
    assert b"<budget" not in body
    assert b"<transaction" not in body
