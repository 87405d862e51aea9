"""A recommendation's letter: its content (Bahasa Indonesia, the ministry's letterhead or only its name, the expert
or the goods, the decision) and the PDF made of it, whose words are found in its uncompressed page stream."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from mitra_agreements.domain.letters import (
    LetterFacts,
    Letterhead,
    indonesian_date,
    letter_filename,
    letterhead_for,
    recommendation_letter,
)
from mitra_agreements.settings import AgreementsSettings
from mitra_agreements.usecases.letters import render_letter

KEMENSOS = Letterhead(
    name="Kementerian Sosial Republik Indonesia",
    address="Jl. Salemba Raya No. 28, Jakarta Pusat 10430",
    city="Jakarta",
    phone="(021) 3103591",
)


def facts(**overrides: Any) -> LetterFacts:
    values: dict[str, Any] = {
        "reference_number": "B-123/REK/2027",
        "decided_on": date(2027, 3, 5),
        "granted": True,
        "note": None,
        "kind": "visa",
        "expert_name": "Maria Jensen",
        "expert_nationality": "DK",
        "purpose": "Penasihat teknis pengurangan risiko bencana (12 bulan)",
        "requested_on": date(2027, 2, 20),
        "organization_name": "Plan International",
        "ministry_name": "Kementerian Sosial",
        "msp_title": "Perlindungan anak",
        "msp_number": "MSP/1/KEMENSOS/2027",
    }
    return LetterFacts(**(values | overrides))


def pdf_text(data: bytes) -> str:
    """The text drawn on the pages (`(...) Tj` operators of uncompressed streams), joined, whitespace collapsed."""
    assert data.startswith(b"%PDF-")
    parts = re.findall(rb"\(((?:[^()\\]|\\.)*)\)\s*Tj", data)
    assert parts, "no text found: are the page streams compressed?"
    text = " ".join(re.sub(rb"\\(.)", rb"\1", part).decode("latin-1") for part in parts)
    return re.sub(r"\s+", " ", text)


def test_indonesian_dates() -> None:
    assert indonesian_date(date(2027, 1, 5)) == "5 Januari 2027"
    assert indonesian_date(date(2027, 12, 31)) == "31 Desember 2027"


def test_a_granted_visa_letter_names_the_expert_the_number_the_date_and_the_letterhead() -> None:
    letter = recommendation_letter(facts(), KEMENSOS)
    text = pdf_text(render_letter(letter))
    for expected in (
        "Kementerian Sosial Republik Indonesia",
        "Jl. Salemba Raya No. 28, Jakarta Pusat 10430",
        "Telepon (021) 3103591",
        "Jakarta, 5 Maret 2027",
        "Nomor: B-123/REK/2027",
        "Hal: Rekomendasi Visa dan Izin Tinggal Tenaga Ahli Asing",
        "Kepada Yth. Plan International",
        "tanggal 20 Februari 2027",
        'Memorandum Saling Pengertian MSP/1/KEMENSOS/2027 "Perlindungan anak"',
        "Nama tenaga ahli: Maria Jensen",
        "Kewarganegaraan: DK",
        "Keperluan: Penasihat teknis pengurangan risiko bencana (12 bulan)",
        "Keputusan: DIBERIKAN.",
    ):
        assert expected in text, expected
    assert "TIDAK" not in text
    assert "Nomor paspor" not in text  # agreements does not know it: left out, not made up
    assert letter.filename == "surat-rekomendasi-B-123-REK-2027.pdf"


def test_a_refused_tax_exemption_names_the_goods_and_the_note() -> None:
    letter = recommendation_letter(
        facts(
            kind="tax_exemption",
            expert_name=None,
            expert_nationality=None,
            purpose="Impor 20 unit perahu karet untuk tanggap darurat",
            granted=False,
            note="Barang tersedia di dalam negeri",
        ),
        KEMENSOS,
    )
    text = pdf_text(render_letter(letter))
    assert "Hal: Rekomendasi Pembebasan Pajak" in text
    assert "Barang dan keperluan: Impor 20 unit perahu karet untuk tanggap darurat" in text
    assert "Keputusan: TIDAK DIBERIKAN." in text
    assert "Catatan: Barang tersedia di dalam negeri" in text
    assert "Nama tenaga ahli" not in text


def test_a_ministry_without_a_letterhead_gets_its_name_and_no_address() -> None:
    letterhead = letterhead_for({"KEMENSOS": KEMENSOS}, "KEMENLU", "Kementerian Luar Negeri")
    assert letterhead == Letterhead(name="Kementerian Luar Negeri")
    letter = recommendation_letter(facts(), letterhead)
    assert letter.head_lines() == ["Kementerian Luar Negeri"]
    assert letter.place_and_date == "5 Maret 2027"  # no city made up
    text = pdf_text(render_letter(letter))
    assert "Kementerian Luar Negeri" in text
    assert "Jakarta" not in text
    assert "Telepon" not in text
    assert letterhead_for({"KEMENSOS": KEMENSOS}, "KEMENSOS", "Kementerian Sosial") == KEMENSOS


def test_the_same_decision_makes_the_same_bytes() -> None:
    letter = recommendation_letter(facts(), KEMENSOS)
    assert render_letter(letter) == render_letter(letter)


def test_a_long_purpose_wraps_and_stays_whole() -> None:
    purpose = " ".join(f"kegiatan{i}" for i in range(400))
    text = pdf_text(render_letter(recommendation_letter(facts(purpose=purpose), KEMENSOS)))
    assert f"Keperluan: {purpose}" in text
    assert "Demikian surat ini disampaikan" in text


@pytest.mark.parametrize(
    ("reference", "name"),
    [("B-1/X/2027", "surat-rekomendasi-B-1-X-2027.pdf"), ("//", "surat-rekomendasi-tanpa-nomor.pdf")],
)
def test_letter_filenames(reference: str, name: str) -> None:
    assert letter_filename(reference) == name


def test_letterheads_come_from_the_settings_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "MITRA_LETTERHEADS",
        '{"KEMENSOS": {"name": "Kementerian Sosial RI", "address": "Jl. Salemba", "city": "Jakarta"}}',
    )
    settings = AgreementsSettings(environment="test")
    assert settings.letterheads == {
        "KEMENSOS": Letterhead(name="Kementerian Sosial RI", address="Jl. Salemba", city="Jakarta")
    }
    monkeypatch.setenv("MITRA_LETTERHEADS", '{"KEMENSOS": {"address": "no name"}}')
    with pytest.raises(ValueError, match="name"):
        AgreementsSettings(environment="test")


def drawn_by_font(pdf: bytes) -> dict[str, str]:
    """The text the pages draw, per font (its base name without the subset prefix), decoded as a reader decodes it:
    a TrueType subset's codes through its ToUnicode map, the CID font's as UTF-16 (UniGB-UCS2-H)."""
    objects = {m.group(1): m.group(2) for m in re.finditer(rb"(\d+) 0 obj\s*(.*?)endobj", pdf, re.S)}
    fonts: dict[bytes, tuple[str, dict[int, str] | None]] = {}
    for body in objects.values():
        name = re.search(rb"^\s*<<.*?/Name /(\S+)", body, re.S)
        base = re.search(rb"/BaseFont /(?:[A-Z]{6}\+)?([^\s/]+)", body)
        if not (name and base and b"/Type /Font" in body):
            continue
        unicode_map = None
        if to_unicode := re.search(rb"/ToUnicode (\d+) 0 R", body):
            cmap = objects[to_unicode.group(1)]
            unicode_map = {
                int(code, 16): chr(int(char, 16))
                for code, char in re.findall(rb"<([0-9A-F]{2})> <([0-9A-F]{4})>", cmap)
            }
        fonts[name.group(1)] = (base.group(1).decode(), unicode_map)
    drawn: dict[str, str] = {}
    for font, raw in re.findall(rb"/(\S+) [\d.]+ Tf [^()]*?\(((?:[^()\\]|\\.)*)\) Tj", pdf):
        data = re.sub(rb"\\([0-7]{1,3})", lambda m: bytes([int(m.group(1), 8)]), raw)
        data = re.sub(rb"\\(.)", rb"\1", data)
        base, unicode_map = fonts[font]
        text = data.decode("utf-16-be") if unicode_map is None else "".join(unicode_map[b] for b in data)
        drawn[base] = drawn.get(base, "") + text + "\n"
    return drawn


def test_names_in_any_script_are_drawn_with_glyphs_not_boxes() -> None:
    name = "张伟 Łukasz Ñoño"
    letter = recommendation_letter(facts(expert_name=name, organization_name="Ассоциация Ñoño"), KEMENSOS)
    pdf = render_letter(letter)
    assert b"ZapfDingbats" not in pdf  # reportlab's stand-in for a glyph Helvetica lacks: a black box
    assert not re.search(rb"/BaseFont /(Helvetica|Symbol)", pdf)
    drawn = drawn_by_font(pdf)
    assert set(drawn) == {"DejaVuSans", "DejaVuSans-Bold", "STSong-Light"}
    assert drawn["STSong-Light"].split() == ["张伟"]  # CJK: the CID font, nothing else in it
    assert "Łukasz Ñoño" in drawn["DejaVuSans"]
    assert "Kepada Yth.\nАссоциация Ñoño" in drawn["DejaVuSans"]
    assert "Nama tenaga ahli: \n" in drawn["DejaVuSans"]  # the name follows in the fonts that have its glyphs
