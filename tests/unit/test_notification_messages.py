from datetime import UTC, date, datetime

import pytest

from mitra_notifications.domain import registry_texts as messages
from mitra_notifications.domain import texts
from mitra_notifications.domain.digest import DigestItem, digest

FACTS = messages.OrganizationRegisteredFacts(
    legal_name="Konrad Adenauer Stiftung <KAS>",
    acronym="KAS",
    country_of_origin="DE",
    focus_areas=["social_services"],
    registered_at=datetime(2026, 2, 3, 1, 5, tzinfo=UTC),
)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("id", "3 Februari 2026 pukul 08.05 WIB"), ("en", "3 February 2026, 08:05 WIB")],
)
def test_dates_are_in_jakarta_time_and_the_language_of_the_recipient(
    language: texts.Language, expected: str
) -> None:
    assert texts.format_datetime(FACTS.registered_at, language) == expected


def test_the_indonesian_message() -> None:
    message = messages.organization_registered(FACTS, "id")
    assert message.subject == "Ormas Asing baru terdaftar: Konrad Adenauer Stiftung <KAS> (KAS)"
    assert "3 Februari 2026 pukul 08.05 WIB" in message.text
    assert "Negara asal: DE" in message.text
    assert "Tim Perizinan Ormas Asing" in message.text


def test_the_english_message() -> None:
    message = messages.organization_registered(FACTS, "en")
    assert message.subject.startswith("New foreign NGO registered:")
    assert "Country of origin: DE" in message.text


def test_html_escapes_what_the_ngo_typed() -> None:
    message = messages.organization_registered(FACTS, "en")
    assert "&lt;KAS&gt;" in message.html
    assert "<KAS>" not in message.html


def test_permit_reminders_in_both_languages() -> None:
    facts = messages.PermitFacts(
        organization_name="CARE International",
        permit_type="principle",
        number="IP-07/2024",
        valid_until=date(2027, 3, 31),
        days_before=90,
    )
    indonesian = messages.permit_expiring(facts, "id")
    assert indonesian.subject == "Izin prinsip CARE International berakhir dalam 90 hari"
    assert "31 Maret 2027" in indonesian.text
    english = messages.permit_expired(facts, "en")
    assert english.subject == "CARE International's principle permit has expired"
    assert "31 March 2027" in english.text


def test_status_change_names_the_reason() -> None:
    facts = messages.StatusChangeFacts(
        organization_name="OISCA",
        previous_status="active",
        status="suspended",
        reason="political activity",
        changed_at=datetime(2026, 5, 1, 3, 0, tzinfo=UTC),
    )
    message = messages.organization_status_changed(facts, "id")
    assert message.subject == "Status OISCA: dibekukan"
    assert "dari aktif menjadi dibekukan" in message.text
    assert "Alasan: political activity" in message.text


def test_every_message_ends_with_the_automatic_footer_in_its_language() -> None:
    indonesian, english = messages.organization_registered(FACTS, "id"), messages.organization_registered(FACTS, "en")
    assert indonesian.text.endswith("\n\nPesan ini dikirim otomatis oleh Mitra.\n")
    assert english.text.endswith("\n\nThis message was sent automatically by Mitra.\n")
    assert english.html.endswith("<p>This message was sent automatically by Mitra.</p></body></html>")


def test_the_digest_lists_the_days_notifications_oldest_first() -> None:
    items = [
        DigestItem("Izin prinsip OISCA telah berakhir", "Satu.\n", datetime(2026, 11, 23, 1, 0, tzinfo=UTC)),
        DigestItem("Status OISCA: dibekukan", "Dua.\n\nTiga.\n", datetime(2026, 11, 23, 2, 30, tzinfo=UTC)),
    ]
    message = digest(items, date(2026, 11, 24), "id")
    assert message.subject == "Ringkasan harian Mitra, 24 November 2026: 2 pemberitahuan"
    assert "1. Izin prinsip OISCA telah berakhir (23 November 2026 pukul 08.00 WIB)" in message.text
    assert "2. Status OISCA: dibekukan (23 November 2026 pukul 09.30 WIB)\n\n   Dua.\n\n   Tiga.\n" in message.text
