"""The launcher's ports and readiness: no port given twice by one process, and only a Mitra service's own ready
answer counts (a test once took another process's metrics listener, which answers 200 to any GET, for registry)."""

from __future__ import annotations

import httpx

from mitra_devtools import launcher


def test_no_port_is_given_twice() -> None:
    ports = [launcher.free_port() for _ in range(3000)]
    assert len(set(ports)) == len(ports)


def test_only_a_services_own_ready_answer_counts() -> None:
    metrics_listener = httpx.Response(200, text="# HELP python_info\n", headers={"content-type": "text/plain"})
    not_ready = httpx.Response(503, json={"title": "Not ready"})
    other_json = httpx.Response(200, json={"status": "ok"})
    ready = httpx.Response(200, json={"status": "ready", "checks": ["database"]})
    assert [launcher.says_ready(r) for r in (metrics_listener, not_ready, other_json, ready)] == [
        False,
        False,
        False,
        True,
    ]
