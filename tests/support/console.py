"""The console as tests drive it from outside: its HTML forms over HTTP, and its command line."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import httpx

from support.paths import REPO

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(page: httpx.Response) -> str:
    """The CSRF token of a page's forms (every page has one: the language switch; signed in, the logout)."""
    found = CSRF.search(page.text)
    assert found, page.text[:500]
    return found.group(1)


def create_account(
    database_url: str, *, username: str, display_name: str, email: str, role: str, password: str
) -> subprocess.CompletedProcess[str]:
    """`python -m mitra_console create-account` as an operator runs it, the password given in its variable."""
    env = {
        **os.environ,
        "MITRA_ENVIRONMENT": "test",
        "MITRA_DATABASE_URL": database_url,
        "MITRA_CONSOLE_NEW_PASSWORD": password,
        "MITRA_LOG_FORMAT": "json",
    }
    return subprocess.run(
        [sys.executable, "-m", "mitra_console", "create-account", "--username", username,
         "--display-name", display_name, "--email", email, "--role", role],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
