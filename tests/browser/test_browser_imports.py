"""The spreadsheet imports in a real browser (issue 15), on the shared system of conftest.py: TPOA (`tpoa`) opens
Import in its navigation, uploads an XLSX of NGOs with a bad row and sees the error summary and the line it names
(nothing recorded), then the corrected file of two NGOs: the preview counts them, "Impor 2 baris" imports them, the
success panel shows, and registry lists both. Each screen is checked with axe-core."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import httpx
import openpyxl
import pytest
from playwright.sync_api import Page
from support.browser import Mitra, check_accessibility, log_in, path_of
from support.tokens import as_role

pytestmark = pytest.mark.e2e

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ngos_xlsx(rows: list[tuple[str, str]]) -> bytes:
    """A workbook as a person fills in the template: the English header row, one NGO per row."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["legal_name", "country_of_origin", "focus_areas"])
    for name, country in rows:
        sheet.append([name, country, "poverty;child_welfare"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def registered(mitra: Mitra, marker: str) -> set[str]:
    listed = httpx.get(
        f"{mitra.url('registry')}/organizations", params={"q": marker, "limit": 50}, headers=as_role("tpoa"), timeout=10
    )
    listed.raise_for_status()
    return {item["legal_name"] for item in listed.json()["items"]}


def choose_and_check(page: Page, path: Path) -> None:
    form = page.locator("[data-testid=upload-organizations]")
    form.locator("input[type=file]").set_input_files(str(path))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_tpoa_imports_two_ngos_from_an_xlsx(page: Page, mitra: Mitra, tmp_path: Path) -> None:
    marker = uuid.uuid4().hex[:8]
    first, second = f"Yayasan Peramban {marker} Satu", f"Yayasan Peramban {marker} Dua"
    log_in(page, "tpoa")
    page.locator("nav.site-nav a[href='/tpoa/imports']").click()
    page.wait_for_url("**/tpoa/imports")
    assert page.locator("h1").inner_text() == "Impor dari spreadsheet"
    check_accessibility(page)

    bad = tmp_path / "ormas-salah.xlsx"
    bad.write_bytes(ngos_xlsx([(first, "GB"), (second, "NEGARA")]))  # line 3: not a country code
    choose_and_check(page, bad)
    summary = page.locator("[data-testid=import-problem-summary]")
    assert "Ada masalah pada berkas" in summary.inner_text()
    lines = page.locator("[data-testid=import-problems] tbody tr td:first-child").all_inner_texts()
    assert "3" in lines, lines
    assert "2" not in lines
    check_accessibility(page)
    assert registered(mitra, marker) == set()

    good = tmp_path / "ormas.xlsx"
    good.write_bytes(ngos_xlsx([(first, "GB"), (second, "NL")]))
    choose_and_check(page, good)
    assert path_of(page).startswith("/imports/organizations/")
    preview = page.locator("[data-testid=import-preview]")
    assert preview.locator("[data-testid=count-rows] dd").inner_text() == "2"
    assert preview.locator("[data-testid=count-added] dd").inner_text() == "2"
    check_accessibility(page)
    assert registered(mitra, marker) == set()  # the preview recorded nothing

    with page.expect_navigation():
        page.get_by_role("button", name="Impor 2 baris").click()
    assert "Impor selesai" in page.locator("[data-testid=import-done]").inner_text()
    assert page.locator("[data-testid=import-result] [data-testid=count-added] dd").inner_text() == "2"
    check_accessibility(page)
    assert registered(mitra, marker) == {first, second}
