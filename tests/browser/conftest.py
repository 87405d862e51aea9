"""The console in a real browser (issue 12): Debian's headless Chromium under Playwright against the console and the
four services as processes with the demo data, as `make run` has them (see tests/support/browser.py).

The modules here share one such system (starting it and loading the demo takes most of a minute): it starts with
the first module that asks for `mitra` and stops when the run leaves this folder. A module may define a `mitra` of its
own instead (another configuration of the console). Each module has its own browser, started after the system.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from contextlib import ExitStack
from pathlib import Path

import pytest
from support.browser import Mitra, browser, page, running_console

__all__ = ["browser", "mitra", "page"]

HERE = Path(__file__).resolve().parent


class SharedSystem:
    """One system for this folder's modules, started on first use and stopped by `close`."""

    def __init__(self) -> None:
        self._stack: ExitStack | None = None
        self._mitra: Mitra | None = None

    def get(self, log_dir: Callable[[], Path]) -> Mitra:
        if self._mitra is None:
            with ExitStack() as stack:
                self._mitra = stack.enter_context(running_console(log_dir()))
                self._stack = stack.pop_all()
        return self._mitra

    def close(self) -> None:
        stack, self._stack, self._mitra = self._stack, None, None
        if stack is not None:
            stack.close()


SHARED = SharedSystem()


@pytest.fixture(scope="module")
def mitra(tmp_path_factory: pytest.TempPathFactory) -> Mitra:
    """Console, services and demo data, shared by this folder's modules."""
    return SHARED.get(lambda: tmp_path_factory.mktemp("logs"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, object, object]:
    """After the last test here (its module's browser already stopped), stop the shared system."""
    try:
        return (yield)
    finally:
        if nextitem is None or HERE not in nextitem.path.parents:
            SHARED.close()
