"""Where things are: the repository and its own copy of the reference data (`data/`, see `data/README.md`)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TESTS = REPO / "tests"
DATA = REPO / "data"
