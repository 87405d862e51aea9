"""The Compose deployment, without a Docker engine.

docker-compose.yml is checked against the Compose Specification's JSON Schema and for how it wires the services.
Then each service is started as compose would start it, from the command and environment written in the compose
file (.env, with test secrets filled in, under its `environment:`; the compose host names pointed at this machine's
PostgreSQL and RabbitMQ): it must become ready in production mode and stop cleanly on SIGTERM. Only what isolates a
test run is changed: the database name and its role's name (created as postgres-roles would create them, with the
password from the compose environment), the broker user and namespace, and the ports (tests/support/compose.py).
The TLS entry point, the image and the configuration through .env: test_compose_tls.py.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import jsonschema
import pytest
from support.compose import (
    BROKER_SECRETS,
    DATABASE_SECRETS,
    DOCUMENT_SERVICES,
    ENV_EXAMPLE,
    SERVICE_SECRETS,
    SERVICES,
    MissingVariable,
    container_environment,
    filled_in,
    interpolate,
    interpolate_text,
    load_compose,
    rabbitmq_account,
    referenced_variables,
    start_as_compose,
)
from support.paths import DATA, REPO
from support.s3 import S3Server, moto_s3_server

from mitra_devtools.launcher import NotReady

pytestmark = pytest.mark.integration

COMPOSE_SCHEMA = DATA / "compose" / "compose-spec.json"
DOCKERFILE = REPO / "Dockerfile"
CONSOLE_ISSUER = {"issuer": "http://console:8000", "jwks_url": "http://console:8000/.well-known/jwks.json"}

START_TIMEOUT = 25.0
STOP_TIMEOUT = 15.0


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load_compose()


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

    assert service["build"]["context"] == "."
    assert service["command"] == ["python", "-m", f"mitra_{name}", "serve"]
    assert service["restart"] == "unless-stopped"
    assert service["env_file"] == ".env", "every setting is settable in .env"
    assert "ports" not in service, "only the TLS entry point is published"

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
    assert interpolate_text(environment["MITRA_ENVIRONMENT"], {}) == "production"
    assert environment["MITRA_HTTP_HOST"] == "0.0.0.0"
    assert environment["MITRA_HTTP_PORT"] == str(port)
    assert "MITRA_JWT_SECRET" not in environment, "shared-secret tokens are for tests and local tools only"
    assert json.loads(environment["MITRA_JWT_ISSUERS"]) == [CONSOLE_ISSUER], "every service trusts the console"
    # Reporting runs as a runtime role that may only add to and read its audit log; its owner role only migrates.
    runtime = "_app" if name == "reporting" else ""
    assert f"${{POSTGRES_{name.upper()}{runtime.upper()}_PASSWORD:?" in environment["MITRA_DATABASE_URL"]
    if runtime:
        assert f"${{POSTGRES_{name.upper()}_PASSWORD:?" in environment["MITRA_MIGRATION_DATABASE_URL"]
    assert environment["POSTGRES_PASSWORD"] == "", "the administrator's password is postgres-roles' only"
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


def test_mail_goes_through_the_server_named_in_env_and_mailpit_only_in_the_demo(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["mailpit"]["profiles"] == ["demo"], "an SMTP sink is no production mail server"
    for name in ("console", "notifications"):
        service = services[name]
        assert "mailpit" not in service["depends_on"], "a dependency on a service of a profile not enabled fails `up`"
        environment = container_environment(service, filled_in())
        assert environment["MITRA_SMTP_HOST"] == "smtp.invalid", "the mail server of .env"
        assert "MITRA_SMTP_USERNAME" not in environment, "an empty username would make notifications try to log in"
        ministry = container_environment(
            service, filled_in(MITRA_SMTP_USERNAME="mitra", MITRA_SMTP_PASSWORD="secret", MITRA_MAIL_DISABLED="true")
        )
        assert (ministry["MITRA_SMTP_USERNAME"], ministry["MITRA_SMTP_PASSWORD"]) == ("mitra", "secret")
        assert ministry["MITRA_MAIL_DISABLED"] == "true"
    example = ENV_EXAMPLE.read_text(encoding="utf-8")
    assert re.search(r"^MITRA_SMTP_HOST=$", example, re.MULTILINE), "the mail server is to be filled in"
    assert re.search(r"^#MITRA_MAIL_DISABLED=", example, re.MULTILINE)


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
    limited = filled_in(MITRA_DOCUMENTS_MAX_BYTES="1048576")
    for name in (*DOCUMENT_SERVICES, "console"):  # the console refuses what the services refuse
        assert container_environment(services[name], limited)["MITRA_DOCUMENTS_MAX_BYTES"] == "1048576"
    console = container_environment(services["console"], variables)
    assert console["MITRA_S3_SECRET_ACCESS_KEY"] == "", "the console keeps no files, and gets no key"
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
    assert "127.0.0.1:15672:15672" in rabbitmq["ports"], "the management UI for this host only"
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
    assert mailpit["ports"] == ["127.0.0.1:8025:8025"], "the sink's UI for this host only"


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
        assert compose["services"][name]["build"]["context"] == "."
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


@pytest.fixture(scope="module")
def account() -> Iterator[tuple[str, str]]:
    with rabbitmq_account() as user_and_password:
        yield user_and_password


@pytest.fixture(scope="module")
def s3_server() -> Iterator[S3Server]:
    with moto_s3_server() as server:
        yield server


@pytest.mark.parametrize("name", SERVICES)
async def test_service_starts_in_production_mode_as_compose_runs_it(
    compose: dict[str, Any], account: tuple[str, str], s3_server: S3Server, name: str, tmp_path: Path
) -> None:
    variables = filled_in()
    service = interpolate(compose["services"][name], variables)
    async with start_as_compose(name, compose, variables, account, s3_server, tmp_path) as composed:
        assert composed.environment["MITRA_ENVIRONMENT"] == "production"
        started = composed.process
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
            sys.executable, *healthcheck[2:], env=composed.process_environment, cwd=tmp_path
        )
        assert await asyncio.wait_for(check.wait(), timeout=10) == 0, "the compose healthcheck fails"

        returncode = await asyncio.to_thread(started.stop, STOP_TIMEOUT)
        log = started.log()[-6000:]
        assert returncode is not None, f"{name} did not stop within {STOP_TIMEOUT}s of SIGTERM:\n{log}"
        assert returncode == 0, f"{name} exited with {returncode} after SIGTERM:\n{log}"
        assert "development defaults in use" not in log
