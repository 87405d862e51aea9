"""deploy/prometheus: every metric the alert rules name is one the services register, with the labels they give it,
and Prometheus scrapes each service on the metrics port its settings default to."""

from __future__ import annotations

import importlib
import re
from typing import Any

import pytest
import yaml
from prometheus_client.metrics import MetricWrapperBase
from support.paths import REPO

from mitra_shared import metrics

PROMETHEUS = REPO / "deploy" / "prometheus"
TARGET_LABELS = {"job", "instance", "service"}  # what prometheus.yml and Prometheus itself add to every series
PROMETHEUS_OWN = {"up": set[str]()}
SUFFIXES = {"counter": ("_total",), "gauge": ("",), "histogram": ("_bucket", "_count", "_sum")}
SELECTOR = re.compile(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}")
MATCHER = re.compile(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)")
GROUPING = re.compile(r"\b(?:by|without|on|ignoring)\s*\(([^)]*)\)")
FUNCTIONS_AND_WORDS = {"sum", "max", "min", "rate", "increase", "time", "by", "and", "or", "unless"}


def registered() -> dict[str, set[str]]:
    """Each series name the services' metrics produce, with its label names."""
    series: dict[str, set[str]] = {}
    for value in vars(metrics).values():
        if isinstance(value, MetricWrapperBase):
            for suffix in SUFFIXES[value._type]:
                labels = set(value._labelnames) | ({"le"} if suffix == "_bucket" else set())
                series[value._name + suffix] = labels
    return series


def rules() -> list[dict[str, Any]]:
    document = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())
    return [rule for group in document["groups"] for rule in group["rules"]]


def metric_names(expression: str) -> set[str]:
    without_strings = re.sub(r'"[^"]*"', '""', expression)
    without_groupings = GROUPING.sub("", without_strings)
    without_ranges = re.sub(r"\[[^\]]*\]", "", without_groupings)
    without_matchers = re.sub(r"\{[^}]*\}", "", without_ranges)
    words = set(re.findall(r"\b[a-zA-Z_:][a-zA-Z0-9_:]*\b", without_matchers))
    return {word for word in words if word not in FUNCTIONS_AND_WORDS and not re.fullmatch(r"\d+", word)}


def test_the_metric_names_of_the_rules_are_read_as_written() -> None:
    expression = 'sum by (service) (rate(mitra_x_total{outcome=~"a|b"}[5m])) / max(mitra_y) > 0.2 and up == 0'
    assert metric_names(expression) == {"mitra_x_total", "mitra_y", "up"}


@pytest.mark.parametrize("rule", rules(), ids=lambda rule: rule["alert"])
def test_every_metric_and_label_a_rule_names_is_registered(rule: dict[str, Any]) -> None:
    known = {**registered(), **PROMETHEUS_OWN}
    expression = rule["expr"]
    names = metric_names(expression)
    assert names, f"{rule['alert']} names no metric"
    assert names <= set(known), f"{rule['alert']} names unregistered metrics: {sorted(names - set(known))}"
    for name, matchers in SELECTOR.findall(expression):
        labels = set(MATCHER.findall(matchers))
        assert labels <= known[name] | TARGET_LABELS, f"{rule['alert']}: {name} has no label {labels - known[name]}"
    allowed = set().union(*(known[name] for name in names)) | TARGET_LABELS
    for grouping in GROUPING.findall(expression):
        labels = {label.strip() for label in grouping.split(",") if label.strip()}
        assert labels <= allowed, f"{rule['alert']} groups by unknown labels {labels - allowed}"


@pytest.mark.parametrize("rule", rules(), ids=lambda rule: rule["alert"])
def test_every_rule_says_how_severe_and_what_to_do(rule: dict[str, Any]) -> None:
    assert rule["alert"].startswith("Mitra")
    assert rule["labels"]["severity"] in {"warning", "critical"}
    assert rule["annotations"]["summary"]
    assert rule["annotations"]["description"]


def test_the_rules_cover_what_an_operator_is_alerted_on() -> None:
    named = set().union(*(metric_names(rule["expr"]) for rule in rules()))
    assert {
        "up",
        "mitra_dead_letters",
        "mitra_unrouted_events",
        "mitra_notification_deliveries_total",
        "mitra_worker_last_pass_timestamp_seconds",
        "mitra_outbox_oldest_pending_seconds",
    } <= named


def _default_metrics_port(service: str) -> int:
    module = importlib.import_module(f"mitra_{service}.settings")
    [settings_class] = [
        value
        for name, value in vars(module).items()
        if name.endswith("Settings") and value.__module__ == module.__name__
    ]
    http_port = settings_class.model_fields["http_port"].default
    assert settings_class.model_fields["metrics_port"].default is None
    return int(http_port) + 1000


def test_prometheus_scrapes_each_service_on_its_default_metrics_port_and_loads_the_rules() -> None:
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    assert config["rule_files"] == ["/etc/prometheus/alerts.yml"]
    [job] = config["scrape_configs"]
    targets = {entry["labels"]["service"]: entry["targets"] for entry in job["static_configs"]}
    services = ("console", "registry", "agreements", "notifications", "reporting")
    assert targets == {service: [f"{service}:{_default_metrics_port(service)}"] for service in services}
    assert job["job_name"] == "mitra"
    assert all(rule["expr"].count('job="mitra"') for rule in rules() if "up" in metric_names(rule["expr"]))
