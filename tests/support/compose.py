"""docker-compose.yml read as compose reads it, and its services started as compose starts them, without Docker.

`interpolate` is a small implementation of Compose's `${VAR:-default}` / `${VAR:?message}` interpolation;
`container_environment` is what a container's process sees: the service's `env_file` (`.env`, here the variables
given), then its `environment:` over it. `filled_in()` is what a filled-in `.env` holds. `start_as_compose` runs one
Mitra service with the command and environment written in the compose file, pointed at this machine's PostgreSQL,
RabbitMQ and a test S3 server; only what isolates a test run is changed (database, broker user and namespace, ports).
`make_certificates` makes the TLS entry point's certificate folder (a test CA, and a certificate from it).

Production refuses RabbitMQ's guest account, so `rabbitmq_account` makes a RabbitMQ user of the test's own with
`rabbitmqctl` (`MITRA_TEST_RABBITMQCTL` replaces the command, e.g. `docker exec ci-rabbitmq rabbitmqctl`).
"""

from __future__ import annotations

import asyncio
import datetime
import os
import re
import secrets
import shlex
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from mitra_devtools import launcher
from mitra_devtools.launcher import ManagedProcess, free_port, unique
from support.broker import AMQP_URL, DEFAULT_RETRY_DELAYS_MS, delete_namespace, new_namespace
from support.database import ADMIN_DSN, drop_database
from support.paths import REPO
from support.s3 import S3Server

COMPOSE_FILE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"

SERVICES = {"console": 8000, "registry": 8001, "agreements": 8002, "notifications": 8003, "reporting": 8004}
# The services that keep documents, in the compose S3 server (SeaweedFS) unless .env names another.
DOCUMENT_SERVICES = ("registry", "agreements", "reporting")
DOCUMENT_STORE_SECRETS = ("MITRA_S3_ACCESS_KEY_ID", "MITRA_S3_SECRET_ACCESS_KEY")
# What compose must refuse to start without (`${VAR:?...}`): each service its own database and broker passwords
# (and the console its key); postgres-roles the administrator's password and every service's database password.
SERVICE_SECRETS = {
    name: (
        f"POSTGRES_{name.upper()}_PASSWORD",
        f"RABBITMQ_{name.upper()}_PASS",
        *(("MITRA_CONSOLE_KEY_ENCRYPTION_KEY",) if name == "console" else ()),
        *(("POSTGRES_REPORTING_APP_PASSWORD",) if name == "reporting" else ()),
        *(DOCUMENT_STORE_SECRETS if name in DOCUMENT_SERVICES else ()),
    )
    for name in SERVICES
}
DATABASE_SECRETS = (
    "POSTGRES_PASSWORD",
    *(f"POSTGRES_{name.upper()}_PASSWORD" for name in SERVICES),
    "POSTGRES_REPORTING_APP_PASSWORD",  # reporting's runtime role
)
BROKER_SECRETS = ("RABBITMQ_ADMIN_PASS", *(f"RABBITMQ_{name.upper()}_PASS" for name in SERVICES))
# Secrets a filled-in .env may hold beside the required ones: a subscriber's broker password, the SMTP login.
OPTIONAL_SECRETS = ("RABBITMQ_SUBSCRIBER_EXAMPLE_PASS", "MITRA_SMTP_PASSWORD")
PUBLIC_HOST = "mitra.example.go.id"
# `.invalid` never resolves: a service started by the tests has a "real" mail server, and no mail leaves.
SMTP_HOST = "smtp.invalid"
RABBITMQCTL = shlex.split(os.environ.get("MITRA_TEST_RABBITMQCTL", "rabbitmqctl"))


# --- Compose interpolation ---------------------------------------------------------------------------------------

_REFERENCE = re.compile(r"\$(?:(?P<escaped>\$)|\{(?P<braced>[^}]*)\}|(?P<named>[A-Za-z_][A-Za-z0-9_]*))")
_BRACED = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<operator>:?[-?+])(?P<argument>.*))?", re.DOTALL)


class MissingVariable(LookupError):
    """A `${VAR:?message}` (or `${VAR?message}`) whose variable is not set: compose refuses to start."""


def interpolate_text(text: str, variables: Mapping[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        if match["named"]:
            return variables.get(match["named"], "")
        braced = _BRACED.fullmatch(match["braced"])
        if braced is None:
            raise ValueError(f"invalid interpolation {match[0]!r}")
        name, operator, argument = braced["name"], braced["operator"], braced["argument"]
        value = variables.get(name)
        if operator is None:
            return value or ""
        missing = not value if operator.startswith(":") else value is None
        if operator.endswith("-"):
            return argument if missing else str(value)
        if operator.endswith("?"):
            if missing:
                raise MissingVariable(f"{name}: {argument}")
            return str(value)
        return "" if missing else argument  # `+`: the argument when set

    return _REFERENCE.sub(replace, text)


def interpolate(node: Any, variables: Mapping[str, str]) -> Any:
    """The compose document (or a part of it) as compose sees it with these variables set."""
    if isinstance(node, str):
        return interpolate_text(node, variables)
    if isinstance(node, list):
        return [interpolate(item, variables) for item in node]
    if isinstance(node, dict):
        return {key: interpolate(value, variables) for key, value in node.items()}
    return node


def container_environment(service: Mapping[str, Any], variables: Mapping[str, str]) -> dict[str, str]:
    """A container's environment: its env_file (`.env`: `variables`), then its interpolated `environment:` over it.
    An entry without a value is passed on only when set."""
    env_files = service.get("env_file") or []
    if isinstance(env_files, str | dict):
        env_files = [env_files]
    paths = [entry if isinstance(entry, str) else entry["path"] for entry in env_files]
    assert set(paths) <= {".env"}, f"an env_file other than .env: {paths}"
    environment = dict(variables) if paths else {}
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        raw = dict(entry.split("=", 1) if "=" in entry else (entry, None) for entry in raw)
    for name, value in raw.items():
        if value is None:
            if name in variables:
                environment[name] = variables[name]
        else:
            environment[name] = interpolate_text(str(value), variables)
    return environment


def referenced_variables(node: Any) -> set[str]:
    """Every variable the compose document (or a part of it) interpolates."""
    if isinstance(node, dict):
        return set().union(*(referenced_variables(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(referenced_variables(item) for item in node))
    if not isinstance(node, str):
        return set()
    names = set()
    for match in _REFERENCE.finditer(node):
        if match["named"]:
            names.add(match["named"])
        elif match["braced"]:
            braced = _BRACED.fullmatch(match["braced"])
            assert braced is not None, f"invalid interpolation {match[0]!r}"
            names.add(braced["name"])
    return names


def filled_in(**overrides: str) -> dict[str, str]:
    """What a filled-in `.env` holds: made-up secrets, the public host name, a mail server."""
    variables = {
        **{secret: secrets.token_urlsafe(24) for secret in DATABASE_SECRETS},
        **{secret: secrets.token_urlsafe(24) for secret in BROKER_SECRETS},
        "MITRA_CONSOLE_KEY_ENCRYPTION_KEY": secrets.token_urlsafe(48),
        **{secret: secrets.token_urlsafe(24) for secret in DOCUMENT_STORE_SECRETS},
        "MITRA_PUBLIC_HOST": PUBLIC_HOST,
        "MITRA_SMTP_HOST": SMTP_HOST,
    }
    variables.update(overrides)
    return variables


def load_compose() -> dict[str, Any]:
    """docker-compose.yml as YAML (anchors and `<<` merges resolved), not yet interpolated."""
    document = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def relocate(url: str, compose_host: str, target: str, *, path: str) -> str:
    """`url` with its credentials, pointed at the host and port of `target` instead of the compose host name."""
    parts = urlsplit(url)
    assert parts.hostname == compose_host, url
    credentials = parts.netloc.rpartition("@")[0]
    address = urlsplit(target).netloc.rpartition("@")[2]
    netloc = f"{credentials}@{address}" if credentials else address
    return urlunsplit(parts._replace(netloc=netloc, path=path))


# --- running a service as compose runs it ------------------------------------------------------------------------


def _rabbitmqctl(*arguments: str) -> None:
    result = subprocess.run([*RABBITMQCTL, *arguments], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, f"rabbitmqctl {arguments[0]} failed: {result.stdout}{result.stderr}"


@contextmanager
def rabbitmq_account() -> Iterator[tuple[str, str]]:
    """A RabbitMQ user of the test's own (production refuses `guest`), standing in for compose's `mitra-<service>`."""
    user = unique("mitra-compose")
    password = "p" + secrets.token_urlsafe(24)  # never "-...": rabbitmqctl would read it as an option
    vhost = unquote(urlsplit(AMQP_URL).path[1:]) or "/"
    _rabbitmqctl("add_user", user, password)
    try:
        _rabbitmqctl("set_permissions", "-p", vhost, user, ".*", ".*", ".*")
        yield user, password
    finally:
        _rabbitmqctl("delete_user", user)


@dataclass
class ComposedService:
    process: ManagedProcess
    environment: dict[str, str]
    """The process's own `MITRA_*` settings: the compose container's, relocated to this machine."""
    process_environment: dict[str, str]


@asynccontextmanager
async def start_as_compose(
    name: str,
    compose: Mapping[str, Any],
    variables: Mapping[str, str],
    account: tuple[str, str],
    s3_server: S3Server,
    workdir: Path,
) -> AsyncIterator[ComposedService]:
    """Start service `name` with compose's command and container environment; stop it and drop its data after."""
    environment = container_environment(compose["services"][name], variables)
    # The compose host names, pointed at this machine; then only what keeps this run apart from any other: a role
    # and database of the run's own name (with compose's password), made as postgres-roles makes `mitra_<service>`.
    database = unique(f"mitra_{name}")
    namespace = new_namespace("compose")
    # Reporting migrates as its owner role and runs as its runtime role `mitra_reporting_app`; the others are one role.
    roles = {"MITRA_DATABASE_URL": database}
    if "MITRA_MIGRATION_DATABASE_URL" in environment:
        roles = {"MITRA_MIGRATION_DATABASE_URL": database, "MITRA_DATABASE_URL": launcher.runtime_role(database)}
    for variable, role in roles.items():
        compose_database = urlsplit(environment[variable])
        assert compose_database.username == f"mitra_{name}" + role.removeprefix(database)
        assert compose_database.password
        environment[variable] = launcher.with_role(
            relocate(environment[variable], "postgres", ADMIN_DSN, path=f"/{database}"), role, compose_database.password
        )
    await launcher.create_service_database(ADMIN_DSN, environment)
    vhost_path = urlsplit(AMQP_URL).path  # the vhost the test account has its permissions on
    amqp_url = relocate(environment["MITRA_AMQP_URL"], "rabbitmq", AMQP_URL, path=vhost_path)
    # The test's own account rather than compose's `mitra-<service>` (test_broker_identities.py tries those).
    user, password = account
    netloc = urlsplit(amqp_url).netloc.rpartition("@")[2]
    environment["MITRA_AMQP_URL"] = urlunsplit(urlsplit(amqp_url)._replace(netloc=f"{user}:{password}@{netloc}"))
    environment["MITRA_AMQP_NAMESPACE"] = namespace
    environment["MITRA_HTTP_PORT"] = str(free_port())
    environment["MITRA_METRICS_PORT"] = str(free_port())
    if "MITRA_S3_ENDPOINT_URL" in environment:
        # Compose's SeaweedFS, stood in for by the tests' S3 API server (it takes compose's keys as given).
        environment["MITRA_S3_ENDPOINT_URL"] = relocate(
            environment["MITRA_S3_ENDPOINT_URL"], "seaweedfs", s3_server.endpoint_url, path=""
        )
        environment["MITRA_S3_BUCKET"] = s3_server.new_bucket()

    # The container's environment is the compose one; none of the MITRA_* variables of whoever runs the tests.
    process_environment = launcher.environment_without_mitra_settings()
    process_environment.update(environment)
    command = interpolate(compose["services"][name]["command"], variables)
    assert command[0] == "python"
    started = launcher.start_service(
        name,
        process_environment,
        command=[sys.executable, *command[1:]],
        cwd=workdir,  # no stray .env in the working directory, as in the image
        log_path=workdir / f"{name}.log",
    )
    try:
        yield ComposedService(started, environment, process_environment)
    finally:
        await asyncio.to_thread(started.stop, 1)
        await drop_database(environment["MITRA_DATABASE_URL"])
        await delete_namespace(namespace, SERVICES, DEFAULT_RETRY_DELAYS_MS)


# --- the TLS entry point's certificates ------------------------------------------------------------------------


def make_certificates(folder: Path, host: str) -> Path:
    """A CA of the test's own (ca.pem), and from it cert.pem and key.pem for `host` and `*.host`: the folder
    deploy/caddy/certs/README.md describes."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Mitra test CA")])
    ca = (
        x509.CertificateBuilder(subject_name=ca_name, issuer_name=ca_name, public_key=ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder(
            subject_name=x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]),
            issuer_name=ca_name,
            public_key=key.public_key(),
        )
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host), x509.DNSName(f"*.{host}")]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    folder.mkdir()
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (folder / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return folder
