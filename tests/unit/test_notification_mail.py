"""A notification's e-mail as the SMTP channel writes it out itself: what any mail reader parses from it is what the
email package's `EmailMessage` said (headers, the plain text and the HTML), whatever the subject holds."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from mitra_devtools.launcher import free_port
from mitra_notifications.channels.smtp import SmtpMailer, compose
from mitra_notifications.settings import NotificationsSettings

TEXT = "Yth. Tim Perizinan Ormas Asing (TPOA),\n\n.a line that starts with a dot\n" + "panjang " * 40 + " \n"
HTML = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>x = y</title></head><body><p>Ünïcødé</p></body></html>'


def _headers(subject: str) -> dict[str, str]:
    return {
        "From": "mitra@localhost.localdomain",
        "To": "tpoa@kemlu.example",
        "Subject": subject,
        "Message-ID": "<6f0c3c0e-0000-4000-8000-000000000001@localhost.localdomain>",
        "X-Mitra-Notification-Id": "6f0c3c0e-0000-4000-8000-000000000001",
    }


def _parsed(data: bytes) -> EmailMessage:
    parsed = message_from_bytes(data, policy=policy.SMTP)
    assert isinstance(parsed, EmailMessage)
    return parsed


@pytest.mark.parametrize(
    "subject",
    [
        "Ormas Asing baru terdaftar: Rikolto International",
        "New foreign NGO registered: Ärzte ohne Grenzen — “MSF”",
        "Ormas Asing baru terdaftar: " + "Yayasan Pendidikan Indonesia Raya " * 40,
        "ü" * 300,
        "=?utf-8?q?looks_encoded?= but is not",
    ],
)
def test_what_a_reader_parses_is_what_was_written(subject: str) -> None:
    data = compose(_headers(subject), text=TEXT, html=HTML)
    parsed = _parsed(data)
    assert {name: parsed[name] for name in _headers(subject)} == _headers(subject)
    assert parsed.get_content_type() == "multipart/alternative"
    plain, html = parsed.get_body(("plain",)), parsed.get_body(("html",))
    assert plain is not None
    assert html is not None
    assert plain.get_content() == TEXT
    assert html.get_content() == HTML
    assert data.isascii()
    assert max(len(line) for line in data.split(b"\r\n")) <= 998


def test_each_message_has_a_boundary_of_its_own() -> None:
    first, second = (_parsed(compose(_headers("x"), text=TEXT, html=HTML)) for _ in range(2))
    assert first.get_boundary() != second.get_boundary()


async def test_a_subject_with_a_line_break_is_refused_as_the_email_package_refuses_it() -> None:
    mailer = SmtpMailer(NotificationsSettings(environment="test", smtp_port=free_port()))
    with pytest.raises(ValueError, match="linefeed or carriage return"):
        await mailer.send(to="tpoa@kemlu.example", subject="a\r\nBcc: x@y", text=TEXT, html=HTML, message_id="m1")
    await mailer.aclose()
