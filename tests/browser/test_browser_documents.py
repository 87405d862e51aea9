"""Documents in a real browser (issue 13), on the shared system of conftest.py (the services store files in a local
directory): Plan International (`plan`) submits a report with its PDF, sent resumably (tus-js-client through the
console's proxy, in 5 MB chunks) and attached; an executable named .pdf is refused with the reason in the error
summary; an annex whose upload is cut off by a page reload goes on from where it stopped; an upload refused by the
tus proxy (409) falls back to posting the file with the form; without JavaScript the form posts the file itself;
Kemensos (`kemensos`) sees the files while reviewing and downloads the same bytes. Then the NGO asks for a
recommendation, the ministry grants it, and both download the letter Mitra made ("Surat rekomendasi"). Each screen is
checked with axe-core."""

from __future__ import annotations

import io
import os
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, Route
from reportlab.pdfgen.canvas import Canvas
from support.browser import Mitra, check_accessibility, fill_form, log_in, new_page, path_of, submit
from support.polling import eventually_sync
from support.tokens import as_role

pytestmark = pytest.mark.e2e

REPORTS = ("semester_report", "annual_report")
SUBMITTABLE = ("action_plan", "work_plan", *REPORTS)
SUBMISSION_FORM = "form:has([name=summary])"
SEND_BUTTON = "[type=submit][value=send]:not([aria-hidden=true])"
UPLOAD_MS = 120_000
EXPERT = "Maria Jansen (demo) (NL)"
PURPOSE = f"Pelatihan guru (uji peramban dokumen {uuid.uuid4().hex[:6]})"
REFERENCE = "B-777/REK/UJI-PERAMBAN"


def report_pdf() -> bytes:
    """A real PDF of a little over 6 MB (two chunks of the resumable upload): a page of text, then a comment."""
    out = io.BytesIO()
    canvas = Canvas(out)
    canvas.drawString(72, 720, "Laporan semester I (uji peramban)")
    canvas.save()
    return out.getvalue() + b"%" + os.urandom(3 * 1024 * 1024).hex().encode() + b"\n"


def plan_id(mitra: Mitra) -> str:
    found = httpx.get(
        f"{mitra.url('registry')}/organizations",
        params={"q": "Plan International"},
        headers=as_role("tpoa"),
        timeout=10,
    )
    found.raise_for_status()
    return str(next(item["id"] for item in found.json()["items"] if item["legal_name"] == "Plan International"))


def open_obligation(mitra: Mitra, organization_id: str) -> dict[str, Any]:
    """A pending obligation of Plan's with nothing submitted: not the soonest report (test_browser_review_loop's)."""
    listed = httpx.get(
        f"{mitra.url('agreements')}/obligations",
        params={"organization_id": organization_id, "status": "pending", "limit": 100},
        headers=as_role("ngo", organization_id=organization_id),
        timeout=10,
    )
    listed.raise_for_status()
    free = [o for o in listed.json()["items"] if o["kind"] in SUBMITTABLE and o["latest_submission_id"] is None]
    reports = sorted((o for o in free if o["kind"] in REPORTS), key=lambda o: o["due_on"])
    others = [o for o in free if o["kind"] not in REPORTS]
    chosen = reports[-1] if len(reports) > 1 else (others or reports)[0] if (others or reports) else None
    assert chosen, f"the demo leaves Plan International nothing to submit: {listed.json()}"
    return dict(chosen)


def path_of_url(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url).split("?")[0]


def download(page: Page, link: Locator) -> bytes:
    with page.expect_download() as info:
        link.click()
    return Path(info.value.path()).read_bytes()


def document_link(page: Page, filename: str) -> Locator:
    return page.locator("main a[href^='/documents/agreements/']", has_text=filename).first


def test_a_report_file_goes_from_the_ngo_to_the_ministry_and_the_letter_comes_back(
    browser: Browser, mitra: Mitra, tmp_path: Path
) -> None:
    organization_id = plan_id(mitra)
    obligation = open_obligation(mitra, organization_id)
    here = f"/obligations/{obligation['id']}?msp={obligation['msp_id']}"
    ngo, ministry = new_page(browser, mitra.console_url), new_page(browser, mitra.console_url)
    log_in(ngo, "plan")
    log_in(ministry, "kemensos")

    # The NGO submits its report with the PDF: sent resumably first, then attached with the submission.
    pdf = report_pdf()
    sent: list[str] = []
    ngo.on("request", lambda request: sent.append(f"{request.method} {path_of_url(request.url)}"))
    ngo.goto(here)
    form = ngo.locator(SUBMISSION_FORM)
    fill_form(
        form,
        {
            "summary": "Laporan dengan berkas PDF (uji peramban dokumen).",
            "funding.0.source": "Plan International UK (uji peramban dokumen)",
            "funding.0.amount": "50000000",
            "funding.0.use": "Pelatihan guru",
        },
    )
    form.locator("input[type=file]").set_input_files(
        {"name": "laporan-uji-peramban.pdf", "mimeType": "application/pdf", "buffer": pdf}
    )
    with ngo.expect_navigation(timeout=UPLOAD_MS):
        form.locator(SEND_BUTTON).click()
    main = ngo.locator("main").inner_text()
    assert path_of(ngo) == f"/obligations/{obligation['id']}", main
    patches = [line for line in sent if line.startswith("PATCH /uploads/agreements/")]
    assert "POST /uploads/agreements" in sent, sent  # sent resumably, through the console's proxy
    assert len(patches) == 2, sent  # 6 MB: two chunks of 5 MB at most
    assert "laporan-uji-peramban.pdf" in main, main
    assert "Dokumen utama" in main
    check_accessibility(ngo)

    # An executable named .pdf: refused for its content, the reason in the error summary, linked to the input.
    attach = ngo.locator("[data-testid=upload-doc]")
    attach.locator("input[type=file]").set_input_files(
        {"name": "lampiran.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00\x03" + os.urandom(4096)}
    )
    with ngo.expect_navigation(timeout=UPLOAD_MS):
        attach.locator("[type=submit]").click()
    summary = ngo.locator(".error-summary")
    assert "bukan berkas PDF, DOCX, XLSX, ODT, JPEG, atau PNG" in summary.inner_text()
    assert summary.locator("a[href='#f-doc-file']").count() == 1
    check_accessibility(ngo)

    # An upload cut off by a reload goes on from where it stopped when the same file is chosen again.
    annex_file = tmp_path / "lampiran-uji-peramban.pdf"
    annex_file.write_bytes(report_pdf())
    held: list[Route] = []
    patched: list[str] = []

    def hold_the_second_chunk(route: Route) -> None:
        if route.request.method == "PATCH":
            patched.append(route.request.url)
            if len(patched) == 2:
                held.append(route)  # never answered: the page is reloaded while it waits
                return
        route.continue_()

    ngo.goto(here)
    ngo.route("**/uploads/agreements/*", hold_the_second_chunk)
    attach = ngo.locator("[data-testid=upload-doc]")
    attach.locator("select[name=purpose]").select_option("annex")
    attach.locator("input[type=file]").set_input_files(annex_file)
    attach.locator("[type=submit]").click()
    eventually_sync(lambda: ngo.evaluate("true") and held, description="the second chunk on its way")
    ngo.reload()
    sent.clear()
    attach = ngo.locator("[data-testid=upload-doc]")
    attach.locator("select[name=purpose]").select_option("annex")
    attach.locator("input[type=file]").set_input_files(annex_file)
    with ngo.expect_navigation(timeout=UPLOAD_MS):
        attach.locator("[type=submit]").click()
    assert "lampiran-uji-peramban.pdf" in ngo.locator("main").inner_text()
    assert "POST /uploads/agreements" not in sent, sent  # not a new upload: the one begun before the reload
    assert [line for line in sent if line.startswith("HEAD /uploads/agreements/")], sent  # asked where it stopped
    assert len([line for line in sent if line.startswith("PATCH /uploads/agreements/")]) == 1, sent  # the rest

    # Refused as a resumable upload (409: too many unfinished uploads): the form posts the file itself.
    ngo.unroute("**/uploads/agreements/*")
    ngo.goto(here)

    def too_many_uploads(route: Route) -> None:
        if route.request.method == "POST":
            route.fulfill(status=409, headers={"Tus-Resumable": "1.0.0"}, body="too many unfinished uploads")
        else:
            route.continue_()

    ngo.route("**/uploads/agreements", too_many_uploads)
    sent.clear()
    attach = ngo.locator("[data-testid=upload-doc]")
    attach.locator("input[type=file]").set_input_files(
        {"name": "lampiran-tanpa-tus.pdf", "mimeType": "application/pdf", "buffer": report_pdf()[:150_000]}
    )
    with ngo.expect_navigation(timeout=UPLOAD_MS):  # after tus-js-client's retries of the 409
        attach.locator("[type=submit]").click()
    ngo.unroute("**/uploads/agreements")
    assert "lampiran-tanpa-tus.pdf" in ngo.locator("main").inner_text(), ngo.locator("main").inner_text()
    assert not [line for line in sent if line.startswith("PATCH /uploads/")], sent
    assert f"POST /obligations/{obligation['id']}/submissions/" in " ".join(sent), sent

    # Without JavaScript the form posts the file itself, and the console passes it on.
    plain = browser.new_context(base_url=mitra.console_url, java_script_enabled=False, locale="id-ID")
    plain_page = plain.new_page()
    log_in(plain_page, "plan")
    plain_page.goto(here)
    small = report_pdf()[:200_000] + b"\n%%EOF\n"
    attach = plain_page.locator("[data-testid=upload-doc]")
    attach.locator("input[type=file]").set_input_files(
        {"name": "lampiran-tanpa-js.pdf", "mimeType": "application/pdf", "buffer": small}
    )
    submit(attach)
    assert "lampiran-tanpa-js.pdf" in plain_page.locator("main").inner_text()
    plain.close()

    # The ministry sees the file while reviewing and downloads the very bytes the NGO sent.
    ministry.goto(here)
    review = ministry.locator("section[aria-labelledby=decide-title]")
    assert "laporan-uji-peramban.pdf" in review.inner_text(), "the file is shown with the review form"
    check_accessibility(ministry)
    assert download(ministry, document_link(ministry, "laporan-uji-peramban.pdf")) == pdf
    assert download(ministry, document_link(ministry, "lampiran-uji-peramban.pdf")) == annex_file.read_bytes()
    assert download(ministry, document_link(ministry, "lampiran-tanpa-js.pdf")) == small

    # The NGO asks for a recommendation; the ministry grants it; both download the letter Mitra made.
    ngo.goto(f"/recommendations/new?msp={obligation['msp_id']}")
    request = ngo.locator("form[action='/recommendations/new']")
    fill_form(
        request,
        {
            "msp_id": str(obligation["msp_id"]),
            "kind": "visa",
            "staff_assignment_id": EXPERT,  # chosen by its label: the demo's foreign expert
            "purpose": PURPOSE,
        },
    )
    submit(request)
    listed = httpx.get(
        f"{mitra.url('agreements')}/recommendations",
        params={"status": "requested", "limit": 100},
        headers=as_role("ngo", organization_id=organization_id),
        timeout=10,
    )
    listed.raise_for_status()
    recommendation = next(item for item in listed.json()["items"] if item["purpose"] == PURPOSE)

    ministry.goto(f"/ministry/recommendations/{recommendation['id']}")
    decision = ministry.locator("form[action$='/decide']")
    fill_form(decision, {"granted": "yes", "reference_number": REFERENCE})
    submit(decision)
    documents = ministry.locator("section[aria-labelledby=documents-title]")
    first_row = documents.locator("tbody tr").first
    assert "Surat rekomendasi" in first_row.inner_text(), documents.inner_text()
    check_accessibility(ministry)
    letter = download(ministry, first_row.locator("a[href^='/documents/agreements/']"))
    assert letter.startswith(b"%PDF-")

    ngo.goto(f"/recommendations/{recommendation['id']}")
    assert REFERENCE in ngo.locator("main").inner_text()
    ngo_first = ngo.locator("section[aria-labelledby=documents-title] tbody tr").first
    assert "Surat rekomendasi" in ngo_first.inner_text()
    check_accessibility(ngo)
    assert download(ngo, ngo_first.locator("a[href^='/documents/agreements/']")) == letter
    ngo.context.close()
    ministry.context.close()
