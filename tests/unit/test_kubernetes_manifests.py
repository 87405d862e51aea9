"""deploy/kubernetes/ rendered the way `kubectl apply -k` does and checked (issue 18).

No kubectl or kustomize binary is needed: `render` below does the few Kustomize features the manifests use
(resources, components, namespace, images, configMapGenerator with literals and no name suffix) and refuses any
other, so that a feature added to a kustomization fails here rather than go unchecked. Every core object is then
validated against the Kubernetes JSON schemas that `kubernetes-validate` bundles (strict: an unknown field is an
error), at the oldest version the manifests support and at the newest the package knows. The custom resources
(KEDA's ScaledObject and TriggerAuthentication, the RabbitMQ operator's RabbitmqCluster, CloudNativePG's Cluster)
have no schema offline: their fields that Mitra relies on are checked here instead.

Beyond the schemas: each Deployment runs the command docker-compose.yml runs and sets every variable compose gives
it a value for; each of its variables is a setting of that service (its settings class is built from them), its
probes and its Prometheus annotation name the ports those settings listen on, and it has resources, a Service, a
PodDisruptionBudget and an autoscaler; every ConfigMap and Secret it reads exists (the Secrets in
secret.example.yaml, which no kustomization includes and which holds placeholders only).
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from pydantic_settings import BaseSettings
from support.paths import REPO

from mitra_agreements.settings import AgreementsSettings
from mitra_console.settings import ConsoleSettings
from mitra_notifications.settings import NotificationsSettings
from mitra_registry.settings import RegistrySettings
from mitra_reporting.settings import ReportingSettings
from mitra_shared.provisioning import provision_database
from mitra_shared.topology import Names

KUBERNETES = REPO / "deploy" / "kubernetes"
BASE = KUBERNETES / "base"
OVERLAY = KUBERNETES / "overlays" / "example"
SECRETS_EXAMPLE = OVERLAY / "secret.example.yaml"
# The oldest Kubernetes the manifests are for (preStop's `sleep` action is on by default from 1.30), and the newest
# the installed kubernetes-validate knows.
KUBERNETES_VERSIONS = ("1.30.0", kubernetes_validate.latest_version())
SETTINGS: dict[str, type[BaseSettings]] = {
    "console": ConsoleSettings,
    "registry": RegistrySettings,
    "agreements": AgreementsSettings,
    "notifications": NotificationsSettings,
    "reporting": ReportingSettings,
}
CONSUMERS_SCALED_ON_QUEUES = ("agreements", "notifications", "reporting")
NOT_MITRA_SETTINGS = {"FORWARDED_ALLOW_IPS"}  # read by uvicorn, as in compose
CUSTOM_RESOURCES = {
    ("keda.sh/v1alpha1", "ScaledObject"),
    ("keda.sh/v1alpha1", "TriggerAuthentication"),
    ("rabbitmq.com/v1beta1", "RabbitmqCluster"),
    ("postgresql.cnpg.io/v1", "Cluster"),
}
CLUSTER_SCOPED = {"Namespace"}
KUSTOMIZATION_KEYS = {
    "apiVersion", "kind", "resources", "components", "namespace", "images", "configMapGenerator", "generatorOptions"
}  # fmt: skip


# --- the renderer -------------------------------------------------------------------------------------------------


def load_documents(path: Path) -> list[dict[str, Any]]:
    return [document for document in yaml.safe_load_all(path.read_text()) if document]


def pod_templates(manifest: dict[str, Any]) -> Iterator[dict[str, Any]]:
    template = manifest.get("spec", {}).get("template", {}).get("spec")
    if manifest["kind"] in ("Deployment", "StatefulSet", "DaemonSet", "Job") and template:
        yield template


def render(directory: Path, kind: str = "Kustomization") -> list[dict[str, Any]]:
    """What `kubectl kustomize directory` prints, for the features listed at the top."""
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    assert kustomization["kind"] == kind, directory
    unsupported = set(kustomization) - KUSTOMIZATION_KEYS
    assert not unsupported, f"{directory}: the test's renderer does not know {unsupported}"
    objects: list[dict[str, Any]] = []
    for entry in kustomization.get("resources", []):
        path = (directory / entry).resolve()
        objects += render(path) if path.is_dir() else load_documents(path)
    for entry in kustomization.get("components", []):
        objects += render((directory / entry).resolve(), kind="Component")
    generators = kustomization.get("configMapGenerator", [])
    if generators:
        assert kustomization.get("generatorOptions", {}).get("disableNameSuffixHash") is True, directory
    for generator in generators:
        assert set(generator) == {"name", "literals"}, f"{directory}: only literals are rendered here"
        data = dict(literal.split("=", 1) for literal in generator["literals"])
        objects.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": generator["name"]}, "data": data})
    for image in kustomization.get("images", []):
        for manifest in objects:
            for spec in pod_templates(manifest):
                for container in spec.get("containers", []) + spec.get("initContainers", []):
                    if container["image"].split("@")[0].rsplit(":", 1)[0] == image["name"]:
                        container["image"] = f"{image.get('newName', image['name'])}:{image['newTag']}"
    if "namespace" in kustomization:
        for manifest in objects:
            if manifest["kind"] not in CLUSTER_SCOPED:
                manifest["metadata"]["namespace"] = kustomization["namespace"]
    return objects


@pytest.fixture(scope="module")
def overlay() -> list[dict[str, Any]]:
    return render(OVERLAY)


@pytest.fixture(scope="module")
def example_secrets() -> dict[str, dict[str, str]]:
    return {s["metadata"]["name"]: s["stringData"] for s in load_documents(SECRETS_EXAMPLE)}


def named(objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def container_of(deployment: dict[str, Any]) -> dict[str, Any]:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1, deployment["metadata"]["name"]
    return dict(containers[0])


# --- schemas ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("directory", [BASE, OVERLAY], ids=["base", "overlay"])
def test_kubernetes_objects_match_the_schemas(directory: Path, version: str) -> None:
    objects = render(directory)
    core = [o for o in objects if (o["apiVersion"], o["kind"]) not in CUSTOM_RESOURCES]
    assert set(named(core, "Deployment")) == set(SETTINGS), [o["kind"] for o in objects]
    if directory == OVERLAY:
        core += load_documents(SECRETS_EXAMPLE)
    problems = []
    for manifest in core:
        try:
            kubernetes_validate.validate(manifest, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            where = "/".join(str(part) for part in error.path)
            problems.append(f"{manifest['kind']}/{manifest['metadata']['name']} at {where}: {error.message}")
    assert not problems, "\n".join(problems)


def test_kubernetes_renderer_refuses_what_it_does_not_render(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                                                 "patches:\n  - path: patch.yaml\n")  # fmt: skip
    with pytest.raises(AssertionError, match="does not know"):
        render(tmp_path)


def test_kubernetes_overlay_sets_namespace_and_image_everywhere(overlay: list[dict[str, Any]]) -> None:
    assert {o["metadata"].get("namespace") for o in overlay if o["kind"] != "Namespace"} == {"mitra"}
    images = {c["image"] for o in overlay for spec in pod_templates(o) for c in spec["containers"]}
    assert images == {"registry.example.org/mitra:0.1.0"}
    assert not named(overlay, "Secret"), "Secrets are made by hand, never committed in the kustomization"


# --- the services -------------------------------------------------------------------------------------------------


def environment_of(deployment: dict[str, Any], objects: list[dict[str, Any]]) -> dict[str, Any]:
    """Each variable the container gets: a value, or the `valueFrom` reference it is read from."""
    config_maps = named(objects, "ConfigMap")
    variables: dict[str, Any] = {}
    for source in container_of(deployment).get("envFrom", []):
        variables.update(config_maps[source["configMapRef"]["name"]]["data"])
    for variable in container_of(deployment).get("env", []):
        variables[variable["name"]] = variable.get("value", variable.get("valueFrom"))
    return variables


def resolved(value: Any, objects: list[dict[str, Any]]) -> str:
    """A variable's value, a Secret's made up (a fresh password in a URL of the right shape)."""
    if isinstance(value, str):
        return value
    if "configMapKeyRef" in value:
        reference = value["configMapKeyRef"]
        return str(named(objects, "ConfigMap")[reference["name"]]["data"][reference["key"]])
    key, password = value["secretKeyRef"]["key"], secrets.token_hex(24)
    if key.endswith("database-url"):
        return f"postgresql://mitra_role:{password}@mitra-postgres-rw:5432/mitra_database"
    return f"amqp://mitra-user:{password}@mitra-rabbitmq:5672/" if key == "amqp-url" else password


@pytest.mark.parametrize("service", SETTINGS)
def test_kubernetes_deployment_runs_what_compose_runs(service: str, overlay: list[dict[str, Any]]) -> None:
    deployment = named(overlay, "Deployment")[service]
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"][service]
    assert container_of(deployment)["command"] == compose["command"]
    # What compose only passes on from .env, empty unless set there (`${NAME:-}`), is an option, not wiring: e.g.
    # MITRA_AMQP_NODES, which the cluster profile needs and Kubernetes does not (the operator's Service is every node).
    given = {
        name for name, value in compose["environment"].items() if value not in ("", None) and value != f"${{{name}:-}}"
    }
    missing = given - set(environment_of(deployment, overlay))
    assert not missing, f"{service}: compose sets {sorted(missing)}, the Deployment does not"


@pytest.mark.parametrize("service", SETTINGS)
def test_kubernetes_deployment_variables_are_settings_of_its_service(
    service: str, overlay: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    deployment = named(overlay, "Deployment")[service]
    settings_class = SETTINGS[service]
    variables = environment_of(deployment, overlay)
    unknown = [
        name
        for name in variables
        if name not in NOT_MITRA_SETTINGS
        and not (name.startswith("MITRA_") and name.removeprefix("MITRA_").lower() in settings_class.model_fields)
    ]
    assert not unknown, f"{service} has no such settings: {unknown}"
    for name in [name for name in os.environ if name.startswith("MITRA_")]:
        monkeypatch.delenv(name)
    for name, value in variables.items():
        monkeypatch.setenv(name, resolved(value, overlay))
    monkeypatch.chdir("/")
    settings = settings_class()  # the production checks run too
    assert settings.environment == "production"
    container = container_of(deployment)
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    assert ports == {"http": settings.http_port, "metrics": settings.metrics_listen_port}
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert int(annotations["prometheus.io/port"]) == ports["metrics"]
    assert settings.metrics_host == "0.0.0.0"
    for probe, path in (("startupProbe", "/health/live"), ("livenessProbe", "/health/live"),
                        ("readinessProbe", "/health/ready")):  # fmt: skip
        assert container[probe]["httpGet"] == {"path": path, "port": "http"}, (service, probe)


def quantity(text: str) -> float:
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}
    for unit, factor in units.items():
        if text.endswith(unit):
            return float(text.removesuffix(unit)) * factor
    return float(text)


@pytest.mark.parametrize("service", SETTINGS)
def test_kubernetes_deployment_is_bounded_spread_and_locked_down(service: str, overlay: list[dict[str, Any]]) -> None:
    deployment = named(overlay, "Deployment")[service]
    assert deployment["spec"]["replicas"] == 2
    pod = deployment["spec"]["template"]["spec"]
    container = container_of(deployment)
    resources = container["resources"]
    for resource in ("cpu", "memory"):
        assert quantity(resources["requests"][resource]) <= quantity(resources["limits"][resource]), resource
    assert quantity(resources["limits"]["memory"]) > 200 * 2**20, "the benchmark's peak RSS is up to 171 MB"
    assert pod["securityContext"]["runAsUser"] == 10001
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    mounts = {mount["mountPath"] for mount in container["volumeMounts"]}
    assert tempfile.gettempdir() in mounts, "a read-only root needs a writable temporary directory for uploads"
    grace = float(SETTINGS[service].model_fields["shutdown_grace_seconds"].default)
    assert pod["terminationGracePeriodSeconds"] > grace


@pytest.mark.parametrize("service", SETTINGS)
def test_kubernetes_deployment_has_service_budget_and_autoscaler(service: str, overlay: list[dict[str, Any]]) -> None:
    deployment = named(overlay, "Deployment")[service]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    budget = named(overlay, "PodDisruptionBudget")[service]
    assert budget["spec"]["minAvailable"] == 1
    assert budget["spec"]["selector"]["matchLabels"].items() <= labels.items()
    front = named(overlay, "Service")[service]
    assert front["spec"]["type"] == "ClusterIP"
    assert front["spec"]["selector"].items() <= labels.items()
    assert [p["targetPort"] for p in front["spec"]["ports"]] == ["http"]
    target = {"apiVersion": "apps/v1", "kind": "Deployment", "name": service}
    hpas = [h for h in named(overlay, "HorizontalPodAutoscaler").values() if h["spec"]["scaleTargetRef"] == target]
    scaled = [s for s in named(overlay, "ScaledObject").values() if s["spec"]["scaleTargetRef"]["name"] == service]
    if service in CONSUMERS_SCALED_ON_QUEUES:
        assert (len(hpas), len(scaled)) == (0, 1), service
        assert scaled[0]["spec"]["minReplicaCount"] == 2
    else:
        assert (len(hpas), len(scaled)) == (1, 0), service
        assert hpas[0]["spec"]["minReplicas"] == 2
        assert hpas[0]["spec"]["metrics"][0]["resource"]["name"] == "cpu"


def test_kubernetes_references_name_what_exists(
    overlay: list[dict[str, Any]], example_secrets: dict[str, dict[str, str]]
) -> None:
    config_maps = named(overlay, "ConfigMap")
    for manifest in overlay:
        for spec in pod_templates(manifest):
            for container in spec["containers"]:
                for source in container.get("envFrom", []):
                    assert source["configMapRef"]["name"] in config_maps, source
                for variable in container.get("env", []):
                    reference = variable.get("valueFrom", {})
                    if "configMapKeyRef" in reference:
                        ref = reference["configMapKeyRef"]
                        assert ref["key"] in config_maps[ref["name"]]["data"], ref
                    if "secretKeyRef" in reference:
                        ref = reference["secretKeyRef"]
                        assert ref["key"] in example_secrets.get(ref["name"], {}), f"{ref} not in secret.example"
    services = named(overlay, "Service")
    for rule in named(overlay, "Ingress")["mitra"]["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            backend = path["backend"]["service"]
            assert backend["port"]["name"] in {p["name"] for p in services[backend["name"]]["spec"]["ports"]}
    public_urls = config_maps["mitra-public-urls"]["data"]
    hosts = {rule["host"] for rule in named(overlay, "Ingress")["mitra"]["spec"]["rules"]}
    assert {url.removeprefix("https://") for url in public_urls.values()} == hosts
    assert set(named(overlay, "Ingress")["mitra"]["spec"]["tls"][0]["hosts"]) == hosts


def test_kubernetes_secret_example_holds_placeholders_only(example_secrets: dict[str, dict[str, str]]) -> None:
    for name, data in example_secrets.items():
        for key, value in data.items():
            assert "<" in value or key == "username", f"{name}.{key} looks like a real value"
    for path in KUBERNETES.rglob("kustomization.yaml"):
        listed = yaml.safe_load(path.read_text()).get("resources", [])
        assert not [entry for entry in listed if "secret" in entry], f"{path} includes Secrets"


def test_kubernetes_database_roles_job_runs_the_provisioning_code(overlay: list[dict[str, Any]]) -> None:
    job = named(overlay, "Job")["mitra-database-roles"]
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert container["command"][:2] == ["python", "-c"]
    script = container["command"][2]
    compile(script, "mitra-database-roles", "exec")
    assert f"from {provision_database.__module__} import {provision_database.__name__}" in script
    given = {variable["name"] for variable in container["env"]}
    read = {name for name in given if f'"{name}"' in script}
    read |= {f"{service.upper()}_DATABASE_URL" for service in SETTINGS if f'"{service}"' in script}
    assert given == read, f"the Job's script reads {sorted(read)} of {sorted(given)}"


# --- the custom resources, checked by hand (no schema offline) ----------------------------------------------------


def test_kubernetes_keda_scales_each_consumer_on_its_own_queue(overlay: list[dict[str, Any]]) -> None:
    authentications = named(overlay, "TriggerAuthentication")
    for service in CONSUMERS_SCALED_ON_QUEUES:
        scaled = named(overlay, "ScaledObject")[service]
        assert scaled["apiVersion"] == "keda.sh/v1alpha1"
        assert scaled["spec"]["maxReplicaCount"] >= scaled["spec"]["minReplicaCount"] == 2
        (trigger,) = scaled["spec"]["triggers"]
        assert trigger["type"] == "rabbitmq"
        metadata = trigger["metadata"]
        assert set(metadata) <= {"protocol", "queueName", "mode", "value", "vhostName"}, metadata
        assert metadata["queueName"] == Names().consumer_queue(service)
        assert metadata["protocol"] == "amqp"
        assert metadata["mode"] == "QueueLength"
        assert int(metadata["value"]) > 0
        authentication = authentications[trigger["authenticationRef"]["name"]]
        (target,) = authentication["spec"]["secretTargetRef"]
        assert target == {"parameter": "host", "name": f"mitra-{service}", "key": "amqp-url"}


def test_kubernetes_rabbitmq_cluster_imports_the_definitions(
    overlay: list[dict[str, Any]], example_secrets: dict[str, dict[str, str]]
) -> None:
    (cluster,) = named(overlay, "RabbitmqCluster").values()
    assert cluster["apiVersion"] == "rabbitmq.com/v1beta1"
    assert cluster["spec"]["replicas"] == 3
    config = dict(
        line.split(" = ", 1)
        for line in cluster["spec"]["rabbitmq"]["additionalConfig"].splitlines()
        if " = " in line and not line.startswith("#")
    )
    template = cluster["spec"]["override"]["statefulSet"]["spec"]["template"]["spec"]
    (mount,) = template["containers"][0]["volumeMounts"]
    (volume,) = [v for v in template["volumes"] if v["name"] == mount["name"]]
    assert config["load_definitions"] == f"{mount['mountPath']}/definitions.json"
    assert "definitions.json" in example_secrets[volume["secret"]["secretName"]]
    service = cluster["metadata"]["name"]
    for name in SETTINGS:
        assert f"@{service}:5672/" in example_secrets[f"mitra-{name}"]["amqp-url"]
    budget = named(overlay, "PodDisruptionBudget")[service]
    assert budget["spec"]["selector"]["matchLabels"] == {"app.kubernetes.io/name": service}


def test_kubernetes_postgres_cluster_is_what_the_secrets_name(
    overlay: list[dict[str, Any]], example_secrets: dict[str, dict[str, str]]
) -> None:
    (cluster,) = named(overlay, "Cluster").values()
    assert cluster["apiVersion"] == "postgresql.cnpg.io/v1"
    assert cluster["spec"]["instances"] >= 3
    assert cluster["spec"]["superuserSecret"]["name"] in example_secrets
    assert int(cluster["spec"]["postgresql"]["parameters"]["max_connections"]) >= 300
    host = f"@{cluster['metadata']['name']}-rw:5432/"
    urls = [value for data in example_secrets.values() for key, value in data.items() if key.endswith("url")]
    assert urls
    assert all(host in url for url in urls if url.startswith("postgresql://"))
