"""Benchmark: `mart review` of a one-model change against one `mart build`, on the default data.

    .venv/bin/python bench/review_bench.py [--write docs/benchmarks.md]

In a copy of the project that is a git repository of its own (main: one commit), each a
process as a user runs it, one run each: `mart build` on a fresh warehouse (the peer), then
`mart review` of a change to one model's SQL (`fct_email_sends`, which rebuilds it and its
descendants) with no base built yet, then the same review with the base cached. Targets: at most
2x the build, and at most 1x with the base cached.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import tempfile
from pathlib import Path

from docs_section import write_section  # bench/, beside this file
from mart_command import timed_mart

PROJECT = Path(__file__).resolve().parent.parent
START, END = "<!-- review-bench:start -->", "<!-- review-bench:end -->"
IGNORED = (".venv", ".git", "state", "target", "logs", "exports", "*.egg-info", "__pycache__")


def timed(folder: Path, *arguments: str) -> float:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("MART_", "DBT_"))}
    environment |= {"PYTHONPATH": str(folder), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    return timed_mart(list(arguments), folder, environment)


def measure() -> dict:
    with tempfile.TemporaryDirectory(prefix="review-bench-") as scratch:
        folder = Path(scratch) / "email-mart"
        shutil.copytree(PROJECT, folder, ignore=shutil.ignore_patterns(*IGNORED))
        (folder / ".venv").symlink_to(PROJECT / ".venv")
        git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com"]
        subprocess.run([*git, "init", "-q", "-b", "main"], cwd=folder, check=True)
        subprocess.run([*git, "add", "-A"], cwd=folder, check=True)
        subprocess.run([*git, "commit", "-q", "-m", "base"], cwd=folder, check=True)
        build = timed(folder, "build")
        model = folder / "models" / "marts" / "fct_email_sends.sql"
        model.write_text(model.read_text() + "\n-- the change under review\n")
        cold = timed(folder, "review")
        cached = timed(folder, "review")
    return {"build": build, "cold": cold, "cached": cached}


def report(result: dict) -> str:
    cold, cached = result["cold"] / result["build"], result["cached"] / result["build"]
    return "\n".join(
        [
            START,
            "## `mart review`",
            "",
            "Command: `.venv/bin/python bench/review_bench.py --write docs/benchmarks.md`.",
            "",
            f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}. One run each, each a process as a user runs it, in "
            "a copy of the project that is a git repository: `mart build` on a fresh "
            "warehouse, then `mart review` of a one-model change (`fct_email_sends`) on the "
            "default data (the seeds, 3 days of 2,000 generated events), first with no base "
            "built, then with the base cached.",
            "",
            "| run | seconds | ratio to the build | target |",
            "| --- | ---: | ---: | --- |",
            f"| `mart build` (the peer) | {result['build']:.1f} | 1.00 x | |",
            f"| `mart review`, base not built | {result['cold']:.1f} | {cold:.2f} x | "
            f"<= 2 x: {'met' if cold <= 2 else 'missed'} |",
            f"| `mart review`, base cached | {result['cached']:.1f} | {cached:.2f} x | "
            f"<= 1 x: {'met' if cached <= 1 else 'missed'} |",
            END,
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="Replace this bench's section of the file.")
    arguments = parser.parse_args()
    section = report(measure())
    print(section)
    if arguments.write:
        write_section(arguments.write, section, START, END)


if __name__ == "__main__":
    main()
