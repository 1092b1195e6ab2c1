"""Benchmark: `mart check-snowflake` on the project, against its 30 s target.

    .venv/bin/python bench/check_snowflake_bench.py [--repeat 3] [--write docs/benchmarks.md]

Each run is the whole command as a user runs it (a process of its own: start-up, a fresh
emulator, the build that logs every statement, the checks), after its peer from the same
run: `mart build` on a fresh DuckDB warehouse (the seeds and a full build with every test),
which reads this machine's speed at that moment (it varies by a third within an hour). The
check alone (sqlglot over the logged statements) is timed in-process on the last run's
log. The first run starts without the check's kept dbt parses (state/check-snowflake-parses,
emptied first): a first check, as in CI; the others find them, as a contributor's next
check does. The cold run, the fastest warm one, and the ratio of each to its own peer (which
parses the project in full every time, in a fresh target folder).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from docs_section import write_section  # bench/, beside this file
from mart_command import timed_mart

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
START, END = "<!-- check-snowflake-bench:start -->", "<!-- check-snowflake-bench:end -->"


def measure(repeat: int) -> dict:
    import shutil

    runs, peers, statements, check_seconds = [], [], 0, 0.0
    shutil.rmtree(PROJECT / "state" / "check-snowflake-parses", ignore_errors=True)
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="check-bench-") as scratch:
            environment = os.environ | {
                "MART_DUCKDB_PATH": f"{scratch}/mart.duckdb",
                "DBT_LOG_PATH": f"{scratch}/logs",
                "DBT_TARGET_PATH": f"{scratch}/target",
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            }
            peers.append(timed_mart(["build"], PROJECT, environment))
            runs.append(timed_mart(["check-snowflake", "--folder", scratch], PROJECT, environment))
            from harness.dbt import environment as settings
            from harness.dbt import manifest
            from harness.snowflake_check import check, statements_from_log

            with settings(MART_EMULATOR_DIR=f"{scratch}/emulator", DBT_MART_ENVIRONMENT="local"):
                parsed = manifest("snowflake_emulator")
            logged = statements_from_log(Path(scratch) / "statements.jsonl", parsed)
            started = time.perf_counter()
            check(logged)
            check_seconds = time.perf_counter() - started
            statements = len(logged)
    # The checks ran on the last run's log: their ratio is to that run's peer.
    return {
        "runs": runs,
        "peers": peers,
        "statements": statements,
        "check_seconds": check_seconds,
        "check_peer": peers[-1],
    }


def report(result: dict, repeat: int) -> str:
    cold, cold_peer = result["runs"][0], result["peers"][0]
    fastest = min(result["runs"][1:])
    peer = result["peers"][result["runs"].index(fastest)]

    def status(seconds: float) -> str:
        return "met" if seconds <= 30 else f"missed by {seconds / 30:.2f}x"

    return "\n".join(
        [
            START,
            "## `mart check-snowflake` (issue: would it fail on Snowflake?)",
            "",
            "Command: `.venv/bin/python bench/check_snowflake_bench.py "
            f"--repeat {repeat} --write docs/benchmarks.md`.",
            "",
            f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}. The whole command as a user runs it: the first "
            f"run without the check's kept dbt parses, then the fastest of {repeat - 1} "
            "with them; each against its own peer.",
            "",
            "| measure | seconds | ratio to its peer | target |",
            "| --- | ---: | ---: | --- |",
            f"| `mart build` on a fresh DuckDB warehouse (the peer of the warm run) | "
            f"{peer:.1f} | 1.00 x | |",
            f"| `mart check-snowflake`, its dbt parses kept from the last check (start-up, "
            f"fresh emulator, logged build, checks) | {fastest:.1f} | {fastest / peer:.2f} x "
            f"| <= 30 s: {status(fastest)} |",
            f"| `mart check-snowflake`, first run (dbt parses the project in full, twice) | "
            f"{cold:.1f} | {cold / cold_peer:.2f} x | <= 30 s: {status(cold)} |",
            f"| the checks alone ({result['statements']:,} distinct statements, sqlglot) | "
            f"{result['check_seconds']:.1f} | "
            f"{result['check_seconds'] / result['check_peer']:.2f} x (its run's peer) | |",
            "",
            "All runs (check / peer): "
            + ", ".join(
                f"{run:.1f} s / {peer:.1f} s"
                for run, peer in zip(result["runs"], result["peers"], strict=True)
            )
            + ".",
            END,
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="Runs, the first cold (>= 2).")
    parser.add_argument("--write", type=Path, help="Replace this bench's section of the file.")
    arguments = parser.parse_args()
    if arguments.repeat < 2:
        parser.error("--repeat must be at least 2: the first run is the cold one")
    section = report(measure(arguments.repeat), arguments.repeat)
    print(section)
    if arguments.write:
        write_section(arguments.write, section, START, END)


if __name__ == "__main__":
    main()
