"""The Compose deployment, without a Docker engine.

docker-compose.yml is checked against the Compose Specification's JSON Schema and for how it wires the services.
Then each service is started as compose would start it, from the command and environment written in the compose
file (with test secrets filled in, and the compose host names pointed at this machine's PostgreSQL and RabbitMQ):
it must become ready in production mode and stop cleanly on SIGTERM. Only what isolates a test run is changed: the
database name and its role's name (created as postgres-roles would create them, with the password from the compose
environment), the broker namespace, the HTTP port and the SMTP port.

Production refuses RabbitMQ's guest account, so the test creates a RabbitMQ user of its own with `rabbitmqctl`
(`MITRA_TEST_RABBITMQCTL` replaces the command, e.g. `docker exec ci-rabbitmq rabbitmqctl`).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import shlex
import subprocess
import sys
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx
import jsonschema
import pytest
import yaml
from support.broker import AMQP_URL, DEFAULT_RETRY_DELAYS_MS, delete_namespace, new_namespace
from support.database import ADMIN_DSN, drop_database
from support.paths import DATA, REPO
from support.s3 import S3Server, moto_s3_server

from mitra_devtools import launcher
from mitra_devtools.launcher import NotReady, free_port, unique

pytestmark = pytest.mark.integration

COMPOSE_FILE = REPO / "docker-compose.yml"
COMPOSE_SCHEMA = DATA / "compose" / "compose-spec.json"
DOCKERFILE = REPO / "Dockerfile"
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
CONSOLE_ISSUER = {"issuer": "http://console:8000", "jwks_url": "http://console:8000/.well-known/jwks.json"}
RABBITMQCTL = shlex.split(os.environ.get("MITRA_TEST_RABBITMQCTL", "rabbitmqctl"))

START_TIMEOUT = 25.0
STOP_TIMEOUT = 15.0


# --- a small implementation of Compose interpolation ------------------------------------------------------------

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
    """A service's environment after interpolation; an entry without a value is passed on only when set."""
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        raw = dict(entry.split("=", 1) if "=" in entry else (entry, None) for entry in raw)
    environment = {}
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
    """What a filled-in `.env` holds: made-up secrets, nothing else."""
    variables = {
        **{secret: secrets.token_urlsafe(24) for secret in DATABASE_SECRETS},
        **{secret: secrets.token_urlsafe(24) for secret in BROKER_SECRETS},
        "MITRA_CONSOLE_KEY_ENCRYPTION_KEY": secrets.token_urlsafe(48),
        **{secret: secrets.token_urlsafe(24) for secret in DOCUMENT_STORE_SECRETS},
    }
    variables.update(overrides)
    return variables


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """docker-compose.yml as YAML (anchors and `<<` merges resolved), not yet interpolated."""
    document = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


# --- (a) the file is valid Compose ----------------------------------------------------------------------------


def test_compose_file_is_valid_against_the_compose_specification(compose: dict[str, Any]) -> None:
    schema = json.loads(COMPOSE_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    for label, document in (("as written", compose), ("interpolated", interpolate(compose, filled_in()))):
        errors = sorted(validator.iter_errors(document), key=lambda error: list(error.absolute_path))
        assert not errors, f"docker-compose.yml ({label}) breaks the Compose schema:\n" + "\n".join(
            f"  {'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}" for error in errors
        )


# --- (b) how the services are wired -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", SERVICES)
def test_service_is_wired_as_the_contract_says(compose: dict[str, Any], name: str) -> None:
    port = SERVICES[name]
    service = compose["services"][name]

    build = service["build"]
    assert (build if isinstance(build, str) else build["context"]) == "."
    assert service["command"] == ["python", "-m", f"mitra_{name}", "serve"]
    assert service["restart"] == "unless-stopped"
    assert f"{port}:{port}" in [str(mapping) for mapping in service["ports"]]

    depends_on = service["depends_on"]
    for backing in ("postgres", "rabbitmq"):
        assert depends_on[backing]["condition"] == "service_healthy", f"{name} must wait for a healthy {backing}"
    assert depends_on["postgres-roles"]["condition"] == "service_completed_successfully", "its role must exist first"

    healthcheck = service["healthcheck"]
    assert not healthcheck.get("disable", False)
    assert healthcheck["test"][0] == "CMD"
    assert healthcheck["test"][1] == "python", "the slim image has no curl: the check uses Python's urllib"
    assert "/health/ready" in " ".join(healthcheck["test"])

    environment = service["environment"]
    assert environment["MITRA_ENVIRONMENT"] == "production"
    assert environment["MITRA_HTTP_HOST"] == "0.0.0.0"
    assert environment["MITRA_HTTP_PORT"] == str(port)
    assert "MITRA_JWT_SECRET" not in environment, "shared-secret tokens are for tests and local tools only"
    assert json.loads(environment["MITRA_JWT_ISSUERS"]) == [CONSOLE_ISSUER], "every service trusts the console"
    # Reporting runs as a runtime role that may only add to and read its audit log; its owner role only migrates.
    runtime = "_app" if name == "reporting" else ""
    assert f"${{POSTGRES_{name.upper()}{runtime.upper()}_PASSWORD:?" in environment["MITRA_DATABASE_URL"]
    if runtime:
        assert f"${{POSTGRES_{name.upper()}_PASSWORD:?" in environment["MITRA_MIGRATION_DATABASE_URL"]
    assert "POSTGRES_PASSWORD" not in json.dumps(environment), "the administrator's password is postgres-roles' only"
    assert f"${{RABBITMQ_{name.upper()}_PASS:?" in environment["MITRA_AMQP_URL"]
    assert json.loads(environment["MITRA_AMQP_PUBLISHERS"]) == {other: f"mitra-{other}" for other in SERVICES}

    resolved = container_environment(service, filled_in())
    database = urlsplit(resolved["MITRA_DATABASE_URL"])
    assert (database.scheme, database.hostname, database.port) == ("postgresql", "postgres", 5432)
    assert database.path == f"/mitra_{name}", "each service has a database of its own"
    assert database.username == f"mitra_{name}{runtime}", "and logs in as its own role (deploy/postgres/roles.sh)"
    amqp = urlsplit(resolved["MITRA_AMQP_URL"])
    # Its own broker user, whose topic permissions let it publish only its own routing keys.
    assert (amqp.scheme, amqp.hostname, amqp.port, amqp.username) == ("amqp", "rabbitmq", 5672, f"mitra-{name}")

    for secret in SERVICE_SECRETS[name]:
        unset = filled_in()
        del unset[secret]
        for variables in (unset, filled_in(**{secret: ""})):
            with pytest.raises(MissingVariable, match=secret):
                container_environment(service, variables)


def test_notifications_has_an_smtp_server_out_of_the_box(compose: dict[str, Any]) -> None:
    service = compose["services"]["notifications"]
    assert service["depends_on"]["mailpit"]["condition"] == "service_started"
    environment = container_environment(service, filled_in())
    assert environment["MITRA_SMTP_HOST"] == "mailpit"
    assert environment["MITRA_SMTP_PORT"] == "1025"
    assert environment["MITRA_SMTP_SECURITY"] == "none"
    assert "MITRA_SMTP_USERNAME" not in environment, "an empty username would make notifications try to log in"
    ministry = container_environment(
        service, filled_in(MITRA_SMTP_HOST="smtp.example.org", MITRA_SMTP_USERNAME="mitra")
    )
    assert (ministry["MITRA_SMTP_HOST"], ministry["MITRA_SMTP_USERNAME"]) == ("smtp.example.org", "mitra")


def test_document_services_keep_their_files_in_the_compose_s3_server(compose: dict[str, Any]) -> None:
    services = compose["services"]
    variables = filled_in()
    seaweedfs = services["seaweedfs"]
    assert seaweedfs["image"].startswith("chrislusf/seaweedfs:")
    assert "ports" not in seaweedfs, "the object store is reached only inside the compose network"
    assert "/healthz" in " ".join(seaweedfs["healthcheck"]["test"])
    assert any(str(volume).startswith("documents-data:") for volume in seaweedfs["volumes"])
    [config] = seaweedfs["configs"]
    assert f"-s3.config={config['target']}" in seaweedfs["command"]
    identities = json.loads(interpolate_text(compose["configs"][config["source"]]["content"], variables))
    [identity] = identities["identities"]
    assert identity["credentials"] == [
        {"accessKey": variables["MITRA_S3_ACCESS_KEY_ID"], "secretKey": variables["MITRA_S3_SECRET_ACCESS_KEY"]}
    ]
    for name in DOCUMENT_SERVICES:
        service = services[name]
        assert service["depends_on"]["seaweedfs"]["condition"] == "service_healthy"
        environment = container_environment(service, variables)
        assert environment["MITRA_DOCUMENTS_STORE"] == "s3"
        assert environment["MITRA_S3_ENDPOINT_URL"] == "http://seaweedfs:8333"
        assert environment["MITRA_S3_ACCESS_KEY_ID"] == variables["MITRA_S3_ACCESS_KEY_ID"]
        assert environment["MITRA_S3_SECRET_ACCESS_KEY"] == variables["MITRA_S3_SECRET_ACCESS_KEY"]
        assert environment["MITRA_DOCUMENTS_MAX_BYTES"] == "26214400"
    console = container_environment(services["console"], variables)
    assert console["MITRA_DOCUMENTS_MAX_BYTES"] == "26214400", "the console refuses what the services refuse"
    assert "MITRA_S3_SECRET_ACCESS_KEY" not in console, "the console keeps no files"
    ministry = container_environment(
        services["agreements"], filled_in(MITRA_S3_ENDPOINT_URL="https://s3.example.go.id", MITRA_S3_BUCKET="kl")
    )
    assert (ministry["MITRA_S3_ENDPOINT_URL"], ministry["MITRA_S3_BUCKET"]) == ("https://s3.example.go.id", "kl")


def test_backing_services(compose: dict[str, Any]) -> None:
    services = compose["services"]
    named_volumes = set(compose["volumes"])

    def volume_sources(service: Mapping[str, Any]) -> set[str]:
        return {str(volume).split(":", 1)[0] for volume in service.get("volumes", [])}

    postgres = services["postgres"]
    assert postgres["image"] == "postgres:17"
    assert "pg_isready" in postgres["healthcheck"]["test"]
    assert re.fullmatch(r"\$\{POSTGRES_PASSWORD:\?[^}]+\}", postgres["environment"]["POSTGRES_PASSWORD"])
    assert volume_sources(postgres) & named_volumes
    # The services' roles and databases are made before they start, on every `up`, with the passwords from .env.
    roles = services["postgres-roles"]
    assert roles["image"] == postgres["image"], "psql of the server's own version"
    assert roles["restart"] == "no"
    assert roles["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert roles["command"] == ["bash", "/deploy/roles.sh"]
    assert "./deploy/postgres:/deploy:ro" in roles["volumes"]
    assert (REPO / "deploy" / "postgres" / "roles.sh").is_file()
    assert (roles["environment"]["PGHOST"], roles["environment"]["PGUSER"]) == ("postgres", "postgres")
    assert re.fullmatch(r"\$\{POSTGRES_PASSWORD:\?[^}]+\}", roles["environment"]["PGPASSWORD"])
    for secret in DATABASE_SECRETS[1:]:
        assert f"${{{secret}:?" in roles["environment"][secret]

    rabbitmq = services["rabbitmq"]
    assert re.fullmatch(r"rabbitmq:4\.\d+(\.\d+)?-management", rabbitmq["image"])
    assert "rabbitmq-diagnostics" in rabbitmq["healthcheck"]["test"]
    assert any(str(port).endswith("15672:15672") for port in rabbitmq["ports"])
    assert "RABBITMQ_DEFAULT_PASS" not in (rabbitmq.get("environment") or {}), "no default user: definitions"
    assert volume_sources(rabbitmq) & named_volumes
    # The definitions, with the passwords from .env, are written before the broker starts and imported at boot.
    definitions = services["rabbitmq-definitions"]
    assert rabbitmq["depends_on"]["rabbitmq-definitions"]["condition"] == "service_completed_successfully"
    assert "./deploy/rabbitmq/rabbitmq.conf:/etc/rabbitmq/conf.d/20-mitra.conf:ro" in rabbitmq["volumes"]
    conf = (REPO / "deploy" / "rabbitmq" / "rabbitmq.conf").read_text(encoding="utf-8")
    [loaded] = re.findall(r"^load_definitions\s*=\s*(\S+)$", conf, re.MULTILINE)
    shared = volume_sources(rabbitmq) & volume_sources(definitions) & named_volumes
    assert len(shared) == 1
    assert f"{shared.pop()}:{Path(loaded).parent}:ro" in rabbitmq["volumes"]
    assert definitions["command"][-2:] == ["/deploy/definitions.json", f"/definitions/{Path(loaded).name}"]
    for secret in BROKER_SECRETS:
        assert f"${{{secret}:?" in definitions["environment"][secret]

    mailpit = services["mailpit"]
    assert mailpit["image"].startswith("axllent/mailpit")
    assert any(str(port).endswith("8025:8025") for port in mailpit["ports"])


def test_env_example_names_every_variable_compose_reads(compose: dict[str, Any]) -> None:
    # Variables passed on without a value (`MITRA_SMTP_USERNAME:`) come from .env too.
    passed_on = {
        name
        for service in compose["services"].values()
        for name, value in (service.get("environment") or {}).items()
        if value is None
    }
    example = ENV_EXAMPLE.read_text(encoding="utf-8")
    listed = dict(re.findall(r"^#?([A-Z][A-Z0-9_]*)=(.*)$", example, re.MULTILINE))
    missing = (referenced_variables(compose) | passed_on) - set(listed)
    assert not missing, f".env.example does not mention {sorted(missing)}"
    for secret in {*DATABASE_SECRETS, *(secret for listed in SERVICE_SECRETS.values() for secret in listed)}:
        assert re.search(rf"^{secret}=$", example, re.MULTILINE), f"{secret} must be listed, uncommented and empty"


def test_dockerfile_installs_every_service_as_a_non_root_user(compose: dict[str, Any]) -> None:
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim$", dockerfile, re.MULTILINE)
    assert "PYTHONUNBUFFERED=1" in dockerfile
    assert not re.search(r"\s(-e|--editable)\s", dockerfile), "the packages are installed non-editable"
    assert re.search(r"^\s+\./shared\b", dockerfile, re.MULTILINE)
    for name in SERVICES:
        assert compose["services"][name]["build"] in (".", {"context": "."})
        assert re.search(rf"^\s+\./services/{name}\b", dockerfile, re.MULTILINE), f"{name} is not installed"
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.MULTILINE)
    assert users, "the image must not run as root"
    assert users[-1].split(":")[0] not in ("root", "0")
    dockerignore = (REPO / ".dockerignore").read_text(encoding="utf-8")
    assert ".env" in dockerignore


@pytest.mark.parametrize("project", ["shared", *(f"services/{name}" for name in SERVICES)])
def test_packages_installed_into_the_image_carry_their_data_files(project: str) -> None:
    """The image installs non-editable: a file that `package-data` does not name (a migration) is missing there."""
    root = REPO / project
    package_data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"].get(
        "package-data", {}
    )
    missing = []
    for package in sorted(init.parent for init in root.glob("mitra_*/__init__.py")):
        data = {
            path
            for path in package.rglob("*")
            if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
        }
        packaged = {path for pattern in package_data.get(package.name, []) for path in package.glob(pattern)}
        missing += [str(path.relative_to(root)) for path in sorted(data - packaged)]
    assert not missing, f"not in the package-data of {project}/pyproject.toml, so not in the image: {missing}"


# --- (c) each service starts as compose starts it, in production mode ----------------------------------------------


def _rabbitmqctl(*arguments: str) -> None:
    result = subprocess.run([*RABBITMQCTL, *arguments], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, f"rabbitmqctl {arguments[0]} failed: {result.stdout}{result.stderr}"


@pytest.fixture(scope="module")
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


@pytest.fixture(scope="module")
def s3_server() -> Iterator[S3Server]:
    with moto_s3_server() as server:
        yield server


def relocate(url: str, compose_host: str, target: str, *, path: str) -> str:
    """`url` with its credentials, pointed at the host and port of `target` instead of the compose host name."""
    parts = urlsplit(url)
    assert parts.hostname == compose_host, url
    credentials = parts.netloc.rpartition("@")[0]
    address = urlsplit(target).netloc.rpartition("@")[2]
    netloc = f"{credentials}@{address}" if credentials else address
    return urlunsplit(parts._replace(netloc=netloc, path=path))


@pytest.mark.parametrize("name", SERVICES)
async def test_service_starts_in_production_mode_as_compose_runs_it(
    compose: dict[str, Any], rabbitmq_account: tuple[str, str], s3_server: S3Server, name: str, tmp_path: Path
) -> None:
    user, password = rabbitmq_account
    variables = filled_in()
    service = interpolate(compose["services"][name], variables)
    environment = container_environment(compose["services"][name], variables)
    assert environment["MITRA_ENVIRONMENT"] == "production"

    # The compose host names, pointed at this machine; then only what keeps this run apart from any other: a role
    # and database of the run's own name (with compose's password), made as postgres-roles makes `mitra_<service>`.
    database = unique(f"mitra_{name}")
    namespace = new_namespace("compose")
    port = free_port()
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
    netloc = urlsplit(amqp_url).netloc.rpartition("@")[2]
    environment["MITRA_AMQP_URL"] = urlunsplit(urlsplit(amqp_url)._replace(netloc=f"{user}:{password}@{netloc}"))
    environment["MITRA_AMQP_NAMESPACE"] = namespace
    environment["MITRA_HTTP_PORT"] = str(port)
    if "MITRA_S3_ENDPOINT_URL" in environment:
        # Compose's SeaweedFS, stood in for by the tests' S3 API server (it takes compose's keys as given).
        environment["MITRA_S3_ENDPOINT_URL"] = relocate(
            environment["MITRA_S3_ENDPOINT_URL"], "seaweedfs", s3_server.endpoint_url, path=""
        )
        environment["MITRA_S3_BUCKET"] = s3_server.new_bucket()
    if "MITRA_SMTP_HOST" in environment:
        assert environment["MITRA_SMTP_HOST"] == "mailpit"
        environment["MITRA_SMTP_HOST"] = "127.0.0.1"
        environment["MITRA_SMTP_PORT"] = str(free_port())  # nothing listens there: no mail leaves the test

    # The container's environment is the compose one; none of the MITRA_* variables of whoever runs the tests.
    process_environment = launcher.environment_without_mitra_settings()
    process_environment.update(environment)
    command = service["command"]
    assert command[0] == "python"

    started = launcher.start_service(
        name,
        process_environment,
        command=[sys.executable, *command[1:]],
        cwd=tmp_path,  # no stray .env in the working directory, as in the image
        log_path=tmp_path / f"{name}.log",
    )
    try:
        try:
            await started.wait_ready(timeout=START_TIMEOUT)
        except NotReady as error:
            pytest.fail(str(error))
        async with httpx.AsyncClient(base_url=started.url, timeout=3.0) as client:
            assert (await client.get("/health/live")).status_code == 200

        # The compose healthcheck itself, run as the container would run it.
        healthcheck = service["healthcheck"]["test"]
        assert healthcheck[:2] == ["CMD", "python"]
        check = await asyncio.create_subprocess_exec(
            sys.executable, *healthcheck[2:], env=process_environment, cwd=tmp_path
        )
        assert await asyncio.wait_for(check.wait(), timeout=10) == 0, "the compose healthcheck fails"

        returncode = await asyncio.to_thread(started.stop, STOP_TIMEOUT)
        log = started.log()[-6000:]
        assert returncode is not None, f"{name} did not stop within {STOP_TIMEOUT}s of SIGTERM:\n{log}"
        assert returncode == 0, f"{name} exited with {returncode} after SIGTERM:\n{log}"
        assert "development defaults in use" not in log
    finally:
        await asyncio.to_thread(started.stop, 1)
        await drop_database(environment["MITRA_DATABASE_URL"])
        await delete_namespace(namespace, SERVICES, DEFAULT_RETRY_DELAYS_MS)
