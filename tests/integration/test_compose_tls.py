"""The compose deployment as a ministry's IT runs it: one TLS entry point, AMQPS, the image, configuration in .env.

Caddy (Debian's `caddy` package) runs the repository's Caddyfile as compose configures it, with a test CA and
certificate made here and its ports remapped to free ones, in front of the console and registry, which run as
compose runs them (tests/support/compose.py). The console's login page is reached over HTTPS only, an API through
its host name, and `/metrics` is refused. Beside that, what the compose file publishes, restarts and hands each
container, and how the image is built, read from the files.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import json
import re
import shutil
import ssl
import subprocess
import tomllib
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from support.compose import (
    ENV_EXAMPLE,
    OPTIONAL_SECRETS,
    SERVICE_SECRETS,
    SERVICES,
    container_environment,
    filled_in,
    interpolate,
    load_compose,
    make_certificates,
    rabbitmq_account,
    start_as_compose,
)
from support.paths import REPO
from support.polling import eventually
from support.s3 import S3Server, moto_s3_server

from mitra_agreements.settings import AgreementsSettings
from mitra_console.settings import ConsoleSettings
from mitra_devtools.launcher import ManagedProcess, free_port, start_process
from mitra_notifications.settings import NotificationsSettings
from mitra_registry.settings import RegistrySettings
from mitra_reporting.settings import ReportingSettings

pytestmark = pytest.mark.integration

CADDY_INSTALL = "apt-get install -y caddy"
CADDY = shutil.which("caddy") or shutil.which("caddy", path="/usr/bin:/usr/sbin")
HOST = "mitra.test"
ONE_SHOT = ("postgres-roles", "rabbitmq-definitions")
SETTINGS = (ConsoleSettings, RegistrySettings, AgreementsSettings, NotificationsSettings, ReportingSettings)
COMPOSE_SET = "# --- Set by docker-compose.yml for each service"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load_compose()


def caddy() -> str:
    if CADDY is None:
        pytest.fail(f"Debian's caddy is needed for the TLS entry point's tests: {CADDY_INSTALL}")
    return CADDY


def volume_source(service: Mapping[str, Any], target: str) -> str:
    """What the service mounts at `target` (a `${VAR:-default}` source has colons of its own)."""
    mounts = [str(volume) for volume in service["volumes"]]
    split = [mount.rsplit(":", 2 if re.search(r":(ro|rw)$", mount) else 1)[:2] for mount in mounts]
    [source] = [source for source, mounted_at in split if mounted_at == target]
    return source


# --- what is published, restarted, configured ---------------------------------------------------------------------


def test_only_the_entry_point_and_amqps_are_published(compose: dict[str, Any]) -> None:
    published: dict[str, set[str]] = {}
    for name, service in interpolate(compose["services"], filled_in()).items():
        assert service.get("network_mode") != "host", f"{name} would publish every port it opens"
        for mapping in service.get("ports", []):
            *host, container = str(mapping).split(":")
            if host[:1] == ["127.0.0.1"]:
                continue  # this host only (the RabbitMQ and Mailpit UIs, through an SSH tunnel)
            published.setdefault(name, set()).add(container)
    amqps = {"5671"}  # each RabbitMQ node's AMQPS (the cluster profile's two more nodes too), for subscribers
    expected = {"caddy": {"80", "443"}, "rabbitmq": amqps, "rabbitmq-2": amqps, "rabbitmq-3": amqps}
    assert published == expected, "published beside HTTPS and AMQPS"


def test_every_container_is_restarted_and_the_unhealthy_ones_healed(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name, service in services.items():
        assert service["restart"] == ("no" if name in ONE_SHOT else "unless-stopped"), name
        if "healthcheck" in service:
            assert service["labels"]["autoheal"] == "true", f"nobody restarts {name} when it turns unhealthy"
    autoheal = services["autoheal"]
    assert autoheal["image"].startswith("willfarrell/autoheal:")
    assert autoheal["environment"]["AUTOHEAL_CONTAINER_LABEL"] == "autoheal"
    assert "/var/run/docker.sock:/var/run/docker.sock" in autoheal["volumes"]
    assert set(SERVICES) | {"caddy", "postgres", "rabbitmq", "seaweedfs"} <= {
        name for name, service in services.items() if "healthcheck" in service
    }


def test_caddy_is_the_entry_point_as_the_caddyfile_expects(compose: dict[str, Any]) -> None:
    caddy_service = compose["services"]["caddy"]
    assert caddy_service["image"].startswith("caddy:2")
    command = caddy_service["command"]
    assert command[:2] == ["caddy", "run"]
    config = command[command.index("--config") + 1]
    assert (REPO / volume_source(caddy_service, config)).resolve() == REPO / "deploy" / "caddy" / "Caddyfile"
    caddyfile = (REPO / "deploy" / "caddy" / "Caddyfile").read_text(encoding="utf-8")
    assert "{$CADDY_CERTS_DIR:/certs}/cert.pem" in caddyfile
    assert volume_source(caddy_service, "/certs") == "${MITRA_TLS_DIR:-./deploy/caddy/certs}"
    assert "{$CADDY_ADMIN:localhost:2019}" in caddyfile, "the healthcheck asks the admin endpoint"
    assert "http://localhost:2019/config/" in caddy_service["healthcheck"]["test"]
    environment = container_environment(caddy_service, filled_in())
    assert "env_file" not in caddy_service, "the entry point gets no secret"
    assert environment == {
        "MITRA_PUBLIC_HOST": "mitra.example.go.id",
        "MITRA_TLS_MODE": "files",
        "MITRA_ACME_EMAIL": "",
    }
    assert not any(name.startswith("CADDY_") for name in caddy_service["environment"]), "CADDY_* are the tests'"


def caddy_adapt(environment: Mapping[str, str]) -> dict[str, Any]:
    result = subprocess.run(
        [caddy(), "adapt", "--config", str(REPO / "deploy" / "caddy" / "Caddyfile"), "--adapter", "caddyfile"],
        env={"PATH": "/usr/bin:/bin", **environment},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_caddyfile_routes_each_host_to_its_service_and_refuses_metrics(compose: dict[str, Any]) -> None:
    environment = container_environment(compose["services"]["caddy"], filled_in())
    config = caddy_adapt(environment)
    [server] = config["apps"]["http"]["servers"].values()
    assert server["listen"] == [":443"]
    assert server["protocols"] == ["h1", "h2"]
    upstreams = {}
    for route in server["routes"]:
        [host] = route["match"][0]["host"]
        handlers = route["handle"][0]["routes"]
        [blocked] = [index for index, sub in enumerate(handlers) if "match" in sub]
        assert handlers[blocked]["match"] == [{"path": ["/metrics", "/metrics/*"]}]
        assert handlers[blocked]["handle"] == [{"handler": "static_response", "status_code": 404}]
        [proxy] = [index for index, sub in enumerate(handlers) if sub["handle"][0]["handler"] == "reverse_proxy"]
        assert blocked < proxy, "/metrics is refused before anything is proxied"
        [upstream] = handlers[proxy]["handle"][0]["upstreams"]
        upstreams[host] = upstream["dial"]
    expected = {
        ("mitra.example.go.id" if name == "console" else f"{name}.mitra.example.go.id"): f"{name}:{port}"
        for name, port in SERVICES.items()
    }
    assert upstreams == expected
    for name, port in SERVICES.items():  # the upstreams are the compose services, on their ports
        assert compose["services"][name]["environment"]["MITRA_HTTP_PORT"] == str(port)
    [certificate] = config["apps"]["tls"]["certificates"]["load_files"]
    assert (certificate["certificate"], certificate["key"]) == ("/certs/cert.pem", "/certs/key.pem")

    acme = caddy_adapt({**environment, "MITRA_TLS_MODE": "acme", "MITRA_ACME_EMAIL": "it@example.go.id"})
    [policy] = acme["apps"]["tls"]["automation"]["policies"]
    assert set(policy["subjects"]) == set(expected)
    assert {"module": "acme", "email": "it@example.go.id"} in policy["issuers"]
    assert "certificates" not in acme["apps"]["tls"]


def test_subscribers_reach_the_broker_over_amqps_only(compose: dict[str, Any]) -> None:
    rabbitmq = compose["services"]["rabbitmq"]
    conf = dict(re.findall(r"^([a-z_.0-9]+)\s*=\s*(\S+)$", (REPO / "deploy/rabbitmq/rabbitmq.conf").read_text(), re.M))
    assert conf["listeners.ssl.default"] == "5671"
    certs = volume_source(rabbitmq, "/etc/rabbitmq/certs")
    assert certs == volume_source(compose["services"]["caddy"], "/certs"), "one certificate folder for both"
    for option, file in (("cacertfile", "ca.pem"), ("certfile", "cert.pem"), ("keyfile", "key.pem")):
        assert conf[f"ssl_options.{option}"] == f"/etc/rabbitmq/certs/{file}"
    assert not any(str(port).endswith(":5672") for port in rabbitmq["ports"]), "plain AMQP stays inside"
    definitions = json.loads((REPO / "deploy/rabbitmq/definitions.json").read_text())
    [permission] = [entry for entry in definitions["permissions"] if entry["user"] == "mitra-subscriber-example"]
    assert permission["configure"] == r"^subscriber\.example\..+$", "a subscriber declares only queues of its own"
    [topics] = [entry for entry in definitions["topic_permissions"] if entry["user"] == "mitra-subscriber-example"]
    assert topics["write"] == "^$", "and publishes nothing"


def compose_set_settings(compose: Mapping[str, Any]) -> set[str]:
    """The MITRA_* settings compose computes per service (not the ones it passes on from .env as `${SAME:...}`)."""
    return {
        name
        for service in SERVICES
        for name, value in compose["services"][service]["environment"].items()
        # neither passed on from .env as `${SAME...}` nor withheld (set empty: another service's secret)
        if name.startswith("MITRA_") and value != "" and not str(value).startswith(f"${{{name}")
    }


def test_env_example_names_every_setting_of_every_service(compose: dict[str, Any]) -> None:
    example = ENV_EXAMPLE.read_text(encoding="utf-8")
    assert example.count(COMPOSE_SET) == 1
    settable, computed = (set(re.findall(r"^#?(MITRA_[A-Z0-9_]+)=", part, re.M)) for part in example.split(COMPOSE_SET))
    fields = {f"MITRA_{field.upper()}" for settings in SETTINGS for field in settings.model_fields}
    assert not fields - settable - computed, f".env.example does not name {sorted(fields - settable - computed)}"
    by_compose = compose_set_settings(compose)
    assert not by_compose - computed, f"set by compose, so listed last: {sorted(by_compose - computed)}"
    assert not by_compose & settable, f"set by compose, so a value in .env has no effect: {by_compose & settable}"


def test_each_service_sees_only_its_own_secrets(compose: dict[str, Any]) -> None:
    variables = filled_in(**{secret: f"optional-{secret.lower()}" for secret in OPTIONAL_SECRETS})
    secrets = {name: value for name, value in variables.items() if name.endswith(("PASSWORD", "_PASS", "KEY", "_ID"))}
    for name in SERVICES:
        own = {*SERVICE_SECRETS[name], *(("MITRA_SMTP_PASSWORD",) if name in ("console", "notifications") else ())}
        seen = " ".join(container_environment(compose["services"][name], variables).values())
        leaked = sorted(secret for secret, value in secrets.items() if secret not in own and value in seen)
        assert not leaked, f"{name} is handed {leaked} through .env"
        assert all(secrets[secret] in seen for secret in own), f"{name} lacks a secret of its own"


def test_image_is_built_from_the_tested_lock_and_tagged_with_the_version(compose: dict[str, Any]) -> None:
    versions = {
        tomllib.loads((REPO / project / "pyproject.toml").read_text())["project"]["version"]
        for project in ("shared", *(f"services/{name}" for name in SERVICES))
    }
    [version] = versions
    for name in SERVICES:
        service = compose["services"][name]
        assert service["image"] == f"${{MITRA_IMAGE:-mitra:{version}}}", "a published image instead when named"
        assert service["build"]["args"]["MITRA_VERSION"] == version
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert "COPY constraints.txt ./" in dockerfile
    assert re.search(r"pip install \\\n\s+--constraint constraints.txt \\\n\s+\./shared", dockerfile)
    assert "!constraints.txt" in (REPO / ".dockerignore").read_text().splitlines()
    for label in ('version="${MITRA_VERSION}"', 'source="${MITRA_SOURCE}"', 'licenses="Apache-2.0"'):
        assert f"org.opencontainers.image.{label}" in dockerfile
    release = (REPO / "docs" / "release.md").read_text(encoding="utf-8")
    assert all(step in release for step in ("--build-arg MITRA_VERSION=", "docker push", "MITRA_IMAGE="))

    # Every package the services need, all the way down, is pinned by the lock: nothing floats in the image.
    pinned = {
        canonicalize_name(line.split("==")[0]): line.split("==")[1].strip()
        for line in (REPO / "constraints.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    }
    needed, pending = set(), [f"mitra-{name}" for name in ("shared", *SERVICES)]
    while pending:
        distribution = importlib.metadata.distribution(pending.pop())
        for requirement in map(Requirement, distribution.requires or []):
            name = canonicalize_name(requirement.name)
            if name not in needed and (requirement.marker is None or requirement.marker.evaluate({"extra": ""})):
                needed.add(name)
                pending.append(name)
    floating = sorted(name for name in needed if not name.startswith("mitra-") and name not in pinned)
    assert not floating, f"not pinned in constraints.txt, so the image would take whatever is newest: {floating}"


# --- the entry point, running -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def s3_server() -> Iterator[S3Server]:
    with moto_s3_server() as server:
        yield server


@asynccontextmanager
async def entry_point(
    compose: Mapping[str, Any], variables: Mapping[str, str], upstreams: Mapping[str, str], workdir: Path
) -> AsyncIterator[dict[str, int]]:
    """Caddy with compose's command, Caddyfile, certificate folder and environment; its ports remapped."""
    service = interpolate(compose["services"]["caddy"], variables)
    command = service["command"]
    command[command.index("--config") + 1] = str(REPO / volume_source(service, command[command.index("--config") + 1]))
    ports = {"http": free_port(), "https": free_port(), "admin": free_port()}
    environment = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(workdir),
        "XDG_DATA_HOME": str(workdir / "data"),  # compose's caddy-data volume
        "XDG_CONFIG_HOME": str(workdir / "config"),
        **container_environment(compose["services"]["caddy"], variables),
        "CADDY_CERTS_DIR": volume_source(service, "/certs"),
        "CADDY_HTTP_PORT": str(ports["http"]),
        "CADDY_HTTPS_PORT": str(ports["https"]),
        "CADDY_ADMIN": f"127.0.0.1:{ports['admin']}",
        **{f"CADDY_{name.upper()}_UPSTREAM": address for name, address in upstreams.items()},
    }
    process: ManagedProcess = start_process(
        "caddy", [caddy(), *command[1:]], environment, log_path=workdir / "caddy.log"
    )
    try:
        async with httpx.AsyncClient(timeout=2.0) as client:

            async def configured() -> bool:
                assert process.returncode is None, f"caddy exited:\n{process.log()[-3000:]}"
                try:
                    return (await client.get(f"http://127.0.0.1:{ports['admin']}/config/")).status_code == 200
                except httpx.TransportError:
                    return False

            await eventually(configured, timeout=20, description="caddy running its configuration")
        yield ports
    finally:
        await asyncio.to_thread(process.stop, 5)


async def test_console_and_apis_only_over_https_through_the_entry_point(
    compose: dict[str, Any], s3_server: S3Server, tmp_path: Path
) -> None:
    certificates = make_certificates(tmp_path / "certs", HOST)
    variables = filled_in(MITRA_PUBLIC_HOST=HOST, MITRA_TLS_DIR=str(certificates))
    trusted = ssl.create_default_context(cafile=str(certificates / "ca.pem"))
    with rabbitmq_account() as account:
        async with (
            start_as_compose("console", compose, variables, account, s3_server, tmp_path) as console,
            start_as_compose("registry", compose, variables, account, s3_server, tmp_path) as registry,
        ):
            await console.process.wait_ready(timeout=25)
            await registry.process.wait_ready(timeout=25)
            upstreams = {
                "console": f"127.0.0.1:{console.process.port}",
                "registry": f"127.0.0.1:{registry.process.port}",
            }
            async with entry_point(compose, variables, upstreams, tmp_path) as ports:

                async def get(host: str, path: str, *, https: bool = True) -> httpx.Response:
                    """`host` resolved to Caddy: a connection of its own, so that TLS is negotiated for its name."""
                    scheme = "https" if https else "http"
                    async with httpx.AsyncClient(verify=trusted, timeout=5.0) as client:
                        return await client.get(
                            f"{scheme}://127.0.0.1:{ports[scheme]}{path}",
                            headers={"Host": host},
                            extensions={"sni_hostname": host} if https else {},
                        )

                # Plain HTTP only redirects, to the same page over HTTPS; nothing of the console's is served.
                plain = await get(HOST, "/login?next=/", https=False)
                assert plain.status_code == 308
                # (Caddy 2.6 leaves a remapped HTTPS port out of the address; compose's is 443 anyway.)
                assert re.fullmatch(rf"https://{HOST}(:{ports['https']})?/login\?next=/", plain.headers["location"])
                assert b"password" not in plain.content

                login = await get(HOST, "/login")
                assert login.status_code == 200, login.text
                assert 'type="password"' in login.text
                assert login.headers["strict-transport-security"].startswith("max-age=")
                assert "server" not in login.headers
                assert (await get(HOST, "/.well-known/jwks.json")).json()["keys"], "the console's keys, published"

                api = f"registry.{HOST}"
                assert (await get(api, "/health/live")).status_code == 200
                docs = await get(api, "/docs")
                assert (docs.status_code, "swagger" in docs.text.lower()) == (200, True)

                for host in (HOST, api):
                    for path in ("/metrics", "/metrics/", "/metrics?format=text", "/%6Detrics"):
                        refused = await get(host, path)
                        assert (refused.status_code, refused.content) == (404, b""), f"{host}{path} is served"

                # A host name the certificate and the routes do not know gets no TLS handshake.
                with pytest.raises(httpx.ConnectError):
                    await get("elsewhere.example.org", "/login")
