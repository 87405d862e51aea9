"""The web console in-process (the real app over ASGI, a real database, the test's clock): login, wrong password,
a CSRF-less post refused, the idle timeout, logout, the language switch, the settings page, the password reset by
e-mail (an aiosmtpd server of the test's own), and the API client with a service reached in-process."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from email.message import EmailMessage

import asyncpg
import httpx
import pytest
from support.app import asgi_client, prepared_app
from support.clock import FakeClock
from support.console import csrf_of
from support.database import create_migrated_database, drop_database
from support.mail import SmtpServer
from support.polling import eventually

from mitra_console.bootstrap import build_spec
from mitra_console.domain.accounts import NewAccount
from mitra_console.settings import ConsoleSettings
from mitra_console.usecases import accounts
from mitra_console.usecases.config import ConsoleConfig
from mitra_shared import db
from mitra_shared.context import Context, Principal
from mitra_shared.uow import UnitOfWork

pytestmark = pytest.mark.integration
PASSWORD = "kopi tubruk di pagi hari"


@pytest.fixture(scope="module")
def console_database() -> Iterator[str]:
    dsn = asyncio.run(create_migrated_database([db.MigrationSource("console", "mitra_console")]))
    yield dsn
    asyncio.run(drop_database(dsn))


@pytest.fixture
async def console_pool(console_database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await db.create_pool(console_database, min_size=1, max_size=4)
    try:
        yield pool
    finally:
        await pool.close()


def settings(**values: object) -> ConsoleSettings:
    return ConsoleSettings(environment="test", **values)  # type: ignore[arg-type]


async def make_account(pool: asyncpg.Pool, clock: FakeClock, role: str = "region", **scope: str) -> str:
    """A new account (username returned) with PASSWORD; a region account of Jawa Tengah unless told."""
    if role == "region" and not scope:
        scope = {"region_code": "3374"}
    username = f"{role}-{uuid.uuid4().hex[:8]}"
    admin = Context(Principal("admin-1", roles=("admin",), name="Admin"), now=clock(), request_id="seed")
    command = NewAccount(
        username=username,
        display_name=f"Siti {role.title()}",
        email=f"{username}@example.org",
        role=role,
        password=PASSWORD,
        **scope,
    )
    await accounts.create_account(
        UnitOfWork(pool, service="console"), admin, ConsoleConfig.from_settings(settings()), command
    )
    return username


@pytest.fixture
async def browser(console_pool: asyncpg.Pool, clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    """A client that keeps cookies, like a browser, on the console's app."""
    app = prepared_app(build_spec(settings()), console_pool, clock)
    async with asgi_client(app, headers={}) as client:
        yield client


async def log_in(client: httpx.AsyncClient, username: str, password: str = PASSWORD, next: str = "/") -> httpx.Response:
    form = await client.get("/login", params={"next": next})
    return await client.post(
        "/login", data={"username": username, "password": password, "next": next, "csrf_token": csrf_of(form)}
    )


async def test_login_page_is_in_bahasa_indonesia_and_safe(browser: httpx.AsyncClient) -> None:
    page = await browser.get("/login")
    assert page.status_code == 200
    assert '<html lang="id">' in page.text
    assert "Masuk" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["referrer-policy"]
    assert "mitra_csrf" in page.cookies
    assert "<script>" not in page.text  # no inline script (CSP)


async def test_login_lands_on_the_role_page_and_logout_ends_the_session(
    browser: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock
) -> None:
    username = await make_account(console_pool, clock)
    answer = await log_in(browser, username)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/"
    cookie = answer.headers["set-cookie"]
    assert "mitra_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie.replace("Lax", "lax")
    assert (await browser.get("/")).headers["location"] == "/region"
    page = await browser.get("/account")
    assert page.status_code == 200
    assert "Siti Region" in page.text
    assert "3374" in page.text
    assert "Jawa Tengah" in page.text
    stored = await console_pool.fetchval(
        "SELECT count(*) FROM web_sessions s JOIN accounts a ON a.id = s.account_id WHERE a.username = $1", username
    )
    assert stored == 1
    session_id = browser.cookies["mitra_session"]
    assert await console_pool.fetchval("SELECT count(*) FROM web_sessions WHERE id_hash = $1", session_id.encode()) == 0

    logout = await browser.post("/logout", data={"csrf_token": csrf_of(page)})
    assert logout.status_code == 303
    assert logout.headers["location"].startswith("/login")
    assert (await browser.get("/account")).status_code == 303
    browser.cookies.set("mitra_session", session_id)  # the old cookie opens nothing any more
    assert (await browser.get("/account")).headers["location"].startswith("/login")


async def test_a_wrong_password_is_refused_with_a_clear_message(
    browser: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock
) -> None:
    username = await make_account(console_pool, clock)
    answer = await log_in(browser, username, "not the password at all")
    assert answer.status_code == 401
    assert "error-summary" in answer.text
    assert "Nama pengguna atau kata sandi salah" in answer.text
    assert 'href="#f-password"' in answer.text
    assert 'id="f-password"' in answer.text
    assert "mitra_session" not in browser.cookies
    empty = await log_in(browser, "")
    assert empty.status_code == 422
    assert "Masukkan nama pengguna Anda." in empty.text


async def test_a_post_without_its_csrf_token_is_refused(
    browser: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock
) -> None:
    username = await make_account(console_pool, clock)
    await browser.get("/login")
    refused = await browser.post("/login", data={"username": username, "password": PASSWORD})
    assert refused.status_code == 403
    assert "token keamanan" in refused.text
    assert "mitra_session" not in browser.cookies
    await log_in(browser, username)
    settings_page = await browser.get("/account")
    assert settings_page.status_code == 200
    for data in ({"time_zone": "Asia/Jayapura"}, {"time_zone": "Asia/Jayapura", "csrf_token": "forged"}):
        answer = await browser.post("/account/preferences", data=data)
        assert answer.status_code == 403, answer.text
    assert (await browser.post("/logout", data={})).status_code == 403
    header = await browser.post(
        "/account/preferences", data={"time_zone": "Asia/Jayapura"}, headers={"X-CSRF-Token": csrf_of(settings_page)}
    )
    assert header.status_code == 303


async def test_an_idle_session_expires_and_login_returns_to_the_page(
    browser: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock
) -> None:
    username = await make_account(console_pool, clock)
    await log_in(browser, username)
    clock.advance(minutes=29)
    assert (await browser.get("/account")).status_code == 200  # used: the idle time starts again
    clock.advance(minutes=29)
    assert (await browser.get("/account")).status_code == 200
    clock.advance(minutes=31)
    expired = await browser.get("/account?tab=1")
    assert expired.status_code == 303
    assert expired.headers["location"] == "/login?next=%2Faccount%3Ftab%3D1&expired=1"
    login_page = await browser.get(expired.headers["location"])
    assert "Sesi Anda berakhir" in login_page.text
    back = await log_in(browser, username, next="/account?tab=1")
    assert back.headers["location"] == "/account?tab=1"


async def test_a_session_ends_after_its_absolute_lifetime(
    browser: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock
) -> None:
    username = await make_account(console_pool, clock)
    await log_in(browser, username)
    for _ in range(30):  # 29 minutes at a time: never idle, past 12 hours after 25 steps
        clock.advance(minutes=29)
        page = await browser.get("/account")
        if page.status_code != 200:
            break
    assert page.status_code == 303
    assert "expired=1" in page.headers["location"]


async def test_the_language_switch_and_the_settings(
    browser: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock
) -> None:
    login_page = await browser.get("/login")
    english = await browser.post(
        "/language", data={"language": "en", "next": "/login", "csrf_token": csrf_of(login_page)}
    )
    assert english.status_code == 303
    page = await browser.get("/login")
    assert '<html lang="en">' in page.text
    assert "Log in to Mitra" in page.text
    username = await make_account(console_pool, clock, role="region", region_code="73")  # Sulawesi Selatan: WITA
    await log_in(browser, username)
    settings_page = await browser.get("/account")
    assert '<html lang="en">' in settings_page.text
    assert 'value="Asia/Makassar" selected' in settings_page.text
    saved = await browser.post(
        "/account/preferences",
        data={"time_zone": "Asia/Jayapura", "language": "id", "csrf_token": csrf_of(settings_page)},
    )
    assert saved.status_code == 303
    again = await browser.get("/account")
    assert '<html lang="id">' in again.text
    assert 'value="Asia/Jayapura" selected' in again.text
    assert "Pengaturan Anda tersimpan." in again.text  # the flash message, once
    assert "Pengaturan Anda tersimpan." not in (await browser.get("/account")).text
    bad = await browser.post("/account/preferences", data={"time_zone": "Europe/Paris", "csrf_token": csrf_of(again)})
    assert bad.status_code == 422
    assert 'href="#f-time_zone"' in bad.text


async def test_changing_the_password(browser: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock) -> None:
    username = await make_account(console_pool, clock, role="tpoa")
    await log_in(browser, username)
    page = await browser.get("/account")
    wrong = await browser.post(
        "/account/password",
        data={
            "current_password": "nope",
            "new_password": "teh manis hangat sekali",
            "confirm_password": "teh manis hangat sekali",
            "csrf_token": csrf_of(page),
        },
    )
    assert wrong.status_code == 422
    assert "Kata sandi saat ini salah." in wrong.text
    short = await browser.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "pendek",
            "confirm_password": "pendek",
            "csrf_token": csrf_of(page),
        },
    )
    assert short.status_code == 422
    assert 'href="#f-new_password"' in short.text
    assert "12" in short.text
    done = await browser.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "teh manis hangat sekali",
            "confirm_password": "teh manis hangat sekali",
            "csrf_token": csrf_of(page),
        },
    )
    assert done.status_code == 303
    await browser.post("/logout", data={"csrf_token": csrf_of(page)})
    assert (await log_in(browser, username, "teh manis hangat sekali")).status_code == 303


async def test_role_pages_refuse_other_roles(
    browser: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock
) -> None:
    username = await make_account(console_pool, clock, role="auditor")
    await log_in(browser, username)
    assert (await browser.get("/")).headers["location"] == "/auditor"
    refused = await browser.get("/ngo")
    assert refused.status_code == 403
    assert "Anda tidak dapat melihat halaman ini" in refused.text
    assert (await browser.get("/no-such-page")).status_code == 404


async def test_static_files_are_cached_and_compressed(browser: httpx.AsyncClient) -> None:
    page = await browser.get("/login", headers={"Accept-Encoding": "gzip"})
    css = re.search(r'href="(/static/css/mitra\.css\?v=[0-9a-f]+)"', page.text)
    assert css
    answer = await browser.get(css.group(1), headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200
    assert answer.headers["content-encoding"] == "gzip"
    assert "immutable" in answer.headers["cache-control"]
    assert (await browser.get("/static/../settings.py")).status_code == 404
    htmx = await browser.get("/static/vendor/htmx.min.js", headers={"Accept-Encoding": "gzip"})
    assert htmx.status_code == 200
    assert int(htmx.headers["content-length"]) < 20_000


async def wait_for_mail(smtp: SmtpServer, address: str, seconds: float = 10.0) -> str:
    async def arrived() -> list[EmailMessage]:
        return smtp.mailbox.to(address)

    messages = await eventually(arrived, timeout=seconds, description=f"a mail to {address}")
    body = messages[-1].get_body(("plain",))
    assert body is not None
    return str(body.get_content())


async def test_password_reset_by_e_mail(console_pool: asyncpg.Pool, clock: FakeClock) -> None:
    with SmtpServer() as smtp:
        app = prepared_app(build_spec(settings(smtp_port=smtp.port)), console_pool, clock)
        async with asgi_client(app, headers={}) as browser:
            username = await make_account(console_pool, clock, role="ministry", ministry_code="KEMENSOS")
            form = await browser.get("/password/forgot")
            known = await browser.post("/password/forgot", data={"name": username, "csrf_token": csrf_of(form)})
            unknown = await browser.post(
                "/password/forgot", data={"name": "nobody-at-all", "csrf_token": csrf_of(form)}
            )
            assert known.status_code == unknown.status_code == 200
            assert known.text.replace(csrf_of(known), "") == unknown.text.replace(csrf_of(unknown), "")
            text = await wait_for_mail(smtp, f"{username}@example.org")
            link = re.search(r"http://\S+/password/reset/(\S+)", text)
            assert link, text
            path = f"/password/reset/{link.group(1)}"
            assert len(smtp.mailbox.messages) == 1  # none for the unknown name
            stored = await console_pool.fetchval(
                "SELECT count(*) FROM password_resets WHERE token_hash = $1", link.group(1).encode()
            )
            assert stored == 0  # only the hash is kept

            reset_page = await browser.get(path)
            assert reset_page.status_code == 200
            mismatch = await browser.post(
                path,
                data={
                    "new_password": "gado gado enak sekali",
                    "confirm_password": "x",
                    "csrf_token": csrf_of(reset_page),
                },
            )
            assert mismatch.status_code == 422
            done = await browser.post(
                path,
                data={
                    "new_password": "gado gado enak sekali",
                    "confirm_password": "gado gado enak sekali",
                    "csrf_token": csrf_of(reset_page),
                },
            )
            assert done.status_code == 303
            assert (await browser.get(path)).status_code == 410  # used once
            assert (await log_in(browser, username, "gado gado enak sekali")).status_code == 303
            browser.cookies.clear()
            assert (await log_in(browser, username, PASSWORD)).status_code == 401


async def test_a_reset_link_expires(console_pool: asyncpg.Pool, clock: FakeClock) -> None:
    with SmtpServer() as smtp:
        app = prepared_app(build_spec(settings(smtp_port=smtp.port)), console_pool, clock)
        async with asgi_client(app, headers={}) as browser:
            username = await make_account(console_pool, clock)
            form = await browser.get("/password/forgot")
            await browser.post(
                "/password/forgot", data={"name": f"{username}@example.org", "csrf_token": csrf_of(form)}
            )
            text = await wait_for_mail(smtp, f"{username}@example.org")
            token = re.search(r"/password/reset/(\S+)", text)
            assert token
            clock.advance(timedelta(minutes=31))
            assert (await browser.get(f"/password/reset/{token.group(1)}")).status_code == 410


async def test_pages_call_services_with_a_token_the_console_minted(
    console_pool: asyncpg.Pool, clock: FakeClock
) -> None:
    """The header's unread count, from a stand-in for notifications in-process: the call carries a console token
    for the session's account (verified against the console's own published keys), never the browser's cookie."""
    seen: list[httpx.Request] = []

    async def notifications(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"unread": 4})

    app = prepared_app(build_spec(settings()), console_pool, clock)
    app.state.web_transports = {"notifications": httpx.MockTransport(notifications)}
    async with asgi_client(app, headers={}) as browser:
        username = await make_account(console_pool, clock, role="ngo", organization_id=str(uuid.uuid4()))
        await log_in(browser, username)
        page = await browser.get("/account")
        assert 'hx-get="/_fragments/unread-count"' in page.text
        fragment = await browser.get("/_fragments/unread-count")
        assert fragment.status_code == 200
        assert ">4</span>" in fragment.text
        assert "4 belum dibaca" in fragment.text
        keys = (await browser.get("/.well-known/jwks.json")).json()
    request = seen[-1]
    assert str(request.url) == "http://127.0.0.1:8003/me/inbox/unread-count"
    assert "mitra_session" not in request.headers.get("cookie", "")
    claims = jwt_claims(request.headers["authorization"].removeprefix("Bearer "), keys)
    assert claims["roles"] == ["ngo"]
    assert claims["sub"] == await console_pool.fetchval("SELECT id::text FROM accounts WHERE username = $1", username)
    assert request.headers["accept-language"] == "en"  # problems in English: the page translates them itself


def jwt_claims(token: str, jwks: dict[str, list[dict[str, str]]]) -> dict[str, object]:
    import jwt

    header = jwt.get_unverified_header(token)
    key = next(key for key in jwks["keys"] if key["kid"] == header["kid"])
    public = jwt.PyJWK(key).key
    claims: dict[str, object] = jwt.decode(
        token,
        public,
        algorithms=["EdDSA"],
        options={"verify_aud": False, "verify_iat": False, "verify_exp": False, "verify_nbf": False},  # fake clock
    )
    return claims


async def test_logging_out_after_the_session_expired_goes_to_the_login_page(
    browser: httpx.AsyncClient, console_pool: asyncpg.Pool, clock: FakeClock
) -> None:
    username = await make_account(console_pool, clock)
    await log_in(browser, username)
    page = await browser.get("/account")
    clock.advance(hours=1)
    answer = await browser.post("/logout", data={"csrf_token": csrf_of(page)})
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login")


async def test_reset_requests_send_a_few_links_at_most(console_pool: asyncpg.Pool, clock: FakeClock) -> None:
    with SmtpServer() as smtp:
        app = prepared_app(build_spec(settings(smtp_port=smtp.port)), console_pool, clock)
        async with asgi_client(app, headers={}) as browser:
            username = await make_account(console_pool, clock)
            form = await browser.get("/password/forgot")
            for _ in range(5):
                answer = await browser.post("/password/forgot", data={"name": username, "csrf_token": csrf_of(form)})
                assert answer.status_code == 200
            await wait_for_mail(smtp, f"{username}@example.org")
            links = await console_pool.fetchval(
                "SELECT count(*) FROM password_resets r JOIN accounts a ON a.id = r.account_id WHERE a.username = $1",
                username,
            )
            assert links == 3
