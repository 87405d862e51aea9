"""`make run`: the whole system on this machine, in the foreground, until Ctrl-C.

Starts a local SMTP sink (unless MITRA_SMTP_HOST names a real server), the console (accounts, login, the keys every
service verifies tokens with) and the four services as separate processes with their logs interleaved and prefixed,
waits until each is ready, loads the demo data (one console account per role among it), and prints where everything
is. Everything runs in the `local` environment (MITRA_ENVIRONMENT), the only one that accepts the demo password and
`make token`'s tokens. SIGINT or SIGTERM stops everything it started, services first.

Each service logs in to PostgreSQL as a role of its own, `mitra_<service>`, which owns its database `mitra_<service>`
and nothing else and is no superuser: before starting them, `make run` creates (or updates) the roles and databases
as the administrator of MITRA_ADMIN_DATABASE_URL (by default the local `postgres`), with a new random password each
time, and takes over into the role what an older run left in the database. A service given its own
MITRA_<SERVICE>_DATABASE_URL uses that as it is. `--migrate` only does that and migrates each database as its role
(what `make migrate` runs).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

from mitra_devtools import demo, launcher
from mitra_devtools.demo_http import DemoError
from mitra_devtools.launcher import ManagedProcess, NotReady
from mitra_devtools.token import local_token
from mitra_shared.db import with_database

DEMO_LETTERHEAD = {
    "name": "Kementerian Sosial Republik Indonesia",
    "address": "Jl. Salemba Raya No. 28, Jakarta Pusat 10430",
    "city": "Jakarta",
}


@dataclass(frozen=True)
class ServicePort:
    name: str
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


CONSOLE = ServicePort("console", 8000)
SERVICES = [
    ServicePort("registry", 8001),
    ServicePort("agreements", 8002),
    ServicePort("notifications", 8003),
    ServicePort("reporting", 8004),
]
READY_TIMEOUT = 90.0
STOP_TIMEOUT = 30.0
ADMIN_DATABASE_URL = "postgresql://postgres:postgres@127.0.0.1:5432/postgres"
"""Who creates the services' roles and databases, unless MITRA_ADMIN_DATABASE_URL says otherwise; no service sees it."""


def _service_environment(
    base_env: Mapping[str, str], service: ServicePort, database: Mapping[str, str]
) -> dict[str, str]:
    env = {**base_env, "MITRA_HTTP_PORT": str(service.port), **database}
    env.pop("MITRA_ADMIN_DATABASE_URL", None)
    return env


async def prepare_databases(base_env: Mapping[str, str], prefix: str = "mitra") -> dict[str, dict[str, str]]:
    """Each service's database settings: its own URL (MITRA_<SERVICE>_DATABASE_URL) as given, otherwise the role and
    database `<prefix>_<service>` (and for reporting its runtime role `<prefix>_reporting_app`, see
    `launcher.database_settings`), created or updated now with new random passwords (never a superuser)."""
    admin_dsn = base_env.get("MITRA_ADMIN_DATABASE_URL", ADMIN_DATABASE_URL)
    settings: dict[str, dict[str, str]] = {}
    for service in [CONSOLE, *SERVICES]:
        if given := base_env.get(f"MITRA_{service.name.upper()}_DATABASE_URL"):
            settings[service.name] = {"MITRA_DATABASE_URL": given}
            continue
        name = f"{prefix}_{service.name}"
        owner_url = launcher.with_role(with_database(admin_dsn, name), name, secrets.token_urlsafe(24))
        database = launcher.database_settings(service.name, owner_url)
        try:
            await launcher.create_service_database(admin_dsn, database)
        except (OSError, asyncpg.PostgresError, ValueError) as error:
            raise RuntimeError(f"creating the role and database {name} as the administrator failed: {error}") from error
        settings[service.name] = database
    return settings


def migrate(prefix: str = "mitra") -> int:
    """Create the roles and databases, then apply each service's migrations as its own role."""
    base_env = dict(os.environ)
    try:
        databases = asyncio.run(prepare_databases(base_env, prefix))
    except RuntimeError as error:
        print(f"make migrate failed: {error}", file=sys.stderr, flush=True)
        return 1
    for service in [CONSOLE, *SERVICES]:
        env = _service_environment(base_env, service, databases[service.name])
        command = [sys.executable, "-m", f"mitra_{service.name}", "migrate"]
        if subprocess.run(command, env=env, check=False).returncode != 0:
            return 1
    return 0


async def _stop(processes: list[ManagedProcess]) -> None:
    codes = await asyncio.to_thread(launcher.stop_all, processes, STOP_TIMEOUT)
    for name, code in codes.items():
        if code is None:
            print(f"{name} did not stop within {STOP_TIMEOUT:.0f}s; killed it", flush=True)


async def run(mail_directory: Path, documents_directory: Path) -> int:
    base_env = dict(os.environ)
    base_env.setdefault("MITRA_LOG_FORMAT", "console")
    base_env.setdefault("MITRA_ENVIRONMENT", "local")
    # Locally the deadline engine looks every 30 s (not 5 min), so the demo's overdue obligations show as such at once.
    base_env.setdefault("MITRA_DEADLINE_TICK_SECONDS", "30")
    # The documents (uploads, letters, photos) in a directory of this checkout, each service under its own prefix.
    base_env.setdefault("MITRA_DOCUMENTS_DIR", str(documents_directory))
    # The demo ministry's letterhead on the recommendation letters agreements writes (its published address).
    base_env.setdefault("MITRA_LETTERHEADS", json.dumps({"KEMENSOS": DEMO_LETTERHEAD}))
    services: list[ManagedProcess] = []
    helpers: list[ManagedProcess] = []
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    try:
        if not base_env.get("MITRA_SMTP_HOST"):
            sink_port = int(base_env.get("MITRA_SMTP_SINK_PORT", "1025"))
            sink_command = [
                sys.executable,
                "-m",
                "mitra_devtools.smtp_sink",
                "--port",
                str(sink_port),
                "--directory",
                str(mail_directory),
            ]
            helpers.append(launcher.start_process("smtp-sink", sink_command, base_env, own_session=True))
            base_env.update(
                {"MITRA_SMTP_HOST": "127.0.0.1", "MITRA_SMTP_PORT": str(sink_port), "MITRA_SMTP_SECURITY": "none"}
            )
        databases = await prepare_databases(base_env)
        for service in [CONSOLE, *SERVICES]:
            env = _service_environment(base_env, service, databases[service.name])
            services.append(launcher.start_service(service.name, env, own_session=True))
        try:
            await launcher.wait_all_ready(services, READY_TIMEOUT)
        except NotReady as error:
            raise RuntimeError(str(error)) from None

        token = local_token()
        print("\nLoading the demo data (a line per thing done)...", flush=True)
        try:
            loaded = await asyncio.to_thread(
                demo.load,
                registry_url=SERVICES[0].url,
                agreements_url=SERVICES[1].url,
                notifications_url=SERVICES[2].url,
                reporting_url=SERVICES[3].url,
                mint=demo.local_mint,
                console_url=CONSOLE.url,
                say=lambda line: print(f"  demo: {line}", flush=True),
            )
        except (httpx.HTTPError, LookupError, DemoError) as error:
            detail = error.response.text if isinstance(error, httpx.HTTPStatusError) else ""
            raise RuntimeError(f"loading the demo data failed: {error} {detail}") from error
        _print_banner(token, loaded, mail_directory if helpers else None, base_env["MITRA_DOCUMENTS_DIR"])

        exited = asyncio.create_task(_first_exit([*services, *helpers]))
        stopped = asyncio.create_task(stop.wait())
        orphaned = asyncio.create_task(_parent_gone())
        done, pending = await asyncio.wait({exited, stopped, orphaned}, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        if exited in done:
            print(f"\n{exited.result()} exited unexpectedly; stopping the rest", flush=True)
            return 1
        print("\nstopping...", flush=True)
        return 0
    except RuntimeError as error:
        print(f"\nmake run failed: {error}", file=sys.stderr, flush=True)
        return 1
    finally:
        await _stop(services)
        await _stop(helpers)


async def _parent_gone() -> None:
    """`make` does not pass SIGTERM on to its recipe: when it dies, we are re-parented, and stop too."""
    parent = os.getppid()
    while os.getppid() == parent:
        await asyncio.sleep(1)


async def _first_exit(processes: list[ManagedProcess]) -> str:
    """The name of the first process to exit."""
    while True:
        for process in processes:
            if process.returncode is not None:
                return process.name
        await asyncio.sleep(0.5)


def _print_banner(token: str, loaded: list[str], mail_directory: Path | None, documents_directory: str) -> None:
    lines = ["", "=" * 100, "Mitra is running.", ""]
    for service in [CONSOLE, *SERVICES]:
        lines.append(
            f"  {service.name:<14} API {service.url}   docs {service.url}/docs   AsyncAPI {service.url}/asyncapi"
        )
    summary = f"{len(loaded)} things loaded (listed above)" if loaded else "already loaded, nothing changed"
    lines += ["", f"  Demo data: {summary}", ""]
    if mail_directory is not None:
        lines.append(f"  E-mail goes to a local SMTP sink; each message is a file in {mail_directory.resolve()}")
    lines.append(f"  Documents (uploads, letters, photos) are kept in {documents_directory}")
    lines += [
        "",
        f"  Demo accounts of the console (password `{demo.DEMO_PASSWORD}`, local runs only):",
        *(f"    {line}" for line in _account_lines()),
        "",
        "  Log in as one of them (a token valid 15 minutes):",
        f"    TOKEN=$(curl -s -d username=kemensos -d password={demo.DEMO_PASSWORD} {CONSOLE.url}/auth/token"
        " | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')",
        f'    curl -H "Authorization: Bearer $TOKEN" {SERVICES[1].url}/msps',
        "",
        "  Or a local development token (TPOA, 12 hours; `make token`, `python -m mitra_devtools.token --help`):",
        f"  {token}",
        "",
        "Ctrl-C stops everything.",
        "=" * 100,
        "",
    ]
    print("\n".join(lines), flush=True)


def _account_lines() -> list[str]:
    lines = []
    for account in demo.DEMO_ACCOUNTS:
        scope = next((f"{key} {account[key]}" for key in ("ministry_code", "region_code") if key in account), "")
        if account["role"] == "ngo":
            scope = f"organization_id of {demo.DEMO_NGO}"
        lines.append(f"{account['username']:<10} {account['role']:<9} {scope}")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mail-directory", type=Path, default=Path("var/mail"))
    parser.add_argument("--documents-directory", type=Path, default=Path("var/documents"))
    parser.add_argument("--migrate", action="store_true", help="only create the roles and databases and migrate them")
    args = parser.parse_args(argv)
    sys.exit(migrate() if args.migrate else asyncio.run(run(args.mail_directory, args.documents_directory.resolve())))


if __name__ == "__main__":
    main()
