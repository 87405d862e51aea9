"""The pure rules of the web console: CSRF tokens, session timeouts, where a login may return to, the zone of a
region, and how an API's problem document maps to form fields and translatable messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mitra_console.domain import problems, web, zones

NOW = datetime(2030, 1, 2, 9, 0, tzinfo=UTC)
TIMES = web.SessionTimes(idle=timedelta(minutes=30), absolute=timedelta(hours=12))


@pytest.mark.parametrize(
    ("expected", "given", "ok"),
    [
        ("abc123", "abc123", True),
        ("abc123", "abc124", False),
        ("abc123", "", False),
        ("abc123", None, False),
        ("", "", False),
        (None, None, False),
        ("abc123", "abc1234", False),
    ],
)
def test_a_csrf_token_must_be_there_and_match(expected: str | None, given: str | None, ok: bool) -> None:
    assert web.csrf_matches(expected, given) is ok


def test_secrets_are_random_and_only_their_hash_is_kept() -> None:
    first, second = web.new_secret(), web.new_secret()
    assert first != second
    assert len(first) >= 43
    assert web.secret_hash(first) == web.secret_hash(first)
    assert web.secret_hash(first) != first.encode()
    assert len(web.secret_hash(first)) == 32


@pytest.mark.parametrize(
    ("last_seen_ago", "expires_in", "state"),
    [
        (timedelta(minutes=0), timedelta(hours=12), "active"),
        (timedelta(minutes=29, seconds=59), timedelta(hours=1), "active"),
        (timedelta(minutes=30), timedelta(hours=1), "idle"),
        (timedelta(minutes=1), timedelta(0), "ended"),
        (timedelta(hours=2), timedelta(seconds=-1), "ended"),
    ],
)
def test_a_session_ends_when_idle_or_past_its_end(last_seen_ago: timedelta, expires_in: timedelta, state: str) -> None:
    found = web.session_state(last_seen_at=NOW - last_seen_ago, expires_at=NOW + expires_in, now=NOW, times=TIMES)
    assert found == state


def test_the_last_use_is_written_at_most_once_a_minute() -> None:
    assert not web.needs_touch(NOW - timedelta(seconds=59), NOW, TIMES.idle)
    assert web.needs_touch(NOW - timedelta(seconds=60), NOW, TIMES.idle)
    short = timedelta(seconds=4)  # a test's short idle timeout: written more often
    assert web.needs_touch(NOW - timedelta(seconds=1), NOW, short)
    assert not web.needs_touch(NOW - timedelta(milliseconds=900), NOW, short)


@pytest.mark.parametrize(
    ("wanted", "safe"),
    [
        ("/ngo/msps?page=2", "/ngo/msps?page=2"),
        ("/", "/"),
        (None, "/"),
        ("", "/"),
        ("https://evil.example/", "/"),
        ("//evil.example/path", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/a\nb", "/"),
    ],
)
def test_login_returns_only_to_a_page_of_this_site(wanted: str | None, safe: str) -> None:
    assert web.safe_next(wanted) == safe


def test_a_reset_link_works_once_before_it_expires() -> None:
    later = NOW + timedelta(minutes=30)
    assert web.reset_link_usable(expires_at=later, used_at=None, active=True, now=NOW)
    assert not web.reset_link_usable(expires_at=later, used_at=NOW, active=True, now=NOW)
    assert not web.reset_link_usable(expires_at=later, used_at=None, active=False, now=NOW)
    assert not web.reset_link_usable(expires_at=NOW, used_at=None, active=True, now=NOW)


@pytest.mark.parametrize(
    ("region", "zone"),
    [
        ("33", zones.WIB),  # Jawa Tengah
        ("3374", zones.WIB),  # Kota Semarang
        ("31", zones.WIB),
        ("61", zones.WIB),  # Kalimantan Barat
        ("62", zones.WIB),
        ("63", zones.WITA),  # Kalimantan Selatan
        ("51", zones.WITA),  # Bali
        ("5171", zones.WITA),  # Denpasar
        ("73", zones.WITA),
        ("81", zones.WIT),
        ("94", zones.WIT),
        ("9471", zones.WIT),  # Jayapura
        ("96", zones.WIT),  # Papua Barat Daya (Kemendagri 2022), not in the 2018 list
        ("99", zones.WIT),
        (None, zones.WIB),
        ("", zones.WIB),
        ("x1", zones.WIB),
    ],
)
def test_the_zone_of_a_region(region: str | None, zone: str) -> None:
    assert zones.zone_of_region(region) == zone


def test_a_chosen_zone_wins_over_the_region() -> None:
    assert zones.zone_or_default("Asia/Jayapura", "33") == zones.WIT
    assert zones.zone_or_default(None, "73") == zones.WITA
    assert zones.zone_or_default("Europe/Paris", "73") == zones.WITA
    assert zones.zone_or_default(None, None) == zones.WIB


def test_every_province_of_the_region_list_has_a_zone() -> None:
    assert len(zones.PROVINCES) == 34
    assert zones.province_name("3374") == "Jawa Tengah"
    assert {zone for _, zone in zones.PROVINCES.values()} == set(zones.ZONES)


@pytest.mark.parametrize(
    ("location", "field"),
    [
        ("body.legal_name", "legal_name"),
        ("query.limit", "limit"),
        ("body.funding_lines.0.amount", "funding_lines.0.amount"),
        ("header.if-match", "if-match"),
        ("body", None),
        ("", None),
        (None, None),
        ("legal_name", "legal_name"),
    ],
)
def test_a_problem_field_names_a_form_field(location: str | None, field: str | None) -> None:
    assert problems.form_field(location) == field


def test_known_validation_messages_become_msgids_and_others_stay_as_given() -> None:
    problem = {
        "title": "Invalid request",
        "status": 422,
        "errors": [
            {"field": "body.legal_name", "reason": "Field required"},
            {"field": "body.country_of_origin", "reason": "String should have at least 2 characters"},
            {"field": "query.limit", "reason": "Input should be less than or equal to 500"},
            {"field": "body.end_date", "reason": "the end date is before the start date"},
            {"field": "body.new_password", "reason": "a password has 12 characters at least (a few words ...)"},
        ],
    }
    found = problems.field_messages(problem)
    assert [message.field for message in found] == [
        "legal_name",
        "country_of_origin",
        "limit",
        "end_date",
        "new_password",
    ]
    assert found[0].msgid == "Enter a value."
    assert found[1].msgid == "Enter at least %(n)s characters."
    assert found[1].params == {"n": "2"}
    assert found[2].params == {"n": "500"}
    assert found[3].msgid is None
    assert found[3].text == "the end date is before the start date"
    assert found[4].params == {"n": "12"}


def test_a_problem_without_field_errors_is_about_the_whole_form() -> None:
    found = problems.field_messages({"title": "Conflict", "status": 409, "detail": "the MSP is signed already"})
    assert found == [problems.FieldMessage(None, text="the MSP is signed already")]
    assert problems.field_messages({"title": "Conflict", "status": 409})[0].text == "Conflict"


def test_the_token_cache_forgets_only_the_expired_tokens_when_it_grows() -> None:
    from mitra_console.http.web.state import CachedToken, WebState

    state = WebState(settings=None, config=None, languages=None, clients={}, mailer=None)  # type: ignore[arg-type]
    now = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    for number in range(10_001):
        expires_at = now + timedelta(minutes=5) if number % 2 else now - timedelta(minutes=1)
        state.tokens[number.to_bytes(4, "big")] = CachedToken(f"token {number}", expires_at)
    state.remember_token(b"new", "new token", now + timedelta(minutes=15), now)
    assert state.cached_token((1).to_bytes(4, "big"), now) == "token 1", "a live session's token is kept"
    assert (2).to_bytes(4, "big") not in state.tokens, "an expired one is forgotten"
    assert state.cached_token(b"new", now) == "new token"
    assert len(state.tokens) == 5_001
