"""Two console replicas behind one address, as compose's replicas or a Kubernetes Deployment run them: a person who
logged in on one is logged in on the other (the session lives in the console's database, not in a process), a form
sent to the other passes its CSRF check, a logout on either ends the session on both, and the access tokens either
replica signs are verified against the keys the other publishes (both sign with the keys kept in the database)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator

import httpx
import jwt
import pytest
from support.broker import AMQP_URL, DEFAULT_RETRY_DELAYS_MS, delete_namespace, new_namespace
from support.console import create_account, csrf_of
from support.database import ADMIN_DSN, drop_database
from support.paths import REPO

from mitra_devtools import launcher
from mitra_devtools.launcher import ManagedProcess, free_port

pytestmark = pytest.mark.e2e

PASSWORD = "replicas share one session table"
SESSION_COOKIE = "mitra_session"


@pytest.fixture(scope="module")
def replicas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """Two console processes on one database (one set of settings, two ports); an administrator account."""
    namespace = new_namespace("e2e-console-replicas")
    settings = {
        **launcher.isolated_settings(
            "console",
            admin_dsn=ADMIN_DSN,
            amqp_url=AMQP_URL,
            namespace=namespace,
            smtp_port=free_port(),
            database_prefix="e2e",
            own_role=True,
        ),
        "MITRA_ENVIRONMENT": "test",
    }
    asyncio.run(launcher.create_service_database(ADMIN_DSN, settings))
    logs = tmp_path_factory.mktemp("console-replicas")
    started: list[ManagedProcess] = []
    try:
        for index in (1, 2):
            env = {
                **os.environ,
                **settings,
                "MITRA_HTTP_PORT": str(free_port()),
                "MITRA_METRICS_PORT": str(free_port()),
            }
            started.append(launcher.start_service("console", env, log_path=logs / f"console-{index}.log", cwd=REPO))
        asyncio.run(launcher.wait_all_ready(started, 90))
        _create_administrator(settings["MITRA_DATABASE_URL"])
        yield started[0].url, started[1].url
    finally:
        exit_codes = launcher.stop_all(started, 30)
        asyncio.run(drop_database(settings["MITRA_DATABASE_URL"]))
        asyncio.run(delete_namespace(namespace, ["console"], DEFAULT_RETRY_DELAYS_MS))
    assert all(code == 0 for code in exit_codes.values()), exit_codes


def _create_administrator(database_url: str) -> None:
    made = create_account(
        database_url,
        username="replica.admin",
        display_name="Replica Administrator",
        email="replica.admin@mitra.example",
        role="admin",
        password=PASSWORD,
    )
    assert made.returncode == 0, made.stderr


def test_a_session_begun_on_one_replica_is_the_same_on_the_other(replicas: tuple[str, str]) -> None:
    first, second = replicas
    with httpx.Client(base_url=first, timeout=15) as on_first, httpx.Client(base_url=second, timeout=15) as on_second:
        form = on_first.get("/login")
        credentials = {"username": "replica.admin", "password": PASSWORD, "next": "/admin"}
        logged_in = on_first.post("/login", data={**credentials, "csrf_token": csrf_of(form)})
        assert logged_in.status_code == 303, logged_in.text
        session = logged_in.cookies[SESSION_COOKIE]
        on_second.cookies.set(SESSION_COOKIE, session)

        page = on_second.get("/account")
        assert page.status_code == 200, page.text
        assert "Replica Administrator" in page.text
        assert on_first.get("/account").status_code == 200

        # The logout form of a page the second replica rendered, sent to the first: one CSRF token per session.
        logged_out = on_first.post("/logout", data={"csrf_token": csrf_of(page)})
        assert logged_out.status_code == 303
        assert logged_out.headers["location"].startswith("/login")

        for client in (on_first, on_second):
            client.cookies.set(SESSION_COOKIE, session)
            after = client.get("/account")
            assert after.status_code == 303, f"{client.base_url} still knows the ended session"
            assert after.headers["location"].startswith("/login")


def test_a_token_signed_by_one_replica_verifies_with_the_keys_the_other_publishes(replicas: tuple[str, str]) -> None:
    first, second = replicas
    issued = httpx.post(f"{first}/auth/token", data={"username": "replica.admin", "password": PASSWORD}, timeout=15)
    assert issued.status_code == 200, issued.text
    token = issued.json()["access_token"]
    keys = jwt.PyJWKClient(f"{second}/.well-known/jwks.json")
    claims = jwt.decode(token, keys.get_signing_key_from_jwt(token).key, algorithms=["ES256", "RS256", "EdDSA"],
                        options={"verify_aud": False})  # fmt: skip
    assert claims["roles"] == ["admin"]
