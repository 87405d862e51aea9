"""The metrics listener's settings (apart from the public port), and notifications refusing to run in production with
no real mail server unless the mail is disabled on purpose."""

from __future__ import annotations

import httpx
import pytest
from pydantic import ValidationError

from mitra_notifications.settings import NotificationsSettings
from mitra_registry.settings import RegistrySettings
from mitra_shared import metrics
from mitra_shared.cli import settings_problems

PRODUCTION = {
    "environment": "production",
    "database_url": "postgresql://mitra:s3cret@db:5432/mitra_notifications",
    "amqp_url": "amqp://mitra:s3cret@rabbitmq:5672/",
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("METRICS_PORT", "METRICS_HOST", "HTTP_PORT", "SMTP_HOST", "MAIL_DISABLED"):
        monkeypatch.delenv(f"MITRA_{name}", raising=False)
    monkeypatch.setenv("MITRA_ENVIRONMENT", "test")
    monkeypatch.chdir("/")


def test_the_metrics_listen_on_loopback_at_the_http_port_plus_1000_unless_told() -> None:
    settings = RegistrySettings()
    assert (settings.metrics_host, settings.metrics_listen_port) == ("127.0.0.1", 9001)
    assert RegistrySettings(http_port=18001).metrics_listen_port == 19001
    assert RegistrySettings(metrics_port=9100).metrics_listen_port == 9100


def test_an_empty_metrics_port_means_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MITRA_METRICS_PORT", "")  # compose passes an unset variable so
    assert RegistrySettings().metrics_listen_port == 9001


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        pytest.param({"http_port": 8001, "metrics_port": 8001}, "must differ from MITRA_HTTP_PORT", id="same-port"),
        pytest.param({"http_port": 65000}, "MITRA_METRICS_PORT is needed", id="default-beyond-65535"),
        pytest.param({"metrics_port": 70000}, "less than or equal to 65535", id="not-a-port"),
    ],
)
def test_a_metrics_port_that_cannot_be_is_refused(settings: dict[str, int], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        RegistrySettings(**settings)


async def test_the_metrics_listener_serves_the_metrics_and_a_taken_port_stops_the_start() -> None:
    async with metrics.serving("127.0.0.1", 0) as listener:
        async with httpx.AsyncClient(timeout=5) as client:
            scraped = await client.get(f"http://127.0.0.1:{listener.port}/metrics")
        assert scraped.status_code == 200
        assert "# HELP mitra_worker_last_pass_timestamp_seconds" in scraped.text
        with pytest.raises(OSError, match="in use"):
            metrics.serve("127.0.0.1", listener.port)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "mailpit", "MAILPIT", "", "::1", "[::1]"])
def test_production_refuses_a_demo_or_missing_mail_server(host: str) -> None:
    with pytest.raises(ValidationError) as refused:
        NotificationsSettings(**PRODUCTION, smtp_host=host)
    problems = settings_problems(refused.value)
    assert "MITRA_SMTP_HOST" in problems
    assert "MITRA_MAIL_DISABLED=true" in problems


def test_production_refuses_the_default_mail_server_that_nobody_set() -> None:
    with pytest.raises(ValidationError, match="without a real mail server"):
        NotificationsSettings(**PRODUCTION)


def test_production_starts_with_a_real_mail_server_or_with_the_mail_disabled_on_purpose(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert NotificationsSettings(**PRODUCTION, smtp_host="smtp.kemlu.go.id").mail_disabled is False
    monkeypatch.setenv("MITRA_MAIL_DISABLED", "true")
    assert NotificationsSettings(**PRODUCTION).mail_disabled is True


@pytest.mark.parametrize("environment", ["local", "test", "staging"])
def test_outside_production_the_local_mail_sink_is_fine(environment: str) -> None:
    settings = {**PRODUCTION, "environment": environment}
    assert NotificationsSettings(**settings, smtp_host="127.0.0.1").smtp_host == "127.0.0.1"
