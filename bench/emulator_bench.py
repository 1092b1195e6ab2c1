"""Benchmark: a full `dbt build` on the Snowflake emulator against the same build on DuckDB.

    .venv/bin/python bench/emulator_bench.py [--repeat 3] [--write docs/benchmarks.md]

Both builds run in this process through the harness's dbtRunner wrapper, on fresh
warehouses (seeds, models, every data and unit test), after one `dbt parse` per target so
neither pays dbt's start-up. Each target is built `--repeat` times on a new warehouse; the
fastest run counts. The ratio emulator / DuckDB is the figure (target: <= 3x).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

import duckdb
from docs_section import write_section  # bench/, beside this file

from harness import PROJECT_DIR, emulator
from harness.dbt import environment, run_dbt

MARK_START, MARK_END = "<!-- emulator-bench:start -->", "<!-- emulator-bench:end -->"


def build_seconds(target: str, folder: Path) -> tuple[float, float]:
    """(wall seconds, dbt's elapsed seconds) of one full build on a fresh warehouse."""
    started = time.perf_counter()
    run = run_dbt(["build"], target=target, quiet=True)
    wall = time.perf_counter() - started
    results = json.loads((Path(os.environ["DBT_TARGET_PATH"]) / "run_results.json").read_text())
    assert run.success
    return wall, results["elapsed_time"]


def measure(repeat: int) -> dict:
    figures: dict[str, list[tuple[float, float]]] = {"duckdb": [], "snowflake_emulator": []}
    with tempfile.TemporaryDirectory(prefix="emulator-bench-") as scratch:
        root = Path(scratch)
        for number in range(repeat):
            for target in figures:
                folder = root / f"{target}-{number}"
                with environment(
                    MART_DUCKDB_PATH=str(folder / "mart.duckdb"),
                    MART_EMULATOR_DIR=str(folder / "emulator"),
                    DBT_TARGET_PATH=str(folder / "target"),
                    DBT_LOG_PATH=str(folder / "logs"),
                ):
                    try:
                        run_dbt(["parse"], target=target, quiet=True)  # start-up, not measured
                        figures[target].append(build_seconds(target, folder))
                    finally:
                        emulator.stop()
    best = {target: min(runs) for target, runs in figures.items()}
    return {
        "runs": figures,
        "duckdb": best["duckdb"],
        "emulator": best["snowflake_emulator"],
        "ratio_wall": best["snowflake_emulator"][0] / best["duckdb"][0],
        "ratio_elapsed": best["snowflake_emulator"][1] / best["duckdb"][1],
    }


def report(result: dict, repeat: int) -> str:
    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}"
    )
    duck, emu = result["duckdb"], result["emulator"]
    verdict = "met" if result["ratio_wall"] <= 3 else f"missed by {result['ratio_wall'] - 3:.2f}x"
    return "\n".join(
        [
            MARK_START,
            "## The Snowflake emulator against DuckDB (issue: fast offline tests)",
            "",
            "Command: `.venv/bin/python bench/emulator_bench.py --write docs/benchmarks.md`.",
            "",
            f"Machine: {machine}. A full `dbt build` (seeds, models, every data and unit test) "
            f"on a fresh warehouse, in-process after a `dbt parse`; fastest of {repeat} runs.",
            "",
            "| target | wall s | dbt elapsed s | ratio (wall) | target |",
            "| --- | ---: | ---: | ---: | --- |",
            f"| duckdb | {duck[0]:.1f} | {duck[1]:.1f} | 1.00 | |",
            f"| snowflake_emulator | {emu[0]:.1f} | {emu[1]:.1f} | {result['ratio_wall']:.2f} x | "
            f"<= 3 x DuckDB: {verdict} |",
            MARK_END,
        ]
    )


def write(path: Path, section: str) -> None:
    write_section(path, section, MARK_START, MARK_END)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", type=Path, help="Update this Markdown file's section.")
    arguments = parser.parse_args()
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    result = measure(arguments.repeat)
    section = report(result, arguments.repeat)
    print(section)
    if arguments.write:
        write(
            arguments.write if arguments.write.is_absolute() else PROJECT_DIR / arguments.write,
            section,
        )


if __name__ == "__main__":
    main()
