"""As under `make run`: the console and a service as processes. The first administrator is made from the command
line, logs in, makes a TPOA account over the API (the console verifying its own token against its own JWKS); the
TPOA officer logs in and registers an NGO at the registry, which verifies the console's token against the console's
published keys. A token the console did not sign is refused."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import jwt
import pytest
from support.console import create_account
from support.services import running_services

from mitra_devtools.launcher import free_port

pytestmark = pytest.mark.e2e

ADMIN_PASSWORD = "a long administrator passphrase"
TPOA_PASSWORD = "sekretariat tpoa yang rajin"


def login(console: str, username: str, password: str) -> str:
    response = httpx.post(f"{console}/auth/token", data={"username": username, "password": password}, timeout=10)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def test_a_person_logs_in_at_the_console_and_calls_a_service(tmp_path: Path) -> None:
    port = free_port()
    console_url = f"http://127.0.0.1:{port}"
    issuers = json.dumps([{"issuer": console_url, "jwks_url": f"{console_url}/.well-known/jwks.json"}])
    extra_env = {"console": {"MITRA_HTTP_PORT": str(port)}, "registry": {"MITRA_JWT_ISSUERS": issuers}}
    with running_services(["console", "registry"], log_dir=tmp_path, extra_env=extra_env) as system:
        console = system.services["console"]
        assert console.database_url is not None
        made = create_account(
            console.database_url,
            username="first.admin",
            display_name="First administrator",
            email="admin@mitra.example",
            role="admin",
            password=ADMIN_PASSWORD,
        )
        assert made.returncode == 0, made.stderr
        assert ADMIN_PASSWORD not in made.stdout + made.stderr

        admin = {"Authorization": f"Bearer {login(console_url, 'first.admin', ADMIN_PASSWORD)}"}
        account = {
            "username": "tpoa.officer",
            "display_name": "TPOA officer",
            "email": "tpoa@kemlu.example",
            "role": "tpoa",
            "password": TPOA_PASSWORD,
        }
        created = httpx.post(f"{console_url}/accounts", json=account, headers=admin, timeout=10)
        assert created.status_code == 201, created.text

        token = login(console_url, "tpoa.officer", TPOA_PASSWORD)
        claims = jwt.decode(token, options={"verify_signature": False})
        assert claims["iss"] == console_url
        assert claims["roles"] == ["tpoa"]
        assert claims["exp"] - claims["iat"] <= 15 * 60
        registry = system.url("registry")
        ngo = {"legal_name": "Plan International", "country_of_origin": "GB", "focus_areas": []}
        registered = httpx.post(
            f"{registry}/organizations", json=ngo, headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        assert registered.status_code == 201, registered.text

        now = int(time.time())
        forged = jwt.encode(
            {"iss": console_url, "aud": "mitra", "sub": "x", "iat": now, "exp": now + 60, "roles": ["tpoa"]},
            "a guessed secret of some length, 32+",
            algorithm="HS256",
        )
        refused = httpx.get(f"{registry}/organizations", headers={"Authorization": f"Bearer {forged}"}, timeout=10)
        assert refused.status_code == 401
        ngo_staff = httpx.get(f"{console_url}/accounts", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert ngo_staff.status_code == 200  # TPOA lists the NGO staff accounts (none yet)
        assert ngo_staff.json()["items"] == []
