"""One `mart` command timed as a user runs it: a process of its own (start-up included)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path


def timed_mart(arguments: list[str], cwd: Path, environment: dict[str, str]) -> float:
    """Seconds of `python -m harness.cli <arguments>` in `cwd`; stops the bench, with the
    command's output, if it fails."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli", *arguments],
        cwd=cwd, env=environment, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(done.stdout + done.stderr)
    return time.perf_counter() - started
