from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from support import SHARED_DATA, create_database, drop_database, unique

__all__ = ["SHARED_DATA"]  # tests that read the shared reference data import it from here or from support


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
