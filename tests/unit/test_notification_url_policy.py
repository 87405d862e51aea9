import pytest

from mitra_notifications import url_policy


@pytest.mark.parametrize(
    "url",
    ["ftp://example.go.id/hook", "file:///etc/passwd", "example.go.id/hook", "https://user:pw@example.go.id/hook"],
)
def test_only_plain_http_urls_are_taken(url: str) -> None:
    with pytest.raises(url_policy.UrlRefused):
        url_policy.check_syntax(url)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "::ffff:10.0.0.1",
        "0.0.0.0",
    ],
)
def test_internal_addresses_are_recognised(address: str) -> None:
    assert url_policy.is_internal(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_not_internal(address: str) -> None:
    assert not url_policy.is_internal(address)


def test_a_name_that_resolves_inside_is_refused_unless_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(url_policy, "resolve", lambda host, port: ["10.0.0.5"])
    with pytest.raises(url_policy.UrlRefused, match="internal address"):
        url_policy.check("https://hooks.pemda.example/mitra", allow_internal=False)
    assert url_policy.check("https://hooks.pemda.example/mitra", allow_internal=True)


def test_a_name_that_resolves_outside_is_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(url_policy, "resolve", lambda host, port: ["8.8.8.8"])
    assert url_policy.check("https://hooks.pemda.example/mitra", allow_internal=False)


def test_loopback_is_refused_by_default() -> None:
    with pytest.raises(url_policy.UrlRefused):
        url_policy.check("http://127.0.0.1:9000/hook", allow_internal=False)
