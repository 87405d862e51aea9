"""Each service's HTTP API against its own OpenAPI document, property-based (Schemathesis 4): whatever a client sends
that the document allows, or breaks, the service answers without a server error, and with a status code, a content
type and a body that its document names for that operation.

The four services run as processes (the `system` fixture of this folder: uuid-named databases, a broker namespace of
the test's own) and are called with a valid bearer token of each role in turn. For each operation Schemathesis sends
the documented examples, its coverage cases (boundaries, missing and malformed values) and a bounded number of
generated requests, valid and invalid; then sequences of calls along the links it infers (an id one answer gives, used
by the next call).
A failure names the operation and the `curl` command that reproduces it, and the run's seed.

Schemathesis runs through its command line, one run per service, the four side by side: its pytest loader for a
schema that only exists once a fixture has started the service (`schemathesis.pytest.from_fixture`) does not work
with pytest 9 (it sets `Function._nodeid`, which pytest 9 no longer has).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from support.services import SERVICES, RunningSystem, running_services
from support.tokens import token

pytestmark = pytest.mark.e2e

# Generated requests per operation (besides the examples and coverage cases): the bound that keeps the four services
# under about three minutes on two cores.
MAX_EXAMPLES = 25
# Every role is a caller of its own: the full run as the register's keeper and as the system administrator, and a
# shorter one for each other role, whose answers are mostly 403 or filtered: its examples and fewer generated
# requests, without the stateful phase, and without the coverage phase, whose boundary and malformed values the full
# runs send already (per role it took longer than all the rest of the role's run, for the same 422s and 403s).
FULL_RUN_ROLES = ("tpoa", "admin")
ROLE_SCOPES: dict[str, dict[str, object]] = {
    "tpoa": {},
    "admin": {},
    "auditor": {},
    "integration": {},
    "ministry": {"ministry_code": "KEMENSOS"},
    "region": {"region_code": "33"},
    "ngo": {"organization_id": "6f1c0b3e-1b2a-4c1e-9d7a-1234567890ab"},
}
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance", "response_schema_conformance")
RUN_TIMEOUT = 600.0


@dataclass
class FuzzRun:
    service: str
    returncode: int | None
    output_path: Path

    def report(self) -> str:
        """What Schemathesis found, from its list of failures on (the end of its output if it has none)."""
        output = self.output_path.read_text(errors="replace")
        start = output.find("FAILURES")
        return output[output.rfind("\n", 0, start) + 1 :] if start >= 0 else output[-20000:]


def server_errors(log: str) -> list[str]:
    """Each distinct unhandled error in a service's JSON log: the path and the exception's last line."""
    found: dict[str, None] = {}
    for line in log.splitlines():
        if '"unhandled error"' not in line:
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        last = (entry.get("exception") or "").strip().splitlines()[-1:] or ["?"]
        found[f"{entry.get('path')}: {last[0]}"] = None
    return list(found)


def schemathesis_command(url: str, role: str) -> list[str]:
    full = role in FULL_RUN_ROLES
    return [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        f"{url}/openapi.json",
        "--header",
        f"Authorization: Bearer {token(f'schemathesis-{role}', role=role, **ROLE_SCOPES[role])}",
        "--checks",
        ",".join(CHECKS),
        "--phases",
        "examples,coverage,fuzzing,stateful" if full else "examples,fuzzing",
        "--max-examples",
        str(MAX_EXAMPLES if full else MAX_EXAMPLES // 5),
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--generation-database",
        "none",
        # Generation time is the machine's load, not the API's answer: a busy `make test` must not fail on it.
        "--suppress-health-check",
        "too_slow",
        "--output-truncate",
        "false",
        "--no-color",
    ]


FUZZED = (*SERVICES, "console")
"""The four services and the console, whose token endpoints are open to anyone."""


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    with running_services(FUZZED, log_dir=tmp_path_factory.mktemp("logs"), smtp=True) as running:
        yield running


# The hooks module (schemathesis_hooks.py, beside this file) teaches Schemathesis the tus PATCH body type.
HOOKS_ENVIRONMENT = {
    **os.environ,
    "SCHEMATHESIS_HOOKS": "schemathesis_hooks",
    "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).parent), os.environ.get("PYTHONPATH")])),
}


@pytest.fixture(scope="module")
def fuzz_runs(system: RunningSystem, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], FuzzRun]:
    """One Schemathesis run per service and role: for each role the four services side by side, each run in a
    folder of its own, where it keeps its cache."""
    runs: dict[tuple[str, str], FuzzRun] = {}
    for role in ROLE_SCOPES:
        started = {}
        for name in FUZZED:
            folder = tmp_path_factory.mktemp(f"schemathesis-{name}-{role}")
            output_path = folder / "output.txt"
            with output_path.open("wb") as output:
                process = subprocess.Popen(
                    schemathesis_command(system.url(name), role),
                    cwd=folder,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    env=HOOKS_ENVIRONMENT,
                )
            started[name] = (process, output_path)
        try:
            deadline = time.monotonic() + RUN_TIMEOUT
            for name, (process, output_path) in started.items():
                try:
                    returncode: int | None = process.wait(max(deadline - time.monotonic(), 1))
                except subprocess.TimeoutExpired:
                    returncode = None
                runs[(name, role)] = FuzzRun(name, returncode, output_path)
        finally:
            for process, _ in started.values():
                if process.poll() is None:
                    process.kill()
                    process.wait()
    return runs


@pytest.mark.parametrize("role", list(ROLE_SCOPES))
@pytest.mark.parametrize("service", FUZZED)
def test_every_answer_is_documented(
    service: str, role: str, fuzz_runs: dict[tuple[str, str], FuzzRun], system: RunningSystem
) -> None:
    run = fuzz_runs[(service, role)]
    assert run.returncode is not None, f"Schemathesis did not finish within {RUN_TIMEOUT}s:\n{run.report()}"
    errors = "".join(f"\n  {error}" for error in server_errors(system.services[service].log()))
    assert run.returncode == 0, (
        f"Schemathesis, as {role}, found answers {service}'s OpenAPI document does not allow:\n{run.report()}\n"
        f"Unhandled errors in the service log ({system.services[service].log_path}):{errors or ' none'}"
    )


@pytest.mark.parametrize("service", FUZZED)
def test_every_error_answer_is_documented_as_a_problem(service: str, system: RunningSystem) -> None:
    document = httpx.get(f"{system.url(service)}/openapi.json", timeout=10).json()
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    operations = [
        (f"{method.upper()} {path}", op) for path, item in document["paths"].items() for method, op in item.items()
    ]
    assert len(operations) >= 10
    for name, operation in operations:
        responses = operation["responses"]
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                assert response.get("content") == problem, (name, status)
        # Behind the bearer token: 401 documented. Open: no 401, except the OAuth token endpoints, which answer an
        # unknown client with 401 as RFC 6749 says.
        token_endpoint = name.endswith("/token")
        assert ("401" in responses) == (bool(operation.get("security")) or token_endpoint), name
        if operation.get("parameters") or "requestBody" in operation:
            assert "422" in responses, name
    assert not {"HTTPValidationError", "ValidationError"} & set(document["components"]["schemas"])
