"""An idle session ends: with the console's idle timeout set short (3 seconds where the setting takes fractions of
a minute, else 1 minute), a person who comes back after it is sent
to the login page, told that the session expired, and after logging in again is back on the page they asked for."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Annotated

import httpx
import pytest
from playwright.sync_api import Page
from pydantic import TypeAdapter, ValidationError
from support.browser import DEMO_PASSWORD, Mitra, log_in, path_of, running_console, submit_login

from mitra_console.settings import ConsoleSettings
from mitra_devtools.token import local_token

pytestmark = pytest.mark.e2e


def shortest_idle_minutes() -> str:
    """MITRA_CONSOLE_SESSION_IDLE_MINUTES for the test: 0.05 (3 s) if the setting accepts it, otherwise 1."""
    field = ConsoleSettings.model_fields["console_session_idle_minutes"]
    try:
        TypeAdapter(Annotated[field.annotation, *field.metadata]).validate_python("0.05")
    except ValidationError:
        return "1"
    return "0.05"


IDLE_MINUTES = shortest_idle_minutes()
IDLE_SECONDS = float(IDLE_MINUTES) * 60


@pytest.fixture(scope="module")
def mitra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mitra]:
    """The console alone (the page after login may say a service is unavailable; the session is what counts) with
    a short idle timeout, and one demo account."""
    idle = {"MITRA_CONSOLE_SESSION_IDLE_MINUTES": IDLE_MINUTES}
    with running_console(tmp_path_factory.mktemp("logs"), services=[], console_env=idle, load_demo=False) as running:
        admin = local_token("demo-admin", "admin", name="demo administrator")
        account = {
            "username": "auditor",
            "display_name": "Auditor (demo)",
            "role": "auditor",
            "email": "auditor@mitra-demo.example",
            "password": DEMO_PASSWORD,
        }
        made = httpx.post(
            f"{running.console_url}/accounts", json=account, headers={"Authorization": f"Bearer {admin}"}, timeout=10
        )
        assert made.status_code == 201, made.text
        yield running


def test_an_idle_session_expires_and_login_returns_to_the_page(page: Page) -> None:
    log_in(page, "auditor")
    assert path_of(page) == "/auditor"
    page.goto("/account")
    assert path_of(page) == "/account", "a page of one's own within the idle timeout"

    time.sleep(IDLE_SECONDS + 2)  # the idle timeout itself is what is under test: nothing to wait on but time

    page.goto("/account")
    assert path_of(page) == "/login"
    assert "sesi" in page.locator("main").inner_text().lower(), "the login page says the session expired"
    submit_login(page, "auditor")
    assert path_of(page) == "/account", "after logging in again the person is back where they were going"
