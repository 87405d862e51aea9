from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from support import create_database, drop_database, unique

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("MITRA_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture
async def database() -> AsyncIterator[str]:
    """DSN of a new, empty, uuid-named database, dropped afterwards."""
    dsn = await create_database()
    try:
        yield dsn
    finally:
        await drop_database(dsn)


@pytest.fixture
def namespace() -> str:
    """A broker namespace of the test's own, so its exchanges and queues touch nobody else's."""
    return unique("test").replace("_", "-")
