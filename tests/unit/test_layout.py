"""The house rules of issue 10, read from the tree: the same slices in every service, no source file over 400 lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.paths import REPO

SERVICES = ("console", "registry", "agreements", "notifications", "reporting")
SLICES = ("domain", "usecases", "http", "consumers", "workers", "sql")
WIRING = ("__init__.py", "__main__.py", "bootstrap.py", "settings.py")
MAX_LINES = 400


def package(service: str) -> Path:
    return REPO / "services" / service / f"mitra_{service}"


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_has_the_same_slices(service: str) -> None:
    root = package(service)
    missing = [name for name in SLICES if not (root / name / "__init__.py").is_file()]
    missing += [name for name in WIRING if not (root / name).is_file()]
    assert not missing, f"mitra_{service} lacks {missing}"
    assert (root / "sql" / "migrations").is_dir(), f"mitra_{service} keeps its migrations elsewhere"
    loose = sorted(p.name for p in root.glob("*.py") if p.name not in WIRING)
    assert not loose, f"mitra_{service} has modules outside its slices: {loose}"


@pytest.mark.parametrize("service", SERVICES)
def test_an_empty_slice_says_why(service: str) -> None:
    for name in SLICES:
        folder = package(service) / name
        if not any(p for p in folder.iterdir() if p.name not in ("__init__.py", "__pycache__", "migrations")):
            assert (folder / "__init__.py").read_text().strip(), f"mitra_{service}.{name} is empty and says nothing"


def test_no_source_file_is_over_400_lines() -> None:
    files = [*(REPO / "services").rglob("*.py"), *(REPO / "shared").rglob("*.py")]
    assert files
    too_long = {
        str(path.relative_to(REPO)): count
        for path in files
        if "egg-info" not in str(path) and (count := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert not too_long, f"over {MAX_LINES} lines: {too_long}"


def test_test_modules_have_unique_names() -> None:
    # The test folders are not packages: pytest refuses a second module of the same name at collection.
    names = [path.name for path in (REPO / "tests").rglob("test_*.py")]
    assert names
    assert len(names) == len(set(names)), sorted({name for name in names if names.count(name) > 1})
