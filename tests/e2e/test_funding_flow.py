"""Issue 15's funding, end to end: registry, agreements and reporting as processes.

An NGO (registered by TPOA) works under an MSP with its ministry in Kota Semarang (province 33). Its semester report
is submitted with a funding line of 999,000,000 IDR and returned, then submitted again with 250,000,000 IDR from
"Plan International UK" and accepted. Reporting, fed by agreements' events alone, counts the accepted line and not
the returned one: on the funding dashboard under province 33, in its XLSX, in the MSP export, in the ministry's
annual summary, and as an IATI transaction in the activity file and in the public file, both valid against the IATI
2.03 schema.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from lxml import etree
from openpyxl import load_workbook
from support.paths import DATA
from support.polling import eventually
from support.services import RunningSystem, running_services
from support.work_loop import (
    TPOA,
    Parties,
    change_status,
    first,
    ministry_officer,
    new_tag,
    ngo_staff,
    obligations_of,
    post,
    register_ministry,
    register_ngo,
    register_regions,
    signed_msp,
    today,
)

pytestmark = pytest.mark.e2e
AMOUNT = 250_000_000
ACCEPTED = {
    "source": "Plan International UK",
    "amount": AMOUNT,
    "currency": "IDR",
    "use": "Pelatihan perlindungan anak",
}
RETURNED = {"source": "Donor Dikembalikan", "amount": 999_000_000, "currency": "IDR", "use": "Angka keliru"}


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    settings = {"MITRA_TPOA_MEMBERS": ""}
    with running_services(
        ["registry", "agreements", "reporting"],
        log_dir=tmp_path_factory.mktemp("funding-logs"),
        namespace_prefix="e2e-funding",
        extra_env={"registry": settings, "agreements": settings},
    ) as running:
        yield running


def iati_activity(body: bytes, msp_id: str) -> Any:
    schema = etree.XMLSchema(etree.parse(str(DATA / "iati" / "iati-activities-schema.xsd")))
    root = etree.fromstring(body)
    schema.assertValid(root)
    found = [a for a in root.findall("iati-activity") if (a.findtext("iati-identifier") or "").endswith(msp_id)]
    return found[0] if found else None


def transactions(activity: Any) -> list[tuple[str | None, ...]]:
    return [
        (
            t.find("transaction-type").get("code"),
            t.find("value").get("currency"),
            t.findtext("value"),
            t.findtext("provider-org/narrative"),
        )
        for t in activity.findall("transaction")
    ]


async def test_an_accepted_reports_funding_is_counted_everywhere_and_a_returned_ones_nowhere(
    system: RunningSystem,
) -> None:
    parties = Parties(system)
    reporting = system.url("reporting")
    tag = new_tag()
    async with httpx.AsyncClient(timeout=30) as client:
        await register_regions(client, parties, tag)
        ministry = await register_ministry(client, parties, f"KF{tag.upper()}", "Kementerian Sosial")
        ngo, _ = await register_ngo(client, parties, f"Plan International {tag}")
        await change_status(client, parties, ngo["id"], "registered")
        msp = await signed_msp(client, parties, ngo, ministry, ["3374"])
        staff, officer = ngo_staff(ngo), ministry_officer(ministry["code"])
        report = first(await obligations_of(client, parties, msp["id"], staff), "semester_report")
        submissions = f"{parties.agreements}/obligations/{report['id']}/submissions"

        wrong = await post(client, submissions, {"summary": f"Laporan {tag}", "funding": [RETURNED]}, staff)
        await post(
            client, f"{parties.agreements}/submissions/{wrong['id']}/return", {"comments": "Salah"}, officer, 200
        )
        right = await post(client, submissions, {"summary": f"Laporan {tag}, benar", "funding": [ACCEPTED]}, staff)
        await post(client, f"{parties.agreements}/submissions/{right['id']}/accept", {}, officer, 200)

        mine = {"ministry": ministry["code"], "as_of": today().isoformat()}

        async def counted() -> dict[str, Any] | None:
            answer = await client.get(f"{reporting}/dashboard/funding", params={**mine, "by": "province"}, headers=TPOA)
            assert answer.status_code == 200, answer.text
            body = answer.json()
            return body if body["rows"] else None

        by_province = await eventually(counted, timeout=60, description="reporting counting the accepted report")
        assert [(r["key"], r["currency"], r["amount"], r["reports"], r["msps"]) for r in by_province["rows"]] == [
            ("33", "IDR", AMOUNT, 1, 1)
        ]
        assert by_province["totals"] == [{"currency": "IDR", "amount": AMOUNT, "reports": 1, "msps": 1}]
        by_source = (
            await client.get(f"{reporting}/dashboard/funding", params={**mine, "by": "source"}, headers=TPOA)
        ).json()
        assert [(r["label"], r["amount"]) for r in by_source["rows"]] == [("Plan International UK", AMOUNT)]

        as_xlsx = await client.get(
            f"{reporting}/dashboard/funding", params={**mine, "by": "province", "format": "xlsx"}, headers=TPOA
        )
        rows = list(load_workbook(io.BytesIO(as_xlsx.content)).worksheets[0].iter_rows(min_row=2, values_only=True))
        assert rows[0][:4] == ("33", "33", "IDR", AMOUNT)
        msp_list = await client.get(f"{reporting}/msps", params={**mine, "format": "xlsx"}, headers=TPOA)
        table = list(load_workbook(io.BytesIO(msp_list.content)).worksheets[0].iter_rows(values_only=True))
        [listed] = [dict(zip(table[0], row, strict=True)) for row in table[1:]]
        assert listed["Pendanaan IDR / Funding IDR"] == AMOUNT

        year = {"ministry": ministry["code"], "year": report["period"][:4], "as_of": today().isoformat()}
        summary = await client.get(f"{reporting}/annual-summary", params={**year, "format": "json"}, headers=TPOA)
        assert summary.status_code == 200, summary.text
        assert [(r["key"], r["amount"]) for r in summary.json()["funding_by_province"]] == [("33", AMOUNT)]
        workbook = load_workbook(
            io.BytesIO((await client.get(f"{reporting}/annual-summary", params=year, headers=TPOA)).content)
        )
        assert [r[2:4] for r in workbook["Pendanaan provinsi"].iter_rows(min_row=2, max_row=2, values_only=True)] == [
            ("IDR", AMOUNT)
        ]

        iati = await client.get(f"{reporting}/iati/activities.xml", params=mine, headers=TPOA)
        expected = [("1", "IDR", f"{AMOUNT}.00", "Plan International UK")]
        assert transactions(iati_activity(iati.content, msp["id"])) == expected

        async def public() -> tuple[list[tuple[str | None, ...]], str] | None:
            answer = await client.get(f"{reporting}/public/iati/activities.xml")
            assert answer.status_code == 200, answer.text
            found = iati_activity(answer.content, msp["id"])
            return None if found is None else (transactions(found), etree.tostring(found, encoding="unicode"))

        public_transactions, public_text = await eventually(
            public, timeout=30, description="the MSP in the public IATI file"
        )
        # The source may be a private person's name: the public file leaves it out.
        assert public_transactions == [("1", "IDR", f"{AMOUNT}.00", None)]
        assert ACCEPTED["use"] not in public_text
        assert "Plan International UK" not in public_text
