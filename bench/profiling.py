"""Optional profiling of the services during the saturation phase (`python -m bench --profile`), with py-spy.

py-spy is not a dependency of the benchmark: `pip install py-spy` into the virtualenv to use this. It samples
each service only while it holds the GIL (`--gil`), so the shares are of CPU time, not of time spent waiting.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path


def py_spy() -> str | None:
    beside_python = Path(sys.executable).with_name("py-spy")
    return str(beside_python) if beside_python.exists() else shutil.which("py-spy")


class Profiler:
    def __init__(self, executable: str, directory: Path) -> None:
        self._executable = executable
        self._directory = directory
        self._processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, pids: dict[str, int], seconds: float) -> None:
        self._directory.mkdir(parents=True, exist_ok=True)
        for name, pid in pids.items():
            command = [self._executable, "record", "--gil", "--rate", "100", "--duration", str(int(seconds))]
            command += ["--format", "raw", "--output", str(self.output(name)), "--pid", str(pid)]
            self._processes[name] = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def output(self, name: str) -> Path:
        return self._directory / f"{name}.py-spy.txt"

    def wait(self, timeout: float = 60.0) -> dict[str, list[tuple[str, float]]]:
        """Each service's heaviest frames of Mitra's own code and of the libraries it calls, by inclusive share."""
        hottest = {}
        for name, process in self._processes.items():
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            path = self.output(name)
            if path.exists():
                hottest[name] = heaviest_frames(path.read_text().splitlines())
        return hottest


_SKIPPED = ("<frozen runpy>", "runners.py", "uvicorn/server.py", "uvicorn/_compat.py", "cli.py", "__main__.py")


def heaviest_frames(collapsed: Iterable[str], *, top: int = 20) -> list[tuple[str, float]]:
    """From py-spy's collapsed stacks ("frame;frame;frame count"), the frames present in the most samples, as
    shares of all samples, leaving out the frames every sample has (the process's entry point and event loop)."""
    inclusive: Counter[str] = Counter()
    total = 0
    for line in collapsed:
        stack, _, count_text = line.rstrip().rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        for frame in set(stack.split(";")):
            if not any(marker in frame for marker in _SKIPPED):
                inclusive[frame] += count
    if total == 0:
        return []
    return [(frame, count / total) for frame, count in inclusive.most_common(top)]
